//! `idempotency_keys`: the `Idempotency-Key` of `POST /api/checkout`, its request hash and its
//! final answer, kept 24 hours. The decisions live in `crate::idempotency` (pure).

use super::sql::{stmt, Sql, Stmt};
use super::Store;
use crate::error::AppResult;
use crate::idempotency::{Stored, IN_FLIGHT_STALE_MS};

pub(crate) fn complete_stmt(key: &str, status: u16, body: &str) -> Stmt {
    stmt(
        "UPDATE idempotency_keys SET response_status = ?1, response_body = ?2 WHERE key = ?3",
        [i64::from(status).into(), body.into(), key.into()],
    )
}

impl<Q: Sql> Store<Q> {
    /// The stored row for a key.
    pub async fn idem_get(&self, key: &str) -> AppResult<Option<Stored>> {
        self.run(stmt(
            "SELECT request_hash, response_status, response_body, created_at \
             FROM idempotency_keys WHERE key = ?1",
            [key.into()],
        ))
        .await?
        .first()
    }

    /// Claims a key (in flight). A batch, so D1 groups it with concurrent requests' batches
    /// (it is the only D1 work a checkout does before calling Tamara). `false` if someone else
    /// holds it; only then does the caller read the stored row.
    pub async fn idem_claim(&self, key: &str, hash: &str, now: i64) -> AppResult<bool> {
        let out = self
            .batch(vec![stmt(
                "INSERT OR IGNORE INTO idempotency_keys (key, request_hash, created_at) \
                 VALUES (?1, ?2, ?3)",
                [key.into(), hash.into(), now.into()],
            )])
            .await?;
        Ok(out.first().is_some_and(|r| r.changes == 1))
    }

    /// Replaces an expired or abandoned row with a fresh claim (CAS on its old `created_at`).
    pub async fn idem_reclaim(
        &self,
        key: &str,
        hash: &str,
        old_created_at: i64,
        now: i64,
    ) -> AppResult<bool> {
        Ok(self
            .changes(stmt(
                "UPDATE idempotency_keys SET request_hash = ?1, response_status = NULL, \
                 response_body = NULL, created_at = ?2 WHERE key = ?3 AND created_at = ?4",
                [hash.into(), now.into(), key.into(), old_created_at.into()],
            ))
            .await?
            == 1)
    }

    /// Stores the final answer for a key.
    pub async fn idem_complete(&self, key: &str, status: u16, body: &str) -> AppResult<()> {
        self.changes(complete_stmt(key, status, body))
            .await
            .map(|_| ())
    }

    /// After a transient failure (the client may retry with the key): the key stays, but its
    /// claim is dated back past the in-flight window, so the next request with it proceeds at
    /// once, as a retry that looks the order up before creating anything.
    pub async fn idem_mark_retryable(&self, key: &str) -> AppResult<()> {
        self.changes(stmt(
            "UPDATE idempotency_keys SET created_at = created_at - ?2 \
             WHERE key = ?1 AND response_status IS NULL",
            [key.into(), (IN_FLIGHT_STALE_MS + 1).into()],
        ))
        .await
        .map(|_| ())
    }

    /// Deletes keys older than `before_ms`.
    pub async fn idem_purge(&self, before_ms: i64) -> AppResult<usize> {
        self.changes(stmt(
            "DELETE FROM idempotency_keys WHERE created_at < ?1",
            [before_ms.into()],
        ))
        .await
    }
}
