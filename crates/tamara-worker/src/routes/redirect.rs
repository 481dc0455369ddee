//! Where Tamara sends the shopper back: `/tamara/success|failure|cancel?orderId=…`. The outcome
//! is decided from Tamara's own view of the order (GET order), never from `paymentStatus`; an
//! approved order is authorised (once) before the shopper lands on the thank-you page.

use tamara_core::OrderStatus;
use worker::Response;

use crate::app::{self, Ctx};
use crate::db::{self, NewEvent};
use crate::error::AppResult;
use crate::http_util::encode;
use crate::platform;
use crate::req::Request;
use crate::router::RedirectKind;
use crate::sync;

/// Where to send the shopper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `thank-you.html?order_id=…`
    ThankYou,
    /// `cart.html?order_id=…&reason=…`
    Cart(&'static str),
}

/// Decides the landing page from Tamara's status; the route only matters while the order is
/// still `new` (the shopper left the hosted page without paying), or `expired` on `/cancel`
/// (Tamara expires the order when the shopper cancels on its hosted page).
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
    match t {
        Target::ThankYou => format!("{base}/thank-you.html?order_id={}", encode(order_id)),
        Target::Cart(reason) => {
            format!(
                "{base}/cart.html?order_id={}&reason={reason}",
                encode(order_id)
            )
        }
    }
}

fn kind_name(kind: RedirectKind) -> &'static str {
    match kind {
        RedirectKind::Success => "redirect_success",
        RedirectKind::Failure => "redirect_failure",
        RedirectKind::Cancel => "redirect_cancel",
    }
}

/// The page for unknown or forged order ids.
pub const NOT_FOUND_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Order not found</title>\
</head><body><main><h1>Order not found</h1><p>We could not find this order. \
If you were paying with Tamara, please return to the store.</p>\
<p dir=\"rtl\" lang=\"ar\">لم نتمكن من العثور على هذا الطلب.</p></main></body></html>";

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// `GET /tamara/{success|failure|cancel}`
pub async fn handle(ctx: &Ctx, req: &Request, kind: RedirectKind) -> AppResult<Response> {
    let q = app::query(req);
    let Some(order_id) = app::query_param(&q, "orderId").filter(|id| valid_id(id)) else {
        return app::html(404, NOT_FOUND_PAGE);
    };
    let db = ctx.db()?;
    let Some(order) = db::get_order(&db, &order_id).await? else {
        return app::html(404, NOT_FOUND_PAGE);
    };
    let tamara = ctx.tamara()?;
    let now = ctx.now();
    let before = order.status.clone();
    let (status, authorised_now) =
        match sync::sync_order(&db, &tamara, order.clone(), "redirect", now, None).await {
            Ok(s) if s.remote.is_none() => return app::html(404, NOT_FOUND_PAGE),
            Ok(s) => (s.order.status(), s.authorised_now),
            Err(e) => {
                // Tamara is unreachable: the webhook and the reconciler will settle the order.
                // Send the shopper to the page that polls the order's status.
                worker::console_warn!("redirect sync failed: {}", e.code());
                let local = order.status();
                let t = match (kind, &local) {
                    (_, s) if s.is_paid() => Target::ThankYou,
                    (RedirectKind::Success, _) => Target::ThankYou,
                    (k, s) => target(k, s),
                };
                return app::see_other(&location(&ctx.cfg.store_url, &order.order_id, &t));
            }
        };
    let t = target(kind, &status);
    let key = format!("redirect:{}:{}", order.order_id, platform::uuid());
    let query_status = app::query_param(&q, "paymentStatus").unwrap_or_default();
    db::record_event(
        &db,
        &NewEvent {
            dedupe_key: &key,
            order_id: Some(&order.order_id),
            source: "redirect",
            kind: kind_name(kind),
            status_before: Some(&before),
            status_after: Some(status.as_str()),
            detail: Some(
                serde_json::json!({
                    "payment_status_param": query_status.chars().take(32).collect::<String>(),
                    "authorised_now": authorised_now,
                })
                .to_string(),
            ),
            processed: true,
        },
        now,
    )
    .await?;
    app::see_other(&location(&ctx.cfg.store_url, &order.order_id, &t))
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
