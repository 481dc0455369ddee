//! The `orders` table: reads, and every conditional write that moves an order.

use tamara_core::{Money, OrderStatus, OrderStatus as S};

use super::events::{finish_stmt, NewEvent};
use super::order::{insert_sql, minor, Order, OrderRecord, ORDER_COLS};
use super::sql::{stmt, Arg, Sql, Stmt};
use super::Store;
use crate::error::{AppError, AppResult};

/// The mirrored fields a sync writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// Status.
    pub status: OrderStatus,
    /// Captured.
    pub captured: Money,
    /// Refunded.
    pub refunded: Money,
    /// Canceled.
    pub canceled: Money,
    /// Approved at.
    pub approved_at: Option<i64>,
    /// Authorised at.
    pub authorised_at: Option<i64>,
}

fn select(where_: &str) -> String {
    format!("SELECT {ORDER_COLS} FROM orders {where_}")
}

fn orders(rows: super::Rows) -> AppResult<Vec<Order>> {
    rows.decode::<OrderRecord>()?
        .into_iter()
        .map(Order::try_from)
        .collect()
}

fn insert_stmt(o: &Order) -> Stmt {
    let (sql, args) = insert_sql(o);
    stmt(sql, args)
}

impl<Q: Sql> Store<Q> {
    async fn one(&self, s: Stmt) -> AppResult<Option<Order>> {
        Ok(orders(self.run(s).await?)?.into_iter().next())
    }

    /// One order.
    pub async fn order(&self, order_id: &str) -> AppResult<Option<Order>> {
        self.one(stmt(select("WHERE order_id = ?1"), [order_id.into()]))
            .await
    }

    /// One order, or 404 `not_found`.
    pub async fn order_or_404(&self, order_id: &str) -> AppResult<Order> {
        self.order(order_id)
            .await?
            .ok_or_else(|| AppError::NotFound("order not found".into()))
    }

    /// One order by our reference.
    pub async fn order_by_reference(&self, reference: &str) -> AppResult<Option<Order>> {
        self.one(stmt(
            select("WHERE order_reference_id = ?1"),
            [reference.into()],
        ))
        .await
    }

    /// Newest orders, optionally in one status.
    pub async fn list_orders(
        &self,
        status: Option<&OrderStatus>,
        limit: i64,
    ) -> AppResult<Vec<Order>> {
        let s = match status {
            Some(s) => stmt(
                select("WHERE status = ?1 ORDER BY created_at DESC LIMIT ?2"),
                [s.as_str().into(), limit.into()],
            ),
            None => stmt(select("ORDER BY created_at DESC LIMIT ?1"), [limit.into()]),
        };
        orders(self.run(s).await?)
    }

    /// Orders in `new`/`approved` not updated since `before_ms`, least recently checked first
    /// (a pass that finds an order unchanged only touches `last_synced_at`, so a backlog larger
    /// than `limit` rotates instead of the same oldest orders being re-checked every pass).
    pub async fn stale_pending(&self, before_ms: i64, limit: i64) -> AppResult<Vec<Order>> {
        orders(
            self.run(stmt(
                select(
                    "WHERE status IN (?3, ?4) AND updated_at < ?1 \
                     ORDER BY COALESCE(last_synced_at, updated_at), updated_at LIMIT ?2",
                ),
                [
                    before_ms.into(),
                    limit.into(),
                    S::New.as_str().into(),
                    S::Approved.as_str().into(),
                ],
            ))
            .await?,
        )
    }

    /// Authorised, not fully captured orders authorised before `before_ms`, not flagged yet.
    pub async fn near_auto_capture(&self, before_ms: i64, limit: i64) -> AppResult<Vec<Order>> {
        orders(
            self.run(stmt(
                select(
                    "WHERE status IN (?3, ?4, ?5) \
                     AND authorised_at IS NOT NULL AND authorised_at < ?1 \
                     AND auto_capture_flagged_at IS NULL ORDER BY authorised_at LIMIT ?2",
                ),
                [
                    before_ms.into(),
                    limit.into(),
                    S::Authorised.as_str().into(),
                    S::Updated.as_str().into(),
                    S::PartiallyCaptured.as_str().into(),
                ],
            ))
            .await?,
        )
    }

    /// Records a new checkout in one round trip (one transaction): the order, its audit event
    /// and, with an Idempotency-Key, the key's final answer `(key, status, body)`.
    pub async fn insert_checkout(
        &self,
        o: &Order,
        e: &NewEvent,
        now: i64,
        idem: Option<(&str, u16, &str)>,
    ) -> AppResult<()> {
        let mut stmts = vec![insert_stmt(o), e.insert(now)];
        if let Some((key, status, body)) = idem {
            stmts.push(super::idempotency::complete_stmt(key, status, body));
        }
        self.batch(stmts).await.map(|_| ())
    }

    /// Compare-and-set of the mirrored fields: only if `version` is still `expected_version`.
    pub async fn cas_mirror(
        &self,
        order_id: &str,
        expected_version: i64,
        m: &Mirror,
        now: i64,
    ) -> AppResult<bool> {
        let n = self
            .changes(stmt(
                "UPDATE orders SET status = ?1, captured_minor = ?2, refunded_minor = ?3, \
                 canceled_minor = ?4, approved_at = ?5, authorised_at = ?6, updated_at = ?7, \
                 last_synced_at = ?7, version = version + 1 WHERE order_id = ?8 AND version = ?9",
                [
                    m.status.as_str().into(),
                    minor(m.captured).into(),
                    minor(m.refunded).into(),
                    minor(m.canceled).into(),
                    m.approved_at.into(),
                    m.authorised_at.into(),
                    now.into(),
                    order_id.into(),
                    expected_version.into(),
                ],
            ))
            .await?;
        Ok(n == 1)
    }

    /// Records that the order was just read from Tamara (no version bump: nothing changed).
    /// With `finish = Some((key, status))`, also marks that event processed, same round trip.
    pub async fn touch_synced(
        &self,
        order_id: &str,
        now: i64,
        finish: Option<(&str, &str)>,
    ) -> AppResult<()> {
        let touch = stmt(
            "UPDATE orders SET last_synced_at = ?1 WHERE order_id = ?2",
            [now.into(), order_id.into()],
        );
        match finish {
            None => self.changes(touch).await.map(|_| ()),
            Some((key, status)) => self
                .batch(vec![touch, finish_stmt(key, Some(status), Some(status))])
                .await
                .map(|_| ()),
        }
    }

    /// Claims the right to call authorise: only one caller wins while the order is `approved`
    /// and no fresh claim exists (a claim older than `stale_before` is abandoned).
    pub async fn claim_authorise(
        &self,
        order_id: &str,
        now: i64,
        stale_before: i64,
    ) -> AppResult<bool> {
        let n = self
            .changes(stmt(
                "UPDATE orders SET authorise_claimed_at = ?1, version = version + 1, \
                 updated_at = ?1 WHERE order_id = ?2 AND status = ?4 \
                 AND (authorise_claimed_at IS NULL OR authorise_claimed_at < ?3)",
                [
                    now.into(),
                    order_id.into(),
                    stale_before.into(),
                    S::Approved.as_str().into(),
                ],
            ))
            .await?;
        Ok(n == 1)
    }

    /// Completes a claimed authorisation.
    pub async fn finish_authorise(
        &self,
        order_id: &str,
        status: &OrderStatus,
        captured: Money,
        now: i64,
    ) -> AppResult<bool> {
        let n = self
            .changes(stmt(
                "UPDATE orders SET status = ?1, authorised_at = COALESCE(authorised_at, ?2), \
                 captured_minor = MAX(captured_minor, ?3), authorise_claimed_at = NULL, \
                 version = version + 1, updated_at = ?2, last_synced_at = ?2 \
                 WHERE order_id = ?4 AND status = ?5",
                [
                    status.as_str().into(),
                    now.into(),
                    minor(captured).into(),
                    order_id.into(),
                    S::Approved.as_str().into(),
                ],
            ))
            .await?;
        Ok(n == 1)
    }

    /// Gives a claim back after a failed authorisation.
    pub async fn release_authorise(&self, order_id: &str, now: i64) -> AppResult<()> {
        self.changes(stmt(
            "UPDATE orders SET authorise_claimed_at = NULL, version = version + 1, \
             updated_at = ?1 WHERE order_id = ?2 AND authorise_claimed_at IS NOT NULL",
            [now.into(), order_id.into()],
        ))
        .await
        .map(|_| ())
    }

    /// CAS update of our reference. A reference another order holds is `Err(Conflict)`.
    pub async fn cas_reference(
        &self,
        order_id: &str,
        expected_version: i64,
        reference: &str,
        now: i64,
    ) -> AppResult<bool> {
        let n = self
            .changes(stmt(
                "UPDATE orders SET order_reference_id = ?1, version = version + 1, \
                 updated_at = ?2 WHERE order_id = ?3 AND version = ?4",
                [
                    reference.into(),
                    now.into(),
                    order_id.into(),
                    expected_version.into(),
                ],
            ))
            .await
            .map_err(|e| match e {
                AppError::Storage(m) if m.contains("UNIQUE") => reference_taken(),
                other => other,
            })?;
        Ok(n == 1)
    }

    /// CAS flag for the auto-capture warning.
    pub async fn cas_flag_auto_capture(
        &self,
        order_id: &str,
        expected_version: i64,
        now: i64,
    ) -> AppResult<bool> {
        let n = self
            .changes(stmt(
                "UPDATE orders SET auto_capture_flagged_at = ?1, version = version + 1 \
                 WHERE order_id = ?2 AND version = ?3 AND auto_capture_flagged_at IS NULL",
                [now.into(), order_id.into(), Arg::I(expected_version)],
            ))
            .await?;
        Ok(n == 1)
    }
}

/// 409 `order_reference_id_taken`.
pub fn reference_taken() -> AppError {
    AppError::conflict(
        "order_reference_id_taken",
        "another order already has this `order_reference_id`",
    )
}
