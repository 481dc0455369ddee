//! `POST /admin/orders/{id}/capture|cancel|refund` (body: optional `amount`, capture's
//! `shipping_info`, refund's `comment`); the rules are core's, applied in `services::money`.

use serde_json::{Map, Value};
use tamara_core::lifecycle::Movement;
use worker::Response;

use crate::error::AppResult;
use crate::http::request::Request;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::money::{self, MoveRequest, Moved};
use crate::views::money_json;

/// The answer: `{"<kind>_id", "status", "<kind>d_amount"}` (`captured_amount`, …).
pub fn answer(m: &Moved) -> Value {
    let (id_key, amount_key) = match m.movement {
        Movement::Capture => ("capture_id", "captured_amount"),
        Movement::Cancel => ("cancel_id", "canceled_amount"),
        Movement::Refund => ("refund_id", "refunded_amount"),
    };
    let mut body = Map::new();
    body.insert(id_key.to_owned(), Value::from(m.id.clone()));
    body.insert("status".to_owned(), Value::from(m.status.as_str()));
    body.insert(amount_key.to_owned(), money_json(m.amount));
    Value::Object(body)
}

/// Handles one movement.
pub async fn handle(
    ctx: &Ctx,
    req: &Request,
    order_id: &str,
    movement: Movement,
) -> AppResult<Response> {
    let input: MoveRequest = req.json().await?;
    let moved = money::move_money(&ctx.app(), order_id, movement, input).await?;
    json(200, &answer(&moved))
}
