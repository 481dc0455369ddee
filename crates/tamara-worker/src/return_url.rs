//! Return pages: where the Worker sends the shopper after Tamara's hosted checkout. Templates
//! (per environment in `RETURN_SUCCESS_URL` / `RETURN_FAILURE_URL` / `RETURN_CANCEL_URL`, per
//! checkout in `return_urls` from the widget) with `{order_id}` and `{reason}` placeholders;
//! every one must be an absolute `http(s)` URL on an allowed origin (`ALLOWED_ORIGINS` plus
//! `STORE_URL`'s), checked once when accepted and again on the final URL, so no redirect ever
//! leaves those origins. Pure functions.

use serde::Deserialize;
use tamara_core::http::encode_segment;

use crate::http::cors::AllowedOrigins;

/// Longest return URL accepted.
pub const MAX_LEN: usize = 2048;

/// The three return pages (each optional: a missing one falls back to the environment's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnUrls {
    /// The order is paid (authorised): the merchant's confirmation page.
    #[serde(default)]
    pub success: Option<String>,
    /// Tamara declined the payment.
    #[serde(default)]
    pub failure: Option<String>,
    /// The shopper canceled, or the checkout expired.
    #[serde(default)]
    pub cancel: Option<String>,
}

impl ReturnUrls {
    /// True when none is set.
    pub fn is_empty(&self) -> bool {
        self.success.is_none() && self.failure.is_none() && self.cancel.is_none()
    }
}

/// Why a return URL was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not an absolute `http(s)` URL we can check (userinfo, backslashes, spaces, a placeholder
    /// in the host, too long, …): `return_url_invalid`.
    Invalid,
    /// A well-formed URL on an origin that is not allowed: `return_url_not_allowed`.
    NotAllowed,
}

/// `scheme://host[:port]` of an absolute `http(s)` URL, lowercased; `None` for anything a
/// browser could read differently from us (userinfo `@`, `\`, control or non-ASCII bytes,
/// percent-encoding or braces in the host, an empty host).
pub fn origin(url: &str) -> Option<String> {
    if url.is_empty()
        || url.len() > MAX_LEN
        || url
            .bytes()
            .any(|b| b <= b' ' || b == 0x7f || b == b'\\' || !b.is_ascii())
    {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    let host_ok = !authority.is_empty()
        && !authority.starts_with(':')
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    host_ok.then(|| format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// Accepts `url` when it is well formed and on `allowed`.
pub fn check(url: &str, allowed: &AllowedOrigins) -> Result<(), Refused> {
    match origin(url) {
        None => Err(Refused::Invalid),
        Some(o) if allowed.allows(&o) => Ok(()),
        Some(_) => Err(Refused::NotAllowed),
    }
}

/// The template with `{order_id}` and `{reason}` filled in (both encoded). A template without
/// `{order_id}` gets `order_id=…` appended to its query, one without `{reason}` gets `reason=…`
/// (failure and cancel pages), before any `#fragment`.
pub fn expand(template: &str, order_id: &str, reason: Option<&str>) -> String {
    let id = encode_segment(order_id);
    let why = reason.map(encode_segment).unwrap_or_default();
    let mut extra = Vec::new();
    if !template.contains("{order_id}") {
        extra.push(format!("order_id={id}"));
    }
    if reason.is_some() && !template.contains("{reason}") {
        extra.push(format!("reason={why}"));
    }
    let filled = template
        .replace("{order_id}", &id)
        .replace("{reason}", &why);
    if extra.is_empty() {
        return filled;
    }
    let (base, fragment) = match filled.find('#') {
        Some(i) => filled.split_at(i),
        None => (filled.as_str(), ""),
    };
    let sep = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{base}{sep}{}{fragment}", extra.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> AllowedOrigins {
        AllowedOrigins::parse("https://shop.example.com,http://127.0.0.1:8600")
    }

    #[test]
    fn only_allowed_origins_pass() {
        let a = allowed();
        for ok in [
            "https://shop.example.com/orders/{order_id}/done",
            "HTTPS://SHOP.EXAMPLE.COM",
            "http://127.0.0.1:8600/thank-you.html?order_id={order_id}#top",
            "https://shop.example.com?x=1",
        ] {
            assert_eq!(check(ok, &a), Ok(()), "{ok}");
        }
        for not_allowed in [
            "https://evil.example/",
            "https://shop.example.com.evil.example/",
            "https://shop.example.com:443/",
            "http://shop.example.com/",
            "http://127.0.0.1:8601/",
            "http://localhost:8600/",
        ] {
            assert_eq!(
                check(not_allowed, &a),
                Err(Refused::NotAllowed),
                "{not_allowed}"
            );
        }
        for invalid in [
            "",
            "/thank-you.html",
            "//evil.example/",
            "javascript:alert(1)",
            "data:text/html,hi",
            "https://shop.example.com@evil.example/",
            "https://evil.example\\@shop.example.com/",
            "https:\\\\evil.example",
            "https:///evil.example",
            "https://{order_id}.shop.example.com/",
            "https://shop.example.com%2f@evil.example/",
            "https://shop.example.com /",
            "https://shop.example.com/\n",
            "https://shöp.example.com/",
            "ftp://shop.example.com/",
        ] {
            assert_eq!(check(invalid, &a), Err(Refused::Invalid), "{invalid:?}");
        }
        assert_eq!(
            check(
                &format!("https://shop.example.com/{}", "a".repeat(MAX_LEN)),
                &a
            ),
            Err(Refused::Invalid)
        );
    }

    #[test]
    fn templates_expand() {
        assert_eq!(
            expand("https://s/orders/{order_id}/done", "o-1", None),
            "https://s/orders/o-1/done"
        );
        assert_eq!(
            expand(
                "https://s/cart?order_id={order_id}&why={reason}",
                "o-1",
                Some("declined")
            ),
            "https://s/cart?order_id=o-1&why=declined"
        );
        assert_eq!(
            expand("https://s/cart", "o 1", Some("canceled")),
            "https://s/cart?order_id=o%201&reason=canceled"
        );
        assert_eq!(
            expand("https://s/cart?step=2#summary", "o1", Some("expired")),
            "https://s/cart?step=2&order_id=o1&reason=expired#summary"
        );
        assert_eq!(
            expand("https://s/done?", "o1", None),
            "https://s/done?order_id=o1"
        );
        // Filling in never moves the origin.
        let a = allowed();
        let t = "https://shop.example.com/{order_id}";
        assert_eq!(check(&expand(t, "@evil.example", None), &a), Ok(()));
    }
}
