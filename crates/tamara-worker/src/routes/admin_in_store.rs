//! `POST /admin/in-store`, `GET /admin/in-store/{id}`, `POST /admin/in-store/{id}/void`.

use serde_json::json;
use worker::Response;

use crate::error::AppResult;
use crate::http::request::Request;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::in_store::{self, InStoreIn};
use crate::views::{money_json, rfc3339};

/// Sends an SMS payment link.
pub async fn create(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let input: InStoreIn = req.json().await?;
    let link = in_store::create_link(&ctx.app(), input).await?;
    let o = &link.order;
    json(
        201,
        &json!({
            "order_id": o.order_id,
            "checkout_id": o.checkout_id,
            "checkout_deeplink": link.deeplink,
            "order_reference_id": o.reference,
            "expires_at": o.expires_at.map(rfc3339),
            "total": money_json(o.total),
        }),
    )
}

/// Polls a link's order.
pub async fn status(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let o = in_store::poll(&ctx.app(), order_id).await?;
    json(
        200,
        &json!({
            "order_id": o.order_id,
            "status": o.status,
            "total": money_json(o.total),
            "expires_at": o.expires_at.map(rfc3339),
        }),
    )
}

/// Voids an unpaid link.
pub async fn void(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let (voided, status) = in_store::void(&ctx.app(), order_id).await?;
    json(200, &json!({"order_was_voided": voided, "status": status}))
}
