//! [`Sql`] over Cloudflare D1. Single statements go straight to D1; batches go through group
//! commit ([`super::group`]), which sends the batches of concurrent requests as one D1 call.

use serde_json::Value;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use super::group::{self, KeepAlive};
use super::sql::{Arg, Rows, Sql, Stmt};
use crate::error::{AppError, AppResult};

/// The D1 binding plus the event's `waitUntil` (for group-commit flushes).
pub struct D1Sql {
    d1: D1Database,
    keep: KeepAlive,
}

impl std::fmt::Debug for D1Sql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("D1Sql(DB)")
    }
}

impl D1Sql {
    /// Wraps the binding.
    pub fn new(d1: D1Database, keep: KeepAlive) -> Self {
        D1Sql { d1, keep }
    }

    fn prepare(&self, s: &Stmt) -> AppResult<D1PreparedStatement> {
        let vals: Vec<JsValue> = s.args.iter().map(js).collect();
        self.d1.prepare(&s.sql).bind(&vals).map_err(storage)
    }
}

fn js(a: &Arg) -> JsValue {
    match a {
        // D1 takes JS numbers; every integer stored (ms, minor units ≤ 10^15) is exact in f64.
        Arg::I(v) => JsValue::from_f64(*v as f64),
        Arg::T(s) => JsValue::from_str(s),
        Arg::Null => JsValue::null(),
    }
}

fn storage(e: worker::Error) -> AppError {
    AppError::Storage(e.to_string())
}

fn rows(r: &D1Result) -> AppResult<Rows> {
    if let Some(err) = r.error() {
        return Err(AppError::Storage(err));
    }
    let changes = r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0);
    Ok(Rows {
        rows: r.results::<Value>().map_err(storage)?,
        changes,
    })
}

impl Sql for D1Sql {
    async fn run(&self, s: Stmt) -> AppResult<Rows> {
        let r = self.prepare(&s)?.all().await.map_err(storage)?;
        rows(&r)
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<Rows>> {
        let prepared = stmts
            .iter()
            .map(|s| self.prepare(s))
            .collect::<AppResult<Vec<_>>>()?;
        let results = group::batch(&self.d1, &self.keep, prepared)
            .await
            .map_err(AppError::Storage)?;
        results.iter().map(rows).collect()
    }
}
