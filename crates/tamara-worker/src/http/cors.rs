//! CORS for the storefront API: only origins on `ALLOWED_ORIGINS` get `Access-Control-Allow-*`
//! headers; no credentials are ever allowed. Pure functions; `lib.rs` applies the headers.

/// Methods the storefront API accepts cross-origin.
pub const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
/// Request headers the storefront may send.
pub const ALLOW_HEADERS: &str = "Content-Type, Idempotency-Key";
/// Preflight cache lifetime (seconds).
pub const MAX_AGE: &str = "600";

/// The parsed allow-list: exact `scheme://host[:port]` origins, compared case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// Parses a comma- or space-separated list; trailing slashes are ignored, `*` is refused
    /// (a payment API must name its storefronts).
    pub fn parse(list: &str) -> Self {
        AllowedOrigins(
            list.split([',', ' ', '\n'])
                .map(|s| s.trim().trim_end_matches('/').to_ascii_lowercase())
                .filter(|s| !s.is_empty() && s != "*" && s.contains("://"))
                .collect(),
        )
    }

    /// The origins, as parsed.
    pub fn list(&self) -> &[String] {
        &self.0
    }

    /// True when `origin` is on the list.
    pub fn allows(&self, origin: &str) -> bool {
        let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        self.0.contains(&o)
    }
}

/// Headers to add to an actual (non-preflight) response for `origin`.
pub fn response_headers(
    allowed: &AllowedOrigins,
    origin: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut h = vec![("Vary", "Origin".to_owned())];
    if let Some(o) = origin.filter(|o| allowed.allows(o)) {
        h.push(("Access-Control-Allow-Origin", o.to_owned()));
        h.push((
            "Access-Control-Expose-Headers",
            "Idempotency-Key".to_owned(),
        ));
    }
    h
}

/// Outcome of a preflight request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preflight {
    /// 204 with these headers.
    Allowed(Vec<(&'static str, String)>),
    /// 403: the origin is not allowed.
    Forbidden,
}

/// Answers `OPTIONS` for `origin`.
pub fn preflight(allowed: &AllowedOrigins, origin: Option<&str>) -> Preflight {
    match origin.filter(|o| allowed.allows(o)) {
        Some(o) => Preflight::Allowed(vec![
            ("Vary", "Origin".to_owned()),
            ("Access-Control-Allow-Origin", o.to_owned()),
            ("Access-Control-Allow-Methods", ALLOW_METHODS.to_owned()),
            ("Access-Control-Allow-Headers", ALLOW_HEADERS.to_owned()),
            ("Access-Control-Max-Age", MAX_AGE.to_owned()),
        ]),
        None => Preflight::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> AllowedOrigins {
        AllowedOrigins::parse("http://127.0.0.1:8787, http://localhost:8787/ ,*")
    }

    #[test]
    fn allow_list_is_exact() {
        let a = list();
        assert!(a.allows("http://127.0.0.1:8787"));
        assert!(a.allows("HTTP://LOCALHOST:8787"));
        assert!(!a.allows("http://127.0.0.1:8788"));
        assert!(!a.allows("https://evil.example"));
        assert!(!a.allows("null"));
        assert!(!a.allows("*"));
    }

    #[test]
    fn headers_only_for_allowed_origins_and_never_credentials() {
        let a = list();
        let h = response_headers(&a, Some("http://localhost:8787"));
        assert!(h
            .iter()
            .any(|(k, v)| *k == "Access-Control-Allow-Origin" && v == "http://localhost:8787"));
        assert!(h
            .iter()
            .all(|(k, _)| *k != "Access-Control-Allow-Credentials"));
        let h = response_headers(&a, Some("https://evil.example"));
        assert_eq!(h, vec![("Vary", "Origin".to_owned())]);
        assert_eq!(
            preflight(&a, Some("https://evil.example")),
            Preflight::Forbidden
        );
        assert_eq!(preflight(&a, None), Preflight::Forbidden);
        match preflight(&a, Some("http://127.0.0.1:8787")) {
            Preflight::Allowed(h) => {
                assert!(h
                    .iter()
                    .any(|(k, v)| *k == "Access-Control-Allow-Headers"
                        && v.contains("Idempotency-Key")));
                assert!(h
                    .iter()
                    .all(|(k, _)| *k != "Access-Control-Allow-Credentials"));
            }
            other => panic!("{other:?}"),
        }
    }
}
