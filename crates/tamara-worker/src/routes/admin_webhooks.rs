//! `/admin/webhooks`: the merchant's webhook registrations at Tamara.

use serde_json::{json, Value};
use tamara_core::webhooks::RegisterWebhook;
use worker::Response;

use crate::error::AppResult;
use crate::http::request::Request;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::merchant::{self, WebhookUpdateIn};

fn value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// `GET /admin/webhooks`
pub async fn list(ctx: &Ctx) -> AppResult<Response> {
    json(200, &value(&merchant::list(&ctx.app()).await?))
}

/// `POST /admin/webhooks`
pub async fn register(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let input: RegisterWebhook = req.json().await?;
    json(201, &value(&merchant::register(&ctx.app(), input).await?))
}

/// `GET /admin/webhooks/{id}`
pub async fn get(ctx: &Ctx, id: &str) -> AppResult<Response> {
    json(200, &value(&merchant::get(&ctx.app(), id).await?))
}

/// `PUT /admin/webhooks/{id}`
pub async fn update(ctx: &Ctx, req: &Request, id: &str) -> AppResult<Response> {
    let input: WebhookUpdateIn = req.json().await?;
    json(200, &value(&merchant::update(&ctx.app(), id, input).await?))
}

/// `DELETE /admin/webhooks/{id}`
pub async fn delete(ctx: &Ctx, id: &str) -> AppResult<Response> {
    merchant::delete(&ctx.app(), id).await?;
    json(200, &json!({"deleted": true, "webhook_id": id}))
}
