//! Tamara's notification (`POST /tamara/webhook`): the `tamaraToken` is verified (fail closed),
//! the delivery de-duplicated, and the order re-read at Tamara, mirrored forward-only and
//! authorised once if approved. The payload is a hint: it names the order and the event, and
//! every state or money record comes from Tamara's own answer (`sync::sync_order`).
//!
//! What is recorded, given that Tamara's token signs only `{iss, iat, exp}` and not the body:
//! * a delivery is recorded once per content (`dedupe_key`: order, event, movement id), so the
//!   same token with the same body, or Tamara's retries, are recorded once;
//! * a valid token with another body (a replayed token, or two genuine notifications Tamara
//!   signed in the same second, whose tokens are byte-identical) is handled as a new hint: it can
//!   only make the Worker re-read an order at Tamara, and it leaves no row unless Tamara confirms
//!   it: a notification about an order the Worker does not know, or one naming a capture, refund
//!   or cancel id that Tamara's answer does not contain, is answered `200 {"ignored": …}` and
//!   its audit row is deleted again. So a forged body under a valid token stores nothing.

use serde_json::{json, Value};
use tamara_core::lifecycle::Movement;
use tamara_core::timestamp::Timestamp;
use tamara_core::token::Verifier;
use tamara_core::webhooks::{EventData, WebhookPayload};

use super::sync;
use super::App;
use crate::error::{AppError, AppResult};
use crate::store::{NewEvent, Source, Sql};
use crate::tamara::Transport;

/// The de-duplication key of a notification: the order, the event and the id of the money
/// movement it reports (captures and refunds can repeat per order).
pub fn dedupe_key(p: &WebhookPayload) -> String {
    let sub = match &p.data {
        EventData::Captured { capture_id, .. } => capture_id.as_str().to_owned(),
        EventData::Refunded { refund_id, .. } => refund_id.as_str().to_owned(),
        EventData::Canceled {
            cancel_id: Some(c), ..
        } => c.as_str().to_owned(),
        _ => String::new(),
    };
    format!("webhook:{}:{}:{}", p.order_id, p.event_type, sub)
}

/// The money movement a notification claims (kind and Tamara's id), if any.
pub fn claimed_movement(p: &WebhookPayload) -> Option<(Movement, &str)> {
    match &p.data {
        EventData::Captured { capture_id, .. } => Some((Movement::Capture, capture_id.as_str())),
        EventData::Refunded { refund_id, .. } => Some((Movement::Refund, refund_id.as_str())),
        EventData::Canceled {
            cancel_id: Some(c), ..
        } => Some((Movement::Cancel, c.as_str())),
        _ => None,
    }
}

/// Audit detail without PII: what the notification claimed (never used as a money record).
pub fn detail(p: &WebhookPayload) -> Value {
    match &p.data {
        EventData::Captured {
            capture_id,
            captured_amount,
        } => json!({"capture_id": capture_id, "amount_minor": captured_amount.minor()}),
        EventData::Refunded {
            refund_id,
            capture_id,
            refunded_amount,
            ..
        } => json!({"refund_id": refund_id, "capture_id": capture_id,
                    "amount_minor": refunded_amount.minor()}),
        EventData::Canceled {
            cancel_id,
            canceled_amount,
        } => json!({"cancel_id": cancel_id,
                    "amount_minor": canceled_amount.map(|m| m.minor())}),
        EventData::Declined {
            declined_code,
            decline_type,
            ..
        } => json!({"declined_code": declined_code, "decline_type": decline_type}),
        _ => json!({}),
    }
}

/// Verifies the notification token from the `Authorization` header or the `tamaraToken` query
/// parameter against the wall clock (401 otherwise). Done before the body is read.
pub fn verify<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    authorization: Option<&str>,
    query: Option<&str>,
) -> AppResult<()> {
    let now = Timestamp::from_millis(app.now());
    let secret = app.cfg.notification_token()?.clone();
    let current = Verifier::new(secret).verify_request(authorization, query, now);
    match (current, app.cfg.notification_token_previous()) {
        (Ok(_), _) => Ok(()),
        // While a merchant rotates: a token signed with the previous secret is still accepted.
        (Err(e), Some(previous)) => Verifier::new(previous.clone())
            .verify_request(authorization, query, now)
            .map(|_| ())
            .map_err(|_| AppError::WebhookRejected(e.code())),
        (Err(e), None) => Err(AppError::WebhookRejected(e.code())),
    }
}

/// Handles a verified notification; the answer's JSON body.
pub async fn handle<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    payload: &WebhookPayload,
) -> AppResult<Value> {
    let store = app.store()?;
    let key = dedupe_key(payload);
    let order_id = payload.order_id.as_str();
    let event = NewEvent {
        processed: false,
        ..NewEvent::done(
            key.clone(),
            order_id,
            Source::Webhook,
            payload.event_type.as_str(),
            Some(detail(payload)),
        )
    };
    // One round trip: record the event (unless known), is it done already, the local order.
    let prelude = store.webhook_prelude(&event, order_id, app.now()).await?;
    if prelude.duplicate {
        return Ok(json!({"ok": true, "duplicate": true}));
    }
    let Some(order) = prelude.order else {
        store.forget_event(&key).await?;
        return Ok(json!({"ok": true, "ignored": "unknown_order"}));
    };
    let before = order.status.clone();
    let synced = sync::sync_order(app, order, Source::Webhook, Some(&key)).await?;
    let cur = &synced.order;
    if let Some((movement, id)) = claimed_movement(payload) {
        let known = store.movement_ids(movement, order_id).await?;
        if !known.iter().any(|k| k == id) {
            store.forget_event(&key).await?;
            return Ok(json!({"ok": true, "ignored": "unconfirmed", "status": cur.status}));
        }
    }
    if !synced.finished {
        store
            .finish_event(&key, Some(before.as_str()), Some(cur.status.as_str()))
            .await?;
    }
    Ok(json!({"ok": true, "status": cur.status, "authorised_now": synced.authorised_now}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(json: &str) -> WebhookPayload {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn keys_distinguish_movements() {
        let a = payload(
            r#"{"order_id":"o1","order_reference_id":"r","event_type":"order_approved","data":[]}"#,
        );
        assert_eq!(dedupe_key(&a), "webhook:o1:order_approved:");
        let c1 = payload(
            r#"{"order_id":"o1","order_reference_id":"r","event_type":"order_captured","data":{"capture_id":"c1","captured_amount":{"amount":10,"currency":"SAR"}}}"#,
        );
        let c2 = payload(
            r#"{"order_id":"o1","order_reference_id":"r","event_type":"order_captured","data":{"capture_id":"c2","captured_amount":{"amount":10,"currency":"SAR"}}}"#,
        );
        assert_ne!(dedupe_key(&c1), dedupe_key(&c2));
        assert_eq!(detail(&c1)["amount_minor"], 1000);
    }

    #[test]
    fn decline_detail_has_no_free_text() {
        let d = payload(
            r#"{"order_id":"o1","order_reference_id":"r","event_type":"order_declined","data":{"declined_reason":"Mona Ali failed","declined_code":"x","decline_type":"soft"}}"#,
        );
        assert!(!detail(&d).to_string().contains("Mona"));
    }
}
