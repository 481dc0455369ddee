//! `POST /tamara/webhook`: verify the `tamaraToken` (fail closed), de-duplicate, re-read the
//! order at Tamara (the payload carries no status), mirror it forward-only, authorise approved
//! orders once, audit everything, answer `200 {"ok":true}`.

use serde_json::json;
use tamara_core::timestamp::Timestamp;
use tamara_core::token::Verifier;
use tamara_core::webhooks::{EventData, WebhookPayload};
use worker::Response;

use crate::app::{self, Ctx};
use crate::body;
use crate::db::{self, NewEvent};
use crate::error::{AppError, AppResult};
use crate::req::Request;
use crate::sync;

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

/// Audit detail without PII.
pub fn detail(p: &WebhookPayload) -> serde_json::Value {
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

/// Handles one notification.
pub async fn handle(ctx: &Ctx, req: Request) -> AppResult<Response> {
    let secret = ctx.cfg.notification_token()?.clone();
    let auth = req.header("Authorization");
    let query = req.query().map(str::to_owned);
    // Tokens are checked against the real clock (the sandbox also signs with wall-clock time).
    let now = ctx.now();
    Verifier::new(secret)
        .verify_request(
            auth.as_deref(),
            query.as_deref(),
            Timestamp::from_millis(now),
        )
        .map_err(|e| {
            worker::console_warn!("webhook rejected: {}", e.code());
            AppError::Unauthorized("missing or invalid tamaraToken")
        })?;
    let bytes = app::read_body(&req).await?;
    let payload: WebhookPayload = body::parse(&bytes)?;
    let db = ctx.db()?;
    let key = dedupe_key(&payload);
    let wall = ctx.now();
    // One round trip: record the event (unless known), is it done already, the local order.
    let prelude = db::webhook_prelude(
        &db,
        &NewEvent {
            dedupe_key: &key,
            order_id: Some(payload.order_id.as_str()),
            source: "webhook",
            kind: payload.event_type.as_str(),
            status_before: None,
            status_after: None,
            detail: Some(detail(&payload).to_string()),
            processed: false,
        },
        payload.order_id.as_str(),
        wall,
    )
    .await?;
    if prelude.duplicate {
        return app::json(200, &json!({"ok": true, "duplicate": true}));
    }
    let Some(order) = prelude.order else {
        db::finish_event(&db, &key, None, None).await?;
        return app::json(200, &json!({"ok": true, "ignored": "unknown_order"}));
    };
    let before = order.status.clone();
    let tamara = ctx.tamara()?;
    // Events that report a money movement record it below before the event counts as done;
    // the others may be finished with the sync's last write.
    let moves_money = matches!(
        &payload.data,
        EventData::Captured { .. } | EventData::Refunded { .. } | EventData::Canceled { .. }
    );
    let finish = (!moves_money).then_some(key.as_str());
    let synced = sync::sync_order(&db, &tamara, order, "webhook", wall, finish).await?;
    let cur = &synced.order;
    match &payload.data {
        EventData::Captured {
            capture_id,
            captured_amount,
        } if !captured_amount.is_zero() => {
            db::insert_capture(
                &db,
                capture_id.as_str(),
                &cur.order_id,
                i64::try_from(captured_amount.minor()).unwrap_or(0),
                &cur.currency,
                None,
                wall,
            )
            .await?;
        }
        EventData::Refunded {
            refund_id,
            capture_id,
            refunded_amount,
            comment,
        } if !refunded_amount.is_zero() => {
            db::insert_refund(
                &db,
                refund_id.as_str(),
                &cur.order_id,
                capture_id.as_ref().map(|c| c.as_str()),
                i64::try_from(refunded_amount.minor()).unwrap_or(0),
                &cur.currency,
                comment.as_deref(),
                wall,
            )
            .await?;
        }
        EventData::Canceled {
            cancel_id: Some(cancel_id),
            canceled_amount: Some(amount),
        } if !amount.is_zero() => {
            db::insert_cancel(
                &db,
                cancel_id.as_str(),
                &cur.order_id,
                i64::try_from(amount.minor()).unwrap_or(0),
                &cur.currency,
                wall,
            )
            .await?;
        }
        _ => {}
    }
    if !synced.finished {
        db::finish_event(&db, &key, Some(&before), Some(&cur.status)).await?;
    }
    app::json(
        200,
        &json!({"ok": true, "status": cur.status, "authorised_now": synced.authorised_now}),
    )
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
