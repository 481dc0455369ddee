//! Every golden fixture, embedded at compile time so the tests also run on wasm32 (no
//! filesystem there). `ALL` lets a native test check that no fixture file is left unused.

pub const AUTHORISE_REQUEST: &str = include_str!("../fixtures/authorise_request.json");
pub const AUTHORISE_RESPONSE: &str = include_str!("../fixtures/authorise_response.json");
pub const AUTHORISE_RESPONSE_AUTO_CAPTURED: &str =
    include_str!("../fixtures/authorise_response_auto_captured.json");
pub const CANCEL_REQUEST: &str = include_str!("../fixtures/cancel_request.json");
pub const CANCEL_RESPONSE: &str = include_str!("../fixtures/cancel_response.json");
pub const CAPTURE_REQUEST: &str = include_str!("../fixtures/capture_request.json");
pub const CAPTURE_RESPONSE: &str = include_str!("../fixtures/capture_response.json");
pub const CAPTURE_RESPONSE_BHD: &str = include_str!("../fixtures/capture_response_bhd.json");
pub const CHECKOUT_REQUEST_DOCS: &str = include_str!("../fixtures/checkout_request_docs.json");
pub const CHECKOUT_REQUEST_KWD: &str = include_str!("../fixtures/checkout_request_kwd.json");
pub const CHECKOUT_REQUEST_PHP_SDK: &str =
    include_str!("../fixtures/checkout_request_php_sdk.json");
pub const CHECKOUT_RESPONSE: &str = include_str!("../fixtures/checkout_response.json");
pub const CREDIT_PRE_CHECK_REQUEST: &str =
    include_str!("../fixtures/credit_pre_check_request.json");
pub const ERROR_400: &str = include_str!("../fixtures/error_400.json");
pub const ERROR_401: &str = include_str!("../fixtures/error_401.json");
pub const ERROR_404: &str = include_str!("../fixtures/error_404.json");
pub const ERROR_409: &str = include_str!("../fixtures/error_409.json");
pub const EVENT_ORDER_APPROVED: &str = include_str!("../fixtures/event_order_approved.json");
pub const EVENT_ORDER_AUTHORISED: &str = include_str!("../fixtures/event_order_authorised.json");
pub const EVENT_ORDER_CANCELED: &str = include_str!("../fixtures/event_order_canceled.json");
pub const EVENT_ORDER_CAPTURED: &str = include_str!("../fixtures/event_order_captured.json");
pub const EVENT_ORDER_CAPTURED_KWD_NO_NUMBER: &str =
    include_str!("../fixtures/event_order_captured_kwd_no_number.json");
pub const EVENT_ORDER_DECLINED: &str = include_str!("../fixtures/event_order_declined.json");
pub const EVENT_ORDER_EXPIRED: &str = include_str!("../fixtures/event_order_expired.json");
pub const EVENT_ORDER_REFUNDED: &str = include_str!("../fixtures/event_order_refunded.json");
pub const EVENT_ORDER_UPDATED: &str = include_str!("../fixtures/event_order_updated.json");
pub const ID_VERIFICATION_RESPONSE: &str =
    include_str!("../fixtures/id_verification_response.json");
pub const IN_STORE_QR_REQUEST: &str = include_str!("../fixtures/in_store_qr_request.json");
pub const IN_STORE_QR_RESPONSE: &str = include_str!("../fixtures/in_store_qr_response.json");
pub const IN_STORE_SESSION_REQUEST: &str =
    include_str!("../fixtures/in_store_session_request.json");
pub const IN_STORE_SESSION_RESPONSE: &str =
    include_str!("../fixtures/in_store_session_response.json");
pub const IN_STORE_SESSION_RESPONSE_NO_DEEPLINK: &str =
    include_str!("../fixtures/in_store_session_response_no_deeplink.json");
pub const LEGACY_REFUND_REQUEST: &str = include_str!("../fixtures/legacy_refund_request.json");
pub const LEGACY_REFUND_RESPONSE: &str = include_str!("../fixtures/legacy_refund_response.json");
pub const MERCHANT_CONFIGS_RESPONSE: &str =
    include_str!("../fixtures/merchant_configs_response.json");
pub const ORDER_RESPONSE: &str = include_str!("../fixtures/order_response.json");
pub const ORDER_RESPONSE_IN_STORE_BHD: &str =
    include_str!("../fixtures/order_response_in_store_bhd.json");
pub const PAYMENT_OPTIONS_REQUEST: &str = include_str!("../fixtures/payment_options_request.json");
pub const PAYMENT_OPTIONS_RESPONSE: &str =
    include_str!("../fixtures/payment_options_response.json");
pub const PAYMENT_TYPES_RESPONSE: &str = include_str!("../fixtures/payment_types_response.json");
pub const PAYMENT_TYPES_RESPONSE_KWD: &str =
    include_str!("../fixtures/payment_types_response_kwd.json");
pub const SIMPLIFIED_REFUND_REQUEST: &str =
    include_str!("../fixtures/simplified_refund_request.json");
pub const SIMPLIFIED_REFUND_RESPONSE: &str =
    include_str!("../fixtures/simplified_refund_response.json");
pub const SIMPLIFIED_REFUND_RESPONSE_OMR: &str =
    include_str!("../fixtures/simplified_refund_response_omr.json");
pub const UPDATE_REFERENCE_ID_REQUEST: &str =
    include_str!("../fixtures/update_reference_id_request.json");
pub const UPDATE_REFERENCE_ID_RESPONSE: &str =
    include_str!("../fixtures/update_reference_id_response.json");
pub const VOID_REQUEST: &str = include_str!("../fixtures/void_request.json");
pub const VOID_RESPONSE: &str = include_str!("../fixtures/void_response.json");
pub const WEBHOOK_LIST_RESPONSE: &str = include_str!("../fixtures/webhook_list_response.json");
pub const WEBHOOK_REGISTER_REQUEST: &str =
    include_str!("../fixtures/webhook_register_request.json");
pub const WEBHOOK_REGISTER_RESPONSE: &str =
    include_str!("../fixtures/webhook_register_response.json");
pub const WEBHOOK_RETRIEVE_RESPONSE: &str =
    include_str!("../fixtures/webhook_retrieve_response.json");
pub const WEBHOOK_UPDATE_REQUEST: &str = include_str!("../fixtures/webhook_update_request.json");
pub const WEBHOOK_UPDATE_RESPONSE: &str = include_str!("../fixtures/webhook_update_response.json");
pub const NEG_AUTHORISE_RESPONSE_NEGATIVE_AMOUNT: &str =
    include_str!("../fixtures/negative/authorise_response_negative_amount.json");
pub const NEG_CAPTURE_RESPONSE_TOO_MANY_DECIMALS: &str =
    include_str!("../fixtures/negative/capture_response_too_many_decimals.json");
pub const NEG_CHECKOUT_REQUEST_RISK_ASSESSMENT_LIST: &str =
    include_str!("../fixtures/negative/checkout_request_risk_assessment_list.json");
pub const NEG_EVENT_CAPTURED_BAD_AMOUNT: &str =
    include_str!("../fixtures/negative/event_captured_bad_amount.json");
pub const NEG_EVENT_DATA_NUMBER: &str = include_str!("../fixtures/negative/event_data_number.json");
pub const NEG_ORDER_RESPONSE_BAD_TIMESTAMP: &str =
    include_str!("../fixtures/negative/order_response_bad_timestamp.json");
pub const NEG_ORDER_RESPONSE_UNKNOWN_CURRENCY: &str =
    include_str!("../fixtures/negative/order_response_unknown_currency.json");
pub const NEG_PAYMENT_TYPES_AMOUNT_AS_BOOL: &str =
    include_str!("../fixtures/negative/payment_types_amount_as_bool.json");

/// (file name, contents) of every fixture, positive then negative.
pub const ALL: &[(&str, &str)] = &[
    ("authorise_request.json", AUTHORISE_REQUEST),
    ("authorise_response.json", AUTHORISE_RESPONSE),
    (
        "authorise_response_auto_captured.json",
        AUTHORISE_RESPONSE_AUTO_CAPTURED,
    ),
    ("cancel_request.json", CANCEL_REQUEST),
    ("cancel_response.json", CANCEL_RESPONSE),
    ("capture_request.json", CAPTURE_REQUEST),
    ("capture_response.json", CAPTURE_RESPONSE),
    ("capture_response_bhd.json", CAPTURE_RESPONSE_BHD),
    ("checkout_request_docs.json", CHECKOUT_REQUEST_DOCS),
    ("checkout_request_kwd.json", CHECKOUT_REQUEST_KWD),
    ("checkout_request_php_sdk.json", CHECKOUT_REQUEST_PHP_SDK),
    ("checkout_response.json", CHECKOUT_RESPONSE),
    ("credit_pre_check_request.json", CREDIT_PRE_CHECK_REQUEST),
    ("error_400.json", ERROR_400),
    ("error_401.json", ERROR_401),
    ("error_404.json", ERROR_404),
    ("error_409.json", ERROR_409),
    ("event_order_approved.json", EVENT_ORDER_APPROVED),
    ("event_order_authorised.json", EVENT_ORDER_AUTHORISED),
    ("event_order_canceled.json", EVENT_ORDER_CANCELED),
    ("event_order_captured.json", EVENT_ORDER_CAPTURED),
    (
        "event_order_captured_kwd_no_number.json",
        EVENT_ORDER_CAPTURED_KWD_NO_NUMBER,
    ),
    ("event_order_declined.json", EVENT_ORDER_DECLINED),
    ("event_order_expired.json", EVENT_ORDER_EXPIRED),
    ("event_order_refunded.json", EVENT_ORDER_REFUNDED),
    ("event_order_updated.json", EVENT_ORDER_UPDATED),
    ("id_verification_response.json", ID_VERIFICATION_RESPONSE),
    ("in_store_qr_request.json", IN_STORE_QR_REQUEST),
    ("in_store_qr_response.json", IN_STORE_QR_RESPONSE),
    ("in_store_session_request.json", IN_STORE_SESSION_REQUEST),
    ("in_store_session_response.json", IN_STORE_SESSION_RESPONSE),
    (
        "in_store_session_response_no_deeplink.json",
        IN_STORE_SESSION_RESPONSE_NO_DEEPLINK,
    ),
    ("legacy_refund_request.json", LEGACY_REFUND_REQUEST),
    ("legacy_refund_response.json", LEGACY_REFUND_RESPONSE),
    ("merchant_configs_response.json", MERCHANT_CONFIGS_RESPONSE),
    ("order_response.json", ORDER_RESPONSE),
    (
        "order_response_in_store_bhd.json",
        ORDER_RESPONSE_IN_STORE_BHD,
    ),
    ("payment_options_request.json", PAYMENT_OPTIONS_REQUEST),
    ("payment_options_response.json", PAYMENT_OPTIONS_RESPONSE),
    ("payment_types_response.json", PAYMENT_TYPES_RESPONSE),
    (
        "payment_types_response_kwd.json",
        PAYMENT_TYPES_RESPONSE_KWD,
    ),
    ("simplified_refund_request.json", SIMPLIFIED_REFUND_REQUEST),
    (
        "simplified_refund_response.json",
        SIMPLIFIED_REFUND_RESPONSE,
    ),
    (
        "simplified_refund_response_omr.json",
        SIMPLIFIED_REFUND_RESPONSE_OMR,
    ),
    (
        "update_reference_id_request.json",
        UPDATE_REFERENCE_ID_REQUEST,
    ),
    (
        "update_reference_id_response.json",
        UPDATE_REFERENCE_ID_RESPONSE,
    ),
    ("void_request.json", VOID_REQUEST),
    ("void_response.json", VOID_RESPONSE),
    ("webhook_list_response.json", WEBHOOK_LIST_RESPONSE),
    ("webhook_register_request.json", WEBHOOK_REGISTER_REQUEST),
    ("webhook_register_response.json", WEBHOOK_REGISTER_RESPONSE),
    ("webhook_retrieve_response.json", WEBHOOK_RETRIEVE_RESPONSE),
    ("webhook_update_request.json", WEBHOOK_UPDATE_REQUEST),
    ("webhook_update_response.json", WEBHOOK_UPDATE_RESPONSE),
    (
        "negative/authorise_response_negative_amount.json",
        NEG_AUTHORISE_RESPONSE_NEGATIVE_AMOUNT,
    ),
    (
        "negative/capture_response_too_many_decimals.json",
        NEG_CAPTURE_RESPONSE_TOO_MANY_DECIMALS,
    ),
    (
        "negative/checkout_request_risk_assessment_list.json",
        NEG_CHECKOUT_REQUEST_RISK_ASSESSMENT_LIST,
    ),
    (
        "negative/event_captured_bad_amount.json",
        NEG_EVENT_CAPTURED_BAD_AMOUNT,
    ),
    ("negative/event_data_number.json", NEG_EVENT_DATA_NUMBER),
    (
        "negative/order_response_bad_timestamp.json",
        NEG_ORDER_RESPONSE_BAD_TIMESTAMP,
    ),
    (
        "negative/order_response_unknown_currency.json",
        NEG_ORDER_RESPONSE_UNKNOWN_CURRENCY,
    ),
    (
        "negative/payment_types_amount_as_bool.json",
        NEG_PAYMENT_TYPES_AMOUNT_AS_BOOL,
    ),
];
