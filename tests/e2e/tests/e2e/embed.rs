//! Embedding on the merchant's own site (issue 17), against the Worker in workerd: return pages
//! chosen per checkout are followed only on allowed origins (400 with a stable code otherwise),
//! the outcome still comes from Tamara's order, and no redirect ever leaves the allowed origins
//! (attack cases: hostile return URLs, hostile ids and parameters on `/tamara/*`). Also the
//! widget's public files are served cross-origin (CORS `*`, no credentials) while `/api/*` keeps
//! its allow-list and `/admin/*` gets no CORS at all.

use serde_json::{json, Value};
use tamara_e2e::client::{checkout_body, s, Api};

use crate::api;

fn with_returns(returns: Value) -> Value {
    let mut body = checkout_body(&[("TSHIRT-1", 1)], "544337866");
    body["return_urls"] = returns;
    body
}

/// `scheme://host[:port]` of a Location header (absolute URLs only).
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

fn assert_on_allowed(api: &Api, location: &str) {
    let o = origin(location);
    assert!(
        o == api.origin || o == api.worker,
        "redirect left the allowed origins: {location}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_pages_on_allowed_origins_are_followed_and_others_refused() {
    let (api, _g) = api().await;
    let shop = api.origin.clone();
    let pages = json!({
        "success": format!("{shop}/orders/{{order_id}}/done"),
        "failure": format!("{shop}/basket?why={{reason}}"),
        "cancel": format!("{shop}/basket"),
    });

    // Paid → the merchant's page, decided by Tamara's order.
    let created = api.create_checkout(&with_returns(pages.clone())).await;
    let id = s(&created, "/order_id").to_owned();
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("544337866"))
        .await;
    let back = api.follow(r.header("location").unwrap_or_default()).await;
    assert_eq!(back.status.as_u16(), 303, "{}", back.describe());
    assert_eq!(
        back.header("location"),
        Some(format!("{shop}/orders/{id}/done").as_str())
    );

    // Declined → the failure page with the reason.
    let created = api.create_checkout(&with_returns(pages.clone())).await;
    let id = s(&created, "/order_id").to_owned();
    let r = api
        .hosted_checkout(s(&created, "/checkout_url"), "pay", Some("526422337"))
        .await;
    let back = api.follow(r.header("location").unwrap_or_default()).await;
    assert_eq!(
        back.header("location"),
        Some(format!("{shop}/basket?why=declined&order_id={id}").as_str())
    );

    // A forged return through /tamara/success for an unpaid order: the cancel page, not success.
    let created = api.create_checkout(&with_returns(pages.clone())).await;
    let id = s(&created, "/order_id").to_owned();
    let forged = format!(
        "{}/tamara/success?orderId={id}&paymentStatus=approved",
        api.worker
    );
    let back = api.follow(&forged).await;
    assert_eq!(
        back.header("location"),
        Some(format!("{shop}/basket?order_id={id}&reason=canceled").as_str())
    );

    // Return pages off the allowed origins: 400 with a stable code, before Tamara.
    let orders_before = api.sandbox_orders().await.len();
    for (field, url, code) in [
        (
            "success",
            "https://evil.example/{order_id}",
            "return_url_not_allowed",
        ),
        (
            "failure",
            "http://shop.e2e.test.evil.example/",
            "return_url_not_allowed",
        ),
        ("cancel", "https://shop.e2e.test/", "return_url_not_allowed"),
        (
            "success",
            "http://shop.e2e.test@evil.example/",
            "return_url_invalid",
        ),
        (
            "success",
            "http://evil.example\\@shop.e2e.test/",
            "return_url_invalid",
        ),
        ("cancel", "//evil.example/", "return_url_invalid"),
        ("failure", "javascript:alert(1)", "return_url_invalid"),
    ] {
        let mut returns = pages.clone();
        returns[field] = url.into();
        let r = api
            .create_checkout_keyed(
                &format!("embed-{field}-{}", url.len()),
                &with_returns(returns),
            )
            .await;
        assert_eq!(r.status.as_u16(), 400, "{url}: {}", r.describe());
        assert_eq!(r.error_code(), Some(code), "{url}: {}", r.describe());
    }
    assert_eq!(
        api.sandbox_orders().await.len(),
        orders_before,
        "nothing reached Tamara"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_redirect_leaves_the_allowed_origins() {
    let (api, _g) = api().await;
    let created = api.create_checkout(&with_returns(json!({}))).await;
    let id = s(&created, "/order_id").to_owned();
    let w = &api.worker;
    for path in [
        format!("/tamara/success?orderId={id}&paymentStatus=https://evil.example/"),
        format!("/tamara/cancel?orderId={id}&next=https://evil.example/"),
        format!("/tamara/failure?orderId={id}&orderId=https://evil.example/"),
        "/tamara/success?orderId=https://evil.example/".to_owned(),
        "/tamara/success?orderId=//evil.example".to_owned(),
        "/tamara/success?orderId=%2F%2Fevil.example".to_owned(),
        "/tamara/cancel?orderId=00000000-0000-0000-0000-000000000000".to_owned(),
        "/tamara/success".to_owned(),
    ] {
        let r = api.follow(&format!("{w}{path}")).await;
        assert!(r.status.as_u16() < 500, "{path}: {}", r.describe());
        if let Some(location) = r.header("location") {
            assert_on_allowed(&api, location);
        } else {
            assert_eq!(r.status.as_u16(), 404, "{path}: {}", r.describe());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_files_are_public_cross_origin_and_the_api_keeps_its_allow_list() {
    let (api, _g) = api().await;
    let w = &api.worker;
    let evil = "https://evil.example";
    let snippet = api
        .worker_raw(
            reqwest::Method::GET,
            "/tamara-checkout.js",
            &[("Origin", evil)],
            None,
        )
        .await;
    assert_eq!(snippet.status.as_u16(), 200, "{}", snippet.describe());
    assert_eq!(snippet.header("access-control-allow-origin"), Some("*"));
    assert_eq!(snippet.header("access-control-allow-credentials"), None);
    // The API: only ALLOWED_ORIGINS; the admin API: no CORS whatever the origin.
    let catalog = api
        .worker_raw(
            reqwest::Method::GET,
            "/api/catalog",
            &[("Origin", evil)],
            None,
        )
        .await;
    assert_eq!(catalog.header("access-control-allow-origin"), None, "{w}");
    let ok = api
        .worker_raw(
            reqwest::Method::GET,
            "/api/catalog",
            &[("Origin", api.origin.as_str())],
            None,
        )
        .await;
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some(api.origin.as_str())
    );
    for origin in [evil, api.origin.as_str()] {
        let admin = api
            .worker_raw(
                reqwest::Method::GET,
                "/admin/orders",
                &[("Origin", origin)],
                None,
            )
            .await;
        assert_eq!(
            admin.header("access-control-allow-origin"),
            None,
            "{}",
            admin.describe()
        );
    }
}
