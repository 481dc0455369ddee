//! Capture, cancel and refund. Tamara's own books decide: the order is re-read first, core's
//! lifecycle rules ([`lifecycle::movable`], [`lifecycle::apply`]) say what may move and how
//! much, and after a call whose outcome is unknown (timeout, 5xx) the order is read again
//! before one retry, so nothing is captured, refunded or canceled twice.

use serde::Deserialize;
use tamara_core::lifecycle::{self, Movement, OrderState, TransitionError};
use tamara_core::orders::{CancelOrder, GetOrder, OrderDetails};
use tamara_core::payments::{Capture, SimplifiedRefund};
use tamara_core::timestamp::Timestamp;
use tamara_core::types::ShippingInfo;
use tamara_core::{Endpoint, Money, OrderId, OrderStatus};

use super::sync::{self, unknown_at_tamara};
use super::{outcome_unknown, App};
use crate::error::{AppError, AppResult};
use crate::store::movements::MovementRow;
use crate::store::Sql;
use crate::store::{NewEvent, Source};
use crate::tamara::Transport;

/// Prefix of the id answered for a movement Tamara booked whose own id could not be matched.
pub const UNMATCHED: &str = "unknown-";

/// The merchant's request (every field optional: no amount = the whole remainder).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// Decimal amount in the order's currency.
    #[serde(default)]
    pub amount: Option<String>,
    /// Captures: shipping details (default: shipped now, company "N/A").
    #[serde(default)]
    pub shipping_info: Option<ShippingInfo>,
    /// Refunds: the reason shown to the shopper (default "Refund").
    #[serde(default)]
    pub comment: Option<String>,
}

/// A movement Tamara booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Which.
    pub movement: Movement,
    /// Tamara's capture / cancel / refund id.
    pub id: String,
    /// The order's status afterwards.
    pub status: OrderStatus,
    /// The amount moved.
    pub amount: Money,
}

/// Core's state of the order as Tamara reports it (Tamara's books, not our mirror).
pub fn remote_state(local: OrderState, remote: &OrderDetails) -> OrderState {
    let like = remote.total_amount;
    let or_zero = |m: Option<Money>| {
        m.filter(|m| m.currency() == like.currency())
            .unwrap_or(Money::zero(like.currency()))
    };
    OrderState {
        status: remote.status.clone(),
        total: remote.total_amount,
        captured: or_zero(remote.captured_amount),
        refunded: or_zero(remote.refunded_amount),
        canceled: or_zero(remote.canceled_amount),
        ..local
    }
}

/// Core's refusal as the API's error: a status that does not allow it is 409 `invalid_state`;
/// an amount over what is left is 422 with core's code.
pub fn refused(e: TransitionError) -> AppError {
    match e {
        TransitionError::InvalidTransition { from, event } => AppError::conflict(
            "invalid_state",
            format!("cannot {event} an order that is {from} (or has nothing left to {event})"),
        ),
        TransitionError::ZeroAmount => {
            AppError::unprocessable("invalid_amount", "`amount` must be greater than zero")
        }
        other => AppError::unprocessable(other.code(), other.to_string()),
    }
}

/// What to move: the requested amount, checked by core's rules against `state` at `now`.
pub fn decide(
    state: &OrderState,
    movement: Movement,
    amount: Option<&str>,
    now: i64,
) -> AppResult<Money> {
    let left = lifecycle::movable(state, movement).map_err(refused)?;
    let amount = match amount {
        None => left,
        Some(text) => Money::parse_decimal(text, state.total.currency()).map_err(|e| {
            AppError::unprocessable(
                "invalid_amount",
                format!("`amount` is not a {} amount: {e}", state.total.currency()),
            )
        })?,
    };
    lifecycle::apply(state, &movement.event(amount), Timestamp::from_millis(now))
        .map_err(refused)?;
    Ok(amount)
}

/// `POST /admin/orders/{id}/capture|cancel|refund`.
pub async fn move_money<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    order_id: &str,
    movement: Movement,
    input: MoveRequest,
) -> AppResult<Moved> {
    let store = app.store()?;
    let now = app.now();
    let order = store.order_or_404(order_id).await?;
    let synced = sync::sync_order(app, order, Source::Admin, None).await?;
    let remote = synced.remote.ok_or_else(unknown_at_tamara)?;
    let state = remote_state(synced.order.state(), &remote);
    let amount = decide(&state, movement, input.amount.as_deref(), now)?;
    let oid = OrderId::new(order_id.to_owned());
    let before = booked(&remote, movement);
    let (id, capture_id, note) = match movement {
        Movement::Capture => {
            let shipped_at = Timestamp::from_millis(now).to_rfc3339();
            let info = input
                .shipping_info
                .unwrap_or_else(|| ShippingInfo::new(shipped_at, "N/A"));
            let req = Capture::new(oid, amount, info.clone());
            let id = match send(app, &req, order_id, movement, before, amount).await? {
                Sent::Answered(r) => r.capture_id.as_str().to_owned(),
                Sent::Recovered(id, _) => id,
            };
            (id, None, serde_json::to_string(&info).ok())
        }
        Movement::Cancel => {
            let req = CancelOrder::new(oid, amount);
            let id = match send(app, &req, order_id, movement, before, amount).await? {
                Sent::Answered(r) => r.cancel_id.as_str().to_owned(),
                Sent::Recovered(id, _) => id,
            };
            (id, None, None)
        }
        Movement::Refund => {
            let comment: String = input
                .comment
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .unwrap_or("Refund")
                .chars()
                .take(255)
                .collect();
            let req = SimplifiedRefund::new(oid, amount, comment.clone())
                .with_merchant_refund_id(app.new_id());
            match send(app, &req, order_id, movement, before, amount).await? {
                Sent::Answered(r) => (
                    r.refund_id.as_str().to_owned(),
                    Some(r.capture_id.as_str().to_owned()).filter(|c| !c.is_empty()),
                    Some(comment),
                ),
                Sent::Recovered(id, capture_id) => (id, capture_id, Some(comment)),
            }
        }
    };
    let row = MovementRow {
        movement,
        id: id.clone(),
        order_id: order_id.to_owned(),
        amount,
        capture_id,
        note,
    };
    // A movement Tamara booked but whose id could not be matched (`unknown-…`) is not stored
    // under a made-up id: the resync below stores it from Tamara's transactions.
    if !id.starts_with(UNMATCHED) {
        store.insert_movement(&row, now).await?;
    }
    let fresh = sync::resync(app, order_id, Source::Admin).await?;
    let kind = movement.as_str();
    let detail = serde_json::json!({ format!("{kind}_id"): id, "amount_minor": amount.minor() });
    let e = NewEvent::done(
        format!("admin:{kind}:{id}"),
        order_id,
        Source::Admin,
        kind,
        Some(detail),
    );
    store.record_event(&e, now).await?;
    Ok(Moved {
        movement,
        id,
        status: fresh.status,
        amount,
    })
}

/// How much of `movement` Tamara has booked on the order.
pub fn booked(remote: &OrderDetails, movement: Movement) -> u64 {
    let m = match movement {
        Movement::Capture => remote.captured_amount,
        Movement::Refund => remote.refunded_amount,
        Movement::Cancel => remote.canceled_amount,
    };
    m.map(|m| m.minor()).unwrap_or(0)
}

/// The id of a movement of `amount` that Tamara booked and that is not among `known`, with,
/// for a refund, the capture it refunded (as Tamara's answer would have named it).
pub fn new_movement(
    remote: &OrderDetails,
    movement: Movement,
    known: &[String],
    amount: Money,
) -> Option<(String, Option<String>)> {
    let t = &remote.transactions;
    let fresh = |id: &str, total: Money| !known.iter().any(|k| k == id) && total == amount;
    let ids: Vec<(&str, Money, Option<&str>)> = match movement {
        Movement::Capture => t
            .captures
            .iter()
            .map(|c| (c.capture_id.as_str(), c.total_amount, None))
            .collect(),
        Movement::Refund => t
            .refunds
            .iter()
            .map(|r| {
                let cap = Some(r.capture_id.as_str()).filter(|c| !c.is_empty());
                (r.refund_id.as_str(), r.total_amount, cap)
            })
            .collect(),
        Movement::Cancel => t
            .cancels
            .iter()
            .map(|c| (c.cancel_id.as_str(), c.total_amount, None))
            .collect(),
    };
    ids.into_iter()
        .rev()
        .find(|(id, total, _)| fresh(id, *total))
        .map(|(id, _, cap)| (id.to_owned(), cap.map(str::to_owned)))
}

/// The answer of a movement call, or the id (and, for a refund, the capture refunded) found at
/// Tamara after a call whose outcome was unknown.
enum Sent<R> {
    Answered(R),
    Recovered(String, Option<String>),
}

/// Sends a movement; when the outcome is unknown, checks Tamara for it before one retry.
async fn send<T: Transport, Q: Sql, E: Endpoint>(
    app: &App<T, Q>,
    req: &E,
    order_id: &str,
    movement: Movement,
    before: u64,
    amount: Money,
) -> AppResult<Sent<E::Response>> {
    let tamara = app.tamara()?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let e = match tamara.call(req).await {
            Ok(r) => return Ok(Sent::Answered(r)),
            Err(e) if outcome_unknown(&e) => e,
            Err(e) => return Err(e),
        };
        let remote = tamara
            .call(&GetOrder::new(OrderId::new(order_id.to_owned())))
            .await?;
        if booked(&remote, movement) >= before + amount.minor() {
            let known = app.store()?.movement_ids(movement, order_id).await?;
            let (id, capture_id) = new_movement(&remote, movement, &known, amount)
                .unwrap_or_else(|| (format!("{UNMATCHED}{}", app.new_id()), None));
            return Ok(Sent::Recovered(id, capture_id));
        }
        if attempt >= 2 {
            return Err(e);
        }
    }
}
