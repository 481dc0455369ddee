//! Faults injected at the sandbox on each call the Worker makes: the Worker answers a documented
//! 5xx error, loses no order, and a retry or `POST /admin/reconcile` completes the work.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tamara_e2e::client::{checkout_body, i, s, tamara_minor, Api, Resp};

use crate::{api_exclusive, authorised_order, new_order};

fn assert_upstream_error(r: &Resp, what: &str) {
    assert!(
        r.status.is_server_error(),
        "{what}: expected a 5xx, got {}",
        r.describe()
    );
    let code = r.error_code().unwrap_or_default();
    assert!(
        !code.is_empty() && r.json.pointer("/error/message").is_some(),
        "{what}: error body {}",
        r.text
    );
    assert!(!r.text.contains("e2e-api-"), "{what}: API token leaked");
}

async fn fault(api: &Api, route: &str, count: u32) {
    api.fault(json!({ "route": route, "status": 500, "count": count }))
        .await;
}

async fn reconcile(api: &Api) -> Value {
    let r = api
        .admin(Method::POST, "/admin/reconcile", Some(&json!({})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "reconcile: {}", r.describe());
    for k in ["/checked", "/authorised", "/updated"] {
        assert!(
            r.json.pointer(k).is_some_and(Value::is_u64),
            "{k}: {}",
            r.text
        );
    }
    r.json
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_checkout_fault_then_retry_with_same_key() {
    let (api, _g) = api_exclusive().await;
    let key = uuid::Uuid::new_v4().to_string();
    let body = checkout_body(&[("ABAYA-1", 1)], "544337866");
    let before = api.sandbox_orders().await.len();
    fault(&api, "POST /checkout", 1).await;
    let r = api.create_checkout_keyed(&key, &body).await;
    assert_upstream_error(&r, "create under fault");
    assert_eq!(
        api.sandbox_orders().await.len(),
        before,
        "no order at the sandbox"
    );
    // The failure is not remembered as the key's answer: the retry creates the order, once.
    let ok = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(ok.status, StatusCode::CREATED, "retry: {}", ok.describe());
    let again = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(s(&again.json, "/order_id"), s(&ok.json, "/order_id"));
    assert_eq!(api.sandbox_orders().await.len(), before + 1);
    api.clear_faults().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorise_fault_is_completed_by_reconcile() {
    let (api, _g) = api_exclusive().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    // Every authorise fails until the fault is cleared (webhook, retries and redirect alike).
    fault(&api, "POST /orders/*/authorise", 1000).await;
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("544337866"))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.describe());
    let loc = r.header("location").unwrap_or_default().to_owned();
    let back = api.follow(&loc).await;
    // The shopper still lands on a store page (the order is approved at Tamara).
    assert_eq!(
        back.status.as_u16(),
        303,
        "redirect under fault: {}",
        back.describe()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "approved");
    let st = api.local_status(&id).await;
    assert_ne!(
        st, "authorised",
        "authorised although every authorise failed"
    );

    api.clear_faults().await;
    // Reconciliation looks at orders idle for RECONCILE_AFTER_MINUTES (10) of the sandbox clock.
    api.advance_clock(11 * 60).await;
    let rec = reconcile(&api).await;
    let local = api
        .wait_local(&id, "authorised after reconcile", |v| {
            s(v, "/order/status") == "authorised"
        })
        .await;
    assert!(i(&rec, "/checked") >= 1, "{rec}");
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "authorised");
    let authorised = api
        .deliveries(&id)
        .await
        .iter()
        .filter(|d| s(d, "/event_type") == "order_authorised")
        .count();
    assert_eq!(authorised, 1, "exactly one authorise: {}", local["events"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_refund_cancel_faults_lose_nothing() {
    let (api, _g) = api_exclusive().await;
    let id = authorised_order(&api).await;

    fault(&api, "POST /orders/*/cancel", 1).await;
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/cancel"),
            Some(&json!({"amount": "15.00"})),
        )
        .await;
    assert_upstream_error(&r, "cancel under fault");
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "authorised");
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/cancel"),
            Some(&json!({"amount": "15.00"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "cancel retry: {}", r.describe());

    fault(&api, "POST /payments/capture", 1).await;
    let path = format!("/admin/orders/{id}/capture");
    let r = api.admin(Method::POST, &path, Some(&json!({}))).await;
    assert_upstream_error(&r, "capture under fault");
    let t = api.tamara_order(&id).await;
    assert_eq!(
        tamara_minor(&t, "/captured_amount").unwrap_or(0),
        0,
        "captured at the sandbox"
    );
    let r = api.admin(Method::POST, &path, Some(&json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "capture retry: {}", r.describe());
    assert_eq!(i(&r.json, "/captured_amount/minor"), 10000, "{}", r.text);

    fault(&api, "POST /payments/simplified-refund/*", 1).await;
    let path = format!("/admin/orders/{id}/refund");
    let body = json!({"amount": "40.00", "comment": "fault test"});
    let r = api.admin(Method::POST, &path, Some(&body)).await;
    assert_upstream_error(&r, "refund under fault");
    let r = api.admin(Method::POST, &path, Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "refund retry: {}", r.describe());

    api.clear_faults().await;
    reconcile(&api).await;
    let t = api.tamara_order(&id).await;
    let local = api
        .wait_local(&id, "partially_refunded", |v| {
            s(v, "/order/status") == "partially_refunded"
        })
        .await;
    assert_eq!(s(&t, "/status"), "partially_refunded");
    assert_eq!(tamara_minor(&t, "/captured_amount"), Some(10000));
    assert_eq!(tamara_minor(&t, "/refunded_amount"), Some(4000));
    assert_eq!(tamara_minor(&t, "/canceled_amount"), Some(1500));
    assert_eq!(i(&local, "/order/captured/minor"), 10000);
    assert_eq!(i(&local, "/order/refunded/minor"), 4000);
    assert_eq!(i(&local, "/order/canceled/minor"), 1500);
    assert_eq!(
        t["transactions"]["captures"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        t["transactions"]["refunds"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        t["transactions"]["cancels"].as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_store_faults_lose_nothing() {
    let (api, _g) = api_exclusive().await;
    let body = json!({"phone_number": "544337866", "amount": "75.00"});
    fault(&api, "POST /checkout/in-store-session", 1).await;
    let r = api
        .admin(Method::POST, "/admin/in-store", Some(&body))
        .await;
    assert_upstream_error(&r, "in-store create under fault");
    let r = api
        .admin(Method::POST, "/admin/in-store", Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "retry: {}", r.describe());
    let id = s(&r.json, "/order_id").to_owned();

    fault(&api, "POST /checkout/*/void", 1).await;
    let void = format!("/admin/in-store/{id}/void");
    let r = api.admin(Method::POST, &void, Some(&json!({}))).await;
    assert_upstream_error(&r, "void under fault");
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "new");
    let r = api.admin(Method::POST, &void, Some(&json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "void retry: {}", r.describe());
    assert_eq!(r.json["order_was_voided"], json!(true));

    // Reading the status while Tamara fails: a documented error or the stored status.
    fault(&api, "GET /merchants/orders/*", 1).await;
    let r = api
        .admin(Method::GET, &format!("/admin/in-store/{id}"), None)
        .await;
    assert!(
        r.status == StatusCode::OK || r.status.is_server_error(),
        "{}",
        r.describe()
    );
    if r.status.is_server_error() {
        assert_upstream_error(&r, "in-store status under fault");
    }
    api.clear_faults().await;
}
