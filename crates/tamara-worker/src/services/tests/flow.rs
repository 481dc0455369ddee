//! The whole online flow through the services.

use tamara_core::lifecycle::Movement;
use tamara_core::OrderStatus;

use super::common::{approve, new_order};
use crate::services::money::{move_money, MoveRequest};
use crate::store::Source;
use crate::testing::{block_on, Harness};

#[test]
fn checkout_approve_authorise_capture_refund() {
    let h = Harness::new();
    block_on(async {
        let id = new_order(&h, &[("TSHIRT-1", 2)]).await;
        let s = approve(&h, &id, Source::Redirect).await;
        assert!(s.authorised_now);
        assert_eq!(s.order.status, OrderStatus::Authorised);
        let half = MoveRequest {
            amount: Some("10.00".into()),
            ..MoveRequest::default()
        };
        let m = move_money(&h.app, &id, Movement::Capture, half)
            .await
            .unwrap();
        assert_eq!(m.status, OrderStatus::PartiallyCaptured);
        let r = move_money(&h.app, &id, Movement::Refund, MoveRequest::default())
            .await
            .unwrap();
        assert_eq!(r.amount.to_decimal_string(), "10.00");
        assert_eq!(h.tamara().count("POST /orders/"), 1, "one authorise");
    });
}
