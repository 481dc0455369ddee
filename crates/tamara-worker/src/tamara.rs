//! The one transport adapter: a sans-IO [`HttpRequest`] from `tamara-core` goes out through the
//! Workers `fetch` with a timeout (`AbortSignal.timeout`). Idempotent calls (GET) are retried
//! with backoff on 5xx, 429, timeouts and network errors; other calls are sent once, and their
//! callers re-read the order at Tamara before deciding to retry (see `sync.rs`, `routes/admin.rs`).

use tamara_core::http::Method;
use tamara_core::{ApiError, Client, Endpoint, HttpRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::error::{AppError, AppResult};
use crate::platform;

/// Attempts for idempotent calls.
pub const MAX_ATTEMPTS: u32 = 3;

/// Backoff before attempt `attempt` (1-based; attempt 1 has none).
pub fn backoff_ms(attempt: u32) -> u64 {
    match attempt {
        0 | 1 => 0,
        2 => 200,
        3 => 600,
        _ => 1500,
    }
}

/// Whether a failed attempt of an idempotent call is worth repeating.
pub fn retryable(e: &AppError) -> bool {
    match e {
        AppError::TamaraUnreachable(_) => true,
        AppError::Tamara(api) => api.is_transient(),
        _ => false,
    }
}

/// Whether an error leaves the outcome of a non-idempotent call unknown (re-read before retry).
pub fn outcome_unknown(e: &AppError) -> bool {
    retryable(e)
}

/// Tamara's API as seen from the Worker.
#[derive(Debug, Clone)]
pub struct Tamara {
    client: Client,
    timeout_ms: u32,
}

impl Tamara {
    /// A transport for `client`.
    pub fn new(client: Client, timeout_ms: u32) -> Self {
        Tamara {
            client,
            timeout_ms: timeout_ms.clamp(500, 30_000),
        }
    }

    /// Sends `endpoint`; GETs are retried, others sent once.
    pub async fn call<E: Endpoint>(&self, endpoint: &E) -> AppResult<E::Response> {
        let req = self.client.build(endpoint);
        let attempts = if E::METHOD == Method::Get {
            MAX_ATTEMPTS
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let result = match send(&req, self.timeout_ms).await {
                Ok((status, body)) => E::parse_response(status, &body).map_err(AppError::from),
                Err(e) => Err(e),
            };
            match result {
                Err(e) if attempt < attempts && retryable(&e) => {
                    worker::console_warn!(
                        "tamara {} {} attempt {attempt} failed: {}; retrying",
                        req.method.as_str(),
                        path_only(&req.url),
                        e.code()
                    );
                    attempt += 1;
                    platform::sleep_ms(backoff_ms(attempt)).await;
                }
                other => {
                    if let Err(e) = &other {
                        worker::console_warn!(
                            "tamara {} {} failed: {}",
                            req.method.as_str(),
                            path_only(&req.url),
                            e.log_detail()
                        );
                    }
                    return other;
                }
            }
        }
    }
}

/// One HTTP exchange: `(status, body)` or a transport error. Plain `fetch` through web-sys:
/// `worker::RequestInit` would also bring in the serialiser of every `cf` option.
pub async fn send(req: &HttpRequest, timeout_ms: u32) -> AppResult<(u16, Vec<u8>)> {
    let headers =
        web_sys::Headers::new().map_err(|_| AppError::Internal("cannot create headers".into()))?;
    for (k, v) in &req.headers {
        headers
            .set(k, v)
            .map_err(|_| AppError::Internal(format!("bad header {k}")))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&headers);
    if let Some(body) = &req.body {
        init.set_body(&js_sys::Uint8Array::from(body.as_slice()));
    }
    let signal = web_sys::AbortSignal::timeout_with_u32(timeout_ms);
    init.set_signal(Some(&signal));
    let unreachable = |e: JsValue| {
        if signal.aborted() {
            AppError::TamaraUnreachable(format!("no answer within {} ms", timeout_ms))
        } else {
            let detail = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            AppError::TamaraUnreachable(format!("connection failed: {detail}"))
        }
    };
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let resp = JsFuture::from(global.fetch_with_str_and_init(&req.url, &init))
        .await
        .map_err(unreachable)?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| AppError::Internal("fetch did not return a Response".into()))?;
    let status = resp.status();
    // The whole body in one promise.
    let buffer = JsFuture::from(resp.array_buffer().map_err(unreachable)?)
        .await
        .map_err(unreachable)?;
    Ok((status, js_sys::Uint8Array::new(&buffer).to_vec()))
}

fn path_only(url: &str) -> &str {
    let no_query = url.split('?').next().unwrap_or(url);
    match no_query.find("://") {
        Some(i) => no_query[i + 3..]
            .find('/')
            .map(|j| &no_query[i + 3 + j..])
            .unwrap_or("/"),
        None => no_query,
    }
}

/// Maps an [`ApiError`] 404 to `None` (for lookups).
pub fn not_found_as_none<T>(r: AppResult<T>) -> AppResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Tamara(ApiError::NotFound { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_policy() {
        assert!(retryable(&AppError::TamaraUnreachable("t".into())));
        assert!(retryable(&AppError::Tamara(ApiError::from_response(
            502, b""
        ))));
        assert!(retryable(&AppError::Tamara(ApiError::from_response(
            429, b"{}"
        ))));
        assert!(!retryable(&AppError::Tamara(ApiError::from_response(
            400, b"{}"
        ))));
        assert!(!retryable(&AppError::Tamara(ApiError::from_response(
            404, b"{}"
        ))));
        assert!(!retryable(&AppError::invalid("x")));
        assert_eq!(backoff_ms(1), 0);
        assert!(backoff_ms(2) < backoff_ms(3));
    }

    #[test]
    fn logs_only_paths() {
        assert_eq!(
            path_only("http://127.0.0.1:7070/merchants/orders/x?token=1"),
            "/merchants/orders/x"
        );
        assert_eq!(path_only("https://api.tamara.co"), "/");
    }

    #[test]
    fn not_found_is_none() {
        let r: AppResult<u8> = Err(AppError::Tamara(ApiError::from_response(404, b"{}")));
        assert_eq!(not_found_as_none(r).unwrap(), None);
        assert_eq!(not_found_as_none(Ok(1)).unwrap(), Some(1));
    }
}
