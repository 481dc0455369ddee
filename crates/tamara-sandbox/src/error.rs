//! Errors in Tamara's shape (`{"message", "errors": [{"error_code"}]}`) and body reading with a
//! size limit and JSON errors that carry a stable code.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;
use tamara_core::lifecycle::TransitionError;

use crate::config::BODY_LIMIT;

/// An API error: status, message, and optionally an `error_code` (and the offending field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiErr {
    /// HTTP status.
    pub status: StatusCode,
    /// `message`.
    pub message: String,
    /// `errors[0].error_code`, when there is one.
    pub code: Option<String>,
    /// `errors[0].field`.
    pub field: Option<String>,
}

impl ApiErr {
    /// An error with a code; the message is the code unless given.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiErr {
            status,
            message: message.into(),
            code: Some(code.to_owned()),
            field: None,
        }
    }

    /// 400 with Tamara's convention `message == error_code`.
    pub fn bad(code: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, code)
    }

    /// 400 `invalid_request` naming a field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiErr {
            field: Some(field.to_owned()),
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
        }
    }

    /// 401 `{"message":"Unauthorized"}`.
    pub fn unauthorized() -> Self {
        ApiErr {
            status: StatusCode::UNAUTHORIZED,
            message: "Unauthorized".to_owned(),
            code: None,
            field: None,
        }
    }

    /// 404 `{"message":"Order not found"}`.
    pub fn order_not_found() -> Self {
        ApiErr {
            status: StatusCode::NOT_FOUND,
            message: "Order not found".to_owned(),
            code: None,
            field: None,
        }
    }

    /// 404 with a message only.
    pub fn not_found(message: &str) -> Self {
        ApiErr {
            status: StatusCode::NOT_FOUND,
            message: message.to_owned(),
            code: None,
            field: None,
        }
    }

    /// 413 `payload_too_large`.
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body exceeds {BODY_LIMIT} bytes"),
        )
    }

    /// 409 for a refused state transition; a currency mismatch is a 400.
    pub fn transition(e: &TransitionError) -> Self {
        let status = match e {
            TransitionError::Money(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::CONFLICT,
        };
        Self::new(status, e.code(), e.to_string())
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        match &self.code {
            None => json!({ "message": self.message }),
            Some(code) => {
                let mut detail = json!({ "error_code": code });
                if let Some(f) = &self.field {
                    detail["field"] = json!(f);
                }
                json!({ "message": self.message, "errors": [detail] })
            }
        }
    }
}

impl IntoResponse for ApiErr {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// Reads a body up to [`BODY_LIMIT`] bytes; larger ones give 413.
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiErr> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(ApiErr::too_large());
    }
    axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| ApiErr::too_large())
}

/// Parses JSON: syntax errors → 400 `invalid_json`; wrong shapes → 400 `invalid_request` with
/// the JSON path of the offending field. Unknown currencies and countries get Tamara's codes.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiErr> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiErr::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "request body is empty; a JSON object is required",
        ));
    }
    // Syntax first, then the shape, through core's path-keeping deserializer (as the Worker
    // does): a struct must be a JSON object there, where serde_json would also take an array
    // of its fields.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|inner| {
        ApiErr::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("malformed JSON: {inner}"),
        )
    })?;
    match tamara_core::json_path::from_value::<T>(value) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let msg = inner.to_string();
            let code = if msg.contains("unknown currency") {
                "currency_unsupported"
            } else if msg.contains("unsupported country") {
                "not_supported_delivery_country"
            } else {
                "invalid_request"
            };
            let mut field = (path != ".").then_some(path.clone());
            if let Some(name) = msg
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                field = Some(match field {
                    Some(p) => format!("{p}.{name}"),
                    None => name.to_owned(),
                });
            }
            Err(ApiErr {
                field,
                ..ApiErr::new(StatusCode::BAD_REQUEST, code, format!("{path}: {msg}"))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::money::Money;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct T {
        total_amount: Money,
        n: u32,
    }

    #[test]
    fn json_error_codes() {
        let e = parse_json::<T>(b"{not json").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_json"));
        let e = parse_json::<T>(b"  ").unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_json"));
        // A struct is a JSON object, not an array of its fields.
        let e = parse_json::<T>(br#"[{"amount":1,"currency":"SAR"}, 1]"#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code.as_deref(), Some("invalid_request"));
        let e = parse_json::<T>(br#"{"total_amount":{"amount":1,"currency":"SAR"},"n":"x"}"#)
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_request"));
        assert_eq!(e.field.as_deref(), Some("n"));
        let e = parse_json::<T>(br#"{"total_amount":{"amount":1,"currency":"USD"},"n":1}"#)
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("currency_unsupported"));
        assert_eq!(e.body()["errors"][0]["error_code"], "currency_unsupported");
        assert_eq!(
            ApiErr::unauthorized().body(),
            json!({"message": "Unauthorized"})
        );
    }
}
