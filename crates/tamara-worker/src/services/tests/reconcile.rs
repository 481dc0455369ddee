//! The reconciliation pass (`services::reconcile::run`): which orders it re-reads, what it
//! records, the backlog rotation, the auto-capture warning and the idempotency-key purge.

use serde_json::{json, Value};
use tamara_core::timestamp::duration;
use tamara_core::OrderStatus;

use super::common::{approve, body, checkout, new_order};
use crate::services::reconcile::{run, BATCH};
use crate::store::Source;
use crate::testing::{block_on, Harness};

/// Just past the default `RECONCILE_AFTER_MINUTES` (10).
const STUCK: i64 = 10 * duration::MINUTE + 1;

async fn pass(h: &Harness) -> Value {
    run(&h.app, h.app.now()).await.expect("reconcile")
}

async fn status(h: &Harness, id: &str) -> OrderStatus {
    h.app
        .store()
        .unwrap()
        .order_or_404(id)
        .await
        .unwrap()
        .status
}

async fn authorised_order(h: &Harness) -> String {
    let id = new_order(h, &[("ABAYA-1", 1)]).await;
    let s = approve(h, &id, Source::Redirect).await;
    assert_eq!(s.order.status, OrderStatus::Authorised);
    id
}

#[test]
fn checks_only_new_or_approved_orders_older_than_the_cutoff() {
    let h = Harness::new();
    block_on(async {
        let done = authorised_order(&h).await;
        let id = new_order(&h, &[("TSHIRT-1", 1)]).await;
        let r = pass(&h).await;
        assert_eq!(r["checked"], 0, "{r}");
        assert_eq!(
            h.tamara().count("GET /merchants/orders/"),
            1,
            "only the sync above"
        );

        h.clock.advance(10 * duration::MINUTE);
        let r = pass(&h).await;
        assert_eq!(r["checked"], 0, "exactly at the cut-off is not stuck: {r}");

        h.clock.advance(1);
        let reads = h.tamara().count("GET /merchants/orders/");
        let r = pass(&h).await;
        assert_eq!(r["checked"], 1, "{r}");
        assert_eq!(r["updated"], 0);
        assert_eq!(r["errors"], json!([]));
        assert_eq!(h.tamara().count("GET /merchants/orders/"), reads + 1);
        let calls = h.tamara().calls.borrow();
        let last = calls.last().unwrap();
        assert_eq!(last, &format!("GET /merchants/orders/{id}"));
        let done_reads = calls
            .iter()
            .filter(|c| *c == &format!("GET /merchants/orders/{done}"))
            .count();
        assert_eq!(done_reads, 1, "the authorised order is never re-read");
    });
}

#[test]
fn authorises_an_approved_order() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 2)]).await;
        h.tamara().trigger(&id, "approve").await;
        h.clock.advance(STUCK);
        let r = pass(&h).await;
        assert_eq!(
            (&r["checked"], &r["authorised"], &r["updated"]),
            (&json!(1), &json!(1), &json!(1)),
            "{r}"
        );
        assert_eq!(status(&h, &id).await, OrderStatus::Authorised);
        assert_eq!(h.tamara().count("POST /orders/"), 1);
        let ev = h.db().query(&format!(
            "SELECT source FROM events WHERE order_id = '{id}' AND kind = 'authorise'"
        ));
        assert_eq!(ev, vec![json!({"source": "reconcile"})]);

        h.clock.advance(STUCK);
        let r = pass(&h).await;
        assert_eq!(r["checked"], 0, "authorised: no longer stuck: {r}");
        assert_eq!(h.tamara().count("POST /orders/"), 1);
    });
}

#[test]
fn records_an_order_tamara_expired() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("MUG-1", 1)]).await;
        h.tamara()
            .control("POST", "/_sandbox/clock/advance", json!({"minutes": 31}))
            .await;
        h.clock.advance(31 * duration::MINUTE);
        let r = pass(&h).await;
        assert_eq!(
            (&r["checked"], &r["updated"], &r["authorised"]),
            (&json!(1), &json!(1), &json!(0)),
            "{r}"
        );
        assert_eq!(status(&h, &id).await, OrderStatus::Expired);
        let ev = h.db().query(&format!(
            "SELECT status_before, status_after FROM events \
             WHERE order_id = '{id}' AND kind = 'status_sync'"
        ));
        assert_eq!(
            ev,
            vec![json!({"status_before": "new", "status_after": "expired"})]
        );
        h.clock.advance(STUCK);
        assert_eq!(pass(&h).await["checked"], 0);
    });
}

#[test]
fn a_backlog_rotates_least_recently_synced_first() {
    let h = Harness::new();
    block_on(async {
        let n = BATCH as usize + 5;
        let mut ids = Vec::new();
        for _ in 0..n {
            ids.push(new_order(&h, &[("TSHIRT-1", 1)]).await);
            h.clock.advance(1);
        }
        let synced = |h: &Harness, id: &str| -> Value {
            h.db().query(&format!(
                "SELECT last_synced_at FROM orders WHERE order_id = '{id}'"
            ))[0]["last_synced_at"]
                .clone()
        };
        h.clock.advance(STUCK);
        let t1 = h.app.now();
        let r = pass(&h).await;
        assert_eq!(r["checked"], BATCH, "{r}");
        for (i, id) in ids.iter().enumerate() {
            let expect_checked = i < BATCH as usize;
            assert_eq!(synced(&h, id) == json!(t1), expect_checked, "order {i}");
        }

        h.clock.advance(duration::MINUTE);
        let t2 = h.app.now();
        let r = pass(&h).await;
        assert_eq!(r["checked"], BATCH, "{r}");
        // The five never re-read come first, then the oldest of the first pass.
        for (i, id) in ids.iter().enumerate() {
            let expect = if i >= BATCH as usize || i < BATCH as usize - 5 {
                json!(t2)
            } else {
                json!(t1)
            };
            assert_eq!(synced(&h, id), expect, "order {i}");
        }
    });
}

#[test]
fn flags_an_order_near_auto_capture_exactly_once() {
    let h = Harness::new();
    block_on(async {
        let id = authorised_order(&h).await;
        let other = authorised_order(&h).await;
        h.clock.advance(duration::DAY);
        let late = authorised_order(&h).await;
        // Warn 3 days ahead of day 21: authorised more than 18 days ago.
        h.clock.advance(17 * duration::DAY);
        let r = pass(&h).await;
        assert_eq!(r["flagged"], json!([]), "{r}");

        h.clock.advance(1);
        let r = pass(&h).await;
        let flagged: Vec<&str> = r["flagged"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["order_id"].as_str().unwrap())
            .collect();
        assert_eq!(flagged.len(), 2, "{r}");
        assert!(flagged.contains(&id.as_str()) && flagged.contains(&other.as_str()));
        assert_eq!(r["flagged"][0]["status"], "authorised");

        h.clock.advance(duration::MINUTE);
        let r = pass(&h).await;
        assert_eq!(r["flagged"], json!([]), "flagged once: {r}");
        let warnings = h.db().query(
            "SELECT order_id FROM events WHERE kind = 'auto_capture_warning' ORDER BY order_id",
        );
        assert_eq!(warnings.len(), 2);
        assert!(!warnings.contains(&json!({"order_id": late})));

        h.clock.advance(duration::DAY);
        let r = pass(&h).await;
        assert_eq!(r["flagged"].as_array().unwrap().len(), 1, "{r}");
        assert_eq!(r["flagged"][0]["order_id"], late.as_str());
    });
}

#[test]
fn purges_idempotency_keys_older_than_a_day() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("TSHIRT-1", 1)]);
        let (s, _) = checkout(&h, Some("old-key"), &v).await;
        assert_eq!(s, 201);
        h.clock.advance(crate::idempotency::TTL_MS - duration::HOUR);
        let (s, _) = checkout(&h, Some("young-key"), &v).await;
        assert_eq!(s, 201);
        h.clock.advance(duration::HOUR);
        let r = pass(&h).await;
        assert_eq!(
            r["idempotency_keys_purged"], 0,
            "exactly 24 h old stays: {r}"
        );

        h.clock.advance(1);
        let r = pass(&h).await;
        assert_eq!(r["idempotency_keys_purged"], 1, "{r}");
        let keys = h.db().query("SELECT key FROM idempotency_keys");
        assert_eq!(keys, vec![json!({"key": "young-key"})]);
    });
}
