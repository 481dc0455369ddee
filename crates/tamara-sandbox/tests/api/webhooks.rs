//! Webhook registry and signed delivery with retries, checked by a real receiver.

use axum::http::StatusCode;
use serde_json::json;
use tamara_core::token::Verifier;
use tamara_core::{NotificationToken, Timestamp};

use crate::common::*;

fn verifier() -> Verifier {
    Verifier::new(NotificationToken::new(NOTIF))
}

#[tokio::test]
async fn registry_crud_and_validation() {
    let sb = Sb::new();
    let body = json!({"type": "order", "events": ["order_approved", "order_captured"],
        "url": "https://shop.example.com/hook", "headers": {"X-Shop": "1"}});
    let (s, w) = sb.call("POST", "/webhooks", Some(body)).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    let id = w["webhook_id"].as_str().unwrap().to_owned();
    let (s, got) = sb.call("GET", &format!("/webhooks/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, w);
    let (_, list) = sb.call("GET", "/webhooks", None).await;
    assert_eq!(list, json!([w]));
    let (s, u) = sb
        .call(
            "PUT",
            &format!("/webhooks/{id}"),
            Some(json!({"webhook_id": id, "url": "http://127.0.0.1:1/x", "events": ["order_expired"]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["events"], json!(["order_expired"]));
    let (s, _) = sb.call("DELETE", &format!("/webhooks/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    for (m, b) in [
        ("GET", None),
        ("DELETE", None),
        (
            "PUT",
            Some(json!({"url": "https://a.b/c", "events": ["order_approved"]})),
        ),
    ] {
        let (s, v) = sb.call(m, &format!("/webhooks/{id}"), b).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {v}");
    }
    for bad in [
        json!({"events": ["order_approved"], "url": "http://shop.example.com/hook"}),
        json!({"events": ["order_approved"], "url": format!("https://a.com/{}", "x".repeat(260))}),
        json!({"events": [], "url": "https://a.com/"}),
        json!({"events": ["order_exploded"], "url": "https://a.com/"}),
        json!({"events": "order_approved", "url": "https://a.com/"}),
    ] {
        let (s, v) = sb.call("POST", "/webhooks", Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad} → {v}");
    }
}

#[tokio::test]
async fn signed_delivery_to_notification_url_and_registered_webhooks() {
    let rx = Receiver::start(0).await;
    let sb = Sb::new();
    let (s, _) = sb
        .call(
            "POST",
            "/webhooks",
            Some(json!({"type": "order", "events": ["order_approved", "order_refunded"],
                "url": format!("{}/hooks?src=tamara", rx.url), "headers": {"X-Shop-Secret": "abc"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (id, cid) = sb
        .checkout(checkout_body(300, Some(&format!("{}/notify", rx.url))))
        .await;
    let (s, _, loc) = sb
        .form(&format!("/hosted/checkout/{cid}"), "action=pay")
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.unwrap().contains("paymentStatus=approved"));
    let seen = rx.wait_for(2).await;
    let now = sb.state.now();
    for r in &seen {
        assert_eq!(r.body["event_type"], "order_approved");
        assert_eq!(r.body["order_id"], json!(id));
        assert_eq!(r.body["data"], json!([]));
        let p: tamara_core::webhooks::WebhookPayload =
            serde_json::from_value(r.body.clone()).unwrap();
        assert_eq!(p.order_id.as_str(), id);
        // Header token and query token are both valid on their own.
        verifier()
            .verify_request(r.authorization.as_deref(), None, now)
            .unwrap();
        verifier()
            .verify_request(None, r.query.as_deref(), now)
            .unwrap();
        let q = r.query.as_deref().unwrap();
        assert!(q.contains("tamaraToken="));
        // A token signed with another secret is refused.
        assert!(Verifier::new(NotificationToken::new("other"))
            .verify_request(r.authorization.as_deref(), None, now)
            .is_err());
    }
    let notify = seen.iter().find(|r| r.path == "/notify").unwrap();
    assert_eq!(notify.query.as_deref().unwrap().split('&').count(), 1);
    let hook = seen.iter().find(|r| r.path == "/hooks").unwrap();
    assert!(hook
        .query
        .as_deref()
        .unwrap()
        .starts_with("src=tamara&tamaraToken="));
    assert!(hook
        .headers
        .iter()
        .any(|(k, v)| k == "x-shop-secret" && v == "abc"));
    assert!(!notify.headers.iter().any(|(k, _)| k == "x-shop-secret"));

    // Authorise → only the notification URL (webhook not subscribed to order_authorised).
    sb.call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    let seen = rx.wait_for(3).await;
    assert_eq!(seen[2].body["event_type"], "order_authorised");
    assert_eq!(seen[2].path, "/notify");
    // Capture + refund carry their data.
    sb.call("POST", "/payments/capture", Some(capture_body(&id, 300)))
        .await;
    let (_, r) = sb
        .call(
            "POST",
            &format!("/payments/simplified-refund/{id}"),
            Some(json!({"total_amount": sar(20), "comment": "damaged"})),
        )
        .await;
    let seen = rx.wait_for(6).await;
    let cap = seen
        .iter()
        .find(|r| r.body["event_type"] == "order_captured")
        .unwrap();
    assert_eq!(cap.body["data"]["captured_amount"], sar(300));
    let refunds: Vec<_> = seen
        .iter()
        .filter(|r| r.body["event_type"] == "order_refunded")
        .collect();
    assert_eq!(refunds.len(), 2);
    assert_eq!(refunds[0].body["data"]["refund_id"], r["refund_id"]);
    assert_eq!(refunds[0].body["data"]["comment"], "damaged");
    assert_eq!(refunds[0].body["data"]["refunded_amount"], sar(20));

    let log = wait_deliveries(&sb, |l| {
        l.len() == 6 && l.iter().all(|d| d["delivered"] == true)
    })
    .await;
    assert!(log
        .iter()
        .all(|d| d["attempts"] == 1 && d["last_status"] == 200));
    assert!(log
        .iter()
        .all(|d| !d["url"].as_str().unwrap().contains("tamaraToken")));
    rx.task.abort();
}

#[tokio::test]
async fn retries_after_receiver_errors() {
    let rx = Receiver::start(2).await;
    let sb = Sb::new();
    let (id, _) = sb
        .checkout(checkout_body(300, Some(&format!("{}/n", rx.url))))
        .await;
    sb.trigger(&id, "decline").await;
    let seen = rx.wait_for(3).await;
    assert_eq!(seen.len(), 3);
    assert!(seen
        .iter()
        .all(|r| r.body["event_type"] == "order_declined"));
    assert_eq!(seen[0].body["data"]["declined_code"], "risk_check_failed");
    let log = wait_deliveries(&sb, |l| l.first().is_some_and(|d| d["delivered"] == true)).await;
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["last_status"], 200);
    assert_eq!(log[0]["event_type"], "order_declined");
    // Tokens are minted per attempt from the sandbox clock.
    let now = sb.state.now();
    for r in &seen {
        verifier()
            .verify_request(r.authorization.as_deref(), None, now)
            .unwrap();
    }
    rx.task.abort();
}

#[tokio::test]
async fn gives_up_after_five_attempts() {
    let rx = Receiver::start(100).await;
    let sb = Sb::new();
    let (id, _) = sb
        .checkout(checkout_body(300, Some(&format!("{}/n", rx.url))))
        .await;
    sb.trigger(&id, "expire").await;
    let log = wait_deliveries(&sb, |l| l.first().is_some_and(|d| d["attempts"] == 5)).await;
    assert_eq!(log[0]["delivered"], false);
    assert_eq!(log[0]["last_status"], 500);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(rx.seen().len(), 5);
    rx.task.abort();
}

#[tokio::test]
async fn webhook_tokens_use_the_wall_clock_not_the_sandbox_clock() {
    let rx = Receiver::start(0).await;
    let sb = Sb::new();
    let (id, _) = sb
        .checkout(checkout_body(300, Some(&format!("{}/n", rx.url))))
        .await;
    sb.advance(json!({"days": 3})).await;
    let seen = rx.wait_for(1).await;
    assert_eq!(seen[0].body["event_type"], "order_expired");
    assert_eq!(seen[0].body["order_id"], json!(id));
    // The receiver runs on a real clock: the token is valid now, although the sandbox clock
    // is three days ahead, and it is not valid at the sandbox's (future) time.
    let sandbox_now = sb.state.now();
    let real_now = Timestamp::from_millis(sandbox_now.millis() - 3 * 86_400_000);
    verifier()
        .verify_request(seen[0].authorization.as_deref(), None, real_now)
        .unwrap();
    assert!(verifier()
        .verify_request(seen[0].authorization.as_deref(), None, sandbox_now)
        .is_err());
    rx.task.abort();
}

#[tokio::test]
async fn non_local_http_urls_are_not_called() {
    let sb = Sb::new();
    let (id, _) = sb
        .checkout(checkout_body(300, Some("http://shop.example.com/n")))
        .await;
    sb.trigger(&id, "approve").await;
    let log = wait_deliveries(&sb, |l| {
        l.first().is_some_and(|d| d["last_error"].is_string())
    })
    .await;
    assert_eq!(log[0]["attempts"], 0);
    assert_eq!(log[0]["delivered"], false);
    assert!(log[0]["last_error"]
        .as_str()
        .unwrap()
        .starts_with("url_not_allowed"));
}

#[tokio::test]
async fn events_of_an_order_arrive_in_order_even_with_retries() {
    let rx = Receiver::start(1).await;
    let sb = Sb::with(tamara_sandbox::Config {
        auto_authorise: true,
        ..config()
    });
    let (id, cid) = sb
        .checkout(checkout_body(300, Some(&format!("{}/n", rx.url))))
        .await;
    let (s, _, _) = sb
        .form(&format!("/hosted/checkout/{cid}"), "action=pay")
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let seen = rx.wait_for(4).await;
    let events: Vec<_> = seen
        .iter()
        .map(|r| r.body["event_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "order_approved",
            "order_approved",
            "order_authorised",
            "order_captured"
        ]
    );
    assert_eq!(sb.order(&id).await["status"], "fully_captured");
    rx.task.abort();
}
