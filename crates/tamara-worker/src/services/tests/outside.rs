//! Findings of the outside attack on the redesigned Worker, kept fixed.

use serde_json::json;
use tamara_core::lifecycle::Movement;

use super::common::{approve, new_order};
use crate::http::body;
use crate::services::money::{move_money, MoveRequest};
use crate::services::orders::update_reference;
use crate::store::Source;
use crate::testing::{block_on, interleave, join_all, Harness, Racing};

/// Two admins racing for one reference: one wins, and Tamara is told only by the winner
/// (it used to be told by both, so two orders carried the reference at Tamara).
#[test]
fn racing_reference_updates_tell_tamara_once() {
    let h = Harness::new();
    block_on(async {
        let a = new_order(&h, &[("TSHIRT-1", 1)]).await;
        let b = new_order(&h, &[("MUG-1", 1)]).await;
        interleave(true);
        let racing: Vec<Racing<'_, Result<String, String>>> = vec![
            Box::pin(async {
                update_reference(&h.app, &a, "DUP-REF")
                    .await
                    .map_err(|e| e.code().to_owned())
            }),
            Box::pin(async {
                update_reference(&h.app, &b, "DUP-REF")
                    .await
                    .map_err(|e| e.code().to_owned())
            }),
        ];
        let out = join_all(racing).await;
        interleave(false);
        assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 1, "{out:?}");
        assert!(out
            .iter()
            .any(|r| r.as_ref().err().map(String::as_str) == Some("order_reference_id_taken")));
        assert_eq!(
            h.tamara().count("PUT /orders/"),
            1,
            "only the winner tells Tamara"
        );
        let at_tamara = h
            .tamara()
            .control("GET", "/_sandbox/orders", json!(null))
            .await;
        let holders = at_tamara
            .as_array()
            .or_else(|| at_tamara["orders"].as_array())
            .expect("orders")
            .iter()
            .filter(|o| o["order_reference_id"] == "DUP-REF")
            .count();
        assert_eq!(holders, 1);
    });
}

/// A refused Tamara call gives the reservation back.
#[test]
fn a_refused_reference_update_is_rolled_back() {
    let h = Harness::new();
    block_on(async {
        let a = new_order(&h, &[("TSHIRT-1", 1)]).await;
        let before = h
            .app
            .store()
            .unwrap()
            .order_or_404(&a)
            .await
            .unwrap()
            .reference;
        h.tamara()
            .fault("PUT /orders/", crate::testing::FaultKind::Status(400), 1);
        assert!(update_reference(&h.app, &a, "NEW-REF").await.is_err());
        let after = h
            .app
            .store()
            .unwrap()
            .order_or_404(&a)
            .await
            .unwrap()
            .reference;
        assert_eq!(after, before);
    });
}

/// A misspelt field on a money movement is refused instead of moving the whole remainder.
#[test]
fn misspelt_money_fields_are_refused() {
    for bad in [
        json!({"Amount": "1.00"}),
        json!({"amout": "1.00"}),
        json!({"k": 1}),
    ] {
        let e = body::from_value::<MoveRequest>(bad.clone()).unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "invalid_request"), "{bad}");
    }
    assert!(body::from_value::<MoveRequest>(json!({"amount": "1.00"})).is_ok());
}

/// Typed amounts are plain decimals: `1e2`, `.5`, `00010.00` and padded values are refused.
#[test]
fn typed_amounts_are_plain_decimals() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 2)]).await;
        approve(&h, &id, Source::Admin).await;
        for bad in ["1e2", ".5", "5.", "00010.00", " 10.00", "+1.00"] {
            let req = MoveRequest {
                amount: Some(bad.into()),
                ..MoveRequest::default()
            };
            let e = move_money(&h.app, &id, Movement::Capture, req)
                .await
                .unwrap_err();
            assert_eq!((e.status(), e.code()), (422, "invalid_amount"), "{bad:?}");
        }
        assert_eq!(h.tamara().count("POST /payments/capture"), 0);
    });
}
