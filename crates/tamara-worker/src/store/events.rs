//! The audit trail (`events`): every webhook, redirect, admin action and reconciliation step,
//! de-duplicated by `dedupe_key`.

use serde::{Deserialize, Serialize};

use super::order::{Order, OrderRecord, ORDER_COLS};
use super::sql::{stmt, Arg, Sql, Stmt};
use super::Store;
use crate::error::{AppError, AppResult};

/// Who recorded an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Tamara's notification.
    Webhook,
    /// The shopper's return from Tamara.
    Redirect,
    /// The merchant API.
    Admin,
    /// The reconciliation pass.
    Reconcile,
    /// The storefront API.
    Storefront,
}

impl Source {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Webhook => "webhook",
            Source::Redirect => "redirect",
            Source::Admin => "admin",
            Source::Reconcile => "reconcile",
            Source::Storefront => "storefront",
        }
    }
}

/// One audit record to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Unique key (a duplicate is ignored).
    pub dedupe_key: String,
    /// Order.
    pub order_id: Option<String>,
    /// Who.
    pub source: Source,
    /// Event type or action.
    pub kind: String,
    /// Status before.
    pub status_before: Option<String>,
    /// Status after.
    pub status_after: Option<String>,
    /// JSON detail (no PII, no secrets).
    pub detail: Option<String>,
    /// Whether the event is fully handled.
    pub processed: bool,
}

impl NewEvent {
    /// A processed event of `order_id` with a JSON detail.
    pub fn done(
        dedupe_key: impl Into<String>,
        order_id: &str,
        source: Source,
        kind: &str,
        detail: Option<serde_json::Value>,
    ) -> Self {
        NewEvent {
            dedupe_key: dedupe_key.into(),
            order_id: Some(order_id.to_owned()),
            source,
            kind: kind.to_owned(),
            status_before: None,
            status_after: None,
            detail: detail.map(|d| d.to_string()),
            processed: true,
        }
    }

    /// With the status before and after.
    pub fn statuses(mut self, before: Option<&str>, after: Option<&str>) -> Self {
        self.status_before = before.map(str::to_owned);
        self.status_after = after.map(str::to_owned);
        self
    }

    pub(crate) fn insert(&self, now: i64) -> Stmt {
        stmt(
            "INSERT OR IGNORE INTO events (dedupe_key, order_id, source, kind, status_before, \
             status_after, detail, processed, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            [
                self.dedupe_key.as_str().into(),
                self.order_id.as_deref().into(),
                self.source.as_str().into(),
                self.kind.as_str().into(),
                self.status_before.as_deref().into(),
                self.status_after.as_deref().into(),
                self.detail.as_deref().into(),
                Arg::I(i64::from(self.processed)),
                Arg::I(now),
            ],
        )
    }
}

/// An audit row as shown to the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    /// Row id.
    pub id: i64,
    /// Source.
    pub source: String,
    /// Kind.
    pub kind: String,
    /// Status before.
    #[serde(default)]
    pub status_before: Option<String>,
    /// Status after.
    #[serde(default)]
    pub status_after: Option<String>,
    /// Detail JSON text.
    #[serde(default)]
    pub detail: Option<String>,
    /// 0/1.
    pub processed: i64,
    /// Unix ms.
    pub created_at: i64,
}

/// What a webhook needs from D1 before calling Tamara, read in one round trip.
#[derive(Debug, Clone)]
pub struct WebhookPrelude {
    /// The event was already fully processed (a duplicate delivery).
    pub duplicate: bool,
    /// The local order.
    pub order: Option<Order>,
}

pub(crate) fn finish_stmt(key: &str, before: Option<&str>, after: Option<&str>) -> Stmt {
    stmt(
        "UPDATE events SET processed = 1, status_before = COALESCE(status_before, ?1), \
         status_after = ?2 WHERE dedupe_key = ?3",
        [before.into(), after.into(), key.into()],
    )
}

impl<Q: Sql> Store<Q> {
    /// Inserts an event; `false` when its dedupe key exists already.
    pub async fn record_event(&self, e: &NewEvent, now: i64) -> AppResult<bool> {
        Ok(self.changes(e.insert(now)).await? == 1)
    }

    /// Marks an event processed, with its outcome.
    pub async fn finish_event(
        &self,
        key: &str,
        before: Option<&str>,
        after: Option<&str>,
    ) -> AppResult<()> {
        self.changes(finish_stmt(key, before, after))
            .await
            .map(|_| ())
    }

    /// Deletes an event (a notification that turned out to claim nothing Tamara confirms).
    pub async fn forget_event(&self, key: &str) -> AppResult<()> {
        self.changes(stmt(
            "DELETE FROM events WHERE dedupe_key = ?1",
            [key.into()],
        ))
        .await
        .map(|_| ())
    }

    /// Events of one order, oldest first (at most 200).
    pub async fn events_for(&self, order_id: &str) -> AppResult<Vec<EventRow>> {
        self.run(stmt(
            "SELECT id, source, kind, status_before, status_after, detail, processed, created_at \
             FROM events WHERE order_id = ?1 ORDER BY id LIMIT 200",
            [order_id.into()],
        ))
        .await?
        .decode()
    }

    /// One round trip (one transaction): records `e` unless its key exists, reads whether that
    /// key was fully processed, and reads the order.
    pub async fn webhook_prelude(
        &self,
        e: &NewEvent,
        order_id: &str,
        now: i64,
    ) -> AppResult<WebhookPrelude> {
        #[derive(Deserialize)]
        struct P {
            processed: i64,
        }
        let mut out = self
            .batch(vec![
                e.insert(now),
                stmt(
                    "SELECT processed FROM events WHERE dedupe_key = ?1",
                    [e.dedupe_key.as_str().into()],
                ),
                stmt(
                    format!("SELECT {ORDER_COLS} FROM orders WHERE order_id = ?1"),
                    [order_id.into()],
                ),
            ])
            .await?
            .into_iter()
            .skip(1);
        let missing = || AppError::Storage("batch: missing result".into());
        let processed = out.next().ok_or_else(missing)?.first::<P>()?;
        let order = out.next().ok_or_else(missing)?.first::<OrderRecord>()?;
        Ok(WebhookPrelude {
            duplicate: processed.is_some_and(|p| p.processed != 0),
            order: order.map(Order::try_from).transpose()?,
        })
    }
}
