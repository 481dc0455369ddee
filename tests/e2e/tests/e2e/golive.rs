//! Go-live (issue 16) against the Worker in workerd: pre-checkout eligibility (greyed out,
//! refused checkout, 200 ms fail open), the doctor, idempotent webhook registration, and the
//! fidelity fixes.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tamara_e2e::client::{checkout_body, s};

use crate::{api, api_exclusive};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopper_tamara_would_refuse_sees_it_greyed_out_and_cannot_check_out() {
    let (api, _g) = api().await;
    let r = api
        .get("/api/payment-options?items=TSHIRT-1:3&phone=966504591298")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(r.json["available"], false, "{}", r.text);
    assert_eq!(s(&r.json, "/eligibility"), "not_eligible");
    assert_eq!(s(&r.json, "/reason/code"), "customer_not_eligible");
    assert!(!r.text.contains("504591298"), "no phone in the answer");
    let checkout = api
        .send(
            api.http
                .post(format!("{}/api/checkout", api.worker))
                .json(&checkout_body(&[("TSHIRT-1", 3)], "504591298")),
            "checkout",
        )
        .await;
    assert_eq!(checkout.status.as_u16(), 422, "{}", checkout.describe());
    assert_eq!(checkout.error_code(), Some("customer_not_eligible"));
    // An eligible phone sees Tamara.
    let r = api
        .get("/api/payment-options?items=TSHIRT-1:3&phone=966501234567")
        .await;
    assert_eq!(r.json["available"], true, "{}", r.text);
    assert_eq!(s(&r.json, "/eligibility"), "eligible");
    // `amount` and `items` together: 422.
    let r = api
        .get("/api/payment-options?items=TSHIRT-1:1&amount=100.00")
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("amount_and_items"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_fails_open_when_tamara_is_slow() {
    let (api, _g) = api_exclusive().await;
    api.fault(json!({"route": "POST /pre-checkout/v1/eligibility", "delay_ms": 1000, "count": 1}))
        .await;
    // A band no other test asks for (not cached).
    let t = Instant::now();
    let r = api
        .get("/api/payment-options?items=TSHIRT-1:7&phone=966504591298")
        .await;
    let took = t.elapsed();
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(s(&r.json, "/eligibility"), "unknown", "{}", r.text);
    assert_eq!(r.json["available"], true, "fail open: {}", r.text);
    assert!(took < Duration::from_millis(900), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_registers_the_webhook_once_and_the_doctor_passes() {
    let (api, _g) = api_exclusive().await;
    let first = api
        .admin(Method::POST, "/admin/webhooks/ensure", None)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.describe());
    let again = api
        .admin(Method::POST, "/admin/webhooks/ensure", None)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.describe());
    assert_eq!(again.json["created"], false, "{}", again.text);
    assert_eq!(again.json["webhook_id"], first.json["webhook_id"]);
    let list = api.admin(Method::GET, "/admin/webhooks", None).await;
    let url = s(&first.json, "/url").to_owned();
    let same: Vec<_> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["url"] == url.as_str())
        .collect();
    assert_eq!(same.len(), 1, "{}", list.text);
    let doc = api.admin(Method::GET, "/admin/doctor", None).await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.describe());
    assert_eq!(doc.json["ok"], true, "{:#}", doc.json);
    for secret in ["e2e-admin-", "e2e-api-", "e2e-notif-", "e2e-cart-"] {
        assert!(!doc.text.contains(secret), "no secret in the doctor");
    }
    // Without the bearer: 401.
    let r = api
        .admin_with_token(Method::GET, "/admin/doctor", None, None)
        .await;
    assert_eq!(r.status.as_u16(), 401);
    // Leave the sandbox as found: a registration for the Worker's URL would make the sandbox
    // deliver each event twice (to it and to the order's notification URL), which other tests
    // count.
    let id = s(&first.json, "/webhook_id").to_owned();
    let del = api
        .admin(Method::DELETE, &format!("/admin/webhooks/{id}"), None)
        .await;
    assert_eq!(del.status, StatusCode::OK, "{}", del.describe());
    let doc = api.admin(Method::GET, "/admin/doctor", None).await;
    assert_eq!(doc.json["ok"], false, "webhook gone: {}", doc.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_verification_only_in_sa_and_ae_and_webhook_update_keeps_type() {
    let (api, _g) = api().await;
    let r = api
        .admin(
            Method::GET,
            "/admin/customers/id-verification?phone=544337866&country=SA",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(r.json["is_id_verified"], true, "{}", r.text);
    let r = api
        .admin(
            Method::GET,
            "/admin/customers/id-verification?phone=99999999&country=KW",
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("country_not_supported"));
    let url = format!("https://disputes-{}.example.com/hook", uuid_ish());
    let reg = api
        .admin(
            Method::POST,
            "/admin/webhooks",
            Some(
                &json!({"type": "order", "url": url, "events": ["order_approved"], "headers": []}),
            ),
        )
        .await;
    assert_eq!(reg.status.as_u16(), 201, "{}", reg.describe());
    let id = s(&reg.json, "/webhook_id").to_owned();
    let up = api
        .admin(
            Method::PUT,
            &format!("/admin/webhooks/{id}"),
            Some(&json!({"type": "dispute", "url": url, "events": ["order_approved"]})),
        )
        .await;
    assert_eq!(up.status, StatusCode::OK, "{}", up.describe());
    assert_eq!(s(&up.json, "/type"), "dispute", "{}", up.text);
    api.admin(Method::DELETE, &format!("/admin/webhooks/{id}"), None)
        .await;
}

fn uuid_ish() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// `bash scripts/doctor.sh` against this stack: `(exit code, output)`.
fn doctor_sh(worker: &str, admin_token: &str, fix: bool) -> (i32, String) {
    let root = tamara_e2e::repo_root();
    let mut cmd = std::process::Command::new("bash");
    cmd.current_dir(&root)
        .arg("scripts/doctor.sh")
        .args(["--url", worker])
        .env("ADMIN_TOKEN", admin_token);
    if fix {
        cmd.arg("--fix");
    }
    let out = cmd.output().expect("bash scripts/doctor.sh");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_sh_passes_on_the_local_stack_and_names_a_refused_admin_token() {
    let (api, _g) = api_exclusive().await;
    let stack = tokio::task::block_in_place(tamara_e2e::shared);
    let worker = stack.worker_url.clone();
    let token = stack.secrets.admin_token.clone();
    let (code, text) = tokio::task::block_in_place(|| doctor_sh(&worker, &token, true));
    assert_eq!(code, 0, "{text}");
    for line in text.lines().filter(|l| !l.starts_with("doctor:")) {
        assert!(line.starts_with("PASS "), "{line}\n{text}");
    }
    for name in [
        "wrangler.cron",
        "fix.webhook",
        "tamara.api_token",
        "tamara.webhook",
        "d1.migrations",
    ] {
        assert!(text.contains(&format!("PASS {name}: ")), "{name}: {text}");
    }
    for secret in [
        &stack.secrets.api_token,
        &stack.secrets.admin_token,
        &stack.secrets.notification_token,
        &stack.secrets.cart_signing_key,
    ] {
        assert!(
            !text.contains(secret.as_str()),
            "a secret in the doctor's output"
        );
    }
    let (code, text) =
        tokio::task::block_in_place(|| doctor_sh(&worker, "not-the-admin-token", false));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("FAIL worker.reachable") && text.contains("401"),
        "{text}"
    );
    // Leave no registration behind (other tests count deliveries).
    let list = api.admin(Method::GET, "/admin/webhooks", None).await;
    for w in list.json.as_array().cloned().unwrap_or_default() {
        if w["url"] == format!("{worker}/tamara/webhook").as_str() {
            let id = s(&w, "/webhook_id").to_owned();
            api.admin(Method::DELETE, &format!("/admin/webhooks/{id}"), None)
                .await;
        }
    }
}
