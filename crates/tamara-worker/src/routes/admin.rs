//! Merchant API (`Authorization: Bearer <ADMIN_TOKEN>`): orders, capture / cancel / refund,
//! reference ids, in-store payment links, ID verification, webhook registrations, reconcile.
//! Every money movement reads the order at Tamara first, and after a failure with an unknown
//! outcome reads it again before retrying, so nothing is captured, refunded or canceled twice.

use serde::Deserialize;
use serde_json::{json, Value};
use tamara_core::checkout::{CreateInStoreSession, VoidCheckout};
use tamara_core::merchants::IdVerificationStatus;
use tamara_core::orders::{CancelOrder, GetOrder, OrderDetails, UpdateReferenceId};
use tamara_core::payments::{Capture, SimplifiedRefund};
use tamara_core::secret::constant_time_eq;
use tamara_core::types::{Item, ShippingInfo};
use tamara_core::webhooks::{
    DeleteWebhook, ListWebhooks, RegisterWebhook, RetrieveWebhook, UpdateWebhook,
};
use tamara_core::{
    CheckoutId, Country, Endpoint, Locale, Money, OrderId, OrderReferenceId, OrderStatus, Phone,
    WebhookId,
};
use worker::Response;

use crate::db::Db;

use crate::app::{self, Ctx};
use crate::body;
use crate::db::{self, Movement, NewEvent};
use crate::error::{AppError, AppResult};
use crate::model::{money_json, rfc3339, OrderRow};
use crate::platform;
use crate::pricing::{self, Line};
use crate::req::Request;
use crate::router::OrderAction;
use crate::sync;
use crate::tamara::{outcome_unknown, Tamara};

/// Checks `Authorization: Bearer <ADMIN_TOKEN>` in constant time.
pub fn authenticate(ctx: &Ctx, req: &Request) -> AppResult<()> {
    let expected = ctx.cfg.admin_token()?;
    let header = req.header("Authorization");
    check_bearer(header.as_deref(), expected.expose())
}

/// Pure bearer check.
pub fn check_bearer(header: Option<&str>, expected: &str) -> AppResult<()> {
    let token = header
        .map(str::trim)
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(AppError::Unauthorized("missing bearer token"))?;
    if expected.is_empty() || !constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        return Err(AppError::Unauthorized("invalid bearer token"));
    }
    Ok(())
}

async fn load(db: &Db<'_>, order_id: &str) -> AppResult<OrderRow> {
    db::get_order(db, order_id)
        .await?
        .ok_or_else(|| AppError::NotFound("order not found".into()))
}

async fn read_json<T: serde::de::DeserializeOwned>(req: &Request) -> AppResult<T> {
    let bytes = app::read_body(req).await?;
    body::parse(&bytes)
}

fn audit<'a>(key: &'a str, order_id: &'a str, kind: &'a str, detail: Value) -> NewEvent<'a> {
    NewEvent {
        dedupe_key: key,
        order_id: Some(order_id),
        source: "admin",
        kind,
        status_before: None,
        status_after: None,
        detail: Some(detail.to_string()),
        processed: true,
    }
}

/// `GET /admin/orders?status=&limit=50`
pub async fn list_orders(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let q = app::query(req);
    // Exact values (no trimming): empty or absent means "no filter" / the default.
    let raw = |name: &str| {
        q.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let limit = match raw("limit") {
        None => 50,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| AppError::invalid("`limit` must be 1-500"))?,
    };
    let status = match raw("status") {
        None => None,
        Some(s) if !OrderStatus::parse(s).is_unknown() => Some(s.to_owned()),
        Some(s) => {
            let shown: String = s.chars().take(40).collect();
            return Err(AppError::invalid(format!("unknown status `{shown}`")));
        }
    };
    let db = ctx.db()?;
    let orders = db::list_orders(&db, status.as_deref(), limit).await?;
    app::json(
        200,
        &json!({"orders": orders.iter().map(OrderRow::admin_json).collect::<Vec<_>>()}),
    )
}

/// `GET /admin/orders/{id}`: local order, Tamara's view (mirrored first) and the audit trail.
pub async fn get_order(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let db = ctx.db()?;
    let order = load(&db, order_id).await?;
    let now = ctx.now();
    // Viewing never fails because of Tamara: the local order is shown with Tamara's view, or
    // with `tamara_error` when Tamara is unreachable; the authorise of an approved order is a
    // best-effort side effect whose failure only shows up as `authorise_error`.
    let remote = match ctx.tamara() {
        Ok(tamara) => crate::tamara::not_found_as_none(
            tamara
                .call(&GetOrder::new(OrderId::new(order.order_id.clone())))
                .await,
        )
        .map(|r| (tamara, r)),
        Err(e) => Err(e),
    };
    let (mut local, remote, tamara_error) = match remote {
        Ok((tamara, Some(r))) => {
            match sync::apply_remote(&db, order.clone(), &r, "admin", now, None).await {
                Ok((o, _)) => (o, Some((tamara, r)), None),
                Err(e) => (order, Some((tamara, r)), Some(e.code().to_owned())),
            }
        }
        Ok((_, None)) => (order, None, None),
        Err(e) => (order, None, Some(e.code().to_owned())),
    };
    let mut authorise_error = None;
    let remote = match remote {
        Some((tamara, r)) => {
            if local.status() == OrderStatus::Approved {
                match sync::authorise_once(&db, &tamara, local.clone(), "admin", now).await {
                    Ok((o, _)) => local = o,
                    Err(e) => {
                        worker::console_warn!("admin view: authorise failed: {}", e.code());
                        authorise_error = Some(e.code().to_owned());
                    }
                }
            }
            Some(r)
        }
        None => None,
    };
    let events = db::events_for(&db, order_id).await?;
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            json!({
                "id": e.id, "source": e.source, "kind": e.kind,
                "status_before": e.status_before, "status_after": e.status_after,
                "detail": e.detail.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok()),
                "processed": e.processed != 0, "created_at": rfc3339(e.created_at),
            })
        })
        .collect();
    app::json(
        200,
        &json!({"order": local.admin_json(), "tamara": remote, "tamara_error": tamara_error,
                "authorise_error": authorise_error, "events": events}),
    )
}

#[derive(Debug, Deserialize)]
struct AmountIn {
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    shipping_info: Option<ShippingInfo>,
    #[serde(default)]
    comment: Option<String>,
}

fn remote_minor(m: Option<Money>) -> i64 {
    m.and_then(|m| i64::try_from(m.minor()).ok()).unwrap_or(0)
}

fn requested(amount: &Option<String>, default_minor: i64, order: &OrderRow) -> AppResult<Money> {
    let cur = order.currency();
    match amount {
        Some(a) => {
            let m = Money::parse(a, cur).map_err(|e| {
                AppError::unprocessable(
                    "invalid_amount",
                    format!("`amount` is not a {cur} amount: {e}"),
                )
            })?;
            if m.is_zero() {
                return Err(AppError::unprocessable(
                    "invalid_amount",
                    "`amount` must be greater than zero",
                ));
            }
            Ok(m)
        }
        None => Ok(order.money(default_minor)),
    }
}

/// The id of a movement that appeared at Tamara but is not stored locally yet.
fn new_movement(
    remote: &OrderDetails,
    movement: Movement,
    known: &[String],
    amount: Money,
) -> Option<String> {
    let unknown = |id: &str, total: Money| !known.iter().any(|k| k == id) && total == amount;
    match movement {
        Movement::Capture => remote
            .transactions
            .captures
            .iter()
            .rev()
            .find(|c| unknown(c.capture_id.as_str(), c.total_amount))
            .map(|c| c.capture_id.as_str().to_owned()),
        Movement::Refund => remote
            .transactions
            .refunds
            .iter()
            .rev()
            .find(|r| unknown(r.refund_id.as_str(), r.total_amount))
            .map(|r| r.refund_id.as_str().to_owned()),
        Movement::Cancel => remote
            .transactions
            .cancels
            .iter()
            .rev()
            .find(|c| unknown(c.cancel_id.as_str(), c.total_amount))
            .map(|c| c.cancel_id.as_str().to_owned()),
    }
}

fn booked(remote: &OrderDetails, movement: Movement) -> i64 {
    match movement {
        Movement::Capture => remote_minor(remote.captured_amount),
        Movement::Refund => remote_minor(remote.refunded_amount),
        Movement::Cancel => remote_minor(remote.canceled_amount),
    }
}

/// After a failure with an unknown outcome: did the movement happen? `Some(id)` if Tamara
/// booked it, `None` if it is safe to retry.
async fn recover(
    db: &Db<'_>,
    tamara: &Tamara,
    order_id: &str,
    movement: Movement,
    before: i64,
    amount: Money,
) -> AppResult<Option<String>> {
    let remote = tamara
        .call(&GetOrder::new(OrderId::new(order_id.to_owned())))
        .await?;
    let amount_minor = i64::try_from(amount.minor()).unwrap_or(i64::MAX);
    if booked(&remote, movement) >= before + amount_minor {
        let known = db::known_ids(db, movement, order_id).await?;
        let id = new_movement(&remote, movement, &known, amount)
            .unwrap_or_else(|| format!("unknown-{}", platform::uuid()));
        return Ok(Some(id));
    }
    Ok(None)
}

/// Answer of a money movement: Tamara's response, or the id of the movement found at Tamara
/// after a call whose outcome was unknown.
enum Moved<R> {
    Answered(R),
    Recovered(String),
}

/// Calls a capture / cancel / refund. When the outcome is unknown (timeout, 5xx), checks Tamara
/// for the movement before one retry, so nothing is booked twice.
async fn move_money<E: Endpoint>(
    db: &Db<'_>,
    tamara: &Tamara,
    req: &E,
    order_id: &str,
    movement: Movement,
    before: i64,
    amount: Money,
) -> AppResult<Moved<E::Response>> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match tamara.call(req).await {
            Ok(r) => return Ok(Moved::Answered(r)),
            Err(e) if outcome_unknown(&e) => {
                match recover(db, tamara, order_id, movement, before, amount).await? {
                    Some(id) => return Ok(Moved::Recovered(id)),
                    None if attempt < 2 => continue,
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
}

/// After a movement was stored: re-reads the order, records the audit event and answers
/// `{"<kind>_id", "status", "<amount_key>"}`.
#[allow(clippy::too_many_arguments)]
async fn finish_movement(
    db: &Db<'_>,
    tamara: &Tamara,
    order_id: &str,
    now: i64,
    kind: &str,
    id: &str,
    amount_key: &str,
    amount: Money,
) -> AppResult<Response> {
    let fresh = resync(db, tamara, order_id, now).await?;
    let id_key = format!("{kind}_id");
    let mut detail = serde_json::Map::new();
    detail.insert(id_key.clone(), json!(id));
    detail.insert("amount_minor".to_owned(), json!(amount.minor()));
    db::record_event(
        db,
        &audit(
            &format!("admin:{kind}:{id}"),
            order_id,
            kind,
            Value::Object(detail),
        ),
        now,
    )
    .await?;
    let mut body = serde_json::Map::new();
    body.insert(id_key, json!(id));
    body.insert("status".to_owned(), json!(fresh.status));
    body.insert(amount_key.to_owned(), money_json(amount));
    app::json(200, &Value::Object(body))
}

/// `POST /admin/orders/{id}/capture|cancel|refund`
pub async fn order_action(
    ctx: &Ctx,
    req: Request,
    order_id: &str,
    action: OrderAction,
) -> AppResult<Response> {
    let input: AmountIn = read_json(&req).await?;
    let db = ctx.db()?;
    let order = load(&db, order_id).await?;
    let tamara = ctx.tamara()?;
    let now = ctx.now();
    let synced = sync::sync_order(&db, &tamara, order, "admin", now, None).await?;
    let remote = synced
        .remote
        .ok_or_else(|| AppError::NotFound("Tamara does not know this order".into()))?;
    let order = synced.order;
    let total = remote_minor(Some(remote.total_amount));
    let captured = remote_minor(remote.captured_amount);
    let refunded = remote_minor(remote.refunded_amount);
    let canceled = remote_minor(remote.canceled_amount);
    let status = remote.status.clone();
    let oid = OrderId::new(order_id.to_owned());
    match action {
        OrderAction::Capture => {
            let capturable = (total - canceled - captured).max(0);
            if !matches!(
                status,
                OrderStatus::Authorised
                    | OrderStatus::Updated
                    | OrderStatus::PartiallyCaptured
                    | OrderStatus::PartiallyRefunded
            ) || capturable == 0
            {
                return Err(AppError::conflict(
                    "invalid_state",
                    format!("cannot capture an order that is {status} with nothing capturable"),
                ));
            }
            let amount = requested(&input.amount, capturable, &order)?;
            if i64::try_from(amount.minor()).unwrap_or(i64::MAX) > capturable {
                return Err(AppError::unprocessable(
                    "capture_exceeds_remaining",
                    format!("only {} is capturable", order.money(capturable)),
                ));
            }
            let shipping_info = input.shipping_info.clone().unwrap_or(ShippingInfo {
                shipped_at: rfc3339(now),
                shipping_company: "N/A".to_owned(),
                tracking_number: None,
                tracking_url: None,
            });
            let req = Capture {
                order_id: oid,
                total_amount: amount,
                shipping_info: shipping_info.clone(),
                items: Vec::new(),
                discount_amount: None,
                shipping_amount: None,
                tax_amount: None,
            };
            let capture_id = match move_money(
                &db,
                &tamara,
                &req,
                order_id,
                Movement::Capture,
                captured,
                amount,
            )
            .await?
            {
                Moved::Answered(r) => r.capture_id.as_str().to_owned(),
                Moved::Recovered(id) => id,
            };
            let info = serde_json::to_string(&shipping_info).ok();
            db::insert_capture(
                &db,
                &capture_id,
                order_id,
                i64::try_from(amount.minor()).unwrap_or(0),
                &order.currency,
                info.as_deref(),
                now,
            )
            .await?;
            finish_movement(
                &db,
                &tamara,
                order_id,
                now,
                "capture",
                &capture_id,
                "captured_amount",
                amount,
            )
            .await
        }
        OrderAction::Cancel => {
            let cancelable = (total - canceled - captured).max(0);
            if !matches!(status, OrderStatus::Authorised | OrderStatus::Updated) || cancelable == 0
            {
                return Err(AppError::conflict(
                    "invalid_state",
                    format!("cannot cancel an order that is {status}"),
                ));
            }
            let amount = requested(&input.amount, cancelable, &order)?;
            if i64::try_from(amount.minor()).unwrap_or(i64::MAX) > cancelable {
                return Err(AppError::unprocessable(
                    "cancel_exceeds_remaining",
                    format!("only {} can be canceled", order.money(cancelable)),
                ));
            }
            let req = CancelOrder {
                order_id: oid,
                total_amount: amount,
                shipping_amount: None,
                tax_amount: None,
                discount_amount: None,
                items: Vec::new(),
            };
            let cancel_id = match move_money(
                &db,
                &tamara,
                &req,
                order_id,
                Movement::Cancel,
                canceled,
                amount,
            )
            .await?
            {
                Moved::Answered(r) => r.cancel_id.as_str().to_owned(),
                Moved::Recovered(id) => id,
            };
            db::insert_cancel(
                &db,
                &cancel_id,
                order_id,
                i64::try_from(amount.minor()).unwrap_or(0),
                &order.currency,
                now,
            )
            .await?;
            finish_movement(
                &db,
                &tamara,
                order_id,
                now,
                "cancel",
                &cancel_id,
                "canceled_amount",
                amount,
            )
            .await
        }
        OrderAction::Refund => {
            let refundable = (captured - refunded).max(0);
            if refundable == 0 {
                return Err(AppError::conflict(
                    "invalid_state",
                    format!("nothing to refund on an order that is {status}"),
                ));
            }
            let amount = requested(&input.amount, refundable, &order)?;
            if i64::try_from(amount.minor()).unwrap_or(i64::MAX) > refundable {
                return Err(AppError::unprocessable(
                    "refund_exceeds_captured",
                    format!("only {} is refundable", order.money(refundable)),
                ));
            }
            let comment = input
                .comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .unwrap_or("Refund")
                .chars()
                .take(255)
                .collect::<String>();
            let req = SimplifiedRefund {
                order_id: oid,
                total_amount: amount,
                comment: comment.clone(),
                merchant_refund_id: Some(platform::uuid()),
            };
            let (refund_id, capture_id) = match move_money(
                &db,
                &tamara,
                &req,
                order_id,
                Movement::Refund,
                refunded,
                amount,
            )
            .await?
            {
                Moved::Answered(r) => (
                    r.refund_id.as_str().to_owned(),
                    Some(r.capture_id.as_str().to_owned()),
                ),
                Moved::Recovered(id) => (id, None),
            };
            db::insert_refund(
                &db,
                &refund_id,
                order_id,
                capture_id.as_deref().filter(|c| !c.is_empty()),
                i64::try_from(amount.minor()).unwrap_or(0),
                &order.currency,
                Some(&comment),
                now,
            )
            .await?;
            finish_movement(
                &db,
                &tamara,
                order_id,
                now,
                "refund",
                &refund_id,
                "refunded_amount",
                amount,
            )
            .await
        }
    }
}

async fn resync(db: &Db<'_>, tamara: &Tamara, order_id: &str, now: i64) -> AppResult<OrderRow> {
    let order = load(db, order_id).await?;
    match tamara
        .call(&GetOrder::new(OrderId::new(order_id.to_owned())))
        .await
    {
        Ok(remote) => sync::apply_remote(db, order, &remote, "admin", now, None)
            .await
            .map(|(o, _)| o),
        // The movement happened; the webhook or the reconciler will mirror it.
        Err(_) => Ok(order),
    }
}

#[derive(Debug, Deserialize)]
struct ReferenceIn {
    order_reference_id: String,
}

/// `PUT /admin/orders/{id}/reference-id`
pub async fn reference_id(ctx: &Ctx, req: Request, order_id: &str) -> AppResult<Response> {
    let input: ReferenceIn = read_json(&req).await?;
    let reference = input.order_reference_id.trim().to_owned();
    if reference.is_empty() || reference.len() > 128 {
        return Err(AppError::invalid(
            "`order_reference_id` must be 1-128 characters",
        ));
    }
    let db = ctx.db()?;
    let order = load(&db, order_id).await?;
    // References are unique among the merchant's orders: refuse one that another order holds
    // before Tamara is told (a UNIQUE failure after the Tamara call would leave the two apart).
    if let Some(other) = db::get_order_by_reference(&db, &reference).await? {
        if other.order_id != order.order_id {
            return Err(reference_taken());
        }
    }
    let tamara = ctx.tamara()?;
    tamara
        .call(&UpdateReferenceId {
            order_id: OrderId::new(order_id.to_owned()),
            order_reference_id: OrderReferenceId::new(reference.clone()),
        })
        .await?;
    let now = ctx.now();
    let mut cur = order;
    let mut done = false;
    for _ in 0..3 {
        // Another order took the reference between the check above and here (a race between
        // two admins): still a conflict, not a storage failure.
        let stored = db::cas_reference(&db, order_id, cur.version, &reference, now)
            .await
            .map_err(|e| match e {
                AppError::Storage(m) if m.contains("UNIQUE") => reference_taken(),
                other => other,
            })?;
        if stored {
            done = true;
            break;
        }
        cur = load(&db, order_id).await?;
    }
    if !done {
        return Err(AppError::conflict(
            "concurrent_update",
            "the order changed concurrently; retry",
        ));
    }
    db::record_event(
        &db,
        &audit(
            &format!("admin:reference:{order_id}:{}", platform::uuid()),
            order_id,
            "update_reference_id",
            json!({"from": cur.order_reference_id, "to": reference}),
        ),
        now,
    )
    .await?;
    app::json(200, &json!({"order_reference_id": reference}))
}

fn reference_taken() -> AppError {
    AppError::conflict(
        "order_reference_id_taken",
        "another order already has this `order_reference_id`",
    )
}

// ---- in-store -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct ItemIn {
    sku: String,
    quantity: u32,
}

#[derive(Debug, Deserialize)]
struct InStoreIn {
    phone_number: String,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    items: Option<Vec<ItemIn>>,
    #[serde(default)]
    order_reference_id: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// `POST /admin/in-store`: SMS payment link.
pub async fn in_store_create(ctx: &Ctx, req: Request) -> AppResult<Response> {
    let input: InStoreIn = read_json(&req).await?;
    let country = ctx.cfg.country;
    let currency = ctx.cfg.currency;
    let phone = Phone::parse(&input.phone_number, country).map_err(|_| {
        AppError::unprocessable(
            "invalid_phone_number",
            format!("not a {country} mobile number"),
        )
    })?;
    let db = ctx.db()?;
    let (total, items, lines_json): (Money, Vec<Item>, String) = match (&input.items, &input.amount)
    {
        (Some(items), None) if !items.is_empty() => {
            let products = db::catalog(&db, currency.code()).await?;
            let mut lines = Vec::new();
            for i in items {
                let p = products.iter().find(|p| p.sku == i.sku).ok_or_else(|| {
                    AppError::unprocessable(
                        "unknown_sku",
                        format!(
                            "`{}` is not in the catalog",
                            i.sku.chars().take(64).collect::<String>()
                        ),
                    )
                })?;
                let price = u64::try_from(p.price_minor)
                    .ok()
                    .and_then(|m| Money::from_minor(m, currency).ok())
                    .ok_or_else(|| AppError::unprocessable("unknown_sku", "bad catalog price"))?;
                lines.push(Line {
                    sku: p.sku.clone(),
                    name: p.name.clone(),
                    unit_price: price,
                    quantity: i.quantity,
                    image_url: None,
                });
            }
            let priced = pricing::price(
                currency,
                &lines,
                Money::zero(currency),
                ctx.cfg.tax_rate_bps,
                None,
            )?;
            (
                priced.total,
                priced.tamara_items(),
                serde_json::to_string(&priced.lines).unwrap_or_else(|_| "[]".into()),
            )
        }
        (None, Some(a)) => {
            let m = Money::parse(a, currency)
                .map_err(|e| AppError::unprocessable("invalid_amount", format!("`amount`: {e}")))?;
            if m.is_zero() {
                return Err(AppError::unprocessable(
                    "invalid_amount",
                    "`amount` must be greater than zero",
                ));
            }
            let item = Item {
                reference_id: "in-store".into(),
                item_type: "Physical".into(),
                name: "In-store purchase".into(),
                sku: "IN-STORE".into(),
                quantity: 1,
                total_amount: m,
                unit_price: Some(m),
                tax_amount: None,
                discount_amount: None,
                item_url: None,
                image_url: None,
            };
            (m, vec![item], json!([{"sku": "IN-STORE", "name": "In-store purchase", "quantity": 1, "unit_minor": m.minor(), "total_minor": m.minor()}]).to_string())
        }
        _ => {
            return Err(AppError::invalid(
                "send exactly one of `amount` and `items`",
            ))
        }
    };
    let reference = match &input.order_reference_id {
        Some(r) if !r.trim().is_empty() && r.trim().len() <= 128 => r.trim().to_owned(),
        Some(_) => {
            return Err(AppError::invalid(
                "`order_reference_id` must be 1-128 characters",
            ))
        }
        None => format!("IS-{}", platform::uuid()),
    };
    let locale = input.locale.as_deref().map(Locale::parse).map(|l| {
        if l.is_arabic() {
            Locale::ArSa
        } else {
            Locale::EnUs
        }
    });
    let email = input
        .email
        .as_ref()
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    let tamara = ctx.tamara()?;
    let session = tamara
        .call(&CreateInStoreSession {
            total_amount: total,
            phone_number: phone.national().to_owned(),
            order_reference_id: OrderReferenceId::new(reference.clone()),
            items,
            email,
            order_number: Some(reference.clone()),
            locale: locale.clone(),
            payment_type: None,
            expiry_time: None,
            additional_data: None,
        })
        .await?;
    let now = ctx.now();
    let expires_at = now + tamara_core::lifecycle::IN_STORE_EXPIRY_MS;
    let order = OrderRow {
        order_id: session.order_id.as_str().to_owned(),
        checkout_id: Some(session.checkout_id.as_str().to_owned()),
        order_reference_id: reference.clone(),
        status: "new".into(),
        channel: "in_store".into(),
        country: country.code().into(),
        currency: currency.code().into(),
        total_minor: i64::try_from(total.minor()).unwrap_or(0),
        shipping_minor: 0,
        tax_minor: 0,
        discount_minor: 0,
        captured_minor: 0,
        refunded_minor: 0,
        canceled_minor: 0,
        items: lines_json,
        locale: locale.map(|l| l.as_str().to_owned()),
        checkout_url: session.checkout_deeplink.clone(),
        created_at: now,
        updated_at: now,
        version: 0,
        approved_at: None,
        authorised_at: None,
        expires_at: Some(expires_at),
        authorise_claimed_at: None,
        auto_capture_flagged_at: None,
        last_synced_at: Some(now),
    };
    db::insert_order(&db, &order).await?;
    db::record_event(
        &db,
        &audit(
            &format!("admin:in_store:{}", order.order_id),
            &order.order_id,
            "in_store_created",
            json!({"total_minor": order.total_minor}),
        ),
        now,
    )
    .await?;
    app::json(
        201,
        &json!({
            "order_id": order.order_id,
            "checkout_id": order.checkout_id,
            "checkout_deeplink": session.checkout_deeplink,
            "order_reference_id": reference,
            "expires_at": rfc3339(expires_at),
            "total": money_json(total),
        }),
    )
}

/// `GET /admin/in-store/{order_id}`
pub async fn in_store_status(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let db = ctx.db()?;
    let order = load(&db, order_id).await?;
    let tamara = ctx.tamara()?;
    let synced = sync::sync_order(&db, &tamara, order, "admin", ctx.now(), None).await?;
    let o = synced.order;
    app::json(
        200,
        &json!({
            "order_id": o.order_id,
            "status": o.status,
            "total": money_json(o.money(o.total_minor)),
            "expires_at": o.expires_at.map(rfc3339),
        }),
    )
}

/// `POST /admin/in-store/{order_id}/void`
pub async fn in_store_void(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let db = ctx.db()?;
    let order = load(&db, order_id).await?;
    let checkout_id = order
        .checkout_id
        .clone()
        .ok_or_else(|| AppError::conflict("invalid_state", "this order has no checkout session"))?;
    let tamara = ctx.tamara()?;
    let r = tamara
        .call(&VoidCheckout {
            checkout_id: CheckoutId::new(checkout_id),
            order_id: OrderId::new(order_id.to_owned()),
            store_code: None,
        })
        .await?;
    let now = ctx.now();
    let fresh = resync(&db, &tamara, order_id, now).await?;
    db::record_event(
        &db,
        &audit(
            &format!("admin:void:{order_id}:{}", platform::uuid()),
            order_id,
            "in_store_void",
            json!({"order_was_voided": r.order_was_voided}),
        ),
        now,
    )
    .await?;
    app::json(
        200,
        &json!({"order_was_voided": r.order_was_voided, "status": fresh.status}),
    )
}

/// `GET /admin/customers/id-verification?phone=…&country=SA`
pub async fn id_verification(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let q = app::query(req);
    let country: Country = match app::query_param(&q, "country") {
        None => ctx.cfg.country,
        Some(c) => c.to_ascii_uppercase().parse().map_err(|_| {
            AppError::unprocessable(
                "unsupported_country",
                format!("country `{c}` is not supported"),
            )
        })?,
    };
    let phone =
        app::query_param(&q, "phone").ok_or_else(|| AppError::invalid("`phone` is required"))?;
    let phone = Phone::parse(&phone, country).map_err(|_| {
        AppError::unprocessable(
            "invalid_phone_number",
            format!("not a {country} mobile number"),
        )
    })?;
    let r = ctx
        .tamara()?
        .call(&IdVerificationStatus {
            phone_number: phone.national().to_owned(),
            country_code: country,
        })
        .await?;
    app::json(200, &json!({"is_id_verified": r.is_id_verified}))
}

// ---- webhooks -------------------------------------------------------------------------------

/// `GET /admin/webhooks`
pub async fn webhook_list(ctx: &Ctx) -> AppResult<Response> {
    let list = ctx.tamara()?.call(&ListWebhooks).await?;
    app::json(
        200,
        &serde_json::to_value(&list).unwrap_or(Value::Array(vec![])),
    )
}

/// `POST /admin/webhooks`
pub async fn webhook_register(ctx: &Ctx, req: Request) -> AppResult<Response> {
    let input: RegisterWebhook = read_json(&req).await?;
    check_webhook_url(&input.url)?;
    check_events(&input.events)?;
    if input.webhook_type.is_unknown() {
        return Err(AppError::unprocessable(
            "invalid_webhook_type",
            "`type` must be `order` or `dispute`",
        ));
    }
    let w = ctx.tamara()?.call(&input).await?;
    app::json(201, &serde_json::to_value(&w).unwrap_or(Value::Null))
}

/// `GET /admin/webhooks/{id}`
pub async fn webhook_get(ctx: &Ctx, id: &str) -> AppResult<Response> {
    let w = ctx
        .tamara()?
        .call(&RetrieveWebhook {
            webhook_id: WebhookId::new(id.to_owned()),
        })
        .await
        .map_err(webhook_missing)?;
    app::json(200, &serde_json::to_value(&w).unwrap_or(Value::Null))
}

#[derive(Debug, Deserialize)]
struct WebhookUpdateIn {
    url: String,
    events: Vec<tamara_core::EventType>,
    #[serde(default)]
    headers: Option<std::collections::BTreeMap<String, String>>,
}

/// `PUT /admin/webhooks/{id}`
pub async fn webhook_update(ctx: &Ctx, req: Request, id: &str) -> AppResult<Response> {
    let input: WebhookUpdateIn = read_json(&req).await?;
    check_webhook_url(&input.url)?;
    check_events(&input.events)?;
    let w = ctx
        .tamara()?
        .call(&UpdateWebhook {
            webhook_id: WebhookId::new(id.to_owned()),
            url: input.url,
            events: input.events,
            headers: input.headers,
        })
        .await
        .map_err(webhook_missing)?;
    app::json(200, &serde_json::to_value(&w).unwrap_or(Value::Null))
}

/// `DELETE /admin/webhooks/{id}`
pub async fn webhook_delete(ctx: &Ctx, id: &str) -> AppResult<Response> {
    ctx.tamara()?
        .call(&DeleteWebhook {
            webhook_id: WebhookId::new(id.to_owned()),
        })
        .await
        .map_err(webhook_missing)?;
    app::json(200, &json!({"deleted": true, "webhook_id": id}))
}

/// Tamara's 404 on a webhook call is about the webhook, not an order.
fn webhook_missing(e: AppError) -> AppError {
    match e {
        AppError::Tamara(tamara_core::ApiError::NotFound { .. }) => AppError::Invalid {
            status: 404,
            code: "webhook_not_found",
            message: "Tamara has no webhook with this id".into(),
        },
        other => other,
    }
}

/// At least one event, each one Tamara sends (checked here: Tamara's own refusal would come
/// back as a less precise 422).
fn check_events(events: &[tamara_core::EventType]) -> AppResult<()> {
    if events.is_empty() {
        return Err(AppError::unprocessable(
            "invalid_events",
            "`events` must name at least one event",
        ));
    }
    if let Some(unknown) = events.iter().find(|e| e.is_unknown()) {
        let known: Vec<&str> = tamara_core::EventType::KNOWN
            .iter()
            .map(|e| e.as_str())
            .collect();
        return Err(AppError::unprocessable(
            "invalid_events",
            format!(
                "unknown event `{}`; one of: {}",
                unknown.as_str().chars().take(64).collect::<String>(),
                known.join(", ")
            ),
        ));
    }
    Ok(())
}

fn check_webhook_url(url: &str) -> AppResult<()> {
    if url.len() > 2048 || !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(AppError::invalid("`url` must be an http(s) URL"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer() {
        assert!(check_bearer(Some("Bearer s3cret"), "s3cret").is_ok());
        assert!(check_bearer(Some("bearer s3cret "), "s3cret").is_ok());
        assert_eq!(check_bearer(None, "s3cret").unwrap_err().status(), 401);
        assert_eq!(
            check_bearer(Some("Bearer nope"), "s3cret")
                .unwrap_err()
                .status(),
            401
        );
        assert_eq!(
            check_bearer(Some("Basic s3cret"), "s3cret")
                .unwrap_err()
                .status(),
            401
        );
        assert_eq!(check_bearer(Some("Bearer "), "").unwrap_err().status(), 401);
        let e = check_bearer(Some("Bearer wrong"), "s3cret").unwrap_err();
        assert!(!e.body().to_string().contains("s3cret"));
    }

    #[test]
    fn finds_the_unrecorded_capture() {
        let remote: OrderDetails = serde_json::from_value(json!({
            "order_id": "o1", "order_reference_id": "r", "status": "partially_captured",
            "total_amount": {"amount": 300, "currency": "SAR"},
            "captured_amount": {"amount": 200, "currency": "SAR"},
            "transactions": {"captures": [
                {"capture_id": "c1", "order_id": "o1", "total_amount": {"amount": 100, "currency": "SAR"}},
                {"capture_id": "c2", "order_id": "o1", "total_amount": {"amount": 100, "currency": "SAR"}}
            ]}
        }))
        .unwrap();
        let hundred = Money::parse("100", tamara_core::Currency::Sar).unwrap();
        assert_eq!(
            new_movement(&remote, Movement::Capture, &["c1".into()], hundred).as_deref(),
            Some("c2")
        );
        assert_eq!(
            new_movement(
                &remote,
                Movement::Capture,
                &["c1".into(), "c2".into()],
                hundred
            ),
            None
        );
        assert_eq!(booked(&remote, Movement::Capture), 20000);
    }
}
