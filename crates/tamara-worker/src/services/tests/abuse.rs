//! What a hostile shopper or someone holding one webhook token can make the services do: Tamara
//! calls per payment-options request (shared cache, capped pre-checks), and rows stored by
//! forged, replayed or over-long-lived notifications.

use serde_json::{json, Value};
use tamara_core::timestamp::Timestamp;
use tamara_core::token::{sign, Claims};
use tamara_core::webhooks::WebhookPayload;
use tamara_core::NotificationToken;

use super::common::new_order;
use crate::services::payment_options::{payment_options, OptionsQuery};
use crate::services::webhook;
use crate::testing::{block_on, Harness, NOTIFICATION_TOKEN};

const TYPES: &str = "GET /checkout/payment-types";
const PRE_CHECK: &str = "POST /checkout/payment-options-pre-check";

fn phone(i: u32) -> String {
    format!("5{:08}", 44_000_000 + i)
}

#[test]
fn pre_checks_only_within_the_clients_cap() {
    let h = Harness::new();
    block_on(async {
        // Over the cap (the route's RL_PRE_CHECK said no): a phone costs no pre-check.
        for i in 0..50 {
            let q = OptionsQuery {
                amount: Some("90.00".into()),
                phone: Some(phone(i)),
                pre_check_allowed: false,
                ..OptionsQuery::default()
            };
            let v = payment_options(&h.app, &q).await.unwrap();
            assert_eq!(v["available"], true, "types still shown: {v}");
        }
        assert_eq!(h.tamara().count(PRE_CHECK), 0);
        assert_eq!(
            h.tamara().count("POST /pre-checkout/v1/eligibility"),
            0,
            "no eligibility call over the cap either (outside attack: 80 went through)"
        );
        assert_eq!(h.tamara().count(TYPES), 1, "payment types cached");
    });
}

#[test]
fn per_shopper_keys_cannot_flush_the_shared_payment_types() {
    let h = Harness::new();
    block_on(async {
        // 600 distinct (phone, amount) pairs: more than the per-shopper cache holds.
        for i in 0..600u32 {
            let q = OptionsQuery {
                amount: Some(format!("{}.00", 50 + i)),
                phone: Some(phone(i)),
                pre_check_allowed: true,
                ..OptionsQuery::default()
            };
            payment_options(&h.app, &q).await.unwrap();
        }
        assert_eq!(h.tamara().count(PRE_CHECK), 600);
        assert_eq!(h.tamara().count(TYPES), 1, "the shared entry was evicted");
    });
}

fn token_at(now_ms: i64, life_secs: i64) -> String {
    let now = Timestamp::from_millis(now_ms);
    sign(
        &NotificationToken::new(NOTIFICATION_TOKEN),
        &Claims {
            exp: Some(now.secs() + life_secs),
            ..Claims::tamara(now)
        },
    )
}

fn payload(v: Value) -> WebhookPayload {
    serde_json::from_value(v).expect("payload")
}

fn count(h: &Harness, sql: &str) -> usize {
    h.db().query(sql).len()
}

#[test]
fn long_lived_tokens_are_refused() {
    let h = Harness::new();
    let now = h.app.now();
    let ok = format!("Bearer {}", token_at(now, 900));
    assert!(webhook::verify(&h.app, Some(&ok), None).is_ok());
    for life in [3600, 10 * 365 * 86_400] {
        let t = format!("Bearer {}", token_at(now, life));
        let e = webhook::verify(&h.app, Some(&t), None).unwrap_err();
        assert_eq!((e.status(), e.code()), (401, "unauthorized"));
        assert!(
            e.log_detail().contains("token_lifetime"),
            "{}",
            e.log_detail()
        );
    }
}

#[test]
fn forged_bodies_under_a_valid_token_store_nothing() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 2)]).await;
        h.tamara().trigger(&id, "approve").await;
        let auth = format!("Bearer {}", token_at(h.app.now(), 900));
        webhook::verify(&h.app, Some(&auth), None).unwrap();
        let events_before = count(&h, "SELECT id FROM events");
        // 50 invented captures and refunds of an order Tamara shows as uncaptured.
        for i in 0..50 {
            let captured = payload(json!({
                "order_id": id, "order_reference_id": "r", "event_type": "order_captured",
                "data": {"capture_id": format!("forged-{i}"),
                         "captured_amount": {"amount": 777, "currency": "SAR"}}
            }));
            let v = webhook::handle(&h.app, &captured).await.unwrap();
            assert_eq!(v["ignored"], "unconfirmed", "{v}");
            let refunded = payload(json!({
                "order_id": id, "order_reference_id": "r", "event_type": "order_refunded",
                "data": {"refund_id": format!("forged-r{i}"), "capture_id": "c",
                         "refunded_amount": {"amount": 777, "currency": "SAR"}}
            }));
            webhook::handle(&h.app, &refunded).await.unwrap();
        }
        // Unknown orders: nothing either.
        for i in 0..20 {
            let p = payload(json!({
                "order_id": format!("not-ours-{i}"), "order_reference_id": "r",
                "event_type": "order_approved", "data": []
            }));
            let v = webhook::handle(&h.app, &p).await.unwrap();
            assert_eq!(v["ignored"], "unknown_order");
        }
        assert_eq!(count(&h, "SELECT * FROM captures"), 0);
        assert_eq!(count(&h, "SELECT * FROM refunds"), 0);
        assert_eq!(count(&h, "SELECT * FROM cancels"), 0);
        // The hint did its job: the order was re-read at Tamara (approved → authorised once).
        let order = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(order.status.as_str(), "authorised");
        let added = count(&h, "SELECT id FROM events") - events_before;
        assert!(
            count(
                &h,
                "SELECT id FROM events WHERE kind IN ('order_captured', 'order_refunded')"
            ) == 0,
            "forged claims left audit rows ({added} events added)"
        );
    });
}

#[test]
fn a_replayed_delivery_is_recorded_once() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 1)]).await;
        h.tamara().trigger(&id, "approve").await;
        let auth = format!("Bearer {}", token_at(h.app.now(), 900));
        let p = payload(json!({
            "order_id": id, "order_reference_id": "r", "event_type": "order_approved", "data": []
        }));
        let mut reads_after_first = 0;
        for i in 0..100 {
            webhook::verify(&h.app, Some(&auth), None).unwrap();
            let v = webhook::handle(&h.app, &p).await.unwrap();
            if i == 0 {
                reads_after_first = h.tamara().count("GET /merchants/orders/");
            } else {
                assert_eq!(v["duplicate"], true, "delivery {i}: {v}");
            }
        }
        let rows = h.db().query(&format!(
            "SELECT id FROM events WHERE kind = 'order_approved' AND order_id = '{id}'"
        ));
        assert_eq!(rows.len(), 1);
        assert_eq!(
            h.tamara().count("GET /merchants/orders/"),
            reads_after_first,
            "replays re-read the order"
        );
    });
}
