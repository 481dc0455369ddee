//! Money as people read it: the one formatter every part of tamara-rs uses for display text.
//!
//! The text is exactly what `Intl.NumberFormat(locale, {style: "currency", currency,
//! minimumFractionDigits: exponent, maximumFractionDigits: exponent})` prints for the Gulf
//! currencies, in English (`en-XX`) and in Arabic with Latin digits (`ar-XX-u-nu-latn`), which is
//! what the browser widget shows (`tamara-widget`'s `state::money_text`, a copy kept in the widget
//! so that its wasm does not link this crate; a native test there compares the two):
//!
//! * English: the ISO code, a no-break space, the amount with `,` grouping and all of the
//!   currency's decimals: `SAR\u{a0}1,234.50`, `KWD\u{a0}1.125`;
//! * Arabic: a right-to-left mark, the amount (Latin digits, same grouping), a no-break space,
//!   the Arabic sign ([`Currency::arabic_sign`](crate::money::Currency::arabic_sign)), a right-to-left mark:
//!   `\u{200f}1,234.50\u{a0}ر.س.\u{200f}`.
//!
//! Wire formats (Tamara's JSON numbers, the Worker's `amount` strings) are not display text and
//! keep using [`Money::to_decimal_string`].
//!
//! ```
//! use tamara_core::{display::money_text, Currency, Money};
//! let m = Money::from_minor(123_450, Currency::Sar).unwrap();
//! assert_eq!(money_text(m, false), "SAR\u{a0}1,234.50");
//! assert_eq!(money_text(m, true), "\u{200f}1,234.50\u{a0}ر.س.\u{200f}");
//! ```

use crate::money::Money;

/// No-break space between the amount and the code or sign (keeps the pair on one line).
pub const NBSP: char = '\u{a0}';
/// Right-to-left mark around Arabic amounts (as `Intl.NumberFormat` writes them).
pub const RLM: char = '\u{200f}';

/// `m` as display text, English (`arabic == false`: `SAR\u{a0}1,234.50`) or Arabic
/// (`\u{200f}1,234.50\u{a0}ر.س.\u{200f}`); see the [module documentation](self).
pub fn money_text(m: Money, arabic: bool) -> String {
    let number = grouped(m);
    let currency = m.currency();
    let mut out = String::with_capacity(number.len() + 16);
    if arabic {
        out.push(RLM);
        out.push_str(&number);
        out.push(NBSP);
        out.push_str(currency.arabic_sign());
        out.push(RLM);
    } else {
        out.push_str(currency.code());
        out.push(NBSP);
        out.push_str(&number);
    }
    out
}

/// The amount with all of its currency's decimals and `,` between groups of three integer
/// digits: `1,234,567.125`.
fn grouped(m: Money) -> String {
    let decimal = m.to_decimal_string();
    let int_len = decimal.find('.').unwrap_or(decimal.len());
    let mut out = String::with_capacity(decimal.len() + int_len / 3);
    for (i, c) in decimal.chars().enumerate() {
        if i > 0 && i < int_len && (int_len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, MAX_MINOR};

    fn m(minor: u64, c: Currency) -> Money {
        Money::from_minor(minor, c).unwrap()
    }

    #[test]
    fn english_matches_intl() {
        let cases = [
            (5750, Currency::Sar, "SAR\u{a0}57.50"),
            (0, Currency::Sar, "SAR\u{a0}0.00"),
            (1, Currency::Sar, "SAR\u{a0}0.01"),
            (1, Currency::Kwd, "KWD\u{a0}0.001"),
            (99_900, Currency::Aed, "AED\u{a0}999.00"),
            (100_000, Currency::Aed, "AED\u{a0}1,000.00"),
            (100_000, Currency::Omr, "OMR\u{a0}100.000"),
            (123_456_789, Currency::Sar, "SAR\u{a0}1,234,567.89"),
            (1_234_567_125, Currency::Kwd, "KWD\u{a0}1,234,567.125"),
            (MAX_MINOR, Currency::Qar, "QAR\u{a0}10,000,000,000,000.00"),
            (MAX_MINOR, Currency::Bhd, "BHD\u{a0}1,000,000,000,000.000"),
        ];
        for (minor, c, want) in cases {
            assert_eq!(money_text(m(minor, c), false), want, "{minor} {c}");
        }
    }

    #[test]
    fn arabic_matches_intl() {
        let cases = [
            (123_450, Currency::Sar, "\u{200f}1,234.50\u{a0}ر.س.\u{200f}"),
            (57_500, Currency::Bhd, "\u{200f}57.500\u{a0}د.ب.\u{200f}"),
            (0, Currency::Aed, "\u{200f}0.00\u{a0}د.إ.\u{200f}"),
            (1_125, Currency::Kwd, "\u{200f}1.125\u{a0}د.ك.\u{200f}"),
            (
                100_000_000,
                Currency::Qar,
                "\u{200f}1,000,000.00\u{a0}ر.ق.\u{200f}",
            ),
            (1, Currency::Omr, "\u{200f}0.001\u{a0}ر.ع.\u{200f}"),
        ];
        for (minor, c, want) in cases {
            assert_eq!(money_text(m(minor, c), true), want, "{minor} {c}");
        }
    }
}
