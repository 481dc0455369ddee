//! What the widget shows: the payment types Tamara offers for the market (cached per isolate)
//! and, with a phone, the pre-check verdict for that shopper and amount (cached briefly).

use tamara_core::checkout::{GetPaymentTypes, PaymentOptionsPreCheck, PaymentTypeInfo};
use tamara_core::{Country, Currency, Money, Phone};

use super::catalog::{check_pair, parse_country, parse_currency, parse_items, price_items};
use super::App;
use crate::cache::{self, Kind};
use crate::error::{AppError, AppResult};
use crate::options;
use crate::store::Sql;
use crate::tamara::Transport;

/// `GET /api/payment-options` query: `country`, `currency`, and exactly one of `items`
/// (`SKU:QTY,…`, priced here) and `amount`; optional `phone`.
#[derive(Debug, Clone, Default)]
pub struct OptionsQuery {
    /// Country code.
    pub country: Option<String>,
    /// Currency code.
    pub currency: Option<String>,
    /// The cart.
    pub items: Option<String>,
    /// A decimal amount.
    pub amount: Option<String>,
    /// The shopper's phone.
    pub phone: Option<String>,
    /// Whether this client may still cost a Tamara pre-check (the route asks the per-client
    /// `RL_PRE_CHECK` limit). Over the cap the answer carries no verdict: the payment types
    /// still show, the phone is not checked.
    pub pre_check_allowed: bool,
}

/// The payment-options answer (`options::build`).
pub async fn payment_options<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    q: &OptionsQuery,
) -> AppResult<serde_json::Value> {
    let cfg = &app.cfg;
    let country = parse_country(q.country.as_deref(), cfg.country)?;
    let currency = parse_currency(q.currency.as_deref(), country.currency())?;
    check_pair(country, currency)?;
    if q.items.is_some() && q.amount.is_some() {
        return Err(AppError::unprocessable(
            "amount_and_items",
            "send exactly one of `amount` and `items`",
        ));
    }
    let amount = match &q.items {
        // The cart itself: priced exactly as create-checkout will charge it.
        Some(items) => {
            if currency != cfg.currency {
                return Err(AppError::unprocessable(
                    "currency_mismatch",
                    format!("the catalog is priced in {}", cfg.currency),
                ));
            }
            let lines = parse_items(items)?;
            let products = super::catalog::products(app).await?;
            price_items(cfg, &products, &lines, cfg.shipping_fee)?.total
        }
        None => {
            let text = q.amount.as_deref().ok_or_else(|| {
                AppError::unprocessable("invalid_amount", "`amount` or `items` is required")
            })?;
            Money::parse_decimal(text, currency).map_err(|e| {
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
    let phone = match &q.phone {
        None => None,
        Some(p) => Some(Phone::parse(p, country).map_err(|_| {
            AppError::unprocessable(
                "invalid_phone_number",
                format!("not a {country} mobile number"),
            )
        })?),
    };
    let types = payment_types(app, country, currency).await?;
    // Eligibility first (200 ms budget, fails open): a shopper Tamara would refuse sees Tamara
    // greyed out, and the pre-check is not asked.
    // Over the client's cap (the route's RL_PRE_CHECK said no) a phone costs Tamara nothing: no
    // eligibility call and no pre-check, so nobody can test phone numbers at the page-view rate.
    let eligibility = match &phone {
        Some(_) if !q.pre_check_allowed => super::eligibility::Verdict::Unknown,
        _ => super::eligibility::check(app, amount, phone.as_ref()).await,
    };
    let verdict = match &phone {
        Some(p) if eligibility.allows() && q.pre_check_allowed => {
            Some(pre_check(app, country, amount, p).await?)
        }
        _ => None,
    };
    let mut answer = options::build(&types, amount, verdict);
    super::eligibility::apply(&mut answer, eligibility);
    Ok(answer)
}

/// Tamara's payment types for the market (cached per isolate).
pub async fn payment_types<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    country: Country,
    currency: Currency,
) -> AppResult<Vec<PaymentTypeInfo>> {
    let now = app.now();
    let key = format!("payment-types:{country}:{currency}");
    if let Some(hit) = cache::get(Kind::Shared, &key, now) {
        if let Ok(v) = serde_json::from_str(&hit) {
            return Ok(v);
        }
    }
    let types = app
        .tamara()?
        .call(&GetPaymentTypes {
            country,
            currency: Some(currency),
            order_value: None,
            phone: None,
        })
        .await?;
    if let Ok(text) = serde_json::to_string(&types) {
        cache::put(
            Kind::Shared,
            key,
            text,
            now,
            app.cfg.payment_options_ttl_secs * 1000,
        );
    }
    Ok(types)
}

async fn pre_check<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    country: Country,
    amount: Money,
    phone: &Phone,
) -> AppResult<bool> {
    let now = app.now();
    let key = format!(
        "pre-check:{country}:{}:{}",
        amount.minor(),
        phone.national()
    );
    if let Some(hit) = cache::get(Kind::PerShopper, &key, now) {
        return Ok(hit == "1");
    }
    let r = app
        .tamara()?
        .call(&PaymentOptionsPreCheck {
            country,
            order_value: amount,
            phone_number: Some(phone.national().to_owned()),
            is_vip: false,
        })
        .await?;
    let ok = r.has_available_payment_options;
    cache::put(
        Kind::PerShopper,
        key,
        if ok { "1" } else { "0" }.to_owned(),
        now,
        app.cfg.payment_options_ttl_secs * 1000,
    );
    Ok(ok)
}
