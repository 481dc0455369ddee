//! The store's one seam to the outside world: SQL statements in, rows and change counts out.
//!
//! Every query of the Worker is written once, in `store/*`, against this trait. In the Worker it
//! is D1 ([`super::d1::D1Sql`], with group commit); in native tests it is SQLite in memory with
//! the real `migrations/` applied (`crate::testing::MemSql`), so the compare-and-set guards, the
//! `INSERT OR IGNORE` de-duplication and the UNIQUE constraints that decide money and state are
//! exercised by `cargo test`, not only end to end. D1 is SQLite, so one SQL text serves both.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{AppError, AppResult};

/// A bind argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// INTEGER
    I(i64),
    /// TEXT
    T(String),
    /// NULL
    Null,
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::I(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::T(v.to_owned())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::T(v)
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::T(v.clone())
    }
}

impl<T: Into<Arg>> From<Option<T>> for Arg {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Arg::Null)
    }
}

/// One SQL statement with its arguments (`?1`, `?2`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stmt {
    /// SQL text.
    pub sql: String,
    /// Arguments.
    pub args: Vec<Arg>,
}

/// `Stmt` from SQL and arguments: `stmt("… ?1 …", [a.into(), b.into()])`.
pub fn stmt(sql: impl Into<String>, args: impl IntoIterator<Item = Arg>) -> Stmt {
    Stmt {
        sql: sql.into(),
        args: args.into_iter().collect(),
    }
}

/// What one statement produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// Result rows as JSON objects (column name → value).
    pub rows: Vec<Value>,
    /// Rows changed by a write.
    pub changes: usize,
}

impl Rows {
    /// The rows as `T`.
    pub fn decode<T: DeserializeOwned>(self) -> AppResult<Vec<T>> {
        self.rows
            .into_iter()
            .map(|r| serde_json::from_value(r).map_err(|e| AppError::Storage(e.to_string())))
            .collect()
    }

    /// The first row as `T`.
    pub fn first<T: DeserializeOwned>(self) -> AppResult<Option<T>> {
        Ok(self.decode::<T>()?.into_iter().next())
    }
}

/// SQL execution. No `Send` bound: Worker futures are not `Send`.
#[allow(async_fn_in_trait)]
pub trait Sql {
    /// Runs one statement on its own.
    async fn run(&self, stmt: Stmt) -> AppResult<Rows>;

    /// Runs `stmts` as one atomic batch (one transaction: all or nothing), one result each, in
    /// order. D1 may group it with concurrent requests' batches; its semantics stay its own.
    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<Rows>>;
}
