//! Online checkout: the happy path with the redirect racing the webhook, decline, cancel, expiry.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tamara_e2e::client::{i, query_param, s, tamara_minor, Api};

use crate::{api, api_exclusive, authorised_order, new_order};

/// Audit events of `kind` in an `admin_order` body.
fn events_of_kind(order: &Value, kind: &str) -> usize {
    order["events"]
        .as_array()
        .map(|a| a.iter().filter(|e| s(e, "/kind") == kind).count())
        .unwrap_or(0)
}

async fn deliveries_of(api: &Api, order_id: &str, event_type: &str) -> usize {
    api.deliveries(order_id)
        .await
        .iter()
        .filter(|d| s(d, "/event_type") == event_type)
        .count()
}

async fn admin_ok(api: &Api, path: &str, body: Value) -> Value {
    let r = api.admin(Method::POST, path, Some(&body)).await;
    assert_eq!(r.status, StatusCode::OK, "{path} {body}: {}", r.describe());
    r.json
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_with_racing_redirect_and_webhook() {
    let (api, _g) = api().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    assert_eq!(i(&created, "/total/minor"), 11500);

    // The shopper approves on the hosted page; the sandbox answers 303 to the Worker's success
    // URL and, at the same moment, starts delivering order_approved to the Worker.
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("544337866"))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.describe());
    let loc = r.header("location").unwrap_or_default().to_owned();
    assert!(
        loc.starts_with(&format!("{}/tamara/success", api.worker)),
        "location: {loc}"
    );
    assert_eq!(query_param(&loc, "orderId").as_deref(), Some(id.as_str()));
    assert_eq!(
        query_param(&loc, "paymentStatus").as_deref(),
        Some("approved")
    );

    // Fire the redirect (twice, like a double-loaded page) while the webhook is in flight.
    let (a, b) = tokio::join!(api.follow(&loc), api.follow(&loc));
    for back in [&a, &b] {
        assert_eq!(back.status.as_u16(), 303, "{}", back.describe());
        let to = back.header("location").unwrap_or_default();
        assert!(
            to.contains("thank-you.html") && to.contains(&format!("order_id={id}")),
            "thank-you redirect: {to}"
        );
    }
    api.wait_local(&id, "authorised", |v| s(v, "/order/status") == "authorised")
        .await;
    // Let any late duplicate (webhook retry, second redirect) land, then count.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let local = api.admin_order(&id).await;
    assert_eq!(s(&local, "/order/status"), "authorised");
    assert_eq!(
        deliveries_of(&api, &id, "order_authorised").await,
        1,
        "exactly one authorise at the sandbox"
    );
    assert_eq!(
        events_of_kind(&local, "authorise"),
        1,
        "exactly one authorise in the audit trail: {}",
        local["events"]
    );
    let redirects = events_of_kind(&local, "redirect_success");
    assert!(redirects >= 1, "redirects audited: {}", local["events"]);
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "authorised");
    let public = api.get(&format!("/api/orders/{id}")).await;
    assert_eq!(s(&public.json, "/status"), "authorised");

    // Partial capture, then the rest.
    let c1 = admin_ok(
        &api,
        &format!("/admin/orders/{id}/capture"),
        json!({"amount": "50.00"}),
    )
    .await;
    assert_eq!(i(&c1, "/captured_amount/minor"), 5000, "{c1}");
    assert_eq!(s(&c1, "/status"), "partially_captured");
    assert!(!s(&c1, "/capture_id").is_empty());
    let c2 = admin_ok(&api, &format!("/admin/orders/{id}/capture"), json!({})).await;
    assert_eq!(i(&c2, "/captured_amount/minor"), 6500, "{c2}");
    assert_eq!(s(&c2, "/status"), "fully_captured");
    // Nothing left to capture.
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/capture"),
            Some(&json!({"amount": "1.00"})),
        )
        .await;
    assert!(r.status.is_client_error(), "over-capture: {}", r.describe());

    // Two partial refunds add up to the total.
    let r1 = admin_ok(
        &api,
        &format!("/admin/orders/{id}/refund"),
        json!({"amount": "30.00", "comment": "one item returned"}),
    )
    .await;
    assert_eq!(i(&r1, "/refunded_amount/minor"), 3000, "{r1}");
    assert_eq!(s(&r1, "/status"), "partially_refunded");
    let r2 = admin_ok(
        &api,
        &format!("/admin/orders/{id}/refund"),
        json!({"amount": "85.00", "comment": "the rest"}),
    )
    .await;
    assert_eq!(i(&r2, "/refunded_amount/minor"), 8500, "{r2}");
    assert_eq!(s(&r2, "/status"), "fully_refunded");
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/refund"),
            Some(&json!({"amount": "0.01", "comment": "too much"})),
        )
        .await;
    assert!(r.status.is_client_error(), "over-refund: {}", r.describe());

    let local = api
        .wait_local(&id, "fully_refunded", |v| {
            s(v, "/order/status") == "fully_refunded"
        })
        .await;
    assert_eq!(i(&local, "/order/captured/minor"), 11500);
    assert_eq!(i(&local, "/order/refunded/minor"), 11500);
    let t = api.tamara_order(&id).await;
    assert_eq!(s(&t, "/status"), "fully_refunded");
    assert_eq!(tamara_minor(&t, "/captured_amount"), Some(11500));
    assert_eq!(tamara_minor(&t, "/refunded_amount"), Some(11500));
    assert_eq!(
        t["transactions"]["captures"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        t["transactions"]["refunds"].as_array().map(Vec::len),
        Some(2)
    );
    // The merchant view embeds Tamara's order.
    assert_eq!(s(&local, "/tamara/status"), "fully_refunded");
    // Every notification the sandbox sent was accepted.
    api.assert_delivered(
        &id,
        &[
            "order_approved",
            "order_authorised",
            "order_captured",
            "order_refunded",
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_checkout() {
    let (api, _g) = api().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("526422337"))
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.describe());
    let loc = r.header("location").unwrap_or_default().to_owned();
    assert!(
        loc.starts_with(&format!("{}/tamara/failure", api.worker)),
        "{loc}"
    );
    assert_eq!(
        query_param(&loc, "paymentStatus").as_deref(),
        Some("declined")
    );
    let back = api.follow(&loc).await;
    assert_eq!(back.status.as_u16(), 303, "{}", back.describe());
    let to = back.header("location").unwrap_or_default();
    assert!(
        to.contains("cart.html") && to.contains("reason=declined") && to.contains(&id),
        "{to}"
    );
    api.wait_local(&id, "declined", |v| s(v, "/order/status") == "declined")
        .await;
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "declined");
    api.assert_delivered(&id, &["order_declined"]).await;
    assert_eq!(deliveries_of(&api, &id, "order_authorised").await, 0);
    // A merchant cannot capture a declined order.
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/capture"),
            Some(&json!({})),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopper_cancel_and_merchant_cancel() {
    let (api, _g) = api().await;
    // The shopper leaves the hosted page with "cancel".
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "cancel", None)
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.describe());
    let loc = r.header("location").unwrap_or_default().to_owned();
    assert!(
        loc.starts_with(&format!("{}/tamara/cancel", api.worker)),
        "{loc}"
    );
    let back = api.follow(&loc).await;
    assert_eq!(back.status.as_u16(), 303, "{}", back.describe());
    let to = back.header("location").unwrap_or_default();
    // The sandbox (like Tamara) expires a session the shopper cancels; on `/tamara/cancel` the
    // Worker reports an `expired` (or still `new`) order as `canceled`.
    assert!(
        to.contains("cart.html") && to.contains("reason=canceled"),
        "{to}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let st = api.local_status(&id).await;
    assert!(
        !["approved", "authorised"].contains(&st.as_str()),
        "canceled checkout became {st}"
    );
    assert_eq!(deliveries_of(&api, &id, "order_authorised").await, 0);

    // A forged / unknown order id on the redirect URLs: 404 page, nothing created.
    for kind in ["success", "failure", "cancel"] {
        let r = api
            .get(&format!(
                "/tamara/{kind}?orderId=00000000-0000-4000-8000-00000000dead&paymentStatus=approved"
            ))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{kind}: {}", r.describe());
    }

    // The merchant cancels an authorised order (partly, then the rest).
    let id = authorised_order(&api).await;
    let c1 = admin_ok(
        &api,
        &format!("/admin/orders/{id}/cancel"),
        json!({"amount": "15.00"}),
    )
    .await;
    assert_eq!(i(&c1, "/canceled_amount/minor"), 1500, "{c1}");
    let c2 = admin_ok(&api, &format!("/admin/orders/{id}/cancel"), json!({})).await;
    assert_eq!(s(&c2, "/status"), "canceled", "{c2}");
    let local = api
        .wait_local(&id, "canceled", |v| s(v, "/order/status") == "canceled")
        .await;
    assert_eq!(i(&local, "/order/canceled/minor"), 11500);
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "canceled");
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/capture"),
            Some(&json!({})),
        )
        .await;
    assert!(
        r.status.is_client_error(),
        "capture after cancel: {}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaid_checkout_expires_with_the_clock() {
    let (api, _g) = api_exclusive().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    // 30-minute session: one minute short of it nothing happens.
    api.advance_clock(29 * 60).await;
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "new");
    api.advance_clock(2 * 60).await;
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "expired");
    // The notification sent after the clock moved is accepted.
    api.assert_delivered(&id, &["order_expired"]).await;
    api.wait_local(&id, "expired", |v| s(v, "/order/status") == "expired")
        .await;
    // The hosted page no longer approves it.
    let url = s(&created, "/checkout_url").to_owned();
    let page = api.send(api.http.get(&url), "expired page").await;
    if page.status == StatusCode::OK {
        let r = api.hosted_checkout(&url, "pay", Some("544337866")).await;
        let loc = r.header("location").unwrap_or_default().to_owned();
        assert!(
            !loc.contains("paymentStatus=approved"),
            "expired checkout approved: {}",
            r.describe()
        );
    }
    assert_eq!(deliveries_of(&api, &id, "order_authorised").await, 0);
}
