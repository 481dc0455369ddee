//! Webhook delivery: the queue per (order, URL), one Tokio task per busy queue, the POST with a
//! fresh `tamaraToken` (query and `Authorization`), retries of non-2xx and transport errors with
//! exponential backoff.
//!
//! Dependencies go one way: `state.rs` uses this module (it owns a [`Queue`] and implements
//! [`DeliveryLog`] over its delivery log); this module never names the sandbox state. It reads
//! what to send and records each attempt only through [`DeliveryLog`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tamara_core::http::append_query;
use tamara_core::token::{sign, Claims};
use tamara_core::{NotificationToken, Timestamp};

/// `http` is allowed for loopback hosts only; `https` anywhere (core's
/// [`tamara_core::webhooks::webhook_url_allowed`], the rule webhook registration uses too).
pub fn url_allowed(url: &str) -> bool {
    tamara_core::webhooks::webhook_url_allowed(url)
}

/// Real time, ignoring the sandbox clock offset (used to sign webhook tokens).
pub fn wall_clock() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}

const NOT_ALLOWED: &str = "url_not_allowed: http is allowed for 127.0.0.1/localhost only";

/// What one attempt sends, read from the log just before it is made.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Target URL (without the token).
    pub url: String,
    /// Signs the `tamaraToken`.
    pub notification_token: NotificationToken,
    /// JSON payload.
    pub body: Vec<u8>,
    /// Extra headers of the registered webhook.
    pub headers: Vec<(String, String)>,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// HTTP status received.
    pub status: Option<u16>,
    /// Transport error (or why no request was made).
    pub error: Option<String>,
    /// A 2xx was received.
    pub delivered: bool,
    /// A request was made (counts as an attempt).
    pub attempted: bool,
}

/// The delivery log the queue works from (implemented by the sandbox state).
pub trait DeliveryLog: Clone + Send + Sync + 'static {
    /// The queue a delivery belongs to (`"{order_id} {url}"`); `None` when it is not logged.
    fn queue_key(&self, id: &str) -> Option<String>;
    /// Attempts at most (≥ 1) and the first backoff in ms (doubled after each failure).
    fn retry_policy(&self) -> (u32, u64);
    /// What to send now; `None` when the delivery left the log (reset).
    fn attempt(&self, id: &str) -> Option<Attempt>;
    /// Records the outcome of an attempt.
    fn record(&self, id: &str, outcome: Outcome);
}

/// Pending deliveries per (order, URL): one task per key delivers them in order, so a receiver
/// sees an order's events in the order they happened (even across retries).
#[derive(Debug, Clone)]
pub struct Queue {
    http: reqwest::Client,
    pending: Arc<Mutex<HashMap<String, VecDeque<String>>>>,
}

impl Default for Queue {
    fn default() -> Self {
        Self::new()
    }
}

impl Queue {
    /// An empty queue with an HTTP client that follows no redirects and uses no proxy.
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_default();
        Queue {
            http,
            pending: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The HTTP client webhooks are sent with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Queues logged deliveries and starts a task for each queue that was idle (needs a Tokio
    /// runtime). Ids not in the log are skipped.
    pub fn start<L: DeliveryLog>(&self, log: &L, ids: Vec<String>) {
        for id in ids {
            let Some(key) = log.queue_key(&id) else {
                continue;
            };
            let idle = {
                let mut q = self
                    .pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match q.get_mut(&key) {
                    Some(pending) => {
                        pending.push_back(id);
                        false
                    }
                    None => {
                        q.insert(key.clone(), VecDeque::from([id]));
                        true
                    }
                }
            };
            if idle {
                let queue = self.clone();
                let log = log.clone();
                tokio::spawn(async move { queue.drain(log, key).await });
            }
        }
    }

    /// Delivers a key's deliveries one after the other until its queue is empty.
    async fn drain<L: DeliveryLog>(self, log: L, key: String) {
        loop {
            let next = {
                let mut q = self
                    .pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match q.get_mut(&key).and_then(VecDeque::pop_front) {
                    Some(id) => id,
                    None => {
                        q.remove(&key);
                        return;
                    }
                }
            };
            self.deliver(&log, &next).await;
        }
    }

    /// Delivers one logged delivery, retrying as configured.
    async fn deliver<L: DeliveryLog>(&self, log: &L, id: &str) {
        let (max, base) = log.retry_policy();
        let max = max.max(1);
        for attempt in 1..=max {
            let Some(a) = log.attempt(id) else {
                return;
            };
            if !url_allowed(&a.url) {
                log.record(
                    id,
                    Outcome {
                        status: None,
                        error: Some(NOT_ALLOWED.to_owned()),
                        delivered: false,
                        attempted: false,
                    },
                );
                return;
            }
            // The token proves the sender to a receiver that runs on a real clock, so it is
            // signed with wall-clock time, not the sandbox clock (which tests move days ahead).
            let token = sign(&a.notification_token, &Claims::tamara(wall_clock()));
            let mut req = self
                .http
                .post(append_query(&a.url, &[("tamaraToken", token.clone())]))
                .header("Authorization", format!("Bearer {token}"))
                .header("Content-Type", "application/json")
                .header("User-Agent", "tamara-sandbox-webhooks")
                .timeout(a.timeout)
                .body(a.body);
            for (k, v) in &a.headers {
                req = req.header(k.as_str(), v.as_str());
            }
            let outcome = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    // Drain so the connection can be reused.
                    let _ = resp.bytes().await;
                    Outcome {
                        status: Some(status.as_u16()),
                        error: None,
                        delivered: status.is_success(),
                        attempted: true,
                    }
                }
                Err(e) => {
                    let kind = if e.is_timeout() {
                        "timeout"
                    } else if e.is_connect() {
                        "connection refused"
                    } else {
                        "transport error"
                    };
                    Outcome {
                        status: None,
                        error: Some(kind.to_owned()),
                        delivered: false,
                        attempted: true,
                    }
                }
            };
            let ok = outcome.delivered;
            log.record(id, outcome);
            if ok {
                return;
            }
            if attempt < max {
                let factor = 1u64 << (attempt - 1).min(16);
                tokio::time::sleep(Duration::from_millis(base.saturating_mul(factor))).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_urls() {
        assert!(url_allowed("http://127.0.0.1:8787/tamara/webhook"));
        assert!(url_allowed("http://localhost/x?a=1"));
        assert!(url_allowed("https://shop.example.com/hook"));
        assert!(!url_allowed("http://shop.example.com/hook"));
        assert!(!url_allowed("http://127.0.0.1.evil.com/"));
        assert!(!url_allowed("ftp://127.0.0.1/"));
        assert!(!url_allowed("not a url"));
    }
}
