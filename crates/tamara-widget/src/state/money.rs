//! Money as text, written by hand exactly as `Intl.NumberFormat` prints it (no ICU set-up, no
//! `core::fmt`): [`money_text`], [`minor_to_decimal`], the currencies' decimals.
//!
//! A copy of `tamara_core::display::money_text` (the widget does not link tamara-core, for wasm
//! size); `tests/money_text.rs` checks natively that the two agree for every currency, both
//! languages and the edge amounts.

use super::{cat, push_uint, Lang};

/// Number of decimals of a Tamara currency; `None` for currencies Tamara does not serve.
pub fn currency_exponent(currency: &str) -> Option<u32> {
    match currency {
        "SAR" | "AED" | "QAR" => Some(2),
        "KWD" | "BHD" | "OMR" => Some(3),
        _ => None,
    }
}

/// The Arabic currency sign CLDR gives each Gulf currency (`ar-XX` locales); the code for others.
/// The same table as `tamara_core::Currency::arabic_sign`: the widget does not link tamara-core
/// (size).
fn arabic_sign(currency: &str) -> &str {
    match currency {
        "SAR" => "ر.س.",
        "AED" => "د.إ.",
        "QAR" => "ر.ق.",
        "KWD" => "د.ك.",
        "BHD" => "د.ب.",
        "OMR" => "ر.ع.",
        other => other,
    }
}

/// Money as text, exactly as `Intl.NumberFormat(lang.number_locale(country), {style:
/// "currency", currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent})`
/// prints it for the Gulf currencies (`SAR\u{a0}1,234.50`; Arabic with Latin digits:
/// `\u{200f}1,234.50\u{a0}ر.س.\u{200f}`), written by hand: a page's first `Intl.NumberFormat`
/// costs 20–60 ms of ICU set-up on the main thread, more than the rest of the widget's first
/// render. The browser tests compare this with `Intl` for every currency and both languages.
pub fn money_text(lang: Lang, currency: &str, exponent: u32, minor: u64) -> String {
    let decimal = minor_to_decimal(minor, exponent);
    let int_len = decimal
        .bytes()
        .position(|b| b == b'.')
        .unwrap_or(decimal.len());
    let mut number = String::with_capacity(decimal.len() + int_len / 3);
    for (i, b) in decimal.bytes().enumerate() {
        if i > 0 && i < int_len && (int_len - i) % 3 == 0 {
            number.push(',');
        }
        number.push(char::from(b));
    }
    match lang {
        Lang::Ar => cat(&[
            "\u{200f}",
            &number,
            "\u{a0}",
            arabic_sign(currency),
            "\u{200f}",
        ]),
        Lang::En => cat(&[currency, "\u{a0}", &number]),
    }
}

/// Integer minor units → exact decimal string (`5750, 2 → "57.50"`, `1250, 3 → "1.250"`).
pub fn minor_to_decimal(minor: u64, exponent: u32) -> String {
    let mut out = String::new();
    if exponent == 0 {
        push_uint(&mut out, minor);
        return out;
    }
    // Never 0 (the exponents are 2 and 3; 10^e wraps to 0 only from e = 64): saying so keeps a
    // division-by-zero panic path, its message and this file's name out of the wasm.
    let scale = 10u64.pow(exponent).max(1);
    push_uint(&mut out, minor / scale);
    out.push('.');
    let mut fraction = String::new();
    push_uint(&mut fraction, minor % scale + scale); // leading "1" keeps the zeros
    out.push_str(fraction.get(1..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_exponents() {
        assert_eq!(minor_to_decimal(5750, 2), "57.50");
        assert_eq!(minor_to_decimal(5, 2), "0.05");
        assert_eq!(minor_to_decimal(1250, 3), "1.250");
        assert_eq!(minor_to_decimal(7, 3), "0.007");
        assert_eq!(minor_to_decimal(42, 0), "42");
        assert_eq!(minor_to_decimal(0, 2), "0.00");
        assert_eq!(minor_to_decimal(100, 2), "1.00");
        assert_eq!(minor_to_decimal(123456789, 3), "123456.789");
        assert_eq!(currency_exponent("KWD"), Some(3));
        assert_eq!(currency_exponent("USD"), None);
    }

    #[test]
    fn money_text_matches_intl_patterns() {
        let cases: [(Lang, &str, u32, u64, &str); 8] = [
            (Lang::En, "SAR", 2, 5750, "SAR\u{a0}57.50"),
            (Lang::En, "SAR", 2, 0, "SAR\u{a0}0.00"),
            (Lang::En, "SAR", 2, 123_456_789, "SAR\u{a0}1,234,567.89"),
            (Lang::En, "KWD", 3, 1_234_567_125, "KWD\u{a0}1,234,567.125"),
            (Lang::En, "OMR", 3, 100_000, "OMR\u{a0}100.000"),
            (Lang::En, "AED", 2, 100_000, "AED\u{a0}1,000.00"),
            (
                Lang::Ar,
                "SAR",
                2,
                123_450,
                "\u{200f}1,234.50\u{a0}ر.س.\u{200f}",
            ),
            (
                Lang::Ar,
                "BHD",
                3,
                57_500,
                "\u{200f}57.500\u{a0}د.ب.\u{200f}",
            ),
        ];
        for (lang, currency, exponent, minor, want) in cases {
            assert_eq!(money_text(lang, currency, exponent, minor), want);
        }
    }
}
