//! The local order as stored in D1 and as shown by the APIs, plus the Worker's money JSON
//! (`{"amount": "57.50", "minor": 5750, "currency": "SAR"}`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tamara_core::timestamp::Timestamp;
use tamara_core::{Currency, Money, OrderStatus};

/// Money as the Worker's API writes it.
pub fn money_json(m: Money) -> Value {
    json!({"amount": m.to_decimal_string(), "minor": m.minor(), "currency": m.currency().code()})
}

/// Unix ms → RFC 3339.
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millis(ms).to_rfc3339()
}

/// A row of `orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    /// Tamara order id.
    pub order_id: String,
    /// Checkout session id.
    #[serde(default)]
    pub checkout_id: Option<String>,
    /// Our reference.
    pub order_reference_id: String,
    /// Mirrored Tamara status.
    pub status: String,
    /// online | in_store
    pub channel: String,
    /// Country code.
    pub country: String,
    /// Currency code.
    pub currency: String,
    /// Total.
    pub total_minor: i64,
    /// Shipping.
    #[serde(default)]
    pub shipping_minor: i64,
    /// Tax.
    #[serde(default)]
    pub tax_minor: i64,
    /// Discount.
    #[serde(default)]
    pub discount_minor: i64,
    /// Captured so far.
    #[serde(default)]
    pub captured_minor: i64,
    /// Refunded so far.
    #[serde(default)]
    pub refunded_minor: i64,
    /// Canceled so far.
    #[serde(default)]
    pub canceled_minor: i64,
    /// Items JSON.
    #[serde(default)]
    pub items: String,
    /// Locale.
    #[serde(default)]
    pub locale: Option<String>,
    /// Checkout URL.
    #[serde(default)]
    pub checkout_url: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// CAS counter.
    pub version: i64,
    /// Unix ms.
    #[serde(default)]
    pub approved_at: Option<i64>,
    /// Unix ms.
    #[serde(default)]
    pub authorised_at: Option<i64>,
    /// Unix ms.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Unix ms of the current authorise claim.
    #[serde(default)]
    pub authorise_claimed_at: Option<i64>,
    /// Unix ms when the auto-capture warning was recorded.
    #[serde(default)]
    pub auto_capture_flagged_at: Option<i64>,
    /// Unix ms of the last read from Tamara.
    #[serde(default)]
    pub last_synced_at: Option<i64>,
}

impl OrderRow {
    /// The currency (SAR if the stored code is unknown, which the schema never produces).
    pub fn currency(&self) -> Currency {
        self.currency.parse().unwrap_or(Currency::Sar)
    }

    /// An amount of this order's currency from minor units (negative values read as zero).
    pub fn money(&self, minor: i64) -> Money {
        let c = self.currency();
        u64::try_from(minor)
            .ok()
            .and_then(|m| Money::from_minor(m, c).ok())
            .unwrap_or(Money::zero(c))
    }

    /// Parsed status.
    pub fn status(&self) -> OrderStatus {
        OrderStatus::parse(&self.status)
    }

    /// total − canceled − captured.
    pub fn capturable_minor(&self) -> i64 {
        (self.total_minor - self.canceled_minor - self.captured_minor).max(0)
    }

    /// captured − refunded.
    pub fn refundable_minor(&self) -> i64 {
        (self.captured_minor - self.refunded_minor).max(0)
    }

    /// Admin view (no PII is stored, so none is shown).
    pub fn admin_json(&self) -> Value {
        json!({
            "order_id": self.order_id,
            "checkout_id": self.checkout_id,
            "order_reference_id": self.order_reference_id,
            "status": self.status,
            "channel": self.channel,
            "total": money_json(self.money(self.total_minor)),
            "captured": money_json(self.money(self.captured_minor)),
            "refunded": money_json(self.money(self.refunded_minor)),
            "canceled": money_json(self.money(self.canceled_minor)),
            "items": serde_json::from_str::<Value>(&self.items).unwrap_or(Value::Array(vec![])),
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
            "authorised_at": self.authorised_at.map(rfc3339),
            "expires_at": self.expires_at.map(rfc3339),
            "version": self.version,
        })
    }

    /// Storefront view.
    pub fn public_json(&self) -> Value {
        json!({
            "order_id": self.order_id,
            "order_reference_id": self.order_reference_id,
            "status": self.status,
            "total": money_json(self.money(self.total_minor)),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn row(status: &str) -> OrderRow {
        OrderRow {
            order_id: "o1".into(),
            checkout_id: Some("c1".into()),
            order_reference_id: "r1".into(),
            status: status.into(),
            channel: "online".into(),
            country: "SA".into(),
            currency: "SAR".into(),
            total_minor: 23000,
            shipping_minor: 0,
            tax_minor: 0,
            discount_minor: 0,
            captured_minor: 0,
            refunded_minor: 0,
            canceled_minor: 0,
            items: "[]".into(),
            locale: None,
            checkout_url: None,
            created_at: 1_700_000_000_000,
            updated_at: 1_700_000_000_000,
            version: 0,
            approved_at: None,
            authorised_at: None,
            expires_at: None,
            authorise_claimed_at: None,
            auto_capture_flagged_at: None,
            last_synced_at: None,
        }
    }

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

    #[test]
    fn views() {
        let mut r = row("authorised");
        r.captured_minor = 10000;
        r.canceled_minor = 3000;
        assert_eq!(r.capturable_minor(), 10000);
        assert_eq!(r.refundable_minor(), 10000);
        let a = r.admin_json();
        assert_eq!(a["captured"]["amount"], "100.00");
        assert_eq!(a["version"], 0);
        let p = r.public_json();
        assert_eq!(p["total"]["minor"], 23000);
        assert!(p.get("items").is_none());
    }
}
