//! Countries Tamara operates in, their currencies and phone-number rules.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::money::Currency;

/// A Tamara market. Each pairs with exactly one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Country {
    /// Saudi Arabia (SAR, +966).
    Sa,
    /// United Arab Emirates (AED, +971).
    Ae,
    /// Kuwait (KWD, +965).
    Kw,
    /// Bahrain (BHD, +973).
    Bh,
    /// Oman (OMR, +968).
    Om,
    /// Qatar (QAR, +974).
    Qa,
}

/// Country or phone errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CountryError {
    /// Not one of SA, AE, KW, BH, OM, QA.
    #[error("unsupported country `{0}`")]
    UnknownCountry(String),
    /// The currency is not the country's own.
    #[error("{currency} is not the currency of {country} (expected {expected})")]
    CurrencyMismatch {
        /// Country.
        country: Country,
        /// Currency given.
        currency: Currency,
        /// The country's currency.
        expected: Currency,
    },
    /// Not a mobile number of that country.
    #[error("`{0}` is not a valid mobile number for {1}")]
    InvalidPhone(String, Country),
}

impl CountryError {
    /// Stable code; the currency and phone ones are Tamara's own error codes.
    pub fn code(&self) -> &'static str {
        match self {
            CountryError::UnknownCountry(_) => "not_supported_delivery_country",
            CountryError::CurrencyMismatch { .. } => "total_amount_invalid_currency",
            CountryError::InvalidPhone(..) => "invalid_phone_number",
        }
    }
}

impl Country {
    /// All markets.
    pub const ALL: [Country; 6] = [
        Country::Sa,
        Country::Ae,
        Country::Kw,
        Country::Bh,
        Country::Om,
        Country::Qa,
    ];

    /// ISO 3166-1 alpha-2 code.
    pub const fn code(self) -> &'static str {
        match self {
            Country::Sa => "SA",
            Country::Ae => "AE",
            Country::Kw => "KW",
            Country::Bh => "BH",
            Country::Om => "OM",
            Country::Qa => "QA",
        }
    }

    /// The country's currency.
    pub const fn currency(self) -> Currency {
        match self {
            Country::Sa => Currency::Sar,
            Country::Ae => Currency::Aed,
            Country::Kw => Currency::Kwd,
            Country::Bh => Currency::Bhd,
            Country::Om => Currency::Omr,
            Country::Qa => Currency::Qar,
        }
    }

    /// The country whose currency this is.
    pub const fn for_currency(c: Currency) -> Country {
        match c {
            Currency::Sar => Country::Sa,
            Currency::Aed => Country::Ae,
            Currency::Kwd => Country::Kw,
            Currency::Bhd => Country::Bh,
            Currency::Omr => Country::Om,
            Currency::Qar => Country::Qa,
        }
    }

    /// International calling code, without `+`.
    pub const fn calling_code(self) -> &'static str {
        match self {
            Country::Sa => "966",
            Country::Ae => "971",
            Country::Kw => "965",
            Country::Bh => "973",
            Country::Om => "968",
            Country::Qa => "974",
        }
    }

    /// Checks that `currency` is this country's currency.
    pub fn check_currency(self, currency: Currency) -> Result<(), CountryError> {
        if self.currency() == currency {
            Ok(())
        } else {
            Err(CountryError::CurrencyMismatch {
                country: self,
                currency,
                expected: self.currency(),
            })
        }
    }

    /// (national number length, allowed first digits) for mobile numbers.
    const fn mobile_rule(self) -> (usize, &'static [u8]) {
        match self {
            Country::Sa => (9, b"5"),
            Country::Ae => (9, b"5"),
            Country::Kw => (8, b"569"),
            Country::Bh => (8, b"36"),
            Country::Om => (8, b"79"),
            Country::Qa => (8, b"3567"),
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Country {
    type Err = CountryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| CountryError::UnknownCountry(s.to_owned()))
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

/// A validated mobile number: country plus national significant number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone {
    country: Country,
    national: String,
}

impl Phone {
    /// Normalises what shoppers and systems type: strips spaces, dashes, dots, parentheses, a
    /// leading `+` or `00`, the country calling code and a trunk `0`; then checks length and
    /// mobile prefix. `"+966 54 433 7866"`, `"0544337866"`, `"966544337866"` and `"544337866"`
    /// all give the same phone.
    pub fn parse(raw: &str, country: Country) -> Result<Phone, CountryError> {
        let bad = || CountryError::InvalidPhone(raw.to_owned(), country);
        let mut s: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
            .collect();
        if let Some(rest) = s.strip_prefix('+') {
            s = rest.to_owned();
        } else if let Some(rest) = s.strip_prefix("00") {
            s = rest.to_owned();
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (len, prefixes) = country.mobile_rule();
        if s.len() == len + country.calling_code().len() {
            if let Some(rest) = s.strip_prefix(country.calling_code()) {
                s = rest.to_owned();
            }
        }
        if s.len() == len + 1 {
            if let Some(rest) = s.strip_prefix('0') {
                s = rest.to_owned();
            }
        }
        if s.len() != len || !prefixes.contains(&s.as_bytes()[0]) {
            return Err(bad());
        }
        Ok(Phone {
            country,
            national: s,
        })
    }

    /// The country.
    pub fn country(&self) -> Country {
        self.country
    }

    /// National significant number, as Tamara's request samples write it (`544337866`).
    pub fn national(&self) -> &str {
        &self.national
    }

    /// International form without `+`, as Tamara echoes it (`966544337866`).
    pub fn international(&self) -> String {
        format!("{}{}", self.country.calling_code(), self.national)
    }

    /// E.164 with `+`.
    pub fn e164(&self) -> String {
        format!("+{}", self.international())
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
    fn pairs() {
        for c in Country::ALL {
            assert_eq!(Country::for_currency(c.currency()), c);
            assert!(c.check_currency(c.currency()).is_ok());
        }
        let e = Country::Sa.check_currency(Currency::Kwd).unwrap_err();
        assert_eq!(e.code(), "total_amount_invalid_currency");
        assert_eq!("qa".parse::<Country>().unwrap(), Country::Qa);
        assert!("US".parse::<Country>().is_err());
    }

    #[test]
    fn phones_normalise() {
        for raw in [
            "544337866",
            "0544337866",
            "966544337866",
            "+966 54 433 7866",
            "00966-54-433-7866",
            "(+966) 544 337 866",
        ] {
            let p = Phone::parse(raw, Country::Sa).unwrap();
            assert_eq!(p.national(), "544337866", "{raw}");
            assert_eq!(p.international(), "966544337866");
        }
        assert_eq!(
            Phone::parse("+971501234567", Country::Ae)
                .unwrap()
                .national(),
            "501234567"
        );
        assert_eq!(
            Phone::parse("96550001234", Country::Kw).unwrap().national(),
            "50001234"
        );
        assert_eq!(
            Phone::parse("36001234", Country::Bh).unwrap().e164(),
            "+97336001234"
        );
        assert_eq!(
            Phone::parse("+968 9123 4567", Country::Om)
                .unwrap()
                .national(),
            "91234567"
        );
        assert_eq!(
            Phone::parse("33123456", Country::Qa).unwrap().national(),
            "33123456"
        );
    }

    #[test]
    fn phones_reject() {
        for (raw, c) in [
            ("444337866", Country::Sa),
            ("54433786", Country::Sa),
            ("5443378666", Country::Sa),
            ("+971544337866", Country::Sa),
            ("abc", Country::Sa),
            ("", Country::Sa),
            ("12345678", Country::Kw),
        ] {
            let e = Phone::parse(raw, c).unwrap_err();
            assert_eq!(e.code(), "invalid_phone_number", "{raw}");
        }
    }
}
