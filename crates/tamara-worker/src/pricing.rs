//! Server-side pricing: a cart (catalog prices × quantities) plus shipping, tax and discount
//! becomes exact totals in integer minor units, with items + shipping + tax − discount = total
//! by construction. Tax is rounded half-up to the currency's minor unit (2 or 3 decimals).

use tamara_core::types::{Discount, Item};
use tamara_core::{Currency, Money, MoneyError};

use crate::error::AppError;

/// Most lines in one cart.
pub const MAX_LINES: usize = 50;
/// Most units of one SKU.
pub const MAX_QUANTITY: u32 = 99;

/// One priced input line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// SKU.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Unit price.
    pub unit_price: Money,
    /// Units.
    pub quantity: u32,
    /// Optional image.
    pub image_url: Option<String>,
}

/// A line with its total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PricedLine {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Unit price, minor units.
    pub unit_minor: u64,
    /// unit × quantity, minor units.
    pub total_minor: u64,
    /// Image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// The computed order amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// Currency of every amount.
    pub currency: Currency,
    /// Lines.
    pub lines: Vec<PricedLine>,
    /// Σ line totals.
    pub subtotal: Money,
    /// Shipping.
    pub shipping: Money,
    /// Tax.
    pub tax: Money,
    /// Discount (name, amount), amount ≤ subtotal.
    pub discount: Option<(String, Money)>,
    /// subtotal + shipping + tax − discount.
    pub total: Money,
}

/// Why a cart cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingError {
    /// No lines.
    Empty,
    /// Too many lines.
    TooManyLines,
    /// Quantity 0 or above the maximum.
    Quantity(String),
    /// An amount in another currency.
    Currency(Currency),
    /// Discount larger than the subtotal.
    DiscountTooLarge,
    /// Arithmetic overflow.
    Overflow,
}

impl From<PricingError> for AppError {
    fn from(e: PricingError) -> Self {
        match e {
            PricingError::Empty => AppError::unprocessable("empty_cart", "the cart has no items"),
            PricingError::TooManyLines => AppError::unprocessable(
                "cart_too_large",
                format!("a cart holds at most {MAX_LINES} lines"),
            ),
            PricingError::Quantity(sku) => AppError::unprocessable(
                "invalid_quantity",
                format!("quantity for `{sku}` must be between 1 and {MAX_QUANTITY}"),
            ),
            PricingError::Currency(c) => AppError::unprocessable(
                "currency_mismatch",
                format!("all amounts must be in the same currency (found {c})"),
            ),
            PricingError::DiscountTooLarge => {
                AppError::unprocessable("invalid_discount", "the discount is larger than the items")
            }
            PricingError::Overflow => {
                AppError::unprocessable("amount_too_large", "the order amount is too large")
            }
        }
    }
}

fn ov(_: MoneyError) -> PricingError {
    PricingError::Overflow
}

/// `amount × bps / 10000`, rounded half-up, in the amount's minor units.
pub fn percent_of(amount: Money, bps: u32) -> Result<Money, PricingError> {
    let num = u128::from(amount.minor()) * u128::from(bps);
    let rounded = (num + 5_000) / 10_000;
    let minor = u64::try_from(rounded).map_err(|_| PricingError::Overflow)?;
    Money::from_minor(minor, amount.currency()).map_err(ov)
}

/// Prices `lines` (lines with the same SKU are merged).
pub fn price(
    currency: Currency,
    lines: &[Line],
    shipping: Money,
    tax_rate_bps: u32,
    discount: Option<(String, Money)>,
) -> Result<Priced, PricingError> {
    if lines.is_empty() {
        return Err(PricingError::Empty);
    }
    if lines.len() > MAX_LINES {
        return Err(PricingError::TooManyLines);
    }
    let mut merged: Vec<PricedLine> = Vec::with_capacity(lines.len());
    for l in lines {
        if l.unit_price.currency() != currency {
            return Err(PricingError::Currency(l.unit_price.currency()));
        }
        if l.quantity == 0 || l.quantity > MAX_QUANTITY {
            return Err(PricingError::Quantity(l.sku.clone()));
        }
        if let Some(m) = merged.iter_mut().find(|m| m.sku == l.sku) {
            m.quantity += l.quantity;
            if m.quantity > MAX_QUANTITY {
                return Err(PricingError::Quantity(l.sku.clone()));
            }
        } else {
            merged.push(PricedLine {
                sku: l.sku.clone(),
                name: l.name.clone(),
                quantity: l.quantity,
                unit_minor: l.unit_price.minor(),
                total_minor: 0,
                image_url: l.image_url.clone(),
            });
        }
    }
    for m in &mut merged {
        m.total_minor = Money::from_minor(m.unit_minor, currency)
            .and_then(|u| u.checked_mul(u64::from(m.quantity)))
            .map_err(ov)?
            .minor();
    }
    let subtotal = Money::sum(
        currency,
        merged
            .iter()
            .map(|m| Money::from_minor(m.total_minor, currency).unwrap_or(Money::zero(currency))),
    )
    .map_err(ov)?;
    if shipping.currency() != currency {
        return Err(PricingError::Currency(shipping.currency()));
    }
    let discount_amount = match &discount {
        Some((_, d)) if d.currency() != currency => {
            return Err(PricingError::Currency(d.currency()))
        }
        Some((_, d)) if d.minor() > subtotal.minor() => return Err(PricingError::DiscountTooLarge),
        Some((_, d)) => *d,
        None => Money::zero(currency),
    };
    let taxable = subtotal.checked_sub(discount_amount).map_err(ov)?;
    let tax = percent_of(taxable, tax_rate_bps)?;
    let total = subtotal
        .checked_add(shipping)
        .and_then(|m| m.checked_add(tax))
        .and_then(|m| m.checked_sub(discount_amount))
        .map_err(ov)?;
    Ok(Priced {
        currency,
        lines: merged,
        subtotal,
        shipping,
        tax,
        discount: discount.filter(|(_, d)| !d.is_zero()),
        total,
    })
}

impl Priced {
    /// Tamara's item lines.
    pub fn tamara_items(&self) -> Vec<Item> {
        self.lines
            .iter()
            .map(|l| Item {
                reference_id: l.sku.clone(),
                item_type: "Physical".to_owned(),
                name: l.name.clone(),
                sku: l.sku.clone(),
                quantity: l.quantity,
                total_amount: self.money(l.total_minor),
                unit_price: Some(self.money(l.unit_minor)),
                tax_amount: None,
                discount_amount: None,
                item_url: None,
                image_url: None,
            })
            .collect()
    }

    /// Tamara's discount object (when there is one).
    pub fn tamara_discount(&self) -> Option<Discount> {
        self.discount.as_ref().map(|(name, amount)| Discount {
            name: name.clone(),
            amount: *amount,
        })
    }

    /// The discount amount (zero when none).
    pub fn discount_amount(&self) -> Money {
        self.discount
            .as_ref()
            .map(|(_, d)| *d)
            .unwrap_or(Money::zero(self.currency))
    }

    fn money(&self, minor: u64) -> Money {
        Money::from_minor(minor, self.currency).unwrap_or(Money::zero(self.currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(minor: u64, c: Currency) -> Money {
        Money::from_minor(minor, c).unwrap()
    }

    fn line(sku: &str, minor: u64, c: Currency, q: u32) -> Line {
        Line {
            sku: sku.into(),
            name: sku.into(),
            unit_price: m(minor, c),
            quantity: q,
            image_url: None,
        }
    }

    #[test]
    fn totals_add_up_in_sar() {
        let p = price(
            Currency::Sar,
            &[
                line("A", 5750, Currency::Sar, 2),
                line("B", 11500, Currency::Sar, 1),
            ],
            m(1500, Currency::Sar),
            1500,
            Some(("WELCOME".into(), m(1000, Currency::Sar))),
        )
        .unwrap();
        assert_eq!(p.subtotal.minor(), 23000);
        // 15% of 220.00 = 33.00
        assert_eq!(p.tax.minor(), 3300);
        assert_eq!(p.total.minor(), 23000 + 1500 + 3300 - 1000);
        let items: u64 = p
            .tamara_items()
            .iter()
            .map(|i| i.total_amount.minor())
            .sum();
        assert_eq!(
            items + p.shipping.minor() + p.tax.minor() - p.discount_amount().minor(),
            p.total.minor()
        );
    }

    #[test]
    fn tax_rounds_half_up_per_currency_exponent() {
        // 15% of 0.333 KWD = 0.04995 → 0.050 (3 decimals)
        assert_eq!(percent_of(m(333, Currency::Kwd), 1500).unwrap().minor(), 50);
        // 15% of 0.33 SAR = 0.0495 → 0.05
        assert_eq!(percent_of(m(33, Currency::Sar), 1500).unwrap().minor(), 5);
        // 15% of 0.03 SAR = 0.0045 → 0.00
        assert_eq!(percent_of(m(3, Currency::Sar), 1500).unwrap().minor(), 0);
        assert_eq!(percent_of(m(1001, Currency::Bhd), 0).unwrap().minor(), 0);
    }

    #[test]
    fn merges_duplicate_skus_and_checks_quantities() {
        let p = price(
            Currency::Sar,
            &[
                line("A", 100, Currency::Sar, 2),
                line("A", 100, Currency::Sar, 3),
            ],
            Money::zero(Currency::Sar),
            0,
            None,
        )
        .unwrap();
        assert_eq!(p.lines.len(), 1);
        assert_eq!(p.lines[0].quantity, 5);
        assert_eq!(p.total.minor(), 500);
        let z = Money::zero(Currency::Sar);
        assert_eq!(
            price(
                Currency::Sar,
                &[line("A", 100, Currency::Sar, 0)],
                z,
                0,
                None
            ),
            Err(PricingError::Quantity("A".into()))
        );
        assert_eq!(
            price(
                Currency::Sar,
                &[line("A", 100, Currency::Sar, 100)],
                z,
                0,
                None
            ),
            Err(PricingError::Quantity("A".into()))
        );
        assert_eq!(
            price(Currency::Sar, &[], z, 0, None),
            Err(PricingError::Empty)
        );
    }

    #[test]
    fn rejects_mixed_currencies_big_discounts_and_overflow() {
        let z = Money::zero(Currency::Sar);
        assert_eq!(
            price(
                Currency::Sar,
                &[line("A", 100, Currency::Kwd, 1)],
                z,
                0,
                None
            ),
            Err(PricingError::Currency(Currency::Kwd))
        );
        assert_eq!(
            price(
                Currency::Sar,
                &[line("A", 100, Currency::Sar, 1)],
                z,
                0,
                Some(("X".into(), m(101, Currency::Sar)))
            ),
            Err(PricingError::DiscountTooLarge)
        );
        assert_eq!(
            price(
                Currency::Sar,
                &[line("A", tamara_core::money::MAX_MINOR, Currency::Sar, 2)],
                z,
                0,
                None
            ),
            Err(PricingError::Overflow)
        );
    }
}
