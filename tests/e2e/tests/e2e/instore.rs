//! In-store payment links: create → SMS → pay → fully captured; void; expiry by the clock.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tamara_e2e::client::{checkout_id_of, i, poll, s, trunc, Api, POLL_TIMEOUT};

use crate::{api, api_exclusive};

async fn create_in_store(api: &Api, amount: &str) -> Value {
    let body = json!({
        "phone_number": "544337866",
        "amount": amount,
        "order_reference_id": format!("pos-{}", uuid::Uuid::new_v4().simple()),
        "locale": "en_US"
    });
    let r = api
        .admin(Method::POST, "/admin/in-store", Some(&body))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "in-store create: {}",
        r.describe()
    );
    for k in [
        "/order_id",
        "/checkout_id",
        "/checkout_deeplink",
        "/expires_at",
    ] {
        assert!(!s(&r.json, k).is_empty(), "{k} missing: {}", r.text);
    }
    r.json
}

/// Polls `GET /admin/in-store/{id}` until its status is `want`.
async fn wait_in_store(api: &Api, id: &str, want: &str) -> Value {
    let path = format!("/admin/in-store/{id}");
    let res = poll(POLL_TIMEOUT, Duration::from_millis(300), || async {
        let r = api.admin(Method::GET, &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.describe());
        (s(&r.json, "/status") == want, r.json)
    })
    .await;
    res.unwrap_or_else(|last| panic!("{path} never reached {want}: {}", trunc(&last)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_store_link_paid_and_captured() {
    let (api, _g) = api().await;
    let created = create_in_store(&api, "230.00").await;
    let id = s(&created, "/order_id").to_owned();
    let link = s(&created, "/checkout_deeplink").to_owned();
    assert_eq!(i(&created, "/total/minor"), 23000, "{created}");
    assert!(link.starts_with(&format!("{}/pay/", api.sandbox)), "{link}");

    // The shopper gets the link by SMS.
    let sms = poll(POLL_TIMEOUT, Duration::from_millis(200), || async {
        let v = api.sms_for(&id).await;
        (!v.is_empty(), v)
    })
    .await
    .unwrap_or_else(|_| panic!("no SMS for {id}"));
    assert_eq!(sms.len(), 1, "one SMS: {sms:?}");
    assert_eq!(s(&sms[0], "/link"), link);
    assert!(s(&sms[0], "/phone").ends_with("544337866"), "{}", sms[0]);

    let st = api
        .admin(Method::GET, &format!("/admin/in-store/{id}"), None)
        .await;
    assert_eq!(st.status, StatusCode::OK, "{}", st.describe());
    assert_eq!(s(&st.json, "/status"), "new");

    let paid = api.hosted_pay(&checkout_id_of(&link), "pay").await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.describe());
    let page = paid.text.to_lowercase();
    assert!(
        page.contains("paid") || page.contains("payment successful"),
        "{}",
        paid.text
    );

    let done = wait_in_store(&api, &id, "fully_captured").await;
    assert_eq!(i(&done, "/total/minor"), 23000);
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "fully_captured");
    let local = api
        .wait_local(&id, "fully_captured", |v| {
            s(v, "/order/status") == "fully_captured"
        })
        .await;
    assert_eq!(s(&local, "/order/channel"), "in_store");
    api.assert_delivered(&id, &[]).await;
    // Voiding a paid link is refused or reports nothing voided.
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/in-store/{id}/void"),
            Some(&json!({})),
        )
        .await;
    assert!(
        r.status.is_client_error() || r.json["order_was_voided"] == json!(false),
        "void after pay: {}",
        r.describe()
    );
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "fully_captured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_store_link_voided() {
    let (api, _g) = api().await;
    let created = create_in_store(&api, "99.00").await;
    let id = s(&created, "/order_id").to_owned();
    let r = api
        .admin(
            Method::POST,
            &format!("/admin/in-store/{id}/void"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "void: {}", r.describe());
    assert_eq!(r.json["order_was_voided"], json!(true), "{}", r.text);
    // The link can no longer be paid.
    let checkout_id = s(&created, "/checkout_id").to_owned();
    let rb = api
        .http
        .post(format!("{}/hosted/pay/{checkout_id}", api.sandbox))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("action=pay");
    let pay = api.send(rb, "pay voided").await;
    assert!(
        !(pay.status.is_success() && pay.text.to_lowercase().contains(">paid")),
        "voided link was paid: {}",
        pay.describe()
    );
    let st = api
        .admin(Method::GET, &format!("/admin/in-store/{id}"), None)
        .await;
    assert_eq!(st.status, StatusCode::OK, "{}", st.describe());
    let status = s(&st.json, "/status");
    assert!(
        !["approved", "authorised", "fully_captured"].contains(&status),
        "voided order is {status}"
    );
    let t = api.tamara_order(&id).await;
    assert!(
        !["approved", "authorised", "fully_captured"].contains(&s(&t, "/status")),
        "sandbox: {}",
        trunc(&t)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_store_link_expires_with_the_clock() {
    let (api, _g) = api_exclusive().await;
    let created = create_in_store(&api, "150.00").await;
    let id = s(&created, "/order_id").to_owned();
    api.advance_clock(16 * 60).await;
    assert_eq!(s(&api.tamara_order(&id).await, "/status"), "expired");
    // In-store sessions have no notification URL: the Worker re-reads Tamara when asked. Any
    // notification a registered webhook got must have been accepted.
    api.assert_delivered(&id, &[]).await;
    wait_in_store(&api, &id, "expired").await;
    let link = s(&created, "/checkout_deeplink").to_owned();
    let rb = api
        .http
        .post(format!(
            "{}/hosted/pay/{}",
            api.sandbox,
            checkout_id_of(&link)
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("action=pay");
    let pay = api.send(rb, "pay expired").await;
    assert_ne!(
        s(&api.tamara_order(&id).await, "/status"),
        "fully_captured",
        "expired link was paid: {}",
        pay.describe()
    );
    api.wait_local(&id, "expired", |v| s(v, "/order/status") == "expired")
        .await;
}
