//! Storefront API (browser-facing, CORS): catalog, payment options, create checkout, order
//! status. Every amount is computed here from the D1 catalog or a signed cart; the browser only
//! says which SKUs and how many.

use serde::Deserialize;
use serde_json::{json, Value};
use tamara_core::checkout::{
    CheckoutSession, CreateCheckout, GetPaymentTypes, PaymentOptionsPreCheck, PaymentTypeInfo,
};
use tamara_core::orders::{GetOrderByReference, OrderDetails};
use tamara_core::types::{Address, Consumer, MerchantUrl};
use tamara_core::{Country, Currency, Locale, Money, OrderReferenceId, Phone};
use worker::Response;

use crate::app::{self, Ctx};
use crate::body;
use crate::cache;
use crate::cart_sign::{self, SignedCart};
use crate::db::{self, NewEvent, Product};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Decision};
use crate::model::{money_json, rfc3339, OrderRow};
use crate::options;
use crate::platform;
use crate::pricing::{self, Line, Priced};
use crate::req::Request;
use crate::sync;
use crate::tamara::{outcome_unknown, Tamara};

/// `GET /api/catalog`, from the isolate's copy of the D1 catalog (the prices checkouts charge).
pub async fn catalog(ctx: &Ctx) -> AppResult<Response> {
    let products = cached_catalog(ctx).await?;
    let list: Vec<Value> = products
        .iter()
        .filter_map(|p| {
            let price = product_price(p, ctx.cfg.currency)?;
            Some(json!({
                "sku": p.sku,
                "name": p.name,
                "name_ar": p.name_ar,
                "price": money_json(price),
                "image_url": p.image_url,
            }))
        })
        .collect();
    app::json(
        200,
        &json!({
            "currency": ctx.cfg.currency.code(),
            "country": ctx.cfg.country.code(),
            "products": list,
        }),
    )
}

fn product_price(p: &Product, currency: Currency) -> Option<Money> {
    if p.currency != currency.code() {
        return None;
    }
    Money::from_minor(u64::try_from(p.price_minor).ok()?, currency).ok()
}

fn parse_country(s: Option<String>, default: Country) -> AppResult<Country> {
    match s {
        None => Ok(default),
        Some(c) => c.to_ascii_uppercase().parse().map_err(|_| {
            AppError::unprocessable(
                "unsupported_country",
                format!("country `{c}` is not supported"),
            )
        }),
    }
}

fn parse_currency(s: Option<String>, default: Currency) -> AppResult<Currency> {
    match s {
        None => Ok(default),
        Some(c) => c.to_ascii_uppercase().parse().map_err(|_| {
            AppError::unprocessable(
                "unsupported_currency",
                format!("currency `{c}` is not supported"),
            )
        }),
    }
}

fn check_pair(country: Country, currency: Currency) -> AppResult<()> {
    if country.currency() != currency {
        return Err(AppError::unprocessable(
            "currency_mismatch",
            format!(
                "{country} orders are paid in {}, not {currency}",
                country.currency()
            ),
        ));
    }
    Ok(())
}

async fn payment_types(
    ctx: &Ctx,
    tamara: &Tamara,
    country: Country,
    currency: Currency,
) -> AppResult<Vec<PaymentTypeInfo>> {
    let now = ctx.now();
    let key = format!("payment-types:{country}:{currency}");
    if let Some(hit) = cache::get(&key, now) {
        if let Ok(v) = serde_json::from_str(&hit) {
            return Ok(v);
        }
    }
    let types = tamara
        .call(&GetPaymentTypes {
            country,
            currency: Some(currency),
            order_value: None,
            phone: None,
        })
        .await?;
    if let Ok(text) = serde_json::to_string(&types) {
        cache::put(key, text, now, ctx.cfg.payment_options_ttl_secs * 1000);
    }
    Ok(types)
}

async fn pre_check(
    ctx: &Ctx,
    tamara: &Tamara,
    country: Country,
    amount: Money,
    phone: &Phone,
) -> AppResult<bool> {
    let now = ctx.now();
    let key = format!(
        "pre-check:{country}:{}:{}",
        amount.minor(),
        phone.national()
    );
    if let Some(hit) = cache::get(&key, now) {
        return Ok(hit == "1");
    }
    let r = tamara
        .call(&PaymentOptionsPreCheck {
            country,
            order_value: amount,
            phone_number: Some(phone.national().to_owned()),
            is_vip: false,
        })
        .await?;
    let ok = r.has_available_payment_options;
    cache::put(
        key,
        if ok { "1" } else { "0" }.to_owned(),
        now,
        ctx.cfg.payment_options_ttl_secs * 1000,
    );
    Ok(ok)
}

/// `items=SKU:QTY,SKU:QTY` → `(sku, quantity)` lines (1–50 lines, quantity 1–99).
fn parse_items(text: &str) -> AppResult<Vec<(&str, u32)>> {
    let bad = || {
        AppError::unprocessable(
            "invalid_cart",
            "`items` must be SKU:QUANTITY pairs separated by commas (at most 50, quantity 1-99)",
        )
    };
    let mut lines = Vec::new();
    for part in text.split(',') {
        let (sku, qty) = part.rsplit_once(':').ok_or_else(bad)?;
        let qty: u32 = qty.trim().parse().map_err(|_| bad())?;
        let sku = sku.trim();
        if sku.is_empty() || sku.len() > 128 || !(1..=pricing::MAX_QUANTITY).contains(&qty) {
            return Err(bad());
        }
        lines.push((sku, qty));
        if lines.len() > pricing::MAX_LINES {
            return Err(bad());
        }
    }
    Ok(lines)
}

/// How long this isolate reuses the catalog for payment options (display only: create-checkout
/// always prices from D1 in the same round trip as its idempotency claim).
const CATALOG_TTL_MS: i64 = 60_000;

thread_local! {
    static CATALOG: std::cell::RefCell<Option<(i64, std::rc::Rc<Vec<Product>>)>> =
        const { std::cell::RefCell::new(None) };
}

async fn cached_catalog(ctx: &Ctx) -> AppResult<std::rc::Rc<Vec<Product>>> {
    let now = ctx.now();
    let hit = CATALOG.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(exp, _)| *exp > now)
            .map(|(_, p)| p.clone())
    });
    if let Some(p) = hit {
        return Ok(p);
    }
    let products = std::rc::Rc::new(db::catalog(&*ctx.db()?, ctx.cfg.currency.code()).await?);
    CATALOG.with(|c| *c.borrow_mut() = Some((now + CATALOG_TTL_MS, products.clone())));
    Ok(products)
}

/// `GET /api/payment-options?country=SA&currency=SAR&amount=230.00&phone=…` or
/// `…&items=TSHIRT-1:2,MUG-1:1` (the cart, priced here from the catalog).
pub async fn payment_options(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let q = app::query(req);
    let country = parse_country(app::query_param(&q, "country"), ctx.cfg.country)?;
    let currency = parse_currency(app::query_param(&q, "currency"), country.currency())?;
    check_pair(country, currency)?;
    let amount = match app::query_param(&q, "items") {
        // The cart itself: priced here exactly as create-checkout will charge it.
        Some(items) => {
            if currency != ctx.cfg.currency {
                return Err(AppError::unprocessable(
                    "currency_mismatch",
                    format!("the catalog is priced in {}", ctx.cfg.currency),
                ));
            }
            let lines = parse_items(&items)?;
            let products = cached_catalog(ctx).await?;
            price_lines(ctx, &lines, &products)?.total
        }
        None => {
            let text = app::query_param(&q, "amount").ok_or_else(|| {
                AppError::unprocessable("invalid_amount", "`amount` or `items` is required")
            })?;
            Money::parse(&text, currency).map_err(|e| {
                AppError::unprocessable(
                    "invalid_amount",
                    format!("`amount` is not a valid {currency} amount: {e}"),
                )
            })?
        }
    };
    if amount.is_zero() {
        return Err(AppError::unprocessable(
            "invalid_amount",
            "`amount` must be greater than zero",
        ));
    }
    let phone = match app::query_param(&q, "phone") {
        None => None,
        Some(p) => Some(Phone::parse(&p, country).map_err(|_| {
            AppError::unprocessable(
                "invalid_phone_number",
                format!("not a {country} mobile number"),
            )
        })?),
    };
    let tamara = ctx.tamara()?;
    let types = payment_types(ctx, &tamara, country, currency).await?;
    let verdict = match &phone {
        Some(p) => Some(pre_check(ctx, &tamara, country, amount, p).await?),
        None => None,
    };
    app::json(200, &options::build(&types, amount, verdict))
}

// ---- create checkout ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
struct CartItemIn {
    sku: String,
    quantity: u32,
}

#[derive(Debug, Deserialize)]
struct CartIn {
    items: Vec<CartItemIn>,
}

#[derive(Debug, Deserialize)]
struct ConsumerIn {
    first_name: String,
    last_name: String,
    phone_number: String,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AddressIn {
    first_name: String,
    last_name: String,
    line1: String,
    #[serde(default)]
    line2: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    city: String,
    country_code: String,
    #[serde(default)]
    phone_number: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CheckoutIn {
    #[serde(default)]
    cart: Option<CartIn>,
    #[serde(default)]
    signed_cart: Option<SignedCart>,
    consumer: ConsumerIn,
    shipping_address: AddressIn,
    #[serde(default)]
    billing_address: Option<AddressIn>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    country: Option<String>,
}

fn text(field: &'static str, s: &str, max: usize) -> AppResult<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(AppError::invalid(format!(
            "`{field}` must be 1-{max} characters"
        )));
    }
    Ok(t.to_owned())
}

fn address(a: &AddressIn, country: Country, field: &'static str) -> AppResult<Address> {
    let c: Country = a.country_code.to_ascii_uppercase().parse().map_err(|_| {
        AppError::unprocessable(
            "not_supported_delivery_country",
            format!("{field}.country_code `{}` is not supported", a.country_code),
        )
    })?;
    if c != country {
        return Err(AppError::unprocessable(
            "not_supported_delivery_country",
            format!("{field}.country_code must be {country}"),
        ));
    }
    let phone = match &a.phone_number {
        None => None,
        Some(p) if p.trim().is_empty() => None,
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

/// Prices `(sku, quantity)` lines from `products` (catalog rows in the configured currency),
/// plus the configured shipping fee and tax.
fn price_lines(ctx: &Ctx, items: &[(&str, u32)], products: &[Product]) -> AppResult<Priced> {
    let currency = ctx.cfg.currency;
    if items.len() > pricing::MAX_LINES {
        return Err(pricing::PricingError::TooManyLines.into());
    }
    let mut lines = Vec::with_capacity(items.len());
    for &(sku, quantity) in items {
        let p = products.iter().find(|p| p.sku == sku).ok_or_else(|| {
            AppError::unprocessable(
                "unknown_sku",
                format!("`{}` is not in the catalog", clip(sku)),
            )
        })?;
        let price = product_price(p, currency).ok_or_else(|| {
            AppError::unprocessable("unknown_sku", format!("`{}` has no price", p.sku))
        })?;
        lines.push(Line {
            sku: p.sku.clone(),
            name: p.name.clone(),
            unit_price: price,
            quantity,
            image_url: p.image_url.clone(),
        });
    }
    Ok(pricing::price(
        currency,
        &lines,
        ctx.cfg.shipping_fee,
        ctx.cfg.tax_rate_bps,
        None,
    )?)
}

/// Prices the cart from D1 catalog rows `products` (read with the idempotency claim) or from
/// the signed cart: never from browser-supplied amounts.
fn price_cart(
    ctx: &Ctx,
    input: &CheckoutIn,
    country_hint: Option<Country>,
    products: &[Product],
) -> AppResult<(Country, Priced)> {
    match (&input.cart, &input.signed_cart) {
        (Some(cart), None) => {
            let country = country_hint.unwrap_or(ctx.cfg.country);
            check_pair(country, ctx.cfg.currency)?;
            let items: Vec<(&str, u32)> = cart
                .items
                .iter()
                .map(|i| (i.sku.as_str(), i.quantity))
                .collect();
            Ok((country, price_lines(ctx, &items, products)?))
        }
        (None, Some(signed)) => {
            let key = ctx.cfg.cart_signing_key()?;
            let payload = cart_sign::verify(key.expose().as_bytes(), signed, ctx.now() / 1000)?;
            let currency = parse_currency(Some(payload.currency.clone()), ctx.cfg.currency)?;
            let country = country_hint.unwrap_or_else(|| Country::for_currency(currency));
            check_pair(country, currency)?;
            let amount = |field: &str, s: &str| {
                Money::parse(s, currency).map_err(|e| {
                    AppError::unprocessable(
                        "invalid_signed_cart",
                        format!("signed_cart {field}: {e}"),
                    )
                })
            };
            let mut lines = Vec::with_capacity(payload.items.len());
            for l in &payload.items {
                lines.push(Line {
                    sku: text("sku", &l.sku, 128)?,
                    name: text("name", &l.name, 255)?,
                    unit_price: amount("unit_price", &l.unit_price)?,
                    quantity: l.quantity,
                    image_url: None,
                });
            }
            let shipping = match &payload.shipping {
                Some(s) => amount("shipping", s)?,
                None => Money::zero(currency),
            };
            let discount = match &payload.discount {
                Some(d) => Some((d.name.clone(), amount("discount", &d.amount)?)),
                None => None,
            };
            let priced =
                pricing::price(currency, &lines, shipping, ctx.cfg.tax_rate_bps, discount)?;
            Ok((country, priced))
        }
        _ => Err(AppError::invalid(
            "send exactly one of `cart` and `signed_cart`",
        )),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// `POST /api/checkout`
pub async fn create_checkout(ctx: &Ctx, req: Request) -> AppResult<Response> {
    let idem_key = match req.header("Idempotency-Key") {
        Some(k) => Some(idempotency::validate_key(&k)?.to_owned()),
        None => None,
    };
    let bytes = app::read_body(&req).await?;
    let value = body::parse_value(&bytes)?;
    let input: CheckoutIn = body::from_value(value.clone())?;
    // Catalog carts are priced from the isolate's copy of the catalog (read from D1, kept
    // CATALOG_TTL_MS): the same prices `payment-options` shows for the cart.
    let products = match &input.cart {
        Some(_) => cached_catalog(ctx).await?,
        None => std::rc::Rc::new(Vec::new()),
    };
    let db = ctx.db()?;
    let now = ctx.now();
    let hash = idem_key
        .as_ref()
        .map(|_| idempotency::request_hash("POST /api/checkout", &value));
    let (Some(key), Some(hash)) = (idem_key, hash) else {
        let (status, v, _) = create(ctx, &input, &products, None).await?;
        return app::json(status, &v);
    };
    // The claim is the only D1 statement before Tamara; the stored row is read only when
    // the key was taken (a replay, a conflict or an abandoned attempt).
    let mut claimed = db::idem_claim(&db, &key, &hash, now).await?;
    let mut retry = false;
    for _ in 0..2 {
        if claimed {
            break;
        }
        let stored = db::idem_get(&db, &key).await?;
        match idempotency::decide(stored.as_ref(), &hash, now) {
            Decision::Replay { status, body } => return app::json_text(status, &body),
            Decision::Mismatch => {
                return Err(AppError::conflict(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request",
                ))
            }
            Decision::InFlight => {
                return Err(AppError::conflict(
                    "idempotency_in_progress",
                    "a request with this Idempotency-Key is still being processed",
                ))
            }
            Decision::Proceed => {
                retry = stored.is_some();
                claimed = match &stored {
                    None => db::idem_claim(&db, &key, &hash, now).await?,
                    Some(s) => db::idem_reclaim(&db, &key, &hash, s.created_at, now).await?,
                };
            }
        }
    }
    if !claimed {
        return Err(AppError::conflict(
            "idempotency_in_progress",
            "a request with this Idempotency-Key is still being processed",
        ));
    }
    let reference = idempotency::order_reference(&key, &hash);
    let result = create(ctx, &input, &products, Some((&key, reference, retry))).await;
    let (status, v, completed) = match result {
        Ok(ok) => ok,
        Err(e) => (e.status(), e.body(), false),
    };
    // A Tamara order without a known checkout URL is final for this key: replaying the 502
    // keeps a retry from creating a second order under the same reference.
    let unconfirmed =
        v.pointer("/error/code").and_then(Value::as_str) == Some("checkout_state_unknown");
    if completed {
        // Stored with the order in the same batch.
    } else if idempotency::is_final(status) || unconfirmed {
        db::idem_complete(&db, &key, status, &v.to_string()).await?;
    } else {
        db::idem_mark_retryable(&db, &key).await?;
    }
    app::json(status, &v)
}

/// `idem`: the Idempotency-Key, the reference derived from it, and whether this is a retry of
/// it. The third value of the answer is true when the key's final answer was stored already.
async fn create(
    ctx: &Ctx,
    input: &CheckoutIn,
    products: &[Product],
    idem: Option<(&str, String, bool)>,
) -> AppResult<(u16, Value, bool)> {
    let country_hint = match &input.country {
        Some(c) => Some(parse_country(Some(c.clone()), ctx.cfg.country)?),
        None => None,
    };
    let (country, priced) = price_cart(ctx, input, country_hint, products)?;
    let phone = Phone::parse(&input.consumer.phone_number, country).map_err(|_| {
        AppError::unprocessable(
            "consumer_invalid_phone_number",
            format!("consumer.phone_number is not a {country} mobile number"),
        )
    })?;
    let email = input
        .consumer
        .email
        .as_ref()
        .map(|e| e.trim().to_owned())
        .unwrap_or_default();
    if !email.is_empty() && (email.len() > 254 || !email.contains('@')) {
        return Err(AppError::unprocessable(
            "invalid_email",
            "consumer.email is not an e-mail address",
        ));
    }
    let locale = match input.locale.as_deref().map(Locale::parse) {
        None => Locale::EnUs,
        Some(l) if l.is_arabic() => Locale::ArSa,
        Some(_) => Locale::EnUs,
    };
    let shipping_address = address(&input.shipping_address, country, "shipping_address")?;
    let billing_address = match &input.billing_address {
        Some(a) => Some(address(a, country, "billing_address")?),
        None => None,
    };
    let now = ctx.now();
    let (idem_key, reference, retry) = match idem {
        Some((k, r, retry)) => (Some(k), r, retry),
        None => (None, format!("TS-{}", platform::uuid()), false),
    };
    let request = CreateCheckout {
        total_amount: priced.total,
        shipping_amount: priced.shipping,
        tax_amount: priced.tax,
        order_reference_id: OrderReferenceId::new(reference.clone()),
        order_number: Some(reference.clone()),
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
            success: ctx.cfg.public("/tamara/success"),
            failure: ctx.cfg.public("/tamara/failure"),
            cancel: ctx.cfg.public("/tamara/cancel"),
            notification: Some(ctx.cfg.public("/tamara/webhook")),
        },
        billing_address,
        shipping_address,
        platform: Some(concat!("tamara-worker/", env!("CARGO_PKG_VERSION")).to_owned()),
        is_mobile: Some(false),
        locale: Some(locale.clone()),
        risk_assessment: None,
        expires_in_minutes: None,
        additional_data: None,
        payment_type: None,
        instalments: None,
    };
    request
        .validate()
        .map_err(|e| AppError::unprocessable(e.code(), e.to_string()))?;
    let db = ctx.db()?;
    if retry {
        // An earlier attempt under this key may have recorded the order (outcome unknown).
        if let Some(prev) = db::get_order_by_reference(&db, &reference).await? {
            return match prev.checkout_url {
                Some(url) => Ok((
                    201,
                    json!({
                        "order_id": prev.order_id,
                        "checkout_id": prev.checkout_id,
                        "checkout_url": url,
                        "order_reference_id": reference,
                        "total": money_json(priced.total),
                        "expires_at": prev.expires_at.map(rfc3339),
                    }),
                    false,
                )),
                None => Err(checkout_state_unknown()),
            };
        }
    }
    let tamara = ctx.tamara()?;
    let (order_id, checkout_id, checkout_url, status) =
        match send_checkout(&tamara, &request, retry).await? {
            Ok(session) => (
                session.order_id.as_str().to_owned(),
                Some(session.checkout_id.as_str().to_owned()),
                Some(session.checkout_url),
                "new".to_owned(),
            ),
            Err(found) => (
                found.order_id.as_str().to_owned(),
                None,
                None,
                found.status.as_str().to_owned(),
            ),
        };
    let order = OrderRow {
        order_id,
        checkout_id,
        order_reference_id: reference.clone(),
        status,
        channel: "online".to_owned(),
        country: country.code().to_owned(),
        currency: priced.currency.code().to_owned(),
        total_minor: minor(priced.total),
        shipping_minor: minor(priced.shipping),
        tax_minor: minor(priced.tax),
        discount_minor: minor(priced.discount_amount()),
        captured_minor: 0,
        refunded_minor: 0,
        canceled_minor: 0,
        items: serde_json::to_string(&priced.lines).unwrap_or_else(|_| "[]".into()),
        locale: Some(locale.as_str().to_owned()),
        checkout_url: checkout_url.clone(),
        created_at: now,
        updated_at: now,
        version: 0,
        approved_at: None,
        authorised_at: None,
        expires_at: Some(now + tamara_core::lifecycle::CHECKOUT_EXPIRY_MS),
        authorise_claimed_at: None,
        auto_capture_flagged_at: None,
        last_synced_at: Some(now),
    };
    let Some(checkout_url) = checkout_url else {
        // Tamara has the order but we never saw its checkout URL: recorded (so reconcile
        // tracks it until it expires), never handed out, and never created twice.
        let event = NewEvent {
            dedupe_key: &format!("checkout:{}", order.order_id),
            order_id: Some(&order.order_id),
            source: "storefront",
            kind: "checkout_unconfirmed",
            status_before: None,
            status_after: Some(&order.status),
            detail: None,
            processed: true,
        };
        db::insert_checkout(&db, &order, &event, now, None).await?;
        return Err(checkout_state_unknown());
    };
    let answer = json!({
        "order_id": order.order_id,
        "checkout_id": order.checkout_id,
        "checkout_url": checkout_url,
        "order_reference_id": reference,
        "total": money_json(priced.total),
        "expires_at": order.expires_at.map(rfc3339),
    });
    let event = NewEvent {
        dedupe_key: &format!("checkout:{}", order.order_id),
        order_id: Some(&order.order_id),
        source: "storefront",
        kind: "checkout_created",
        status_before: None,
        status_after: Some("new"),
        detail: Some(
            json!({"total_minor": order.total_minor, "currency": order.currency,
                   "lines": priced.lines.len()})
            .to_string(),
        ),
        processed: true,
    };
    // One round trip: the order, its audit event and the key's final answer.
    let text = answer.to_string();
    db::insert_checkout(
        &db,
        &order,
        &event,
        now,
        idem_key.map(|k| (k, 201, text.as_str())),
    )
    .await?;
    Ok((201, answer, idem_key.is_some()))
}

fn minor(m: Money) -> i64 {
    i64::try_from(m.minor()).unwrap_or(i64::MAX)
}

fn checkout_state_unknown() -> AppError {
    AppError::Invalid {
        status: 502,
        code: "checkout_state_unknown",
        message: "Tamara did not confirm the checkout; please try again".into(),
    }
}

/// Creates the session; after a failure with an unknown outcome, looks the reference up at
/// Tamara and retries only if no order exists (so a shopper never gets two sessions).
/// `Ok(Err(order))`: Tamara has an order under this reference but its checkout URL is unknown.
/// `retry`: a retry under an Idempotency-Key whose earlier attempt may have reached Tamara, so
/// the reference is looked up before creating.
async fn send_checkout(
    tamara: &Tamara,
    request: &CreateCheckout,
    retry: bool,
) -> AppResult<Result<CheckoutSession, OrderDetails>> {
    let lookup = || async {
        crate::tamara::not_found_as_none(
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
                // Tamara has the order but we never saw its checkout URL: do not create another.
                return Ok(Err(found));
            }
            tamara.call(request).await.map(Ok)
        }
        Err(e) => Err(e),
    }
}

/// `GET /api/orders/{id}`: status for the thank-you page (no PII). Orders still waiting for
/// Tamara are refreshed from Tamara (at most every few seconds).
pub async fn order(ctx: &Ctx, order_id: &str) -> AppResult<Response> {
    let db = ctx.db()?;
    let order = db::get_order(&db, order_id)
        .await?
        .ok_or_else(|| AppError::NotFound("order not found".into()))?;
    let now = ctx.now();
    let pending = matches!(order.status.as_str(), "new" | "approved");
    let stale = order.last_synced_at.is_none_or(|t| now - t > 3_000);
    let order = if pending && stale {
        match ctx.tamara() {
            Ok(tamara) => {
                match sync::sync_order(&db, &tamara, order.clone(), "storefront", now, None).await {
                    Ok(s) => s.order,
                    Err(e) => {
                        worker::console_warn!("order refresh failed: {}", e.code());
                        order
                    }
                }
            }
            Err(_) => order,
        }
    } else {
        order
    };
    app::json(200, &order.public_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_query() {
        assert_eq!(
            parse_items("TSHIRT-1:2, MUG-1:1").unwrap(),
            vec![("TSHIRT-1", 2), ("MUG-1", 1)]
        );
        assert_eq!(parse_items("A:B:3").unwrap(), vec![("A:B", 3)]);
        for bad in ["", "X", "X:", ":1", "X:0", "X:100", "X:-1", "X:1,", "X:1.5"] {
            let e = parse_items(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_cart", "{bad}");
        }
        let many = vec!["S:1"; 51].join(",");
        assert!(parse_items(&many).is_err());
        assert_eq!(parse_items(&vec!["S:1"; 50].join(",")).unwrap().len(), 50);
    }
}
