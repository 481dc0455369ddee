//! Abuse limits and request guards, all pure: which limit a request counts against and under
//! which client key, what a state-changing storefront request must look like (JSON, an allowed
//! `Origin`), the lock-out after failed admin logins, and the security headers of the Worker's
//! own answers. `routes::handle` applies them; the counting itself is Cloudflare's Rate
//! Limiting binding (`[[ratelimits]]` in `wrangler.toml`, `http::limits`).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::AppError;
use crate::http::cors::AllowedOrigins;
use crate::http::router::Route;

/// The window of every limit (`[ratelimits.simple] period`; Cloudflare allows 10 or 60).
pub const PERIOD_SECS: u32 = 60;

/// A counted limit; each is one `[[ratelimits]]` binding, keyed by client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `POST /api/checkout` (each one creates a Tamara session).
    Checkout,
    /// `GET /api/payment-options`.
    PaymentOptions,
    /// Pre-checks (a `phone` on payment-options): over the cap the answer has no verdict.
    PreCheck,
    /// `POST /admin/in-store` (each one sends an SMS).
    InStore,
    /// Failed admin logins (wrong or missing bearer token).
    AdminLogin,
}

impl Limit {
    /// Every limit.
    pub const ALL: [Limit; 5] = [
        Limit::Checkout,
        Limit::PaymentOptions,
        Limit::PreCheck,
        Limit::InStore,
        Limit::AdminLogin,
    ];

    /// The binding's name in `wrangler.toml`.
    pub fn binding(self) -> &'static str {
        match self {
            Limit::Checkout => "RL_CHECKOUT",
            Limit::PaymentOptions => "RL_PAYMENT_OPTIONS",
            Limit::PreCheck => "RL_PRE_CHECK",
            Limit::InStore => "RL_IN_STORE",
            Limit::AdminLogin => "RL_ADMIN_LOGIN",
        }
    }
}

/// The limit a request to `route` counts against before it is served (admin routes count after
/// their bearer check).
pub fn limit_for(route: &Route) -> Option<Limit> {
    match route {
        Route::CreateCheckout => Some(Limit::Checkout),
        Route::PaymentOptions => Some(Limit::PaymentOptions),
        Route::AdminInStoreCreate => Some(Limit::InStore),
        _ => None,
    }
}

/// The client a request is counted for: `CF-Connecting-IP`, which Cloudflare sets on every
/// request (a client cannot choose it there; `wrangler dev` sets it to the peer's address when
/// the request has none). Anything that is not an IP address counts as one shared `unknown`
/// client, so garbage cannot mint fresh keys.
pub fn client_key(cf_connecting_ip: Option<&str>) -> String {
    match cf_connecting_ip.map(str::trim) {
        Some(ip)
            if !ip.is_empty()
                && ip.len() <= 45
                && ip
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':') =>
        {
            format!("ip:{}", ip.to_ascii_lowercase())
        }
        _ => "ip:unknown".to_owned(),
    }
}

/// True for storefront requests that change state (and so may not be "simple" cross-site
/// requests): creating a checkout.
pub fn is_storefront_write(route: &Route) -> bool {
    matches!(route, Route::CreateCheckout)
}

/// A state-changing storefront request must say `Content-Type: application/json` (so a browser
/// always preflights it cross-origin: a form or `text/plain` post is 415) and, when it carries an
/// `Origin`, one on `ALLOWED_ORIGINS` (403). No `Origin` is a server-to-server client.
pub fn check_storefront_write(
    allowed: &AllowedOrigins,
    content_type: Option<&str>,
    origin: Option<&str>,
) -> Result<(), AppError> {
    if let Some(o) = origin {
        if !allowed.allows(o) {
            return Err(AppError::OriginNotAllowed);
        }
    }
    if !is_json(content_type) {
        return Err(AppError::UnsupportedMediaType);
    }
    Ok(())
}

/// `application/json`, with or without parameters (`; charset=utf-8`), any case.
pub fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}

/// Methods the Worker knows at all; anything else is 405 before routing.
pub fn known_method(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "PATCH"
    )
}

/// Per-isolate memory of clients locked out of `/admin/*` after too many failed logins (the
/// binding only counts, it cannot be asked without counting): until the window ends, every
/// admin request from that client is 429, with the right token too, so guessing stops paying.
#[derive(Debug, Default)]
pub struct Lockouts {
    until: HashMap<String, i64>,
}

/// Most clients remembered (the oldest lock-outs go first).
pub const MAX_LOCKOUTS: usize = 4096;

impl Lockouts {
    /// Seconds left of `client`'s lock-out at `now_ms`, if it is locked out.
    pub fn retry_after(&self, client: &str, now_ms: i64) -> Option<u32> {
        let until = *self.until.get(client)?;
        (until > now_ms).then(|| ((until - now_ms + 999) / 1000).clamp(1, 3600) as u32)
    }

    /// Locks `client` out for one window from `now_ms`.
    pub fn lock(&mut self, client: &str, now_ms: i64) {
        if self.until.len() >= MAX_LOCKOUTS {
            self.until.retain(|_, u| *u > now_ms);
            if self.until.len() >= MAX_LOCKOUTS {
                if let Some(k) = self
                    .until
                    .iter()
                    .min_by_key(|(_, u)| **u)
                    .map(|(k, _)| k.clone())
                {
                    self.until.remove(&k);
                }
            }
        }
        self.until.insert(
            client.to_owned(),
            now_ms.saturating_add(i64::from(PERIOD_SECS) * 1000),
        );
    }
}

thread_local! {
    static LOCKOUTS: RefCell<Lockouts> = RefCell::new(Lockouts::default());
}

/// The isolate's lock-out for `client`, if any.
pub fn locked_out(client: &str, now_ms: i64) -> Option<u32> {
    LOCKOUTS.with(|l| l.borrow().retry_after(client, now_ms))
}

/// Locks `client` out of `/admin/*` in this isolate.
pub fn lock_out(client: &str, now_ms: i64) {
    LOCKOUTS.with(|l| l.borrow_mut().lock(client, now_ms));
}

/// The policy of the Worker's own HTML answers (no script at all, styles only from the origin).
pub const HTML_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                            base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every Worker answer carries.
pub const COMMON_HEADERS: [(&str, &str); 2] = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];

/// Extra headers of an HTML answer.
pub const HTML_HEADERS: [(&str, &str); 2] = [
    ("Content-Security-Policy", HTML_CSP),
    ("X-Frame-Options", "DENY"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::router::route;

    #[test]
    fn limits_per_route() {
        assert_eq!(
            limit_for(&route("POST", "/api/checkout")),
            Some(Limit::Checkout)
        );
        assert_eq!(
            limit_for(&route("GET", "/api/payment-options")),
            Some(Limit::PaymentOptions)
        );
        assert_eq!(
            limit_for(&route("POST", "/admin/in-store")),
            Some(Limit::InStore)
        );
        assert_eq!(limit_for(&route("GET", "/api/catalog")), None);
        assert_eq!(limit_for(&route("POST", "/tamara/webhook")), None);
        let names: std::collections::HashSet<_> = Limit::ALL.iter().map(|l| l.binding()).collect();
        assert_eq!(names.len(), Limit::ALL.len());
    }

    #[test]
    fn client_keys() {
        assert_eq!(client_key(Some("203.0.113.7")), "ip:203.0.113.7");
        assert_eq!(client_key(Some(" 2001:DB8::1 ")), "ip:2001:db8::1");
        for bad in [None, Some(""), Some("x'; DROP"), Some("1.2.3.4, 5.6.7.8")] {
            assert_eq!(client_key(bad), "ip:unknown", "{bad:?}");
        }
        assert_eq!(client_key(Some(&"1".repeat(100))), "ip:unknown");
    }

    #[test]
    fn storefront_writes_need_json_and_an_allowed_origin() {
        let a = AllowedOrigins::parse("https://shop.example");
        assert!(check_storefront_write(&a, Some("application/json"), None).is_ok());
        assert!(check_storefront_write(
            &a,
            Some("Application/JSON; charset=utf-8"),
            Some("https://shop.example")
        )
        .is_ok());
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
        ] {
            let e = check_storefront_write(&a, ct, None).unwrap_err();
            assert_eq!((e.status(), e.code()), (415, "unsupported_media_type"));
        }
        for o in [
            "https://evil.example",
            "null",
            "https://shop.example.evil.example",
        ] {
            let e = check_storefront_write(&a, Some("application/json"), Some(o)).unwrap_err();
            assert_eq!((e.status(), e.code()), (403, "origin_not_allowed"));
        }
    }

    #[test]
    fn lockout_window() {
        let mut l = Lockouts::default();
        assert_eq!(l.retry_after("ip:a", 0), None);
        l.lock("ip:a", 1_000);
        assert_eq!(l.retry_after("ip:a", 1_000), Some(60));
        assert_eq!(l.retry_after("ip:a", 60_500), Some(1));
        assert_eq!(l.retry_after("ip:a", 61_000), None);
        assert_eq!(l.retry_after("ip:b", 1_000), None);
        for i in 0..(MAX_LOCKOUTS + 10) {
            l.lock(&format!("ip:{i}"), 2_000);
        }
        assert!(l.until.len() <= MAX_LOCKOUTS);
    }

    #[test]
    fn methods_and_headers() {
        assert!(known_method("GET") && known_method("OPTIONS"));
        assert!(!known_method("CONNECT") && !known_method("TRACE") && !known_method("FOO"));
        assert!(!HTML_CSP.contains("unsafe-inline"));
        assert!(HTML_CSP.contains("frame-ancestors 'none'"));
    }
}
