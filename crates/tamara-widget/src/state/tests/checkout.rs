//! Checkout flows: submit, idempotency keys, refused and failed checkouts, the redirect, the
//! body's JSON shape.

use super::*;

#[test]
fn only_http_checkout_urls_are_followed() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetCustomer(customer()));
    w.apply(Input::OptionsLoaded(2, offer(23000)));
    w.apply(Input::SetShipping(address()));
    w.apply(Input::Submit);
    let fx = w.apply(Input::CheckoutCreated(CheckoutCreated {
        order_id: "o".into(),
        checkout_url: "javascript:alert(1)".into(),
    }));
    assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_response"));
    // Not the shopper's details: a plain "couldn't be started".
    assert!(!w.texts(&fmt).alert.contains("check your details"));
    w.apply(Input::Retry);
    let fx = w.apply(Input::CheckoutCreated(CheckoutCreated {
        order_id: "o".into(),
        checkout_url: "HTTPS://t/x".into(),
    }));
    assert!(matches!(&fx[..], [Effect::Redirect(_)]));
    w.apply(Input::RedirectCanceled);
    w.apply(Input::Submit);
    let fx = w.apply(Input::CheckoutCreated(CheckoutCreated {
        order_id: "o".into(),
        checkout_url: "http".into(),
    }));
    assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_response"));
    assert_eq!(w.phase(), Phase::Error);
}

#[test]
fn submit_sends_skus_only_with_one_key_per_attempt() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    // Missing details: a notice, no request.
    let fx = w.apply(Input::Submit);
    assert!(
        matches!(&fx[..], [Effect::Error(f)] if f.stage == Stage::Input && f.detail.contains("first_name"))
    );
    assert_eq!(w.phase(), Phase::Ready);
    assert_eq!(
        w.texts(&fmt).alert,
        "Please complete your details before paying with Tamara: first name, last name, mobile number, address, city, country."
    );
    w.apply(Input::SetCustomer(customer()));
    let fx = w.apply(Input::OptionsLoaded(2, offer(23000)));
    assert_eq!(fx.len(), 1);
    w.apply(Input::SetShipping(address()));
    let fx = w.apply(Input::Submit);
    let [Effect::CreateCheckout(key, body)] = &fx[..] else {
        panic!("{fx:?}")
    };
    assert_eq!(key, "tw-abc123-1");
    assert_eq!(body.cart, cart(&[("TSHIRT-1", 4)]));
    assert_eq!((body.locale, body.country.as_str()), ("en_US", "SA"));
    assert_eq!(w.phase(), Phase::Submitting);
    let t = w.texts(&fmt);
    assert!(t.button.unwrap().disabled && t.busy);
    // Double click: nothing more.
    assert!(w.apply(Input::Submit).is_empty());
    // Network failure, retry: same key (the Worker answers with the same session).
    w.apply(Input::CheckoutFailed(FetchError::Network("offline".into())));
    assert_eq!(w.phase(), Phase::Error);
    let fx = w.apply(Input::Retry);
    assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-1"));
    // Validation error (4xx): back to ready with the Worker's message.
    let fx = w.apply(Input::CheckoutFailed(FetchError::Http {
        status: 422,
        code: "invalid_request".into(),
        message: "phone_number is not a Saudi mobile number".into(),
    }));
    assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_request"));
    assert_eq!(w.phase(), Phase::Ready);
    // The shopper reads words, never the Worker's field paths.
    assert_eq!(
        w.texts(&fmt).alert,
        "Tamara checkout couldn't be started: please check your details and try again."
    );
    // Details fixed → different body → new key.
    w.apply(Input::SetShipping(Address {
        city: "Jeddah".into(),
        ..address()
    }));
    let fx = w.apply(Input::Submit);
    assert!(
        matches!(&fx[..], [Effect::CreateCheckout(k, b)] if k == "tw-abc123-2" && b.shipping_address.city == "Jeddah")
    );
    let created = CheckoutCreated {
        order_id: "o1".into(),
        checkout_url: "http://t/checkout/1".into(),
    };
    assert_eq!(
        w.apply(Input::CheckoutCreated(created.clone())),
        vec![Effect::Redirect(created)]
    );
    assert_eq!(w.phase(), Phase::Redirecting);
    assert!(w.apply(Input::Submit).is_empty());
    // Host canceled the redirect: ready again; the next attempt gets a new key.
    w.apply(Input::RedirectCanceled);
    assert_eq!(w.phase(), Phase::Ready);
    let fx = w.apply(Input::Submit);
    assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-3"));
}

#[test]
fn options_error_after_a_refused_checkout_retries_the_options() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetCustomer(customer()));
    w.apply(Input::OptionsLoaded(2, offer(23000)));
    w.apply(Input::SetShipping(address()));
    w.apply(Input::Submit);
    w.apply(Input::CheckoutFailed(FetchError::Http {
        status: 422,
        code: "invalid_request".into(),
        message: "bad".into(),
    }));
    w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
    w.apply(Input::OptionsFailed(3, FetchError::Network("x".into())));
    assert_eq!(w.phase(), Phase::Error);
    assert!(matches!(
        &w.apply(Input::Retry)[..],
        [Effect::FetchOptions(4, _)]
    ));
}

#[test]
fn reused_key_gets_a_new_one_and_cart_changes_while_submitting_apply_after() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetCustomer(customer()));
    w.apply(Input::OptionsLoaded(2, offer(23000)));
    w.apply(Input::SetShipping(address()));
    w.apply(Input::Submit);
    assert!(w.apply(Input::SetCart(cart(&[("MUG-1", 1)]))).is_empty());
    let fx = w.apply(Input::CheckoutFailed(FetchError::Http {
        status: 409,
        code: "idempotency_key_reused".into(),
        message: "different body".into(),
    }));
    // The error event, then the deferred options query for the new cart.
    assert!(
        matches!(&fx[..], [Effect::Error(_), Effect::FetchOptions(3, q)] if q.items == "MUG-1:1")
    );
    w.apply(Input::OptionsLoaded(3, offer(11500)));
    let fx = w.apply(Input::Submit);
    assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-2"));
}

#[test]
fn select_and_checkout_body_json_shape() {
    let mut w = ready(&[("TSHIRT-1", 1)]);
    w.apply(Input::Select(5));
    assert_eq!(w.texts(&fmt).selected, 0);
    let body = CheckoutRequest {
        cart: cart(&[("A", 2), ("B\"\\\n", 1)]),
        consumer: customer(),
        shipping_address: Address {
            line2: Some("Apt 4".into()),
            ..address()
        },
        locale: "ar_SA",
        country: "SA".into(),
        return_urls: ReturnUrls::default(),
        payment_type: "PAY_BY_INSTALMENTS".into(),
        instalments: 4,
    };
    // Prices never travel: the body holds SKUs and quantities only.
    assert_eq!(
        body.to_json(),
        concat!(
            r#"{"cart":{"items":[{"sku":"A","quantity":2},{"sku":"B\"\\\u000a","quantity":1}]},"#,
            r#""signed_cart":null,"consumer":{"first_name":"Mona","last_name":"Ali","#,
            r#""phone_number":"544337866","email":"mona@example.com"},"#,
            r#""shipping_address":{"first_name":"Mona","last_name":"Ali","line1":"King Fahd Rd","#,
            r#""line2":"Apt 4","city":"Riyadh","country_code":"SA"},"billing_address":null,"#,
            r#""locale":"ar_SA","country":"SA","payment_type":"PAY_BY_INSTALMENTS","instalments":4}"#
        )
    );
    let empty = CheckoutRequest {
        cart: Cart::default(),
        consumer: Customer::default(),
        shipping_address: Address::default(),
        locale: "en_US",
        country: "SA".into(),
        return_urls: ReturnUrls::default(),
        payment_type: String::new(),
        instalments: 0,
    };
    assert!(empty
        .to_json()
        .starts_with(r#"{"cart":{"items":[]},"signed_cart":null,"#));
}

#[test]
fn checkout_body_carries_the_merchants_return_pages() {
    let body = CheckoutRequest {
        cart: cart(&[("A", 1)]),
        consumer: customer(),
        shipping_address: address(),
        locale: "en_US",
        country: "SA".into(),
        payment_type: String::new(),
        instalments: 0,
        return_urls: ReturnUrls {
            success: Some("https://shop.example/orders/{order_id}".into()),
            failure: None,
            cancel: Some("https://shop.example/cart?x=\"1\"".into()),
        },
    };
    assert!(body.to_json().ends_with(concat!(
        r#""locale":"en_US","country":"SA","return_urls":{"#,
        r#""success":"https://shop.example/orders/{order_id}","#,
        r#""cancel":"https://shop.example/cart?x=\"1\""}}"#
    )));
}

/// Three plans for 230 SAR: the one on screen is the one sent, whichever the shopper picked.
fn three_plans(total: u64) -> PaymentOptions {
    let option = |payment_type: &str, instalments: u32| PaymentOption {
        payment_type: payment_type.into(),
        instalments,
        instalment_amount: money(total / u64::from(instalments)),
        label_en: String::new(),
        label_ar: String::new(),
    };
    PaymentOptions {
        options: vec![
            option("PAY_BY_INSTALMENTS", 3),
            option("PAY_BY_INSTALMENTS", 4),
            option("PAY_NOW", 1),
        ],
        ..offer(total)
    }
}

#[test]
fn the_chosen_plan_is_sent() {
    for (index, want) in [
        ("PAY_BY_INSTALMENTS", 3),
        ("PAY_BY_INSTALMENTS", 4),
        ("PAY_NOW", 1),
    ]
    .into_iter()
    .enumerate()
    {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetCustomer(customer()));
        w.apply(Input::OptionsLoaded(2, three_plans(23000)));
        w.apply(Input::SetShipping(address()));
        w.apply(Input::Select(index));
        let fx = w.apply(Input::Submit);
        let [Effect::CreateCheckout(_, body)] = &fx[..] else {
            panic!("{fx:?}")
        };
        assert_eq!((body.payment_type.as_str(), body.instalments), want);
        let json = body.to_json();
        assert!(
            json.contains(&format!(
                r#""payment_type":"{}","instalments":{}"#,
                want.0, want.1
            )),
            "{json}"
        );
    }
}

#[test]
fn refused_plan_and_bad_phone_in_words() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetCustomer(customer()));
    w.apply(Input::OptionsLoaded(2, three_plans(23000)));
    w.apply(Input::SetShipping(address()));
    w.apply(Input::Submit);
    w.apply(Input::CheckoutFailed(FetchError::Http {
        status: 422,
        code: "plan_not_available".into(),
        message: "the chosen payment plan is not offered for this order".into(),
    }));
    assert_eq!(w.phase(), Phase::Ready);
    assert_eq!(
        w.texts(&fmt).alert,
        "This payment plan isn't offered for this order. Please choose another one."
    );
    w.apply(Input::SetLang(Lang::Ar));
    assert_eq!(
        w.texts(&fmt).alert,
        "خطة الدفع هذه غير متاحة لهذا الطلب. يرجى اختيار خطة أخرى."
    );
    // A phone the Worker refuses (422 invalid_phone_number): said so, in both languages.
    let mut w = Widget::new(config("en"), "n");
    w.apply(Input::SetCart(cart(&[("MUG-1", 2)])));
    w.apply(Input::OptionsFailed(
        1,
        FetchError::Http {
            status: 422,
            code: "invalid_phone_number".into(),
            message: "not a SA mobile number".into(),
        },
    ));
    assert_eq!(
        w.texts(&fmt).alert,
        "The phone number is not valid. Please check it and try again."
    );
    w.apply(Input::SetLang(Lang::Ar));
    assert_eq!(
        w.texts(&fmt).alert,
        "رقم الجوال غير صالح. يرجى التحقق منه والمحاولة مرة أخرى."
    );
}

#[test]
fn missing_details_are_named_in_words() {
    let mut w = ready(&[("TSHIRT-1", 4)]);
    w.apply(Input::SetCustomer(customer()));
    w.apply(Input::OptionsLoaded(2, offer(23000)));
    w.apply(Input::SetShipping(Address {
        city: " ".into(),
        ..address()
    }));
    w.apply(Input::Submit);
    let alert = w.texts(&fmt).alert;
    assert_eq!(
        alert,
        "Please complete your details before paying with Tamara: city."
    );
    w.apply(Input::SetLang(Lang::Ar));
    assert_eq!(
        w.texts(&fmt).alert,
        "يرجى إكمال بياناتك قبل الدفع عبر تمارا: المدينة."
    );
}
