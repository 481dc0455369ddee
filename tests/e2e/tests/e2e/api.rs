//! Storefront and merchant API edges: idempotent create, cart integrity, CORS, admin auth,
//! malformed input.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use tamara_e2e::client::{checkout_body, i, s, Api, Resp};

use crate::api;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_and_public_order_view() {
    let (api, _g) = api().await;
    let r = api.get("/api/catalog").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(s(&r.json, "/currency"), "SAR");
    let products = r.json["products"].as_array().cloned().unwrap_or_default();
    let tshirt = products
        .iter()
        .find(|p| s(p, "/sku") == "TSHIRT-1")
        .unwrap_or_else(|| panic!("TSHIRT-1 not in catalog: {}", r.text));
    assert_eq!(i(tshirt, "/price/minor"), 5750);
    assert_eq!(s(tshirt, "/price/amount"), "57.50");

    let created = crate::new_order(&api).await;
    assert_eq!(i(&created, "/total/minor"), 11500, "{created}");
    assert_eq!(s(&created, "/total/currency"), "SAR");
    assert!(
        s(&created, "/checkout_url").starts_with(&format!("{}/checkout/", api.sandbox)),
        "checkout_url points at the sandbox: {created}"
    );
    let id = s(&created, "/order_id");
    let view = api.get(&format!("/api/orders/{id}")).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.describe());
    assert_eq!(s(&view.json, "/order_id"), id);
    assert_eq!(s(&view.json, "/status"), "new");
    // No PII in the public view.
    assert!(
        !view.text.contains("544337866") && !view.text.contains("mona@"),
        "{}",
        view.text
    );
    let missing = api
        .get("/api/orders/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(
        missing.status,
        StatusCode::NOT_FOUND,
        "{}",
        missing.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_create() {
    let (api, _g) = api().await;
    let key = format!("e2e-{}", uuid::Uuid::new_v4());
    let body = checkout_body(&[("MUG-1", 3)], "544337866");
    let first = api.create_checkout_keyed(&key, &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.describe());
    let second = api.create_checkout_keyed(&key, &body).await;
    assert!(second.status.is_success(), "{}", second.describe());
    let id = s(&first.json, "/order_id");
    assert!(!id.is_empty());
    assert_eq!(
        s(&second.json, "/order_id"),
        id,
        "same key, same body → same order"
    );
    assert_eq!(
        s(&second.json, "/checkout_url"),
        s(&first.json, "/checkout_url")
    );
    let reference = s(&first.json, "/order_reference_id");
    let at_sandbox = api
        .sandbox_orders()
        .await
        .into_iter()
        .filter(|o| s(o, "/order_reference_id") == reference)
        .count();
    assert_eq!(at_sandbox, 1, "exactly one order at the sandbox");

    let mut other = body.clone();
    other["cart"]["items"][0]["quantity"] = json!(4);
    let third = api.create_checkout_keyed(&key, &other).await;
    assert_eq!(third.status, StatusCode::CONFLICT, "{}", third.describe());
    assert_eq!(third.error_code(), Some("idempotency_key_reused"));

    let long_key = "k".repeat(129);
    let too_long = api.create_checkout_keyed(&long_key, &body).await;
    assert!(
        too_long.status.is_client_error(),
        "129-char key: {}",
        too_long.describe()
    );
}

/// Concurrent creates share D1 batches (group commit, `crates/tamara-worker/src/group.rs`):
/// each request still gets exactly its own outcome. 24 distinct keys, and 7 requests with one
/// shared key (6 with one body, 1 with another), all in flight at once: whichever claims the
/// shared key first creates the one order for it, and every other shared-key request is a
/// replay of that order or a 409 (the key is in flight, or was used with another body).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_keep_their_own_outcomes() {
    let (api, _g) = api().await;
    let shared = format!("e2e-shared-{}", uuid::Uuid::new_v4());
    let body = checkout_body(&[("MUG-1", 2)], "544337866");
    let mut other = body.clone();
    other["cart"]["items"][0]["quantity"] = json!(5);
    let mut tasks = Vec::new();
    for n in 0..31 {
        let (api, key, b) = match n {
            0..=23 => (api.clone(), uuid::Uuid::new_v4().to_string(), body.clone()),
            24..=29 => (api.clone(), shared.clone(), body.clone()),
            _ => (api.clone(), shared.clone(), other.clone()),
        };
        tasks.push(tokio::spawn(async move {
            (n, api.create_checkout_keyed(&key, &b).await)
        }));
    }
    let mut distinct = std::collections::HashSet::new();
    let mut shared_ids = std::collections::HashSet::new();
    let mut shared_created = 0;
    // Which body won the shared key: 0 = the six, 1 = the other one.
    let mut winners = std::collections::HashSet::new();
    for t in tasks {
        let (n, r) = t.await.expect("task");
        if n <= 23 {
            assert_eq!(r.status, StatusCode::CREATED, "#{n}: {}", r.describe());
            assert!(
                distinct.insert(s(&r.json, "/order_id").to_owned()),
                "#{n}: duplicate order"
            );
        } else if r.status.is_success() {
            assert_eq!(r.status, StatusCode::CREATED, "#{n}: {}", r.describe());
            shared_created += 1;
            shared_ids.insert(s(&r.json, "/order_id").to_owned());
            winners.insert(u8::from(n == 30));
        } else {
            assert_eq!(r.status, StatusCode::CONFLICT, "#{n}: {}", r.describe());
            let code = r.error_code().unwrap_or_default().to_owned();
            assert!(
                code == "idempotency_key_reused" || code == "idempotency_in_progress",
                "#{n}: {code}"
            );
        }
    }
    assert_eq!(distinct.len(), 24);
    assert!(
        shared_created >= 1,
        "one of the same-key requests created the order"
    );
    assert_eq!(shared_ids.len(), 1, "same key → one order: {shared_ids:?}");
    assert_eq!(
        winners.len(),
        1,
        "only one body's request got the shared key's order"
    );
    // Every order answered is stored (the public view reads D1) and exists once at the sandbox.
    for id in distinct.iter().chain(shared_ids.iter()) {
        let view = api.get(&format!("/api/orders/{id}")).await;
        assert_eq!(view.status, StatusCode::OK, "{id}: {}", view.describe());
    }
    let at_sandbox = api.sandbox_orders().await;
    let shared_id = shared_ids.iter().next().cloned().unwrap_or_default();
    assert_one_sandbox_order(&at_sandbox, &shared_id);
}

/// `order_id` is at the sandbox, and no other sandbox order has its reference (the Worker
/// derives the reference from the Idempotency-Key and the request: one order per key).
fn assert_one_sandbox_order(at_sandbox: &[Value], order_id: &str) {
    let reference = at_sandbox
        .iter()
        .find(|o| s(o, "/order_id") == order_id)
        .map(|o| s(o, "/order_reference_id"))
        .unwrap_or_default();
    assert!(!reference.is_empty(), "{order_id} at the sandbox");
    let same_ref = at_sandbox
        .iter()
        .filter(|o| s(o, "/order_reference_id") == reference)
        .count();
    assert_eq!(same_ref, 1, "{order_id}: one sandbox order for its key");
}

/// Clients that hang up while their checkout waits in a group commit (including the request
/// whose `waitUntil` carries the flush) leave nothing stuck: checkouts right after all succeed
/// promptly, and retrying each abandoned key ends in one order for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_hanging_up_mid_checkout_leave_nothing_stuck() {
    let (api, _g) = api().await;
    let body = checkout_body(&[("MUG-1", 1)], "544337866");
    let keys: Vec<String> = (0..24).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let mut tasks = Vec::new();
    for (n, key) in keys.iter().enumerate() {
        let (api, key, b) = (api.clone(), key.clone(), body.clone());
        // Hang up after 2–25 ms: before, during or after the D1 claim and the Tamara call.
        let after = Duration::from_millis(2 + (n as u64 * 7) % 24);
        tasks.push(tokio::spawn(async move {
            tokio::time::timeout(after, api.create_checkout_keyed(&key, &b))
                .await
                .is_ok()
        }));
    }
    let mut answered = 0;
    for t in tasks {
        answered += usize::from(t.await.expect("task"));
    }
    // Later checkouts are not queued behind anything the abandoned ones left.
    let started = std::time::Instant::now();
    let mut later = Vec::new();
    for _ in 0..8 {
        let (api, b) = (api.clone(), body.clone());
        later.push(tokio::spawn(async move {
            api.create_checkout_keyed(&uuid::Uuid::new_v4().to_string(), &b)
                .await
        }));
    }
    for t in later {
        let r = t.await.expect("task");
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.describe());
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "checkouts after the hang-ups took {:?}",
        started.elapsed()
    );
    // Each abandoned key, retried with the same body: its order (created by the attempt that
    // hung up, or now), or 409 while a claim the runtime cancelled is younger than its 60 s
    // lease; never an error, and never a second order for one key.
    let (mut ids, mut in_progress) = (std::collections::HashSet::new(), 0);
    for key in &keys {
        let r = api.create_checkout_keyed(key, &body).await;
        match r.status {
            StatusCode::CREATED => {
                let id = s(&r.json, "/order_id").to_owned();
                assert!(ids.insert(id.clone()), "two keys, one order");
                let again = api.create_checkout_keyed(key, &body).await;
                assert_eq!(s(&again.json, "/order_id"), id, "replay");
            }
            StatusCode::CONFLICT => {
                assert_eq!(r.error_code(), Some("idempotency_in_progress"), "{key}");
                in_progress += 1;
            }
            other => panic!("{key}: {other} {}", r.describe()),
        }
    }
    eprintln!(
        "hang-ups: {} of {} answered before the client left; retries: {} orders, {in_progress} in progress",
        answered,
        keys.len(),
        ids.len()
    );
    let orders = api.sandbox_orders().await;
    for id in &ids {
        assert_one_sandbox_order(&orders, id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_is_priced_by_the_worker_and_signatures_are_checked() {
    let (api, _g) = api().await;
    // A price sent by the browser is ignored: the D1 catalog prices `cart`.
    let mut body = checkout_body(&[("DATES-1", 1)], "544337866");
    body["cart"]["items"][0]["unit_price"] = json!("0.01");
    body["cart"]["items"][0]["price"] = json!({"amount": "0.01", "currency": "SAR"});
    let key = uuid::Uuid::new_v4().to_string();
    let r = api.create_checkout_keyed(&key, &body).await;
    if r.status == StatusCode::CREATED {
        assert_eq!(
            i(&r.json, "/total/minor"),
            11500,
            "catalog price: {}",
            r.text
        );
    } else {
        assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    }
    // Unknown SKU and zero quantity are refused.
    for items in [
        json!([{"sku": "NOPE-404", "quantity": 1}]),
        json!([{"sku": "MUG-1", "quantity": 0}]),
    ] {
        let mut b = checkout_body(&[], "544337866");
        b["cart"]["items"] = items.clone();
        let r = api
            .create_checkout_keyed(&uuid::Uuid::new_v4().to_string(), &b)
            .await;
        assert!(r.status.is_client_error(), "{items}: {}", r.describe());
        assert!(r.error_code().is_some(), "error body: {}", r.text);
    }

    // Signed cart: valid → priced from the payload.
    let now = api.sandbox_now().await.secs();
    let payload = json!({
        "currency": "SAR",
        "items": [{"sku": "GIFT-1", "name": "Gift card", "quantity": 2, "unit_price": "100.00"}],
        "expires_at": now + 600
    });
    let mut signed = checkout_body(&[], "544337866");
    signed["cart"] = Value::Null;
    signed["signed_cart"] = api.signed_cart(&payload);
    let ok = api
        .create_checkout_keyed(&uuid::Uuid::new_v4().to_string(), &signed)
        .await;
    assert_eq!(
        ok.status,
        StatusCode::CREATED,
        "valid signed cart: {}",
        ok.describe()
    );
    assert_eq!(i(&ok.json, "/total/minor"), 20000, "{}", ok.text);

    // Tampered payload (price lowered after signing) → 400 invalid_cart_signature.
    let mut cheaper = payload.clone();
    cheaper["items"][0]["unit_price"] = json!("1.00");
    let mut tampered = signed.clone();
    tampered["signed_cart"]["payload"] = api.signed_cart(&cheaper)["payload"].clone();
    let r = api
        .create_checkout_keyed(&uuid::Uuid::new_v4().to_string(), &tampered)
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "tampered: {}",
        r.describe()
    );
    assert_eq!(r.error_code(), Some("invalid_cart_signature"));

    // Signature from another key → 400.
    let mut forged = signed.clone();
    forged["signed_cart"]["signature"] = json!("00".repeat(32));
    let r = api
        .create_checkout_keyed(&uuid::Uuid::new_v4().to_string(), &forged)
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "forged: {}",
        r.describe()
    );
    assert_eq!(r.error_code(), Some("invalid_cart_signature"));

    // Both `cart` and `signed_cart` → 422.
    let mut both = signed.clone();
    both["cart"] = json!({"items": [{"sku": "MUG-1", "quantity": 1}]});
    let r = api
        .create_checkout_keyed(&uuid::Uuid::new_v4().to_string(), &both)
        .await;
    assert_eq!(
        r.status.as_u16(),
        422,
        "cart and signed_cart: {}",
        r.describe()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_only_configured_origins() {
    let (api, _g) = api().await;
    let good = api.origin.clone();
    let evil = "http://evil.e2e.test";

    let r = api
        .worker_raw(Method::GET, "/api/catalog", &[("origin", &good)], None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("access-control-allow-origin"), Some(good.as_str()));

    let r = api
        .worker_raw(Method::GET, "/api/catalog", &[("origin", evil)], None)
        .await;
    assert_ne!(r.header("access-control-allow-origin"), Some(evil));
    assert_ne!(r.header("access-control-allow-origin"), Some("*"));

    let pre = |origin: String| {
        let api = api.clone();
        async move {
            api.worker_raw(
                Method::OPTIONS,
                "/api/checkout",
                &[
                    ("origin", &origin),
                    ("access-control-request-method", "POST"),
                    (
                        "access-control-request-headers",
                        "content-type,idempotency-key",
                    ),
                ],
                None,
            )
            .await
        }
    };
    let ok = pre(good.clone()).await;
    assert!(ok.status.is_success(), "preflight: {}", ok.describe());
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some(good.as_str())
    );
    let methods = ok
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    assert!(methods.contains("POST"), "allow-methods: {methods}");
    let headers = ok
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        headers.contains("idempotency-key") && headers.contains("content-type"),
        "allow-headers: {headers}"
    );
    let bad = pre(evil.to_owned()).await;
    assert_ne!(bad.header("access-control-allow-origin"), Some(evil));

    // No CORS on the merchant API, even for the allowed origin.
    let r = api
        .worker_raw(Method::GET, "/admin/orders", &[("origin", &good)], None)
        .await;
    assert_ne!(r.header("access-control-allow-origin"), Some(good.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_requires_the_bearer_token() {
    let (api, _g) = api().await;
    for path in ["/admin/orders", "/admin/orders/x", "/admin/in-store/x"] {
        for token in [None, Some("wrong-token"), Some("")] {
            let r = api.admin_with_token(Method::GET, path, None, token).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{path} {token:?}: {}",
                r.describe()
            );
            assert_eq!(r.error_code(), Some("unauthorized"), "{}", r.text);
        }
    }
    let r = api
        .admin_with_token(
            Method::POST,
            "/admin/reconcile",
            Some(&json!({})),
            Some("nope"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let ok = api.admin(Method::GET, "/admin/orders?limit=5", None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.describe());
    assert!(ok.json["orders"].is_array(), "{}", ok.text);
    // Filters: empty means none; anything else must be exact.
    let ok = api
        .admin(Method::GET, "/admin/orders?status=&limit=", None)
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.describe());
    for bad in [
        "status=%0D",
        "status=NEW",
        "limit=0",
        "limit=%205",
        "limit=501",
    ] {
        let r = api
            .admin(Method::GET, &format!("/admin/orders?{bad}"), None)
            .await;
        assert_eq!(r.status.as_u16(), 422, "{bad}: {}", r.describe());
        assert_eq!(r.error_code(), Some("invalid_request"), "{bad}: {}", r.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_documented_codes() {
    let (api, _g) = api().await;
    let post = |path: &'static str, body: Vec<u8>| {
        let api = api.clone();
        async move {
            api.worker_raw(
                Method::POST,
                path,
                &[("idempotency-key", &uuid::Uuid::new_v4().to_string())],
                Some(("application/json", body)),
            )
            .await
        }
    };
    let r = post("/api/checkout", b"{\"cart\": {".to_vec()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_json"));
    assert!(r
        .json
        .pointer("/error/message")
        .is_some_and(Value::is_string));

    let mut wrong = checkout_body(&[("MUG-1", 1)], "544337866");
    wrong["cart"]["items"][0]["quantity"] = json!("two");
    let r = post(
        "/api/checkout",
        serde_json::to_vec(&wrong).unwrap_or_default(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_request"));

    let r = post("/api/checkout", b"[1,2,3]".to_vec()).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_request"));

    // An object's fields given as an array (which serde_json alone would accept) is refused,
    // with the path.
    let mut positional = checkout_body(&[("MUG-1", 1)], "544337866");
    positional["consumer"] = json!(["Mona", "Ali", "544337866", "mona@example.com"]);
    let r = post(
        "/api/checkout",
        serde_json::to_vec(&positional).unwrap_or_default(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_request"));
    assert!(r.text.contains("consumer"), "{}", r.text);

    let mut big = checkout_body(&[("MUG-1", 1)], "544337866");
    big["consumer"]["first_name"] = json!("x".repeat(70 * 1024));
    let r = post(
        "/api/checkout",
        serde_json::to_vec(&big).unwrap_or_default(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 413, "{}", r.describe());
    assert_eq!(r.error_code(), Some("payload_too_large"));

    // Merchant API: same rules.
    let r = api
        .admin_raw(
            Method::POST,
            "/admin/orders/x/capture",
            Some(("application/json", b"{oops".to_vec())),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_json"));
    let r = api
        .admin(
            Method::POST,
            "/admin/in-store",
            Some(&json!({"phone_number": 544337866})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_request"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_options_for_the_widget() {
    let (api, _g) = api().await;
    let r = api
        .get("/api/payment-options?country=SA&currency=SAR&amount=230.00")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(r.json["available"], json!(true), "{}", r.text);
    assert_eq!(i(&r.json, "/amount/minor"), 23000);
    let options = r.json["options"].as_array().cloned().unwrap_or_default();
    assert!(!options.is_empty(), "{}", r.text);
    for o in &options {
        let n = i(o, "/instalments");
        assert!(n >= 1, "{o}");
        // Instalments add up to the amount (within one minor unit per instalment).
        let per = i(o, "/instalment_amount/minor");
        assert!((per * n - 23000).abs() < n, "{o}");
        assert!(
            !s(o, "/label_en").is_empty() && !s(o, "/label_ar").is_empty(),
            "{o}"
        );
    }
    // Above every limit: not available, with a reason.
    let r = api
        .get("/api/payment-options?country=SA&currency=SAR&amount=999999.00")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(r.json["available"], json!(false), "{}", r.text);
    assert!(!s(&r.json, "/reason/code").is_empty(), "{}", r.text);
    // The documented decline phone gets no options.
    let r = api
        .get("/api/payment-options?country=SA&currency=SAR&amount=230.00&phone=526422337")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(r.json["available"], json!(false), "{}", r.text);
    // The cart itself (the widget's one request): priced by the Worker exactly as
    // create-checkout charges it.
    let r = api
        .get("/api/payment-options?country=SA&currency=SAR&items=TSHIRT-1:4")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(i(&r.json, "/amount/minor"), 23000, "{}", r.text);
    assert_eq!(r.json["available"], json!(true), "{}", r.text);
    let created = api
        .create_checkout(&checkout_body(&[("TSHIRT-1", 4)], "544337866"))
        .await;
    assert_eq!(i(&created, "/total/minor"), 23000, "{created}");
    for (bad, code) in [
        ("items=NOPE-1:1", "unknown_sku"),
        ("items=TSHIRT-1:0", "invalid_cart"),
        ("items=TSHIRT-1", "invalid_cart"),
        ("items=TSHIRT-1:1&currency=AED", "currency_mismatch"),
        ("phone=544337866", "invalid_amount"),
    ] {
        let r = api
            .get(&format!("/api/payment-options?country=SA&{bad}"))
            .await;
        assert_eq!(r.status.as_u16(), 422, "{bad}: {}", r.describe());
        assert_eq!(r.error_code(), Some(code), "{bad}: {}", r.text);
    }
    for bad in [
        "amount=abc",
        "amount=0",
        "amount=10.00&currency=AED",
        "amount=10.00&phone=12",
    ] {
        let r = api
            .get(&format!("/api/payment-options?country=SA&{bad}"))
            .await;
        assert_eq!(r.status.as_u16(), 422, "{bad}: {}", r.describe());
        assert!(r.error_code().is_some(), "{bad}: {}", r.text);
    }
}

/// `PUT /admin/orders/{order_id}/reference-id`.
async fn put_reference(api: &Api, order_id: &str, reference: &str) -> Resp {
    api.admin(
        Method::PUT,
        &format!("/admin/orders/{order_id}/reference-id"),
        Some(&json!({ "order_reference_id": reference })),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merchant_reference_verification_and_webhook_registrations() {
    let (api, _g) = api().await;
    let created = crate::new_order(&api).await;
    let id = s(&created, "/order_id");
    let reference = format!("ERP-{}", uuid::Uuid::new_v4().simple());
    let r = put_reference(&api, id, &reference).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert_eq!(s(&r.json, "/order_reference_id"), reference);
    assert_eq!(
        s(&api.tamara_order(id).await, "/order_reference_id"),
        reference
    );
    let local = api.admin_order(id).await;
    assert_eq!(s(&local, "/order/order_reference_id"), reference);

    // A reference another order holds: 409, and neither Tamara nor D1 changes (it used to be a
    // D1 UNIQUE failure, a 500, after Tamara had already taken the new reference).
    let other = crate::new_order(&api).await;
    let other_id = s(&other, "/order_id");
    let before = s(&api.tamara_order(other_id).await, "/order_reference_id").to_owned();
    let r = put_reference(&api, other_id, &reference).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.describe());
    assert_eq!(
        r.error_code(),
        Some("order_reference_id_taken"),
        "{}",
        r.text
    );
    assert_eq!(
        s(&api.tamara_order(other_id).await, "/order_reference_id"),
        before
    );
    let local = api.admin_order(other_id).await;
    assert_eq!(s(&local, "/order/order_reference_id"), before);
    // Setting an order's own reference again is fine.
    let r = put_reference(&api, id, &reference).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());

    let r = api
        .admin(
            Method::GET,
            "/admin/customers/id-verification?phone=544337866&country=SA",
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert!(r.json["is_id_verified"].is_boolean(), "{}", r.text);

    let hook_url = format!("{}/tamara/webhook", api.worker);
    let r = api
        .admin(
            Method::POST,
            "/admin/webhooks",
            Some(&json!({"type": "order", "url": hook_url, "events": ["order_approved", "order_declined"]})),
        )
        .await;
    assert!(r.status.is_success(), "register: {}", r.describe());
    let wid = s(&r.json, "/webhook_id").to_owned();
    assert!(!wid.is_empty(), "{}", r.text);
    let r = api
        .admin(Method::GET, &format!("/admin/webhooks/{wid}"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert!(r.text.contains("order_declined"), "{}", r.text);
    let r = api.admin(Method::GET, "/admin/webhooks", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.describe());
    assert!(r.text.contains(&wid), "{}", r.text);
    // Events are checked before Tamara is called.
    for (events, why) in [
        (json!([]), "no events"),
        (json!(["order_exploded"]), "unknown"),
    ] {
        let r = api
            .admin(
                Method::PUT,
                &format!("/admin/webhooks/{wid}"),
                Some(&json!({"url": hook_url, "events": events})),
            )
            .await;
        assert_eq!(r.status.as_u16(), 422, "{why}: {}", r.describe());
        assert_eq!(r.error_code(), Some("invalid_events"), "{why}: {}", r.text);
    }
    let r = api
        .admin(
            Method::POST,
            "/admin/webhooks",
            Some(&json!({"type": "refunds", "url": hook_url, "events": ["order_approved"]})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.describe());
    assert_eq!(r.error_code(), Some("invalid_webhook_type"), "{}", r.text);
    let r = api
        .admin(Method::DELETE, &format!("/admin/webhooks/{wid}"), None)
        .await;
    assert!(r.status.is_success(), "delete: {}", r.describe());
    for method in [Method::GET, Method::DELETE] {
        let r = api
            .admin(method.clone(), &format!("/admin/webhooks/{wid}"), None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{method}: {}",
            r.describe()
        );
        assert_eq!(r.error_code(), Some("webhook_not_found"), "{}", r.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_get_405_with_allow() {
    let (api, _g) = api().await;
    for (method, path, allow) in [
        (Method::GET, "/api/checkout", "POST, OPTIONS"),
        (Method::TRACE, "/api/health", "GET, OPTIONS"),
        (Method::DELETE, "/tamara/webhook", "POST"),
        (Method::PATCH, "/admin/webhooks/w1", "GET, PUT, DELETE"),
        (Method::GET, "/admin/orders/o1/reference-id", "PUT"),
    ] {
        let r = api.worker_raw(method.clone(), path, &[], None).await;
        assert_eq!(r.status.as_u16(), 405, "{method} {path}: {}", r.describe());
        assert_eq!(r.error_code(), Some("method_not_allowed"), "{}", r.text);
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
    }
    // No method serves it: 404, not 405.
    let r = api
        .worker_raw(Method::GET, "/admin/orders/o1/explode", &[], None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.describe());
}
