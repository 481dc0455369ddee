//! Fault injection for the Tamara API and hosted routes (never for `/_sandbox/*`).
//!
//! A rule matches `METHOD /path` where a pattern segment `*` or `{name}` matches any one segment
//! and a final `**` matches the rest; the method `*` matches any method. A matching request first
//! waits `delay_ms`, then either gets `status` with a Tamara-shaped error body, or, with
//! `drop_connection`, a response whose body fails immediately: hyper then aborts the connection
//! without completing the response, so the client sees a connection error (or, when only the
//! status line got out, a truncated body). A rule with only a delay passes the request on;
//! `delay_after_ms` handles the request first and then holds the answer.
//! Each rule affects `count` requests and then disappears.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiErr;
use crate::state::{Fault, SandboxState};

/// True when `pattern` (`"POST /orders/*/authorise"`) matches `method` and `path`.
pub fn matches(pattern: &str, method: &str, path: &str) -> bool {
    let (pm, pp) = match pattern.trim().split_once(' ') {
        Some((m, p)) => (m.trim(), p.trim()),
        None => ("*", pattern.trim()),
    };
    if pm != "*" && !pm.eq_ignore_ascii_case(method) {
        return false;
    }
    let pat: Vec<&str> = pp.trim_matches('/').split('/').collect();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut i = 0;
    for (k, p) in pat.iter().enumerate() {
        if *p == "**" && k == pat.len() - 1 {
            return true;
        }
        let Some(s) = segs.get(i) else {
            return false;
        };
        let any = *p == "*" || (p.starts_with('{') && p.ends_with('}'));
        if !(any && !s.is_empty() || p == s) {
            return false;
        }
        i += 1;
    }
    i == segs.len()
}

/// Validates a new rule (400 on nonsense).
pub fn validate(f: &Fault) -> Result<(), ApiErr> {
    if !f.route.trim().contains('/') {
        return Err(ApiErr::field(
            "route",
            "route must be `METHOD /path` (segments may be * or {id})",
        ));
    }
    if let Some(s) = f.status {
        if !(100..=599).contains(&s) {
            return Err(ApiErr::field("status", "status must be 100–599"));
        }
    }
    if f.count == 0 {
        return Err(ApiErr::field("count", "count must be at least 1"));
    }
    if f.delay_ms > 60_000 {
        return Err(ApiErr::field("delay_ms", "delay_ms must be ≤ 60000"));
    }
    if f.delay_after_ms > 60_000 {
        return Err(ApiErr::field(
            "delay_after_ms",
            "delay_after_ms must be ≤ 60000",
        ));
    }
    if f.status.is_none() && f.delay_ms == 0 && f.delay_after_ms == 0 && !f.drop_connection {
        return Err(ApiErr::field(
            "status",
            "a fault needs a status, a delay_ms, a delay_after_ms or drop_connection",
        ));
    }
    Ok(())
}

/// Takes one use of the first rule matching the request, if any.
fn take(st: &SandboxState, method: &str, path: &str) -> Option<Fault> {
    let mut inner = st.lock();
    let idx = inner
        .faults
        .iter()
        .position(|f| matches(&f.route, method, path))?;
    let f = inner.faults[idx].clone();
    if inner.faults[idx].count <= 1 {
        inner.faults.remove(idx);
    } else {
        inner.faults[idx].count -= 1;
    }
    Some(f)
}

/// The middleware.
pub async fn inject(State(st): State<SandboxState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/_sandbox") {
        return next.run(req).await;
    }
    let Some(f) = take(&st, req.method().as_str(), &path) else {
        return next.run(req).await;
    };
    if f.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(f.delay_ms)).await;
    }
    if f.drop_connection {
        let stream = futures_util::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "sandbox fault: connection dropped",
            ))
        });
        return Response::new(Body::from_stream(stream));
    }
    match f.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        Some(status) => ApiErr::new(
            status,
            "sandbox_fault",
            format!("Injected fault {} for {}", f.fault_id, f.route),
        )
        .into_response(),
        None => {
            let resp = next.run(req).await;
            if f.delay_after_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(f.delay_after_ms)).await;
            }
            resp
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns() {
        assert!(matches("POST /checkout", "POST", "/checkout"));
        assert!(!matches("POST /checkout", "GET", "/checkout"));
        assert!(!matches("POST /checkout", "POST", "/checkout/x"));
        assert!(matches(
            "post /orders/*/authorise",
            "POST",
            "/orders/abc/authorise"
        ));
        assert!(matches(
            "POST /orders/{id}/authorise",
            "POST",
            "/orders/abc/authorise"
        ));
        assert!(!matches(
            "POST /orders/*/authorise",
            "POST",
            "/orders//authorise"
        ));
        assert!(!matches(
            "POST /orders/*/authorise",
            "POST",
            "/orders/a/cancel"
        ));
        assert!(matches("* /merchants/**", "GET", "/merchants/orders/x"));
        assert!(matches("/checkout", "DELETE", "/checkout"));
        assert!(!matches("GET /orders/*", "GET", "/orders"));
    }

    #[test]
    fn validation() {
        let f = Fault {
            fault_id: String::new(),
            route: "POST /checkout".into(),
            status: Some(500),
            delay_ms: 0,
            delay_after_ms: 0,
            count: 1,
            drop_connection: false,
        };
        assert!(validate(&f).is_ok());
        assert!(validate(&Fault {
            status: Some(1000),
            ..f.clone()
        })
        .is_err());
        assert!(validate(&Fault {
            count: 0,
            ..f.clone()
        })
        .is_err());
        assert!(validate(&Fault {
            status: None,
            ..f.clone()
        })
        .is_err());
        assert!(validate(&Fault {
            route: "x".into(),
            ..f
        })
        .is_err());
    }
}
