//! Capture, cancel and refund through `services::money::move_money`, against the sandbox's
//! books: amounts in minor units, what reached Tamara, and what the local tables hold.

use serde_json::{json, Value};
use tamara_core::lifecycle::Movement;
use tamara_core::orders::{GetOrder, OrderDetails};
use tamara_core::{OrderId, OrderStatus};

use super::common::{checkout, new_order};
use crate::error::AppError;
use crate::services::money::{move_money, MoveRequest, Moved};
use crate::services::sync::sync_order;
use crate::store::{Order, Source};
use crate::testing::{block_on, FaultKind, Harness};

/// TSHIRT-1 × 2 in the seeded catalog: 2 × 57.50 SAR.
const TOTAL: i64 = 11_500;
const CAPTURE: &str = "POST /payments/capture";
const REFUND: &str = "POST /payments/simplified-refund/";
const CANCEL_SUFFIX: &str = "/cancel";

/// A checkout approved at the sandbox and authorised through the sync service.
async fn authorised(h: &Harness) -> String {
    let id = new_order(h, &[("TSHIRT-1", 2)]).await;
    h.tamara().trigger(&id, "approve").await;
    let order = local(h, &id).await;
    let s = sync_order(&h.app, order, Source::Redirect, None)
        .await
        .expect("sync");
    assert!(s.authorised_now);
    assert_eq!(s.order.status, OrderStatus::Authorised);
    assert_eq!(s.order.total.minor(), TOTAL as u64);
    id
}

async fn local(h: &Harness, id: &str) -> Order {
    h.app
        .store()
        .unwrap()
        .order_or_404(id)
        .await
        .expect("local order")
}

/// Tamara's view of the order (a GET through the Worker's client).
async fn remote(h: &Harness, id: &str) -> OrderDetails {
    h.app
        .tamara()
        .unwrap()
        .call(&GetOrder::new(OrderId::new(id.to_owned())))
        .await
        .expect("GET order")
}

fn minor(m: Option<tamara_core::Money>) -> u64 {
    m.map(|m| m.minor()).unwrap_or(0)
}

/// The local mirror equals Tamara's books.
async fn assert_mirrors(h: &Harness, id: &str) {
    let (l, r) = (local(h, id).await, remote(h, id).await);
    assert_eq!(l.status, r.status, "status");
    assert_eq!(l.captured.minor(), minor(r.captured_amount), "captured");
    assert_eq!(l.refunded.minor(), minor(r.refunded_amount), "refunded");
    assert_eq!(l.canceled.minor(), minor(r.canceled_amount), "canceled");
    assert_eq!(l.total, r.total_amount, "total");
}

/// `(id, amount_minor)` of a movement table, sorted.
fn rows(h: &Harness, table: &str, id_col: &str) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = h
        .db()
        .query(&format!("SELECT {id_col}, amount_minor FROM {table}"))
        .into_iter()
        .map(|r| {
            (
                r[id_col].as_str().unwrap().to_owned(),
                r["amount_minor"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn amount(a: &str) -> MoveRequest {
    MoveRequest {
        amount: Some(a.to_owned()),
        ..MoveRequest::default()
    }
}

async fn mv(h: &Harness, id: &str, m: Movement, req: MoveRequest) -> Result<Moved, AppError> {
    move_money(&h.app, id, m, req).await
}

fn cancels_sent(h: &Harness) -> usize {
    h.tamara()
        .calls
        .borrow()
        .iter()
        .filter(|c| c.starts_with("POST /orders/") && c.ends_with(CANCEL_SUFFIX))
        .count()
}

#[test]
fn full_capture_then_full_refund() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        let c = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(c.movement, Movement::Capture);
        assert_eq!(c.amount.minor(), TOTAL as u64);
        assert_eq!(c.status, OrderStatus::FullyCaptured);
        assert_eq!(h.tamara().count(CAPTURE), 1);
        assert_eq!(
            rows(&h, "captures", "capture_id"),
            vec![(c.id.clone(), TOTAL)]
        );
        assert_mirrors(&h, &id).await;

        let r = mv(&h, &id, Movement::Refund, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(r.amount.minor(), TOTAL as u64);
        assert_eq!(r.status, OrderStatus::FullyRefunded);
        assert_eq!(h.tamara().count(REFUND), 1);
        assert_eq!(
            rows(&h, "refunds", "refund_id"),
            vec![(r.id.clone(), TOTAL)]
        );
        let refund = h.db().query("SELECT capture_id, comment FROM refunds");
        assert_eq!(refund[0]["capture_id"], json!(c.id));
        assert_eq!(refund[0]["comment"], json!("Refund"));
        let l = local(&h, &id).await;
        assert_eq!(l.captured.minor(), TOTAL as u64);
        assert_eq!(l.refunded.minor(), TOTAL as u64);
        assert_mirrors(&h, &id).await;

        // Nothing is left to refund or capture.
        let e = mv(&h, &id, Movement::Refund, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        assert_eq!(h.tamara().count(REFUND), 1);
    });
}

#[test]
fn partial_captures_then_partial_refunds() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        let c1 = mv(&h, &id, Movement::Capture, amount("40.00"))
            .await
            .unwrap();
        assert_eq!(c1.amount.minor(), 4_000);
        assert_eq!(c1.status, OrderStatus::PartiallyCaptured);
        assert_eq!(local(&h, &id).await.captured.minor(), 4_000);
        assert_mirrors(&h, &id).await;

        // No amount: the remainder.
        let c2 = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(c2.amount.minor(), 7_500);
        assert_eq!(c2.status, OrderStatus::FullyCaptured);
        assert_ne!(c1.id, c2.id);
        assert_eq!(h.tamara().count(CAPTURE), 2);
        let mut want = vec![(c1.id.clone(), 4_000), (c2.id.clone(), 7_500)];
        want.sort();
        assert_eq!(rows(&h, "captures", "capture_id"), want);
        assert_mirrors(&h, &id).await;

        let r1 = mv(
            &h,
            &id,
            Movement::Refund,
            MoveRequest {
                amount: Some("15.25".into()),
                comment: Some("  damaged  ".into()),
                ..MoveRequest::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(r1.amount.minor(), 1_525);
        assert_eq!(r1.status, OrderStatus::PartiallyRefunded);
        assert_eq!(
            h.db().query("SELECT comment FROM refunds")[0]["comment"],
            json!("damaged")
        );
        assert_mirrors(&h, &id).await;

        // The rest of the refundable money.
        let r2 = mv(&h, &id, Movement::Refund, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(r2.amount.minor(), (TOTAL - 1_525) as u64);
        assert_eq!(r2.status, OrderStatus::FullyRefunded);
        assert_eq!(h.tamara().count(REFUND), 2);
        let l = local(&h, &id).await;
        assert_eq!(l.refunded.minor(), TOTAL as u64);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn full_and_partial_cancel() {
    let h = Harness::new();
    block_on(async {
        // Partial cancel, then capture of what is left.
        let id = authorised(&h).await;
        let c = mv(&h, &id, Movement::Cancel, amount("15.00"))
            .await
            .unwrap();
        assert_eq!(c.amount.minor(), 1_500);
        assert_eq!(c.status, OrderStatus::Updated);
        assert_eq!(cancels_sent(&h), 1);
        assert_eq!(
            rows(&h, "cancels", "cancel_id"),
            vec![(c.id.clone(), 1_500)]
        );
        assert_mirrors(&h, &id).await;
        let cap = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(cap.amount.minor(), (TOTAL - 1_500) as u64);
        assert_eq!(cap.status, OrderStatus::FullyCaptured);
        assert_mirrors(&h, &id).await;

        // Full cancel of another order.
        let id2 = authorised(&h).await;
        let c2 = mv(&h, &id2, Movement::Cancel, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(c2.amount.minor(), TOTAL as u64);
        assert_eq!(c2.status, OrderStatus::Canceled);
        assert_eq!(cancels_sent(&h), 2);
        let l = local(&h, &id2).await;
        assert_eq!(l.status, OrderStatus::Canceled);
        assert_eq!(l.canceled.minor(), TOTAL as u64);
        assert_mirrors(&h, &id2).await;
        // A canceled order takes no capture.
        let e = mv(&h, &id2, Movement::Capture, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        assert_eq!(h.tamara().count(CAPTURE), 1);
    });
}

#[test]
fn over_the_remainder_is_422_with_cores_code_and_nothing_is_sent() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        let e = mv(&h, &id, Movement::Capture, amount("115.01"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "capture_exceeds_remaining"));
        let e = mv(&h, &id, Movement::Cancel, amount("200"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "cancel_exceeds_remaining"));
        assert_eq!(h.tamara().count(CAPTURE), 0);
        assert_eq!(cancels_sent(&h), 0);

        mv(&h, &id, Movement::Capture, amount("100.00"))
            .await
            .unwrap();
        let e = mv(&h, &id, Movement::Capture, amount("15.01"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "capture_exceeds_remaining"));
        assert_eq!(h.tamara().count(CAPTURE), 1);

        let e = mv(&h, &id, Movement::Refund, amount("100.01"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "refund_exceeds_captured"));
        assert_eq!(h.tamara().count(REFUND), 0);

        // The exact remainder still goes through.
        let c = mv(&h, &id, Movement::Capture, amount("15.00"))
            .await
            .unwrap();
        assert_eq!(c.status, OrderStatus::FullyCaptured);
        assert_eq!(rows(&h, "captures", "capture_id").len(), 2);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn wrong_state_is_409_invalid_state() {
    let h = Harness::new();
    block_on(async {
        // A `new` order (the shopper has not paid).
        let fresh = new_order(&h, &[("MUG-1", 1)]).await;
        for m in [Movement::Capture, Movement::Cancel, Movement::Refund] {
            let e = mv(&h, &fresh, m, MoveRequest::default()).await.unwrap_err();
            assert_eq!((e.status(), e.code()), (409, "invalid_state"), "{m:?}");
        }
        // Even a malformed amount: the status is checked first.
        let e = mv(&h, &fresh, Movement::Capture, amount("abc"))
            .await
            .unwrap_err();
        assert_eq!(e.status(), 409);

        // Refund before any capture.
        let id = authorised(&h).await;
        let e = mv(&h, &id, Movement::Refund, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        let e = mv(&h, &id, Movement::Refund, amount("1.00"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));

        // Cancel after a partial capture.
        mv(&h, &id, Movement::Capture, amount("10.00"))
            .await
            .unwrap();
        let e = mv(&h, &id, Movement::Cancel, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        let e = mv(&h, &id, Movement::Cancel, amount("1.00"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));

        // An order we do not know.
        let e = mv(
            &h,
            "no-such-order",
            Movement::Capture,
            MoveRequest::default(),
        )
        .await
        .unwrap_err();
        assert_eq!((e.status(), e.code()), (404, "not_found"));

        assert_eq!(h.tamara().count(CAPTURE), 1);
        assert_eq!(h.tamara().count(REFUND), 0);
        assert_eq!(cancels_sent(&h), 0);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn zero_malformed_and_too_precise_amounts_are_422_invalid_amount() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        for bad in ["0", "0.00", "abc", "", "12,50", "10.001", "-5.00", "1.5.0"] {
            for m in [Movement::Capture, Movement::Cancel] {
                let e = mv(&h, &id, m, amount(bad)).await.unwrap_err();
                assert_eq!(
                    (e.status(), e.code()),
                    (422, "invalid_amount"),
                    "{m:?} {bad:?}: {e}"
                );
            }
        }
        assert_eq!(h.tamara().count(CAPTURE), 0);
        assert_eq!(cancels_sent(&h), 0);
        mv(&h, &id, Movement::Capture, amount("20.00"))
            .await
            .unwrap();
        for bad in ["0", "0.000", "x", "0.005"] {
            let e = mv(&h, &id, Movement::Refund, amount(bad))
                .await
                .unwrap_err();
            assert_eq!((e.status(), e.code()), (422, "invalid_amount"), "{bad:?}");
        }
        assert_eq!(h.tamara().count(REFUND), 0);
        // Trailing zeros are not extra precision.
        let r = mv(&h, &id, Movement::Refund, amount("5.000"))
            .await
            .unwrap();
        assert_eq!(r.amount.minor(), 500);
        assert_eq!(local(&h, &id).await.status, OrderStatus::PartiallyRefunded);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn kwd_amounts_have_three_decimals() {
    let h = Harness::with(&[("DEFAULT_COUNTRY", "KW")], false);
    assert_eq!(h.app.cfg.currency.code(), "KWD");
    block_on(async {
        h.db().query(
            "INSERT INTO catalog (sku, name, name_ar, price_minor, currency, active) \
             VALUES ('KW-1', 'Dallah', 'دلة', 12345, 'KWD', 1)",
        );
        let mut body = super::common::body(&[("KW-1", 1)]);
        body["consumer"]["phone_number"] = json!("50012345");
        body["shipping_address"]["country_code"] = json!("KW");
        body["shipping_address"]["city"] = json!("Kuwait City");
        let (status, v): (u16, Value) = checkout(&h, None, &body).await;
        assert_eq!(status, 201, "{v}");
        let id = v["order_id"].as_str().unwrap().to_owned();
        h.tamara().trigger(&id, "approve").await;
        let s = sync_order(&h.app, local(&h, &id).await, Source::Redirect, None)
            .await
            .unwrap();
        assert_eq!(s.order.status, OrderStatus::Authorised);
        assert_eq!(s.order.total.minor(), 12_345);
        assert_eq!(s.order.currency.code(), "KWD");

        for bad in ["1.2345", "0.000", "0.0001"] {
            let e = mv(&h, &id, Movement::Capture, amount(bad))
                .await
                .unwrap_err();
            assert_eq!((e.status(), e.code()), (422, "invalid_amount"), "{bad}");
        }
        let e = mv(&h, &id, Movement::Capture, amount("12.346"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "capture_exceeds_remaining"));
        assert_eq!(h.tamara().count(CAPTURE), 0);

        let c = mv(&h, &id, Movement::Capture, amount("1.234"))
            .await
            .unwrap();
        assert_eq!(c.amount.minor(), 1_234);
        assert_eq!(c.amount.to_decimal_string(), "1.234");
        assert_eq!(c.status, OrderStatus::PartiallyCaptured);
        let rest = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(rest.amount.minor(), 11_111);
        assert_eq!(rest.status, OrderStatus::FullyCaptured);
        let r = mv(&h, &id, Movement::Refund, amount("0.005"))
            .await
            .unwrap();
        assert_eq!(r.amount.minor(), 5);
        let cur = h.db().query("SELECT DISTINCT currency FROM captures");
        assert_eq!(cur, vec![json!({"currency": "KWD"})]);
        assert_eq!(rows(&h, "refunds", "refund_id"), vec![(r.id.clone(), 5)]);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn a_capture_whose_answer_was_lost_is_recovered_not_repeated() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        // A first capture of the same amount: the recovery must not take its id.
        let first = mv(&h, &id, Movement::Capture, amount("10.00"))
            .await
            .unwrap();
        h.tamara().fault(CAPTURE, FaultKind::LoseAnswer, 1);
        let c = mv(&h, &id, Movement::Capture, amount("10.00"))
            .await
            .unwrap();
        assert_eq!(
            h.tamara().count(CAPTURE),
            2,
            "no retry after the lost answer"
        );
        let r = remote(&h, &id).await;
        assert_eq!(r.transactions.captures.len(), 2, "Tamara booked it once");
        assert_eq!(minor(r.captured_amount), 2_000);
        let booked = r.transactions.captures[1].capture_id.as_str().to_owned();
        assert_eq!(c.id, booked, "the id Tamara booked");
        assert_ne!(c.id, first.id);
        assert_eq!(c.amount.minor(), 1_000);
        assert_eq!(c.status, OrderStatus::PartiallyCaptured);
        let mut want = vec![(first.id.clone(), 1_000), (booked, 1_000)];
        want.sort();
        assert_eq!(rows(&h, "captures", "capture_id"), want);
        assert_mirrors(&h, &id).await;
        let ev: Vec<String> = h
            .app
            .store()
            .unwrap()
            .events_for(&id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "capture")
            .map(|e| e.detail.unwrap_or_default())
            .collect();
        assert_eq!(ev.len(), 2);
        assert!(ev[1].contains(&c.id), "{ev:?}");
    });
}

#[test]
fn a_full_capture_whose_answer_was_lost_has_one_row() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        h.tamara().fault(CAPTURE, FaultKind::LoseAnswer, 1);
        let c = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(h.tamara().count(CAPTURE), 1);
        let r = remote(&h, &id).await;
        assert_eq!(r.transactions.captures.len(), 1);
        assert_eq!(c.id, r.transactions.captures[0].capture_id.as_str());
        assert_eq!(c.status, OrderStatus::FullyCaptured);
        assert_eq!(h.db().query("SELECT * FROM captures").len(), 1);
        assert_eq!(
            rows(&h, "captures", "capture_id"),
            vec![(c.id.clone(), TOTAL)]
        );
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn a_refund_or_cancel_whose_answer_was_lost_is_recovered() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        let cap = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap();
        h.tamara().fault(REFUND, FaultKind::LoseAnswer, 1);
        let r = mv(&h, &id, Movement::Refund, amount("30.00"))
            .await
            .unwrap();
        assert_eq!(h.tamara().count(REFUND), 1);
        let t = remote(&h, &id).await;
        assert_eq!(t.transactions.refunds.len(), 1);
        assert_eq!(r.id, t.transactions.refunds[0].refund_id.as_str());
        assert_eq!(r.status, OrderStatus::PartiallyRefunded);
        assert_eq!(
            rows(&h, "refunds", "refund_id"),
            vec![(r.id.clone(), 3_000)]
        );
        // The stored row names the capture Tamara refunded, as an answered refund does.
        let row = h.db().query("SELECT capture_id FROM refunds");
        assert_eq!(row[0]["capture_id"], json!(cap.id));
        assert_mirrors(&h, &id).await;

        let id2 = authorised(&h).await;
        h.tamara().fault("POST /orders/", FaultKind::LoseAnswer, 1);
        let c = mv(&h, &id2, Movement::Cancel, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(cancels_sent(&h), 1);
        let t = remote(&h, &id2).await;
        assert_eq!(t.transactions.cancels.len(), 1);
        assert_eq!(c.id, t.transactions.cancels[0].cancel_id.as_str());
        assert_eq!(c.status, OrderStatus::Canceled);
        assert_eq!(
            rows(&h, "cancels", "cancel_id"),
            vec![(c.id.clone(), TOTAL)]
        );
        assert_mirrors(&h, &id2).await;
    });
}

#[test]
fn an_unreachable_tamara_is_re_read_then_retried_once() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        let reads_before = h.tamara().count("GET /merchants/orders/");
        h.tamara().fault(CAPTURE, FaultKind::Unreachable, 1);
        let c = mv(&h, &id, Movement::Capture, amount("25.00"))
            .await
            .unwrap();
        assert_eq!(h.tamara().count(CAPTURE), 2, "sent, then retried once");
        // The sync before, the re-read between the attempts, the resync after.
        assert_eq!(h.tamara().count("GET /merchants/orders/") - reads_before, 3);
        let r = remote(&h, &id).await;
        assert_eq!(r.transactions.captures.len(), 1, "one capture at Tamara");
        assert_eq!(c.id, r.transactions.captures[0].capture_id.as_str());
        assert_eq!(minor(r.captured_amount), 2_500);
        assert_eq!(
            rows(&h, "captures", "capture_id"),
            vec![(c.id.clone(), 2_500)]
        );
        assert_mirrors(&h, &id).await;

        // Unreachable twice: one retry only, then the timeout is the answer.
        h.tamara().fault(CAPTURE, FaultKind::Unreachable, 2);
        let e = mv(&h, &id, Movement::Capture, amount("25.00"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (504, "tamara_timeout"));
        assert_eq!(h.tamara().count(CAPTURE), 4);
        assert_eq!(remote(&h, &id).await.transactions.captures.len(), 1);
        assert_eq!(rows(&h, "captures", "capture_id").len(), 1);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn an_auto_capture_merchant_captures_on_authorise() {
    let h = Harness::with(&[], true);
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 2)]).await;
        h.tamara().trigger(&id, "approve").await;
        let s = sync_order(&h.app, local(&h, &id).await, Source::Redirect, None)
            .await
            .unwrap();
        assert!(s.authorised_now);
        assert_eq!(s.order.status, OrderStatus::FullyCaptured);
        assert_eq!(s.order.captured.minor(), TOTAL as u64);
        assert!(s.order.authorised_at.is_some());
        let r = remote(&h, &id).await;
        assert_eq!(r.transactions.captures.len(), 1);
        let cap = r.transactions.captures[0].capture_id.as_str().to_owned();
        assert_eq!(rows(&h, "captures", "capture_id"), vec![(cap, TOTAL)]);
        assert_mirrors(&h, &id).await;

        let e = mv(&h, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        let e = mv(&h, &id, Movement::Cancel, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        assert_eq!(h.tamara().count(CAPTURE), 0);
        assert_eq!(cancels_sent(&h), 0);
        // The money can be refunded.
        let rf = mv(&h, &id, Movement::Refund, amount("7.50")).await.unwrap();
        assert_eq!(rf.status, OrderStatus::PartiallyRefunded);
        assert_mirrors(&h, &id).await;
    });
}

#[test]
fn money_rows_are_tamaras_transactions() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        let ours = mv(&h, &id, Movement::Capture, amount("30.00"))
            .await
            .unwrap();
        // A capture made at Tamara directly (the merchant dashboard), seen on the next sync.
        h.tamara()
            .control(
                "POST",
                &format!("/_sandbox/orders/{id}/trigger"),
                json!({"event": "capture", "amount": "20.00"}),
            )
            .await;
        let s = sync_order(&h.app, local(&h, &id).await, Source::Admin, None)
            .await
            .unwrap();
        assert_eq!(s.order.captured.minor(), 5_000);
        let refund = mv(&h, &id, Movement::Refund, amount("12.00"))
            .await
            .unwrap();

        let r = remote(&h, &id).await;
        let mut tamara_caps: Vec<(String, i64)> = r
            .transactions
            .captures
            .iter()
            .map(|c| {
                (
                    c.capture_id.as_str().to_owned(),
                    c.total_amount.minor() as i64,
                )
            })
            .collect();
        tamara_caps.sort();
        assert_eq!(tamara_caps.len(), 2);
        assert!(tamara_caps.iter().any(|(cid, _)| *cid == ours.id));
        assert_eq!(rows(&h, "captures", "capture_id"), tamara_caps);
        let tamara_refunds: Vec<(String, i64)> = r
            .transactions
            .refunds
            .iter()
            .map(|x| {
                (
                    x.refund_id.as_str().to_owned(),
                    x.total_amount.minor() as i64,
                )
            })
            .collect();
        assert_eq!(tamara_refunds, vec![(refund.id.clone(), 1_200)]);
        assert_eq!(rows(&h, "refunds", "refund_id"), tamara_refunds);
        assert!(rows(&h, "cancels", "cancel_id").is_empty());
        // Every row belongs to this order and is in its currency.
        let other = h.db().query(
            "SELECT COUNT(*) AS n FROM captures WHERE order_id != ?1 OR currency != 'SAR'"
                .replace("?1", &format!("'{id}'"))
                .as_str(),
        );
        assert_eq!(other[0]["n"], json!(0));
        assert_mirrors(&h, &id).await;
    });
}
