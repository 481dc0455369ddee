//! The merchant's order views, reference-id updates, and the storefront's order status.

use tamara_core::orders::{GetOrder, OrderDetails, UpdateReferenceId};
use tamara_core::{OrderId, OrderReferenceId, OrderStatus};

use super::sync::{self, apply_remote, authorise_once};
use super::{clip, not_found_as_none, App};
use crate::error::{AppError, AppResult};
use crate::store::orders::reference_taken;
use crate::store::{EventRow, NewEvent, Order, Source, Sql};
use crate::tamara::Transport;

/// `GET /admin/orders?status=&limit=` (exact values; empty means absent).
pub async fn list<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    status: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Vec<Order>> {
    let limit = match limit {
        None => 50,
        Some(l) => l
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| AppError::invalid("`limit` must be 1-500"))?,
    };
    let status = match status.map(OrderStatus::parse) {
        Some(s) if s.is_unknown() => {
            return Err(AppError::invalid(format!(
                "unknown status `{}`",
                clip(s.as_str(), 40)
            )))
        }
        other => other,
    };
    app.store()?.list_orders(status.as_ref(), limit).await
}

/// The merchant's view of one order.
#[derive(Debug, Clone)]
pub struct OrderView {
    /// The local order (mirrored from Tamara first when possible).
    pub order: Order,
    /// Tamara's view.
    pub remote: Option<OrderDetails>,
    /// Why Tamara's view is missing.
    pub tamara_error: Option<String>,
    /// Why authorising the approved order failed.
    pub authorise_error: Option<String>,
    /// The audit trail.
    pub events: Vec<EventRow>,
}

/// `GET /admin/orders/{id}`. Viewing never fails because of Tamara: the local order is shown
/// with Tamara's view, or with `tamara_error`; authorising an approved order is a best-effort
/// side effect whose failure only shows as `authorise_error`.
pub async fn view<T: Transport, Q: Sql>(app: &App<T, Q>, order_id: &str) -> AppResult<OrderView> {
    let store = app.store()?;
    let order = store.order_or_404(order_id).await?;
    let now = app.now();
    let remote = match app.tamara() {
        Ok(t) => not_found_as_none(t.call(&GetOrder::new(order.order_id.clone())).await),
        Err(e) => Err(e),
    };
    let (mut local, remote, tamara_error) = match remote {
        Ok(Some(r)) => {
            let mirrored = async {
                sync::record_movements(store, &order, &r, now).await?;
                apply_remote(store, order.clone(), &r, Source::Admin, now, None).await
            };
            match mirrored.await {
                Ok((o, _)) => (o, Some(r), None),
                Err(e) => (order, Some(r), Some(e.code().to_owned())),
            }
        }
        Ok(None) => (order, None, None),
        Err(e) => (order, None, Some(e.code().to_owned())),
    };
    let mut authorise_error = None;
    if remote.is_some() && local.status == OrderStatus::Approved {
        match authorise_once(store, app.tamara()?, local.clone(), Source::Admin, now).await {
            Ok((o, _)) => local = o,
            Err(e) => {
                app.warn(&format!("admin view: authorise failed: {}", e.code()));
                authorise_error = Some(e.code().to_owned());
            }
        }
    }
    Ok(OrderView {
        events: store.events_for(order_id).await?,
        order: local,
        remote,
        tamara_error,
        authorise_error,
    })
}

/// `PUT /admin/orders/{id}/reference-id`: the new reference, stored at Tamara and here.
pub async fn update_reference<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    order_id: &str,
    reference: &str,
) -> AppResult<String> {
    let reference = reference.trim().to_owned();
    if reference.is_empty() || reference.len() > 128 {
        return Err(AppError::invalid(
            "`order_reference_id` must be 1-128 characters",
        ));
    }
    let store = app.store()?;
    let order = store.order_or_404(order_id).await?;
    // References are unique among the merchant's orders: refuse one another order holds before
    // Tamara is told (a UNIQUE failure after the Tamara call would leave the two apart).
    if let Some(other) = store.order_by_reference(&reference).await? {
        if other.order_id != order.order_id {
            return Err(reference_taken());
        }
    }
    // Reserved here first: the UNIQUE index decides between admins racing for one reference,
    // so Tamara is only told by the winner (told first, two orders could end up with the same
    // reference at Tamara while the loser is refused here).
    let now = app.now();
    let mut cur = order;
    let mut done = false;
    for _ in 0..3 {
        if store
            .cas_reference(order_id, cur.version, &reference, now)
            .await?
        {
            done = true;
            break;
        }
        cur = store.order_or_404(order_id).await?;
    }
    if !done {
        return Err(AppError::conflict(
            "concurrent_update",
            "the order changed concurrently; retry",
        ));
    }
    let tamara = app.tamara()?;
    let oid = OrderId::new(order_id.to_owned());
    let told = tamara
        .call(&UpdateReferenceId {
            order_id: oid.clone(),
            order_reference_id: OrderReferenceId::new(reference.clone()),
        })
        .await;
    if let Err(e) = told {
        // Did it happen anyway (a lost answer)? Otherwise give the reservation back.
        let at_tamara = tamara.call(&GetOrder::new(oid)).await.ok();
        if at_tamara.is_none_or(|r| r.order_reference_id.as_str() != reference) {
            let mine = store.order_or_404(order_id).await?;
            store
                .cas_reference(order_id, mine.version, cur.reference.as_str(), app.now())
                .await?;
            return Err(e);
        }
    }
    let detail = serde_json::json!({"from": cur.reference, "to": reference});
    let e = NewEvent::done(
        format!("admin:reference:{order_id}:{}", app.new_id()),
        order_id,
        Source::Admin,
        "update_reference_id",
        Some(detail),
    );
    store.record_event(&e, now).await?;
    Ok(reference)
}

/// Orders waiting for Tamara are re-read at most this often by the storefront's poll.
pub const REFRESH_AFTER_MS: i64 = 3_000;

/// `GET /api/orders/{id}`: the order for the thank-you page; one still waiting for Tamara is
/// refreshed from Tamara first (at most every [`REFRESH_AFTER_MS`]). A failed refresh shows the
/// stored order.
pub async fn public_status<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    order_id: &str,
) -> AppResult<Order> {
    let order = app.store()?.order_or_404(order_id).await?;
    let now = app.now();
    let stale = order
        .last_synced_at
        .is_none_or(|t| now - t > REFRESH_AFTER_MS);
    if !(order.is_pending() && stale) || app.tamara().is_err() {
        return Ok(order);
    }
    match sync::sync_order(app, order.clone(), Source::Storefront, None).await {
        Ok(s) => Ok(s.order),
        Err(e) => {
            app.warn(&format!("order refresh failed: {}", e.code()));
            Ok(order)
        }
    }
}
