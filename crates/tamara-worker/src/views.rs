//! How the Worker's API writes orders and money (`{"amount": "57.50", "minor": 5750,
//! "currency": "SAR"}`); shared by the handlers and the services' answers.

use serde_json::{json, Value};
use tamara_core::timestamp::Timestamp;
use tamara_core::Money;

use crate::store::order::channel_str;
use crate::store::{EventRow, Order};

/// Money as the API writes it.
pub fn money_json(m: Money) -> Value {
    json!({"amount": m.to_decimal_string(), "minor": m.minor(), "currency": m.currency().code()})
}

/// Unix ms → RFC 3339.
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millis(ms).to_rfc3339()
}

/// The merchant's view of an order (no PII is stored, so none is shown).
pub fn order_admin(o: &Order) -> Value {
    json!({
        "order_id": o.order_id,
        "checkout_id": o.checkout_id,
        "order_reference_id": o.reference,
        "status": o.status,
        "channel": channel_str(o.channel),
        "total": money_json(o.total),
        "captured": money_json(o.captured),
        "refunded": money_json(o.refunded),
        "canceled": money_json(o.canceled),
        "items": serde_json::from_str::<Value>(&o.items).unwrap_or(Value::Array(vec![])),
        "created_at": rfc3339(o.created_at),
        "updated_at": rfc3339(o.updated_at),
        "authorised_at": o.authorised_at.map(rfc3339),
        "expires_at": o.expires_at.map(rfc3339),
        "version": o.version,
    })
}

/// The storefront's view of an order.
pub fn order_public(o: &Order) -> Value {
    json!({
        "order_id": o.order_id,
        "order_reference_id": o.reference,
        "status": o.status,
        "total": money_json(o.total),
    })
}

/// An audit row.
pub fn event(e: &EventRow) -> Value {
    json!({
        "id": e.id, "source": e.source, "kind": e.kind,
        "status_before": e.status_before, "status_after": e.status_after,
        "detail": e.detail.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok()),
        "processed": e.processed != 0, "created_at": rfc3339(e.created_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::Currency;

    #[test]
    fn money_shape() {
        let m = Money::from_minor(5750, Currency::Sar).unwrap();
        assert_eq!(
            money_json(m),
            json!({"amount": "57.50", "minor": 5750, "currency": "SAR"})
        );
        let k = Money::from_minor(1125, Currency::Kwd).unwrap();
        assert_eq!(money_json(k)["amount"], "1.125");
    }
}
