//! `POST /tamara/webhook`: token checks (nothing changes on a bad token), duplicates and
//! out-of-order deliveries.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tamara_core::token::Claims;
use tamara_e2e::client::{s, wall_now, Api};

use crate::{api, authorised_order, new_order};

fn payload(order_id: &str, reference: &str, event_type: &str, data: Value) -> Value {
    json!({
        "order_id": order_id,
        "order_reference_id": reference,
        "order_number": reference,
        "event_type": event_type,
        "data": data
    })
}

async fn events(api: &Api, order_id: &str) -> Vec<Value> {
    api.admin_order(order_id).await["events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_tokens_are_rejected_and_change_nothing() {
    let (api, _g) = api().await;
    let created = new_order(&api).await;
    let id = s(&created, "/order_id").to_owned();
    let reference = s(&created, "/order_reference_id").to_owned();
    let before_local = api.admin_order(&id).await;
    let before_events = events(&api, &id).await.len();
    let body = payload(&id, &reference, "order_approved", json!([]));
    // Tokens are judged against wall-clock time (the sandbox signs with it, CONTRACTS §1).
    let now = wall_now();

    let mut expired = Claims::tamara(now);
    expired.iat = Some(now.secs() - 7200);
    expired.exp = Some(now.secs() - 3600);
    let mut no_exp = Claims::tamara(now);
    no_exp.exp = None;
    let mut future = Claims::tamara(now);
    future.iat = Some(now.secs() + 3600);
    future.exp = Some(now.secs() + 7200);
    let mut ten_years = Claims::tamara(now);
    ten_years.exp = Some(now.secs() + 10 * 365 * 86_400);
    let mut one_hour = Claims::tamara(now);
    one_hour.exp = Some(now.secs() + 3600);
    let good = Claims::tamara(now);
    let cases: Vec<(&str, Option<String>)> = vec![
        ("lives ten years", Some(api.token_with(&ten_years))),
        ("lives an hour", Some(api.token_with(&one_hour))),
        ("missing", None),
        ("garbage", Some("not.a.jwt".to_owned())),
        (
            "forged (other secret)",
            Some(Api::token_with_secret("not-the-secret", &good)),
        ),
        ("expired", Some(api.token_with(&expired))),
        ("no exp", Some(api.token_with(&no_exp))),
        ("issued in the future", Some(api.token_with(&future))),
        (
            "alg HS512",
            Some(api.token_with_header(r#"{"typ":"JWT","alg":"HS512"}"#, &good)),
        ),
        ("alg none", {
            let t = api.token_with_header(r#"{"typ":"JWT","alg":"none"}"#, &good);
            // `none` tokens carry an empty signature.
            Some(format!(
                "{}.",
                t.rsplit_once('.').map(|(head, _)| head).unwrap_or_default()
            ))
        }),
    ];
    for (what, token) in &cases {
        for header in [false, true] {
            let r = api.post_webhook(&body, token.as_deref(), header).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{what} (header: {header}): {}",
                r.describe()
            );
            assert!(r.error_code().is_some(), "{what}: error body {}", r.text);
        }
    }
    let after = api.admin_order(&id).await;
    assert_eq!(after["order"], before_local["order"], "local order changed");
    assert_eq!(
        events(&api, &id).await.len(),
        before_events,
        "audit events added"
    );
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "new");
    let r = api.get(&format!("/api/orders/{id}")).await;
    assert_eq!(s(&r.json, "/status"), "new");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_out_of_order_webhooks() {
    let (api, _g) = api().await;
    let id = authorised_order(&api).await;
    let local = api.admin_order(&id).await;
    let reference = s(&local, "/order/order_reference_id").to_owned();

    // Capture everything: the sandbox sends order_captured.
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/orders/{id}/capture"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "capture: {}", r.describe());
    api.wait_local(&id, "fully_captured", |v| {
        s(v, "/order/status") == "fully_captured"
    })
    .await;
    let settled = api.admin_order(&id).await;

    // Replay every delivery the sandbox made, newest first, twice: all accepted, nothing moves.
    let delivered: Vec<Value> = api
        .deliveries(&id)
        .await
        .into_iter()
        .map(|d| d["body"].clone())
        .collect();
    assert!(
        delivered
            .iter()
            .any(|b| s(b, "/event_type") == "order_approved"),
        "sandbox sent order_approved: {delivered:?}"
    );
    for _ in 0..2 {
        for b in delivered.iter().rev() {
            let t = api.valid_token().await;
            let r = api.post_webhook(b, Some(&t), true).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "replay {}: {}",
                b["event_type"],
                r.describe()
            );
        }
    }
    // Stale events that never happened in this order.
    for (ty, data) in [
        ("order_approved", json!([])),
        ("order_authorised", json!([])),
        ("order_expired", json!([])),
        (
            "order_declined",
            json!({"declined_reason": "late", "declined_code": "x", "decline_type": "x"}),
        ),
    ] {
        let t = api.valid_token().await;
        let r = api
            .post_webhook(&payload(&id, &reference, ty, data), Some(&t), false)
            .await;
        assert_eq!(r.status, StatusCode::OK, "stale {ty}: {}", r.describe());
    }
    let after = api.admin_order(&id).await;
    assert_eq!(s(&after, "/order/status"), "fully_captured");
    assert_eq!(after["order"]["captured"], settled["order"]["captured"]);
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "fully_captured");
    // Still exactly one authorise.
    let authorised = api
        .deliveries(&id)
        .await
        .iter()
        .filter(|d| s(d, "/event_type") == "order_authorised")
        .count();
    assert_eq!(authorised, 1, "order_authorised deliveries");

    // A webhook for an order the Worker does not know: acknowledged, nothing created.
    let ghost = uuid::Uuid::new_v4().to_string();
    let t = api.valid_token().await;
    let r = api
        .post_webhook(
            &payload(&ghost, "ghost-ref", "order_approved", json!([])),
            Some(&t),
            true,
        )
        .await;
    assert!(
        r.status.is_success() || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.describe()
    );
    let r = api
        .admin(Method::GET, &format!("/admin/orders/{ghost}"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_body_errors() {
    let (api, _g) = api().await;
    let t = api.valid_token().await;
    let url = format!("{}/tamara/webhook?tamaraToken={t}", api.worker);
    let r = api
        .send(
            api.http
                .post(&url)
                .header("content-type", "application/json")
                .body("{not json"),
            "webhook malformed",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_json"));
    let r = api
        .send(
            api.http
                .post(&url)
                .json(&json!({"order_id": 5, "event_type": []})),
            "webhook wrong types",
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_request"));
    let r = api
        .send(
            api.http
                .post(&url)
                .header("content-type", "application/json")
                .body(vec![b' '; 70 * 1024]),
            "webhook too big",
        )
        .await;
    assert_eq!(r.status.as_u16(), 413, "{}", r.describe());
    assert_eq!(r.error_code(), Some("payload_too_large"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_bodies_under_a_valid_token_store_nothing_and_replays_are_recorded_once() {
    let (api, _g) = api().await;
    let id = authorised_order(&api).await;
    let settled = api.admin_order(&id).await;
    let reference = s(&settled, "/order/order_reference_id").to_owned();
    let t = api.valid_token().await;
    // One valid token, 30 invented money movements on an order Tamara shows as uncaptured.
    for i in 0..30 {
        let (ty, data) = match i % 3 {
            0 => (
                "order_captured",
                json!({"capture_id": format!("forged-{i}"), "captured_amount": {"amount": 777, "currency": "SAR"}}),
            ),
            1 => (
                "order_refunded",
                json!({"refund_id": format!("forged-{i}"), "capture_id": "c",
                       "refunded_amount": {"amount": 777, "currency": "SAR"}}),
            ),
            _ => (
                "order_canceled",
                json!({"cancel_id": format!("forged-{i}"), "canceled_amount": {"amount": 777, "currency": "SAR"}}),
            ),
        };
        let r = api
            .post_webhook(&payload(&id, &reference, ty, data), Some(&t), true)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
        assert_eq!(s(&r.json, "/ignored"), "unconfirmed", "{}", r.describe());
    }
    let after = api.admin_order(&id).await;
    assert_eq!(
        after["order"], settled["order"],
        "forged bodies changed the order"
    );
    let claims = events(&api, &id)
        .await
        .iter()
        .filter(|e| {
            matches!(
                s(e, "/kind"),
                "order_captured" | "order_refunded" | "order_canceled"
            )
        })
        .count();
    assert_eq!(claims, 0, "forged claims left audit rows");
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "authorised");

    // The same token and the same body 20 times: recorded once.
    let body = payload(&id, &reference, "order_authorised", json!([]));
    for _ in 0..20 {
        let r = api.post_webhook(&body, Some(&t), true).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    }
    let rows = events(&api, &id)
        .await
        .iter()
        .filter(|e| s(e, "/kind") == "order_authorised" && s(e, "/source") == "webhook")
        .count();
    assert!(rows <= 1, "replayed delivery recorded {rows} times");
}
