//! An online checkout: the shopper's details cleaned up, the cart priced here (catalog or
//! signed cart), Tamara's `CreateCheckout` built and validated by core, the session created
//! (never twice for one reference), and the new order recorded with its audit event.

use serde::Deserialize;
use serde_json::{json, Value};
use tamara_core::checkout::{CheckoutSession, CreateCheckout};
use tamara_core::lifecycle::{Channel, CHECKOUT_EXPIRY_MS};
use tamara_core::orders::{GetOrderByReference, OrderDetails};
use tamara_core::types::{Address, Consumer, MerchantUrl};
use tamara_core::{Country, Locale, OrderReferenceId, OrderStatus, Phone};

use super::catalog::{check_pair, parse_country, price_items, price_signed, text};
use super::{not_found_as_none, outcome_unknown, App};
use crate::cart_sign::SignedCart;
use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::pricing::Priced;
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

/// The shopper.
#[derive(Debug, Clone, Deserialize)]
pub struct ConsumerIn {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Mobile number (local or international form).
    pub phone_number: String,
    /// E-mail (optional).
    #[serde(default)]
    pub email: Option<String>,
}

/// An address as the storefront sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct AddressIn {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Street.
    pub line1: String,
    /// More.
    #[serde(default)]
    pub line2: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// City.
    pub city: String,
    /// Country code.
    pub country_code: String,
    /// Phone.
    #[serde(default)]
    pub phone_number: Option<String>,
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
}

/// `ar…` → Arabic, anything else → English.
pub fn shopper_locale(s: Option<&str>) -> Locale {
    match s.map(Locale::parse) {
        Some(l) if l.is_arabic() => Locale::ArSa,
        _ => Locale::EnUs,
    }
}

/// A trimmed e-mail or empty; 422 `invalid_email` when it is not one.
pub fn clean_email(e: Option<&str>) -> AppResult<String> {
    let email = e.map(str::trim).unwrap_or_default().to_owned();
    if !email.is_empty() && (email.len() > 254 || !email.contains('@')) {
        return Err(AppError::unprocessable(
            "invalid_email",
            "consumer.email is not an e-mail address",
        ));
    }
    Ok(email)
}

fn address(a: &AddressIn, country: Country, field: &str) -> AppResult<Address> {
    let c: Country = a.country_code.to_ascii_uppercase().parse().map_err(|_| {
        AppError::unprocessable(
            "not_supported_delivery_country",
            format!(
                "{field}.country_code `{}` is not supported",
                super::clip(&a.country_code, 8)
            ),
        )
    })?;
    if c != country {
        return Err(AppError::unprocessable(
            "not_supported_delivery_country",
            format!("{field}.country_code must be {country}"),
        ));
    }
    let phone = match a.phone_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(p) => Some(
            Phone::parse(p, country)
                .map_err(|_| {
                    AppError::unprocessable(
                        "invalid_phone_number",
                        format!("{field}.phone_number is not a {country} mobile number"),
                    )
                })?
                .national()
                .to_owned(),
        ),
    };
    let opt = |s: &Option<String>| {
        s.as_ref()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Ok(Address {
        first_name: text("first_name", &a.first_name, 100)?,
        last_name: text("last_name", &a.last_name, 100)?,
        line1: text("line1", &a.line1, 255)?,
        line2: opt(&a.line2),
        region: opt(&a.region),
        postal_code: opt(&a.postal_code),
        city: text("city", &a.city, 100)?,
        country_code: country,
        phone_number: phone,
    })
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
    let request = CreateCheckout {
        total_amount: priced.total,
        shipping_amount: priced.shipping,
        tax_amount: priced.tax,
        order_reference_id: OrderReferenceId::new(reference.to_owned()),
        order_number: Some(reference.to_owned()),
        discount: priced.tamara_discount(),
        items: priced.tamara_items(),
        consumer: Consumer {
            first_name: text("consumer.first_name", &input.consumer.first_name, 100)?,
            last_name: text("consumer.last_name", &input.consumer.last_name, 100)?,
            phone_number: phone.national().to_owned(),
            email,
            national_id: None,
            date_of_birth: None,
            is_first_order: None,
        },
        country_code: country,
        description: format!("Order {reference}"),
        merchant_url: MerchantUrl {
            success: cfg.public("/tamara/success"),
            failure: cfg.public("/tamara/failure"),
            cancel: cfg.public("/tamara/cancel"),
            notification: Some(cfg.public("/tamara/webhook")),
        },
        billing_address,
        shipping_address,
        platform: Some(concat!("tamara-worker/", env!("CARGO_PKG_VERSION")).to_owned()),
        is_mobile: Some(false),
        locale: Some(locale),
        risk_assessment: None,
        expires_in_minutes: None,
        additional_data: None,
        payment_type: None,
        instalments: None,
    };
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
    let (request, priced) = build_request(&app.cfg, input, products, reference, now)?;
    let store = app.store()?;
    if retry {
        if let Some(prev) = store.order_by_reference(reference).await? {
            return match &prev.checkout_url {
                Some(url) => Ok((201, answer(&prev, url), false)),
                None => Err(checkout_state_unknown()),
            };
        }
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
    .statuses(None, Some("new"));
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
