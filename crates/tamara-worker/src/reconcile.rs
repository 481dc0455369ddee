//! Reconciliation (cron every 10 minutes, and `POST /admin/reconcile`): orders stuck in `new` or
//! `approved` past `RECONCILE_AFTER_MINUTES` are re-read at Tamara and mirrored (approved ones
//! are authorised, expired/declined ones recorded); authorised orders close to Tamara's 21-day
//! auto-capture are flagged once in the audit trail.

use serde_json::{json, Value};
use tamara_core::lifecycle::AUTO_CAPTURE_AFTER_MS;
use tamara_core::timestamp::duration;

use crate::app::Ctx;
use crate::db::{self, NewEvent};
use crate::error::AppResult;
use crate::model::rfc3339;
use crate::sync;

/// Orders handled per run (keeps one run well inside the CPU/subrequest limits).
pub const BATCH: i64 = 25;

/// The cut-off for "stuck": orders not updated since this instant.
pub fn stale_before(now: i64, after_minutes: i64) -> i64 {
    now - after_minutes.max(1) * duration::MINUTE
}

/// Authorised before this instant → auto-capture is less than `warn_days` away.
pub fn flag_before(now: i64, warn_days: i64) -> i64 {
    now - (AUTO_CAPTURE_AFTER_MS - warn_days.clamp(0, 20) * duration::DAY)
}

/// Runs one reconciliation pass and returns the report.
pub async fn run(ctx: &Ctx) -> AppResult<Value> {
    let db = ctx.db()?;
    let tamara = ctx.tamara()?;
    // Tamara's clock (the sandbox's in local development) decides what is "old".
    let now = ctx.tamara_now().await;
    let wall = ctx.now();
    let stuck = db::stale_pending(
        &db,
        stale_before(now, ctx.cfg.reconcile_after_minutes),
        BATCH,
    )
    .await?;
    let mut checked = 0u32;
    let mut authorised = 0u32;
    let mut updated = 0u32;
    let mut errors = Vec::new();
    for order in stuck {
        checked += 1;
        let before = order.status.clone();
        let id = order.order_id.clone();
        match sync::sync_order(&db, &tamara, order, "reconcile", wall, None).await {
            Ok(s) => {
                if s.authorised_now {
                    authorised += 1;
                }
                if s.order.status != before {
                    updated += 1;
                }
            }
            Err(e) => {
                worker::console_warn!("reconcile {id}: {}", e.code());
                errors.push(json!({"order_id": id, "code": e.code()}));
            }
        }
    }
    let mut flagged = Vec::new();
    for order in
        db::near_auto_capture(&db, flag_before(now, ctx.cfg.auto_capture_warn_days), BATCH).await?
    {
        let Some(at) = order.authorised_at else {
            continue;
        };
        if db::cas_flag_auto_capture(&db, &order.order_id, order.version, wall).await? {
            let auto_capture_at = rfc3339(at + AUTO_CAPTURE_AFTER_MS);
            db::record_event(
                &db,
                &NewEvent {
                    dedupe_key: &format!("auto_capture_warning:{}", order.order_id),
                    order_id: Some(&order.order_id),
                    source: "reconcile",
                    kind: "auto_capture_warning",
                    status_before: Some(&order.status),
                    status_after: Some(&order.status),
                    detail: Some(json!({"auto_capture_at": auto_capture_at}).to_string()),
                    processed: true,
                },
                wall,
            )
            .await?;
            flagged.push(json!({"order_id": order.order_id, "status": order.status,
                                "auto_capture_at": auto_capture_at}));
        }
    }
    let purged = db::idem_purge(&db, wall - crate::idempotency::TTL_MS)
        .await
        .unwrap_or(0);
    Ok(json!({
        "checked": checked,
        "authorised": authorised,
        "updated": updated,
        "flagged": flagged,
        "errors": errors,
        "idempotency_keys_purged": purged,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs() {
        let now = 100 * duration::DAY;
        assert_eq!(stale_before(now, 10), now - 10 * duration::MINUTE);
        assert_eq!(stale_before(now, 0), now - duration::MINUTE);
        // Warn 3 days ahead: authorised more than 18 days ago.
        assert_eq!(flag_before(now, 3), now - 18 * duration::DAY);
        assert_eq!(flag_before(now, 99), now - duration::DAY);
    }
}
