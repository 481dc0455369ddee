//! Auth, create checkout (validation, leniency, limits), availability endpoints, configs.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn bearer_is_required() {
    let sb = Sb::new();
    for token in [None, Some("wrong"), Some("")] {
        let (s, v) = sb
            .call_with("POST", "/checkout", Some(checkout_body(300, None)), token)
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(v, json!({"message": "Unauthorized"}));
    }
    let (s, _) = sb
        .call_with("GET", "/merchants/orders/x", None, Some("test-api-tokenX"))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // The control API needs no token.
    let (s, _) = sb.call_with("GET", "/_sandbox/clock", None, None).await;
    assert_eq!(s, StatusCode::OK);
    // Unknown routes: 404 JSON.
    let (s, v) = sb.call("GET", "/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v["message"], "Not found");
    let (s, v) = sb.call("DELETE", "/checkout", None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["errors"][0]["error_code"], "method_not_allowed");
}

#[tokio::test]
async fn create_checkout_returns_session_and_order_is_new() {
    let sb = Sb::new();
    let (s, v) = sb
        .call("POST", "/checkout", Some(checkout_body(300, None)))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (oid, cid) = (
        v["order_id"].as_str().unwrap(),
        v["checkout_id"].as_str().unwrap(),
    );
    assert!(tamara_core::ids::is_uuid(oid) && tamara_core::ids::is_uuid(cid));
    assert_eq!(
        v["checkout_url"],
        format!("http://127.0.0.1:7070/checkout/{cid}?locale=en_US&orderId={oid}")
    );
    assert_eq!(v["status"], "new");
    let o = sb.order(oid).await;
    assert_eq!(o["status"], "new");
    assert_eq!(o["total_amount"], sar(300));
    assert_eq!(o["consumer"]["phone_number"], "966544337866");
    assert_eq!(o["discount_amount"], json!({"name": "", "amount": sar(0)}));
    // Parses with core's type.
    let d: tamara_core::orders::OrderDetails = serde_json::from_value(o).unwrap();
    assert_eq!(d.items.len(), 1);
}

async fn expect_code(sb: &Sb, body: serde_json::Value, status: StatusCode, code: &str) {
    let (s, v) = sb.call("POST", "/checkout", Some(body)).await;
    assert_eq!(s, status, "{code}: {v}");
    assert_eq!(v["errors"][0]["error_code"], code, "{v}");
}

#[tokio::test]
async fn validation_errors_use_tamara_codes() {
    let sb = Sb::new();
    let mut b = checkout_body(300, None);
    b["country_code"] = json!("AE");
    expect_code(
        &sb,
        b,
        StatusCode::BAD_REQUEST,
        "total_amount_invalid_currency",
    )
    .await;

    let mut b = checkout_body(300, None);
    b["consumer"]["phone_number"] = json!("12345");
    expect_code(
        &sb,
        b,
        StatusCode::BAD_REQUEST,
        "consumer_invalid_phone_number",
    )
    .await;

    let mut b = checkout_body(300, None);
    b["shipping_address"]["phone_number"] = json!("999");
    expect_code(
        &sb,
        b,
        StatusCode::BAD_REQUEST,
        "shipping_address_invalid_phone_number",
    )
    .await;

    let mut b = checkout_body(300, None);
    b["total_amount"] = sar(301);
    expect_code(&sb, b, StatusCode::BAD_REQUEST, "total_amount_invalid").await;

    // Over every maximum (10000 SAR pay-now) and under every minimum (1 SAR pay-now).
    expect_code(
        &sb,
        checkout_body(20000, None),
        StatusCode::BAD_REQUEST,
        "total_amount_invalid_limit",
    )
    .await;
    let mut b = checkout_body(300, None);
    b["total_amount"] = json!({"amount": 0.5, "currency": "SAR"});
    b["items"][0]["total_amount"] = json!({"amount": 0.5, "currency": "SAR"});
    expect_code(
        &sb,
        b,
        StatusCode::BAD_REQUEST,
        "total_amount_invalid_limit",
    )
    .await;
    // A named plan is checked against its own limits: 4000 SAR in 3 instalments is over 3000.
    let mut b = checkout_body(4000, None);
    b["payment_type"] = json!("PAY_BY_INSTALMENTS");
    b["instalments"] = json!(3);
    expect_code(
        &sb,
        b,
        StatusCode::BAD_REQUEST,
        "total_amount_invalid_limit",
    )
    .await;

    let mut b = checkout_body(300, None);
    b["total_amount"]["currency"] = json!("USD");
    expect_code(&sb, b, StatusCode::BAD_REQUEST, "currency_unsupported").await;

    let mut b = checkout_body(300, None);
    b["country_code"] = json!("US");
    expect_code(
        &sb,
        b,
        StatusCode::BAD_REQUEST,
        "not_supported_delivery_country",
    )
    .await;

    let mut b = checkout_body(300, None);
    b["description"] = json!("");
    expect_code(&sb, b, StatusCode::BAD_REQUEST, "invalid_request").await;

    let mut b = checkout_body(300, None);
    b["merchant_url"]["success"] = json!("not a url");
    expect_code(&sb, b, StatusCode::BAD_REQUEST, "invalid_request").await;

    let mut b = checkout_body(300, None);
    b["expires_in_minutes"] = json!(2);
    expect_code(&sb, b, StatusCode::BAD_REQUEST, "invalid_request").await;

    // Wrong type: the field path is reported.
    let mut b = checkout_body(300, None);
    b["items"][0]["quantity"] = json!("two");
    let (s, v) = sb.call("POST", "/checkout", Some(b)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_request");
    assert_eq!(v["errors"][0]["field"], "items[0].quantity");

    // Missing required field.
    let mut b = checkout_body(300, None);
    b.as_object_mut().unwrap().remove("consumer");
    expect_code(&sb, b, StatusCode::BAD_REQUEST, "invalid_request").await;

    // Nothing was stored.
    let (_, orders) = sb.call("GET", "/_sandbox/orders", None).await;
    assert_eq!(orders.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn malformed_json_and_body_limit() {
    let sb = Sb::new();
    let (s, v) = sb
        .post_bytes("/checkout", b"{\"total_amount\": ".to_vec())
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_json");
    let (s, v) = sb.post_bytes("/checkout", Vec::new()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_json");
    let (s, v) = sb.post_bytes("/checkout", b"[1,2]".to_vec()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_request");
    let mut b = checkout_body(300, None);
    b["description"] = json!("x".repeat(300 * 1024));
    let (s, v) = sb
        .post_bytes("/checkout", serde_json::to_vec(&b).unwrap())
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(v["errors"][0]["error_code"], "payload_too_large");
}

#[tokio::test]
async fn lenient_inputs_are_accepted() {
    let sb = Sb::new();
    let mut b = checkout_body(300, None);
    b["risk_assessment"] = json!([]);
    b["billing_address"] = json!(null);
    b["discount"] = json!({"name": "", "amount": sar(0)});
    b["payment_type"] = json!("PAY_BY_LATER");
    b["locale"] = json!("en_GB");
    b["total_amount"] = json!({"amount": "300.00", "currency": "SAR"});
    b["items"][0]["total_amount"] = json!({"amount": 300.0, "currency": "SAR"});
    b["some_future_field"] = json!({"x": 1});
    b["additional_data"] = json!([]);
    let (s, v) = sb.call("POST", "/checkout", Some(b)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["checkout_url"].as_str().unwrap().contains("locale=en_US"));

    // A named discount is kept and shown as {name, amount}.
    let mut b = checkout_body(300, None);
    b["discount"] = json!({"name": "WELCOME", "amount": sar(50)});
    b["total_amount"] = sar(250);
    let (oid, _) = sb.checkout(b).await;
    let o = sb.order(&oid).await;
    assert_eq!(
        o["discount_amount"],
        json!({"name": "WELCOME", "amount": sar(50)})
    );
    // Arabic by default.
    let mut b = checkout_body(300, None);
    b.as_object_mut().unwrap().remove("locale");
    let (_, v) = sb.call("POST", "/checkout", Some(b)).await;
    assert!(v["checkout_url"].as_str().unwrap().contains("locale=ar_SA"));
}

#[tokio::test]
async fn payment_types_pre_checks_and_configs() {
    let sb = Sb::new();
    let (s, v) = sb
        .call(
            "GET",
            "/checkout/payment-types?country=SA&currency=SAR",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let types: Vec<tamara_core::checkout::PaymentTypeInfo> = serde_json::from_value(v).unwrap();
    assert_eq!(types[0].name, tamara_core::PaymentType::PayByInstalments);
    let counts: Vec<u32> = types[0]
        .supported_instalments
        .iter()
        .map(|s| s.instalments)
        .collect();
    assert_eq!(counts, vec![3, 4]);
    let (_, v) = sb
        .call(
            "GET",
            "/checkout/payment-types?country=SA&order_value=20.00",
            None,
        )
        .await;
    assert_eq!(
        v.as_array().unwrap().len(),
        1,
        "only PAY_NOW allows 20 SAR: {v}"
    );
    let (s, v) = sb
        .call(
            "GET",
            "/checkout/payment-types?country=SA&currency=AED",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["errors"][0]["error_code"],
        "total_amount_invalid_currency"
    );
    let (s, v) = sb
        .call("GET", "/checkout/payment-types?country=US", None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["errors"][0]["error_code"],
        "not_supported_delivery_country"
    );
    let (s, _) = sb.call("GET", "/checkout/payment-types", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, v) = sb
        .call("GET", "/checkout/payment-types?country=KW", None)
        .await;
    assert_eq!(v[0]["max_limit"], json!({"amount": 500, "currency": "KWD"}));

    let (s, v) = sb
        .call(
            "POST",
            "/checkout/payment-options-pre-check",
            Some(json!({"country": "SA", "order_value": sar(400), "phone_number": "544337866"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["has_available_payment_options"], true);
    let labels = v["available_payment_labels"].as_array().unwrap();
    assert!(labels
        .iter()
        .any(|l| l["instalment"] == 4
            && l["description_en"].as_str().unwrap().contains("100.00 SAR")));
    let (_, v) = sb
        .call(
            "POST",
            "/checkout/payment-options-pre-check",
            Some(json!({"country": "SA", "order_value": sar(400), "phone_number": "526422337"})),
        )
        .await;
    assert_eq!(v["has_available_payment_options"], false);
    let (s, _) = sb
        .call(
            "POST",
            "/checkout/payment-options-pre-check",
            Some(json!({"country": "SA", "order_value": {"amount": 1, "currency": "KWD"}})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let credit = json!({
        "total_amount": sar(40), "country_code": "SA",
        "consumer": {"first_name": "A", "last_name": "B", "phone_number": "544337866", "email": "a@b.c"}
    });
    let (s, v) = sb
        .call("POST", "/checkout/credit-pre-check", Some(credit.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1);
    let mut declined = credit;
    declined["consumer"]["phone_number"] = json!("526422337");
    let (_, v) = sb
        .call("POST", "/checkout/credit-pre-check", Some(declined))
        .await;
    assert_eq!(v, json!([]));

    let (s, v) = sb.call("GET", "/merchants/configs", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v,
        json!({"single_checkout_enabled": true, "public_key": "sandbox-public-key"})
    );
}

#[tokio::test]
async fn id_verification_status() {
    let sb = Sb::new();
    let q = |p: &str, c: &str| {
        format!("/merchants/customer/id-verification-status?phone_number={p}&country_code={c}")
    };
    let (s, v) = sb.call("GET", &q("966544337866", "SA"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, json!({"is_id_verified": true}));
    let (_, v) = sb.call("GET", &q("966533333333", "SA"), None).await;
    assert_eq!(v, json!({"is_id_verified": false}));
    // Paying in the sandbox verifies the shopper.
    let mut b = checkout_body(300, None);
    b["consumer"]["phone_number"] = json!("0533333333");
    let (id, _) = sb.checkout(b).await;
    assert_eq!(sb.trigger(&id, "approve").await.0, StatusCode::OK);
    let (_, v) = sb.call("GET", &q("966533333333", "SA"), None).await;
    assert_eq!(v, json!({"is_id_verified": true}));
    let (s, v) = sb.call("GET", &q("96612", "SA"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["error_code"], "invalid_phone_number");
    // Without the country code (as documented: `966544337766`).
    let (s, v) = sb.call("GET", &q("544337866", "SA"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["errors"][0]["field"], "phone_number");
    let (s, _) = sb.call("GET", &q("96599999999", "KW"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
