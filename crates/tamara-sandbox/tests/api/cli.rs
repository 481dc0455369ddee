//! The binary's command line: limits, switches, public URL, start-up banner, bad flags.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use reqwest::Method;

use crate::common::*;

#[tokio::test]
async fn flags_configure_the_merchant() {
    let port = free_port();
    let limits = r#"{"SA":[{"name":"PAY_BY_INSTALMENTS","min_limit":{"amount":10,"currency":"SAR"},"max_limit":{"amount":100,"currency":"SAR"},"supported_instalments":[{"instalments":4,"min_limit":{"amount":10,"currency":"SAR"},"max_limit":{"amount":100,"currency":"SAR"}}]}]}"#;
    let args = [
        "--api-token",
        TOKEN,
        "--notification-token",
        NOTIF,
        "--public-url",
        "http://sandbox.test:1234/",
        "--auto-capture",
        "--limits",
        limits,
    ]
    .map(OsStr::new);
    let (bin, live) = Binary::start(port, &args).await;
    let types = live.get("/checkout/payment-types?country=SA").await;
    assert_eq!(types.as_array().unwrap().len(), 1);
    assert_eq!(types[0]["max_limit"], sar(100));
    let (s, v) = live
        .api(Method::POST, "/checkout", Some(checkout_body(300, None)))
        .await;
    assert_eq!(s, reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "total_amount_invalid_limit");
    let v = live.checkout(checkout_body(80, None)).await;
    assert!(v["checkout_url"]
        .as_str()
        .unwrap()
        .starts_with("http://sandbox.test:1234/checkout/"));
    let c = live.get("/_sandbox/config").await;
    assert_eq!(c["auto_capture"], true);
    assert_eq!(c["public_url"], "http://sandbox.test:1234");
    let (status, banner) = bin.stop("INT");
    assert!(status.success());
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
