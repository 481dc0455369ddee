//! Fault injection: status, count, delay, dropped connection.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn status_faults_with_count() {
    let sb = Sb::new();
    let (s, v) = sb
        .call(
            "POST",
            "/_sandbox/faults",
            Some(json!({"route": "POST /checkout", "status": 503, "count": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["fault_id"].is_string());
    for _ in 0..2 {
        let (s, v) = sb
            .call("POST", "/checkout", Some(checkout_body(300, None)))
            .await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(v["errors"][0]["error_code"], "sandbox_fault");
    }
    let (s, _) = sb
        .call("POST", "/checkout", Some(checkout_body(300, None)))
        .await;
    assert_eq!(s, StatusCode::OK);
    // Pattern segments, and other routes unaffected.
    let id = sb.authorised(300).await;
    sb.call(
        "POST",
        "/_sandbox/faults",
        Some(json!({"route": "POST /orders/{id}/cancel", "status": 500})),
    )
    .await;
    let (s, _) = sb.call("GET", &format!("/orders/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = sb
        .call(
            "POST",
            &format!("/orders/{id}/cancel"),
            Some(json!({"total_amount": sar(1)})),
        )
        .await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    // Nothing happened to the order.
    assert_eq!(sb.order(&id).await["status"], "authorised");
    // Clearing.
    sb.call(
        "POST",
        "/_sandbox/faults",
        Some(json!({"route": "GET /orders/*", "status": 500, "count": 10})),
    )
    .await;
    let (s, v) = sb.call("DELETE", "/_sandbox/faults", None).await;
    assert_eq!((s, v), (StatusCode::OK, json!({})));
    let (s, _) = sb.call("GET", &format!("/orders/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    // The control API itself is never faulted.
    sb.call(
        "POST",
        "/_sandbox/faults",
        Some(json!({"route": "* /_sandbox/**", "status": 500})),
    )
    .await;
    let (s, _) = sb.call("GET", "/_sandbox/clock", None).await;
    assert_eq!(s, StatusCode::OK);
    // Bad rules.
    for bad in [
        json!({"route": "POST /checkout", "status": 99}),
        json!({"route": "POST /checkout", "status": 500, "count": 0}),
        json!({"route": "POST /checkout"}),
        json!({"route": "checkout", "status": 500}),
    ] {
        let (s, _) = sb.call("POST", "/_sandbox/faults", Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn delay_faults() {
    let sb = Sb::new();
    sb.call(
        "POST",
        "/_sandbox/faults",
        Some(json!({"route": "GET /merchants/configs", "delay_ms": 300})),
    )
    .await;
    let t = Instant::now();
    let (s, _) = sb.call("GET", "/merchants/configs", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    sb.call("GET", "/merchants/configs", None).await;
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connection_over_http() {
    let (base, _state, task) = tamara_sandbox::spawn(config()).await.unwrap();
    let http = reqwest::Client::new();
    http.post(format!("{base}/_sandbox/faults"))
        .json(&json!({"route": "GET /merchants/configs", "drop_connection": true}))
        .send()
        .await
        .unwrap();
    let res = async {
        let r = http
            .get(format!("{base}/merchants/configs"))
            .bearer_auth(TOKEN)
            .send()
            .await?;
        r.bytes().await
    }
    .await;
    assert!(
        res.is_err(),
        "the client must see a broken response: {res:?}"
    );
    let r = http
        .get(format!("{base}/merchants/configs"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    task.abort();
}
