//! GET order (both paths, by reference), authorise, capture, cancel, refunds, reference id.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn get_order_paths_and_not_found() {
    let sb = Sb::new();
    let mut b = checkout_body(300, None);
    b["order_reference_id"] = json!("MY-REF-1");
    let (id, _) = sb.checkout(b).await;
    let a = sb.order(&id).await;
    let (s, b2) = sb.call("GET", &format!("/orders/{id}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a, b2);
    let (s, c) = sb
        .call("GET", "/merchants/orders/reference-id/MY-REF-1", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["order_id"], json!(id));
    for path in [
        "/merchants/orders/00000000-0000-4000-8000-000000000000",
        "/orders/nope",
        "/merchants/orders/reference-id/unknown",
    ] {
        let (s, v) = sb.call("GET", path, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(v, json!({"message": "Order not found"}));
    }
    for (m, p) in [
        ("POST", "/orders/nope/authorise"),
        ("POST", "/orders/nope/cancel"),
        ("POST", "/payments/simplified-refund/nope"),
    ] {
        let body = json!({"total_amount": sar(1), "comment": "c"});
        let (s, v) = sb.call(m, p, Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p} {v}");
    }
    let (s, _) = sb
        .call("POST", "/payments/capture", Some(capture_body("nope", 1)))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn authorise_is_idempotent_and_refused_before_approval() {
    let sb = Sb::new();
    let (id, _) = sb.checkout(checkout_body(300, None)).await;
    let (s, v) = sb
        .call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "invalid_transition");
    sb.trigger(&id, "approve").await;
    // The SDK sends {"order_id"}; the docs send nothing: both work.
    let (s, first) = sb
        .call(
            "POST",
            &format!("/orders/{id}/authorise"),
            Some(json!({"order_id": id})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{first}");
    assert_eq!(first["status"], "authorised");
    assert_eq!(first["auto_captured"], false);
    assert_eq!(first["capture_id"], "");
    assert_eq!(first["authorized_amount"], sar(300));
    let (s, again) = sb
        .call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(first, again);
    let _: tamara_core::orders::Authorisation = serde_json::from_value(first).unwrap();
    // Declined orders cannot be authorised.
    let (id2, _) = sb.checkout(checkout_body(300, None)).await;
    sb.trigger(&id2, "decline").await;
    let (s, _) = sb
        .call("POST", &format!("/orders/{id2}/authorise"), None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn auto_capture_on_authorise() {
    let sb = Sb::with(tamara_sandbox::Config {
        auto_capture: true,
        ..config()
    });
    let (id, _) = sb.checkout(checkout_body(300, None)).await;
    sb.trigger(&id, "approve").await;
    let (s, v) = sb
        .call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "fully_captured");
    assert_eq!(v["auto_captured"], true);
    let o = sb.order(&id).await;
    assert_eq!(
        v["capture_id"],
        o["transactions"]["captures"][0]["capture_id"]
    );
    assert_eq!(o["captured_amount"], sar(300));
}

#[tokio::test]
async fn auto_authorise_goes_straight_to_fully_captured() {
    let sb = Sb::with(tamara_sandbox::Config {
        auto_authorise: true,
        ..config()
    });
    let (id, cid) = sb.checkout(checkout_body(300, None)).await;
    let (s, _, _) = sb
        .form(&format!("/hosted/checkout/{cid}"), "action=pay")
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let o = sb.order(&id).await;
    assert_eq!(o["status"], "fully_captured");
    let (s, v) = sb
        .call("POST", &format!("/orders/{id}/authorise"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "fully_captured");
    assert_eq!(v["auto_captured"], true);
}

#[tokio::test]
async fn capture_refund_books_and_errors() {
    let sb = Sb::new();
    let id = sb.authorised(300).await;
    let (s, v) = sb
        .call("POST", "/payments/capture", Some(capture_body(&id, 100)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "partially_captured");
    assert_eq!(v["captured_amount"], sar(100));
    let cap1 = v["capture_id"].as_str().unwrap().to_owned();
    // Over-capture.
    let (s, v) = sb
        .call("POST", "/payments/capture", Some(capture_body(&id, 201)))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "capture_exceeds_remaining");
    // Cancel after a capture is refused.
    let (s, v) = sb
        .call(
            "POST",
            &format!("/orders/{id}/cancel"),
            Some(json!({"total_amount": sar(10)})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "invalid_transition");
    // Wrong currency.
    let mut kwd = capture_body(&id, 1);
    kwd["total_amount"] = json!({"amount": 1, "currency": "KWD"});
    let (s, v) = sb.call("POST", "/payments/capture", Some(kwd)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "currency_mismatch");
    // Missing shipping_info.
    let (s, v) = sb
        .call(
            "POST",
            "/payments/capture",
            Some(json!({"order_id": id, "total_amount": sar(1)})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "shipping_info");
    let (s, v) = sb
        .call("POST", "/payments/capture", Some(capture_body(&id, 200)))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "fully_captured");
    let cap2 = v["capture_id"].as_str().unwrap().to_owned();

    // Several partial refunds, each with its own id.
    let refund = |amt: u64| json!({"total_amount": sar(amt), "comment": "returned"});
    let path = format!("/payments/simplified-refund/{id}");
    let (s, r1) = sb.call("POST", &path, Some(refund(50))).await;
    assert_eq!(s, StatusCode::OK, "{r1}");
    assert_eq!(r1["status"], "partially_refunded");
    assert_eq!(r1["refunded_amount"], sar(50));
    assert_eq!(r1["capture_id"], json!(cap1));
    let (_, r2) = sb.call("POST", &path, Some(refund(100))).await;
    assert_ne!(r1["refund_id"], r2["refund_id"]);
    let (s, v) = sb.call("POST", &path, Some(refund(151))).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "refund_exceeds_captured");
    let (s, v) = sb
        .call(
            "POST",
            &path,
            Some(json!({"total_amount": sar(1), "comment": " "})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // Legacy per-capture refund.
    let (s, v) = sb
        .call(
            "POST",
            "/payments/refund",
            Some(json!({"order_id": id, "refunds": [{"capture_id": cap2, "total_amount": sar(150)}]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["refunds"][0]["capture_id"], json!(cap2));
    let (s, v) = sb
        .call(
            "POST",
            "/payments/refund",
            Some(json!({"order_id": id, "refunds": [{"capture_id": "nope", "total_amount": sar(1)}]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "capture_not_found");

    let o = sb.order(&id).await;
    assert_eq!(o["status"], "fully_refunded");
    assert_eq!(o["captured_amount"], sar(300));
    assert_eq!(o["refunded_amount"], sar(300));
    assert_eq!(o["paid_amount"], sar(100));
    let t = &o["transactions"];
    assert_eq!(t["captures"].as_array().unwrap().len(), 2);
    assert_eq!(t["refunds"].as_array().unwrap().len(), 3);
    assert_eq!(t["captures"][0]["refunded_amount"], sar(100));
    assert_eq!(t["captures"][0]["shipping_info"]["tracking_number"], "100");
    // Refund after fully refunded.
    let (s, _) = sb.call("POST", &path, Some(refund(1))).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn partial_then_full_cancel() {
    let sb = Sb::new();
    let id = sb.authorised(300).await;
    let path = format!("/orders/{id}/cancel");
    let (s, v) = sb
        .call("POST", &path, Some(json!({"total_amount": sar(100)})))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "updated");
    assert_eq!(v["canceled_amount"], sar(100));
    let (s, v) = sb
        .call("POST", &path, Some(json!({"total_amount": sar(201)})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "cancel_exceeds_remaining");
    let (s, v) = sb
        .call("POST", &path, Some(json!({"total_amount": sar(0)})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["errors"][0]["error_code"], "zero_amount");
    let (s, v) = sb
        .call("POST", &path, Some(json!({"total_amount": sar(200)})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "canceled");
    let o = sb.order(&id).await;
    assert_eq!(o["canceled_amount"], sar(300));
    assert_eq!(o["transactions"]["cancels"].as_array().unwrap().len(), 2);
    let (s, _) = sb
        .call("POST", &path, Some(json!({"total_amount": sar(1)})))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = sb.call("POST", &path, Some(json!({"amount": 1}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn update_reference_id() {
    let sb = Sb::new();
    let (id, _) = sb.checkout(checkout_body(300, None)).await;
    let path = format!("/orders/{id}/reference-id");
    let (s, v) = sb
        .call("PUT", &path, Some(json!({"order_reference_id": "NEW-9"})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["message"], "Order reference id was updated successfully");
    let (s, v) = sb
        .call("GET", "/merchants/orders/reference-id/NEW-9", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["order_id"], json!(id));
    let (s, _) = sb
        .call("PUT", &path, Some(json!({"order_reference_id": ""})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = sb
        .call(
            "PUT",
            "/orders/nope/reference-id",
            Some(json!({"order_reference_id": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
