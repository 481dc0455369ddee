//! Timing rules driven deterministically with the fake clock: the authorise claim's staleness,
//! the storefront poll's refresh interval, and the Idempotency-Key in-flight window.

use serde_json::Value;
use tamara_core::orders::GetOrder;
use tamara_core::OrderStatus;

use super::common::{body, checkout, new_order};
use crate::idempotency::{request_hash, IN_FLIGHT_STALE_MS};
use crate::services::orders::{public_status, REFRESH_AFTER_MS};
use crate::services::sync::{apply_remote, sync_order, CLAIM_STALE_MS};
use crate::store::Source;
use crate::testing::{self, block_on, join_all, Harness, Racing};

/// An order `approved` locally (mirrored from Tamara), not authorised yet.
async fn approved_locally(h: &Harness) -> String {
    let id = new_order(h, &[("TSHIRT-1", 1)]).await;
    h.tamara().trigger(&id, "approve").await;
    let store = h.app.store().unwrap();
    let order = store.order_or_404(&id).await.unwrap();
    let remote = h
        .app
        .tamara()
        .unwrap()
        .call(&GetOrder::new(order.order_id.clone()))
        .await
        .unwrap();
    let (o, _) = apply_remote(store, order, &remote, Source::Admin, h.app.now(), None)
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Approved);
    id
}

fn authorises(h: &Harness) -> usize {
    h.tamara()
        .calls
        .borrow()
        .iter()
        .filter(|c| c.starts_with("POST /orders/") && c.ends_with("/authorise"))
        .count()
}

#[test]
fn authorise_claim_is_exclusive_while_fresh_and_taken_over_when_stale() {
    let h = Harness::new();
    block_on(async {
        let id = approved_locally(&h).await;
        let store = h.app.store().unwrap();
        let claim = |now: i64| store.claim_authorise(&id, now, now - CLAIM_STALE_MS);
        let t0 = h.app.now();
        assert!(claim(t0).await.unwrap(), "first claim wins");
        assert!(!claim(t0).await.unwrap(), "second loses");
        h.clock.advance(CLAIM_STALE_MS);
        assert!(
            !claim(h.app.now()).await.unwrap(),
            "exactly CLAIM_STALE_MS old is still held"
        );
        h.clock.advance(1);
        assert!(claim(h.app.now()).await.unwrap(), "stale: taken over");
        assert!(!claim(h.app.now()).await.unwrap(), "and held again");
        // A claim only exists on an approved order.
        let other = new_order(&h, &[("MUG-1", 1)]).await;
        let now = h.app.now();
        assert!(!store
            .claim_authorise(&other, now, now - CLAIM_STALE_MS)
            .await
            .unwrap());
    });
}

#[test]
fn a_holder_that_died_mid_call_is_taken_over_after_claim_stale_ms() {
    let h = Harness::new();
    block_on(async {
        let id = approved_locally(&h).await;
        let store = h.app.store().unwrap();
        // Someone claimed and died before calling Tamara.
        let t0 = h.app.now();
        assert!(store
            .claim_authorise(&id, t0, t0 - CLAIM_STALE_MS)
            .await
            .unwrap());

        h.clock.advance(CLAIM_STALE_MS / 2);
        let o = store.order_or_404(&id).await.unwrap();
        let s = sync_order(&h.app, o, Source::Storefront, None)
            .await
            .unwrap();
        assert!(!s.authorised_now);
        assert_eq!(s.order.status, OrderStatus::Approved);
        assert_eq!(authorises(&h), 0, "the claim is respected while fresh");

        h.clock.advance(CLAIM_STALE_MS / 2 + 1);
        let o = store.order_or_404(&id).await.unwrap();
        let s = sync_order(&h.app, o, Source::Reconcile, None)
            .await
            .unwrap();
        assert!(s.authorised_now);
        assert_eq!(s.order.status, OrderStatus::Authorised);
        assert_eq!(s.order.authorise_claimed_at, None, "claim released");
        assert_eq!(authorises(&h), 1);

        h.clock.advance(CLAIM_STALE_MS * 2);
        let o = store.order_or_404(&id).await.unwrap();
        let s = sync_order(&h.app, o, Source::Webhook, None).await.unwrap();
        assert!(!s.authorised_now);
        assert_eq!(authorises(&h), 1, "never twice");
    });
}

#[test]
fn concurrent_syncs_of_an_approved_order_authorise_once() {
    let h = Harness::new();
    testing::interleave(true);
    block_on(async {
        let id = approved_locally(&h).await;
        let store = h.app.store().unwrap();
        let mut futs: Vec<Racing<'_, bool>> = Vec::new();
        for _ in 0..6 {
            let o = store.order_or_404(&id).await.unwrap();
            futs.push(Box::pin(async {
                sync_order(&h.app, o, Source::Webhook, None)
                    .await
                    .unwrap()
                    .authorised_now
            }));
        }
        let out = join_all(futs).await;
        assert_eq!(out.iter().filter(|a| **a).count(), 1, "{out:?}");
        assert_eq!(authorises(&h), 1);
        let o = store.order_or_404(&id).await.unwrap();
        assert_eq!(o.status, OrderStatus::Authorised);
    });
}

#[test]
fn storefront_poll_refreshes_a_pending_order_at_most_every_refresh_after_ms() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("DATES-1", 1)]).await;
        let reads = || h.tamara().count("GET /merchants/orders/");
        // The first poll reads Tamara (a new order's row has no `last_synced_at`).
        assert_eq!(
            public_status(&h.app, &id).await.unwrap().status,
            OrderStatus::New
        );
        assert_eq!(reads(), 1);
        h.clock.advance(REFRESH_AFTER_MS);
        public_status(&h.app, &id).await.unwrap();
        assert_eq!(reads(), 1, "exactly REFRESH_AFTER_MS later: not yet");
        h.clock.advance(1);
        public_status(&h.app, &id).await.unwrap();
        assert_eq!(reads(), 2);
        for _ in 0..5 {
            public_status(&h.app, &id).await.unwrap();
        }
        assert_eq!(reads(), 2, "polls in a burst read Tamara once");

        // The shopper pays: the poll shows it only once the interval has passed.
        h.tamara().trigger(&id, "approve").await;
        h.clock.advance(REFRESH_AFTER_MS / 2);
        let o = public_status(&h.app, &id).await.unwrap();
        assert_eq!((o.status, reads()), (OrderStatus::New, 2));
        h.clock.advance(REFRESH_AFTER_MS / 2 + 1);
        let o = public_status(&h.app, &id).await.unwrap();
        assert_eq!(o.status, OrderStatus::Authorised, "approved and authorised");
        assert_eq!((reads(), authorises(&h)), (3, 1));

        // Settled: never re-read by the poll again.
        h.clock.advance(REFRESH_AFTER_MS * 10);
        public_status(&h.app, &id).await.unwrap();
        assert_eq!(reads(), 3);
    });
}

#[test]
fn storefront_poll_shows_the_stored_order_when_tamara_fails() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("DATES-1", 1)]).await;
        h.tamara().trigger(&id, "approve").await;
        h.tamara().fault(
            "GET /merchants/orders/",
            crate::testing::FaultKind::Unreachable,
            crate::tamara::MAX_ATTEMPTS,
        );
        h.clock.advance(REFRESH_AFTER_MS + 1);
        let o = public_status(&h.app, &id).await.unwrap();
        assert_eq!(o.status, OrderStatus::New);
        assert_eq!(h.tamara().count("GET /merchants/orders/"), 3);
        // Not marked synced: the next poll tries again at once.
        let o = public_status(&h.app, &id).await.unwrap();
        assert_eq!(o.status, OrderStatus::Authorised);
        assert_eq!(authorises(&h), 1);
    });
}

#[test]
fn idempotency_in_flight_window() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("TSHIRT-1", 1)]);
        let t0 = h.app.now();
        h.db().query(&format!(
            "INSERT INTO idempotency_keys (key, request_hash, created_at) \
             VALUES ('k-window', '{}', {t0})",
            request_hash("POST /api/checkout", &v)
        ));
        let code = |r: &(u16, Value)| r.1["error"]["code"].as_str().unwrap_or("").to_owned();
        h.clock.advance(IN_FLIGHT_STALE_MS);
        let r = checkout(&h, Some("k-window"), &v).await;
        assert_eq!((r.0, code(&r)), (409, "idempotency_in_progress".to_owned()));
        assert_eq!(h.tamara().count("POST /checkout"), 0);
        h.clock.advance(1);
        let r = checkout(&h, Some("k-window"), &v).await;
        assert_eq!(r.0, 201, "{}", r.1);
        assert_eq!(h.tamara().count("POST /checkout"), 1);
        // The takeover re-dated the claim: the key's row is the new request's.
        let row = h
            .db()
            .query("SELECT response_status, created_at FROM idempotency_keys");
        assert_eq!(row[0]["response_status"], 201);
        assert_eq!(row[0]["created_at"], h.app.now());
    });
}

#[test]
fn two_requests_with_one_key_at_once_one_runs_one_is_409() {
    let h = Harness::new();
    testing::interleave(true);
    block_on(async {
        let v = body(&[("SNEAKER-1", 1)]);
        let futs: Vec<Racing<'_, (u16, Value)>> = vec![
            Box::pin(checkout(&h, Some("k-race"), &v)),
            Box::pin(checkout(&h, Some("k-race"), &v)),
        ];
        let out = join_all(futs).await;
        let mut statuses: Vec<u16> = out.iter().map(|r| r.0).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, vec![201, 409], "{out:?}");
        let conflict = out.iter().find(|r| r.0 == 409).unwrap();
        assert_eq!(conflict.1["error"]["code"], "idempotency_in_progress");
        assert_eq!(h.tamara().count("POST /checkout"), 1);
        // Once the first is done, the key replays.
        let again = checkout(&h, Some("k-race"), &v).await;
        let done = out.iter().find(|r| r.0 == 201).unwrap();
        assert_eq!(&again, done);
    });
}
