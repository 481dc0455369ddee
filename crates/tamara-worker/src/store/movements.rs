//! `captures`, `refunds`, `cancels`: one row per money movement Tamara booked, keyed by
//! Tamara's own id (so a movement is stored once however often it is seen).

use serde::Deserialize;
use tamara_core::lifecycle::Movement;
use tamara_core::Money;

use super::order::minor;
use super::sql::{stmt, Sql};
use super::Store;
use crate::error::AppResult;

/// A movement to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRow {
    /// Which table.
    pub movement: Movement,
    /// Tamara's capture / refund / cancel id.
    pub id: String,
    /// Order.
    pub order_id: String,
    /// Amount.
    pub amount: Money,
    /// Refunds: the capture refunded.
    pub capture_id: Option<String>,
    /// Captures: shipping info JSON; refunds: the comment.
    pub note: Option<String>,
}

fn table(m: Movement) -> (&'static str, &'static str) {
    match m {
        Movement::Capture => ("capture_id", "captures"),
        Movement::Refund => ("refund_id", "refunds"),
        Movement::Cancel => ("cancel_id", "cancels"),
    }
}

impl<Q: Sql> Store<Q> {
    /// Stores a movement; `false` when its id is stored already.
    pub async fn insert_movement(&self, r: &MovementRow, now: i64) -> AppResult<bool> {
        let cur = r.amount.currency().code();
        let s = match r.movement {
            Movement::Capture => stmt(
                "INSERT OR IGNORE INTO captures (capture_id, order_id, amount_minor, currency, \
                 shipping_info, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                [
                    r.id.as_str().into(),
                    r.order_id.as_str().into(),
                    minor(r.amount).into(),
                    cur.into(),
                    r.note.as_deref().into(),
                    now.into(),
                ],
            ),
            Movement::Refund => stmt(
                "INSERT OR IGNORE INTO refunds (refund_id, order_id, capture_id, amount_minor, \
                 currency, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                [
                    r.id.as_str().into(),
                    r.order_id.as_str().into(),
                    r.capture_id.as_deref().into(),
                    minor(r.amount).into(),
                    cur.into(),
                    r.note.as_deref().into(),
                    now.into(),
                ],
            ),
            Movement::Cancel => stmt(
                "INSERT OR IGNORE INTO cancels (cancel_id, order_id, amount_minor, currency, \
                 created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                [
                    r.id.as_str().into(),
                    r.order_id.as_str().into(),
                    minor(r.amount).into(),
                    cur.into(),
                    now.into(),
                ],
            ),
        };
        Ok(self.changes(s).await? == 1)
    }

    /// Ids of the movements of one kind stored for an order.
    pub async fn movement_ids(&self, movement: Movement, order_id: &str) -> AppResult<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let (col, tbl) = table(movement);
        let rows: Vec<Id> = self
            .run(stmt(
                format!("SELECT {col} AS id FROM {tbl} WHERE order_id = ?1"),
                [order_id.into()],
            ))
            .await?
            .decode()?;
        Ok(rows.into_iter().map(|r| r.id).collect())
    }
}
