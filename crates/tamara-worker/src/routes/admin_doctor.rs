//! `GET /admin/doctor` (the set-up self-test) and `POST /admin/webhooks/ensure` (register this
//! Worker's webhook once).

use worker::Response;

use crate::error::AppResult;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::doctor;

/// `GET /admin/doctor`: `{"ok", "checks": [{"name", "ok", "detail", "fix"}]}`, always 200.
pub async fn doctor(ctx: &Ctx) -> AppResult<Response> {
    json(200, &doctor::report(&ctx.app()).await)
}

/// `POST /admin/webhooks/ensure`
pub async fn ensure_webhook(ctx: &Ctx) -> AppResult<Response> {
    json(200, &doctor::ensure_webhook(&ctx.app()).await?)
}
