//! Storefront API (browser-facing, CORS): catalog, payment options, create checkout, order
//! status. The browser only says which SKUs and how many; every amount is computed server-side.

use serde_json::{json, Value};

use crate::error::AppResult;
use crate::guard::{self, Limit};
use crate::http::body;
use crate::http::limits;
use crate::http::request::Request;
use crate::http::response::{json, json_text};
use crate::http::Ctx;
use crate::services::catalog::{price_of, products};
use crate::services::checkout::CheckoutIn;
use crate::services::idempotent::{self, Answer};
use crate::services::orders;
use crate::services::payment_options::{self, OptionsQuery};
use crate::views::{money_json, order_public};

/// `GET /api/catalog`: the isolate's copy of the catalog (the prices checkouts charge).
pub async fn catalog(ctx: &Ctx) -> AppResult<worker::Response> {
    let app = ctx.app();
    let currency = ctx.cfg.currency;
    let list: Vec<Value> = products(&app)
        .await?
        .iter()
        .filter_map(|p| {
            let price = price_of(p, currency)?;
            Some(json!({"sku": p.sku, "name": p.name, "name_ar": p.name_ar,
                        "price": money_json(price), "image_url": p.image_url}))
        })
        .collect();
    json(
        200,
        &json!({"currency": currency.code(), "country": ctx.cfg.country.code(),
                "max_quantity": crate::pricing::MAX_QUANTITY, "products": list}),
    )
}

/// `GET /api/payment-options?country=SA&currency=SAR&items=TSHIRT-1:2&phone=…` (or `amount=`).
pub async fn payment_options(ctx: &Ctx, req: &Request) -> AppResult<worker::Response> {
    let q = req.query_pairs();
    let query = OptionsQuery {
        country: q.get("country"),
        currency: q.get("currency"),
        items: q.get("items"),
        amount: q.get("amount"),
        phone: q.get("phone"),
        pre_check_allowed: false,
    };
    let query = OptionsQuery {
        // A phone costs a Tamara pre-check (on a cache miss): capped per client.
        pre_check_allowed: query.phone.is_some()
            && limits::allows(&ctx.env, Limit::PreCheck, &client_key(req)).await?,
        ..query
    };
    let answer = payment_options::payment_options(&ctx.app(), &query).await?;
    json(200, &answer)
}

/// `POST /api/checkout` (optional `Idempotency-Key`).
pub async fn create_checkout(ctx: &Ctx, req: &Request) -> AppResult<worker::Response> {
    let key = req.header("Idempotency-Key");
    let value = body::parse_value(&req.body().await?)?;
    let input: CheckoutIn = body::from_value(value.clone())?;
    match idempotent::create_checkout(&ctx.app(), key.as_deref(), &value, &input).await? {
        Answer::Json(status, v) => json(status, &v),
        Answer::Stored(status, text) => json_text(status, &text),
    }
}

/// `GET /api/orders/{id}`: status for the thank-you page (no PII).
pub async fn order(ctx: &Ctx, order_id: &str) -> AppResult<worker::Response> {
    let order = orders::public_status(&ctx.app(), order_id).await?;
    json(200, &order_public(&order))
}

fn client_key(req: &Request) -> String {
    guard::client_key(req.header("CF-Connecting-IP").as_deref())
}
