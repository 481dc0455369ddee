//! Every timer, driven through the control clock.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn checkout_expires_after_30_minutes() {
    let sb = Sb::new();
    let (id, _) = sb.checkout(checkout_body(300, None)).await;
    sb.advance(json!({"minutes": 29})).await;
    assert_eq!(sb.order(&id).await["status"], "new");
    sb.advance(json!({"minutes": 1, "seconds": 1})).await;
    assert_eq!(sb.order(&id).await["status"], "expired");
    let (s, _) = sb.trigger(&id, "approve").await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn custom_session_expiry() {
    let sb = Sb::new();
    let mut b = checkout_body(300, None);
    b["expires_in_minutes"] = json!(60);
    let (id, _) = sb.checkout(b).await;
    sb.advance(json!({"minutes": 45})).await;
    assert_eq!(sb.order(&id).await["status"], "new");
    sb.advance(json!({"minutes": 16})).await;
    assert_eq!(sb.order(&id).await["status"], "expired");
}

#[tokio::test]
async fn approved_expires_after_72_hours() {
    let sb = Sb::new();
    let (id, _) = sb.checkout(checkout_body(300, None)).await;
    sb.trigger(&id, "approve").await;
    sb.advance(json!({"hours": 71})).await;
    assert_eq!(sb.order(&id).await["status"], "approved");
    sb.advance(json!({"hours": 1})).await;
    assert_eq!(sb.order(&id).await["status"], "expired");
    let (s, v) = sb
        .call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
}

#[tokio::test]
async fn authorised_is_auto_captured_after_21_days() {
    let sb = Sb::new();
    let id = sb.authorised(300).await;
    let (s, _) = sb
        .call("POST", "/payments/capture", Some(capture_body(&id, 100)))
        .await;
    assert_eq!(s, StatusCode::OK);
    sb.advance(json!({"days": 20})).await;
    assert_eq!(sb.order(&id).await["status"], "partially_captured");
    // Advancing runs the timer itself (no read needed): check via the orders list.
    sb.advance(json!({"days": 1})).await;
    let (_, list) = sb.call("GET", "/_sandbox/orders", None).await;
    let o = &list[0];
    assert_eq!(o["status"], "fully_captured");
    assert_eq!(o["captured_amount"], sar(300));
    let caps = o["transactions"]["captures"].as_array().unwrap();
    assert_eq!(caps.len(), 2);
    assert_eq!(caps[1]["total_amount"], sar(200));
}

#[tokio::test]
async fn in_store_link_expires_after_15_minutes() {
    let sb = Sb::new();
    let body = json!({
        "total_amount": sar(300), "phone_number": "544337866", "order_reference_id": "POS-1",
        "items": []
    });
    let (s, v) = sb
        .call("POST", "/checkout/in-store-session", Some(body.clone()))
        .await;
    assert_eq!(s, StatusCode::OK);
    let id = v["order_id"].as_str().unwrap().to_owned();
    let mut longer = body;
    longer["expiry_time"] = json!(20);
    let (_, v2) = sb
        .call("POST", "/checkout/in-store-session", Some(longer))
        .await;
    let id2 = v2["order_id"].as_str().unwrap().to_owned();
    sb.advance(json!({"minutes": 14})).await;
    assert_eq!(sb.order(&id).await["status"], "new");
    sb.advance(json!({"minutes": 1})).await;
    assert_eq!(sb.order(&id).await["status"], "expired");
    assert_eq!(sb.order(&id2).await["status"], "new");
    let (s, _) = sb.trigger(&id, "pay").await;
    assert_eq!(s, StatusCode::CONFLICT);
    sb.advance(json!({"minutes": 5})).await;
    assert_eq!(sb.order(&id2).await["status"], "expired");
}

#[tokio::test]
async fn the_server_ticker_fires_timers_without_reads() {
    let live = Live::start().await;
    let v = live
        .checkout(checkout_body(300, Some("http://127.0.0.1:9/n")))
        .await;
    // Move the clock without running timers, as if 31 minutes had passed.
    live.state.as_ref().unwrap().lock().data.clock_offset_ms += 31 * 60_000;
    let mut fired = false;
    for _ in 0..40 {
        let log = live.get("/_sandbox/webhooks/deliveries").await;
        if log
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["event_type"] == "order_expired" && d["order_id"] == v["order_id"])
        {
            fired = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(fired, "the 1-second ticker should expire the session");
}
