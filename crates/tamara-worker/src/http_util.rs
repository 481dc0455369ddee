//! Small URL helpers.

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    tamara_core::http::encode_segment(s)
}
