//! `POST /api/checkout` under an `Idempotency-Key`: the first request claims the key (the only
//! D1 statement before Tamara), a replay gets the stored answer, the same key with another body
//! is 409 `idempotency_key_reused`, a request while the first is still running is 409
//! `idempotency_in_progress`, and after a transient failure the key stays retryable: the retry
//! looks the order up (in D1 and at Tamara) before creating anything.

use std::rc::Rc;

use serde_json::Value;

use super::checkout::{create, CheckoutIn};
use super::App;
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Decision};
use crate::store::Sql;
use crate::tamara::Transport;

/// An answer: status and JSON body; `Stored` when it is a replay of stored text.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A fresh answer.
    Json(u16, Value),
    /// A replay of the key's stored answer.
    Stored(u16, String),
}

fn in_progress() -> AppError {
    AppError::conflict(
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being processed",
    )
}

/// Creates a checkout for `input` (whose JSON is `value`), with or without a key.
pub async fn create_checkout<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    key: Option<&str>,
    value: &Value,
    input: &CheckoutIn,
) -> AppResult<Answer> {
    let key = match key {
        Some(k) => Some(idempotency::validate_key(k)?),
        None => None,
    };
    // Catalog carts are priced from the isolate's copy of the catalog: the same prices
    // `payment-options` shows for the cart.
    let products = match &input.cart {
        Some(_) => super::catalog::products(app).await?,
        None => Rc::new(Vec::new()),
    };
    let Some(key) = key else {
        let reference = format!("TS-{}", app.new_id());
        let (status, v, _) = create(app, input, &products, &reference, false, None).await?;
        return Ok(Answer::Json(status, v));
    };
    let store = app.store()?;
    let now = app.now();
    let hash = idempotency::request_hash("POST /api/checkout", value);
    let mut claimed = store.idem_claim(key, &hash, now).await?;
    let mut retry = false;
    for _ in 0..2 {
        if claimed {
            break;
        }
        let stored = store.idem_get(key).await?;
        match idempotency::decide(stored.as_ref(), &hash, now) {
            Decision::Replay { status, body } => return Ok(Answer::Stored(status, body)),
            Decision::Mismatch => {
                return Err(AppError::conflict(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request",
                ))
            }
            Decision::InFlight => return Err(in_progress()),
            Decision::Proceed => {
                retry = stored.is_some();
                claimed = match &stored {
                    None => store.idem_claim(key, &hash, now).await?,
                    Some(s) => store.idem_reclaim(key, &hash, s.created_at, now).await?,
                };
            }
        }
    }
    if !claimed {
        return Err(in_progress());
    }
    let reference = idempotency::order_reference(key, &hash);
    let (status, v, completed) =
        match create(app, input, &products, &reference, retry, Some(key)).await {
            Ok(ok) => ok,
            Err(e) => (e.status(), e.body(), false),
        };
    // A Tamara order without a known checkout URL is final for this key: replaying the 502
    // keeps a retry from creating a second order under the same reference.
    let unconfirmed =
        v.pointer("/error/code").and_then(Value::as_str) == Some("checkout_state_unknown");
    if completed {
        // Stored with the order in the same batch.
    } else if idempotency::is_final(status) || unconfirmed {
        store.idem_complete(key, status, &v.to_string()).await?;
    } else {
        store.idem_mark_retryable(key).await?;
    }
    Ok(Answer::Json(status, v))
}
