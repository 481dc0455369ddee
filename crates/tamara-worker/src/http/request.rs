//! The incoming request, read through web-sys directly.
//!
//! `worker::Request` reads `request.cf` when it is built, and in workerd that getter
//! materialises the whole `cf` object on every call: in a CPU profile of `GET /api/health`
//! under load it was the single largest item (13 % of the isolate's samples). Nothing here uses
//! `cf`, so handlers get this thin wrapper instead; it also takes the path and query from the
//! URL string the runtime already normalised, rather than re-parsing it with the `url` crate.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::body;
use crate::error::{AppError, AppResult};

/// An incoming HTTP request.
#[derive(Debug)]
pub struct Request {
    raw: web_sys::Request,
    url: String,
}

impl Request {
    /// Wraps the runtime's request.
    pub fn new(raw: web_sys::Request) -> Self {
        let url = raw.url();
        Request { raw, url }
    }

    /// `GET`, `POST`, … as the runtime reports it (upper case for the standard methods).
    pub fn method(&self) -> String {
        self.raw.method()
    }

    /// The path, still percent-encoded (`/api/orders/abc`).
    pub fn path(&self) -> &str {
        split_url(&self.url).0
    }

    /// The raw query string without `?`, if there is one.
    pub fn query(&self) -> Option<&str> {
        split_url(&self.url).1
    }

    /// A header's value (several values joined by `, `), or `None`.
    pub fn header(&self, name: &str) -> Option<String> {
        self.raw.headers().get(name).ok().flatten()
    }

    /// The whole body, or `Ok(None)` when it has not fully arrived within `timeout_ms` (a
    /// client that announces `Content-Length: 100` and sends 2 bytes would otherwise hold the
    /// request open until the platform gives up).
    pub async fn bytes(&self, timeout_ms: i32) -> Result<Option<Vec<u8>>, String> {
        let read = self.raw.array_buffer().map_err(js_message)?;
        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let handle = std::cell::Cell::new(None);
        let timer = js_sys::Promise::new(&mut |resolve, _reject| {
            handle.set(
                global
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout_ms)
                    .ok(),
            );
        });
        let both = js_sys::Array::of2(&read, &timer);
        let first = JsFuture::from(js_sys::Promise::race(&both)).await;
        // No timer outlives the read.
        if let Some(h) = handle.get() {
            global.clear_timeout_with_handle(h);
        }
        let first = first.map_err(js_message)?;
        if !first.is_instance_of::<js_sys::ArrayBuffer>() {
            return Ok(None); // the timer won: it resolves with `undefined`
        }
        Ok(Some(js_sys::Uint8Array::new(&first).to_vec()))
    }

    /// The runtime's request (to hand on, e.g. to the static-assets binding).
    pub fn into_raw(self) -> web_sys::Request {
        self.raw
    }
}

impl Request {
    /// The body (≤ 64 KiB, [`body::MAX_BODY`]) as bytes; a larger one is 413 before it is read
    /// when `Content-Length` says so.
    pub async fn body(&self) -> AppResult<Vec<u8>> {
        if let Some(len) = self.header("Content-Length") {
            if let Ok(n) = len.trim().parse::<usize>() {
                body::check_size(n)?;
            }
        }
        let bytes = self
            .bytes(body::READ_TIMEOUT_MS)
            .await
            .map_err(|e| AppError::bad_request("unreadable_body", e))?
            .ok_or(AppError::BodyTimeout)?;
        body::check_size(bytes.len())?;
        Ok(bytes)
    }

    /// The body as JSON of type `T` (400 / 422 with the path of what is wrong).
    pub async fn json<T: serde::de::DeserializeOwned>(&self) -> AppResult<T> {
        body::parse(&self.body().await?)
    }

    /// The query's pairs, decoded.
    pub fn query_pairs(&self) -> Query {
        Query(
            self.query()
                .map(tamara_core::http::parse_query)
                .unwrap_or_default(),
        )
    }
}

/// Decoded query pairs.
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// A parameter, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A parameter exactly as sent; `None` when absent or empty.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

fn js_message(e: wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "the body could not be read".to_owned())
}

/// `(path, query)` of an absolute URL (`scheme://authority/path?query#fragment`). The path is
/// `/` when the URL has none.
pub fn split_url(url: &str) -> (&str, Option<&str>) {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => url,
    };
    let rest = rest.split('#').next().unwrap_or("");
    let Some(slash) = rest.find(['/', '?']) else {
        return ("/", None);
    };
    let rest = &rest[slash..];
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    (if path.is_empty() { "/" } else { path }, query)
}

#[cfg(test)]
mod tests {
    use super::split_url;

    #[test]
    fn splits_path_and_query() {
        assert_eq!(
            split_url("http://127.0.0.1:8787/api/checkout"),
            ("/api/checkout", None)
        );
        assert_eq!(
            split_url("https://shop.example/tamara/success?orderId=a&paymentStatus=approved"),
            ("/tamara/success", Some("orderId=a&paymentStatus=approved"))
        );
        assert_eq!(split_url("https://shop.example"), ("/", None));
        assert_eq!(split_url("https://shop.example?x=1"), ("/", Some("x=1")));
        assert_eq!(split_url("https://shop.example/a?#frag"), ("/a", Some("")));
        assert_eq!(split_url("https://shop.example/a#f?x"), ("/a", None));
        assert_eq!(
            split_url("https://shop.example/a/%20b?q=%3F"),
            ("/a/%20b", Some("q=%3F"))
        );
    }
}
