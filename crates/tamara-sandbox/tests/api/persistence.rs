//! `--store FILE.json`: the state survives a restart (library and binary).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_binary(port: u16, store: &std::path::Path) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_tamara-sandbox"))
        .args(["--port", &port.to_string(), "--api-token", TOKEN, "--store"])
        .arg(store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let p = Proc(child);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return p;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sandbox binary did not start");
}

#[tokio::test]
async fn binary_persists_across_restart() {
    let path = temp_file();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut p = start_binary(port, &path).await;
    let v: serde_json::Value = http
        .post(format!("{base}/checkout"))
        .bearer_auth(TOKEN)
        .json(&checkout_body(300, None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["order_id"].as_str().unwrap().to_owned();
    assert!(v["checkout_url"].as_str().unwrap().starts_with(&base));
    // Graceful stop (SIGTERM to our own child), then start again on the same file.
    let pid = p.0.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let exit = p.0.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    let _p = start_binary(port, &path).await;
    let r = http
        .get(format!("{base}/merchants/orders/{id}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let o: serde_json::Value = r.json().await.unwrap();
    assert_eq!(o["status"], "new");
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
