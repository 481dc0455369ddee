//! This Worker's webhook at Tamara, registered once (`POST /admin/webhooks/ensure`,
//! `bash scripts/doctor.sh --fix`): safe to repeat, an existing registration is kept.

use serde_json::{json, Value};
use tamara_core::enums::WebhookType;
use tamara_core::webhooks::{already_registered, RegisterWebhook, RetrieveWebhook, UpdateWebhook};
use tamara_core::EventType;

use super::App;
use crate::error::{AppError, AppResult};
use crate::store::Sql;
use crate::tamara::Transport;

/// The events this Worker acts on; its webhook must subscribe to all of them.
pub const REQUIRED_EVENTS: [EventType; 7] = [
    EventType::OrderApproved,
    EventType::OrderDeclined,
    EventType::OrderAuthorised,
    EventType::OrderCanceled,
    EventType::OrderCaptured,
    EventType::OrderRefunded,
    EventType::OrderExpired,
];

/// Registers `PUBLIC_URL/tamara/webhook` for [`REQUIRED_EVENTS`] once: an existing registration
/// (`webhook_already_registered`, its id from `errors[0].data`) is kept, and given any missing
/// event. `{"webhook_id", "url", "events", "created", "updated"}`.
pub async fn ensure_webhook<T: Transport, Q: Sql>(app: &App<T, Q>) -> AppResult<Value> {
    let url = app.cfg.public("/tamara/webhook");
    let register = RegisterWebhook::new(url.clone(), REQUIRED_EVENTS.to_vec());
    register
        .validate()
        .map_err(|e| AppError::unprocessable(e.code(), format!("{url}: {e}")))?;
    let tamara = app.tamara()?;
    let id = match tamara.call(&register).await {
        Ok(w) => {
            return Ok(json!({"webhook_id": w.webhook_id, "url": url,
                             "events": w.events, "created": true, "updated": false}))
        }
        Err(AppError::Tamara(e)) => match already_registered(&e) {
            Some(id) => id,
            None => return Err(AppError::Tamara(e)),
        },
        Err(e) => return Err(e),
    };
    let existing = tamara
        .call(&RetrieveWebhook {
            webhook_id: id.clone(),
        })
        .await?;
    let mut events = existing.events.clone();
    for e in REQUIRED_EVENTS {
        if !events.contains(&e) {
            events.push(e);
        }
    }
    let updated = events.len() != existing.events.len();
    if updated {
        tamara
            .call(&UpdateWebhook {
                webhook_id: id.clone(),
                url: url.clone(),
                events: events.clone(),
                headers: existing.headers.clone(),
                webhook_type: Some(existing.webhook_type.clone().unwrap_or(WebhookType::Order)),
            })
            .await?;
    }
    Ok(json!({"webhook_id": id, "url": url, "events": events,
              "created": false, "updated": updated}))
}
