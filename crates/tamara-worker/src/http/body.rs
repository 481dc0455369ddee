//! Request bodies: a size cap and JSON parsing that tells malformed JSON (400 `invalid_json`)
//! from well-formed JSON of the wrong shape (422 `invalid_request`, with the JSON path).

use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Largest accepted body.
pub const MAX_BODY: usize = 64 * 1024;

/// How long a request body may take to arrive in full (408 `body_timeout` after that).
pub const READ_TIMEOUT_MS: i32 = 10_000;

/// Refuses bodies over [`MAX_BODY`].
pub fn check_size(len: usize) -> Result<(), AppError> {
    if len > MAX_BODY {
        Err(AppError::PayloadTooLarge(MAX_BODY))
    } else {
        Ok(())
    }
}

/// Parses raw bytes into a JSON value (400 on syntax errors). An empty body is `{}`.
pub fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, AppError> {
    check_size(bytes.len())?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Object(serde_json::Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| AppError::InvalidJson(e.to_string()))
}

/// Converts a JSON value into `T` (422 with the failing path).
pub fn from_value<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, AppError> {
    tamara_core::json_path::from_value(v).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.inner().to_string();
        if path == "." || path.is_empty() {
            AppError::invalid(msg)
        } else {
            AppError::invalid(format!("{path}: {msg}"))
        }
    })
}

/// Bytes → `T`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    from_value(parse_value(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct T {
        #[allow(dead_code)]
        n: u32,
        #[allow(dead_code)]
        items: Vec<u32>,
    }

    #[test]
    fn distinguishes_syntax_from_shape() {
        assert_eq!(parse::<T>(b"{nope").unwrap_err().code(), "invalid_json");
        let e = parse::<T>(br#"{"n": "x", "items": []}"#).unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "invalid_request"));
        assert!(e.message().contains('n'));
        let e = parse::<T>(br#"{"n": 1, "items": [1, "2"]}"#).unwrap_err();
        assert!(e.message().contains("items[1]"), "{}", e.message());
        assert_eq!(parse::<T>(b"[]").unwrap_err().code(), "invalid_request");
        assert!(parse::<T>(br#"{"n": 1, "items": []}"#).is_ok());
    }

    #[test]
    fn size_limit() {
        let big = vec![b' '; MAX_BODY + 1];
        assert_eq!(parse_value(&big).unwrap_err().status(), 413);
        assert_eq!(parse_value(b"  ").unwrap(), serde_json::json!({}));
    }
}
