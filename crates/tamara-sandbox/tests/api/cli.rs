//! The binary's command line: limits, switches, public URL, start-up banner, bad flags.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// Kills the child if the test fails before stopping it.
struct Guard(Option<std::process::Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn flags_configure_the_merchant() {
    let port = free_port();
    let limits = r#"{"SA":[{"name":"PAY_BY_INSTALMENTS","min_limit":{"amount":10,"currency":"SAR"},"max_limit":{"amount":100,"currency":"SAR"},"supported_instalments":[{"instalments":4,"min_limit":{"amount":10,"currency":"SAR"},"max_limit":{"amount":100,"currency":"SAR"}}]}]}"#;
    let child = Command::new(env!("CARGO_BIN_EXE_tamara-sandbox"))
        .args([
            "--port",
            &port.to_string(),
            "--api-token",
            TOKEN,
            "--notification-token",
            NOTIF,
            "--public-url",
            "http://sandbox.test:1234/",
            "--auto-capture",
            "--limits",
            limits,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = Guard(Some(child));
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "binary did not start");
    let http = reqwest::Client::new();
    let types: Value = http
        .get(format!("{base}/checkout/payment-types?country=SA"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(types.as_array().unwrap().len(), 1);
    assert_eq!(types[0]["max_limit"], sar(100));
    let r = http
        .post(format!("{base}/checkout"))
        .bearer_auth(TOKEN)
        .json(&checkout_body(300, None))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["error_code"], "total_amount_invalid_limit");
    let v: Value = http
        .post(format!("{base}/checkout"))
        .bearer_auth(TOKEN)
        .json(&checkout_body(80, None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["checkout_url"]
        .as_str()
        .unwrap()
        .starts_with("http://sandbox.test:1234/checkout/"));
    let c: Value = http
        .get(format!("{base}/_sandbox/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["auto_capture"], true);
    assert_eq!(c["public_url"], "http://sandbox.test:1234");
    let child = guard.0.take().unwrap();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let banner = String::from_utf8_lossy(&out.stdout);
    assert!(
        banner.contains(&format!("listening on http://127.0.0.1:{port}")),
        "{banner}"
    );
    assert!(banner.contains(TOKEN) && banner.contains(NOTIF), "{banner}");
    // Access log: path and status, never the query.
    assert!(banner.contains("POST /checkout -> 400"), "{banner}");
    assert!(
        banner.contains("GET /checkout/payment-types -> 200"),
        "{banner}"
    );
    assert!(!banner.contains("country=SA"), "{banner}");
}

#[test]
fn bad_flags_exit_with_an_error() {
    for args in [
        vec!["--port", "0", "--limits", r#"{"US":[]}"#],
        vec!["--port", "0", "--min-amount", "1.001"],
        vec!["--port", "0", "--api-token", " "],
        vec![
            "--port",
            "0",
            "--store",
            "/nonexistent-dir/x/y.json",
            "--limits",
            "{bad",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_tamara-sandbox"))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}
