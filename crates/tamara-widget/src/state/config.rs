//! Configuration: the display language, the Tamara countries and their currencies, and the
//! validated [`Config`].

use super::{cat, currency_exponent};

/// Display language of the widget (and locale sent with the checkout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, left to right.
    #[default]
    En,
    /// Arabic, right to left.
    Ar,
}

impl Lang {
    /// Parses `en`, `ar`, `en_US`, `ar-SA`…; anything else is `None`.
    pub fn parse(text: &str) -> Option<Lang> {
        let text = text.trim();
        if !matches!(text.as_bytes().get(2), None | Some(b'-' | b'_')) {
            return None;
        }
        match text.get(..2) {
            Some(l) if l.eq_ignore_ascii_case("en") => Some(Lang::En),
            Some(l) if l.eq_ignore_ascii_case("ar") => Some(Lang::Ar),
            _ => None,
        }
    }
    /// BCP 47 language tag for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }
    /// Text direction for the `dir` attribute.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar => "rtl",
        }
    }
    /// Tamara's checkout locale.
    pub fn tamara_locale(self) -> &'static str {
        match self {
            Lang::En => "en_US",
            Lang::Ar => "ar_SA",
        }
    }
    /// Locale for `Intl.NumberFormat` (Latin digits in Arabic too, as Gulf stores print prices).
    pub fn number_locale(self, country: &str) -> String {
        match self {
            Lang::En => cat(&["en-", country]),
            Lang::Ar => cat(&["ar-", country, "-u-nu-latn"]),
        }
    }
}

/// The currency of each Tamara country.
pub fn country_currency(country: &str) -> Option<&'static str> {
    match country {
        "SA" => Some("SAR"),
        "AE" => Some("AED"),
        "QA" => Some("QAR"),
        "KW" => Some("KWD"),
        "BH" => Some("BHD"),
        "OM" => Some("OMR"),
        _ => None,
    }
}

/// The merchant's return pages for a checkout (absolute URLs on an origin the Worker allows;
/// `{order_id}` and `{reason}` are filled in by the Worker). `None`: the Worker's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReturnUrls {
    /// After a paid order (the merchant's confirmation page).
    pub success: Option<String>,
    /// After a declined payment.
    pub failure: Option<String>,
    /// After a cancel or an expired session.
    pub cancel: Option<String>,
}

/// Validated widget configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the Worker without a trailing slash (`""` = same origin).
    pub worker_url: String,
    /// ISO country code (`SA`, `AE`, `KW`, `BH`, `QA`, `OM`).
    pub country: String,
    /// ISO currency code, the country's.
    pub currency: String,
    /// Decimals of `currency`.
    pub exponent: u32,
    /// Display language.
    pub lang: Lang,
    /// Return pages sent with the checkout (set after [`Config::new`]).
    pub return_urls: ReturnUrls,
}

/// Why a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Not a Tamara country.
    Country(String),
    /// Not the country's currency.
    Currency(String),
    /// Not `en` or `ar`.
    Lang(String),
}

impl ConfigError {
    /// Human text, e.g. `unsupported country "US" (SA, AE, KW, BH, QA, OM)`.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Country(c) => {
                cat(&["unsupported country \"", c, "\" (SA, AE, KW, BH, QA, OM)"])
            }
            ConfigError::Currency(c) => cat(&["currency \"", c, "\" does not match the country"]),
            ConfigError::Lang(l) => cat(&["unsupported lang \"", l, "\" (en, ar)"]),
        }
    }
}

impl Config {
    /// Checks country, currency and language; an empty currency means the country's.
    pub fn new(
        worker_url: &str,
        country: &str,
        currency: &str,
        lang: &str,
    ) -> Result<Config, ConfigError> {
        let country = country.trim().to_ascii_uppercase();
        let country = if country.is_empty() {
            "SA".to_owned()
        } else {
            country
        };
        let expected =
            country_currency(&country).ok_or_else(|| ConfigError::Country(country.clone()))?;
        let currency = currency.trim().to_ascii_uppercase();
        if !currency.is_empty() && currency != expected {
            return Err(ConfigError::Currency(currency));
        }
        let lang = if lang.trim().is_empty() {
            Lang::En
        } else {
            Lang::parse(lang).ok_or_else(|| ConfigError::Lang(lang.to_owned()))?
        };
        Ok(Config {
            worker_url: worker_url.trim().trim_end_matches('/').to_owned(),
            exponent: currency_exponent(expected).unwrap_or(2),
            currency: expected.to_owned(),
            country,
            lang,
            return_urls: ReturnUrls::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_checks_country_currency_lang() {
        let c = Config::new("https://shop.test//", "sa", "", "ar-SA").unwrap();
        assert_eq!(
            (c.worker_url.as_str(), c.currency.as_str(), c.lang),
            ("https://shop.test", "SAR", Lang::Ar)
        );
        assert_eq!(Config::new("", "KW", "KWD", "en").unwrap().exponent, 3);
        let err = Config::new("", "US", "", "en").unwrap_err();
        assert_eq!(err, ConfigError::Country("US".into()));
        assert_eq!(
            err.message(),
            "unsupported country \"US\" (SA, AE, KW, BH, QA, OM)"
        );
        assert_eq!(
            Config::new("", "SA", "AED", "en"),
            Err(ConfigError::Currency("AED".into()))
        );
        assert!(matches!(
            Config::new("", "SA", "SAR", "fr"),
            Err(ConfigError::Lang(_))
        ));
        assert_eq!(Lang::parse("english"), None);
        assert_eq!(Lang::parse(" AR_sa "), Some(Lang::Ar));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("e"), None);
        assert_eq!(Lang::parse("ع"), None);
        assert_eq!(Lang::Ar.number_locale("SA"), "ar-SA-u-nu-latn");
    }
}
