//! Request building and response parsing for all 22 endpoints of Tamara's API (§2 rows 1–22):
//! method, exact URL (path and query encoding) in every environment, headers, JSON body against
//! the golden fixture, and `parse_response` for 2xx, 400, 401, 404, 409, 429, 5xx, 3xx and a
//! 200 with a bad body.

mod common;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use common::fixtures as fx;
use common::{assert_json_eq, Allow};
use tamara_core::checkout::{
    CreateCheckout, CreateInStoreQr, CreateInStoreSession, CreditPreCheck, GetPaymentTypes,
    PaymentOptionsPreCheck, VoidCheckout,
};
use tamara_core::merchants::{GetMerchantConfigs, IdVerificationStatus};
use tamara_core::orders::{
    AuthoriseOrder, CancelOrder, GetOrder, GetOrderByReference, UpdateReferenceId,
};
use tamara_core::payments::{Capture, LegacyRefund, SimplifiedRefund};
use tamara_core::webhooks::{
    DeleteWebhook, ListWebhooks, RegisterWebhook, RetrieveWebhook, UpdateWebhook,
};
use tamara_core::{
    ApiError, ApiToken, Client, Country, Currency, Endpoint, Environment, ErrorCode, EventType,
    HttpRequest, Method, Money, OrderStatus,
};

const TOKEN: &str = "tmr-live-3f9a1c77e2b04d5e-SECRET";
const ORDER: &str = "0ac038ef-de4a-491c-828e-b02ec0d4582d";

fn environments() -> [(Environment, &'static str); 3] {
    [
        (Environment::Sandbox, "https://api-sandbox.tamara.co"),
        (Environment::Production, "https://api.tamara.co"),
        (
            Environment::Custom("http://127.0.0.1:7070/".into()),
            "http://127.0.0.1:7070",
        ),
    ]
}

fn sar(minor: u64) -> Money {
    Money::from_minor(minor, Currency::Sar).unwrap()
}

fn fixture<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap()
}

/// What one endpoint must build.
struct Expect<'a> {
    method: Method,
    /// Path and query, after the base URL.
    path: &'a str,
    /// Expected JSON body and how it may differ from the fixture.
    body: Option<(&'a str, Allow<'a>)>,
    /// Headers besides Authorization, Accept, User-Agent and Content-Type.
    extra: &'a [(&'a str, &'a str)],
}

fn check_build<E: Endpoint>(name: &str, ep: &E, want: &Expect<'_>) -> HttpRequest {
    let mut last = None;
    for (env, base) in environments() {
        let client = Client::new(env, ApiToken::new(TOKEN));
        let req = client.build(ep);
        assert_eq!(req.method, want.method, "{name}");
        assert_eq!(req.url, format!("{base}{}", want.path), "{name}");
        // Headers: exactly these, in this order.
        let mut expected: Vec<(String, String)> = vec![
            ("Authorization".into(), format!("Bearer {TOKEN}")),
            ("Accept".into(), "application/json".into()),
            (
                "User-Agent".into(),
                concat!("tamara-rs/", env!("CARGO_PKG_VERSION")).into(),
            ),
        ];
        if want.body.is_some() {
            expected.push(("Content-Type".into(), "application/json".into()));
        }
        for (k, v) in want.extra {
            expected.push(((*k).into(), (*v).into()));
        }
        assert_eq!(req.headers, expected, "{name}");
        assert_eq!(
            req.header("content-type").is_some(),
            req.body.is_some(),
            "{name}: Content-Type only with a body"
        );
        match (&want.body, &req.body) {
            (Some((json, allow)), Some(body)) => assert_json_eq(name, json, body, allow),
            (None, None) => {}
            (w, got) => panic!("{name}: body expected {w:?}, built {:?}", got.is_some()),
        }
        // The token is on the wire but never in Debug output.
        let dbg = format!("{req:?} {client:?}");
        assert!(!dbg.contains(TOKEN), "{name}: {dbg}");
        assert!(dbg.contains("[redacted]"), "{name}: {dbg}");
        last = Some(req);
    }
    last.unwrap()
}

/// `parse_response` for every status class. Returns the parsed 200 body.
fn check_parse<E: Endpoint>(name: &str, ok: &str, bad: Option<(&str, &str)>) -> E::Response
where
    E::Response: std::fmt::Debug,
{
    let parsed = E::parse_response(200, ok.as_bytes())
        .unwrap_or_else(|e| panic!("{name}: 200 does not parse: {e:?}"));
    assert!(E::parse_response(201, ok.as_bytes()).is_ok(), "{name}: 201");

    match E::parse_response(400, fx::ERROR_400.as_bytes()) {
        Err(e @ ApiError::Rejected { status: 400, .. }) => {
            assert_eq!(e.code(), "total_amount_invalid_limit", "{name}");
            assert!(!e.is_transient());
            let ApiError::Rejected { body, .. } = &e else {
                unreachable!()
            };
            assert_eq!(body.first_code(), Some(&ErrorCode::TotalAmountInvalidLimit));
            assert_eq!(
                body.errors[1].error_code,
                ErrorCode::ConsumerInvalidPhoneNumber
            );
        }
        other => panic!("{name}: 400 gave {other:?}"),
    }
    match E::parse_response(401, fx::ERROR_401.as_bytes()) {
        Err(e @ ApiError::Unauthorized { status: 401, .. }) => {
            assert_eq!(e.code(), "tamara_unauthorized");
            assert_eq!(e.status(), 401);
            assert!(!e.is_transient());
            assert!(e.to_string().contains("Unauthorized"), "{e}");
        }
        other => panic!("{name}: 401 gave {other:?}"),
    }
    match E::parse_response(404, fx::ERROR_404.as_bytes()) {
        Err(e @ ApiError::NotFound { .. }) => {
            assert_eq!(e.code(), "tamara_not_found");
            assert_eq!(e.status(), 404);
            assert!(e.to_string().contains("Order not found"), "{e}");
        }
        other => panic!("{name}: 404 gave {other:?}"),
    }
    match E::parse_response(409, fx::ERROR_409.as_bytes()) {
        Err(e @ ApiError::Rejected { status: 409, .. }) => {
            assert_eq!(e.code(), "invalid_transition");
            assert!(!e.is_transient());
        }
        other => panic!("{name}: 409 gave {other:?}"),
    }
    let e = E::parse_response(429, br#"{"message":"Too Many Requests"}"#).unwrap_err();
    assert!(e.is_transient(), "{name}: 429 is worth retrying");
    for status in [500, 502, 503] {
        match E::parse_response(status, b"<html>Bad Gateway</html>") {
            Err(e @ ApiError::Server { .. }) => {
                assert!(e.is_transient());
                assert_eq!(e.code(), "tamara_unavailable");
                assert_eq!(e.status(), status);
            }
            other => panic!("{name}: {status} gave {other:?}"),
        }
    }
    match E::parse_response(302, b"") {
        Err(ApiError::UnexpectedStatus { status: 302, .. }) => {}
        other => panic!("{name}: 302 gave {other:?}"),
    }
    // A 4xx body that is not JSON keeps its text as the message.
    match E::parse_response(400, b"upstream said no") {
        Err(ApiError::Rejected { body, .. }) => assert_eq!(body.message, "upstream said no"),
        other => panic!("{name}: 400 text gave {other:?}"),
    }
    if let Some((bad_body, path)) = bad {
        match E::parse_response(200, bad_body.as_bytes()) {
            Err(ApiError::Parse {
                status: 200,
                path: p,
                raw,
                ..
            }) => {
                assert_eq!(p, path, "{name}");
                assert_eq!(raw, bad_body, "{name}");
            }
            other => panic!("{name}: bad 200 gave {other:?}"),
        }
        assert!(E::parse_response(200, b"").is_err(), "{name}: empty 200");
    }
    parsed
}

#[test]
fn r01_create_checkout() {
    let ep: CreateCheckout = fixture(fx::CHECKOUT_REQUEST_DOCS);
    check_build(
        "create_checkout",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/checkout",
            body: Some((fx::CHECKOUT_REQUEST_DOCS, Allow::NONE)),
            extra: &[],
        },
    );
    let s = check_parse::<CreateCheckout>(
        "create_checkout",
        fx::CHECKOUT_RESPONSE,
        Some((
            r#"{"order_id":"a","checkout_id":7,"checkout_url":"u"}"#,
            "checkout_id",
        )),
    );
    assert_eq!(s.status, OrderStatus::New);
    // PHP-SDK style input builds a clean body: no nulls, `{}` for the empty risk assessment.
    let php: CreateCheckout = fixture(fx::CHECKOUT_REQUEST_PHP_SDK);
    let req = Client::new(Environment::Sandbox, ApiToken::new(TOKEN)).build(&php);
    assert_json_eq(
        "create_checkout_php",
        fx::CHECKOUT_REQUEST_PHP_SDK,
        req.body.as_deref().unwrap(),
        &Allow {
            dropped: &["billing_address"],
            normalized: &[("risk_assessment", "{}")],
            ..Allow::NONE
        },
    );
}

#[test]
fn r02_get_order() {
    let ep = GetOrder::new(ORDER.into());
    check_build(
        "get_order",
        &ep,
        &Expect {
            method: Method::Get,
            path: &format!("/merchants/orders/{ORDER}"),
            body: None,
            extra: &[],
        },
    );
    let short = GetOrder {
        short_path: true,
        ..ep
    };
    check_build(
        "get_order_short",
        &short,
        &Expect {
            method: Method::Get,
            path: &format!("/orders/{ORDER}"),
            body: None,
            extra: &[],
        },
    );
    // A slash in an id cannot escape its path segment.
    let odd = GetOrder::new("a/b c".into());
    check_build(
        "get_order_odd",
        &odd,
        &Expect {
            method: Method::Get,
            path: "/merchants/orders/a%2Fb%20c",
            body: None,
            extra: &[],
        },
    );
    let o = check_parse::<GetOrder>(
        "get_order",
        fx::ORDER_RESPONSE,
        Some((
            fx::NEG_ORDER_RESPONSE_UNKNOWN_CURRENCY,
            "transactions.captures[0].total_amount.currency",
        )),
    );
    assert_eq!(o.status, OrderStatus::PartiallyRefunded);
}

#[test]
fn r03_get_order_by_reference() {
    let ep = GetOrderByReference {
        order_reference_id: "INV 2023/07?#1&x=ü".into(),
    };
    check_build(
        "get_order_by_reference",
        &ep,
        &Expect {
            method: Method::Get,
            path: "/merchants/orders/reference-id/INV%202023%2F07%3F%231%26x%3D%C3%BC",
            body: None,
            extra: &[],
        },
    );
    let o = check_parse::<GetOrderByReference>(
        "get_order_by_reference",
        fx::ORDER_RESPONSE_IN_STORE_BHD,
        Some((
            r#"{"order_id":"a","order_reference_id":"r","status":"new","total_amount":{"amount":1.001,"currency":"SAR"}}"#,
            "total_amount",
        )),
    );
    assert_eq!(o.total_amount.minor(), 1125);
}

#[test]
fn r04_authorise() {
    let ep = AuthoriseOrder {
        order_id: ORDER.into(),
    };
    check_build(
        "authorise",
        &ep,
        &Expect {
            method: Method::Post,
            path: &format!("/orders/{ORDER}/authorise"),
            body: Some((fx::AUTHORISE_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let a = check_parse::<AuthoriseOrder>(
        "authorise",
        fx::AUTHORISE_RESPONSE,
        Some((
            r#"{"order_id":"a","status":"authorised","authorized_amount":{"amount":"x","currency":"SAR"}}"#,
            "authorized_amount",
        )),
    );
    assert!(a.capture_id.is_empty());
    let auto = AuthoriseOrder::parse_response(200, fx::AUTHORISE_RESPONSE_AUTO_CAPTURED.as_bytes())
        .unwrap();
    assert!(auto.auto_captured);
    assert_eq!(auto.status, OrderStatus::FullyCaptured);
    // Docs answer without `capture_id` at all: it defaults to "".
    let bare =
        AuthoriseOrder::parse_response(200, br#"{"order_id":"a","status":"authorised"}"#).unwrap();
    assert!(bare.capture_id.is_empty() && !bare.auto_captured);
}

#[test]
fn r05_cancel() {
    let mut ep: CancelOrder = fixture(fx::CANCEL_REQUEST);
    ep.order_id = ORDER.into();
    check_build(
        "cancel",
        &ep,
        &Expect {
            method: Method::Post,
            path: &format!("/orders/{ORDER}/cancel"),
            body: Some((fx::CANCEL_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let c = check_parse::<CancelOrder>(
        "cancel",
        fx::CANCEL_RESPONSE,
        Some((
            r#"{"cancel_id":"c","order_id":"o","status":"canceled","canceled_amount":{"amount":1,"currency":"EUR"}}"#,
            "canceled_amount.currency",
        )),
    );
    assert_eq!(c.canceled_amount, sar(5000));
}

#[test]
fn r06_capture() {
    let ep: Capture = fixture(fx::CAPTURE_REQUEST);
    check_build(
        "capture",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/payments/capture",
            body: Some((
                fx::CAPTURE_REQUEST,
                Allow {
                    normalized: &[("shipping_info.tracking_number", "\"100\"")],
                    ..Allow::NONE
                },
            )),
            extra: &[],
        },
    );
    let c = check_parse::<Capture>(
        "capture",
        fx::CAPTURE_RESPONSE,
        Some((
            fx::NEG_CAPTURE_RESPONSE_TOO_MANY_DECIMALS,
            "captured_amount",
        )),
    );
    assert_eq!(c.captured_amount, sar(25000));
}

#[test]
fn r07_simplified_refund() {
    let ep = SimplifiedRefund::new(ORDER.into(), sar(10000), "Refund for the order 123");
    check_build(
        "simplified_refund",
        &ep,
        &Expect {
            method: Method::Post,
            path: &format!("/payments/simplified-refund/{ORDER}"),
            body: Some((fx::SIMPLIFIED_REFUND_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let r = check_parse::<SimplifiedRefund>(
        "simplified_refund",
        fx::SIMPLIFIED_REFUND_RESPONSE,
        Some((
            r#"{"order_id":"o","refund_id":"r","capture_id":"c","status":5,"refunded_amount":{"amount":1,"currency":"SAR"}}"#,
            "status",
        )),
    );
    assert_eq!(r.refunded_amount, sar(10000));
}

#[test]
fn r08_legacy_refund() {
    let ep: LegacyRefund = fixture(fx::LEGACY_REFUND_REQUEST);
    check_build(
        "legacy_refund",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/payments/refund",
            body: Some((fx::LEGACY_REFUND_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let r = check_parse::<LegacyRefund>(
        "legacy_refund",
        fx::LEGACY_REFUND_RESPONSE,
        Some((
            r#"{"order_id":"o","refunds":[{"capture_id":"c"}]}"#,
            "refunds[0]",
        )),
    );
    assert_eq!(r.refunds.len(), 1);
}

#[test]
fn r09_update_reference_id() {
    let ep = UpdateReferenceId {
        order_id: ORDER.into(),
        order_reference_id: "New Reference ID Here".into(),
    };
    check_build(
        "update_reference_id",
        &ep,
        &Expect {
            method: Method::Put,
            path: &format!("/orders/{ORDER}/reference-id"),
            body: Some((fx::UPDATE_REFERENCE_ID_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let m = check_parse::<UpdateReferenceId>(
        "update_reference_id",
        fx::UPDATE_REFERENCE_ID_RESPONSE,
        Some((r#"{"message":42}"#, "message")),
    );
    assert!(m.message.contains("updated successfully"));
}

#[test]
fn r10_in_store_session() {
    let ep: CreateInStoreSession = fixture(fx::IN_STORE_SESSION_REQUEST);
    check_build(
        "in_store_session",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/checkout/in-store-session",
            body: Some((fx::IN_STORE_SESSION_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let s = check_parse::<CreateInStoreSession>(
        "in_store_session",
        fx::IN_STORE_SESSION_RESPONSE,
        Some((
            r#"{"checkout_id":"c","order_id":"o","checkout_deeplink":false}"#,
            "checkout_deeplink",
        )),
    );
    assert!(s.checkout_deeplink.is_some());
    let s = CreateInStoreSession::parse_response(
        200,
        fx::IN_STORE_SESSION_RESPONSE_NO_DEEPLINK.as_bytes(),
    )
    .unwrap();
    assert!(s.checkout_deeplink.is_none());
}

#[test]
fn r11_in_store_qr() {
    let mut ep: CreateInStoreQr = fixture(fx::IN_STORE_QR_REQUEST);
    ep.device_id = "POS-DEVICE-7".into();
    let req = check_build(
        "in_store_qr",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/checkout/in-store",
            body: Some((fx::IN_STORE_QR_REQUEST, Allow::NONE)),
            extra: &[("X-Device-Id", "POS-DEVICE-7")],
        },
    );
    assert!(!req.body_str().unwrap().contains("POS-DEVICE-7"));
    check_parse::<CreateInStoreQr>(
        "in_store_qr",
        fx::IN_STORE_QR_RESPONSE,
        Some((r#"{"checkout_id":"c"}"#, ".")),
    );
}

#[test]
fn r12_void_sends_query_and_body() {
    let ep = VoidCheckout {
        checkout_id: "34c4d9db-d56a-4155-8750-9281ac0f9ec3".into(),
        order_id: "3e318d93-0cbc-4689-9e6c-873daeb158de".into(),
        store_code: Some("Branch A".into()),
    };
    check_build(
        "void",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/checkout/34c4d9db-d56a-4155-8750-9281ac0f9ec3/void?order_id=3e318d93-0cbc-4689-9e6c-873daeb158de&store_code=Branch%20A",
            body: Some((fx::VOID_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let no_store = VoidCheckout {
        store_code: None,
        ..ep
    };
    check_build(
        "void_no_store",
        &no_store,
        &Expect {
            method: Method::Post,
            path: "/checkout/34c4d9db-d56a-4155-8750-9281ac0f9ec3/void?order_id=3e318d93-0cbc-4689-9e6c-873daeb158de",
            body: Some((
                r#"{"order_id":"3e318d93-0cbc-4689-9e6c-873daeb158de"}"#,
                Allow::NONE,
            )),
            extra: &[],
        },
    );
    let v = check_parse::<VoidCheckout>(
        "void",
        fx::VOID_RESPONSE,
        Some((r#"{"order_was_voided":"yes"}"#, "order_was_voided")),
    );
    assert!(v.order_was_voided);
}

#[test]
fn r13_id_verification() {
    let ep = IdVerificationStatus {
        phone_number: "966544337766".into(),
        country_code: Country::Sa,
    };
    check_build(
        "id_verification",
        &ep,
        &Expect {
            method: Method::Get,
            path: "/merchants/customer/id-verification-status?phone_number=966544337766&country_code=SA",
            body: None,
            extra: &[],
        },
    );
    let plus = IdVerificationStatus {
        phone_number: "+971 50 123 4567".into(),
        country_code: Country::Ae,
    };
    check_build(
        "id_verification_plus",
        &plus,
        &Expect {
            method: Method::Get,
            path: "/merchants/customer/id-verification-status?phone_number=%2B971%2050%20123%204567&country_code=AE",
            body: None,
            extra: &[],
        },
    );
    let v = check_parse::<IdVerificationStatus>(
        "id_verification",
        fx::ID_VERIFICATION_RESPONSE,
        Some((r#"{"is_id_verified":"true"}"#, "is_id_verified")),
    );
    assert!(v.is_id_verified);
}

#[test]
fn r14_payment_options_pre_check() {
    let ep = PaymentOptionsPreCheck {
        country: Country::Sa,
        order_value: sar(30000),
        phone_number: Some("544337866".into()),
        is_vip: true,
    };
    check_build(
        "payment_options",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/checkout/payment-options-pre-check",
            body: Some((fx::PAYMENT_OPTIONS_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let r = check_parse::<PaymentOptionsPreCheck>(
        "payment_options",
        fx::PAYMENT_OPTIONS_RESPONSE,
        Some((
            r#"{"has_available_payment_options":true,"available_payment_labels":[{"payment_type":"PAY_NOW","instalment":-1}]}"#,
            "available_payment_labels[0].instalment",
        )),
    );
    assert!(r.has_available_payment_options);
}

#[test]
fn r15_payment_types_query() {
    let ep = GetPaymentTypes {
        country: Country::Sa,
        currency: Some(Currency::Sar),
        order_value: Some(sar(23000)),
        phone: Some("+966 544337866".into()),
    };
    check_build(
        "payment_types",
        &ep,
        &Expect {
            method: Method::Get,
            path: "/checkout/payment-types?country=SA&currency=SAR&order_value=230.00&phone=%2B966%20544337866",
            body: None,
            extra: &[],
        },
    );
    let kw = GetPaymentTypes {
        country: Country::Kw,
        currency: None,
        order_value: Some(Money::from_minor(1125, Currency::Kwd).unwrap()),
        phone: None,
    };
    check_build(
        "payment_types_kwd",
        &kw,
        &Expect {
            method: Method::Get,
            path: "/checkout/payment-types?country=KW&order_value=1.125",
            body: None,
            extra: &[],
        },
    );
    let v = check_parse::<GetPaymentTypes>(
        "payment_types",
        fx::PAYMENT_TYPES_RESPONSE,
        Some((fx::NEG_PAYMENT_TYPES_AMOUNT_AS_BOOL, "[0].max_limit.amount")),
    );
    assert_eq!(v.len(), 2);
}

#[test]
fn r16_credit_pre_check() {
    let ep: CreditPreCheck = fixture(fx::CREDIT_PRE_CHECK_REQUEST);
    check_build(
        "credit_pre_check",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/checkout/credit-pre-check",
            body: Some((fx::CREDIT_PRE_CHECK_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let v = check_parse::<CreditPreCheck>(
        "credit_pre_check",
        fx::PAYMENT_TYPES_RESPONSE_KWD,
        Some((r#"{"name":"PAY_NOW"}"#, ".")),
    );
    assert_eq!(v[0].min_limit.minor(), 7500);
}

#[test]
fn r17_merchant_configs() {
    check_build(
        "merchant_configs",
        &GetMerchantConfigs,
        &Expect {
            method: Method::Get,
            path: "/merchants/configs",
            body: None,
            extra: &[],
        },
    );
    let c = check_parse::<GetMerchantConfigs>(
        "merchant_configs",
        fx::MERCHANT_CONFIGS_RESPONSE,
        Some((
            r#"{"single_checkout_enabled":"no"}"#,
            "single_checkout_enabled",
        )),
    );
    assert!(c.single_checkout_enabled);
}

fn all_order_events() -> Vec<EventType> {
    [
        "order_approved",
        "order_authorised",
        "order_canceled",
        "order_updated",
        "order_captured",
        "order_refunded",
        "order_declined",
        "order_expired",
    ]
    .iter()
    .map(|s| EventType::parse(s))
    .collect()
}

#[test]
fn r18_register_webhook() {
    let ep = RegisterWebhook::new(
        "https://shop.example.com/tamara/webhook",
        all_order_events(),
    )
    .with_headers([("X-Shop".to_owned(), "riyadh-1".to_owned())].into());
    ep.validate().unwrap();
    check_build(
        "register_webhook",
        &ep,
        &Expect {
            method: Method::Post,
            path: "/webhooks",
            body: Some((fx::WEBHOOK_REGISTER_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let w = check_parse::<RegisterWebhook>(
        "register_webhook",
        fx::WEBHOOK_REGISTER_RESPONSE,
        Some((r#"{"webhook_id":"w","events":"order_approved"}"#, "events")),
    );
    assert_eq!(
        w.webhook_id.as_str(),
        "4b7f5c4e-4a38-4f0e-9a0c-2f5c1d7e8b90"
    );
}

#[test]
fn r19_retrieve_webhook() {
    let ep = RetrieveWebhook {
        webhook_id: "4b7f5c4e-4a38-4f0e-9a0c-2f5c1d7e8b90".into(),
    };
    check_build(
        "retrieve_webhook",
        &ep,
        &Expect {
            method: Method::Get,
            path: "/webhooks/4b7f5c4e-4a38-4f0e-9a0c-2f5c1d7e8b90",
            body: None,
            extra: &[],
        },
    );
    let w = check_parse::<RetrieveWebhook>(
        "retrieve_webhook",
        fx::WEBHOOK_RETRIEVE_RESPONSE,
        Some((r#"{"webhook_id":null}"#, "webhook_id")),
    );
    assert_eq!(w.events.len(), 2);
}

#[test]
fn r20_update_webhook() {
    let ep = UpdateWebhook {
        webhook_id: "4b7f5c4e-4a38-4f0e-9a0c-2f5c1d7e8b90".into(),
        url: "https://shop.example.com/tamara/webhook-v2".into(),
        events: vec![
            EventType::OrderApproved,
            EventType::OrderDeclined,
            EventType::OrderExpired,
        ],
        headers: Some(Default::default()),
        webhook_type: None,
    };
    check_build(
        "update_webhook",
        &ep,
        &Expect {
            method: Method::Put,
            path: "/webhooks/4b7f5c4e-4a38-4f0e-9a0c-2f5c1d7e8b90",
            body: Some((fx::WEBHOOK_UPDATE_REQUEST, Allow::NONE)),
            extra: &[],
        },
    );
    let w = check_parse::<UpdateWebhook>(
        "update_webhook",
        fx::WEBHOOK_UPDATE_RESPONSE,
        Some((r#"{"webhook_id":"w","url":["x"]}"#, "url")),
    );
    assert_eq!(w.url, "https://shop.example.com/tamara/webhook-v2");
}

#[test]
fn r21_delete_webhook() {
    let ep = DeleteWebhook {
        webhook_id: "id with/slash".into(),
    };
    check_build(
        "delete_webhook",
        &ep,
        &Expect {
            method: Method::Delete,
            path: "/webhooks/id%20with%2Fslash",
            body: None,
            extra: &[],
        },
    );
    // The body of a 200 is ignored, whatever it is.
    check_parse::<DeleteWebhook>("delete_webhook", "", None);
    assert!(DeleteWebhook::parse_response(200, b"not json").is_ok());
}

#[test]
fn r22_list_webhooks() {
    check_build(
        "list_webhooks",
        &ListWebhooks,
        &Expect {
            method: Method::Get,
            path: "/webhooks",
            body: None,
            extra: &[],
        },
    );
    let l = check_parse::<ListWebhooks>(
        "list_webhooks",
        fx::WEBHOOK_LIST_RESPONSE,
        Some((r#"{"items":[]}"#, ".")),
    );
    assert_eq!(l.0.len(), 2);
    // Wrapped forms are accepted too.
    for body in [
        r#"{"data":[{"webhook_id":"w"}]}"#,
        r#"{"webhooks":[{"webhook_id":"w"}]}"#,
    ] {
        let l = ListWebhooks::parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(l.0[0].webhook_id.as_str(), "w");
    }
}

#[test]
fn environment_from_config() {
    assert_eq!(Environment::from_config("sandbox"), Environment::Sandbox);
    assert_eq!(
        Environment::from_config(" https://api.tamara.co/ "),
        Environment::Production
    );
    let c = Environment::from_config("http://127.0.0.1:7070///");
    assert_eq!(c.base_url(), "http://127.0.0.1:7070");
    let req = Client::new(c, ApiToken::new(TOKEN)).build(&ListWebhooks);
    assert_eq!(req.url, "http://127.0.0.1:7070/webhooks");
}

#[test]
fn user_agent_override_and_token_trim() {
    let client = Client::new(Environment::Sandbox, ApiToken::new(format!("  {TOKEN}\n")))
        .with_user_agent("shop/1.0");
    let req = client.build(&GetMerchantConfigs);
    assert_eq!(req.header("user-agent"), Some("shop/1.0"));
    assert_eq!(
        req.header("AUTHORIZATION"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert!(!format!("{req:?}").contains(TOKEN));
}
