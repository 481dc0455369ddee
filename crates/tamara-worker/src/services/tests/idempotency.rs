//! `POST /api/checkout` under an `Idempotency-Key`: claim, replay, conflicts, the in-flight
//! window, lost answers and retryable failures, through `services::idempotent`.

use serde_json::{json, Value};

use super::common::{body, checkout};
use crate::idempotency::{order_reference, request_hash, IN_FLIGHT_STALE_MS};
use crate::services::checkout::CheckoutIn;
use crate::services::idempotent::{create_checkout, Answer};
use crate::testing::{block_on, FaultKind, Harness};

/// The orders the sandbox holds under `reference`.
async fn sandbox_orders(h: &Harness, reference: &str) -> Vec<Value> {
    let all = h
        .tamara()
        .control("GET", "/_sandbox/orders", json!({}))
        .await;
    all.as_array()
        .expect("orders array")
        .iter()
        .filter(|o| o["order_reference_id"] == reference)
        .cloned()
        .collect()
}

fn hash(v: &Value) -> String {
    request_hash("POST /api/checkout", v)
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// Claims `key` by hand as a request still running (no answer yet), created at `at`.
fn claim_by_hand(h: &Harness, key: &str, v: &Value, at: i64) {
    h.db().query(&format!(
        "INSERT INTO idempotency_keys (key, request_hash, created_at) VALUES ('{key}', '{}', {at})",
        hash(v)
    ));
}

#[test]
fn first_claim_creates_one_order_and_replay_is_byte_for_byte() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("TSHIRT-1", 2)]);
        let input: CheckoutIn = serde_json::from_value(v.clone()).unwrap();
        let first = create_checkout(&h.app, Some("key-1"), &v, &input)
            .await
            .unwrap();
        let Answer::Json(201, fresh) = first else {
            panic!("first answer: {first:?}");
        };
        assert_eq!(h.tamara().count("POST /checkout"), 1);
        let reference = order_reference("key-1", &hash(&v));
        assert_eq!(fresh["order_reference_id"], reference.as_str());
        assert!(fresh["checkout_url"]
            .as_str()
            .is_some_and(|u| !u.is_empty()));

        let calls = h.tamara().calls.borrow().len();
        let replay = create_checkout(&h.app, Some("key-1"), &v, &input)
            .await
            .unwrap();
        assert_eq!(replay, Answer::Stored(201, fresh.to_string()));
        assert_eq!(h.tamara().calls.borrow().len(), calls, "no Tamara call");
        assert_eq!(sandbox_orders(&h, &reference).await.len(), 1);
        let local = h.db().query("SELECT order_id FROM orders");
        assert_eq!(local.len(), 1);
        assert_eq!(local[0]["order_id"], fresh["order_id"]);
    });
}

#[test]
fn same_key_with_another_body_is_409_key_reused() {
    let h = Harness::new();
    block_on(async {
        let (s, _) = checkout(&h, Some("key-2"), &body(&[("TSHIRT-1", 1)])).await;
        assert_eq!(s, 201);
        let (s, v) = checkout(&h, Some("key-2"), &body(&[("TSHIRT-1", 3)])).await;
        assert_eq!((s, code(&v)), (409, "idempotency_key_reused"), "{v}");
        assert_eq!(h.tamara().count("POST /checkout"), 1);
        let stored = h
            .db()
            .query("SELECT response_status FROM idempotency_keys WHERE key = 'key-2'");
        assert_eq!(
            stored[0]["response_status"], 201,
            "the first answer is kept"
        );
    });
}

#[test]
fn in_flight_key_is_409_then_proceeds_as_a_retry_once_stale() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("MUG-1", 1)]);
        claim_by_hand(&h, "key-3", &v, h.app.now());
        let (s, e) = checkout(&h, Some("key-3"), &v).await;
        assert_eq!((s, code(&e)), (409, "idempotency_in_progress"), "{e}");
        assert!(h.tamara().calls.borrow().is_empty(), "no Tamara call");

        h.clock.advance(IN_FLIGHT_STALE_MS + 1);
        let (s, a) = checkout(&h, Some("key-3"), &v).await;
        assert_eq!(s, 201, "{a}");
        // A retry: the reference is looked up at Tamara before anything is created.
        assert_eq!(h.tamara().count("GET /merchants/orders/reference-id/"), 1);
        assert_eq!(h.tamara().count("POST /checkout"), 1);
        let reference = order_reference("key-3", &hash(&v));
        assert_eq!(a["order_reference_id"], reference.as_str());
        assert_eq!(sandbox_orders(&h, &reference).await.len(), 1);
        // Now final: replayed.
        let (s, again) = checkout(&h, Some("key-3"), &v).await;
        assert_eq!((s, &again), (201, &a));
        assert_eq!(h.tamara().count("POST /checkout"), 1);
    });
}

#[test]
fn lost_answer_is_looked_up_never_created_twice_and_502_is_replayed() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("ABAYA-1", 1)]);
        let reference = order_reference("key-4", &hash(&v));
        h.tamara().fault("POST /checkout", FaultKind::LoseAnswer, 1);
        let (s, e) = checkout(&h, Some("key-4"), &v).await;
        assert_eq!((s, code(&e)), (502, "checkout_state_unknown"), "{e}");
        assert_eq!(h.tamara().count("POST /checkout"), 1, "not sent again");
        assert_eq!(
            h.tamara().count("GET /merchants/orders/reference-id/"),
            1,
            "looked up"
        );
        let at_tamara = sandbox_orders(&h, &reference).await;
        assert_eq!(at_tamara.len(), 1, "exactly one order at Tamara");
        // Recorded locally (so reconcile tracks it), without a checkout URL.
        let local = h.db().query(&format!(
            "SELECT order_id, checkout_url FROM orders WHERE order_reference_id = '{reference}'"
        ));
        assert_eq!(local.len(), 1);
        assert_eq!(local[0]["order_id"], at_tamara[0]["order_id"]);
        assert_eq!(local[0]["checkout_url"], Value::Null);

        // The 502 is final for the key: replayed, nothing sent.
        let calls = h.tamara().calls.borrow().len();
        let input: CheckoutIn = serde_json::from_value(v.clone()).unwrap();
        let replay = create_checkout(&h.app, Some("key-4"), &v, &input)
            .await
            .unwrap();
        assert_eq!(replay, Answer::Stored(502, e.to_string()));
        h.clock.advance(IN_FLIGHT_STALE_MS * 10);
        let (s, again) = checkout(&h, Some("key-4"), &v).await;
        assert_eq!((s, &again), (502, &e));
        assert_eq!(h.tamara().calls.borrow().len(), calls);
        assert_eq!(sandbox_orders(&h, &reference).await.len(), 1);
    });
}

#[test]
fn tamara_503_leaves_the_key_retryable_and_the_retry_creates_one_order() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("DATES-1", 2)]);
        let reference = order_reference("key-5", &hash(&v));
        // The service looks the reference up after a 5xx and sends again once: both fail.
        h.tamara()
            .fault("POST /checkout", FaultKind::Status(503), 2);
        let (s, e) = checkout(&h, Some("key-5"), &v).await;
        assert_eq!(s, 503, "{e}");
        assert_eq!(h.tamara().count("POST /checkout"), 2);
        assert!(sandbox_orders(&h, &reference).await.is_empty());
        let row = h
            .db()
            .query("SELECT response_status FROM idempotency_keys WHERE key = 'key-5'");
        assert_eq!(
            row[0]["response_status"],
            Value::Null,
            "not stored as final"
        );

        // Retryable at once (no in-flight wait), with the same key.
        let (s, a) = checkout(&h, Some("key-5"), &v).await;
        assert_eq!(s, 201, "{a}");
        assert_eq!(a["order_reference_id"], reference.as_str());
        assert_eq!(h.tamara().count("POST /checkout"), 3);
        assert_eq!(sandbox_orders(&h, &reference).await.len(), 1);
        assert_eq!(h.db().query("SELECT order_id FROM orders").len(), 1);
        let (s, again) = checkout(&h, Some("key-5"), &v).await;
        assert_eq!((s, &again), (201, &a));
        assert_eq!(h.tamara().count("POST /checkout"), 3);
    });
}

#[test]
fn invalid_keys_are_400_before_anything_runs() {
    let h = Harness::new();
    block_on(async {
        let v = body(&[("TSHIRT-1", 1)]);
        let long = "k".repeat(200);
        for key in ["", "   ", long.as_str(), "clé-ünïcode", "has space"] {
            let (s, e) = checkout(&h, Some(key), &v).await;
            assert_eq!((s, code(&e)), (400, "invalid_idempotency_key"), "{key:?}");
        }
        assert!(h.tamara().calls.borrow().is_empty());
        assert!(h.db().query("SELECT key FROM idempotency_keys").is_empty());
        assert!(h.db().query("SELECT order_id FROM orders").is_empty());
    });
}

#[test]
fn prices_come_from_the_catalog_never_from_the_body() {
    let h = Harness::with(&[("SHIPPING_FEE", "15.00")], false);
    block_on(async {
        let mut v = body(&[("WATCH-1", 2), ("MUG-1", 1)]);
        // Tampering: amounts the browser made up are ignored.
        v["cart"]["items"][0]["price"] = json!("1.00");
        v["cart"]["items"][0]["unit_price"] = json!({"amount": 1, "currency": "SAR"});
        v["total_amount"] = json!({"amount": 1, "currency": "SAR"});
        v["shipping_amount"] = json!({"amount": 0, "currency": "SAR"});
        let (s, a) = checkout(&h, Some("key-7"), &v).await;
        assert_eq!(s, 201, "{a}");
        // 2 × 1299.00 + 45.00 + 15.00 shipping.
        let expected = 2 * 129_900 + 4_500 + 1_500;
        assert_eq!(a["total"]["minor"], expected);
        assert_eq!(a["total"]["currency"], "SAR");
        let local = h
            .db()
            .query("SELECT total_minor, shipping_minor FROM orders");
        assert_eq!(local[0]["total_minor"], expected);
        assert_eq!(local[0]["shipping_minor"], 1_500);
        let reference = a["order_reference_id"].as_str().unwrap();
        let at_tamara = sandbox_orders(&h, reference).await;
        let amount = |v: &Value| v["amount"].as_f64().unwrap_or(-1.0);
        assert_eq!(amount(&at_tamara[0]["total_amount"]), 2658.0);
        assert_eq!(amount(&at_tamara[0]["shipping_amount"]), 15.0);
    });
}
