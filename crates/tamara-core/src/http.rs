//! Sans-IO request building: a typed endpoint becomes an [`HttpRequest`] (method, URL with query,
//! headers, JSON body) and a `(status, body)` pair becomes its typed response. No sockets here.

use serde::de::DeserializeOwned;

use crate::error::{parse_json, ApiError};
use crate::secret::ApiToken;

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Which Tamara API to talk to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://api-sandbox.tamara.co`
    Sandbox,
    /// `https://api.tamara.co`
    Production,
    /// Any other base URL, e.g. the local `tamara-sandbox` (`http://127.0.0.1:7070`).
    Custom(String),
}

impl Environment {
    /// Base URL without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Sandbox => "https://api-sandbox.tamara.co",
            Environment::Production => "https://api.tamara.co",
            Environment::Custom(u) => u.trim_end_matches('/'),
        }
    }

    /// Parses `sandbox`, `production` or a URL.
    pub fn from_config(s: &str) -> Environment {
        match s.trim() {
            "sandbox" => Environment::Sandbox,
            "production" => Environment::Production,
            "https://api-sandbox.tamara.co" | "https://api-sandbox.tamara.co/" => {
                Environment::Sandbox
            }
            "https://api.tamara.co" | "https://api.tamara.co/" => Environment::Production,
            other => Environment::Custom(other.trim_end_matches('/').to_owned()),
        }
    }
}

/// A request ready to hand to any HTTP client.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL including the query string.
    pub url: String,
    /// Headers, including `Authorization: Bearer …`.
    pub headers: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<Vec<u8>>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("authorization") {
                    (k.as_str(), "[redacted]")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl HttpRequest {
    /// Body as UTF-8 text (for tests and logs of non-secret bodies).
    pub fn body_str(&self) -> Option<&str> {
        self.body
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One Tamara API operation: how to build it and how to read its answer.
pub trait Endpoint {
    /// The typed success response.
    type Response;
    /// HTTP method.
    const METHOD: Method;
    /// Path with parameters already encoded (use [`encode_segment`]).
    fn path(&self) -> String;
    /// Query parameters.
    fn query(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// JSON body.
    fn body(&self) -> Option<Vec<u8>>;
    /// Extra headers (e.g. `X-Device-Id`).
    fn extra_headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// Parses a 2xx response body.
    fn parse_success(status: u16, body: &[u8]) -> Result<Self::Response, ApiError>;

    /// Parses any response: 2xx → typed response, anything else → [`ApiError`].
    fn parse_response(status: u16, body: &[u8]) -> Result<Self::Response, ApiError> {
        if (200..300).contains(&status) {
            Self::parse_success(status, body)
        } else {
            Err(ApiError::from_response(status, body))
        }
    }
}

/// Serialises a request body. Our request types contain only strings, integers, booleans and
/// [`Money`](crate::money::Money), so this cannot fail; a failure would be a bug, reported as an
/// empty object rather than a panic.
pub(crate) fn json_body<T: serde::Serialize>(v: &T) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec()))
}

/// Default JSON parse used by most endpoints.
pub(crate) fn parse_default<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, ApiError> {
    parse_json(status, body)
}

/// The merchant's client configuration: base URL + API token. Builds requests; sends nothing.
#[derive(Debug, Clone)]
pub struct Client {
    env: Environment,
    token: ApiToken,
    user_agent: String,
}

impl Client {
    /// A client for `env` using `token`.
    pub fn new(env: Environment, token: ApiToken) -> Self {
        Client {
            env,
            token,
            user_agent: concat!("tamara-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Overrides the `User-Agent`.
    pub fn with_user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// Builds the HTTP request for `endpoint`.
    pub fn build<E: Endpoint>(&self, endpoint: &E) -> HttpRequest {
        let mut url = format!("{}{}", self.env.base_url(), endpoint.path());
        let query = endpoint.query();
        if !query.is_empty() {
            url.push('?');
            url.push_str(&encode_query(&query));
        }
        let body = endpoint.body();
        let mut headers = vec![
            (
                "Authorization".to_owned(),
                format!("Bearer {}", self.token.expose()),
            ),
            ("Accept".to_owned(), "application/json".to_owned()),
            ("User-Agent".to_owned(), self.user_agent.clone()),
        ];
        if body.is_some() {
            headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        for (k, v) in endpoint.extra_headers() {
            headers.push((k.to_owned(), v));
        }
        HttpRequest {
            method: E::METHOD,
            url,
            headers,
            body,
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes `k=v&k=v`.
pub fn encode_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes a percent-encoded query component (`+` is a space).
pub fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses a query string into decoded pairs.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(p), String::new()),
        })
        .collect()
}

/// Appends query pairs to a URL, with `&` when it already has a query (as Tamara does for
/// `merchant_url`s).
pub fn append_query(url: &str, pairs: &[(&str, String)]) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encode_query(pairs))
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn encoding() {
        assert_eq!(encode_segment("A 1/ß"), "A%201%2F%C3%9F");
        assert_eq!(decode_component("A%201%2F%C3%9F+x"), "A 1/ß x");
        assert_eq!(decode_component("100%"), "100%");
        assert_eq!(decode_component("%zz"), "%zz");
        assert_eq!(
            parse_query("?a=1&b=x%20y&c"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), String::new())
            ]
        );
        assert_eq!(
            append_query("https://s/x", &[("a", "1".into())]),
            "https://s/x?a=1"
        );
        assert_eq!(
            append_query("https://s/x?k=v", &[("a", "1".into())]),
            "https://s/x?k=v&a=1"
        );
        assert_eq!(
            Environment::from_config("sandbox").base_url(),
            "https://api-sandbox.tamara.co"
        );
        assert_eq!(
            Environment::from_config("http://127.0.0.1:7070/").base_url(),
            "http://127.0.0.1:7070"
        );
    }
}
