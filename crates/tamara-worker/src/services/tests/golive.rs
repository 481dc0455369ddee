//! Go-live (issue 16): pre-checkout eligibility (greyed out, refused checkout, 200 ms fail
//! open, cache), the doctor, idempotent webhook registration, notification-token rotation, and
//! the fidelity fixes (ID verification with the country code, SA/AE only, webhook update keeps
//! `type`, payment-options refuses `amount` with `items`).

use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tamara_core::timestamp::Timestamp;
use tamara_core::token::{sign, Claims};
use tamara_core::webhooks::RegisterWebhook;
use tamara_core::{ApiToken, EventType, NotificationToken};

use super::common::{body, checkout};
use crate::services::doctor::{self, REQUIRED_EVENTS};
use crate::services::merchant::{self, WebhookUpdateIn};
use crate::services::payment_options::{payment_options, OptionsQuery};
use crate::services::{webhook, App};
use crate::store::Store;
use crate::tamara::Tamara;
use crate::testing::{self, block_on, FakeClock, Harness, MemSql, SandboxTransport};

const ELIGIBILITY: &str = "POST /pre-checkout/v1/eligibility";

/// A payment-options query from a client within its pre-check cap (the route's RL_PRE_CHECK).
fn options(phone: Option<&str>) -> OptionsQuery {
    OptionsQuery {
        items: Some("TSHIRT-1:2".into()),
        phone: phone.map(str::to_owned),
        pre_check_allowed: true,
        ..OptionsQuery::default()
    }
}

#[test]
fn a_shopper_tamara_would_refuse_sees_it_greyed_out_and_cannot_check_out() {
    let h = Harness::new();
    block_on(async {
        let v = payment_options(&h.app, &options(Some("504591298")))
            .await
            .unwrap();
        assert_eq!(v["available"], false, "{v}");
        assert_eq!(v["eligibility"], "not_eligible");
        assert_eq!(v["reason"]["code"], "customer_not_eligible");
        assert!(v["reason"]["message_ar"]
            .as_str()
            .unwrap()
            .contains("تمارا"));
        assert_eq!(v["options"], json!([]));
        // Asked once; the verdict is cached for the phone and the amount band.
        let _ = payment_options(&h.app, &options(Some("+966 50 459 1298")))
            .await
            .unwrap();
        assert_eq!(h.tamara().count(ELIGIBILITY), 1);
        // The checkout for that phone and amount is refused before Tamara is asked.
        let mut b = body(&[("TSHIRT-1", 2)]);
        b["consumer"]["phone_number"] = json!("504591298");
        let (status, v) = checkout(&h, None, &b).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["error"]["code"], "customer_not_eligible");
        assert_eq!(h.tamara().count("POST /checkout"), 0);
        // Nothing logged carries the phone.
        for w in h.clock.warnings.borrow().iter() {
            assert!(!w.contains("504591298"), "{w}");
        }
    });
}

#[test]
fn eligible_and_phoneless_shoppers_see_tamara() {
    let h = Harness::new();
    block_on(async {
        let v = payment_options(&h.app, &options(Some("966501234567")))
            .await
            .unwrap();
        assert_eq!(v["available"], true, "{v}");
        assert_eq!(v["eligibility"], "eligible");
        let v = payment_options(&h.app, &options(None)).await.unwrap();
        assert_eq!(v["available"], true);
        assert_eq!(v["eligibility"], "not_checked");
        assert_eq!(h.tamara().count(ELIGIBILITY), 1, "no phone, no call");
        let (status, v) = checkout(&h, None, &body(&[("TSHIRT-1", 2)])).await;
        assert_eq!(status, 201, "{v}");
    });
}

#[test]
fn eligibility_fails_open_within_its_200_ms_budget() {
    let h = Harness::new();
    block_on(async {
        h.tamara()
            .control(
                "POST",
                "/_sandbox/faults",
                json!({"route": ELIGIBILITY, "delay_ms": 1000, "count": 1}),
            )
            .await;
        let t = Instant::now();
        let v = payment_options(&h.app, &options(Some("504591298")))
            .await
            .unwrap();
        let took = t.elapsed();
        assert!(took < Duration::from_millis(600), "took {took:?}");
        assert_eq!(v["available"], true, "fail open: {v}");
        assert_eq!(v["eligibility"], "unknown");
        // An error answer fails open too, and no verdict was cached.
        h.tamara()
            .control(
                "POST",
                "/_sandbox/faults",
                json!({"route": ELIGIBILITY, "status": 500, "count": 1}),
            )
            .await;
        let v = payment_options(&h.app, &options(Some("504591298")))
            .await
            .unwrap();
        assert_eq!(v["eligibility"], "unknown");
        // Tamara answers again: the refusal is back.
        let v = payment_options(&h.app, &options(Some("504591298")))
            .await
            .unwrap();
        assert_eq!(v["eligibility"], "not_eligible");
    });
}

#[test]
fn payment_options_refuses_amount_and_items_together() {
    let h = Harness::new();
    block_on(async {
        let q = OptionsQuery {
            items: Some("TSHIRT-1:1".into()),
            amount: Some("100.00".into()),
            ..OptionsQuery::default()
        };
        let e = payment_options(&h.app, &q).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "amount_and_items"));
    });
}

#[test]
fn id_verification_sends_the_country_code_and_only_for_sa_and_ae() {
    let h = Harness::new();
    block_on(async {
        // The sandbox, like Tamara's sample, wants `966544337866`.
        let ok = merchant::id_verified(&h.app, Some("544337866"), Some("SA"))
            .await
            .unwrap();
        assert!(ok);
        let e = merchant::id_verified(&h.app, Some("99999999"), Some("KW"))
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "country_not_supported"));
        assert_eq!(h.tamara().count("GET /merchants/customer"), 1);
    });
}

#[test]
fn a_webhook_update_keeps_the_type_sent() {
    let h = Harness::new();
    block_on(async {
        let w = merchant::register(
            &h.app,
            RegisterWebhook::new(
                "https://shop.example.com/disputes",
                vec![EventType::OrderApproved],
            ),
        )
        .await
        .unwrap();
        let input: WebhookUpdateIn = serde_json::from_value(json!({
            "type": "dispute", "url": "https://shop.example.com/disputes",
            "events": ["order_approved"], "headers": []
        }))
        .unwrap();
        assert!(serde_json::from_value::<WebhookUpdateIn>(json!({
            "type": null, "url": "https://shop.example.com/disputes", "events": ["order_approved"]
        }))
        .is_err());
        let u = merchant::update(&h.app, w.webhook_id.as_str(), input)
            .await
            .unwrap();
        assert_eq!(
            u.webhook_type.map(|t| t.as_str().to_owned()).as_deref(),
            Some("dispute")
        );
    });
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report}"))
}

#[test]
fn ensure_registers_once_and_the_doctor_passes_after_it() {
    let h = Harness::new();
    block_on(async {
        let before = doctor::report(&h.app).await;
        assert_eq!(before["ok"], false);
        assert_eq!(check(&before, "tamara.webhook")["ok"], false);
        let first = doctor::ensure_webhook(&h.app).await.unwrap();
        assert_eq!(first["created"], true, "{first}");
        let id = first["webhook_id"].clone();
        // Again: Tamara says webhook_already_registered; its id is kept, nothing duplicated.
        let again = doctor::ensure_webhook(&h.app).await.unwrap();
        assert_eq!(
            (again["created"].clone(), again["webhook_id"].clone()),
            (json!(false), id.clone())
        );
        assert_eq!(merchant::list(&h.app).await.unwrap().0.len(), 1);
        let after = doctor::report(&h.app).await;
        assert_eq!(after["ok"], true, "{after:#}");
        // A registration missing events is completed, same id.
        let wid = id.as_str().unwrap().to_owned();
        let wid = wid.as_str();
        let input: WebhookUpdateIn = serde_json::from_value(json!({
            "url": "http://127.0.0.1:9/tamara/webhook", "events": ["order_approved"]
        }))
        .unwrap();
        merchant::update(&h.app, wid, input).await.unwrap();
        assert_eq!(doctor::report(&h.app).await["ok"], false);
        let fixed = doctor::ensure_webhook(&h.app).await.unwrap();
        assert_eq!(
            (fixed["updated"].clone(), fixed["webhook_id"].clone()),
            (json!(true), id)
        );
        let w = merchant::get(&h.app, wid).await.unwrap();
        assert!(REQUIRED_EVENTS.iter().all(|e| w.events.contains(e)));
        assert_eq!(doctor::report(&h.app).await["ok"], true);
    });
}

fn app_with(token: &str, overrides: &[(&str, &str)]) -> App<SandboxTransport, MemSql> {
    let cfg = Rc::new(testing::config(overrides));
    let client = tamara_core::Client::new(
        tamara_core::Environment::from_config(testing::API_BASE),
        ApiToken::new(token),
    );
    let tamara = Tamara::new(client, cfg.timeout_ms, SandboxTransport::new(false));
    App::new(
        cfg,
        Some(tamara),
        Some(Store::new(MemSql::new())),
        Rc::new(FakeClock::new(1_796_083_200_000)),
    )
}

#[test]
fn the_doctor_names_each_broken_configuration_and_never_a_secret() {
    block_on(async {
        // A token Tamara refuses.
        let app = app_with("not-the-token", &[]);
        let r = doctor::report(&app).await;
        assert_eq!(r["ok"], false);
        let c = check(&r, "tamara.api_token");
        assert_eq!(c["ok"], false);
        assert!(
            c["detail"]
                .as_str()
                .unwrap()
                .contains("refused the API token"),
            "{c}"
        );
        assert!(!r.to_string().contains("not-the-token"));
        assert!(!r.to_string().contains(testing::NOTIFICATION_TOKEN));
        // Missing secrets.
        let app = app_with(
            testing::API_TOKEN,
            &[("CART_SIGNING_KEY", ""), ("TAMARA_NOTIFICATION_TOKEN", "")],
        );
        let r = doctor::report(&app).await;
        assert_eq!(check(&r, "secret.CART_SIGNING_KEY")["ok"], false);
        assert_eq!(check(&r, "secret.TAMARA_NOTIFICATION_TOKEN")["ok"], false);
        assert_eq!(check(&r, "secret.TAMARA_API_TOKEN")["ok"], true);
        assert!(!r.to_string().contains(testing::API_TOKEN));
        // A deployed configuration with http URLs and a store outside ALLOWED_ORIGINS.
        let app = app_with(
            testing::API_TOKEN,
            &[
                ("TAMARA_API_BASE", "https://api.tamara.co"),
                ("PUBLIC_URL", "http://shop.example.com"),
                ("STORE_URL", "https://store.example.com"),
                ("ALLOWED_ORIGINS", "https://shop.example.com"),
            ],
        );
        let r = doctor::report(&app).await;
        let c = check(&r, "config.urls");
        assert_eq!(c["ok"], false);
        let d = c["detail"].as_str().unwrap();
        assert!(
            d.contains("PUBLIC_URL") && d.contains("STORE_URL's origin"),
            "{d}"
        );
        // D1 without the migrations.
        let app = app_with(testing::API_TOKEN, &[]);
        app.store().unwrap().sql().query("DROP TABLE refunds");
        let r = doctor::report(&app).await;
        let c = check(&r, "d1.migrations");
        assert_eq!(c["ok"], false);
        assert!(c["detail"].as_str().unwrap().contains("refunds"), "{c}");
    });
}

#[test]
fn the_previous_notification_token_is_accepted_while_rotating() {
    let now = 1_796_083_200_000;
    let bearer = |secret: &str| {
        format!(
            "Bearer {}",
            sign(
                &NotificationToken::new(secret),
                &Claims::tamara(Timestamp::from_millis(now))
            )
        )
    };
    let h = Harness::with(&[("TAMARA_NOTIFICATION_TOKEN", "new-secret")], false);
    assert!(webhook::verify(&h.app, Some(&bearer("new-secret")), None).is_ok());
    assert!(webhook::verify(&h.app, Some(&bearer("old-secret")), None).is_err());
    let h = Harness::with(
        &[
            ("TAMARA_NOTIFICATION_TOKEN", "new-secret"),
            ("TAMARA_NOTIFICATION_TOKEN_PREVIOUS", "old-secret"),
        ],
        false,
    );
    assert!(webhook::verify(&h.app, Some(&bearer("new-secret")), None).is_ok());
    assert!(webhook::verify(&h.app, Some(&bearer("old-secret")), None).is_ok());
    let e = webhook::verify(&h.app, Some(&bearer("forged")), None).unwrap_err();
    assert_eq!(e.status(), 401);
}
