//! Reconciliation (cron every 10 minutes, and `POST /admin/reconcile`): orders stuck in `new`
//! or `approved` past `RECONCILE_AFTER_MINUTES` are re-read at Tamara and mirrored (approved
//! ones authorised, expired / declined ones recorded); authorised orders close to Tamara's
//! 21-day auto-capture are flagged once in the audit trail; old idempotency keys are purged.

use serde_json::{json, Value};
use tamara_core::lifecycle::AUTO_CAPTURE_AFTER_MS;
use tamara_core::timestamp::duration;

use super::sync;
use super::App;
use crate::error::AppResult;
use crate::store::{NewEvent, Source, Sql};
use crate::tamara::Transport;
use crate::views::rfc3339;

/// Orders handled per run (keeps one run well inside the CPU / subrequest limits).
pub const BATCH: i64 = 25;

/// The cut-off for "stuck": orders not updated since this instant.
pub fn stale_before(now: i64, after_minutes: i64) -> i64 {
    now - after_minutes.max(1) * duration::MINUTE
}

/// Authorised before this instant → auto-capture is less than `warn_days` away.
pub fn flag_before(now: i64, warn_days: i64) -> i64 {
    now - (AUTO_CAPTURE_AFTER_MS - warn_days.clamp(0, 20) * duration::DAY)
}

/// Runs one pass. `tamara_now`: Tamara's clock, which decides what is old (the sandbox's
/// controllable clock in local development; the wall clock otherwise).
pub async fn run<T: Transport, Q: Sql>(app: &App<T, Q>, tamara_now: i64) -> AppResult<Value> {
    let store = app.store()?;
    app.tamara()?;
    let wall = app.now();
    let cfg = &app.cfg;
    let stuck = store
        .stale_pending(stale_before(tamara_now, cfg.reconcile_after_minutes), BATCH)
        .await?;
    let (mut checked, mut authorised, mut updated) = (0u32, 0u32, 0u32);
    let mut errors = Vec::new();
    for order in stuck {
        checked += 1;
        let before = order.status.clone();
        let id = order.order_id.clone();
        match sync::sync_order(app, order, Source::Reconcile, None).await {
            Ok(s) => {
                authorised += u32::from(s.authorised_now);
                updated += u32::from(s.order.status != before);
            }
            Err(e) => {
                app.warn(&format!("reconcile {id}: {}", e.code()));
                errors.push(json!({"order_id": id, "code": e.code()}));
            }
        }
    }
    let mut flagged = Vec::new();
    let due = flag_before(tamara_now, cfg.auto_capture_warn_days);
    for order in store.near_auto_capture(due, BATCH).await? {
        let Some(at) = order.authorised_at else {
            continue;
        };
        let id = order.order_id.as_str();
        if store.cas_flag_auto_capture(id, order.version, wall).await? {
            let auto_capture_at = rfc3339(at + AUTO_CAPTURE_AFTER_MS);
            let e = NewEvent::done(
                format!("auto_capture_warning:{id}"),
                id,
                Source::Reconcile,
                "auto_capture_warning",
                Some(json!({"auto_capture_at": auto_capture_at})),
            )
            .statuses(Some(order.status.as_str()), Some(order.status.as_str()));
            store.record_event(&e, wall).await?;
            flagged.push(json!({"order_id": id, "status": order.status,
                                "auto_capture_at": auto_capture_at}));
        }
    }
    let purged = store
        .idem_purge(wall - crate::idempotency::TTL_MS)
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
