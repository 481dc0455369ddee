//! In-store payment links through `services::in_store`: create (catalog lines or a typed
//! amount), poll before and after the shopper pays at the sandbox, void, and the audit trail.

use serde_json::{json, Value};
use tamara_core::lifecycle::Channel;
use tamara_core::OrderStatus;

use crate::error::AppError;
use crate::services::in_store::{create_link, poll, void, InStoreIn, ItemIn, Link};
use crate::testing::{block_on, Harness};

const SESSION: &str = "POST /checkout/in-store-session";
const PHONE: &str = "544337866";

fn by_items(items: &[(&str, u32)]) -> InStoreIn {
    InStoreIn {
        phone_number: PHONE.into(),
        amount: None,
        items: Some(
            items
                .iter()
                .map(|(s, q)| ItemIn {
                    sku: (*s).into(),
                    quantity: *q,
                })
                .collect(),
        ),
        order_reference_id: None,
        locale: None,
        email: None,
    }
}

fn by_amount(a: &str) -> InStoreIn {
    InStoreIn {
        amount: Some(a.into()),
        items: None,
        ..by_items(&[])
    }
}

async fn link(h: &Harness, input: InStoreIn) -> Result<Link, AppError> {
    create_link(&h.app, input).await
}

async fn kinds(h: &Harness, id: &str) -> Vec<String> {
    h.app
        .store()
        .unwrap()
        .events_for(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn a_link_for_catalog_items_is_priced_from_d1() {
    let h = Harness::new();
    block_on(async {
        let l = link(&h, by_items(&[("TSHIRT-1", 2), ("MUG-1", 1)]))
            .await
            .unwrap();
        // 2 × 57.50 + 45.00 SAR.
        assert_eq!(l.order.total.minor(), 16_000);
        assert_eq!(l.order.currency.code(), "SAR");
        assert_eq!(l.order.status, OrderStatus::New);
        assert_eq!(l.order.channel, Channel::InStore);
        assert!(l.deeplink.as_deref().is_some_and(|d| !d.is_empty()));
        assert!(l.order.reference.as_str().starts_with("IS-"));
        assert_eq!(h.tamara().count(SESSION), 1);

        let id = l.order.order_id.as_str();
        let stored = h.app.store().unwrap().order_or_404(id).await.unwrap();
        // What the link returned is what D1 holds (but `last_synced_at`, which the insert
        // does not write).
        assert_eq!(
            stored,
            crate::store::Order {
                last_synced_at: stored.last_synced_at,
                ..l.order.clone()
            }
        );
        let lines: Value = serde_json::from_str(&stored.items).unwrap();
        let skus: Vec<&str> = lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["sku"].as_str().unwrap())
            .collect();
        assert_eq!(skus, vec!["TSHIRT-1", "MUG-1"]);
        let total = h
            .db()
            .query("SELECT total_minor, channel, status FROM orders");
        assert_eq!(
            total,
            vec![json!({"total_minor": 16_000, "channel": "in_store", "status": "new"})]
        );
        // Tamara holds the same amount.
        let at_tamara = poll(&h.app, id).await.unwrap();
        assert_eq!(at_tamara.total.minor(), 16_000);
        assert_eq!(kinds(&h, id).await, vec!["in_store_created"]);
        let ev = h.app.store().unwrap().events_for(id).await.unwrap();
        assert_eq!(ev[0].source, "admin");
        let d: Value = serde_json::from_str(ev[0].detail.as_deref().unwrap()).unwrap();
        assert_eq!(d, json!({"total_minor": 16_000}));
    });
}

#[test]
fn an_unknown_sku_is_422_and_nothing_is_sent() {
    let h = Harness::new();
    block_on(async {
        let e = link(&h, by_items(&[("TSHIRT-1", 1), ("NOPE-9", 1)]))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "unknown_sku"));
        assert!(e.message().contains("NOPE-9"));
        // An inactive product is unknown too.
        h.db()
            .query("UPDATE catalog SET active = 0 WHERE sku = 'MUG-1'");
        crate::services::catalog::forget();
        let e = link(&h, by_items(&[("MUG-1", 1)])).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "unknown_sku"));
        assert_eq!(h.tamara().count(SESSION), 0);
        assert!(h.db().query("SELECT * FROM orders").is_empty());
    });
}

#[test]
fn a_link_for_a_typed_amount() {
    let h = Harness::new();
    block_on(async {
        let input = InStoreIn {
            order_reference_id: Some("  POS-42  ".into()),
            locale: Some("ar".into()),
            email: Some("mona@example.com".into()),
            ..by_amount("250.50")
        };
        let l = link(&h, input).await.unwrap();
        assert_eq!(l.order.total.minor(), 25_050);
        assert_eq!(l.order.reference.as_str(), "POS-42");
        assert_eq!(l.order.status, OrderStatus::New);
        let lines: Value = serde_json::from_str(&l.order.items).unwrap();
        assert_eq!(lines[0]["total_minor"], json!(25_050));
        assert_eq!(lines[0]["sku"], json!("IN-STORE"));
        assert_eq!(h.tamara().count(SESSION), 1);
        // An Arabic shopper's link names the purchase in Arabic at Tamara.
        let orders = h
            .tamara()
            .control("GET", "/_sandbox/orders", json!({}))
            .await;
        let at_tamara = orders
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|o| o["order_id"] == l.order.order_id.as_str())
            })
            .cloned()
            .unwrap();
        assert_eq!(
            at_tamara["items"][0]["name"], "شراء من المتجر",
            "{at_tamara}"
        );

        for bad in ["0", "0.00", "abc", "1.234", "-3"] {
            let e = link(&h, by_amount(bad)).await.unwrap_err();
            assert_eq!((e.status(), e.code()), (422, "invalid_amount"), "{bad}");
        }
        assert_eq!(h.tamara().count(SESSION), 1);
    });
}

#[test]
fn both_or_neither_of_amount_and_items_is_422() {
    let h = Harness::new();
    block_on(async {
        let both = InStoreIn {
            amount: Some("10.00".into()),
            ..by_items(&[("MUG-1", 1)])
        };
        let neither = InStoreIn {
            items: None,
            ..by_items(&[])
        };
        let empty_items = by_items(&[]);
        for input in [both, neither, empty_items] {
            let e = link(&h, input).await.unwrap_err();
            assert_eq!((e.status(), e.code()), (422, "invalid_request"));
        }
        assert_eq!(h.tamara().count(SESSION), 0);
    });
}

#[test]
fn a_bad_phone_is_422_invalid_phone_number() {
    let h = Harness::new();
    block_on(async {
        for bad in ["12345", "", "not a phone", "+971501234567", "5443378661"] {
            let input = InStoreIn {
                phone_number: bad.into(),
                ..by_amount("10.00")
            };
            let e = link(&h, input).await.unwrap_err();
            assert_eq!(
                (e.status(), e.code()),
                (422, "invalid_phone_number"),
                "{bad:?}"
            );
        }
        assert_eq!(h.tamara().count(SESSION), 0);
        // The international form of a Saudi number is fine.
        let ok = InStoreIn {
            phone_number: "+966544337866".into(),
            ..by_amount("10.00")
        };
        link(&h, ok).await.unwrap();
        assert_eq!(h.tamara().count(SESSION), 1);
    });
}

#[test]
fn poll_before_and_after_the_shopper_pays() {
    let h = Harness::new();
    block_on(async {
        let l = link(&h, by_items(&[("DATES-1", 1)])).await.unwrap();
        let id = l.order.order_id.as_str().to_owned();
        let before = poll(&h.app, &id).await.unwrap();
        assert_eq!(before.status, OrderStatus::New);
        assert_eq!(before.captured.minor(), 0);
        assert_eq!(before.version, l.order.version, "nothing changed");

        h.tamara().trigger(&id, "pay_in_store").await;
        let after = poll(&h.app, &id).await.unwrap();
        assert_eq!(after.status, OrderStatus::FullyCaptured);
        assert_eq!(after.captured.minor(), 11_500);
        assert!(after.approved_at.is_some());
        assert_eq!(
            after.authorised_at, None,
            "in-store orders are never authorised"
        );
        assert_eq!(h.tamara().count("POST /orders/"), 0, "no authorise call");
        // The capture row is Tamara's.
        let caps = h.db().query("SELECT order_id, amount_minor FROM captures");
        assert_eq!(caps, vec![json!({"order_id": id, "amount_minor": 11_500})]);
        // Polling again changes nothing.
        let again = poll(&h.app, &id).await.unwrap();
        assert_eq!(again.version, after.version);
        assert_eq!(
            kinds(&h, &id).await,
            vec!["in_store_created", "status_sync"]
        );
        let ev = h.app.store().unwrap().events_for(&id).await.unwrap();
        assert_eq!(ev[1].status_before.as_deref(), Some("new"));
        assert_eq!(ev[1].status_after.as_deref(), Some("fully_captured"));

        let e = poll(&h.app, "no-such-order").await.unwrap_err();
        assert_eq!((e.status(), e.code()), (404, "not_found"));
    });
}

#[test]
fn void_an_unpaid_link() {
    let h = Harness::new();
    block_on(async {
        let l = link(&h, by_amount("99.00")).await.unwrap();
        let id = l.order.order_id.as_str().to_owned();
        let (voided, status) = void(&h.app, &id).await.unwrap();
        assert!(voided);
        assert_eq!(status, OrderStatus::Canceled);
        assert_eq!(h.tamara().count("POST /checkout/"), 2, "session, void");
        let o = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(o.status, OrderStatus::Canceled);
        assert_eq!(o.canceled.minor(), 9_900);
        assert_eq!(
            h.db().query("SELECT amount_minor FROM cancels"),
            vec![json!({"amount_minor": 9_900})]
        );
        assert_eq!(
            kinds(&h, &id).await,
            vec!["in_store_created", "status_sync", "in_store_void"]
        );
        let ev = h.app.store().unwrap().events_for(&id).await.unwrap();
        let d: Value = serde_json::from_str(ev[2].detail.as_deref().unwrap()).unwrap();
        assert_eq!(d, json!({"order_was_voided": true}));

        // The shopper can no longer pay it.
        let headers = [("content-type".to_owned(), "application/json".to_owned())];
        let (s, _) = h
            .tamara()
            .raw(
                "POST",
                &format!("/_sandbox/orders/{id}/trigger"),
                &headers,
                Some(json!({"event": "pay_in_store"}).to_string().into_bytes()),
            )
            .await;
        assert!(s >= 400, "{s}");
        assert_eq!(
            poll(&h.app, &id).await.unwrap().status,
            OrderStatus::Canceled
        );
    });
}

#[test]
fn void_a_paid_link() {
    let h = Harness::new();
    block_on(async {
        let l = link(&h, by_amount("45.00")).await.unwrap();
        let id = l.order.order_id.as_str().to_owned();
        h.tamara().trigger(&id, "pay_in_store").await;
        let (voided, status) = void(&h.app, &id).await.unwrap();
        assert!(!voided);
        assert_eq!(status, OrderStatus::FullyCaptured);
        let o = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(o.status, OrderStatus::FullyCaptured);
        assert_eq!(o.captured.minor(), 4_500);
        assert_eq!(o.canceled.minor(), 0);
        assert!(h.db().query("SELECT * FROM cancels").is_empty());
        assert_eq!(
            kinds(&h, &id).await,
            vec!["in_store_created", "status_sync", "in_store_void"]
        );
        let ev = h.app.store().unwrap().events_for(&id).await.unwrap();
        let d: Value = serde_json::from_str(ev[2].detail.as_deref().unwrap()).unwrap();
        assert_eq!(d, json!({"order_was_voided": false}));

        let e = void(&h.app, "no-such-order").await.unwrap_err();
        assert_eq!((e.status(), e.code()), (404, "not_found"));
    });
}

#[test]
fn an_unpaid_link_expires() {
    let h = Harness::new();
    block_on(async {
        let l = link(&h, by_amount("10.00")).await.unwrap();
        let id = l.order.order_id.as_str().to_owned();
        h.tamara()
            .control("POST", "/_sandbox/clock/advance", json!({"minutes": 16}))
            .await;
        let o = poll(&h.app, &id).await.unwrap();
        assert_eq!(o.status, OrderStatus::Expired);
        assert_eq!(o.captured.minor(), 0);
    });
}

#[test]
fn a_reference_already_used_is_refused() {
    let h = Harness::new();
    block_on(async {
        let input = || InStoreIn {
            order_reference_id: Some("POS-7".into()),
            ..by_amount("10.00")
        };
        link(&h, input()).await.unwrap();
        let e = link(&h, input()).await.unwrap_err();
        assert_eq!(
            (e.status(), e.code()),
            (409, "order_reference_id_taken"),
            "{e}"
        );
        // Refused before Tamara was asked for a second session.
        assert_eq!(h.tamara().count(SESSION), 1);
        assert_eq!(h.db().query("SELECT * FROM orders").len(), 1);
        // Also against an online order's reference.
        let online = super::common::new_order(&h, &[("MUG-1", 1)]).await;
        let taken = h
            .app
            .store()
            .unwrap()
            .order_or_404(&online)
            .await
            .unwrap()
            .reference;
        let e = link(
            &h,
            InStoreIn {
                order_reference_id: Some(taken.as_str().to_owned()),
                ..by_amount("10.00")
            },
        )
        .await
        .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "order_reference_id_taken"));
        assert_eq!(h.tamara().count(SESSION), 1);
    });
}
