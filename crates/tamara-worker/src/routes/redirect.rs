//! `GET /tamara/{success|failure|cancel}?orderId=…`: a 303 to the store page the service
//! decides, or a small "order not found" page.

use worker::Response;

use crate::error::AppResult;
use crate::http::request::Request;
use crate::http::response::{html, see_other};
use crate::http::Ctx;
use crate::services::redirect::{land, RedirectKind};

/// The page for unknown or forged order ids.
pub const NOT_FOUND_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>Order not found</title>\
</head><body><main><h1>Order not found</h1><p>We could not find this order. \
If you were paying with Tamara, please return to the store.</p>\
<p dir=\"rtl\" lang=\"ar\">لم نتمكن من العثور على هذا الطلب.</p></main></body></html>";

/// Handles one return.
pub async fn handle(ctx: &Ctx, req: &Request, kind: RedirectKind) -> AppResult<Response> {
    let q = req.query_pairs();
    let order_id = q.get("orderId");
    let status = q.get("paymentStatus");
    match land(&ctx.app(), kind, order_id.as_deref(), status.as_deref()).await? {
        Some(url) => see_other(&url),
        None => html(404, NOT_FOUND_PAGE),
    }
}
