//! Everything the Worker keeps in D1, typed, behind one seam ([`Sql`]).
//!
//! [`Store`] holds the queries; each state change of an order is a conditional UPDATE (a
//! compare-and-set on `version`, or a guard on the status / claim column) and callers look at
//! whether it changed a row to know whether they won. Tables: `orders` ([`orders`]), `events`
//! (the audit trail, [`events`]), `captures` / `refunds` / `cancels` ([`movements`]),
//! `idempotency_keys` ([`idempotency`]) and `catalog` ([`catalog`]).

pub mod catalog;
pub mod d1;
pub mod events;
pub mod group;
pub mod idempotency;
pub mod movements;
pub mod order;
pub mod orders;
pub mod schema;
pub mod sql;

pub use events::{EventRow, NewEvent, Source};
pub use order::{NewOrder, Order};
pub use sql::{Arg, Rows, Sql, Stmt};

use crate::error::{AppError, AppResult};

/// The Worker's tables over an [`Sql`] connection.
#[derive(Debug)]
pub struct Store<Q> {
    sql: Q,
}

impl<Q: Sql> Store<Q> {
    /// Wraps a connection.
    pub fn new(sql: Q) -> Self {
        Store { sql }
    }

    /// The connection (for tests).
    pub fn sql(&self) -> &Q {
        &self.sql
    }

    /// One statement alone.
    async fn run(&self, s: Stmt) -> AppResult<Rows> {
        self.sql.run(s).await
    }

    /// Rows changed by one write.
    async fn changes(&self, s: Stmt) -> AppResult<usize> {
        Ok(self.run(s).await?.changes)
    }

    /// One atomic batch; fails if any statement failed.
    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<Rows>> {
        let n = stmts.len();
        let out = self.sql.batch(stmts).await?;
        if out.len() != n {
            return Err(AppError::Storage(format!(
                "batch: {} results for {n} statements",
                out.len()
            )));
        }
        Ok(out)
    }
}
