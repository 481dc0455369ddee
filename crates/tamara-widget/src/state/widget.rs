//! The state machine: [`Widget::apply`] turns each [`Input`] into the next phase and the
//! [`Effect`]s for the browser side.

use super::{cart_items, cat, push_uint, Address, Cart, CheckoutRequest, Config, Customer, Effect};
use super::{Failure, FetchError, Input, OptionsQuery, PaymentOptions, Phase, Stage};

/// The pure widget model. The fields the view model reads ([`Widget::texts`], in `texts.rs`)
/// are visible to the `state` module only.
#[derive(Clone, Debug)]
pub struct Widget {
    pub(super) config: Config,
    cart: Option<Cart>,
    customer: Option<Customer>,
    shipping: Option<Address>,
    pub(super) phase: Phase,
    pub(super) offer: Option<PaymentOptions>,
    pub(super) failure: Option<Failure>,
    /// A non-blocking message shown while `Ready` (missing details, refused checkout).
    pub(super) notice: Option<Failure>,
    pub(super) selected: usize,
    seq: u64,
    last_query: Option<OptionsQuery>,
    nonce: String,
    attempts: u32,
    /// Key and body of the attempt that has not succeeded yet (a retry reuses the key).
    attempt: Option<(String, CheckoutRequest)>,
}

impl Widget {
    /// A new widget; `nonce` (random, from the browser) makes idempotency keys unique.
    pub fn new(config: Config, nonce: &str) -> Widget {
        Widget {
            config,
            cart: None,
            customer: None,
            shipping: None,
            phase: Phase::Idle,
            offer: None,
            failure: None,
            notice: None,
            selected: 0,
            seq: 0,
            last_query: None,
            nonce: nonce
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(64)
                .collect(),
            attempts: 0,
            attempt: None,
        }
    }

    /// Current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Applies one input; returns the work to do.
    pub fn apply(&mut self, input: Input) -> Vec<Effect> {
        match input {
            Input::SetCart(cart) => {
                if self.cart.as_ref() == Some(&cart) {
                    return Vec::new();
                }
                self.cart = Some(cart);
                self.notice = None;
                self.refresh()
            }
            Input::SetCustomer(customer) => {
                if self.customer.as_ref() == Some(&customer) {
                    return Vec::new();
                }
                self.customer = Some(customer);
                self.notice = None;
                self.refresh()
            }
            Input::SetShipping(address) => {
                if self.shipping.as_ref() != Some(&address) {
                    self.shipping = Some(address);
                    self.notice = None;
                }
                Vec::new()
            }
            Input::SetLang(lang) => {
                self.config.lang = lang;
                Vec::new()
            }
            Input::OptionsLoaded(seq, answer) => {
                if seq != self.seq || self.phase != Phase::Loading {
                    return Vec::new();
                }
                if answer.amount.currency != self.config.currency {
                    return self.fail(Stage::Options, "currency_mismatch", String::new());
                }
                let available = answer.available && !answer.options.is_empty();
                self.phase = if available {
                    Phase::Ready
                } else {
                    Phase::Unavailable
                };
                if self.selected >= answer.options.len() {
                    self.selected = 0;
                }
                self.failure = None;
                self.offer = Some(answer);
                vec![Effect::Availability(available)]
            }
            Input::OptionsFailed(seq, error) => {
                if seq != self.seq || self.phase != Phase::Loading {
                    return Vec::new();
                }
                self.fail(Stage::Options, &error.code(), error.detail())
            }
            Input::Select(index) => {
                let count = self.offer.as_ref().map_or(0, |o| o.options.len());
                if self.phase == Phase::Ready && index < count {
                    self.selected = index;
                }
                Vec::new()
            }
            Input::Submit => self.submit(),
            Input::Retry => self.retry(),
            Input::CheckoutCreated(created) => {
                if self.phase != Phase::Submitting {
                    return Vec::new();
                }
                let url = created.checkout_url.to_ascii_lowercase();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    // Never navigate to a `javascript:`/`data:` URL, whoever answered.
                    return self.apply(Input::CheckoutFailed(FetchError::Decode(
                        "checkout_url is not an http(s) URL".to_owned(),
                    )));
                }
                self.phase = Phase::Redirecting;
                self.attempt = None;
                vec![Effect::Redirect(created)]
            }
            Input::CheckoutFailed(error) => {
                if self.phase != Phase::Submitting {
                    return Vec::new();
                }
                if error.code() == "idempotency_key_reused" {
                    self.attempt = None;
                }
                let failure = Failure {
                    stage: Stage::Checkout,
                    code: error.code(),
                    detail: error.detail(),
                };
                let mut effects = vec![Effect::Error(failure.clone())];
                if error.is_client_error() {
                    // The same request would fail again: back to the option, message shown.
                    self.phase = Phase::Ready;
                    self.notice = Some(failure);
                } else {
                    self.phase = Phase::Error;
                    self.failure = Some(failure);
                }
                // Inputs may have changed while submitting.
                effects.extend(self.refresh());
                effects
            }
            Input::RedirectCanceled => {
                if self.phase == Phase::Redirecting {
                    self.phase = Phase::Ready;
                }
                Vec::new()
            }
        }
    }

    fn fail(&mut self, stage: Stage, code: &str, detail: String) -> Vec<Effect> {
        let failure = Failure {
            stage,
            code: code.to_owned(),
            detail,
        };
        self.phase = Phase::Error;
        self.failure = Some(failure.clone());
        vec![Effect::Error(failure)]
    }

    /// Recomputes what to ask the Worker after an input changed.
    fn refresh(&mut self) -> Vec<Effect> {
        if matches!(self.phase, Phase::Submitting | Phase::Redirecting) {
            return Vec::new();
        }
        let Some(cart) = self.cart.as_ref().filter(|c| !c.items.is_empty()) else {
            self.phase = Phase::Idle;
            self.last_query = None;
            self.failure = None;
            return Vec::new();
        };
        let items = match cart_items(cart) {
            Ok(items) => items,
            Err(sku) => {
                self.last_query = None;
                if self.phase == Phase::Error
                    && self
                        .failure
                        .as_ref()
                        .is_some_and(|f| f.code == "invalid_cart" && f.detail == sku)
                {
                    return Vec::new();
                }
                return self.fail(Stage::Cart, "invalid_cart", sku);
            }
        };
        let phone = self
            .customer
            .as_ref()
            .map(|c| c.phone_number.trim().to_owned())
            .filter(|p| !p.is_empty());
        let query = OptionsQuery {
            country: self.config.country.clone(),
            currency: self.config.currency.clone(),
            items,
            phone,
        };
        if self.last_query.as_ref() == Some(&query) && self.phase != Phase::Idle {
            return Vec::new();
        }
        self.last_query = Some(query.clone());
        self.seq += 1;
        self.phase = Phase::Loading;
        vec![Effect::FetchOptions(self.seq, query)]
    }

    fn retry(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Error {
            return Vec::new();
        }
        let stage = self.failure.take().map(|f| f.stage);
        if stage == Some(Stage::Checkout) {
            // Same body → same Idempotency-Key: a session the Worker already made is reused.
            self.phase = Phase::Ready;
            return self.submit();
        }
        self.last_query = None;
        self.phase = Phase::Loading;
        self.refresh()
    }

    fn submit(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Ready {
            // Double clicks land here while submitting: no second request.
            return Vec::new();
        }
        let Some(cart) = self.cart.clone() else {
            return Vec::new();
        };
        let consumer = self.customer.clone().unwrap_or_default();
        let shipping = self.shipping.clone().unwrap_or_default();
        let missing = missing_fields(&consumer, &shipping);
        if !missing.is_empty() {
            let failure = Failure {
                stage: Stage::Input,
                code: "missing_customer_details".to_owned(),
                detail: missing,
            };
            self.notice = Some(failure.clone());
            return vec![Effect::Error(failure)];
        }
        self.notice = None;
        // The option on screen: the Worker checks it against the plans it computes itself.
        let (payment_type, instalments) = self
            .offer
            .as_ref()
            .and_then(|o| o.options.get(self.selected))
            .map(|o| (o.payment_type.clone(), o.instalments))
            .unwrap_or_default();
        let body = CheckoutRequest {
            payment_type,
            instalments,
            cart,
            consumer,
            shipping_address: shipping,
            locale: self.config.lang.tamara_locale(),
            country: self.config.country.clone(),
            return_urls: self.config.return_urls.clone(),
        };
        let key = match &self.attempt {
            Some((key, previous)) if *previous == body => key.clone(),
            _ => {
                self.attempts += 1;
                let mut key = cat(&["tw-", &self.nonce, "-"]);
                push_uint(&mut key, u64::from(self.attempts));
                self.attempt = Some((key.clone(), body.clone()));
                key
            }
        };
        self.phase = Phase::Submitting;
        vec![Effect::CreateCheckout(key, Box::new(body))]
    }
}

/// The required details that are blank, as `first_name, shipping_address.city` (empty if none).
fn missing_fields(consumer: &Customer, shipping: &Address) -> String {
    let mut missing = String::new();
    for (value, name) in [
        (&consumer.first_name, "first_name"),
        (&consumer.last_name, "last_name"),
        (&consumer.phone_number, "phone_number"),
        (&shipping.line1, "shipping_address.line1"),
        (&shipping.city, "shipping_address.city"),
        (&shipping.country_code, "shipping_address.country_code"),
    ] {
        if value.trim().is_empty() {
            if !missing.is_empty() {
                missing.push_str(", ");
            }
            missing.push_str(name);
        }
    }
    missing
}
