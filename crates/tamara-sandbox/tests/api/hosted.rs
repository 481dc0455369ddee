//! The hosted checkout page and the SMS link over real HTTP.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn hosted_checkout_pay_decline_cancel_and_expired() {
    let live = Live::start().await;
    let v = live.checkout(checkout_body(400, None)).await;
    let url = v["checkout_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&live.base));
    let oid = v["order_id"].as_str().unwrap().to_owned();
    let cid = v["checkout_id"].as_str().unwrap().to_owned();
    let page = live.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("action=\"/hosted/checkout/{cid}\"")));
    assert!(
        html.contains("id=\"pay\"")
            && html.contains("id=\"decline\"")
            && html.contains("id=\"cancel\"")
    );
    assert!(
        html.contains("4 payments of SAR\u{a0}100.00") || html.contains("3 payments"),
        "{html}"
    );
    let ar = live
        .http
        .get(url.replace("en_US", "ar_SA"))
        .send()
        .await
        .unwrap();
    assert!(ar.text().await.unwrap().contains("dir=\"rtl\""));

    // Pay with the documented decline phone → failure URL (which already has a query).
    let resp = live
        .post_form(
            &format!("/hosted/checkout/{cid}"),
            &[("action", "pay"), ("phone", "526422337")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        format!("http://127.0.0.1:9/failure?shop=1&orderId={oid}&paymentStatus=declined")
    );
    let (_, o) = live
        .api(reqwest::Method::GET, &format!("/orders/{oid}"), None)
        .await;
    assert_eq!(o["status"], "declined");
    // Decided: a clear page, nothing changes.
    let resp = live
        .post_form(&format!("/hosted/checkout/{cid}"), &[("action", "pay")])
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(resp.text().await.unwrap().contains("already"));
    let page = live.http.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::CONFLICT);
    assert!(!page.text().await.unwrap().contains("<form"));

    // Another order: approve with the success phone.
    let (oid2, cid2) = live.checkout_ids(300).await;
    let resp = live
        .post_form(
            &format!("/hosted/checkout/{cid2}"),
            &[("action", "pay"), ("phone", "0544337866")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        format!("http://127.0.0.1:9/success?orderId={oid2}&paymentStatus=approved")
    );
    // Cancel on the page → expired, cancel URL.
    let (oid3, cid3) = live.checkout_ids(300).await;
    let resp = live
        .post_form(&format!("/hosted/checkout/{cid3}"), &[("action", "cancel")])
        .await;
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        format!("http://127.0.0.1:9/cancel?orderId={oid3}&paymentStatus=canceled")
    );
    let (_, o) = live
        .api(reqwest::Method::GET, &format!("/orders/{oid3}"), None)
        .await;
    assert_eq!(o["status"], "expired");
    // Customer decline button.
    let (_, cid4) = live.checkout_ids(300).await;
    let resp = live
        .post_form(
            &format!("/hosted/checkout/{cid4}"),
            &[("action", "decline")],
        )
        .await;
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("paymentStatus=declined"));

    // Expired session: page says so, posting changes nothing.
    let (oid5, cid5) = live.checkout_ids(300).await;
    live.http
        .post(format!("{}/_sandbox/clock/advance", live.base))
        .json(&json!({"minutes": 31}))
        .send()
        .await
        .unwrap();
    let page = live
        .http
        .get(format!("{}/checkout/{cid5}", live.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(page.text().await.unwrap().contains("expired"));
    let resp = live
        .post_form(&format!("/hosted/checkout/{cid5}"), &[("action", "pay")])
        .await;
    assert_eq!(resp.status(), StatusCode::GONE);
    let (_, o) = live
        .api(reqwest::Method::GET, &format!("/orders/{oid5}"), None)
        .await;
    assert_eq!(o["status"], "expired");

    // Unknown session, bad action, bad phone.
    let page = live
        .http
        .get(format!("{}/checkout/nope", live.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let (_, cid6) = live.checkout_ids(300).await;
    let resp = live
        .post_form(&format!("/hosted/checkout/{cid6}"), &[("action", "steal")])
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = live
        .post_form(
            &format!("/hosted/checkout/{cid6}"),
            &[("action", "pay"), ("phone", "12")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sms_link_pay_and_decline() {
    let live = Live::start().await;
    let b = json!({"total_amount": sar(300), "phone_number": "544337866", "order_reference_id": "POS-9", "items": []});
    let (s, v) = live
        .api(
            reqwest::Method::POST,
            "/checkout/in-store-session",
            Some(b.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let oid = v["order_id"].as_str().unwrap().to_owned();
    let (_, sms) = live.api(reqwest::Method::GET, "/_sandbox/sms", None).await;
    let link = sms[0]["link"].as_str().unwrap().to_owned();
    assert_eq!(link, v["checkout_deeplink"].as_str().unwrap());
    let page = live.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let cid = v["checkout_id"].as_str().unwrap();
    assert!(html.contains(&format!("action=\"/hosted/pay/{cid}\"")));
    let resp = live
        .post_form(&format!("/hosted/pay/{cid}"), &[("action", "pay")])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("Payment successful"));
    let (_, o) = live
        .api(
            reqwest::Method::GET,
            &format!("/merchants/orders/{oid}"),
            None,
        )
        .await;
    assert_eq!(o["status"], "fully_captured");
    assert_eq!(o["captured_amount"], sar(300));
    let resp = live
        .post_form(&format!("/hosted/pay/{cid}"), &[("action", "pay")])
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    // Decline on a second link.
    let (_, v) = live
        .api(reqwest::Method::POST, "/checkout/in-store-session", Some(b))
        .await;
    let cid2 = v["checkout_id"].as_str().unwrap();
    let resp = live
        .post_form(&format!("/hosted/pay/{cid2}"), &[("action", "decline")])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("declined"));
    let (_, o) = live
        .api(
            reqwest::Method::GET,
            &format!("/orders/{}", v["order_id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(o["status"], "declined");
    // An online session is not an in-store link.
    let (_, cid) = live.checkout_ids(300).await;
    let page = live
        .http
        .get(format!("{}/pay/{cid}", live.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}
