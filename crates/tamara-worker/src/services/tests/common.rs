//! Shared steps: a checkout created through the real service, approved at the sandbox.

use serde_json::{json, Value};

use crate::services::checkout::CheckoutIn;
use crate::services::idempotent::{self, Answer};
use crate::services::sync::{sync_order, Synced};
use crate::store::Source;
use crate::testing::Harness;

/// A valid checkout body for `items` (`[(sku, qty)]`) in the demo catalog.
pub fn body(items: &[(&str, u32)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(s, q)| json!({"sku": s, "quantity": q}))
        .collect();
    json!({
        "cart": {"items": items},
        "consumer": {"first_name": "Mona", "last_name": "Ali", "phone_number": "544337866",
                     "email": "mona@example.com"},
        "shipping_address": {"first_name": "Mona", "last_name": "Ali", "line1": "King Fahd Rd",
                             "city": "Riyadh", "country_code": "SA"},
        "locale": "en"
    })
}

/// Creates a checkout (optionally under an Idempotency-Key): `(status, body)`.
pub async fn checkout(h: &Harness, key: Option<&str>, v: &Value) -> (u16, Value) {
    let input: CheckoutIn = serde_json::from_value(v.clone()).expect("checkout body");
    match idempotent::create_checkout(&h.app, key, v, &input).await {
        Ok(Answer::Json(s, v)) => (s, v),
        Ok(Answer::Stored(s, t)) => (s, serde_json::from_str(&t).expect("stored json")),
        Err(e) => (e.status(), e.body()),
    }
}

/// A created checkout's order id.
pub async fn new_order(h: &Harness, items: &[(&str, u32)]) -> String {
    let (status, v) = checkout(h, None, &body(items)).await;
    assert_eq!(status, 201, "{v}");
    v["order_id"].as_str().expect("order_id").to_owned()
}

/// The shopper pays order `id` at the sandbox, then `source` reads it back: the sync that
/// mirrors `approved` and authorises it.
pub async fn approve(h: &Harness, id: &str, source: Source) -> Synced {
    h.tamara().trigger(id, "approve").await;
    let order = h.app.store().unwrap().order_or_404(id).await.unwrap();
    sync_order(&h.app, order, source, None).await.unwrap()
}
