//! `--store FILE.json`: the state survives a restart (library and binary).

use std::ffi::OsStr;

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

fn temp_file() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tamara-sandbox-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.json")
}

#[tokio::test]
async fn store_round_trip() {
    let path = temp_file();
    let st = tamara_sandbox::SandboxState::with_store(config(), &path).unwrap();
    let sb = Sb { state: st };
    let id = sb.authorised(300).await;
    sb.call("POST", "/payments/capture", Some(capture_body(&id, 100)))
        .await;
    sb.call(
        "POST",
        "/webhooks",
        Some(json!({"events": ["order_approved"], "url": "https://a.example/h"})),
    )
    .await;
    sb.call(
        "POST",
        "/checkout/in-store-session",
        Some(json!({"total_amount": sar(300), "phone_number": "544337866", "order_reference_id": "P", "items": []})),
    )
    .await;
    sb.advance(json!({"hours": 1})).await;
    let before = sb.order(&id).await;
    assert!(path.exists());
    // No temp files left behind.
    let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(leftovers, 1);

    let again = Sb {
        state: tamara_sandbox::SandboxState::with_store(config(), &path).unwrap(),
    };
    let after = again.order(&id).await;
    assert_eq!(before, after);
    let (_, w) = again.call("GET", "/webhooks", None).await;
    assert_eq!(w.as_array().unwrap().len(), 1);
    let (_, sms) = again.call("GET", "/_sandbox/sms", None).await;
    assert_eq!(sms.as_array().unwrap().len(), 1);
    let (_, c) = again.call("GET", "/_sandbox/clock", None).await;
    assert_eq!(c["offset_ms"], 3_600_000);
    // And it keeps working.
    let (s, _) = again
        .call("POST", "/payments/capture", Some(capture_body(&id, 200)))
        .await;
    assert_eq!(s, StatusCode::OK);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn binary_persists_across_restart() {
    let path = temp_file();
    let port = free_port();
    let args = [
        OsStr::new("--api-token"),
        OsStr::new(TOKEN),
        OsStr::new("--store"),
        path.as_os_str(),
    ];
    let (bin, live) = Binary::start(port, &args).await;
    let v = live.checkout(checkout_body(300, None)).await;
    let id = v["order_id"].as_str().unwrap().to_owned();
    assert!(v["checkout_url"].as_str().unwrap().starts_with(&live.base));
    // Graceful stop (SIGTERM to our own child), then start again on the same file.
    let (exit, _) = bin.stop("TERM");
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    let (_bin, live) = Binary::start(port, &args).await;
    let (s, o) = live
        .api(
            reqwest::Method::GET,
            &format!("/merchants/orders/{id}"),
            None,
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert_eq!(o["status"], "new");
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
