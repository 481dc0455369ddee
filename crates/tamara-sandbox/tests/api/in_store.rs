//! In-store SMS link and QR sessions, void.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn body(phone: &str, locale: &str) -> Value {
    json!({
        "total_amount": sar(300), "phone_number": phone, "order_reference_id": "POS-1",
        "items": [{"reference_id": "1", "type": "Physical", "name": "Shoes", "sku": "S", "quantity": 1, "total_amount": sar(300)}],
        "locale": locale, "additional_data": {"store_code": "Branch A"}
    })
}

async fn session(sb: &Sb, locale: &str) -> (String, String, Value) {
    let (s, v) = sb
        .call(
            "POST",
            "/checkout/in-store-session",
            Some(body("+966 54 433 7866", locale)),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    (
        v["order_id"].as_str().unwrap().to_owned(),
        v["checkout_id"].as_str().unwrap().to_owned(),
        v,
    )
}

#[tokio::test]
async fn session_sends_sms_in_the_shopper_language() {
    let sb = Sb::new();
    let (id, cid, v) = session(&sb, "en_US").await;
    assert_eq!(
        v["checkout_deeplink"],
        format!("http://127.0.0.1:7070/pay/{cid}")
    );
    let (_, id_ar, _) = {
        let (a, b, c) = session(&sb, "ar_SA").await;
        (b, a, c)
    };
    let (_, sms) = sb.call("GET", "/_sandbox/sms", None).await;
    let sms = sms.as_array().unwrap();
    assert_eq!(sms.len(), 2);
    assert_eq!(sms[0]["phone"], "966544337866");
    assert_eq!(sms[0]["order_id"], json!(id));
    assert_eq!(sms[0]["checkout_id"], json!(cid));
    assert_eq!(sms[0]["link"], v["checkout_deeplink"]);
    let en = sms[0]["text"].as_str().unwrap();
    assert!(
        en.contains("SAR\u{a0}300.00") && en.contains(&format!("/pay/{cid}")),
        "{en}"
    );
    assert!(sms[1]["text"].as_str().unwrap().contains("تمارا"));
    assert_eq!(sms[1]["lang"], "ar");
    assert_eq!(sms[1]["order_id"], json!(id_ar));
    let o = sb.order(&id).await;
    assert_eq!(o["status"], "new");
    assert_eq!(o["store_code"], "Branch A");
    assert_eq!(o["additional_data"]["from_in_store_payment_link"], true);
}

#[tokio::test]
async fn session_validation() {
    let sb = Sb::new();
    let (s, v) = sb
        .call(
            "POST",
            "/checkout/in-store-session",
            Some(body("123", "en_US")),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_phone_number");
    let mut b = body("544337866", "en_US");
    b["total_amount"] = sar(20000);
    let (s, v) = sb.call("POST", "/checkout/in-store-session", Some(b)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "total_amount_invalid_limit");
    let mut b = body("544337866", "en_US");
    b["items"][0]["total_amount"] = json!({"amount": 1, "currency": "AED"});
    let (s, v) = sb.call("POST", "/checkout/in-store-session", Some(b)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["errors"][0]["error_code"],
        "total_amount_invalid_currency"
    );
    let mut b = body("544337866", "en_US");
    b["expiry_time"] = json!(2000);
    let (s, _) = sb.call("POST", "/checkout/in-store-session", Some(b)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn void_before_and_after_payment() {
    let sb = Sb::new();
    // Void with the ids in the query (docs).
    let (id, cid, _) = session(&sb, "en_US").await;
    let (s, v) = sb
        .call(
            "POST",
            &format!("/checkout/{cid}/void?order_id={id}&store_code=Branch%20A"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["order_was_voided"], true);
    assert_eq!(v["store_code"], "Branch A");
    let o = sb.order(&id).await;
    assert_eq!(o["status"], "canceled");
    assert_eq!(o["canceled_amount"], sar(300));
    // Voiding again is harmless.
    let (_, v) = sb
        .call("POST", &format!("/checkout/{cid}/void?order_id={id}"), None)
        .await;
    assert_eq!(v["order_was_voided"], true);
    // Void in a JSON body (SDK), after payment.
    let (id, cid, _) = session(&sb, "en_US").await;
    let (s, v) = sb.trigger(&id, "pay").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "fully_captured");
    assert_eq!(v["transactions"]["captures"].as_array().unwrap().len(), 1);
    let (s, v) = sb
        .call(
            "POST",
            &format!("/checkout/{cid}/void"),
            Some(json!({"order_id": id})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["order_was_voided"], false);
    assert_eq!(v["captured_amount"], sar(300));
    assert_eq!(sb.order(&id).await["status"], "fully_captured");
    // Refund an in-store order: booked against the payment's capture.
    let (s, r) = sb
        .call(
            "POST",
            &format!("/payments/simplified-refund/{id}"),
            Some(json!({"total_amount": sar(300), "comment": "returned"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["status"], "fully_refunded");
    assert_eq!(
        r["capture_id"],
        sb.order(&id).await["transactions"]["captures"][0]["capture_id"]
    );
    // Errors.
    let (s, _) = sb
        .call("POST", &format!("/checkout/{cid}/void"), None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = sb
        .call(
            "POST",
            &format!("/checkout/{cid}/void?order_id=other"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "order_id_mismatch");
    let (s, _) = sb
        .call("POST", "/checkout/nope/void?order_id=x", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Online orders cannot be voided.
    let (oid, ocid) = sb.checkout(checkout_body(300, None)).await;
    let (s, v) = sb
        .call(
            "POST",
            &format!("/checkout/{ocid}/void?order_id={oid}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "wrong_channel");
}

#[tokio::test]
async fn qr_session_needs_a_device_id() {
    let sb = Sb::new();
    let b = json!({"amount": sar(150), "order_reference_id": "QR-1"});
    let (s, v) = sb.call("POST", "/checkout/in-store", Some(b.clone())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "X-Device-Id");
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/checkout/in-store")
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("X-Device-Id", "POS-7")
        .body(axum::body::Body::from(serde_json::to_vec(&b).unwrap()))
        .unwrap();
    let (s, bytes) = sb.raw(req).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(v["checkout_deeplink"].as_str().unwrap().contains("/pay/"));
    let (_, sms) = sb.call("GET", "/_sandbox/sms", None).await;
    assert_eq!(sms, json!([]));
}
