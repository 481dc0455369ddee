//! Go-live fidelity (issue 16): pre-checkout eligibility, webhook `headers: []`, `GET
//! /webhooks/list`, `webhook_already_registered`, the full order shape for in-store orders,
//! null optional objects in credit-pre-check.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::common::*;

fn elig(amount: Value, currency: &str, customer: Value) -> Value {
    json!({"order": {"amount": amount, "currency": currency}, "customer": customer})
}

#[tokio::test]
async fn eligibility_serves_the_documented_test_phones() {
    let sb = Sb::new();
    let path = "/pre-checkout/v1/eligibility";
    for (phone, cur, want) in [
        ("966501234567", "SAR", true),
        ("971501234567", "AED", true),
        ("966504591298", "SAR", false),
        ("971562477204", "AED", false),
    ] {
        for key in ["phone_number", "phone"] {
            let (s, v) = sb
                .call(
                    "POST",
                    path,
                    Some(elig(json!(499.5), cur, json!({ key: phone }))),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            assert_eq!(v, json!({"is_eligible": want}), "{phone} via {key}");
        }
    }
    // No phone → eligible.
    let (s, v) = sb
        .call(
            "POST",
            path,
            Some(json!({"order": {"amount": 100, "currency": "SAR"}})),
        )
        .await;
    assert_eq!((s, v), (StatusCode::OK, json!({"is_eligible": true})));
    // The amount only as a JSON number.
    let (s, v) = sb
        .call(
            "POST",
            path,
            Some(elig(
                json!("499.50"),
                "SAR",
                json!({"phone_number": "966504591298"}),
            )),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_json");
    // Bearer-authenticated like every API route.
    let (s, _) = sb
        .call_with("POST", path, Some(elig(json!(1), "SAR", json!({}))), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn eligibility_takes_fault_injection() {
    let sb = Sb::new();
    let (s, _) = sb
        .call(
            "POST",
            "/_sandbox/faults",
            Some(
                json!({"route": "POST /pre-checkout/v1/eligibility", "delay_ms": 300, "count": 1}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let t = Instant::now();
    let (s, v) = sb
        .call(
            "POST",
            "/pre-checkout/v1/eligibility",
            Some(elig(
                json!(100),
                "SAR",
                json!({"phone_number": "966504591298"}),
            )),
        )
        .await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!((s, v), (StatusCode::OK, json!({"is_eligible": false})));
}

#[tokio::test]
async fn webhooks_accept_an_empty_header_array_list_at_list_and_refuse_a_duplicate_url() {
    let sb = Sb::new();
    let reg = json!({"type": "order", "url": "https://shop.example.com/tamara/webhook",
                     "events": ["order_approved"], "headers": []});
    let (s, v) = sb.call("POST", "/webhooks", Some(reg.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["webhook_id"].as_str().unwrap().to_owned();
    assert!(v.get("headers").is_none_or(Value::is_null), "{v}");
    // Again: already registered, with the existing id in errors[0].data.
    let (s, v) = sb.call("POST", "/webhooks", Some(reg)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "webhook_already_registered");
    assert_eq!(v["errors"][0]["data"]["webhook_id"], id.as_str());
    assert_eq!(
        v["errors"][0]["data"]["url"],
        "https://shop.example.com/tamara/webhook"
    );
    // Update with `headers: []` too.
    let (s, v) = sb
        .call(
            "PUT",
            &format!("/webhooks/{id}"),
            Some(
                json!({"webhook_id": id, "url": "https://shop.example.com/tamara/webhook",
                        "events": ["order_approved", "order_declined"], "headers": []}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // `GET /webhooks/list` is the list, not the webhook "list".
    let (s, v) = sb.call("GET", "/webhooks/list", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["webhook_id"], id.as_str());
}

#[tokio::test]
async fn in_store_orders_have_the_full_order_shape() {
    let sb = Sb::new();
    let body = json!({
        "total_amount": sar(300), "phone_number": "544337866", "order_reference_id": "POS-9",
        "items": [{"reference_id": "1", "type": "Physical", "name": "Shoes", "sku": "S",
                   "quantity": 1, "total_amount": sar(300)}],
        "locale": "en_US"
    });
    let (s, v) = sb
        .call("POST", "/checkout/in-store-session", Some(body))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["order_id"].as_str().unwrap().to_owned();
    let (s, _) = sb.trigger(&id, "pay").await;
    assert_eq!(s, StatusCode::OK);
    let o = sb.order(&id).await;
    let obj = o.as_object().unwrap();
    assert!(obj.contains_key("shipping_address"), "{o}");
    assert_eq!(o["consumer"]["is_first_order"], false);
    let cap = &o["transactions"]["captures"][0];
    for key in ["tax_amount", "shipping_amount", "discount_amount"] {
        assert_eq!(cap[key]["amount"], 0, "{key}: {cap}");
    }
    assert!(
        cap.as_object().unwrap().contains_key("shipping_info"),
        "{cap}"
    );
}

#[tokio::test]
async fn credit_pre_check_accepts_null_optional_objects() {
    let sb = Sb::new();
    let (s, v) = sb
        .call(
            "POST",
            "/checkout/credit-pre-check",
            Some(
                json!({"total_amount": sar(300), "country_code": "SA", "consumer": null,
                        "items": null, "shipping_address": null, "risk_assessment": null,
                        "additional_data": null}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v.as_array().is_some_and(|a| !a.is_empty()), "{v}");
}
