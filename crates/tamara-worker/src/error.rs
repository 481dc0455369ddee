//! One error type for every handler: a stable status, a stable snake_case `code` and a human
//! message, rendered as `{"error": {"code", "message"}}`. Messages never contain secrets.

use tamara_core::ApiError;

/// Everything a request can fail with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppError {
    /// 400 `invalid_json`: the body is not JSON.
    InvalidJson(String),
    /// 422 (or another 4xx) with a specific code: well-formed but unacceptable input.
    Invalid {
        /// HTTP status (4xx).
        status: u16,
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: String,
    },
    /// 413 `payload_too_large`.
    PayloadTooLarge(usize),
    /// 401 `unauthorized`: missing or wrong credentials.
    Unauthorized(&'static str),
    /// 401 `unauthorized`: a webhook whose `tamaraToken` failed verification (the reason,
    /// for the log only).
    WebhookRejected(&'static str),
    /// 403 `origin_not_allowed`.
    OriginNotAllowed,
    /// 415 `unsupported_media_type`: a state-changing storefront request not sent as
    /// `Content-Type: application/json` (a "simple" cross-site form or `text/plain` post).
    UnsupportedMediaType,
    /// 408 `body_timeout`: the announced body did not arrive in time.
    BodyTimeout,
    /// 429 `rate_limited`; carries the `Retry-After` seconds.
    RateLimited(u32),
    /// 404 `not_found`.
    NotFound(String),
    /// 405 `method_not_allowed`; carries the path's `Allow` value ("GET, OPTIONS").
    MethodNotAllowed(String),
    /// 409 with a specific code (`idempotency_key_reused`, `invalid_state`, …).
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Human message.
        message: String,
    },
    /// 503 `config_missing`: a variable or secret is not set.
    ConfigMissing(&'static str),
    /// 500 `config_invalid`: a variable has an unusable value.
    ConfigInvalid(&'static str, String),
    /// Tamara answered with an error.
    Tamara(ApiError),
    /// 504 `tamara_timeout`: Tamara did not answer in time (or the connection failed).
    TamaraUnreachable(String),
    /// 500 `storage_error`: D1 failed.
    Storage(String),
    /// 500 `internal_error`.
    Internal(String),
}

impl AppError {
    /// 422 `invalid_request` with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid {
            status: 422,
            code: "invalid_request",
            message: message.into(),
        }
    }

    /// 422 with a specific code.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            status: 422,
            code,
            message: message.into(),
        }
    }

    /// 400 with a specific code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            status: 400,
            code,
            message: message.into(),
        }
    }

    /// 409 with a specific code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            AppError::InvalidJson(_) => 400,
            AppError::Invalid { status, .. } => *status,
            AppError::PayloadTooLarge(_) => 413,
            AppError::Unauthorized(_) | AppError::WebhookRejected(_) => 401,
            AppError::OriginNotAllowed => 403,
            AppError::UnsupportedMediaType => 415,
            AppError::BodyTimeout => 408,
            AppError::RateLimited(_) => 429,
            AppError::NotFound(_) => 404,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Conflict { .. } => 409,
            AppError::ConfigMissing(_) => 503,
            AppError::ConfigInvalid(..) => 500,
            AppError::Tamara(e) => match e {
                ApiError::NotFound { .. } => 404,
                ApiError::Rejected { status: 429, .. } => 503,
                ApiError::Rejected { status: 409, .. } => 409,
                ApiError::Rejected { .. } => 422,
                ApiError::Server { .. } => 503,
                _ => 502,
            },
            AppError::TamaraUnreachable(_) => 504,
            AppError::Storage(_) | AppError::Internal(_) => 500,
        }
    }

    /// Stable snake_case code.
    pub fn code(&self) -> &str {
        match self {
            AppError::InvalidJson(_) => "invalid_json",
            AppError::Invalid { code, .. } | AppError::Conflict { code, .. } => code,
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Unauthorized(_) | AppError::WebhookRejected(_) => "unauthorized",
            AppError::OriginNotAllowed => "origin_not_allowed",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::BodyTimeout => "body_timeout",
            AppError::RateLimited(_) => "rate_limited",
            AppError::NotFound(_) => "not_found",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::ConfigMissing(_) => "config_missing",
            AppError::ConfigInvalid(..) => "config_invalid",
            AppError::Tamara(ApiError::NotFound { .. }) => "order_not_found",
            AppError::Tamara(e) => e.code(),
            AppError::TamaraUnreachable(_) => "tamara_timeout",
            AppError::Storage(_) => "storage_error",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// Human message (safe to show: no secrets, no stack traces, no raw upstream bodies).
    pub fn message(&self) -> String {
        match self {
            AppError::InvalidJson(m) => format!("request body is not valid JSON: {m}"),
            AppError::Invalid { message, .. } | AppError::Conflict { message, .. } => {
                message.clone()
            }
            AppError::PayloadTooLarge(limit) => {
                format!("request body is larger than {limit} bytes")
            }
            AppError::Unauthorized(m) => (*m).to_owned(),
            AppError::WebhookRejected(_) => "missing or invalid tamaraToken".to_owned(),
            AppError::OriginNotAllowed => "this origin is not allowed".to_owned(),
            AppError::UnsupportedMediaType => {
                "send the body as Content-Type: application/json".to_owned()
            }
            AppError::BodyTimeout => "the request body did not arrive in time".to_owned(),
            AppError::RateLimited(secs) => {
                format!("too many requests from this client; retry in {secs} s")
            }
            AppError::NotFound(m) => m.clone(),
            AppError::MethodNotAllowed(allow) => {
                format!("method not allowed on this path (allowed: {allow})")
            }
            AppError::ConfigMissing(name) => {
                format!("the Worker is not configured: `{name}` is not set")
            }
            AppError::ConfigInvalid(name, why) => {
                format!("the Worker is misconfigured: `{name}` {why}")
            }
            AppError::Tamara(e) => match e {
                ApiError::NotFound { .. } => "Tamara does not know this order".to_owned(),
                ApiError::Rejected { body, .. } => {
                    if body.message.is_empty() {
                        "Tamara refused the request".to_owned()
                    } else {
                        format!("Tamara refused the request: {}", clip(&body.message, 200))
                    }
                }
                ApiError::Unauthorized { .. } => {
                    "Tamara rejected the merchant credentials".to_owned()
                }
                ApiError::Server { status, .. } => {
                    format!("Tamara is unavailable (status {status}); try again")
                }
                _ => "Tamara sent an unexpected response".to_owned(),
            },
            AppError::TamaraUnreachable(m) => format!("Tamara did not answer: {m}"),
            AppError::Storage(_) => "the order database failed; try again".to_owned(),
            AppError::Internal(_) => "internal error".to_owned(),
        }
    }

    /// Detail for the log line (never contains secrets: upstream bodies are Tamara's error
    /// text, D1 messages are SQL errors).
    pub fn log_detail(&self) -> String {
        match self {
            AppError::Tamara(e) => e.to_string(),
            AppError::WebhookRejected(why) => format!("webhook rejected: {why}"),
            AppError::Storage(m) | AppError::Internal(m) | AppError::TamaraUnreachable(m) => {
                m.clone()
            }
            other => other.message(),
        }
    }

    /// The JSON body `{"error": {"code", "message"}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"error": {"code": self.code(), "message": self.message()}})
    }
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError::Tamara(e)
    }
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for AppError {}

/// Result alias for handlers.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_are_stable() {
        let cases: Vec<(AppError, u16, &str)> = vec![
            (AppError::InvalidJson("x".into()), 400, "invalid_json"),
            (AppError::invalid("bad"), 422, "invalid_request"),
            (AppError::PayloadTooLarge(65536), 413, "payload_too_large"),
            (AppError::Unauthorized("no"), 401, "unauthorized"),
            (AppError::NotFound("x".into()), 404, "not_found"),
            (AppError::OriginNotAllowed, 403, "origin_not_allowed"),
            (AppError::UnsupportedMediaType, 415, "unsupported_media_type"),
            (AppError::BodyTimeout, 408, "body_timeout"),
            (AppError::RateLimited(60), 429, "rate_limited"),
            (
                AppError::conflict("idempotency_key_reused", "x"),
                409,
                "idempotency_key_reused",
            ),
            (
                AppError::ConfigMissing("TAMARA_API_TOKEN"),
                503,
                "config_missing",
            ),
            (
                AppError::Tamara(ApiError::from_response(
                    400,
                    br#"{"message":"total_amount_invalid_limit","errors":[{"error_code":"total_amount_invalid_limit"}]}"#,
                )),
                422,
                "total_amount_invalid_limit",
            ),
            (
                AppError::Tamara(ApiError::from_response(503, b"down")),
                503,
                "tamara_unavailable",
            ),
            (
                AppError::Tamara(ApiError::from_response(404, b"{}")),
                404,
                "order_not_found",
            ),
            (
                AppError::TamaraUnreachable("timeout".into()),
                504,
                "tamara_timeout",
            ),
        ];
        for (e, status, code) in cases {
            assert_eq!(e.status(), status, "{e:?}");
            assert_eq!(e.code(), code, "{e:?}");
            let body = e.body();
            assert_eq!(body["error"]["code"], code);
            assert!(body["error"]["message"].is_string());
        }
    }

    #[test]
    fn config_missing_names_the_variable() {
        let e = AppError::ConfigMissing("ADMIN_TOKEN");
        assert!(e.message().contains("ADMIN_TOKEN"));
    }

    #[test]
    fn internal_details_stay_out_of_the_body() {
        let e = AppError::Storage("D1_ERROR: no such table: orders".into());
        assert!(!e.body().to_string().contains("no such table"));
        assert!(e.log_detail().contains("no such table"));
    }
}
