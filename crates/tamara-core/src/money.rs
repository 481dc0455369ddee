//! Exact money: integer minor units plus a currency with its own exponent.
//!
//! Tamara writes amounts as JSON numbers in major units (`300`, `300.00`, `1.125`). This module is
//! the only place that converts between that wire form and integer minor units, and it does so
//! through decimal text, never through floating-point arithmetic.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

/// Largest amount, in minor units, that we accept (10^15). Every value up to it is exactly
/// representable as an IEEE double, so it survives any JSON parser on the other side.
pub const MAX_MINOR: u64 = 1_000_000_000_000_000;

/// The currencies Tamara settles in. Each has a fixed ISO-4217 exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Currency {
    /// Saudi riyal, 2 decimals.
    Sar,
    /// UAE dirham, 2 decimals.
    Aed,
    /// Qatari riyal, 2 decimals.
    Qar,
    /// Kuwaiti dinar, 3 decimals.
    Kwd,
    /// Bahraini dinar, 3 decimals.
    Bhd,
    /// Omani rial, 3 decimals.
    Omr,
}

impl Currency {
    /// All supported currencies.
    pub const ALL: [Currency; 6] = [
        Currency::Sar,
        Currency::Aed,
        Currency::Qar,
        Currency::Kwd,
        Currency::Bhd,
        Currency::Omr,
    ];

    /// Number of decimal places (ISO-4217 minor unit exponent).
    pub const fn exponent(self) -> u32 {
        match self {
            Currency::Sar | Currency::Aed | Currency::Qar => 2,
            Currency::Kwd | Currency::Bhd | Currency::Omr => 3,
        }
    }

    /// The ISO-4217 code.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::Sar => "SAR",
            Currency::Aed => "AED",
            Currency::Qar => "QAR",
            Currency::Kwd => "KWD",
            Currency::Bhd => "BHD",
            Currency::Omr => "OMR",
        }
    }

    /// The currency sign CLDR gives it in Arabic (`ar-XX` locales), as `Intl.NumberFormat`
    /// prints it: `ر.س.` for SAR. Display text for amounts: [`crate::display::money_text`].
    pub const fn arabic_sign(self) -> &'static str {
        match self {
            Currency::Sar => "ر.س.",
            Currency::Aed => "د.إ.",
            Currency::Qar => "ر.ق.",
            Currency::Kwd => "د.ك.",
            Currency::Bhd => "د.ب.",
            Currency::Omr => "ر.ع.",
        }
    }

    /// Minor units per major unit (100 or 1000).
    pub const fn scale(self) -> u64 {
        10u64.pow(self.exponent())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| MoneyError::UnknownCurrency(s.to_owned()))
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// Everything that can go wrong building or combining money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyError {
    /// The currency code is not one Tamara settles in.
    #[error("unknown currency `{0}`")]
    UnknownCurrency(String),
    /// More decimal places than the currency has.
    #[error("{currency} has {exponent} decimals; `{text}` has more")]
    TooManyDecimals {
        /// Currency of the amount.
        currency: Currency,
        /// Its exponent.
        exponent: u32,
        /// The amount as written.
        text: String,
    },
    /// A negative amount where only non-negative ones are allowed.
    #[error("amount `{0}` is negative")]
    Negative(String),
    /// Not a decimal number.
    #[error("`{0}` is not a decimal amount")]
    Malformed(String),
    /// Larger than [`MAX_MINOR`] or an arithmetic overflow.
    #[error("amount out of range")]
    Overflow,
    /// A subtraction would go below zero.
    #[error("amount would become negative")]
    Underflow,
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: {0} and {1}")]
    CurrencyMismatch(Currency, Currency),
}

impl MoneyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::UnknownCurrency(_) => "unknown_currency",
            MoneyError::TooManyDecimals { .. } => "too_many_decimals",
            MoneyError::Negative(_) => "negative_amount",
            MoneyError::Malformed(_) => "malformed_amount",
            MoneyError::Overflow => "amount_overflow",
            MoneyError::Underflow => "amount_underflow",
            MoneyError::CurrencyMismatch(..) => "currency_mismatch",
        }
    }
}

/// A non-negative amount of money in integer minor units.
///
/// ```
/// use tamara_core::money::{Currency, Money};
/// let m = Money::parse("1.125", Currency::Kwd).unwrap();
/// assert_eq!(m.minor(), 1125);
/// assert_eq!(m.to_string(), "1.125 KWD");
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"amount":1.125,"currency":"KWD"}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: u64,
    currency: Currency,
}

impl Money {
    /// Builds from minor units (halalas, fils, baisa…).
    pub fn from_minor(minor: u64, currency: Currency) -> Result<Self, MoneyError> {
        if minor > MAX_MINOR {
            return Err(MoneyError::Overflow);
        }
        Ok(Money { minor, currency })
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// Amount in minor units.
    pub const fn minor(self) -> u64 {
        self.minor
    }

    /// Currency.
    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// True when zero.
    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// Parses an amount a person or a merchant's system typed, strictly: a plain decimal
    /// `digits[.digits]` (`"57.50"`, `"10"`, `"0.5"`): no sign, no exponent, no spaces, no
    /// leading zeros (`"010"`), digits on both sides of a point. Extra fraction digits must be
    /// zeros. Tamara's own JSON numbers go through the lenient [`Money::parse`].
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let malformed = || MoneyError::Malformed(text.to_owned());
        let (int_part, frac) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int_part)
            || (int_part.len() > 1 && int_part.starts_with('0'))
            || frac.is_some_and(|f| !digits(f))
        {
            return Err(malformed());
        }
        Money::parse(text, currency)
    }

    /// Parses a decimal string in major units (`"57.50"`, `"300"`, `"1.125"`). Trailing zeros
    /// beyond the exponent are accepted (`"300.000"` SAR); significant extra digits are not.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let t = text.trim();
        let malformed = || MoneyError::Malformed(text.to_owned());
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        // Exponent notation (`1e3`, `1.5E-2`) as produced by some JSON encoders.
        let (mantissa, exp10): (&str, i32) = match body.find(['e', 'E']) {
            Some(i) => {
                let e: i32 = body[i + 1..].parse().map_err(|_| malformed())?;
                (&body[..i], e)
            }
            None => (body, 0),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        if (int_part.is_empty() && frac_part.is_empty())
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(malformed());
        }
        // digits = int_part ++ frac_part, value = digits * 10^(exp10 - frac_len)
        let mut digits: String = format!("{int_part}{frac_part}");
        let shift = i64::from(exp10) - frac_part.len() as i64 + i64::from(currency.exponent());
        // value in minor units = digits * 10^shift
        if shift < 0 {
            let cut = usize::try_from(-shift).map_err(|_| MoneyError::Overflow)?;
            // Never materialise the cut zeros: `1e-2000000000` must not allocate 2 GB. When the
            // cut covers every digit, all of them are dropped and the value is 0 (or too precise).
            let cut = cut.min(digits.len());
            let (keep, dropped) = digits.split_at(digits.len() - cut);
            if dropped.bytes().any(|b| b != b'0') {
                return Err(MoneyError::TooManyDecimals {
                    currency,
                    exponent: currency.exponent(),
                    text: text.to_owned(),
                });
            }
            digits = keep.to_owned();
        } else {
            let add = usize::try_from(shift).map_err(|_| MoneyError::Overflow)?;
            if add > 20 {
                return Err(MoneyError::Overflow);
            }
            digits.push_str(&"0".repeat(add));
        }
        let trimmed = digits.trim_start_matches('0');
        if trimmed.len() > 19 {
            return Err(MoneyError::Overflow);
        }
        let minor: u64 = if trimmed.is_empty() {
            0
        } else {
            trimmed.parse().map_err(|_| MoneyError::Overflow)?
        };
        if neg && minor != 0 {
            return Err(MoneyError::Negative(text.to_owned()));
        }
        Money::from_minor(minor, currency)
    }

    /// The amount in major units as exact decimal text with exactly `exponent` decimals
    /// (`"57.50"`, `"1.125"`).
    pub fn to_decimal_string(self) -> String {
        let scale = self.currency.scale();
        let exp = self.currency.exponent() as usize;
        format!("{}.{:0exp$}", self.minor / scale, self.minor % scale)
    }

    fn same(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    /// `self + other`, same currency, no overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        let sum = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Money::from_minor(sum, self.currency)
    }

    /// `self - other`, same currency, never below zero.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same(other)?;
        let d = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Underflow)?;
        Ok(Money {
            minor: d,
            currency: self.currency,
        })
    }

    /// `self * n`, no overflow (line totals: unit price × quantity).
    pub fn checked_mul(self, n: u64) -> Result<Money, MoneyError> {
        let p = self.minor.checked_mul(n).ok_or(MoneyError::Overflow)?;
        Money::from_minor(p, self.currency)
    }

    /// Splits into `n` instalments that add up exactly to `self`; earlier instalments carry the
    /// remainder (Tamara charges the first instalment at checkout).
    pub fn split(self, n: u32) -> Vec<Money> {
        if n == 0 {
            return Vec::new();
        }
        let n64 = u64::from(n);
        let base = self.minor / n64;
        let rem = self.minor % n64;
        (0..n64)
            .map(|i| Money {
                minor: base + u64::from(i < rem),
                currency: self.currency,
            })
            .collect()
    }

    /// Compares amounts of the same currency.
    pub fn checked_cmp(self, other: Money) -> Result<std::cmp::Ordering, MoneyError> {
        self.same(other)?;
        Ok(self.minor.cmp(&other.minor))
    }

    /// Sums an iterator of amounts, all in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), |acc, m| acc.checked_add(m))
    }

    /// Converts to the JSON number Tamara expects. The double is obtained by parsing the exact
    /// decimal text, so its shortest round-trip representation is that same decimal.
    fn wire_number(self) -> serde_json::Number {
        if self.minor % self.currency.scale() == 0 {
            return serde_json::Number::from(self.minor / self.currency.scale());
        }
        let f: f64 = self
            .to_decimal_string()
            .parse()
            .unwrap_or_else(|_| unreachable_zero());
        serde_json::Number::from_f64(f).unwrap_or_else(|| serde_json::Number::from(0u64))
    }
}

#[cold]
fn unreachable_zero() -> f64 {
    // `to_decimal_string` always yields `digits.digits`, which always parses.
    0.0
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Money", 2)?;
        st.serialize_field("amount", &self.wire_number())?;
        st.serialize_field("currency", &self.currency)?;
        st.end()
    }
}

/// A JSON amount as decimal text, recovered exactly from whatever number form the parser saw.
struct AmountText(String);

impl<'de> Deserialize<'de> for AmountText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = AmountText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal amount (number or numeric string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AmountText, E> {
                Ok(AmountText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AmountText, E> {
                Ok(AmountText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AmountText, E> {
                if !v.is_finite() {
                    return Err(E::custom("amount is not finite"));
                }
                // Rust prints the shortest decimal that round-trips, i.e. the literal that was
                // written (for up to 15 significant digits, which MAX_MINOR guarantees).
                Ok(AmountText(format!("{v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AmountText, E> {
                Ok(AmountText(v.to_owned()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a money object {"amount": number, "currency": "SAR"}"#)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Money, A::Error> {
                let mut amount: Option<AmountText> = None;
                let mut currency: Option<Currency> = None;
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "amount" => amount = Some(map.next_value()?),
                        "currency" => currency = Some(map.next_value()?),
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                let amount = amount.ok_or_else(|| de::Error::missing_field("amount"))?;
                let currency = currency.ok_or_else(|| de::Error::missing_field("currency"))?;
                Money::parse(&amount.0, currency).map_err(de::Error::custom)
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn parses_wire_forms() {
        for (json, minor) in [
            (r#"{"amount":300,"currency":"SAR"}"#, 30000),
            (r#"{"amount":300.0,"currency":"SAR"}"#, 30000),
            (r#"{"amount":300.00,"currency":"SAR"}"#, 30000),
            (r#"{"amount":57.5,"currency":"SAR"}"#, 5750),
            (r#"{"amount":"0.00","currency":"SAR"}"#, 0),
            (r#"{"amount":0.1,"currency":"AED"}"#, 10),
            (r#"{"amount":1.125,"currency":"KWD"}"#, 1125),
            (r#"{"amount":0.001,"currency":"BHD"}"#, 1),
            (r#"{"amount":1e2,"currency":"OMR"}"#, 100_000),
        ] {
            let m: Money = serde_json::from_str(json).unwrap();
            assert_eq!(m.minor(), minor, "{json}");
        }
    }

    #[test]
    fn rejects_bad_amounts() {
        for json in [
            r#"{"amount":1.125,"currency":"SAR"}"#,
            r#"{"amount":-1,"currency":"SAR"}"#,
            r#"{"amount":1,"currency":"USD"}"#,
            r#"{"amount":"abc","currency":"SAR"}"#,
            r#"{"amount":1}"#,
            r#"{"amount":1e300,"currency":"SAR"}"#,
            r#"{"amount":true,"currency":"SAR"}"#,
        ] {
            assert!(serde_json::from_str::<Money>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn serialises_as_tamara_numbers() {
        let cases = [
            (Money::from_minor(30000, Currency::Sar).unwrap(), "300"),
            (Money::from_minor(5750, Currency::Sar).unwrap(), "57.5"),
            (Money::from_minor(1125, Currency::Kwd).unwrap(), "1.125"),
            (Money::from_minor(1, Currency::Bhd).unwrap(), "0.001"),
            (Money::from_minor(1, Currency::Sar).unwrap(), "0.01"),
        ];
        for (m, n) in cases {
            let s = serde_json::to_string(&m).unwrap();
            assert_eq!(
                s,
                format!(r#"{{"amount":{n},"currency":"{}"}}"#, m.currency())
            );
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        let a = Money::from_minor(100, Currency::Sar).unwrap();
        let k = Money::from_minor(100, Currency::Kwd).unwrap();
        assert_eq!(
            a.checked_add(k),
            Err(MoneyError::CurrencyMismatch(Currency::Sar, Currency::Kwd))
        );
        assert_eq!(
            Money::zero(Currency::Sar).checked_sub(a),
            Err(MoneyError::Underflow)
        );
        let max = Money::from_minor(MAX_MINOR, Currency::Sar).unwrap();
        assert_eq!(max.checked_add(a), Err(MoneyError::Overflow));
        assert_eq!(a.checked_mul(u64::MAX), Err(MoneyError::Overflow));
        assert_eq!(
            Money::from_minor(MAX_MINOR + 1, Currency::Sar),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn split_adds_up() {
        let m = Money::from_minor(23000, Currency::Sar).unwrap();
        let parts = m.split(4);
        assert_eq!(
            parts.iter().map(|p| p.minor()).collect::<Vec<_>>(),
            [5750; 4]
        );
        let m = Money::from_minor(1001, Currency::Kwd).unwrap();
        let parts = m.split(3);
        assert_eq!(parts.iter().map(|p| p.minor()).sum::<u64>(), 1001);
        assert_eq!(parts[0].minor(), 334);
    }

    #[test]
    fn decimal_text() {
        assert_eq!(
            Money::parse("57.50", Currency::Sar)
                .unwrap()
                .to_decimal_string(),
            "57.50"
        );
        assert_eq!(
            Money::parse("300.000", Currency::Sar).unwrap().minor(),
            30000
        );
        assert_eq!(Money::parse("-0", Currency::Sar).unwrap().minor(), 0);
        assert!(Money::parse("", Currency::Sar).is_err());
        assert!(Money::parse(".", Currency::Sar).is_err());
        assert!(Money::parse("1.2.3", Currency::Sar).is_err());
        assert_eq!(Money::parse(".5", Currency::Sar).unwrap().minor(), 50);
    }

    #[test]
    fn huge_negative_exponents_do_not_allocate() {
        // These used to build a string of ~2 billion zeros before looking at the digits.
        for text in ["1e-2000000000", "5E-2147483648", "0.5e-2147483647"] {
            assert!(
                matches!(
                    Money::parse(text, Currency::Sar),
                    Err(MoneyError::TooManyDecimals { .. })
                ),
                "{text}"
            );
        }
        assert_eq!(
            Money::parse("0e-2000000000", Currency::Kwd)
                .unwrap()
                .minor(),
            0
        );
        assert_eq!(
            Money::parse("000.000e-2147483648", Currency::Sar)
                .unwrap()
                .minor(),
            0
        );
        let json = r#"{"amount":"1e-2000000000","currency":"SAR"}"#;
        assert!(serde_json::from_str::<Money>(json).is_err());
        // Small negative exponents still work exactly.
        assert_eq!(
            Money::parse("1125e-3", Currency::Kwd).unwrap().minor(),
            1125
        );
        assert_eq!(
            Money::parse("1125e-3", Currency::Sar).map_err(|e| e.code()),
            Err("too_many_decimals")
        );
        assert_eq!(Money::parse("12e-1", Currency::Sar).unwrap().minor(), 120);
        // Typed amounts: strict decimals only.
        for ok in ["57.50", "10", "0.5", "0", "5.000", "1234567.89"] {
            assert!(Money::parse_decimal(ok, Currency::Sar).is_ok(), "{ok}");
        }
        for bad in [
            "1e2", "1.5e1", ".5", "5.", "00010.00", "  10.00", "10.00 ", "+10.00", "-1", "0x10",
            "1,5", "1_0", "", ".", "NaN", "١٠",
        ] {
            assert_eq!(
                Money::parse_decimal(bad, Currency::Sar).map_err(|e| e.code()),
                Err("malformed_amount"),
                "{bad:?}"
            );
        }
        assert_eq!(
            Money::parse_decimal("1.2345", Currency::Kwd).map_err(|e| e.code()),
            Err("too_many_decimals")
        );
    }
}
