//! Tamara's notifications through `services::webhook`: token verification (fail closed),
//! de-duplication, one authorise whoever races, forward-only status, money rows only from
//! Tamara's own transactions.

use serde_json::{json, Value};
use tamara_core::lifecycle::Movement;
use tamara_core::timestamp::Timestamp;
use tamara_core::token::{sign, Claims};
use tamara_core::webhooks::WebhookPayload;
use tamara_core::{NotificationToken, OrderStatus};

use super::common::{approve, new_order};
use crate::error::AppError;
use crate::services::redirect::{land, RedirectKind};
use crate::services::sync::sync_order;
use crate::services::{orders, webhook};
use crate::store::Source;
use crate::testing::{self, block_on, join_all, Harness, Racing, NOTIFICATION_TOKEN};

fn token(secret: &str, at_ms: i64) -> String {
    sign(
        &NotificationToken::new(secret),
        &Claims::tamara(Timestamp::from_millis(at_ms)),
    )
}

fn payload(order_id: &str, event: &str, data: Value) -> WebhookPayload {
    serde_json::from_value(json!({
        "order_id": order_id,
        "order_reference_id": "ref",
        "event_type": event,
        "data": data,
    }))
    .expect("payload")
}

fn approved(order_id: &str) -> WebhookPayload {
    payload(order_id, "order_approved", json!([]))
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

/// Authorise calls the Worker made (`POST /orders/{id}/authorise`).
fn authorises(h: &Harness) -> usize {
    h.tamara()
        .calls
        .borrow()
        .iter()
        .filter(|c| c.starts_with("POST /orders/") && c.ends_with("/authorise"))
        .count()
}

fn rejected(r: Result<(), AppError>) -> &'static str {
    match r {
        Err(e @ AppError::WebhookRejected(why)) => {
            assert_eq!(e.status(), 401);
            why
        }
        other => panic!("expected WebhookRejected, got {other:?}"),
    }
}

#[test]
fn verify_accepts_a_valid_token_in_the_header_or_the_query() {
    let h = Harness::new();
    let t = token(NOTIFICATION_TOKEN, h.app.now());
    let bearer = format!("Bearer {t}");
    webhook::verify(&h.app, Some(&bearer), None).unwrap();
    webhook::verify(&h.app, None, Some(&format!("tamaraToken={t}"))).unwrap();
    // Still valid 14 minutes later (Tamara's tokens live 15).
    h.clock.advance(14 * 60_000);
    webhook::verify(&h.app, Some(&bearer), None).unwrap();
}

#[test]
fn verify_rejects_wrong_secret_expired_and_missing_tokens_with_401() {
    let h = Harness::new();
    let now = h.app.now();
    let wrong = format!("Bearer {}", token("not-the-notification-token", now));
    assert_eq!(
        rejected(webhook::verify(&h.app, Some(&wrong), None)),
        "token_signature"
    );
    let old = format!("Bearer {}", token(NOTIFICATION_TOKEN, now - 20 * 60_000));
    assert_eq!(
        rejected(webhook::verify(&h.app, Some(&old), None)),
        "token_expired"
    );
    // A token valid when signed, presented after its 15 minutes (+ 60 s leeway).
    let fresh = format!("Bearer {}", token(NOTIFICATION_TOKEN, now));
    h.clock.advance(17 * 60_000);
    assert_eq!(
        rejected(webhook::verify(&h.app, Some(&fresh), None)),
        "token_expired"
    );
    assert_eq!(
        rejected(webhook::verify(&h.app, None, None)),
        "token_missing"
    );
    assert_eq!(
        rejected(webhook::verify(
            &h.app,
            Some("Bearer "),
            Some("tamaraToken=")
        )),
        "token_missing"
    );
    assert_eq!(
        rejected(webhook::verify(&h.app, Some("Bearer a.b.c"), None)),
        "token_malformed"
    );
}

#[test]
fn approved_rereads_tamara_and_authorises_once_and_duplicates_are_flagged() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 1)]).await;
        h.tamara().trigger(&id, "approve").await;
        let reads = h.tamara().count("GET /merchants/orders/");
        let out = webhook::handle(&h.app, &approved(&id)).await.unwrap();
        assert_eq!(
            out,
            json!({"ok": true, "status": "authorised", "authorised_now": true})
        );
        assert_eq!(h.tamara().count("GET /merchants/orders/"), reads + 1);
        assert_eq!(authorises(&h), 1);
        assert_eq!(status(&h, &id).await, OrderStatus::Authorised);

        let again = webhook::handle(&h.app, &approved(&id)).await.unwrap();
        assert_eq!(again, json!({"ok": true, "duplicate": true}));
        assert_eq!(authorises(&h), 1, "no second authorise");
        let ev = h.db().query(&format!(
            "SELECT processed FROM events WHERE order_id = '{id}' AND dedupe_key LIKE 'webhook:%'"
        ));
        assert_eq!(ev, vec![json!({"processed": 1})], "one audit row");
    });
}

#[test]
fn twenty_deliveries_racing_a_redirect_and_the_poll_authorise_once() {
    let h = Harness::new();
    testing::interleave(true);
    block_on(async {
        let id = new_order(&h, &[("SNEAKER-1", 1)]).await;
        h.tamara().trigger(&id, "approve").await;
        h.clock
            .advance(crate::services::orders::REFRESH_AFTER_MS + 1);
        let kinds = [
            "order_approved",
            "order_authorised",
            "order_declined",
            "order_expired",
            "order_canceled",
        ];
        let mut futs: Vec<Racing<'_, String>> = Vec::new();
        for i in 0..20 {
            let kind = kinds[i % kinds.len()];
            // Every delivery distinct (a distinct dedupe key), so none is a duplicate.
            let p = if i < kinds.len() {
                payload(&id, kind, json!([]))
            } else {
                payload(
                    &id,
                    "order_captured",
                    json!({"capture_id": format!("cap-{i}"),
                           "captured_amount": {"amount": 1, "currency": "SAR"}}),
                )
            };
            let h = &h;
            futs.push(Box::pin(async move {
                match webhook::handle(&h.app, &p).await {
                    Ok(v) => v.to_string(),
                    Err(e) => format!("error {}", e.code()),
                }
            }));
            if i == 7 {
                futs.push(Box::pin(async {
                    let to = land(&h.app, RedirectKind::Success, Some(&id), Some("approved"))
                        .await
                        .unwrap()
                        .unwrap_or_default();
                    format!("redirect {to}")
                }));
            }
            if i == 12 {
                futs.push(Box::pin(async {
                    let o = orders::public_status(&h.app, &id).await.unwrap();
                    format!("poll {}", o.status)
                }));
            }
        }
        let out = join_all(futs).await;
        assert_eq!(out.len(), 22);
        assert!(!out.iter().any(|o| o.starts_with("error")), "{out:#?}");
        assert_eq!(authorises(&h), 1, "{out:#?}");
        let now = out
            .iter()
            .filter(|o| o.contains(r#""authorised_now":true"#));
        assert!(now.count() <= 1, "{out:#?}");
        assert_eq!(status(&h, &id).await, OrderStatus::Authorised);
        let redirect = out.iter().find(|o| o.starts_with("redirect")).unwrap();
        assert!(redirect.contains("/thank-you.html?order_id="), "{redirect}");
        // Every delivery ends processed; none stored a money row (Tamara shows no capture).
        let unprocessed = h
            .db()
            .query("SELECT dedupe_key FROM events WHERE source = 'webhook' AND processed = 0");
        assert!(unprocessed.is_empty(), "{unprocessed:?}");
        assert!(h.db().query("SELECT capture_id FROM captures").is_empty());
        let auth_events = h
            .db()
            .query("SELECT id FROM events WHERE kind = 'authorise'");
        assert_eq!(auth_events.len(), 1);
    });
}

#[test]
fn captured_before_approved_never_moves_backward() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 2)]).await;
        // At Tamara the order went all the way (approved, authorised, captured) while none of
        // the notifications had arrived yet.
        for e in ["approve", "authorise", "capture"] {
            h.tamara().trigger(&id, e).await;
        }
        // The notification names Tamara's own capture (a body naming an unknown one is ignored).
        let remote = h
            .app
            .tamara()
            .unwrap()
            .call(&tamara_core::orders::GetOrder::new(
                tamara_core::OrderId::new(id.clone()),
            ))
            .await
            .unwrap();
        let capture_id = remote.transactions.captures[0]
            .capture_id
            .as_str()
            .to_owned();
        let cap = json!({"capture_id": capture_id, "captured_amount": {"amount": 115, "currency": "SAR"}});
        let out = webhook::handle(&h.app, &payload(&id, "order_captured", cap))
            .await
            .unwrap();
        assert_eq!(out["status"], "fully_captured", "{out}");
        assert_eq!(out["authorised_now"], false);
        let out = webhook::handle(&h.app, &approved(&id)).await.unwrap();
        assert_eq!(out["status"], "fully_captured", "{out}");
        let out = webhook::handle(&h.app, &payload(&id, "order_authorised", json!([])))
            .await
            .unwrap();
        assert_eq!(out["status"], "fully_captured", "{out}");
        assert_eq!(status(&h, &id).await, OrderStatus::FullyCaptured);
        assert_eq!(authorises(&h), 0, "Tamara had authorised it already");
        // The capture row is Tamara's, not the notification's.
        let ids = h
            .app
            .store()
            .unwrap()
            .movement_ids(Movement::Capture, &id)
            .await
            .unwrap();
        assert_eq!(ids.len(), 1);
        assert_ne!(ids[0], "whatever");
        let o = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(o.captured, o.total);
    });
}

#[test]
fn late_approved_after_capture_changes_nothing() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("DATES-1", 1)]).await;
        let s = approve(&h, &id, Source::Redirect).await;
        assert!(s.authorised_now);
        h.tamara().trigger(&id, "capture").await;
        let order = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        let s = sync_order(&h.app, order, Source::Admin, None)
            .await
            .unwrap();
        assert_eq!(s.order.status, OrderStatus::FullyCaptured);
        let version = s.order.version;

        for late in ["order_approved", "order_authorised"] {
            let out = webhook::handle(&h.app, &payload(&id, late, json!([])))
                .await
                .unwrap();
            assert_eq!(out["status"], "fully_captured", "{late}: {out}");
            assert_eq!(out["authorised_now"], false);
        }
        let o = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(o.status, OrderStatus::FullyCaptured);
        assert_eq!(o.version, version, "no write to the order");
        assert_eq!(authorises(&h), 1);
    });
}

#[test]
fn unknown_order_is_ignored() {
    let h = Harness::new();
    block_on(async {
        let p = approved("3f0e1c2a-0000-4000-8000-00000000beef");
        let out = webhook::handle(&h.app, &p).await.unwrap();
        assert_eq!(out, json!({"ok": true, "ignored": "unknown_order"}));
        assert!(h.tamara().calls.borrow().is_empty(), "Tamara not called");
        // Nothing is kept for an order this Worker never created (a forged body stores nothing).
        let ev = h
            .db()
            .query("SELECT processed FROM events WHERE source = 'webhook'");
        assert_eq!(ev, Vec::<serde_json::Value>::new());
        let again = webhook::handle(&h.app, &p).await.unwrap();
        assert_eq!(again, json!({"ok": true, "ignored": "unknown_order"}));
    });
}

#[test]
fn forged_capture_stores_no_money_row() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("WATCH-1", 1)]).await;
        h.tamara().trigger(&id, "approve").await;
        webhook::handle(&h.app, &approved(&id)).await.unwrap();
        assert_eq!(status(&h, &id).await, OrderStatus::Authorised);

        let forged = payload(
            &id,
            "order_captured",
            json!({"capture_id": "forged-capture-1",
                   "captured_amount": {"amount": 1299, "currency": "SAR"}}),
        );
        let out = webhook::handle(&h.app, &forged).await.unwrap();
        assert_eq!(out["status"], "authorised", "{out}");
        assert!(h.db().query("SELECT capture_id FROM captures").is_empty());
        let o = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(o.status, OrderStatus::Authorised);
        assert!(o.captured.is_zero());
    });
}
