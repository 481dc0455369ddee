//! Golden fixtures: every request and response shape of Tamara's API (rows 1–22) is
//! deserialized into its core type, serialized back and compared with the fixture semantically
//! (numbers by value, RFC 3339 strings as instants). Keys a type drops or rewrites on purpose are
//! listed per fixture. Negative fixtures must fail with the right JSON path in `ApiError::Parse`.
//!
//! Fixtures are embedded with `include_str!`, so this binary also runs on wasm32 (Node).

mod common;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use common::fixtures as fx;
use common::{round_trip, Allow};

mod comparator {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::common::{canonical_number, diff, Allow};
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        for (a, b) in [
            ("300", "300.0"),
            ("300.00", "300"),
            ("1.1250", "1.125"),
            ("1e2", "100"),
            ("0.001", "1e-3"),
            ("-0.0", "0"),
        ] {
            assert_eq!(canonical_number(a), canonical_number(b), "{a} vs {b}");
        }
        assert_ne!(canonical_number("1.125"), canonical_number("1.12"));
        assert_ne!(canonical_number("10"), canonical_number("1"));
    }

    #[test]
    fn reports_paths_of_differences() {
        let fixture =
            json!({"a": {"b": [1, {"c": 300.0}]}, "t": "2023-07-10T08:05:59.000Z", "gone": null});
        let same = json!({"a": {"b": [1, {"c": 300}]}, "t": "2023-07-10T08:05:59Z", "gone": null});
        assert!(diff(&fixture, &same, &Allow::NONE).is_empty());
        let other =
            json!({"a": {"b": [1, {"c": 300.01}]}, "t": "2023-07-10T08:06:00Z", "extra": 1});
        let d = diff(&fixture, &other, &Allow::NONE);
        assert_eq!(d.len(), 4, "{d:#?}");
        assert!(d[0].starts_with("a.b[1].c: number"), "{d:#?}");
        assert!(d.iter().any(|l| l.starts_with("t: string")), "{d:#?}");
        assert!(d.iter().any(|l| l.starts_with("gone: missing")), "{d:#?}");
        assert!(d.iter().any(|l| l.starts_with("extra: written")), "{d:#?}");
        // A dropped key must really be dropped.
        let allow = Allow {
            dropped: &["gone"],
            ..Allow::NONE
        };
        assert_eq!(diff(&fixture, &same, &allow).len(), 1);
        // A normal form must be exactly the one written.
        let allow = Allow {
            normalized: &[("t", "\"2023-07-10T08:05:59Z\"")],
            ..Allow::NONE
        };
        assert!(diff(&fixture, &same, &allow).is_empty());
        assert_eq!(
            diff(
                &json!({"n": 100}),
                &json!({"n": "101"}),
                &Allow {
                    normalized: &[("n", "\"100\"")],
                    ..Allow::NONE
                }
            )
            .len(),
            1
        );
    }
}

mod checkout {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::checkout::{
        CheckoutSession, CreateCheckout, CreateInStoreQr, CreateInStoreSession, CreditPreCheck,
        InStoreSession, PaymentOptionsAvailability, PaymentOptionsPreCheck, PaymentTypeInfo,
        VoidCheckout, VoidResult,
    };
    use tamara_core::{Country, Currency, Locale, OrderStatus, PaymentType};

    #[test]
    fn create_checkout_docs_sample() {
        let c: CreateCheckout = round_trip(
            "checkout_request_docs",
            fx::CHECKOUT_REQUEST_DOCS,
            &Allow::NONE,
        );
        assert_eq!(c.total_amount.minor(), 30000);
        assert_eq!(c.items[0].total_amount.minor(), 50000);
        assert_eq!(c.discount.as_ref().unwrap().amount.minor(), 20000);
        let risk = c.risk_assessment.as_ref().unwrap();
        assert_eq!(risk.0["customer_age"], 22);
        assert_eq!(risk.0.len(), 24);
        assert_eq!(c.locale, Some(Locale::EnUs));
        assert_eq!(c.payment_type, Some(PaymentType::PayByInstalments));
        assert_eq!(c.expires_in_minutes, Some(30));
        c.validate().unwrap();
    }

    #[test]
    fn create_checkout_php_sdk_style() {
        // The SDK sends `risk_assessment: []` (PHP's empty array) and `billing_address: null`;
        // we write `{}` and leave the absent billing address out.
        let allow = Allow {
            dropped: &["billing_address"],
            normalized: &[("risk_assessment", "{}")],
            ..Allow::NONE
        };
        let c: CreateCheckout = round_trip(
            "checkout_request_php_sdk",
            fx::CHECKOUT_REQUEST_PHP_SDK,
            &allow,
        );
        assert!(c.billing_address.is_none());
        assert!(c.risk_assessment.as_ref().unwrap().0.is_empty());
        let d = c.discount.as_ref().unwrap();
        assert_eq!((d.name.as_str(), d.amount.minor()), ("", 0));
        assert_eq!(c.total_amount.minor(), 30000);
        assert_eq!(c.consumer.national_id.as_deref(), Some(""));
        assert_eq!(c.consumer.is_first_order, Some(true));
        c.validate().unwrap();
        // Our own body for the same order writes `300`, not `300.0`, and no `null`s.
        let body = serde_json::to_string(&c).unwrap();
        assert!(
            body.contains(r#""total_amount":{"amount":300,"currency":"SAR"}"#),
            "{body}"
        );
        assert!(!body.contains("null"), "{body}");
    }

    #[test]
    fn create_checkout_kwd_three_decimals() {
        let c: CreateCheckout = round_trip(
            "checkout_request_kwd",
            fx::CHECKOUT_REQUEST_KWD,
            &Allow::NONE,
        );
        assert_eq!(c.country_code, Country::Kw);
        assert_eq!(c.total_amount.currency(), Currency::Kwd);
        assert_eq!(c.total_amount.minor(), 12125);
        assert_eq!(c.items[0].unit_price.unwrap().minor(), 3875);
        assert_eq!(c.discount.as_ref().unwrap().amount.minor(), 500);
        c.validate().unwrap();
        let body = serde_json::to_string(&c).unwrap();
        assert!(
            body.contains(r#"{"amount":12.125,"currency":"KWD"}"#),
            "{body}"
        );
    }

    #[test]
    fn checkout_response() {
        let s: CheckoutSession =
            round_trip("checkout_response", fx::CHECKOUT_RESPONSE, &Allow::NONE);
        assert_eq!(s.status, OrderStatus::New);
        assert_eq!(s.order_id.as_str(), "f56a3123-9e23-45e4-87a2-95366d3b0bca");
    }

    #[test]
    fn in_store_session() {
        let r: CreateInStoreSession = round_trip(
            "in_store_session_request",
            fx::IN_STORE_SESSION_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(r.expiry_time, Some(15));
        assert_eq!(
            r.additional_data.as_ref().unwrap().0["store_code"],
            "Branch A"
        );
        let s: InStoreSession = round_trip(
            "in_store_session_response",
            fx::IN_STORE_SESSION_RESPONSE,
            &Allow::NONE,
        );
        assert!(s.checkout_deeplink.is_some());
        let s: InStoreSession = round_trip(
            "in_store_session_response_no_deeplink",
            fx::IN_STORE_SESSION_RESPONSE_NO_DEEPLINK,
            &Allow::NONE,
        );
        assert_eq!(s.checkout_deeplink, None);
    }

    #[test]
    fn in_store_qr() {
        // The device id travels as the `X-Device-Id` header, never in the body.
        let q: CreateInStoreQr =
            round_trip("in_store_qr_request", fx::IN_STORE_QR_REQUEST, &Allow::NONE);
        assert_eq!(q.amount.minor(), 5750);
        assert!(q.device_id.is_empty());
        let s: InStoreSession = round_trip(
            "in_store_qr_response",
            fx::IN_STORE_QR_RESPONSE,
            &Allow::NONE,
        );
        assert!(s
            .checkout_deeplink
            .unwrap()
            .contains(s.checkout_id.as_str()));
    }

    #[test]
    fn void() {
        let v: VoidCheckout = round_trip("void_request", fx::VOID_REQUEST, &Allow::NONE);
        assert_eq!(v.store_code.as_deref(), Some("Branch A"));
        let r: VoidResult = round_trip("void_response", fx::VOID_RESPONSE, &Allow::NONE);
        assert!(r.order_was_voided);
        assert_eq!(r.captured_amount.unwrap().minor(), 0);
    }

    #[test]
    fn payment_options_pre_check() {
        let q: PaymentOptionsPreCheck = round_trip(
            "payment_options_request",
            fx::PAYMENT_OPTIONS_REQUEST,
            &Allow::NONE,
        );
        assert!(q.is_vip);
        let r: PaymentOptionsAvailability = round_trip(
            "payment_options_response",
            fx::PAYMENT_OPTIONS_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(r.available_payment_labels[0].instalment, 4);
        assert_eq!(
            r.available_payment_labels[1].payment_type,
            PaymentType::PayNow
        );
    }

    #[test]
    fn payment_types_top_level_array() {
        let v: Vec<PaymentTypeInfo> = round_trip(
            "payment_types_response",
            fx::PAYMENT_TYPES_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].supported_instalments[1].min_limit.minor(), 9999);
        assert!(v[1].supported_instalments.is_empty());
        let k: Vec<PaymentTypeInfo> = round_trip(
            "payment_types_response_kwd",
            fx::PAYMENT_TYPES_RESPONSE_KWD,
            &Allow::NONE,
        );
        assert_eq!(k[0].max_limit.minor(), 1_500_125);
        assert!(k[0].allows(tamara_core::Money::from_minor(7500, Currency::Kwd).unwrap()));
        assert!(!k[0].allows(tamara_core::Money::from_minor(7499, Currency::Kwd).unwrap()));
    }

    #[test]
    fn credit_pre_check() {
        let c: CreditPreCheck = round_trip(
            "credit_pre_check_request",
            fx::CREDIT_PRE_CHECK_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.risk_assessment.unwrap().0["total_order_count"], 4);
    }
}

mod orders {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::orders::{
        Authorisation, AuthoriseOrder, CancelOrder, Cancellation, MessageResponse, OrderDetails,
        UpdateReferenceId,
    };
    use tamara_core::{Currency, OrderStatus, Timestamp};

    #[test]
    fn get_order_docs_sample() {
        // `is_first_order: null` is an absent Option (skipped); `tracking_number`/`tracking_url`
        // `null` likewise. `billing_address`, `settlement_date` keep their `null`.
        let allow = Allow {
            dropped: &[
                "consumer.is_first_order",
                "transactions.captures[0].shipping_info.tracking_number",
                "transactions.captures[0].shipping_info.tracking_url",
            ],
            ..Allow::NONE
        };
        let o: OrderDetails = round_trip("order_response", fx::ORDER_RESPONSE, &allow);
        assert_eq!(o.status, OrderStatus::PartiallyRefunded);
        assert!(o.billing_address.is_none());
        assert!(o.settlement_date.is_none());
        assert_eq!(o.consumer.as_ref().unwrap().is_first_order, None);
        let d = o.discount_amount.as_ref().unwrap();
        assert_eq!(
            (d.name.as_str(), d.amount.minor()),
            ("Christmas 2020", 20000)
        );
        assert_eq!(o.captured_amount.unwrap().minor(), 25000);
        assert_eq!(o.canceled_amount.unwrap().minor(), 5000);
        assert_eq!(
            o.created_at,
            Timestamp::parse_rfc3339("2023-07-10T08:05:59Z")
        );
        let cap = &o.transactions.captures[0];
        assert_eq!(
            cap.discount_amount.unwrap().minor(),
            20000,
            "capture discount is a Money"
        );
        assert_eq!(cap.shipping_info.as_ref().unwrap().tracking_number, None);
        assert_eq!(o.transactions.cancels[0].total_amount.minor(), 5000);
        assert_eq!(o.transactions.refunds[0].capture_id, cap.capture_id);
        assert_eq!(
            o.transactions.refunds[0].created_at.unwrap().to_rfc3339(),
            "2023-07-11T10:00:00Z"
        );
        assert_eq!(
            o.additional_data.as_ref().unwrap()["from_in_store_payment_link"],
            false
        );
    }

    #[test]
    fn get_order_in_store_bhd() {
        let o: OrderDetails = round_trip(
            "order_response_in_store_bhd",
            fx::ORDER_RESPONSE_IN_STORE_BHD,
            &Allow::NONE,
        );
        assert_eq!(o.total_amount.currency(), Currency::Bhd);
        assert_eq!(o.total_amount.minor(), 1125);
        assert_eq!(o.instalments, None);
        assert_eq!(o.order_number, None);
        // 11:05:59+03:00 is 08:05:59Z.
        assert_eq!(o.created_at.unwrap().to_rfc3339(), "2023-07-10T08:05:59Z");
    }

    #[test]
    fn authorise() {
        let _: AuthoriseOrder =
            round_trip("authorise_request", fx::AUTHORISE_REQUEST, &Allow::NONE);
        let a: Authorisation =
            round_trip("authorise_response", fx::AUTHORISE_RESPONSE, &Allow::NONE);
        assert_eq!(a.status, OrderStatus::Authorised);
        assert!(!a.auto_captured);
        assert!(
            a.capture_id.is_empty(),
            "capture_id is \"\" when not auto-captured"
        );
        assert_eq!(a.authorized_amount.unwrap().minor(), 30000);
        assert_eq!(a.order_expiry_time.unwrap().secs(), 1_685_891_267);
        let a: Authorisation = round_trip(
            "authorise_response_auto_captured",
            fx::AUTHORISE_RESPONSE_AUTO_CAPTURED,
            &Allow::NONE,
        );
        assert_eq!(a.status, OrderStatus::FullyCaptured);
        assert!(a.auto_captured && !a.capture_id.is_empty());
    }

    #[test]
    fn cancel() {
        // The order id is a path parameter, not part of the body.
        let c: CancelOrder = round_trip("cancel_request", fx::CANCEL_REQUEST, &Allow::NONE);
        assert!(c.order_id.is_empty());
        assert_eq!(c.total_amount.minor(), 5000);
        let r: Cancellation = round_trip("cancel_response", fx::CANCEL_RESPONSE, &Allow::NONE);
        assert_eq!(r.status, OrderStatus::Updated);
    }

    #[test]
    fn update_reference_id() {
        let u: UpdateReferenceId = round_trip(
            "update_reference_id_request",
            fx::UPDATE_REFERENCE_ID_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(u.order_reference_id.as_str(), "New Reference ID Here");
        let m: MessageResponse = round_trip(
            "update_reference_id_response",
            fx::UPDATE_REFERENCE_ID_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(m.message, "Order reference id was updated successfully");
    }
}

mod payments {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::payments::{
        Capture, CaptureResult, LegacyRefund, LegacyRefundResult, RefundResult, SimplifiedRefund,
    };
    use tamara_core::{Currency, OrderStatus};

    #[test]
    fn capture() {
        // The docs send `tracking_number` as the number 100; we keep it as text and write "100".
        let allow = Allow {
            normalized: &[("shipping_info.tracking_number", "\"100\"")],
            ..Allow::NONE
        };
        let c: Capture = round_trip("capture_request", fx::CAPTURE_REQUEST, &allow);
        assert_eq!(c.shipping_info.tracking_number.as_ref().unwrap().0, "100");
        assert_eq!(c.shipping_info.shipped_at, "2020-03-31T19:19:52.677Z");
        let r: CaptureResult = round_trip("capture_response", fx::CAPTURE_RESPONSE, &Allow::NONE);
        assert_eq!(r.status, OrderStatus::PartiallyCaptured);
        assert_eq!(r.captured_amount.minor(), 25000);
        let b: CaptureResult = round_trip(
            "capture_response_bhd",
            fx::CAPTURE_RESPONSE_BHD,
            &Allow::NONE,
        );
        assert_eq!(
            (b.captured_amount.minor(), b.captured_amount.currency()),
            (1125, Currency::Bhd)
        );
    }

    #[test]
    fn simplified_refund() {
        let q: SimplifiedRefund = round_trip(
            "simplified_refund_request",
            fx::SIMPLIFIED_REFUND_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(q.total_amount.minor(), 10000);
        let r: RefundResult = round_trip(
            "simplified_refund_response",
            fx::SIMPLIFIED_REFUND_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(r.status, OrderStatus::PartiallyRefunded);
        let o: RefundResult = round_trip(
            "simplified_refund_response_omr",
            fx::SIMPLIFIED_REFUND_RESPONSE_OMR,
            &Allow::NONE,
        );
        assert_eq!(
            (o.refunded_amount.minor(), o.refunded_amount.currency()),
            (20005, Currency::Omr)
        );
    }

    #[test]
    fn legacy_refund() {
        let q: LegacyRefund = round_trip(
            "legacy_refund_request",
            fx::LEGACY_REFUND_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(q.refunds[0].total_amount.minor(), 10000);
        let r: LegacyRefundResult = round_trip(
            "legacy_refund_response",
            fx::LEGACY_REFUND_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(r.refunds.len(), 1);
    }
}

mod merchants {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::merchants::{IdVerification, MerchantConfigs};

    #[test]
    fn id_verification_and_configs() {
        let v: IdVerification = round_trip(
            "id_verification_response",
            fx::ID_VERIFICATION_RESPONSE,
            &Allow::NONE,
        );
        assert!(v.is_id_verified);
        let c: MerchantConfigs = round_trip(
            "merchant_configs_response",
            fx::MERCHANT_CONFIGS_RESPONSE,
            &Allow::NONE,
        );
        assert!(c.single_checkout_enabled);
        assert!(!c.public_key.is_empty());
    }
}

mod webhooks {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::enums::WebhookType;
    use tamara_core::webhooks::{
        EventData, RegisterWebhook, UpdateWebhook, Webhook, WebhookList, WebhookPayload,
    };
    use tamara_core::{Currency, EventType};

    #[test]
    fn management_shapes() {
        let r: RegisterWebhook = round_trip(
            "webhook_register_request",
            fx::WEBHOOK_REGISTER_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(r.events.len(), 8);
        assert!(r.events.iter().all(|e| !e.is_unknown()));
        // The SDK only reads `webhook_id`; `url` and `events` default to empty and are written.
        let allow = Allow {
            added: &["url", "events"],
            ..Allow::NONE
        };
        let w: Webhook = round_trip(
            "webhook_register_response",
            fx::WEBHOOK_REGISTER_RESPONSE,
            &allow,
        );
        assert!(w.events.is_empty() && w.url.is_empty());
        let w: Webhook = round_trip(
            "webhook_retrieve_response",
            fx::WEBHOOK_RETRIEVE_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(w.webhook_type, Some(WebhookType::Order));
        let u: UpdateWebhook = round_trip(
            "webhook_update_request",
            fx::WEBHOOK_UPDATE_REQUEST,
            &Allow::NONE,
        );
        assert_eq!(u.headers.unwrap().len(), 0);
        let _: Webhook = round_trip(
            "webhook_update_response",
            fx::WEBHOOK_UPDATE_RESPONSE,
            &Allow::NONE,
        );
        let l: WebhookList = round_trip(
            "webhook_list_response",
            fx::WEBHOOK_LIST_RESPONSE,
            &Allow::NONE,
        );
        assert_eq!(l.0.len(), 2);
        assert_eq!(
            l.0[1].events[0],
            EventType::Unknown("dispute_created".into())
        );
    }

    fn event(name: &str, json: &str, kind: EventType) -> WebhookPayload {
        let p: WebhookPayload = round_trip(name, json, &Allow::NONE);
        assert_eq!(p.event_type, kind, "{name}");
        // The path-reporting parser agrees with the serde impl.
        assert_eq!(WebhookPayload::parse(json.as_bytes()).unwrap(), p, "{name}");
        p
    }

    #[test]
    fn all_eight_event_types() {
        for (name, json, kind) in [
            (
                "event_order_approved",
                fx::EVENT_ORDER_APPROVED,
                EventType::OrderApproved,
            ),
            (
                "event_order_authorised",
                fx::EVENT_ORDER_AUTHORISED,
                EventType::OrderAuthorised,
            ),
            (
                "event_order_expired",
                fx::EVENT_ORDER_EXPIRED,
                EventType::OrderExpired,
            ),
        ] {
            let p = event(name, json, kind);
            assert_eq!(p.data, EventData::Empty, "{name}: data [] is Empty");
            assert_eq!(p.order_number.as_deref(), Some("S12356"));
        }
        let p = event(
            "event_order_declined",
            fx::EVENT_ORDER_DECLINED,
            EventType::OrderDeclined,
        );
        assert!(
            matches!(p.data, EventData::Declined { ref declined_code, .. } if declined_code.as_deref() == Some("rejected_by_risk"))
        );
        let p = event(
            "event_order_canceled",
            fx::EVENT_ORDER_CANCELED,
            EventType::OrderCanceled,
        );
        assert!(
            matches!(p.data, EventData::Canceled { canceled_amount: Some(m), .. } if m.minor() == 30000)
        );
        let p = event(
            "event_order_updated",
            fx::EVENT_ORDER_UPDATED,
            EventType::OrderUpdated,
        );
        assert!(
            matches!(p.data, EventData::Canceled { canceled_amount: Some(m), .. } if m.minor() == 5000)
        );
        let p = event(
            "event_order_captured",
            fx::EVENT_ORDER_CAPTURED,
            EventType::OrderCaptured,
        );
        assert!(
            matches!(p.data, EventData::Captured { captured_amount, .. } if captured_amount.minor() == 30000)
        );
        let p = event(
            "event_order_refunded",
            fx::EVENT_ORDER_REFUNDED,
            EventType::OrderRefunded,
        );
        assert!(
            matches!(p.data, EventData::Refunded { refunded_amount, ref comment, .. }
            if refunded_amount.minor() == 10000 && comment.as_deref() == Some("Refund for the order 123"))
        );
        let p = event(
            "event_order_captured_kwd_no_number",
            fx::EVENT_ORDER_CAPTURED_KWD_NO_NUMBER,
            EventType::OrderCaptured,
        );
        assert_eq!(p.order_number, None);
        assert!(matches!(p.data, EventData::Captured { captured_amount, .. }
            if captured_amount.minor() == 12125 && captured_amount.currency() == Currency::Kwd));
    }
}

mod errors {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::{ErrorBody, ErrorCode};

    #[test]
    fn error_bodies() {
        let e: ErrorBody = round_trip("error_400", fx::ERROR_400, &Allow::NONE);
        assert_eq!(e.first_code(), Some(&ErrorCode::TotalAmountInvalidLimit));
        assert_eq!(e.errors[1].field.as_deref(), Some("consumer.phone_number"));
        let e: ErrorBody = round_trip("error_401", fx::ERROR_401, &Allow::NONE);
        assert!(e.errors.is_empty());
        assert_eq!(e.message, "Unauthorized");
        let e: ErrorBody = round_trip("error_404", fx::ERROR_404, &Allow::NONE);
        assert_eq!(e.message, "Order not found");
        let e: ErrorBody = round_trip("error_409", fx::ERROR_409, &Allow::NONE);
        assert_eq!(
            e.first_code(),
            Some(&ErrorCode::Unknown("invalid_transition".into()))
        );
    }
}

mod negative {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use tamara_core::checkout::{CreateCheckout, GetPaymentTypes};
    use tamara_core::error::parse_json;
    use tamara_core::orders::{AuthoriseOrder, GetOrder};
    use tamara_core::payments::Capture;
    use tamara_core::webhooks::WebhookPayload;
    use tamara_core::{ApiError, Endpoint, Money};

    fn parse_error<T: std::fmt::Debug>(r: Result<T, ApiError>) -> (String, String, String) {
        match r {
            Err(ApiError::Parse {
                status,
                path,
                message,
                raw,
            }) => {
                assert_eq!(status, 200);
                (path, message, raw)
            }
            other => panic!("expected ApiError::Parse, got {other:?}"),
        }
    }

    #[test]
    fn money_literals() {
        for (json, needle) in [
            (r#"{"amount":1.001,"currency":"SAR"}"#, "decimals"),
            (r#"{"amount":1.0001,"currency":"KWD"}"#, "decimals"),
            (r#"{"amount":1,"currency":"USD"}"#, "unknown currency"),
            (r#"{"amount":-0.01,"currency":"SAR"}"#, "negative"),
            (r#"{"amount":"1,5","currency":"SAR"}"#, "not a decimal"),
            (r#"{"currency":"SAR"}"#, "amount"),
        ] {
            let (path, message, raw) = parse_error(parse_json::<Money>(200, json.as_bytes()));
            assert!(message.contains(needle), "{json}: {message}");
            assert_eq!(raw, json);
            assert!(path == "." || path == "currency", "{json}: {path}");
        }
    }

    #[test]
    fn fixtures_fail_at_their_path() {
        let (path, msg, _) = parse_error(Capture::parse_response(
            200,
            fx::NEG_CAPTURE_RESPONSE_TOO_MANY_DECIMALS.as_bytes(),
        ));
        assert_eq!(path, "captured_amount");
        assert!(msg.contains("SAR has 2 decimals"), "{msg}");

        let (path, msg, _) = parse_error(GetOrder::parse_response(
            200,
            fx::NEG_ORDER_RESPONSE_UNKNOWN_CURRENCY.as_bytes(),
        ));
        assert_eq!(path, "transactions.captures[0].total_amount.currency");
        assert!(msg.contains("USD"), "{msg}");

        let (path, msg, _) = parse_error(GetOrder::parse_response(
            200,
            fx::NEG_ORDER_RESPONSE_BAD_TIMESTAMP.as_bytes(),
        ));
        assert_eq!(path, "created_at");
        assert!(msg.contains("RFC 3339"), "{msg}");

        let (path, msg, _) = parse_error(AuthoriseOrder::parse_response(
            200,
            fx::NEG_AUTHORISE_RESPONSE_NEGATIVE_AMOUNT.as_bytes(),
        ));
        assert_eq!(path, "authorized_amount");
        assert!(msg.contains("negative"), "{msg}");

        let (path, _, _) = parse_error(GetPaymentTypes::parse_response(
            200,
            fx::NEG_PAYMENT_TYPES_AMOUNT_AS_BOOL.as_bytes(),
        ));
        assert_eq!(path, "[0].max_limit.amount");

        let (path, msg, _) = parse_error(parse_json::<CreateCheckout>(
            200,
            fx::NEG_CHECKOUT_REQUEST_RISK_ASSESSMENT_LIST.as_bytes(),
        ));
        assert_eq!(path, "risk_assessment");
        assert!(msg.contains("expected an object"), "{msg}");
    }

    #[test]
    fn webhook_data_errors_name_the_data_path() {
        let (path, msg, raw) =
            parse_error(WebhookPayload::parse(fx::NEG_EVENT_DATA_NUMBER.as_bytes()));
        assert_eq!(path, "data");
        assert!(msg.contains("got 5"), "{msg}");
        assert_eq!(raw, fx::NEG_EVENT_DATA_NUMBER);
        let (path, msg, _) = parse_error(WebhookPayload::parse(
            fx::NEG_EVENT_CAPTURED_BAD_AMOUNT.as_bytes(),
        ));
        assert_eq!(path, "data.captured_amount");
        assert!(msg.contains("KWD has 3 decimals"), "{msg}");
        // Plain serde refuses both too; inside `data` its message names the inner path.
        let e = serde_json::from_str::<WebhookPayload>(fx::NEG_EVENT_DATA_NUMBER).unwrap_err();
        assert!(
            e.to_string().contains("expected [] or an object, got 5"),
            "{e}"
        );
        let e =
            serde_json::from_str::<WebhookPayload>(fx::NEG_EVENT_CAPTURED_BAD_AMOUNT).unwrap_err();
        assert!(e.to_string().contains("data.captured_amount"), "{e}");
        // A non-empty array is not `[]`.
        let (path, _, _) = parse_error(WebhookPayload::parse(
            br#"{"order_id":"x","event_type":"order_approved","data":[1]}"#,
        ));
        assert_eq!(path, "data");
    }
}

/// Every fixture file on disk is embedded and used (native only: wasm has no filesystem).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn every_fixture_file_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut on_disk = Vec::new();
    for sub in ["", "negative/"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".json") {
                on_disk.push(format!("{sub}{name}"));
            }
        }
    }
    on_disk.sort();
    let mut embedded: Vec<String> = fx::ALL.iter().map(|(n, _)| (*n).to_owned()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "regenerate tests/common/fixtures.rs");
    for (name, text) in fx::ALL {
        let path = dir.join(name);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), *text, "{name}");
    }
}

#[test]
fn every_fixture_is_valid_json() {
    for (name, text) in fx::ALL {
        serde_json::from_str::<serde_json::Value>(text)
            .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
    }
    assert!(fx::ALL.len() >= 60, "{}", fx::ALL.len());
}
