//! End-to-end tests: the Worker in workerd (`wrangler dev`) against `tamara-sandbox`, one stack
//! for the whole binary (see `tamara_e2e::shared`). Run with `bash tests/e2e/run.sh` or
//! `cargo test -p tamara-e2e --test e2e` after `bash scripts/setup.sh`.
//!
//! Tests that change global sandbox state (clock, faults, reconcile) hold [`tamara_e2e::GLOBAL`]
//! exclusively; all others hold it shared, so they run in parallel with each other only.

mod api;
mod embed;
mod faults;
mod golive;
mod instore;
mod online;
mod webhooks;

use serde_json::Value;
use tamara_e2e::client::{checkout_body, s, Api};
use tamara_e2e::{shared, Exclusive, GLOBAL};
use tokio::sync::RwLockReadGuard;

/// A client on the shared stack, for a test that leaves global state alone.
pub async fn api() -> (Api, RwLockReadGuard<'static, ()>) {
    let g = GLOBAL.read().await;
    let stack = tokio::task::block_in_place(shared);
    (stack.api(), g)
}

/// A client on the shared stack, for a test that changes the clock, faults or reconciles.
/// Faults are cleared when the returned guard drops.
pub async fn api_exclusive() -> (Api, Exclusive) {
    let stack = tokio::task::block_in_place(shared);
    let g = Exclusive::take(stack).await;
    (stack.api(), g)
}

/// Creates an online checkout for 2 × TSHIRT-1 (115.00 SAR); returns the create answer.
pub async fn new_order(api: &Api) -> Value {
    api.create_checkout(&checkout_body(&[("TSHIRT-1", 2)], "544337866"))
        .await
}

/// Create → approve on the hosted page → follow the redirect → wait until the Worker has the
/// order `authorised`. Returns the order id.
pub async fn authorised_order(api: &Api) -> String {
    let created = new_order(api).await;
    let order_id = s(&created, "/order_id").to_owned();
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("544337866"))
        .await;
    assert_eq!(r.status.as_u16(), 303, "hosted pay: {}", r.describe());
    let loc = r.header("location").unwrap_or_default().to_owned();
    let back = api.follow(&loc).await;
    assert_eq!(
        back.status.as_u16(),
        303,
        "success redirect: {}",
        back.describe()
    );
    api.wait_local(&order_id, "authorised", |v| {
        s(v, "/order/status") == "authorised"
    })
    .await;
    order_id
}
