//! The widget's behaviour end to end, natively: inputs → phases, effects and texts. The fixtures
//! and the payment-options flows are here, the checkout flows in `checkout.rs`.

use super::*;

mod checkout;

fn money(minor: u64) -> Money {
    Money {
        minor,
        currency: "SAR".into(),
    }
}

fn config(lang: &str) -> Config {
    Config::new("http://w.test/", "SA", "SAR", lang).unwrap()
}

fn cart(items: &[(&str, u32)]) -> Cart {
    Cart {
        items: items
            .iter()
            .map(|(sku, quantity)| CartItem {
                sku: (*sku).into(),
                quantity: *quantity,
            })
            .collect(),
    }
}

fn offer(total: u64) -> PaymentOptions {
    PaymentOptions {
        available: true,
        amount: money(total),
        reason: None,
        options: vec![PaymentOption {
            payment_type: "PAY_BY_INSTALMENTS".into(),
            instalments: 4,
            instalment_amount: money(total / 4),
            label_en: "Split in 4".into(),
            label_ar: "قسّمها على 4".into(),
        }],
        min_limit: Some(money(10000)),
        max_limit: Some(money(500000)),
    }
}

fn customer() -> Customer {
    Customer {
        first_name: "Mona".into(),
        last_name: "Ali".into(),
        phone_number: "544337866".into(),
        email: Some("mona@example.com".into()),
    }
}

fn address() -> Address {
    Address {
        first_name: "Mona".into(),
        last_name: "Ali".into(),
        line1: "King Fahd Rd".into(),
        city: "Riyadh".into(),
        country_code: "SA".into(),
        ..Address::default()
    }
}

fn fmt(minor: u64) -> String {
    format!("SAR {}", minor_to_decimal(minor, 2))
}

fn query(items: &str, phone: Option<&str>) -> OptionsQuery {
    OptionsQuery {
        country: "SA".into(),
        currency: "SAR".into(),
        items: items.into(),
        phone: phone.map(Into::into),
    }
}

/// A widget whose `cart` the Worker offered Tamara for (a 230.00 offer).
fn ready(items: &[(&str, u32)]) -> Widget {
    let mut w = Widget::new(config("en"), "abc123");
    let fx = w.apply(Input::SetCart(cart(items)));
    let Effect::FetchOptions(seq, _) = &fx[0] else {
        panic!("{fx:?}")
    };
    w.apply(Input::OptionsLoaded(*seq, offer(23000)));
    assert_eq!(w.phase(), Phase::Ready);
    w
}

#[test]
fn cart_to_options_request_and_ready() {
    let mut w = Widget::new(config("en"), "n1");
    assert_eq!(w.phase(), Phase::Idle);
    // One request, straight from the cart: the Worker prices it.
    let fx = w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)])));
    assert_eq!(fx, vec![Effect::FetchOptions(1, query("TSHIRT-1:4", None))]);
    assert_eq!(w.phase(), Phase::Loading);
    let fx = w.apply(Input::OptionsLoaded(1, offer(23000)));
    assert_eq!(fx, vec![Effect::Availability(true)]);
    assert_eq!(w.phase(), Phase::Ready);
    let texts = w.texts(&fmt);
    assert_eq!(
        texts.options[0].text,
        "4 interest-free payments of SAR 57.50"
    );
    assert_eq!(texts.options[0].label, "Split in 4");
    assert_eq!(texts.button.unwrap().label, "Continue with Tamara");
    assert_eq!((texts.lang, texts.dir, texts.state), ("en", "ltr", "ready"));
}

#[test]
fn same_inputs_mean_no_fetch_and_same_view() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    let before = w.texts(&fmt);
    assert!(w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)]))).is_empty());
    assert_eq!(w.texts(&fmt), before);
    // The same lines split differently: same query, nothing to re-render.
    assert!(w
        .apply(Input::SetCart(cart(&[("TSHIRT-1", 2), ("TSHIRT-1", 2)])))
        .is_empty());
    assert_eq!(w.texts(&fmt), before);
    // Changing the cart: new query, new seq; the stale answer is ignored.
    let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
    assert_eq!(fx, vec![Effect::FetchOptions(2, query("MUG-1:1", None))]);
    assert!(w.apply(Input::OptionsLoaded(1, offer(11500))).is_empty());
    assert_eq!(w.phase(), Phase::Loading);
    let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1), ("TSHIRT-1", 1)])));
    assert!(matches!(&fx[..], [Effect::FetchOptions(3, q)] if q.items == "MUG-1:1,TSHIRT-1:1"));
    w.apply(Input::OptionsLoaded(2, offer(11500)));
    assert_eq!(w.phase(), Phase::Loading);
    w.apply(Input::OptionsLoaded(3, offer(17250)));
    assert_eq!(w.phase(), Phase::Ready);
}

#[test]
fn phone_changes_the_query() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    let fx = w.apply(Input::SetCustomer(customer()));
    assert_eq!(
        fx,
        vec![Effect::FetchOptions(
            2,
            query("TSHIRT-1:4", Some("544337866"))
        )]
    );
    assert!(w.apply(Input::SetCustomer(customer())).is_empty());
}

#[test]
fn empty_cart_is_idle() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    assert!(w.apply(Input::SetCart(Cart::default())).is_empty());
    assert_eq!(w.phase(), Phase::Idle);
    let texts = w.texts(&fmt);
    assert!(texts.options.is_empty() && texts.button.is_none());
    assert!(texts.status.starts_with("Add items"));
}

#[test]
fn unavailable_says_why_in_both_languages() {
    let mut w = Widget::new(config("en"), "n");
    w.apply(Input::SetCart(cart(&[("TSHIRT-1", 1)])));
    let answer = PaymentOptions {
        available: false,
        reason: Some(Reason {
            code: "amount_below_minimum".into(),
            message: "The order total is below Tamara's minimum of 100.00 SAR.".into(),
            message_ar: String::new(),
        }),
        options: vec![],
        ..offer(5750)
    };
    let fx = w.apply(Input::OptionsLoaded(1, answer));
    assert_eq!(fx, vec![Effect::Availability(false)]);
    assert_eq!(w.phase(), Phase::Unavailable);
    let t = w.texts(&fmt);
    assert_eq!(
        t.status,
        "Tamara isn't available for this order: the order total is below Tamara's minimum. Available for orders from SAR 100.00 to SAR 5000.00."
    );
    assert!(t.button.is_none() && t.options.is_empty());
    w.apply(Input::SetLang(Lang::Ar));
    let t = w.texts(&fmt);
    assert!(t.status.contains("أقل من الحد الأدنى"), "{}", t.status);
    // Above the limit: said so, and an Arabic amount's own period is not doubled.
    let mut w = Widget::new(config("ar"), "n");
    w.apply(Input::SetCart(cart(&[("WATCH-1", 8)])));
    let answer = PaymentOptions {
        available: false,
        reason: Some(Reason {
            code: "amount_above_maximum".into(),
            message: "Tamara is available up to SAR 10,000.00".into(),
            message_ar: String::new(),
        }),
        options: vec![],
        ..offer(1_039_200)
    };
    w.apply(Input::OptionsLoaded(1, answer));
    let arabic = |minor: u64| money_text(Lang::Ar, "SAR", 2, minor);
    let t = w.texts(&arabic);
    assert!(t.status.contains("أعلى من الحد الأقصى"), "{}", t.status);
    assert!(t.status.ends_with("ر.س.\u{200f}"), "{}", t.status);
    assert!(!t.status.contains(".."), "{}", t.status);
    w.apply(Input::SetLang(Lang::En));
    assert!(w
        .texts(&fmt)
        .status
        .contains("the order total is above Tamara's limit."));
    assert_eq!(t.dir, "rtl");
    // Available but no options: unavailable too, with a generic reason.
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetCart(cart(&[("TSHIRT-1", 3)])));
    let fx = w.apply(Input::OptionsLoaded(
        2,
        PaymentOptions {
            options: vec![],
            ..offer(17250)
        },
    ));
    assert_eq!(fx.len(), 1);
    assert_eq!(w.phase(), Phase::Unavailable);
    assert!(w.texts(&fmt).status.contains("can't be offered"));
}

#[test]
fn arabic_texts() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetLang(Lang::Ar));
    let t = w.texts(&fmt);
    assert_eq!(t.options[0].text, "4 دفعات بدون فوائد بقيمة SAR 57.50");
    assert_eq!(t.options[0].label, "قسّمها على 4");
    assert_eq!(t.title, "ادفع مع تمارا");
    assert_eq!((t.lang, t.dir), ("ar", "rtl"));
}

#[test]
fn options_error_then_retry() {
    let mut w = Widget::new(config("en"), "n");
    w.apply(Input::SetCart(cart(&[("MUG-1", 2)])));
    let fx = w.apply(Input::OptionsFailed(
        1,
        FetchError::Network("TypeError".into()),
    ));
    assert!(
        matches!(&fx[..], [Effect::Error(f)] if f.code == "network_error" && f.stage == Stage::Options)
    );
    let t = w.texts(&fmt);
    assert!(t.alert.starts_with("We couldn't reach the payment service"));
    assert_eq!(t.button.as_ref().map(|b| b.action), Some("retry"));
    // Same cart again while in error: nothing (no fetch storm, no re-render).
    let before = w.texts(&fmt);
    assert!(w.apply(Input::SetCart(cart(&[("MUG-1", 2)]))).is_empty());
    assert_eq!(w.texts(&fmt), before);
    let fx = w.apply(Input::Retry);
    assert!(matches!(&fx[..], [Effect::FetchOptions(2, _)]));
    w.apply(Input::OptionsLoaded(2, offer(23000)));
    assert_eq!(w.phase(), Phase::Ready);
}

#[test]
fn unknown_sku_and_invalid_cart() {
    // The Worker refuses a SKU it does not sell (422 unknown_sku).
    let mut w = Widget::new(config("en"), "n");
    w.apply(Input::SetCart(cart(&[("GONE-9", 1)])));
    let fx = w.apply(Input::OptionsFailed(
        1,
        FetchError::Http {
            status: 422,
            code: "unknown_sku".into(),
            message: "unknown SKU GONE-9".into(),
        },
    ));
    assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "unknown_sku"));
    let t = w.texts(&fmt);
    assert_eq!(
        t.alert,
        "A product in your cart is no longer sold (unknown SKU GONE-9)."
    );
    // The same cart again: no new request.
    assert!(w.apply(Input::SetCart(cart(&[("GONE-9", 1)]))).is_empty());
    // A line the Worker would refuse is not sent at all.
    let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1000)])));
    assert!(
        matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_cart" && f.stage == Stage::Cart && f.detail == "MUG-1")
    );
    assert!(w
        .texts(&fmt)
        .alert
        .starts_with("Your cart has an invalid item"));
    assert!(w
        .apply(Input::SetCart(cart(&[("MUG-1", 999), ("MUG-1", 1)])))
        .is_empty());
    // Fixed: one request.
    let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
    assert!(matches!(&fx[..], [Effect::FetchOptions(2, q)] if q.items == "MUG-1:1"));
}
