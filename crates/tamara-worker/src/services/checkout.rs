//! An online checkout: the shopper's details cleaned up, the cart priced here (catalog or
//! signed cart), Tamara's `CreateCheckout` built and validated by core, the session created
//! (never twice for one reference), and the new order recorded with its audit event.

use serde::Deserialize;
use serde_json::{json, Value};
use tamara_core::checkout::{CheckoutSession, CreateCheckout};
use tamara_core::lifecycle::{Channel, CHECKOUT_EXPIRY_MS};
use tamara_core::orders::{GetOrderByReference, OrderDetails};
use tamara_core::types::{Consumer, MerchantUrl};
use tamara_core::{Country, OrderReferenceId, OrderStatus, Phone};

use super::catalog::{check_pair, parse_country, price_items, price_signed, text};
pub use super::plan::chosen_plan;
use super::shopper::{address, clean_email, shopper_locale, AddressIn, ConsumerIn};
use super::{not_found_as_none, outcome_unknown, App};
use crate::cart_sign::SignedCart;
use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::pricing::Priced;
use crate::return_url::{self, Refused, ReturnUrls};
use crate::store::catalog::Product;
use crate::store::{NewEvent, NewOrder, Order, Source, Sql};
use crate::tamara::{Tamara, Transport};

/// One catalog line.
#[derive(Debug, Clone, Deserialize)]
pub struct CartItemIn {
    /// SKU.
    pub sku: String,
    /// Quantity (1–99).
    pub quantity: u32,
}

/// A catalog cart.
#[derive(Debug, Clone, Deserialize)]
pub struct CartIn {
    /// Lines.
    pub items: Vec<CartItemIn>,
}

/// `POST /api/checkout` body.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutIn {
    /// A catalog cart, or …
    #[serde(default)]
    pub cart: Option<CartIn>,
    /// … a cart the merchant's server signed.
    #[serde(default)]
    pub signed_cart: Option<SignedCart>,
    /// The shopper.
    pub consumer: ConsumerIn,
    /// Shipping address.
    pub shipping_address: AddressIn,
    /// Billing address (optional).
    #[serde(default)]
    pub billing_address: Option<AddressIn>,
    /// `en` / `ar` (anything else: English).
    #[serde(default)]
    pub locale: Option<String>,
    /// Country (default: the Worker's, or the signed cart's currency's).
    #[serde(default)]
    pub country: Option<String>,
    /// Return pages for this checkout (templates with `{order_id}`, `{reason}`), each on an
    /// allowed origin; a missing one is the environment's.
    #[serde(default)]
    pub return_urls: Option<ReturnUrls>,
    /// The plan the shopper picked (`PAY_BY_INSTALMENTS`, `PAY_NOW`, …): checked against the
    /// plans computed here for the priced cart, then sent to Tamara. Absent: Tamara's page
    /// lets the shopper pick.
    #[serde(default)]
    pub payment_type: Option<String>,
    /// Number of instalments of the picked plan (`1` or absent for the types paid at once).
    #[serde(default)]
    pub instalments: Option<u32>,
}

/// Checks the checkout's return pages: 400 `return_url_invalid` (not an absolute http(s) URL
/// we can vouch for) or 400 `return_url_not_allowed` (an origin outside `ALLOWED_ORIGINS` and
/// `STORE_URL`'s), never stored, never redirected to.
pub fn check_return_urls(cfg: &Config, input: Option<&ReturnUrls>) -> AppResult<ReturnUrls> {
    let Some(urls) = input else {
        return Ok(ReturnUrls::default());
    };
    for (field, url) in [
        ("return_urls.success", &urls.success),
        ("return_urls.failure", &urls.failure),
        ("return_urls.cancel", &urls.cancel),
    ] {
        let Some(url) = url else { continue };
        let (code, why) = match return_url::check(url, &cfg.return_origins) {
            Ok(()) => continue,
            Err(Refused::Invalid) => (
                "return_url_invalid",
                "must be an absolute http(s) URL (no user info, at most 2048 characters)",
            ),
            Err(Refused::NotAllowed) => (
                "return_url_not_allowed",
                "is not on an allowed origin (the Worker's ALLOWED_ORIGINS)",
            ),
        };
        return Err(AppError::bad_request(code, format!("{field} {why}")));
    }
    Ok(urls.clone())
}

/// Prices the cart from `products` (catalog) or the signed cart: never from browser amounts.
pub fn price_cart(
    cfg: &Config,
    input: &CheckoutIn,
    products: &[Product],
    now: i64,
) -> AppResult<(Country, Priced)> {
    let hint = match &input.country {
        Some(c) => Some(parse_country(Some(c), cfg.country)?),
        None => None,
    };
    match (&input.cart, &input.signed_cart) {
        (Some(cart), None) => {
            let country = hint.unwrap_or(cfg.country);
            check_pair(country, cfg.currency)?;
            let items: Vec<(&str, u32)> = cart
                .items
                .iter()
                .map(|i| (i.sku.as_str(), i.quantity))
                .collect();
            Ok((
                country,
                price_items(cfg, products, &items, cfg.shipping_fee)?,
            ))
        }
        (None, Some(signed)) => price_signed(cfg, signed, hint, now / 1000),
        _ => Err(AppError::invalid(
            "send exactly one of `cart` and `signed_cart`",
        )),
    }
}

/// The validated `CreateCheckout` for `input` under `reference`, with its prices.
pub fn build_request(
    cfg: &Config,
    input: &CheckoutIn,
    products: &[Product],
    reference: &str,
    now: i64,
) -> AppResult<(CreateCheckout, Priced)> {
    let (country, priced) = price_cart(cfg, input, products, now)?;
    let phone = Phone::parse(&input.consumer.phone_number, country).map_err(|_| {
        AppError::unprocessable(
            "consumer_invalid_phone_number",
            format!("consumer.phone_number is not a {country} mobile number"),
        )
    })?;
    let email = clean_email(input.consumer.email.as_deref())?;
    let locale = shopper_locale(input.locale.as_deref());
    let shipping_address = address(&input.shipping_address, country, "shipping_address")?;
    let billing_address = match &input.billing_address {
        Some(a) => Some(address(a, country, "billing_address")?),
        None => None,
    };
    let consumer = Consumer::new(
        text("consumer.first_name", &input.consumer.first_name, 100)?,
        text("consumer.last_name", &input.consumer.last_name, 100)?,
        phone.national(),
    )
    .with_email(email);
    let merchant_url = MerchantUrl::new(
        cfg.public("/tamara/success"),
        cfg.public("/tamara/failure"),
        cfg.public("/tamara/cancel"),
    )
    .with_notification(cfg.public("/tamara/webhook"));
    // Tamara shows the shopper what it is sent: item names in the shopper's language.
    let mut items = priced.tamara_items();
    if locale.is_arabic() && input.cart.is_some() {
        for item in &mut items {
            if let Some(p) = products.iter().find(|p| p.sku == item.sku) {
                if !p.name_ar.trim().is_empty() {
                    item.name = p.name_ar.trim().to_owned();
                }
            }
        }
    }
    let mut request = CreateCheckout::new(
        OrderReferenceId::new(reference.to_owned()),
        country,
        priced.total,
        items,
        consumer,
        shipping_address,
        merchant_url,
    )
    .with_shipping_amount(priced.shipping)
    .with_tax_amount(priced.tax)
    .with_order_number(reference)
    .with_platform(concat!("tamara-worker/", env!("CARGO_PKG_VERSION")))
    .with_is_mobile(false)
    .with_locale(locale);
    if let Some(d) = priced.tamara_discount() {
        request = request.with_discount(d);
    }
    if let Some(b) = billing_address {
        request = request.with_billing_address(b);
    }
    request
        .validate()
        .map_err(|e| AppError::unprocessable(e.code(), e.to_string()))?;
    Ok((request, priced))
}

/// The answer of a created checkout.
pub fn answer(order: &Order, checkout_url: &str) -> Value {
    json!({
        "order_id": order.order_id,
        "checkout_id": order.checkout_id,
        "checkout_url": checkout_url,
        "order_reference_id": order.reference,
        "total": crate::views::money_json(order.total),
        "expires_at": order.expires_at.map(crate::views::rfc3339),
    })
}

/// 502 `checkout_state_unknown`: Tamara has (or may have) the order, but its checkout URL was
/// never seen, so it is not handed out and not created again.
pub fn checkout_state_unknown() -> AppError {
    AppError::Invalid {
        status: 502,
        code: "checkout_state_unknown",
        message: "Tamara did not confirm the checkout; please try again".into(),
    }
}

/// Creates the checkout under `reference`. `retry`: an earlier attempt under the same
/// Idempotency-Key may have reached Tamara, so the order is looked up first. `idem_key`: the
/// key whose final answer is stored with the order. Returns `(status, body, stored)`, `stored`
/// true when the key's answer was written with the order.
pub async fn create<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    input: &CheckoutIn,
    products: &[Product],
    reference: &str,
    retry: bool,
    idem_key: Option<&str>,
) -> AppResult<(u16, Value, bool)> {
    let now = app.now();
    let returns = check_return_urls(&app.cfg, input.return_urls.as_ref())?;
    let (mut request, priced) = build_request(&app.cfg, input, products, reference, now)?;
    if input.payment_type.is_some() || input.instalments.is_some() {
        let types = super::payment_options::payment_types(
            app,
            request.country_code,
            priced.total.currency(),
        )
        .await?;
        let offered = crate::options::plans(&types, priced.total);
        if let Some((pt, n)) = chosen_plan(input, &offered)? {
            request.payment_type = Some(pt);
            request.instalments = n;
        }
    }
    let store = app.store()?;
    if retry {
        if let Some(prev) = store.order_by_reference(reference).await? {
            return match &prev.checkout_url {
                Some(url) => Ok((201, answer(&prev, url), false)),
                None => Err(checkout_state_unknown()),
            };
        }
    }
    // Tamara said this phone cannot pay this amount (cached from payment-options, or asked
    // now within 200 ms; no verdict lets the checkout through).
    if let Ok(phone) = Phone::parse(&request.consumer.phone_number, request.country_code) {
        super::eligibility::require(app, priced.total, &phone).await?;
    }
    let tamara = app.tamara()?;
    let (order_id, checkout_id, checkout_url, status) =
        match send_checkout(tamara, &request, retry).await? {
            Ok(s) => (
                s.order_id,
                Some(s.checkout_id),
                Some(s.checkout_url),
                OrderStatus::New,
            ),
            Err(found) => (found.order_id, None, None, found.status),
        };
    let order = NewOrder {
        order_id,
        checkout_id,
        reference: request.order_reference_id.clone(),
        status,
        channel: Channel::Online,
        country: request.country_code,
        total: priced.total,
        shipping: priced.shipping,
        tax: priced.tax,
        discount: priced.discount_amount(),
        items: serde_json::to_string(&priced.lines).unwrap_or_else(|_| "[]".into()),
        locale: request.locale.clone(),
        checkout_url: checkout_url.clone(),
        now,
        expires_at: now + CHECKOUT_EXPIRY_MS,
        returns,
    }
    .into_order();
    let id = order.order_id.as_str();
    let Some(url) = checkout_url else {
        // Tamara has the order but we never saw its checkout URL: recorded (so reconcile tracks
        // it until it expires), never handed out, and never created twice.
        let e = NewEvent::done(
            format!("checkout:{id}"),
            id,
            Source::Storefront,
            "checkout_unconfirmed",
            None,
        )
        .statuses(None, Some(order.status.as_str()));
        store.insert_checkout(&order, &e, now, None).await?;
        return Err(checkout_state_unknown());
    };
    let body = answer(&order, &url);
    let detail = json!({"total_minor": order.total.minor(), "currency": order.currency.code(),
                        "lines": priced.lines.len()});
    let e = NewEvent::done(
        format!("checkout:{id}"),
        id,
        Source::Storefront,
        "checkout_created",
        Some(detail),
    )
    .statuses(None, Some(OrderStatus::New.as_str()));
    // One round trip: the order, its audit event and the key's final answer.
    let text = body.to_string();
    store
        .insert_checkout(&order, &e, now, idem_key.map(|k| (k, 201, text.as_str())))
        .await?;
    Ok((201, body, idem_key.is_some()))
}

/// Creates the session; after a failure with an unknown outcome, looks the reference up at
/// Tamara and retries only if no order exists (a shopper never gets two sessions).
/// `Ok(Err(order))`: Tamara has an order under this reference but its checkout URL is unknown.
pub async fn send_checkout<T: Transport>(
    tamara: &Tamara<T>,
    request: &CreateCheckout,
    retry: bool,
) -> AppResult<Result<CheckoutSession, OrderDetails>> {
    let lookup = || async {
        not_found_as_none(
            tamara
                .call(&GetOrderByReference {
                    order_reference_id: request.order_reference_id.clone(),
                })
                .await,
        )
    };
    if retry {
        if let Some(found) = lookup().await? {
            return Ok(Err(found));
        }
    }
    match tamara.call(request).await {
        Ok(s) => Ok(Ok(s)),
        Err(e) if outcome_unknown(&e) => {
            if let Some(found) = lookup().await? {
                return Ok(Err(found));
            }
            tamara.call(request).await.map(Ok)
        }
        Err(e) => Err(e),
    }
}
