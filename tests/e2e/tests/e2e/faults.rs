//! Faults injected at the sandbox on each call the Worker makes. The sandbox fails a matching
//! request before doing anything (`/_sandbox/faults`). The Worker re-reads Tamara and retries a
//! failed call once when that is safe, so a single fault is absorbed; a persistent one gives a
//! documented 5xx error. Either way no order or money movement is lost or doubled, and a retry
//! or `POST /admin/reconcile` completes the work.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tamara_e2e::client::{checkout_body, i, poll, s, tamara_minor, Api, Resp};

use crate::{api_exclusive, authorised_order, new_order};

/// Enough uses to outlast every retry of one request.
const PERSISTENT: u32 = 1000;

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

async fn drop_once(api: &Api, route: &str) {
    api.fault(json!({ "route": route, "drop_connection": true, "count": 1 }))
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
    assert!(r.json["flagged"].is_array(), "{}", r.text);
    r.json
}

/// The local status from the merchant list (no call to Tamara, unlike `GET /admin/orders/{id}`).
async fn listed_status(api: &Api, id: &str) -> String {
    let r = api
        .admin(Method::GET, "/admin/orders?limit=500", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    r.json["orders"]
        .as_array()
        .and_then(|a| a.iter().find(|o| s(o, "/order_id") == id))
        .map(|o| s(o, "/status").to_owned())
        .unwrap_or_default()
}

async fn sandbox_orders_with_reference(api: &Api, reference: &str) -> usize {
    api.sandbox_orders()
        .await
        .iter()
        .filter(|o| s(o, "/order_reference_id") == reference)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_checkout_faults_lose_and_double_nothing() {
    let (api, _g) = api_exclusive().await;
    let body = checkout_body(&[("ABAYA-1", 1)], "544337866");

    // One failure (status, then a dropped connection) is absorbed: exactly one order.
    for (what, spec) in [
        (
            "500 once",
            json!({"route": "POST /checkout", "status": 500, "count": 1}),
        ),
        (
            "dropped once",
            json!({"route": "POST /checkout", "drop_connection": true, "count": 1}),
        ),
    ] {
        api.fault(spec).await;
        let created = api.create_checkout(&body).await;
        let reference = s(&created, "/order_reference_id").to_owned();
        assert_eq!(
            sandbox_orders_with_reference(&api, &reference).await,
            1,
            "{what}: one order at the sandbox"
        );
        api.clear_faults().await;
    }

    // A persistent failure: a documented 5xx, nothing at the sandbox, and the same key works
    // once Tamara is back (the failure was not stored as the key's answer).
    let key = uuid::Uuid::new_v4().to_string();
    let before = api.sandbox_orders().await.len();
    fault(&api, "POST /checkout", PERSISTENT).await;
    let r = api.create_checkout_keyed(&key, &body).await;
    assert_upstream_error(&r, "create under a persistent fault");
    assert_eq!(
        api.sandbox_orders().await.len(),
        before,
        "no order at the sandbox"
    );
    api.clear_faults().await;
    let ok = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(ok.status, StatusCode::CREATED, "retry: {}", ok.describe());
    let again = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(s(&again.json, "/order_id"), s(&ok.json, "/order_id"));
    assert_eq!(api.sandbox_orders().await.len(), before + 1);
}

/// Tamara creates the order but answers after the Worker's timeout (8 s): the Worker finds the
/// order by reference, records it (so reconcile tracks it) and answers a retryable 502; a retry
/// with the same key reuses the reference and creates no second Tamara order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_checkout_timeout_records_order_and_retry_creates_none() {
    let (api, _g) = api_exclusive().await;
    let body = checkout_body(&[("ABAYA-1", 1)], "544337866");
    let key = uuid::Uuid::new_v4().to_string();
    let before: Vec<String> = api
        .sandbox_orders()
        .await
        .iter()
        .map(|o| s(o, "/order_id").to_owned())
        .collect();
    api.fault(json!({"route": "POST /checkout", "delay_after_ms": 9000, "count": 1}))
        .await;
    let r = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(r.status.as_u16(), 502, "{}", r.describe());
    assert_eq!(r.error_code(), Some("checkout_state_unknown"), "{}", r.text);
    assert!(!r.text.contains("e2e-api-"), "API token leaked");
    let new: Vec<Value> = api
        .sandbox_orders()
        .await
        .into_iter()
        .filter(|o| !before.contains(&s(o, "/order_id").to_owned()))
        .collect();
    assert_eq!(new.len(), 1, "one order at the sandbox: {new:?}");
    let id = s(&new[0], "/order_id").to_owned();
    let reference = s(&new[0], "/order_reference_id").to_owned();
    // Recorded locally, without a checkout URL.
    let local = api.admin_order(&id).await;
    assert_eq!(s(&local, "/order/order_reference_id"), reference, "{local}");
    assert!(local["order"]["checkout_id"].is_null(), "{local}");
    // The retry under the same key: the same clear error, no second order.
    let again = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(again.status.as_u16(), 502, "{}", again.describe());
    assert_eq!(again.error_code(), Some("checkout_state_unknown"));
    assert_eq!(sandbox_orders_with_reference(&api, &reference).await, 1);
    assert_eq!(api.sandbox_orders().await.len(), before.len() + 1);
}

/// Tamara creates the order but answers after the Worker's timeout, and the lookup by reference
/// fails too (every attempt): the outcome stays unknown, so the answer is a retryable 5xx. A
/// retry with the same key looks the reference up before creating: still one order at Tamara.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_timeout_and_failed_lookup_then_retry_creates_none() {
    let (api, _g) = api_exclusive().await;
    let body = checkout_body(&[("ABAYA-1", 2)], "544337866");
    let key = uuid::Uuid::new_v4().to_string();
    let before = api.sandbox_orders().await.len();
    api.fault(json!({"route": "POST /checkout", "delay_after_ms": 9000, "count": 1}))
        .await;
    fault(&api, "GET /merchants/orders/reference-id/*", 3).await;
    let r = api.create_checkout_keyed(&key, &body).await;
    assert!(r.status.is_server_error(), "{}", r.describe());
    assert!(r.error_code().is_some(), "{}", r.text);
    assert_eq!(
        api.sandbox_orders().await.len(),
        before + 1,
        "Tamara has it"
    );
    api.clear_faults().await;
    let again = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(again.status.as_u16(), 502, "{}", again.describe());
    assert_eq!(
        again.error_code(),
        Some("checkout_state_unknown"),
        "{}",
        again.text
    );
    assert_eq!(
        api.sandbox_orders().await.len(),
        before + 1,
        "no second order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorise_fault_is_completed_by_reconcile() {
    let (api, _g) = api_exclusive().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    // Every authorise fails until the fault is cleared (webhook, its retries and the redirect).
    fault(&api, "POST /orders/*/authorise", PERSISTENT).await;
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("544337866"))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.describe());
    let loc = r.header("location").unwrap_or_default().to_owned();
    let back = api.follow(&loc).await;
    // The shopper still lands on a store page.
    assert_eq!(
        back.status.as_u16(),
        303,
        "redirect under fault: {}",
        back.describe()
    );
    // Wait until the sandbox has stopped retrying order_approved (5 attempts over ~8 s), so
    // only reconciliation can complete the order.
    let settled = poll(
        Duration::from_secs(60),
        Duration::from_millis(500),
        || async {
            let d = api.deliveries(&id).await;
            let done = d.iter().any(|d| {
                s(d, "/event_type") == "order_approved"
                    && (d["delivered"] == json!(true) || i(d, "/attempts") >= 5)
            });
            (done, d)
        },
    )
    .await;
    assert!(
        settled.is_ok(),
        "order_approved delivery never settled: {settled:?}"
    );
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "approved");
    let st = listed_status(&api, &id).await;
    assert_ne!(
        st, "authorised",
        "authorised although every authorise failed"
    );

    api.clear_faults().await;
    // Reconciliation looks at orders idle for RECONCILE_AFTER_MINUTES (10) of the sandbox clock.
    api.advance_clock(11 * 60).await;
    // One pass handles a batch (25) of the oldest stuck orders; other tests left some behind.
    let mut authorised_by_reconcile = 0;
    for _ in 0..12 {
        let rec = reconcile(&api).await;
        authorised_by_reconcile += i(&rec, "/authorised");
        if listed_status(&api, &id).await == "authorised" || i(&rec, "/checked") == 0 {
            break;
        }
    }
    assert!(authorised_by_reconcile >= 1, "reconcile authorised nothing");
    let local = api
        .wait_local(&id, "authorised after reconcile", |v| {
            s(v, "/order/status") == "authorised"
        })
        .await;
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
async fn capture_refund_cancel_faults_lose_and_double_nothing() {
    let (api, _g) = api_exclusive().await;
    let id = authorised_order(&api).await;
    let cancel = format!("/admin/orders/{id}/cancel");
    let capture = format!("/admin/orders/{id}/capture");
    let refund = format!("/admin/orders/{id}/refund");

    // Cancel 10.00: one dropped connection is absorbed (re-read, then one retry).
    drop_once(&api, "POST /orders/*/cancel").await;
    let r = api
        .admin(Method::POST, &cancel, Some(&json!({"amount": "10.00"})))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "cancel, one drop: {}",
        r.describe()
    );
    // Cancel 5.00 under a persistent fault: 5xx, nothing canceled; then it works.
    fault(&api, "POST /orders/*/cancel", PERSISTENT).await;
    let r = api
        .admin(Method::POST, &cancel, Some(&json!({"amount": "5.00"})))
        .await;
    assert_upstream_error(&r, "cancel under a persistent fault");
    assert_eq!(
        tamara_minor(&api.tamara_order(&id).await, "/canceled_amount"),
        Some(1000)
    );
    api.clear_faults().await;
    let r = api
        .admin(Method::POST, &cancel, Some(&json!({"amount": "5.00"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "cancel retry: {}", r.describe());

    // Capture 50.00 with one failure, then the rest under a persistent fault, then again.
    fault(&api, "POST /payments/capture", 1).await;
    let r = api
        .admin(Method::POST, &capture, Some(&json!({"amount": "50.00"})))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "capture, one fault: {}",
        r.describe()
    );
    fault(&api, "POST /payments/capture", PERSISTENT).await;
    let r = api.admin(Method::POST, &capture, Some(&json!({}))).await;
    assert_upstream_error(&r, "capture under a persistent fault");
    assert_eq!(
        tamara_minor(&api.tamara_order(&id).await, "/captured_amount"),
        Some(5000)
    );
    api.clear_faults().await;
    let r = api.admin(Method::POST, &capture, Some(&json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "capture retry: {}", r.describe());
    assert_eq!(i(&r.json, "/captured_amount/minor"), 5000, "{}", r.text);

    // Refund 40.00: one drop absorbed; 20.00 under a persistent fault, then again.
    drop_once(&api, "POST /payments/simplified-refund/*").await;
    let r = api
        .admin(
            Method::POST,
            &refund,
            Some(&json!({"amount": "40.00", "comment": "one"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "refund, one drop: {}",
        r.describe()
    );
    fault(&api, "POST /payments/simplified-refund/*", PERSISTENT).await;
    let two = json!({"amount": "20.00", "comment": "two"});
    let r = api.admin(Method::POST, &refund, Some(&two)).await;
    assert_upstream_error(&r, "refund under a persistent fault");
    api.clear_faults().await;
    let r = api.admin(Method::POST, &refund, Some(&two)).await;
    assert_eq!(r.status, StatusCode::OK, "refund retry: {}", r.describe());

    reconcile(&api).await;
    let t = api.tamara_order(&id).await;
    let local = api
        .wait_local(&id, "partially_refunded", |v| {
            s(v, "/order/status") == "partially_refunded"
        })
        .await;
    assert_eq!(s(&t, "/status"), "partially_refunded");
    assert_eq!(tamara_minor(&t, "/canceled_amount"), Some(1500));
    assert_eq!(tamara_minor(&t, "/captured_amount"), Some(10000));
    assert_eq!(tamara_minor(&t, "/refunded_amount"), Some(6000));
    assert_eq!(i(&local, "/order/canceled/minor"), 1500);
    assert_eq!(i(&local, "/order/captured/minor"), 10000);
    assert_eq!(i(&local, "/order/refunded/minor"), 6000);
    let n = |k: &str| t["transactions"][k].as_array().map(Vec::len);
    assert_eq!(n("cancels"), Some(2), "{}", t["transactions"]);
    assert_eq!(n("captures"), Some(2), "{}", t["transactions"]);
    assert_eq!(n("refunds"), Some(2), "{}", t["transactions"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_store_faults_lose_nothing() {
    let (api, _g) = api_exclusive().await;
    let reference = format!("pos-{}", uuid::Uuid::new_v4().simple());
    let body =
        json!({"phone_number": "544337866", "amount": "75.00", "order_reference_id": reference});
    fault(&api, "POST /checkout/in-store-session", PERSISTENT).await;
    let r = api
        .admin(Method::POST, "/admin/in-store", Some(&body))
        .await;
    assert_upstream_error(&r, "in-store create under fault");
    assert_eq!(sandbox_orders_with_reference(&api, &reference).await, 0);
    api.clear_faults().await;
    let r = api
        .admin(Method::POST, "/admin/in-store", Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "retry: {}", r.describe());
    let id = s(&r.json, "/order_id").to_owned();
    assert_eq!(sandbox_orders_with_reference(&api, &reference).await, 1);

    fault(&api, "POST /checkout/*/void", PERSISTENT).await;
    let void = format!("/admin/in-store/{id}/void");
    let r = api.admin(Method::POST, &void, Some(&json!({}))).await;
    assert_upstream_error(&r, "void under fault");
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "new");
    api.clear_faults().await;
    let r = api.admin(Method::POST, &void, Some(&json!({}))).await;
    assert_eq!(r.status, StatusCode::OK, "void retry: {}", r.describe());
    assert_eq!(r.json["order_was_voided"], json!(true));

    // Reading the status while Tamara fails: GETs are retried, so one fault is invisible; a
    // persistent one gives a documented error.
    fault(&api, "GET /merchants/orders/*", 1).await;
    fault(&api, "GET /orders/*", 1).await;
    let r = api
        .admin(Method::GET, &format!("/admin/in-store/{id}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    fault(&api, "GET /merchants/orders/*", PERSISTENT).await;
    fault(&api, "GET /orders/*", PERSISTENT).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_and_payment_option_faults() {
    let (api, _g) = api_exclusive().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    let old = s(&created, "/order_reference_id").to_owned();
    let path = format!("/admin/orders/{id}/reference-id");
    let new_ref = json!({ "order_reference_id": format!("ERP-{}", uuid::Uuid::new_v4().simple()) });
    fault(&api, "PUT /orders/*/reference-id", PERSISTENT).await;
    let r = api.admin(Method::PUT, &path, Some(&new_ref)).await;
    assert_upstream_error(&r, "reference-id under fault");
    assert_eq!(s(&api.tamara_order(&id).await, "/order_reference_id"), old);
    assert_eq!(
        listed_reference(&api, &id).await,
        old,
        "local reference changed"
    );
    api.clear_faults().await;
    let r = api.admin(Method::PUT, &path, Some(&new_ref)).await;
    assert_eq!(r.status, StatusCode::OK, "retry: {}", r.describe());

    // Payment options while Tamara fails: a documented error, never a crash (a cached answer
    // may also be served); fine again afterwards. A fresh amount/phone avoids the cache.
    fault(&api, "POST /checkout/payment-options-pre-check", PERSISTENT).await;
    fault(&api, "GET /checkout/payment-types", PERSISTENT).await;
    let q = "/api/payment-options?country=SA&currency=SAR&amount=321.00&phone=544337866";
    let r = api.get(q).await;
    if r.status != StatusCode::OK {
        assert_upstream_error(&r, "payment options under fault");
    }
    api.clear_faults().await;
    let r = api
        .get("/api/payment-options?country=SA&currency=SAR&amount=322.00&phone=544337866")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(r.json["available"], json!(true), "{}", r.text);
}

async fn listed_reference(api: &Api, id: &str) -> String {
    let r = api
        .admin(Method::GET, "/admin/orders?limit=500", None)
        .await;
    r.json["orders"]
        .as_array()
        .and_then(|a| a.iter().find(|o| s(o, "/order_id") == id))
        .map(|o| s(o, "/order_reference_id").to_owned())
        .unwrap_or_default()
}
