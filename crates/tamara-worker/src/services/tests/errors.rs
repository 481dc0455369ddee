//! Error mapping: what a service answers when Tamara fails (5xx, 429, 401, 404, unreachable),
//! when D1 fails, and when a secret or binding is missing. Statuses and codes are the stable
//! ones of `crate::error`; bodies carry no SQL and no upstream detail.

use std::rc::Rc;

use serde_json::json;
use tamara_core::lifecycle::Movement;
use tamara_core::orders::GetOrder;
use tamara_core::{OrderId, OrderStatus};

use super::common::{approve, new_order};
use crate::error::AppError;
use crate::services::in_store::{create_link, InStoreIn};
use crate::services::money::{move_money, MoveRequest};
use crate::services::payment_options::{payment_options, OptionsQuery};
use crate::services::App;
use crate::store::{Source, Store};
use crate::testing::{block_on, config, FakeClock, FaultKind, Harness, MemSql, SandboxTransport};

const CAPTURE: &str = "POST /payments/capture";
const GET_ORDER: &str = "GET /merchants/orders/";
const TYPES: &str = "GET /checkout/payment-types";
const PRE_CHECK: &str = "POST /checkout/payment-options-pre-check";

async fn authorised(h: &Harness) -> String {
    let id = new_order(h, &[("TSHIRT-1", 2)]).await;
    let s = approve(h, &id, Source::Redirect).await;
    assert_eq!(s.order.status, OrderStatus::Authorised);
    id
}

async fn captured_at_tamara(h: &Harness, id: &str) -> usize {
    h.app
        .tamara()
        .unwrap()
        .call(&GetOrder::new(OrderId::new(id.to_owned())))
        .await
        .unwrap()
        .transactions
        .captures
        .len()
}

/// The body of an error is `{"error": {"code", "message"}}` and says nothing internal.
fn assert_clean_body(e: &AppError) {
    let body = e.body();
    assert_eq!(body["error"]["code"], json!(e.code()));
    let text = body.to_string();
    for leak in [
        "INSERT",
        "SELECT",
        "captures",
        "D1_ERROR",
        "sqlite",
        "sandbox-api-token",
    ] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

/// One capture under a scripted fault: `(error, capture calls sent)`.
fn capture_under(kind: FaultKind, times: u32) -> (AppError, usize, usize) {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        h.tamara().fault(CAPTURE, kind, times);
        let e = move_money(&h.app, &id, Movement::Capture, MoveRequest::default())
            .await
            .expect_err("the capture fails");
        assert!(h.db().query("SELECT * FROM captures").is_empty());
        let local = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(local.status, OrderStatus::Authorised);
        assert_eq!(local.captured.minor(), 0);
        (
            e,
            h.tamara().count(CAPTURE),
            captured_at_tamara(&h, &id).await,
        )
    })
}

#[test]
fn tamara_failures_on_a_capture() {
    // (fault, times, status, code, capture calls sent)
    let cases: [(FaultKind, u32, u16, &str, usize); 7] = [
        // Outcome unknown: re-read, retried once, then the error.
        (FaultKind::Status(500), 2, 503, "tamara_unavailable", 2),
        (FaultKind::Status(503), 2, 503, "tamara_unavailable", 2),
        (FaultKind::Status(429), 2, 503, "tamara_rejected", 2),
        (FaultKind::Unreachable, 2, 504, "tamara_timeout", 2),
        // Definite answers: never retried.
        (FaultKind::Status(401), 1, 502, "tamara_unauthorized", 1),
        (FaultKind::Status(404), 1, 404, "order_not_found", 1),
        (FaultKind::Status(400), 1, 422, "tamara_rejected", 1),
    ];
    for (kind, times, status, code, sent) in cases {
        let (e, n, booked) = capture_under(kind, times);
        assert_eq!((e.status(), e.code()), (status, code), "{kind:?}: {e}");
        assert_eq!(n, sent, "{kind:?}: capture calls");
        assert_eq!(booked, 0, "{kind:?}: nothing captured at Tamara");
        assert_clean_body(&e);
    }
}

#[test]
fn a_transient_capture_failure_is_retried_once_and_succeeds() {
    for kind in [FaultKind::Status(500), FaultKind::Status(429)] {
        let h = Harness::new();
        block_on(async {
            let id = authorised(&h).await;
            h.tamara().fault(CAPTURE, kind, 1);
            let m = move_money(&h.app, &id, Movement::Capture, MoveRequest::default())
                .await
                .unwrap();
            assert_eq!(m.amount.minor(), 11_500);
            assert_eq!(m.status, OrderStatus::FullyCaptured);
            assert_eq!(h.tamara().count(CAPTURE), 2, "{kind:?}");
            assert_eq!(captured_at_tamara(&h, &id).await, 1);
            assert_eq!(h.db().query("SELECT * FROM captures").len(), 1);
        });
    }
}

#[test]
fn tamara_failures_on_the_read_before_a_capture() {
    // GETs are retried by the client (3 attempts); the capture is never sent.
    let cases: [(FaultKind, u32, u16, &str, usize); 5] = [
        (FaultKind::Status(500), 3, 503, "tamara_unavailable", 3),
        (FaultKind::Status(429), 3, 503, "tamara_rejected", 3),
        (FaultKind::Unreachable, 3, 504, "tamara_timeout", 3),
        (FaultKind::Status(401), 1, 502, "tamara_unauthorized", 1),
        // Tamara does not know the order: the merchant's 404.
        (FaultKind::Status(404), 1, 404, "not_found", 1),
    ];
    for (kind, times, status, code, reads) in cases {
        let h = Harness::new();
        block_on(async {
            let id = authorised(&h).await;
            let before = h.tamara().count(GET_ORDER);
            h.tamara().fault(GET_ORDER, kind, times);
            let e = move_money(&h.app, &id, Movement::Capture, MoveRequest::default())
                .await
                .unwrap_err();
            assert_eq!((e.status(), e.code()), (status, code), "{kind:?}: {e}");
            assert_eq!(h.tamara().count(GET_ORDER) - before, reads, "{kind:?}");
            assert_eq!(h.tamara().count(CAPTURE), 0, "{kind:?}");
            assert_clean_body(&e);
        });
    }
}

fn options_query() -> OptionsQuery {
    OptionsQuery {
        amount: Some("300.00".into()),
        ..OptionsQuery::default()
    }
}

#[test]
fn tamara_failures_on_payment_options() {
    // Payment types are a GET: retried up to 3 attempts on transient errors.
    let cases: [(FaultKind, u32, u16, &str, usize); 6] = [
        (FaultKind::Status(500), 3, 503, "tamara_unavailable", 3),
        (FaultKind::Status(502), 3, 503, "tamara_unavailable", 3),
        (FaultKind::Status(429), 3, 503, "tamara_rejected", 3),
        (FaultKind::Unreachable, 3, 504, "tamara_timeout", 3),
        (FaultKind::Status(401), 1, 502, "tamara_unauthorized", 1),
        (FaultKind::Status(404), 1, 404, "order_not_found", 1),
    ];
    for (kind, times, status, code, calls) in cases {
        let h = Harness::new();
        block_on(async {
            h.tamara().fault(TYPES, kind, times);
            let e = payment_options(&h.app, &options_query()).await.unwrap_err();
            assert_eq!((e.status(), e.code()), (status, code), "{kind:?}: {e}");
            assert_eq!(h.tamara().count(TYPES), calls, "{kind:?}");
            assert_clean_body(&e);
        });
    }
    // The pre-check is a POST: sent once.
    let h = Harness::new();
    block_on(async {
        h.tamara().fault(PRE_CHECK, FaultKind::Status(500), 1);
        let q = OptionsQuery {
            phone: Some("544337866".into()),
            pre_check_allowed: true,
            ..options_query()
        };
        let e = payment_options(&h.app, &q).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (503, "tamara_unavailable"));
        assert_eq!(h.tamara().count(PRE_CHECK), 1);
    });
    // Two transient failures, then an answer. The pre-check case above cached the payment
    // types (per thread, for PAYMENT_OPTIONS_TTL_SECONDS): let them lapse.
    let h = Harness::new();
    h.clock.advance(301_000);
    block_on(async {
        h.tamara().fault(TYPES, FaultKind::Status(500), 2);
        let v = payment_options(&h.app, &options_query()).await.unwrap();
        assert_eq!(h.tamara().count(TYPES), 3);
        assert_eq!(v["amount"]["amount"], json!("300.00"), "{v}");
    });
}

#[test]
fn a_d1_failure_is_500_storage_error_without_sql() {
    let h = Harness::new();
    block_on(async {
        let id = authorised(&h).await;
        *h.db().fail_when.borrow_mut() = Some("INTO captures".into());
        let e = move_money(&h.app, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (500, "storage_error"));
        assert!(
            e.log_detail().contains("captures"),
            "the log keeps the detail"
        );
        assert_clean_body(&e);
        // Tamara booked it; the next read stores Tamara's row, and no second capture goes out.
        assert_eq!(h.tamara().count(CAPTURE), 1);
        assert_eq!(captured_at_tamara(&h, &id).await, 1);
        *h.db().fail_when.borrow_mut() = None;
        let e = move_money(&h.app, &id, Movement::Capture, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "invalid_state"));
        assert_eq!(h.tamara().count(CAPTURE), 1);
        let rows = h.db().query("SELECT amount_minor FROM captures");
        assert_eq!(rows, vec![json!({"amount_minor": 11_500})]);
        let local = h.app.store().unwrap().order_or_404(&id).await.unwrap();
        assert_eq!(local.status, OrderStatus::FullyCaptured);

        // Reading the order fails: nothing reaches Tamara.
        let calls = h.tamara().calls.borrow().len();
        *h.db().fail_when.borrow_mut() = Some("FROM orders".into());
        let e = move_money(&h.app, &id, Movement::Refund, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (500, "storage_error"));
        assert_clean_body(&e);
        assert_eq!(h.tamara().calls.borrow().len(), calls);
    });
}

/// The services without Tamara (no `TAMARA_API_TOKEN`), over a database holding one
/// authorised order `o-1`.
fn app_without_tamara() -> App<SandboxTransport, MemSql> {
    let cfg = config(&[("TAMARA_API_TOKEN", "")]);
    assert_eq!(
        cfg.tamara_client().unwrap_err(),
        AppError::ConfigMissing("TAMARA_API_TOKEN")
    );
    let db = MemSql::new();
    db.query(
        "INSERT INTO orders (order_id, order_reference_id, status, country, currency, \
         total_minor, created_at, updated_at, authorised_at) \
         VALUES ('o-1', 'r-1', 'authorised', 'SA', 'SAR', 10000, 1, 1, 1)",
    );
    App::new(
        Rc::new(cfg),
        None,
        Some(Store::new(db)),
        Rc::new(FakeClock::new(1_796_083_200_000)),
    )
}

#[test]
fn a_missing_api_token_is_503_config_missing() {
    let app = app_without_tamara();
    block_on(async {
        let errors = [
            move_money(&app, "o-1", Movement::Capture, MoveRequest::default())
                .await
                .unwrap_err(),
            payment_options(&app, &options_query()).await.unwrap_err(),
            create_link(
                &app,
                InStoreIn {
                    phone_number: "544337866".into(),
                    amount: Some("10.00".into()),
                    items: None,
                    order_reference_id: None,
                    locale: None,
                    email: None,
                },
            )
            .await
            .unwrap_err(),
        ];
        for e in errors {
            assert_eq!((e.status(), e.code()), (503, "config_missing"), "{e}");
            assert!(e.message().contains("TAMARA_API_TOKEN"), "{e}");
            assert!(!e.body().to_string().contains("sandbox-api-token"));
        }
        // Input errors are still reported first.
        let e = payment_options(
            &app,
            &OptionsQuery {
                amount: Some("0".into()),
                ..OptionsQuery::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "invalid_amount"));
        // Nothing was written.
        let db = app.store().unwrap().sql();
        assert!(db.query("SELECT * FROM captures").is_empty());
        assert_eq!(db.query("SELECT * FROM orders").len(), 1);
    });
}

#[test]
fn a_missing_d1_binding_is_503_config_missing() {
    let h = Harness::new();
    let app: App<SandboxTransport, MemSql> = App::new(
        h.app.cfg.clone(),
        None,
        None,
        Rc::new(FakeClock::new(1_796_083_200_000)),
    );
    block_on(async {
        let e = move_money(&app, "o-1", Movement::Capture, MoveRequest::default())
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (503, "config_missing"));
        assert!(e.message().contains("DB"), "{e}");
    });
}
