//! Return pages the merchant chooses (issue 17): per checkout (`return_urls`, only on allowed
//! origins: 400 otherwise, nothing sent to Tamara, nothing stored) and per environment
//! (`RETURN_*_URL`); the landing page is still decided from Tamara's order, and no redirect ever
//! leaves the allowed origins.

use serde_json::{json, Value};

use super::common::{body, checkout};
use crate::return_url;
use crate::services::checkout::CheckoutIn;
use crate::services::redirect::{land, RedirectKind};
use crate::testing::{block_on, Harness};

const SHOP: &str = "http://shop.test";

fn with_returns(returns: Value) -> Value {
    let mut b = body(&[("TSHIRT-1", 2)]);
    b["return_urls"] = returns;
    b
}

fn merchant_pages() -> Value {
    json!({
        "success": format!("{SHOP}/orders/{{order_id}}/done"),
        "failure": format!("{SHOP}/basket?why={{reason}}"),
        "cancel": format!("{SHOP}/basket"),
    })
}

async fn order_with(h: &Harness, returns: Value) -> String {
    let (status, v) = checkout(h, None, &with_returns(returns)).await;
    assert_eq!(status, 201, "{v}");
    v["order_id"].as_str().expect("order_id").to_owned()
}

async fn back(h: &Harness, kind: RedirectKind, id: &str, param: Option<&str>) -> String {
    land(&h.app, kind, Some(id), param)
        .await
        .expect("land")
        .expect("known order")
}

#[test]
fn checkout_return_pages_are_followed_and_the_outcome_is_tamaras() {
    let h = Harness::new();
    block_on(async {
        // Paid: the merchant's own confirmation page, whatever route and parameter came back.
        let id = order_with(&h, merchant_pages()).await;
        h.tamara().trigger(&id, "approve").await;
        let to = back(&h, RedirectKind::Cancel, &id, Some("canceled")).await;
        assert_eq!(to, format!("{SHOP}/orders/{id}/done"));
        let o = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(
            o.status.as_str(),
            "authorised",
            "authorised on the way back"
        );

        // Declined at Tamara, even though the shopper came back through /success with
        // paymentStatus=approved: the merchant's failure page with the reason.
        let id = order_with(&h, merchant_pages()).await;
        h.tamara().trigger(&id, "decline").await;
        let to = back(&h, RedirectKind::Success, &id, Some("approved")).await;
        assert_eq!(to, format!("{SHOP}/basket?why=declined&order_id={id}"));

        // Canceled (Tamara expires the order): the merchant's cancel page, id and reason added.
        let id = order_with(&h, merchant_pages()).await;
        h.tamara().trigger(&id, "expire").await;
        let to = back(&h, RedirectKind::Cancel, &id, None).await;
        assert_eq!(to, format!("{SHOP}/basket?order_id={id}&reason=canceled"));

        // Still `new` at Tamara (the shopper left without paying) through /success: not paid.
        let id = order_with(&h, merchant_pages()).await;
        let to = back(&h, RedirectKind::Success, &id, Some("approved")).await;
        assert_eq!(to, format!("{SHOP}/basket?order_id={id}&reason=canceled"));
    });
}

#[test]
fn environment_pages_apply_when_the_checkout_names_none() {
    let h = Harness::with(
        &[
            ("ALLOWED_ORIGINS", "https://www.shop.example"),
            (
                "RETURN_SUCCESS_URL",
                "https://www.shop.example/account/orders/{order_id}",
            ),
            (
                "RETURN_FAILURE_URL",
                "https://www.shop.example/cart?failed={order_id}&r={reason}",
            ),
        ],
        false,
    );
    block_on(async {
        // Only `cancel` given for this checkout: success and failure are the environment's.
        let id = order_with(
            &h,
            json!({"cancel": "https://www.shop.example/cart#tamara"}),
        )
        .await;
        h.tamara().trigger(&id, "approve").await;
        assert_eq!(
            back(&h, RedirectKind::Success, &id, None).await,
            format!("https://www.shop.example/account/orders/{id}")
        );
        let id = order_with(&h, json!({})).await;
        h.tamara().trigger(&id, "decline").await;
        assert_eq!(
            back(&h, RedirectKind::Failure, &id, None).await,
            format!("https://www.shop.example/cart?failed={id}&r=declined")
        );
        let id = order_with(
            &h,
            json!({"cancel": "https://www.shop.example/cart#tamara"}),
        )
        .await;
        assert_eq!(
            back(&h, RedirectKind::Cancel, &id, None).await,
            format!("https://www.shop.example/cart?order_id={id}&reason=canceled#tamara")
        );
        // No RETURN_CANCEL_URL: STORE_URL's cart page, as before.
        let id = order_with(&h, json!({})).await;
        assert_eq!(
            back(&h, RedirectKind::Cancel, &id, None).await,
            format!("{SHOP}/cart.html?order_id={id}&reason=canceled")
        );
    });
}

#[test]
fn return_urls_off_the_allowed_origins_are_refused_before_tamara() {
    let h = Harness::new();
    block_on(async {
        let cases = [
            (
                "success",
                "https://evil.example/{order_id}",
                "return_url_not_allowed",
            ),
            (
                "failure",
                "http://shop.test.evil.example/",
                "return_url_not_allowed",
            ),
            ("cancel", "https://shop.test/", "return_url_not_allowed"),
            (
                "success",
                "http://shop.test@evil.example/",
                "return_url_invalid",
            ),
            (
                "success",
                "http://evil.example\\@shop.test/",
                "return_url_invalid",
            ),
            ("cancel", "//evil.example/cart", "return_url_invalid"),
            ("cancel", "/cart.html", "return_url_invalid"),
            ("failure", "javascript:alert(1)", "return_url_invalid"),
            (
                "success",
                "http://{order_id}.shop.test/",
                "return_url_invalid",
            ),
        ];
        for (n, (field, url, code)) in cases.into_iter().enumerate() {
            let mut returns = merchant_pages();
            returns[field] = url.into();
            let key = format!("embed-key-{n}-1234567890");
            for key in [None, Some(key.as_str())] {
                let (status, v) = checkout(&h, key, &with_returns(returns.clone())).await;
                assert_eq!(
                    (status, v["error"]["code"].as_str()),
                    (400, Some(code)),
                    "{url}: {v}"
                );
                let message = v["error"]["message"].as_str().unwrap_or_default();
                assert!(
                    message.contains(&format!("return_urls.{field}")),
                    "{message}"
                );
            }
        }
        // Not a string, or an unknown page: 422 invalid_request, as for any badly shaped body.
        for returns in [
            json!({"success": 1}),
            json!({"elsewhere": "http://shop.test/"}),
            json!("x"),
        ] {
            let e = crate::http::body::from_value::<CheckoutIn>(with_returns(returns)).unwrap_err();
            assert_eq!((e.status(), e.code()), (422, "invalid_request"), "{e:?}");
        }
        assert_eq!(
            h.tamara().count("POST /checkout"),
            0,
            "nothing reached Tamara"
        );
        let rows = h.db().query("SELECT order_id FROM orders");
        assert!(rows.is_empty(), "nothing stored: {rows:?}");
    });
}

#[test]
fn no_redirect_leaves_the_allowed_origins() {
    // Whatever a checkout's pages, route, Tamara outcome and query parameter: every landing URL
    // is on ALLOWED_ORIGINS or STORE_URL's origin.
    let h = Harness::with(
        &[("ALLOWED_ORIGINS", "http://shop.test,http://127.0.0.1:8600")],
        false,
    );
    let allowed = h.app.cfg.return_origins.clone();
    block_on(async {
        let pages = [
            json!({}),
            merchant_pages(),
            json!({"success": "http://127.0.0.1:8600/thank-you.html?order_id={order_id}",
                   "failure": "http://127.0.0.1:8600/cart.html?order_id={order_id}&reason={reason}",
                   "cancel": "http://127.0.0.1:8600/cart.html"}),
            json!({"success": "http://127.0.0.1:8600/{reason}/{order_id}?next=https://evil.example"}),
        ];
        for returns in pages {
            for event in [None, Some("approve"), Some("decline"), Some("expire")] {
                for kind in [
                    RedirectKind::Success,
                    RedirectKind::Failure,
                    RedirectKind::Cancel,
                ] {
                    let id = order_with(&h, returns.clone()).await;
                    if let Some(e) = event {
                        h.tamara().trigger(&id, e).await;
                    }
                    let to = back(&h, kind, &id, Some("https://evil.example/")).await;
                    let origin = return_url::origin(&to).unwrap_or_default();
                    assert!(allowed.allows(&origin), "{to} left the allowed origins");
                }
            }
        }
        // Unknown or forged ids: no redirect at all (the Worker's "order not found" page).
        for id in [
            "https://evil.example",
            "00000000-0000-0000-0000-000000000000",
            "//evil",
        ] {
            let to = land(&h.app, RedirectKind::Success, Some(id), None)
                .await
                .unwrap();
            assert_eq!(to, None, "{id}");
        }
    });
}
