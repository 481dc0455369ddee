//! Mirroring Tamara's view of an order into D1 (forward-only, via `lifecycle::advance`) and
//! authorising approved orders exactly once, whoever gets there first: the redirect, the
//! webhook, the storefront poll or the reconciler.

use crate::db::Db;
use tamara_core::lifecycle::advance;
use tamara_core::orders::{AuthoriseOrder, GetOrder, OrderDetails};
use tamara_core::{Money, OrderId, OrderStatus};

use crate::db::{self, Mirror, NewEvent};
use crate::error::{AppError, AppResult};
use crate::model::OrderRow;
use crate::tamara::{outcome_unknown, Tamara};

/// A claim older than this is considered abandoned (its holder died mid-call).
pub const CLAIM_STALE_MS: i64 = 30_000;

fn minor(m: Option<Money>) -> Option<i64> {
    m.and_then(|m| i64::try_from(m.minor()).ok())
}

/// Statuses at or after `authorised`.
pub fn is_authorised_or_later(s: &OrderStatus) -> bool {
    matches!(
        s,
        OrderStatus::Authorised
            | OrderStatus::Updated
            | OrderStatus::PartiallyCaptured
            | OrderStatus::FullyCaptured
            | OrderStatus::PartiallyRefunded
            | OrderStatus::FullyRefunded
            | OrderStatus::Canceled
    )
}

/// What a read of the order at Tamara changes locally: status forward-only, money books only
/// upward. `None` when nothing changes.
pub fn plan(local: &OrderRow, remote: &OrderDetails, now: i64) -> Option<Mirror> {
    let local_status = local.status();
    let status = advance(&local_status, &remote.status).unwrap_or(local_status);
    let captured = local
        .captured_minor
        .max(minor(remote.captured_amount).unwrap_or(0));
    let refunded = local
        .refunded_minor
        .max(minor(remote.refunded_amount).unwrap_or(0));
    let canceled = local
        .canceled_minor
        .max(minor(remote.canceled_amount).unwrap_or(0));
    let approved_at = local
        .approved_at
        .or_else(|| (status.is_paid() || status == OrderStatus::Canceled).then_some(now));
    // In-store orders go from `new` straight to `fully_captured`: never authorised.
    let authorised_at = local
        .authorised_at
        .or_else(|| (is_authorised_or_later(&status) && local.channel == "online").then_some(now));
    let m = Mirror {
        status: status.as_str().to_owned(),
        captured_minor: captured,
        refunded_minor: refunded,
        canceled_minor: canceled,
        approved_at,
        authorised_at,
    };
    let unchanged = m.status == local.status
        && m.captured_minor == local.captured_minor
        && m.refunded_minor == local.refunded_minor
        && m.canceled_minor == local.canceled_minor
        && m.approved_at == local.approved_at
        && m.authorised_at == local.authorised_at;
    (!unchanged).then_some(m)
}

/// The outcome of a sync.
#[derive(Debug, Clone)]
pub struct Synced {
    /// The local order after the sync.
    pub order: OrderRow,
    /// Tamara's view (absent when the order is unknown there).
    pub remote: Option<OrderDetails>,
    /// True when this call authorised the order.
    pub authorised_now: bool,
    /// True when the `finish` event was marked processed.
    pub finished: bool,
}

/// Applies `remote` to the local order with compare-and-set, recording an audit event for
/// every change. Returns the fresh local row. When nothing changes and the order needs no
/// authorisation, also marks the audit event `finish` processed in the same round trip (the
/// second value says so).
pub async fn apply_remote(
    db: &Db<'_>,
    order: OrderRow,
    remote: &OrderDetails,
    source: &str,
    now: i64,
    finish: Option<&str>,
) -> AppResult<(OrderRow, bool)> {
    let mut cur = order;
    for _ in 0..4 {
        let Some(m) = plan(&cur, remote, now) else {
            match finish {
                Some(key) if cur.status() != OrderStatus::Approved => {
                    db::touch_synced_and_finish(db, &cur.order_id, now, key, &cur.status).await?;
                    return Ok((cur, true));
                }
                _ => db::touch_synced(db, &cur.order_id, now).await?,
            }
            return Ok((cur, false));
        };
        if db::cas_mirror(db, &cur.order_id, cur.version, &m, now).await? {
            let key = format!("sync:{}:v{}", cur.order_id, cur.version + 1);
            let detail = serde_json::json!({
                "captured_minor": m.captured_minor,
                "refunded_minor": m.refunded_minor,
                "canceled_minor": m.canceled_minor,
            });
            db::record_event(
                db,
                &NewEvent {
                    dedupe_key: &key,
                    order_id: Some(&cur.order_id),
                    source,
                    kind: "status_sync",
                    status_before: Some(&cur.status),
                    status_after: Some(&m.status),
                    detail: Some(detail.to_string()),
                    processed: true,
                },
                now,
            )
            .await?;
        }
        cur = db::get_order(db, &cur.order_id)
            .await?
            .ok_or_else(|| AppError::NotFound("order not found".into()))?;
    }
    Ok((cur, false))
}

/// Reads the order at Tamara, mirrors it, and authorises it when approved. With `finish`, may
/// also mark that audit event processed with its last write (when nothing changed and nothing is
/// left to do; `Synced::finished` says so): only for events with nothing else to record.
pub async fn sync_order(
    db: &Db<'_>,
    tamara: &Tamara,
    order: OrderRow,
    source: &str,
    now: i64,
    finish: Option<&str>,
) -> AppResult<Synced> {
    let remote = crate::tamara::not_found_as_none(
        tamara
            .call(&GetOrder::new(OrderId::new(order.order_id.clone())))
            .await,
    )?;
    let Some(remote) = remote else {
        return Ok(Synced {
            order,
            remote: None,
            authorised_now: false,
            finished: false,
        });
    };
    let (order, finished) = apply_remote(db, order, &remote, source, now, finish).await?;
    let (order, authorised_now) = if order.status() == OrderStatus::Approved {
        authorise_once(db, tamara, order, source, now).await?
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
/// claims the order; only the winner calls Tamara. After a failure with an unknown outcome the
/// order is re-read at Tamara; if it is already authorised, that counts as done.
pub async fn authorise_once(
    db: &Db<'_>,
    tamara: &Tamara,
    order: OrderRow,
    source: &str,
    now: i64,
) -> AppResult<(OrderRow, bool)> {
    if !db::claim_authorise(db, &order.order_id, now, now - CLAIM_STALE_MS).await? {
        let fresh = db::get_order(db, &order.order_id).await?.unwrap_or(order);
        return Ok((fresh, false));
    }
    let order_id = OrderId::new(order.order_id.clone());
    let mut attempt = 0;
    let outcome = loop {
        attempt += 1;
        match tamara
            .call(&AuthoriseOrder {
                order_id: order_id.clone(),
            })
            .await
        {
            Ok(a) => {
                let captured = if a.auto_captured {
                    minor(a.authorized_amount).unwrap_or(order.total_minor)
                } else {
                    0
                };
                if a.auto_captured && !a.capture_id.is_empty() {
                    db::insert_capture(
                        db,
                        a.capture_id.as_str(),
                        &order.order_id,
                        captured.max(1),
                        &order.currency,
                        None,
                        now,
                    )
                    .await?;
                }
                break Ok((a.status, captured));
            }
            Err(e) => {
                // Did it happen anyway? Re-read before anything else.
                let remote = tamara.call(&GetOrder::new(order_id.clone())).await;
                match remote {
                    Ok(r) if is_authorised_or_later(&r.status) => {
                        break Ok((r.status, minor(r.captured_amount).unwrap_or(0)));
                    }
                    Ok(r)
                        if r.status == OrderStatus::Approved
                            && attempt < 2
                            && outcome_unknown(&e) =>
                    {
                        continue;
                    }
                    Ok(r) => {
                        // Expired/declined meanwhile, or a definite refusal: mirror and stop.
                        db::release_authorise(db, &order.order_id, now).await?;
                        let fresh = db::get_order(db, &order.order_id)
                            .await?
                            .unwrap_or_else(|| order.clone());
                        let (fresh, _) = apply_remote(db, fresh, &r, source, now, None).await?;
                        if r.status == OrderStatus::Approved {
                            break Err(e);
                        }
                        return Ok((fresh, false));
                    }
                    Err(_) => break Err(e),
                }
            }
        }
    };
    match outcome {
        Ok((status, captured)) => {
            let status = if is_authorised_or_later(&status) {
                status
            } else {
                OrderStatus::Authorised
            };
            db::finish_authorise(db, &order.order_id, status.as_str(), captured, now).await?;
            db::record_event(
                db,
                &NewEvent {
                    dedupe_key: &format!("authorise:{}", order.order_id),
                    order_id: Some(&order.order_id),
                    source,
                    kind: "authorise",
                    status_before: Some("approved"),
                    status_after: Some(status.as_str()),
                    detail: None,
                    processed: true,
                },
                now,
            )
            .await?;
            let fresh = db::get_order(db, &order.order_id).await?.unwrap_or(order);
            Ok((fresh, true))
        }
        Err(e) => {
            db::release_authorise(db, &order.order_id, now).await?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::row;
    use tamara_core::Currency;

    fn remote(status: &str, captured: u64) -> OrderDetails {
        let body = serde_json::json!({
            "order_id": "o1",
            "order_reference_id": "r1",
            "status": status,
            "total_amount": {"amount": 230, "currency": "SAR"},
            "captured_amount": {"amount": Money::from_minor(captured, Currency::Sar).unwrap().to_decimal_string(), "currency": "SAR"},
        });
        serde_json::from_value(body).unwrap()
    }

    #[test]
    fn forward_only() {
        let m = plan(&row("new"), &remote("approved", 0), 5).unwrap();
        assert_eq!(m.status, "approved");
        assert_eq!(m.approved_at, Some(5));
        assert_eq!(m.authorised_at, None);
        // A late "approved" never moves an authorised order back.
        let mut r = row("authorised");
        r.approved_at = Some(1);
        r.authorised_at = Some(2);
        assert_eq!(plan(&r, &remote("approved", 0), 9), None);
        // Unknown statuses are ignored.
        assert_eq!(plan(&r, &remote("brand_new_status", 0), 9), None);
    }

    #[test]
    fn money_books_only_grow() {
        let mut r = row("authorised");
        r.approved_at = Some(1);
        r.authorised_at = Some(2);
        let m = plan(&r, &remote("partially_captured", 10000), 9).unwrap();
        assert_eq!(
            (m.status.as_str(), m.captured_minor),
            ("partially_captured", 10000)
        );
        r.status = "partially_captured".into();
        r.captured_minor = 15000;
        // A stale read with less captured changes nothing.
        assert_eq!(plan(&r, &remote("partially_captured", 10000), 9), None);
    }

    #[test]
    fn authorised_timestamps() {
        let mut r = row("approved");
        r.approved_at = Some(1);
        let m = plan(&r, &remote("authorised", 0), 7).unwrap();
        assert_eq!(m.authorised_at, Some(7));
        assert!(is_authorised_or_later(&OrderStatus::FullyCaptured));
        assert!(!is_authorised_or_later(&OrderStatus::Approved));
    }
}
