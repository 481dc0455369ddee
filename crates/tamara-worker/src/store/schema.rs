//! What the doctor reads about the schema: which migrations D1 recorded and which tables exist.

use super::sql::stmt;
use super::{Sql, Store};
use crate::error::AppResult;

impl<Q: Sql> Store<Q> {
    /// Names of the tables in the database.
    pub async fn table_names(&self) -> AppResult<Vec<String>> {
        let rows = self
            .sql()
            .run(stmt(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                [],
            ))
            .await?;
        Ok(names(&rows.rows))
    }

    /// Migrations wrangler recorded as applied (`d1_migrations`), or `None` when that table
    /// does not exist (migrations applied by other means, as in native tests).
    pub async fn applied_migrations(&self) -> AppResult<Option<Vec<String>>> {
        if !self
            .table_names()
            .await?
            .iter()
            .any(|t| t == "d1_migrations")
        {
            return Ok(None);
        }
        let rows = self
            .sql()
            .run(stmt("SELECT name FROM d1_migrations ORDER BY id", []))
            .await?;
        Ok(Some(names(&rows.rows)))
    }
}

fn names(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| r.get("name").and_then(|n| n.as_str()).map(str::to_owned))
        .collect()
}
