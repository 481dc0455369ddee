//! `GET /admin/orders`, `GET /admin/orders/{id}`, `PUT /admin/orders/{id}/reference-id`.

use serde::Deserialize;
use serde_json::{json, Value};
use worker::Response;

use crate::error::AppResult;
use crate::http::request::Request;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::orders;
use crate::views::{event, order_admin};

/// `GET /admin/orders?status=&limit=50`
pub async fn list(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let q = req.query_pairs();
    let found = orders::list(&ctx.app(), q.raw("status"), q.raw("limit")).await?;
    let list: Vec<Value> = found.iter().map(order_admin).collect();
    json(200, &json!({"orders": list}))
}

/// `GET /admin/orders/{id}`: the local order, Tamara's view and the audit trail.
pub async fn get(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let v = orders::view(&ctx.app(), order_id).await?;
    json(
        200,
        &json!({
            "order": order_admin(&v.order),
            "tamara": v.remote,
            "tamara_error": v.tamara_error,
            "authorise_error": v.authorise_error,
            "events": v.events.iter().map(event).collect::<Vec<_>>(),
        }),
    )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceIn {
    order_reference_id: String,
}

/// `PUT /admin/orders/{id}/reference-id`
pub async fn reference_id(ctx: &Ctx, req: &Request, order_id: &str) -> AppResult<Response> {
    let input: ReferenceIn = req.json().await?;
    let r = orders::update_reference(&ctx.app(), order_id, &input.order_reference_id).await?;
    json(200, &json!({"order_reference_id": r}))
}
