//! The catalog and cart pricing, one home for online checkouts, payment options and in-store
//! links: prices come from the D1 catalog (or a signed cart), never from the browser.

use std::cell::RefCell;
use std::rc::Rc;

use tamara_core::{Country, Currency, Money};

use super::{clip, App};
use crate::cart_sign::{self, SignedCart};
use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::pricing::{self, Line, Priced};
use crate::store::catalog::Product;
use crate::store::Sql;
use crate::tamara::Transport;

/// How long an isolate reuses its copy of the catalog.
pub const CATALOG_TTL_MS: i64 = 60_000;

thread_local! {
    static CATALOG: RefCell<Option<(i64, Rc<Vec<Product>>)>> = const { RefCell::new(None) };
}

/// The active catalog in the configured currency: the isolate's copy, read from D1 at most
/// every [`CATALOG_TTL_MS`].
pub async fn products<T: Transport, Q: Sql>(app: &App<T, Q>) -> AppResult<Rc<Vec<Product>>> {
    let now = app.now();
    let hit = CATALOG.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(exp, _)| *exp > now)
            .map(|(_, p)| p.clone())
    });
    if let Some(p) = hit {
        return Ok(p);
    }
    let products = Rc::new(app.store()?.catalog(app.cfg.currency.code()).await?);
    CATALOG.with(|c| *c.borrow_mut() = Some((now + CATALOG_TTL_MS, products.clone())));
    Ok(products)
}

/// Forgets the isolate's copy (tests that change the catalog).
pub fn forget() {
    CATALOG.with(|c| *c.borrow_mut() = None);
}

/// A product's price, if it is priced in `currency`.
pub fn price_of(p: &Product, currency: Currency) -> Option<Money> {
    if p.currency != currency.code() {
        return None;
    }
    Money::from_minor(u64::try_from(p.price_minor).ok()?, currency).ok()
}

/// Prices `(sku, quantity)` lines from `products` in the configured currency, plus `shipping`
/// and the configured tax.
pub fn price_items(
    cfg: &Config,
    products: &[Product],
    items: &[(&str, u32)],
    shipping: Money,
) -> AppResult<Priced> {
    let currency = cfg.currency;
    if items.len() > pricing::MAX_LINES {
        return Err(pricing::PricingError::TooManyLines.into());
    }
    let mut lines = Vec::with_capacity(items.len());
    for &(sku, quantity) in items {
        let p = products.iter().find(|p| p.sku == sku).ok_or_else(|| {
            AppError::unprocessable(
                "unknown_sku",
                format!("`{}` is not in the catalog", clip(sku, 64)),
            )
        })?;
        let price = price_of(p, currency).ok_or_else(|| {
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
        shipping,
        cfg.tax_rate_bps,
        None,
    )?)
}

/// `items=SKU:QTY,SKU:QTY` → `(sku, quantity)` lines (1–50 lines, quantity 1–99).
pub fn parse_items(text: &str) -> AppResult<Vec<(&str, u32)>> {
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

/// A country, or `default` when absent (422 `unsupported_country` when unknown).
pub fn parse_country(s: Option<&str>, default: Country) -> AppResult<Country> {
    match s {
        None => Ok(default),
        Some(c) => c.to_ascii_uppercase().parse().map_err(|_| {
            AppError::unprocessable(
                "unsupported_country",
                format!("country `{}` is not supported", clip(c, 8)),
            )
        }),
    }
}

/// A currency, or `default` when absent (422 `unsupported_currency` when unknown).
pub fn parse_currency(s: Option<&str>, default: Currency) -> AppResult<Currency> {
    match s {
        None => Ok(default),
        Some(c) => c.to_ascii_uppercase().parse().map_err(|_| {
            AppError::unprocessable(
                "unsupported_currency",
                format!("currency `{}` is not supported", clip(c, 8)),
            )
        }),
    }
}

/// 422 `currency_mismatch` unless `currency` is `country`'s.
pub fn check_pair(country: Country, currency: Currency) -> AppResult<()> {
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

/// Trimmed text of 1..=`max` characters, or 422 naming `field`.
pub fn text(field: &str, s: &str, max: usize) -> AppResult<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(AppError::invalid(format!(
            "`{field}` must be 1-{max} characters"
        )));
    }
    Ok(t.to_owned())
}

/// Prices a cart the merchant's server signed (`CART_SIGNING_KEY`): its amounts are trusted
/// because of the signature, checked at `now_secs`. Returns the cart's country and prices.
pub fn price_signed(
    cfg: &Config,
    signed: &SignedCart,
    country_hint: Option<Country>,
    now_secs: i64,
) -> AppResult<(Country, Priced)> {
    let key = cfg.cart_signing_key()?;
    let payload = cart_sign::verify(key.expose().as_bytes(), signed, now_secs)?;
    let currency = parse_currency(Some(&payload.currency), cfg.currency)?;
    let country = country_hint.unwrap_or_else(|| Country::for_currency(currency));
    check_pair(country, currency)?;
    let amount = |field: &str, s: &str| {
        Money::parse_decimal(s, currency).map_err(|e| {
            AppError::unprocessable("invalid_signed_cart", format!("signed_cart {field}: {e}"))
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
    let priced = pricing::price(currency, &lines, shipping, cfg.tax_rate_bps, discount)?;
    Ok((country, priced))
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
