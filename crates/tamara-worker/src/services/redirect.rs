//! Where Tamara sends the shopper back (`/tamara/success|failure|cancel?orderId=…`). The
//! landing page is decided from Tamara's own view of the order, never from `paymentStatus`; an
//! approved order is authorised (once) before the shopper lands on the thank-you page.

use tamara_core::http::encode_segment;
use tamara_core::OrderStatus;

use super::sync;
use super::App;
use crate::error::AppResult;
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

/// The `STORE_URL` page for a target.
pub fn location(store: &str, order_id: &str, t: &Target) -> String {
    let base = store.trim_end_matches('/');
    let id = encode_segment(order_id);
    match t {
        Target::ThankYou => format!("{base}/thank-you.html?order_id={id}"),
        Target::Cart(reason) => format!("{base}/cart.html?order_id={id}&reason={reason}"),
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
    let store_url = &app.cfg.store_url;
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
                return Ok(Some(location(store_url, order_id, &t)));
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
    Ok(Some(location(store_url, order_id, &t)))
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
        assert_eq!(
            location("http://127.0.0.1:8787/", "o-1", &Target::ThankYou),
            "http://127.0.0.1:8787/thank-you.html?order_id=o-1"
        );
        assert_eq!(
            location("https://s", "o 1", &Target::Cart("declined")),
            "https://s/cart.html?order_id=o%201&reason=declined"
        );
        assert!(valid_id("f56a3123-9e23-45e4-87a2-95366d3b0bca"));
        assert!(!valid_id("<script>"));
        assert!(!valid_id(""));
    }
}
