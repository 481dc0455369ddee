//! Where Tamara sends the shopper back (`/tamara/success|failure|cancel?orderId=…`). The
//! landing page is decided from Tamara's own view of the order, never from `paymentStatus`; an
//! approved order is authorised (once) before the shopper lands on the thank-you page.

use tamara_core::OrderStatus;

use super::sync;
use super::App;
use crate::config::Config;
use crate::error::AppResult;
use crate::return_url::{self, ReturnUrls};
use crate::store::{NewEvent, Source, Sql};
use crate::tamara::Transport;

/// Which return URL the shopper came back through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `/tamara/success`
    Success,
    /// `/tamara/failure`
    Failure,
    /// `/tamara/cancel`
    Cancel,
}

impl RedirectKind {
    /// The audit event's kind.
    pub fn event_kind(self) -> &'static str {
        match self {
            RedirectKind::Success => "redirect_success",
            RedirectKind::Failure => "redirect_failure",
            RedirectKind::Cancel => "redirect_cancel",
        }
    }
}

/// Where to send the shopper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `thank-you.html?order_id=…`
    ThankYou,
    /// `cart.html?order_id=…&reason=…`
    Cart(&'static str),
}

/// The landing page from Tamara's status; the route only matters while the order is still
/// `new` (the shopper left the hosted page without paying), or `expired` on `/cancel` (Tamara
/// expires the order when the shopper cancels on its hosted page).
pub fn target(kind: RedirectKind, status: &OrderStatus) -> Target {
    match status {
        s if s.is_paid() => Target::ThankYou,
        OrderStatus::Declined => Target::Cart("declined"),
        OrderStatus::Expired if kind == RedirectKind::Cancel => Target::Cart("canceled"),
        OrderStatus::Expired => Target::Cart("expired"),
        OrderStatus::Canceled => Target::Cart("canceled"),
        _ => match kind {
            RedirectKind::Failure => Target::Cart("declined"),
            RedirectKind::Success | RedirectKind::Cancel => Target::Cart("canceled"),
        },
    }
}

/// The URL for a target: the order's own return page for it if the checkout chose one, else
/// the environment's (`RETURN_*_URL`, by default `STORE_URL`'s `thank-you.html` /
/// `cart.html`), with `{order_id}` and `{reason}` filled in. Checked once more on the final
/// URL: anything not on an allowed origin (a row written before a configuration change, say)
/// falls back to the environment's page, so no redirect leaves the allowed origins.
pub fn location(cfg: &Config, returns: &ReturnUrls, order_id: &str, t: &Target) -> String {
    let pick = |own: &Option<String>, env: &Option<String>| {
        own.clone()
            .or_else(|| env.clone())
            .unwrap_or_else(|| cfg.store("/"))
    };
    let env = &cfg.return_pages;
    let (template, fallback, reason) = match t {
        Target::ThankYou => (pick(&returns.success, &env.success), &env.success, None),
        Target::Cart(r @ "declined") => {
            (pick(&returns.failure, &env.failure), &env.failure, Some(*r))
        }
        Target::Cart(r) => (pick(&returns.cancel, &env.cancel), &env.cancel, Some(*r)),
    };
    let url = return_url::expand(&template, order_id, reason);
    if return_url::check(&url, &cfg.return_origins).is_ok() {
        return url;
    }
    let env_url = return_url::expand(
        fallback.as_deref().unwrap_or(&cfg.store_url),
        order_id,
        reason,
    );
    if return_url::check(&env_url, &cfg.return_origins).is_ok() {
        env_url
    } else {
        cfg.store("/")
    }
}

/// Tamara's order ids are UUIDs: anything else is not looked up.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The shopper's landing URL, or `None` for an order this Worker or Tamara does not know.
pub async fn land<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    kind: RedirectKind,
    order_id: Option<&str>,
    payment_status_param: Option<&str>,
) -> AppResult<Option<String>> {
    let Some(order_id) = order_id.filter(|id| valid_id(id)) else {
        return Ok(None);
    };
    let store = app.store()?;
    let Some(order) = store.order(order_id).await? else {
        return Ok(None);
    };
    let before = order.status.clone();
    let (status, authorised_now) =
        match sync::sync_order(app, order.clone(), Source::Redirect, None).await {
            Ok(s) if s.remote.is_none() => return Ok(None),
            Ok(s) => (s.order.status, s.authorised_now),
            Err(e) => {
                app.warn(&format!("redirect sync failed: {}", e.code()));
                // Tamara is unreachable: the webhook and the reconciler will settle the order.
                // Send the shopper to the page that polls the order's status.
                let t = match (kind, &order.status) {
                    (_, s) if s.is_paid() => Target::ThankYou,
                    (RedirectKind::Success, _) => Target::ThankYou,
                    (k, s) => target(k, s),
                };
                return Ok(Some(location(&app.cfg, &order.returns, order_id, &t)));
            }
        };
    let t = target(kind, &status);
    let param: String = payment_status_param
        .unwrap_or_default()
        .chars()
        .take(32)
        .collect();
    let e = NewEvent::done(
        format!("redirect:{order_id}:{}", app.new_id()),
        order_id,
        Source::Redirect,
        kind.event_kind(),
        Some(serde_json::json!({"payment_status_param": param, "authorised_now": authorised_now})),
    )
    .statuses(Some(before.as_str()), Some(status.as_str()));
    store.record_event(&e, app.now()).await?;
    Ok(Some(location(&app.cfg, &order.returns, order_id, &t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decided_by_tamara_status_not_by_route() {
        use OrderStatus as S;
        use RedirectKind as K;
        assert_eq!(target(K::Cancel, &S::Authorised), Target::ThankYou);
        assert_eq!(target(K::Success, &S::Declined), Target::Cart("declined"));
        assert_eq!(target(K::Success, &S::New), Target::Cart("canceled"));
        assert_eq!(target(K::Failure, &S::New), Target::Cart("declined"));
        assert_eq!(target(K::Cancel, &S::Expired), Target::Cart("canceled"));
        assert_eq!(target(K::Cancel, &S::New), Target::Cart("canceled"));
        assert_eq!(target(K::Success, &S::Expired), Target::Cart("expired"));
        assert_eq!(target(K::Success, &S::FullyCaptured), Target::ThankYou);
    }

    #[test]
    fn locations() {
        let cfg = crate::testing::config(&[("STORE_URL", "http://127.0.0.1:8787/")]);
        let none = ReturnUrls::default();
        assert_eq!(
            location(&cfg, &none, "o-1", &Target::ThankYou),
            "http://127.0.0.1:8787/thank-you.html?order_id=o-1"
        );
        assert_eq!(
            location(&cfg, &none, "o 1", &Target::Cart("declined")),
            "http://127.0.0.1:8787/cart.html?order_id=o%201&reason=declined"
        );
        let own = ReturnUrls {
            success: Some("http://shop.test/orders/{order_id}/done".into()),
            failure: None,
            cancel: Some("http://shop.test/basket".into()),
        };
        assert_eq!(
            location(&cfg, &own, "o-1", &Target::ThankYou),
            "http://shop.test/orders/o-1/done"
        );
        assert_eq!(
            location(&cfg, &own, "o-1", &Target::Cart("expired")),
            "http://shop.test/basket?order_id=o-1&reason=expired"
        );
        assert_eq!(
            location(&cfg, &own, "o-1", &Target::Cart("declined")),
            "http://127.0.0.1:8787/cart.html?order_id=o-1&reason=declined"
        );
        // A stored page that is no longer on an allowed origin is not followed.
        let stale = ReturnUrls {
            success: Some("https://evil.example/{order_id}".into()),
            ..ReturnUrls::default()
        };
        assert_eq!(
            location(&cfg, &stale, "o-1", &Target::ThankYou),
            "http://127.0.0.1:8787/thank-you.html?order_id=o-1"
        );
        assert!(valid_id("f56a3123-9e23-45e4-87a2-95366d3b0bca"));
        assert!(!valid_id("<script>"));
        assert!(!valid_id(""));
    }
}
