//! Mirroring Tamara's view of an order (forward-only, via core's `lifecycle::advance`) and
//! authorising approved orders exactly once, whoever gets there first: the redirect, the
//! webhook, the storefront poll, the merchant's view or the reconciler.

use tamara_core::lifecycle::{advance, is_authorised_or_later, Channel, Movement};
use tamara_core::orders::{AuthoriseOrder, GetOrder, OrderDetails};
use tamara_core::{Money, OrderId, OrderStatus};

use super::{not_found_as_none, outcome_unknown, App};
use crate::error::{AppError, AppResult};
use crate::store::movements::MovementRow;
use crate::store::orders::Mirror;
use crate::store::{NewEvent, Order, Source, Sql, Store};
use crate::tamara::{Tamara, Transport};

/// A claim older than this is considered abandoned (its holder died mid-call).
pub const CLAIM_STALE_MS: i64 = 30_000;

fn or_zero(m: Option<Money>, like: Money) -> Money {
    m.filter(|m| m.currency() == like.currency())
        .unwrap_or(Money::zero(like.currency()))
}

fn max(a: Money, b: Money) -> Money {
    if b.minor() > a.minor() {
        b
    } else {
        a
    }
}

/// What a read of the order at Tamara changes locally: status forward-only, money books only
/// upward. `None` when nothing changes.
pub fn plan(local: &Order, remote: &OrderDetails, now: i64) -> Option<Mirror> {
    let status = advance(&local.status, &remote.status).unwrap_or_else(|| local.status.clone());
    let m = Mirror {
        captured: max(local.captured, or_zero(remote.captured_amount, local.total)),
        refunded: max(local.refunded, or_zero(remote.refunded_amount, local.total)),
        canceled: max(local.canceled, or_zero(remote.canceled_amount, local.total)),
        approved_at: local
            .approved_at
            .or_else(|| (status.is_paid() || status == OrderStatus::Canceled).then_some(now)),
        // In-store orders go from `new` straight to `fully_captured`: never authorised.
        authorised_at: local.authorised_at.or_else(|| {
            (is_authorised_or_later(&status) && local.channel == Channel::Online).then_some(now)
        }),
        status,
    };
    let unchanged = m.status == local.status
        && m.captured == local.captured
        && m.refunded == local.refunded
        && m.canceled == local.canceled
        && m.approved_at == local.approved_at
        && m.authorised_at == local.authorised_at;
    (!unchanged).then_some(m)
}

/// The money movements Tamara reports for the order (its `transactions`), as rows to store.
/// The only source of money rows besides the answers to our own calls: never a webhook body.
pub fn movements(order: &Order, remote: &OrderDetails) -> Vec<MovementRow> {
    let t = &remote.transactions;
    let row = |movement, id: &str, amount: Money, capture_id: Option<&str>| MovementRow {
        movement,
        id: id.to_owned(),
        order_id: order.order_id.as_str().to_owned(),
        amount,
        capture_id: capture_id.map(str::to_owned),
        note: None,
    };
    let ours = |m: &Money| m.currency() == order.currency && !m.is_zero();
    let mut out = Vec::new();
    for c in t.captures.iter().filter(|c| ours(&c.total_amount)) {
        out.push(row(
            Movement::Capture,
            c.capture_id.as_str(),
            c.total_amount,
            None,
        ));
    }
    for r in t.refunds.iter().filter(|r| ours(&r.total_amount)) {
        let cap = Some(r.capture_id.as_str()).filter(|c| !c.is_empty());
        out.push(row(
            Movement::Refund,
            r.refund_id.as_str(),
            r.total_amount,
            cap,
        ));
    }
    for c in t.cancels.iter().filter(|c| ours(&c.total_amount)) {
        out.push(row(
            Movement::Cancel,
            c.cancel_id.as_str(),
            c.total_amount,
            None,
        ));
    }
    out
}

/// Stores the movements Tamara reports that are not stored yet; returns how many were new.
pub async fn record_movements<Q: Sql>(
    store: &Store<Q>,
    order: &Order,
    remote: &OrderDetails,
    now: i64,
) -> AppResult<usize> {
    let mut added = 0;
    for m in movements(order, remote) {
        if store.insert_movement(&m, now).await? {
            added += 1;
        }
    }
    Ok(added)
}

/// Applies `remote` to the local order with compare-and-set, recording an audit event for
/// every change. Returns the fresh local row. When nothing changes and the order needs no
/// authorisation, also marks the audit event `finish` processed in the same round trip (the
/// second value says so).
pub async fn apply_remote<Q: Sql>(
    store: &Store<Q>,
    order: Order,
    remote: &OrderDetails,
    source: Source,
    now: i64,
    finish: Option<&str>,
) -> AppResult<(Order, bool)> {
    let mut cur = order;
    for _ in 0..4 {
        let Some(m) = plan(&cur, remote, now) else {
            let id = cur.order_id.as_str();
            match finish {
                Some(key) if cur.status != OrderStatus::Approved => {
                    store
                        .touch_synced(id, now, Some((key, cur.status.as_str())))
                        .await?;
                    return Ok((cur, true));
                }
                _ => store.touch_synced(id, now, None).await?,
            }
            return Ok((cur, false));
        };
        let id = cur.order_id.as_str().to_owned();
        if store.cas_mirror(&id, cur.version, &m, now).await? {
            let detail = serde_json::json!({
                "captured_minor": m.captured.minor(),
                "refunded_minor": m.refunded.minor(),
                "canceled_minor": m.canceled.minor(),
            });
            let e = NewEvent::done(
                format!("sync:{id}:v{}", cur.version + 1),
                &id,
                source,
                "status_sync",
                Some(detail),
            )
            .statuses(Some(cur.status.as_str()), Some(m.status.as_str()));
            store.record_event(&e, now).await?;
        }
        cur = store.order_or_404(&id).await?;
    }
    Ok((cur, false))
}

/// The outcome of a sync.
#[derive(Debug, Clone)]
pub struct Synced {
    /// The local order after the sync.
    pub order: Order,
    /// Tamara's view (absent when the order is unknown there).
    pub remote: Option<OrderDetails>,
    /// True when this call authorised the order.
    pub authorised_now: bool,
    /// True when the `finish` event was marked processed.
    pub finished: bool,
}

/// Reads the order at Tamara, mirrors it, and authorises it when approved. With `finish`, may
/// also mark that audit event processed with its last write (when nothing changed and nothing
/// is left to do; `Synced::finished` says so).
pub async fn sync_order<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    order: Order,
    source: Source,
    finish: Option<&str>,
) -> AppResult<Synced> {
    let (tamara, store, now) = (app.tamara()?, app.store()?, app.now());
    let get = GetOrder::new(order.order_id.clone());
    let Some(remote) = not_found_as_none(tamara.call(&get).await)? else {
        return Ok(Synced {
            order,
            remote: None,
            authorised_now: false,
            finished: false,
        });
    };
    record_movements(store, &order, &remote, now).await?;
    let (order, finished) = apply_remote(store, order, &remote, source, now, finish).await?;
    let (order, authorised_now) = if order.status == OrderStatus::Approved {
        authorise_once(store, tamara, order, source, now).await?
    } else {
        (order, false)
    };
    Ok(Synced {
        order,
        remote: Some(remote),
        authorised_now,
        finished,
    })
}

/// Authorises an approved order at most once across concurrent requests: a conditional UPDATE
/// claims the order; only the winner calls Tamara. After a failure the order is re-read at
/// Tamara; if it is already authorised, that counts as done.
pub async fn authorise_once<T: Transport, Q: Sql>(
    store: &Store<Q>,
    tamara: &Tamara<T>,
    order: Order,
    source: Source,
    now: i64,
) -> AppResult<(Order, bool)> {
    let id = order.order_id.as_str().to_owned();
    if !store
        .claim_authorise(&id, now, now - CLAIM_STALE_MS)
        .await?
    {
        let fresh = store.order(&id).await?.unwrap_or(order);
        return Ok((fresh, false));
    }
    let order_id = OrderId::new(id.clone());
    let zero = Money::zero(order.currency);
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        let call = AuthoriseOrder {
            order_id: order_id.clone(),
        };
        let e = match tamara.call(&call).await {
            Ok(a) => {
                let captured = if a.auto_captured {
                    a.authorized_amount.unwrap_or(order.total)
                } else {
                    zero
                };
                if a.auto_captured && !a.capture_id.is_empty() && !captured.is_zero() {
                    let row = MovementRow {
                        movement: Movement::Capture,
                        id: a.capture_id.as_str().to_owned(),
                        order_id: id.clone(),
                        amount: captured,
                        capture_id: None,
                        note: None,
                    };
                    store.insert_movement(&row, now).await?;
                }
                break Ok((a.status, captured));
            }
            Err(e) => e,
        };
        // Did it happen anyway? Re-read before anything else.
        match tamara.call(&GetOrder::new(order_id.clone())).await {
            Ok(r) if is_authorised_or_later(&r.status) => {
                break Ok((r.status, or_zero(r.captured_amount, order.total)));
            }
            Ok(r) if r.status == OrderStatus::Approved && attempt < 2 && outcome_unknown(&e) => {
                continue;
            }
            Ok(r) => {
                // Expired / declined meanwhile, or a definite refusal: mirror and stop.
                store.release_authorise(&id, now).await?;
                let fresh = store.order(&id).await?.unwrap_or_else(|| order.clone());
                let (fresh, _) = apply_remote(store, fresh, &r, source, now, None).await?;
                if r.status == OrderStatus::Approved {
                    break Err(e);
                }
                return Ok((fresh, false));
            }
            Err(_) => break Err(e),
        }
    };
    match outcome {
        Ok((status, captured)) => {
            let status = if is_authorised_or_later(&status) {
                status
            } else {
                OrderStatus::Authorised
            };
            store.finish_authorise(&id, &status, captured, now).await?;
            let e = NewEvent::done(format!("authorise:{id}"), &id, source, "authorise", None)
                .statuses(Some(OrderStatus::Approved.as_str()), Some(status.as_str()));
            store.record_event(&e, now).await?;
            let fresh = store.order(&id).await?.unwrap_or(order);
            Ok((fresh, true))
        }
        Err(e) => {
            store.release_authorise(&id, now).await?;
            Err(e)
        }
    }
}

/// Re-reads the order at Tamara after a change of ours and mirrors it; when Tamara cannot be
/// read, the local order as it is (the webhook or the reconciler will mirror the change).
pub async fn resync<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    order_id: &str,
    source: Source,
) -> AppResult<Order> {
    let store = app.store()?;
    let order = store.order_or_404(order_id).await?;
    match app
        .tamara()?
        .call(&GetOrder::new(OrderId::new(order_id.to_owned())))
        .await
    {
        Ok(remote) => {
            record_movements(store, &order, &remote, app.now()).await?;
            apply_remote(store, order, &remote, source, app.now(), None)
                .await
                .map(|(o, _)| o)
        }
        Err(_) => Ok(order),
    }
}

/// 404 for an order Tamara does not know.
pub fn unknown_at_tamara() -> AppError {
    AppError::NotFound("Tamara does not know this order".into())
}
