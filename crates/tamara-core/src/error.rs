//! Errors from Tamara's API, typed, with stable codes.

use serde::{Deserialize, Serialize};

use crate::string_enum;

string_enum! {
    /// Tamara's documented `error_code` values (create-checkout validation and availability).
    ErrorCode {
        /// Grand total over or under the merchant's limit.
        TotalAmountInvalidLimit = "total_amount_invalid_limit",
        /// 24-hour GMV limit reached.
        TotalAmountInvalidLimit24hrsGmv = "total_amount_invalid_limit_24hrs_gmv",
        /// Currency does not match the country, or amounts mix currencies.
        TotalAmountInvalidCurrency = "total_amount_invalid_currency",
        /// Currency not supported.
        CurrencyUnsupported = "currency_unsupported",
        /// Invalid consumer phone.
        ConsumerInvalidPhoneNumber = "consumer_invalid_phone_number",
        /// Invalid phone.
        InvalidPhoneNumber = "invalid_phone_number",
        /// Invalid billing phone.
        BillingAddressInvalidPhoneNumber = "billing_address_invalid_phone_number",
        /// Invalid shipping phone.
        ShippingAddressInvalidPhoneNumber = "shipping_address_invalid_phone_number",
        /// Delivery country not supported.
        NotSupportedDeliveryCountry = "not_supported_delivery_country",
        /// Tamara temporarily unavailable.
        TamaraDisabled = "tamara_disabled",
    }
}

/// One entry of `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The machine code.
    pub error_code: ErrorCode,
    /// The offending field, when Tamara names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// A human message, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Extra data (e.g. `webhook_already_registered` carries the existing `webhook_id` and
    /// `url`; `tamara-api.md` §14.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// Tamara's error body: `{"message": …, "errors": [{"error_code": …}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human message; sometimes itself a code.
    #[serde(default)]
    pub message: String,
    /// Machine codes; absent for 401/404.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
}

impl ErrorBody {
    /// Body with a message only.
    pub fn message(message: impl Into<String>) -> Self {
        ErrorBody {
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// Body whose message is the code, as Tamara does for validation errors.
    pub fn code(code: ErrorCode) -> Self {
        ErrorBody {
            message: code.as_str().to_owned(),
            errors: vec![ErrorDetail {
                error_code: code,
                field: None,
                message: None,
                data: None,
            }],
        }
    }

    /// The first error code, if any.
    pub fn first_code(&self) -> Option<&ErrorCode> {
        self.errors.first().map(|e| &e.error_code)
    }
}

/// Everything a call to Tamara can fail with once the HTTP exchange happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 401/403: the API token is missing or wrong.
    #[error("tamara rejected the credentials ({status}): {}", body.message)]
    Unauthorized {
        /// HTTP status.
        status: u16,
        /// Body as sent.
        body: ErrorBody,
    },
    /// 404: no such order, checkout or webhook.
    #[error("not found at tamara: {}", body.message)]
    NotFound {
        /// Body as sent.
        body: ErrorBody,
    },
    /// Other 4xx: validation error or invalid transition.
    #[error("tamara refused the request ({status}): {}", body.message)]
    Rejected {
        /// HTTP status.
        status: u16,
        /// Body as sent.
        body: ErrorBody,
    },
    /// 5xx: Tamara failed. Retry idempotent calls; check state before retrying others.
    #[error("tamara server error {status}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Start of the body, for diagnosis.
        raw: String,
    },
    /// A status we do not expect (1xx, 3xx).
    #[error("unexpected status {status} from tamara")]
    UnexpectedStatus {
        /// HTTP status.
        status: u16,
        /// Start of the body.
        raw: String,
    },
    /// A 2xx body that does not match the expected shape.
    #[error("cannot parse tamara's response at `{path}`: {message}")]
    Parse {
        /// HTTP status.
        status: u16,
        /// JSON path of the failure (`transactions.captures[0].total_amount`).
        path: String,
        /// serde's message.
        message: String,
        /// The body as received (truncated to 4 KiB).
        raw: String,
    },
}

const RAW_LIMIT: usize = 4096;

pub(crate) fn truncate_raw(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    if s.len() <= RAW_LIMIT {
        return s.into_owned();
    }
    let mut end = RAW_LIMIT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl ApiError {
    /// A stable code for logs and API bodies: Tamara's own `error_code` when it sent one.
    pub fn code(&self) -> &str {
        match self {
            ApiError::Unauthorized { .. } => "tamara_unauthorized",
            ApiError::NotFound { .. } => "tamara_not_found",
            ApiError::Rejected { body, .. } => body
                .first_code()
                .map(ErrorCode::as_str)
                .unwrap_or("tamara_rejected"),
            ApiError::Server { .. } => "tamara_unavailable",
            ApiError::UnexpectedStatus { .. } => "tamara_unexpected_status",
            ApiError::Parse { .. } => "tamara_bad_response",
        }
    }

    /// HTTP status Tamara answered with.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthorized { status, .. }
            | ApiError::Rejected { status, .. }
            | ApiError::Server { status, .. }
            | ApiError::UnexpectedStatus { status, .. }
            | ApiError::Parse { status, .. } => *status,
            ApiError::NotFound { .. } => 404,
        }
    }

    /// Worth retrying as is (only for idempotent calls, or after checking state).
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Server { .. })
            || matches!(self, ApiError::Rejected { status: 429, .. })
    }

    /// Maps a non-2xx response to an error.
    pub fn from_response(status: u16, body: &[u8]) -> ApiError {
        let parsed = || {
            serde_json::from_slice::<ErrorBody>(body)
                .unwrap_or_else(|_| ErrorBody::message(truncate_raw(body)))
        };
        match status {
            401 | 403 => ApiError::Unauthorized {
                status,
                body: parsed(),
            },
            404 => ApiError::NotFound { body: parsed() },
            400..=499 => ApiError::Rejected {
                status,
                body: parsed(),
            },
            500..=599 => ApiError::Server {
                status,
                raw: truncate_raw(body),
            },
            _ => ApiError::UnexpectedStatus {
                status,
                raw: truncate_raw(body),
            },
        }
    }
}

/// Parses a JSON body into `T`, keeping the JSON path and raw body on failure.
///
/// The body is read as a [`serde_json::Value`] first (text after the first value is ignored),
/// then converted with [`crate::json_path`], which reports the same paths as
/// `serde_path_to_error` for far less wasm. A syntax error has the path `.`.
pub fn parse_json<T: serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ApiError> {
    use serde::Deserialize as _;
    let de = &mut serde_json::Deserializer::from_slice(body);
    let parsed = serde_json::Value::deserialize(de)
        .map_err(|e| (".".to_owned(), e))
        .and_then(|v| {
            crate::json_path::from_value(v).map_err(|e| (e.path().to_owned(), e.into_inner()))
        });
    parsed.map_err(|(path, e)| ApiError::Parse {
        status,
        path,
        message: e.to_string(),
        raw: truncate_raw(body),
    })
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn maps_statuses() {
        let b = br#"{"message":"total_amount_invalid_limit","errors":[{"error_code":"total_amount_invalid_limit"}]}"#;
        let e = ApiError::from_response(400, b);
        assert_eq!(e.code(), "total_amount_invalid_limit");
        assert_eq!(
            ApiError::from_response(401, br#"{"message":"Unauthorized"}"#).code(),
            "tamara_unauthorized"
        );
        assert_eq!(
            ApiError::from_response(404, b"not json").code(),
            "tamara_not_found"
        );
        let s = ApiError::from_response(503, b"<html>");
        assert!(s.is_transient());
        assert_eq!(s.code(), "tamara_unavailable");
        let u = ApiError::from_response(
            409,
            br#"{"message":"x","errors":[{"error_code":"brand_new_code"}]}"#,
        );
        assert_eq!(u.code(), "brand_new_code");
    }

    #[test]
    fn parse_errors_keep_path_and_raw() {
        #[derive(Debug, Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            amount: crate::money::Money,
        }
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[allow(dead_code)]
            items: Vec<Inner>,
        }
        let body = br#"{"items":[{"amount":{"amount":1,"currency":"SAR"}},{"amount":{"amount":1.001,"currency":"SAR"}}]}"#;
        let e = parse_json::<Outer>(200, body).unwrap_err();
        match e {
            ApiError::Parse { path, raw, .. } => {
                assert_eq!(path, "items[1].amount");
                assert_eq!(raw.as_bytes(), body);
            }
            other => panic!("{other:?}"),
        }
    }
}
