//! Tamara's API as the services see it: [`Tamara::call`] takes a sans-IO endpoint from
//! `tamara-core`, builds its request, sends it through a [`Transport`] and parses the answer.
//! Idempotent calls (GET) are retried with backoff on 5xx, 429, timeouts and network errors;
//! other calls are sent once, and their callers re-read the order at Tamara before deciding to
//! retry (`services::sync`, `services::money`).
//!
//! The transport is the one I/O seam to Tamara: [`fetch::FetchTransport`] in the Worker, a
//! scripted or sandbox-backed fake in native tests.

pub mod fetch;

use tamara_core::http::Method;
use tamara_core::{Client, Endpoint, HttpRequest};

use crate::error::{AppError, AppResult};

/// Sends one HTTP exchange to Tamara. No `Send` bound: Worker futures are not `Send`.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// `(status, body)`, or [`AppError::TamaraUnreachable`] when no answer came within
    /// `timeout_ms` or the connection failed.
    async fn send(&self, req: &HttpRequest, timeout_ms: u32) -> AppResult<(u16, Vec<u8>)>;

    /// Waits `ms` (the backoff between retries); fakes return at once.
    async fn sleep(&self, ms: u64);

    /// Logs a warning (never a secret: only methods, paths and error codes are passed).
    fn warn(&self, line: &str);
}

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

/// Tamara's API over a transport.
#[derive(Debug, Clone)]
pub struct Tamara<T> {
    client: Client,
    timeout_ms: u32,
    transport: T,
}

impl<T: Transport> Tamara<T> {
    /// Calls go to `client`'s base URL with its token, through `transport`.
    pub fn new(client: Client, timeout_ms: u32, transport: T) -> Self {
        Tamara {
            client,
            timeout_ms: timeout_ms.clamp(500, 30_000),
            transport,
        }
    }

    /// The transport (tests look at what was sent).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Tamara's clock in local development: the sandbox's controllable clock at `url`
    /// (`SANDBOX_CLOCK_URL`), or `None` when it does not answer.
    pub async fn sandbox_now(&self, url: &str) -> Option<i64> {
        #[derive(serde::Deserialize)]
        struct Clock {
            now_ms: i64,
        }
        let get = HttpRequest {
            method: Method::Get,
            url: url.to_owned(),
            headers: Vec::new(),
            body: None,
        };
        match self.transport.send(&get, 2000).await {
            Ok((200, body)) => serde_json::from_slice::<Clock>(&body)
                .ok()
                .map(|c| c.now_ms),
            _ => None,
        }
    }

    /// Sends `endpoint` once within `budget_ms` (not clamped: Tamara's eligibility budget is
    /// 200 ms); no retry. For calls whose caller fails open when no answer comes in time.
    pub async fn call_within<E: Endpoint>(
        &self,
        endpoint: &E,
        budget_ms: u32,
    ) -> AppResult<E::Response> {
        let req = self.client.build(endpoint);
        let result = match self.transport.send(&req, budget_ms.max(1)).await {
            Ok((status, body)) => E::parse_response(status, &body).map_err(AppError::from),
            Err(e) => Err(e),
        };
        if let Err(e) = &result {
            self.transport.warn(&format!(
                "tamara {} {} failed within {budget_ms} ms: {}",
                req.method.as_str(),
                path_only(&req.url),
                e.code()
            ));
        }
        result
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
            let result = match self.transport.send(&req, self.timeout_ms).await {
                Ok((status, body)) => E::parse_response(status, &body).map_err(AppError::from),
                Err(e) => Err(e),
            };
            match result {
                Err(e) if attempt < attempts && retryable(&e) => {
                    self.transport.warn(&format!(
                        "tamara {} {} attempt {attempt} failed: {}; retrying",
                        req.method.as_str(),
                        path_only(&req.url),
                        e.code()
                    ));
                    attempt += 1;
                    self.transport.sleep(backoff_ms(attempt)).await;
                }
                other => {
                    if let Err(e) = &other {
                        self.transport.warn(&format!(
                            "tamara {} {} failed: {}",
                            req.method.as_str(),
                            path_only(&req.url),
                            e.log_detail()
                        ));
                    }
                    return other;
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::ApiError;

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
}
