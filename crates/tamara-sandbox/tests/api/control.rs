//! The control API: clock, trigger, orders, reset, config.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn clock_reads_and_advances() {
    let sb = Sb::new();
    let (s, c) = sb.call_with("GET", "/_sandbox/clock", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["offset_ms"], 0);
    assert!(tamara_core::Timestamp::parse_rfc3339(c["now"].as_str().unwrap()).is_some());
    let v = sb
        .advance(json!({"hours": 2, "minutes": 1, "seconds": 5}))
        .await;
    assert_eq!(v["offset_ms"], 2 * 3_600_000 + 60_000 + 5_000);
    assert!(v["now_ms"].as_i64().unwrap() >= c["now_ms"].as_i64().unwrap() + 7_265_000);
    let (s, v) = sb
        .call(
            "POST",
            "/_sandbox/clock/advance",
            Some(json!({"minutes": -5})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "negative_advance");
    let (s, _) = sb
        .call("POST", "/_sandbox/clock/advance", Some(json!({"weeks": 1})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = sb
        .call(
            "POST",
            "/_sandbox/clock/advance",
            Some(json!({"days": i64::MAX})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn trigger_every_event() {
    let sb = Sb::new();
    let (id, _) = sb.checkout(checkout_body(300, None)).await;
    for (event, status) in [("approve", "approved"), ("authorise", "authorised")] {
        let (s, v) = sb.trigger(&id, event).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], status);
    }
    let (s, v) = sb
        .call(
            "POST",
            &format!("/_sandbox/orders/{id}/trigger"),
            Some(json!({"event": "cancel", "amount": "50.00"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "updated");
    let (_, v) = sb
        .call(
            "POST",
            &format!("/_sandbox/orders/{id}/trigger"),
            Some(json!({"event": "capture", "amount": "100"})),
        )
        .await;
    assert_eq!(v["status"], "partially_captured");
    let (_, v) = sb.trigger(&id, "auto_capture").await;
    assert_eq!(v["status"], "fully_captured");
    assert_eq!(v["captured_amount"], sar(250));
    let (_, v) = sb
        .call(
            "POST",
            &format!("/_sandbox/orders/{id}/trigger"),
            Some(json!({"event": "refund", "amount": "10"})),
        )
        .await;
    assert_eq!(v["status"], "partially_refunded");
    let (_, v) = sb.trigger(&id, "refund").await;
    assert_eq!(v["status"], "fully_refunded");
    let (s, v) = sb.trigger(&id, "capture").await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = sb.trigger(&id, "explode").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "event");
    let (s, _) = sb
        .call(
            "POST",
            &format!("/_sandbox/orders/{id}/trigger"),
            Some(json!({"event": "refund", "amount": "1.001"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = sb.trigger("nope", "approve").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["message"], "Order not found");
    // Decline / expire / void / pay.
    let (id2, _) = sb.checkout(checkout_body(300, None)).await;
    assert_eq!(sb.trigger(&id2, "expire").await.1["status"], "expired");
    let (id3, _) = sb.checkout(checkout_body(300, None)).await;
    assert_eq!(sb.trigger(&id3, "decline").await.1["status"], "declined");
    let (s, v) = sb.trigger(&id3, "pay").await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "wrong_channel");
}

#[tokio::test]
async fn orders_reset_and_config() {
    let sb = Sb::new();
    sb.checkout(checkout_body(300, None)).await;
    sb.checkout(checkout_body(200, None)).await;
    sb.advance(json!({"minutes": 1})).await;
    sb.call(
        "POST",
        "/_sandbox/faults",
        Some(json!({"route": "GET /x", "status": 500})),
    )
    .await;
    let (_, list) = sb.call("GET", "/_sandbox/orders", None).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["total_amount"], sar(300));
    let (s, v) = sb.call("POST", "/_sandbox/reset", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({}));
    let (_, list) = sb.call("GET", "/_sandbox/orders", None).await;
    assert_eq!(list, json!([]));
    let (_, c) = sb.call("GET", "/_sandbox/clock", None).await;
    assert_eq!(c["offset_ms"], 0);
    let (_, f) = sb.call("GET", "/_sandbox/faults", None).await;
    assert_eq!(f, json!([]));

    let (s, c) = sb.call("GET", "/_sandbox/config", None).await;
    assert_eq!(s, StatusCode::OK);
    let text = c.to_string();
    assert!(!text.contains(TOKEN) && !text.contains(NOTIF), "{text}");
    assert_eq!(c["public_key"], "sandbox-public-key");
    assert_eq!(c["auto_capture"], false);
    let (s, c) = sb
        .call(
            "PATCH",
            "/_sandbox/config",
            Some(json!({"auto_capture": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["auto_capture"], true);
    let id = {
        let (id, _) = sb.checkout(checkout_body(300, None)).await;
        sb.trigger(&id, "approve").await;
        id
    };
    let (_, a) = sb
        .call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    assert_eq!(a["status"], "fully_captured");
    let (s, _) = sb
        .call("PATCH", "/_sandbox/config", Some(json!({"api_token": "x"})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
