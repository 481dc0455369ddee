//! `Idempotency-Key` handling: key validation, request hashing and the replay decision. The
//! hash covers the route and the body in canonical JSON form (sorted keys, no whitespace), so a
//! retry that re-serialises the same body still matches.

use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Longest accepted key.
pub const MAX_KEY_LEN: usize = 128;
/// Replay window.
pub const TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// An in-flight claim older than this is considered abandoned.
pub const IN_FLIGHT_STALE_MS: i64 = 60 * 1000;

/// Checks the header value: 1–128 visible ASCII characters.
pub fn validate_key(key: &str) -> Result<&str, AppError> {
    let k = key.trim();
    if k.is_empty() || k.len() > MAX_KEY_LEN || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key must be 1-{MAX_KEY_LEN} visible ASCII characters"),
        ));
    }
    Ok(k)
}

/// SHA-256 (hex) of `scope` and the canonical form of `body`.
pub fn request_hash(scope: &str, body: &serde_json::Value) -> String {
    let canonical = serde_json::to_string(body).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(scope.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The merchant `order_reference_id` for a checkout under an Idempotency-Key: derived from the
/// key and the request hash, so a retry with the same key and body reuses the same reference
/// (and finds the Tamara order a timed-out attempt may have created).
pub fn order_reference(key: &str, request_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"order_reference\n");
    h.update(key.as_bytes());
    h.update(b"\n");
    h.update(request_hash.as_bytes());
    let hex: String = h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("TS-{hex}")
}

/// A stored key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Stored {
    /// Hash of the first request.
    pub request_hash: String,
    /// Response status, `None` while in flight.
    pub response_status: Option<u16>,
    /// Response body.
    pub response_body: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

/// What to do with a request carrying a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// First use (or the old row expired / was abandoned): claim and run.
    Proceed,
    /// Same request already answered: send this again.
    Replay {
        /// Status.
        status: u16,
        /// Body.
        body: String,
    },
    /// Same request still running elsewhere.
    InFlight,
    /// Same key, different request.
    Mismatch,
}

/// Decides from the stored row (if any).
pub fn decide(stored: Option<&Stored>, hash: &str, now_ms: i64) -> Decision {
    let Some(s) = stored else {
        return Decision::Proceed;
    };
    if now_ms.saturating_sub(s.created_at) > TTL_MS {
        return Decision::Proceed;
    }
    if s.request_hash != hash {
        return Decision::Mismatch;
    }
    match (s.response_status, &s.response_body) {
        (Some(status), Some(body)) => Decision::Replay {
            status,
            body: body.clone(),
        },
        _ if now_ms.saturating_sub(s.created_at) > IN_FLIGHT_STALE_MS => Decision::Proceed,
        _ => Decision::InFlight,
    }
}

/// Whether a response should be stored for replay: successes and client errors are final;
/// 5xx/timeouts are not (the client may retry with the same key).
pub fn is_final(status: u16) -> bool {
    status < 500 && status != 409
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_reference_is_deterministic_per_key_and_request() {
        let a = super::order_reference("key-1", "h1");
        assert_eq!(a, super::order_reference("key-1", "h1"));
        assert_ne!(a, super::order_reference("key-2", "h1"));
        assert_ne!(a, super::order_reference("key-1", "h2"));
        assert!(a.starts_with("TS-") && a.len() == 35 && a.len() <= 128);
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn keys() {
        assert_eq!(validate_key(" abc-123 ").unwrap(), "abc-123");
        assert!(validate_key("").is_err());
        assert!(validate_key("has space").is_err());
        assert!(validate_key("ünï").is_err());
        assert!(validate_key(&"x".repeat(128)).is_ok());
        assert_eq!(
            validate_key(&"x".repeat(129)).unwrap_err().code(),
            "invalid_idempotency_key"
        );
    }

    #[test]
    fn hash_is_canonical() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b":1, "a":{"y":2,"x":[1,2]}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"a":{"x":[1,2],"y":2},"b":1}"#).unwrap();
        assert_eq!(request_hash("checkout", &a), request_hash("checkout", &b));
        assert_ne!(request_hash("checkout", &a), request_hash("other", &a));
        assert_ne!(
            request_hash("checkout", &a),
            request_hash("checkout", &json!({"b": 2, "a": {"x": [1, 2], "y": 2}}))
        );
        assert_eq!(request_hash("s", &a).len(), 64);
    }

    #[test]
    fn decisions() {
        let row = |status: Option<u16>, at: i64| Stored {
            request_hash: "h".into(),
            response_status: status,
            response_body: status.map(|_| "{}".to_owned()),
            created_at: at,
        };
        assert_eq!(decide(None, "h", 0), Decision::Proceed);
        assert_eq!(
            decide(Some(&row(Some(201), 0)), "h", 1000),
            Decision::Replay {
                status: 201,
                body: "{}".into()
            }
        );
        assert_eq!(
            decide(Some(&row(Some(201), 0)), "other", 1000),
            Decision::Mismatch
        );
        assert_eq!(
            decide(Some(&row(Some(201), 0)), "other", TTL_MS + 1),
            Decision::Proceed
        );
        assert_eq!(decide(Some(&row(None, 0)), "h", 1000), Decision::InFlight);
        assert_eq!(
            decide(Some(&row(None, 0)), "h", IN_FLIGHT_STALE_MS + 1),
            Decision::Proceed
        );
        assert!(is_final(201) && is_final(422) && !is_final(503) && !is_final(409));
    }
}
