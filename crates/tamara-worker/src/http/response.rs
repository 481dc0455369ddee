//! Responses: JSON, redirects, pages and the one error rendering
//! (`{"error": {"code", "message"}}` with the error's stable status).

use serde_json::Value;
use worker::Response;

use crate::error::{AppError, AppResult};

/// A JSON response (never cached).
pub fn json(status: u16, v: &Value) -> AppResult<Response> {
    let r = Response::from_json(v)?.with_status(status);
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// A JSON response from already-serialised text (idempotent replays).
pub fn json_text(status: u16, text: &str) -> AppResult<Response> {
    let r = Response::ok(text)?.with_status(status);
    r.headers().set("Content-Type", "application/json")?;
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// `303 See Other` to `url`.
pub fn see_other(url: &str) -> AppResult<Response> {
    let r = Response::empty()?.with_status(303);
    r.headers().set("Location", url)?;
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// An HTML page, with the Worker's page policy (`guard::HTML_HEADERS`: a CSP allowing no
/// script and no inline style, no framing).
pub fn html(status: u16, page: &str) -> AppResult<Response> {
    let r = Response::from_html(page)?.with_status(status);
    r.headers().set("Cache-Control", "no-store")?;
    for (k, v) in crate::guard::HTML_HEADERS {
        r.headers().set(k, v)?;
    }
    Ok(r)
}

/// Adds the headers every Worker answer carries (`guard::COMMON_HEADERS`).
pub fn secure(r: &Response) {
    for (k, v) in crate::guard::COMMON_HEADERS {
        let _ = r.headers().set(k, v);
    }
}

/// The error response; 5xx and rejected webhooks are logged (codes and details, no secrets).
pub fn error(e: &AppError) -> Response {
    let status = e.status();
    if status >= 500 || matches!(e, AppError::WebhookRejected(_)) {
        worker::console_error!("{} {}: {}", status, e.code(), e.log_detail());
    }
    let r = match Response::from_json(&e.body()) {
        Ok(r) => r.with_status(status),
        Err(_) => Response::builder().with_status(status).empty(),
    };
    if let AppError::MethodNotAllowed(allow) = e {
        let _ = r.headers().set("Allow", allow); // RFC 9110: a 405 lists what the path takes
    }
    if let AppError::RateLimited(secs) = e {
        let _ = r.headers().set("Retry-After", &secs.to_string());
    }
    let _ = r.headers().set("Cache-Control", "no-store");
    r
}
