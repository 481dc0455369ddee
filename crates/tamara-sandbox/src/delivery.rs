//! Webhook delivery: POST the payload with a fresh `tamaraToken` (query and `Authorization`),
//! retry non-2xx and transport errors with exponential backoff, record every attempt.

use std::time::Duration;

use tamara_core::http::append_query;
use tamara_core::token::{sign, Claims};

use crate::state::SandboxState;

/// `http` is allowed for loopback hosts only; `https` anywhere.
pub fn url_allowed(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    match u.scheme() {
        "https" => u.host_str().is_some(),
        "http" => matches!(
            u.host_str(),
            Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
        ),
        _ => false,
    }
}

const NOT_ALLOWED: &str = "url_not_allowed: http is allowed for 127.0.0.1/localhost only";

struct Attempt {
    url: String,
    token: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    timeout: Duration,
}

/// Delivers one logged delivery, retrying as configured.
pub async fn deliver(st: SandboxState, id: String) {
    let (max, base) = {
        let i = st.lock();
        (
            i.config.webhook_max_attempts.max(1),
            i.config.webhook_retry_base_ms,
        )
    };
    for attempt in 1..=max {
        let Some(a) = prepare(&st, &id) else {
            return;
        };
        if !url_allowed(&a.url) {
            record(&st, &id, None, Some(NOT_ALLOWED.to_owned()), false, false);
            return;
        }
        let mut req = st
            .http()
            .post(append_query(&a.url, &[("tamaraToken", a.token.clone())]))
            .header("Authorization", format!("Bearer {}", a.token))
            .header("Content-Type", "application/json")
            .header("User-Agent", "tamara-sandbox-webhooks")
            .timeout(a.timeout)
            .body(a.body);
        for (k, v) in &a.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let ok = match req.send().await {
            Ok(resp) => {
                let status = resp.status();
                // Drain so the connection can be reused.
                let _ = resp.bytes().await;
                let ok = status.is_success();
                record(&st, &id, Some(status.as_u16()), None, ok, true);
                ok
            }
            Err(e) => {
                let kind = if e.is_timeout() {
                    "timeout"
                } else if e.is_connect() {
                    "connection refused"
                } else {
                    "transport error"
                };
                record(&st, &id, None, Some(kind.to_owned()), false, true);
                false
            }
        };
        if ok {
            return;
        }
        if attempt < max {
            let factor = 1u64 << (attempt - 1).min(16);
            tokio::time::sleep(Duration::from_millis(base.saturating_mul(factor))).await;
        }
    }
}

fn prepare(st: &SandboxState, id: &str) -> Option<Attempt> {
    let inner = st.lock();
    let d = inner.data.deliveries.iter().find(|d| d.id == id)?;
    let headers = d
        .webhook_id
        .as_ref()
        .and_then(|w| inner.data.webhooks.get(w.as_str()))
        .and_then(|w| w.headers.clone())
        .map(|h| h.into_iter().collect())
        .unwrap_or_default();
    // The token proves the sender to a receiver that runs on a real clock, so it is signed
    // with wall-clock time, not the sandbox clock (which tests move days ahead).
    let token = sign(
        &inner.config.notification_token,
        &Claims::tamara(crate::state::wall_clock()),
    );
    Some(Attempt {
        url: d.url.clone(),
        token,
        body: serde_json::to_vec(&d.body).unwrap_or_default(),
        headers,
        timeout: Duration::from_millis(inner.config.webhook_timeout_ms),
    })
}

fn record(
    st: &SandboxState,
    id: &str,
    status: Option<u16>,
    error: Option<String>,
    ok: bool,
    attempted: bool,
) {
    {
        let mut inner = st.lock();
        if let Some(d) = inner.data.deliveries.iter_mut().find(|d| d.id == id) {
            d.attempts += u32::from(attempted);
            d.last_status = status;
            d.last_error = error;
            d.delivered = ok;
        }
    }
    st.save();
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
