//! `POST /tamara/webhook`: verify the token (before reading the body), parse, hand to the
//! service, answer `200 {"ok": true, …}`.

use tamara_core::webhooks::WebhookPayload;
use worker::Response;

use crate::error::AppResult;
use crate::http::request::Request;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::webhook;

/// Handles one notification.
pub async fn handle(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let app = ctx.app();
    let auth = req.header("Authorization");
    webhook::verify(&app, auth.as_deref(), req.query())?;
    let payload: WebhookPayload = req.json().await?;
    json(200, &webhook::handle(&app, &payload).await?)
}
