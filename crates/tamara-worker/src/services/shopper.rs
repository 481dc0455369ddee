//! The shopper's details as the storefront or the cashier sends them, cleaned up once for
//! online checkouts and in-store links: language, e-mail, addresses.

use serde::Deserialize;
use tamara_core::types::Address;
use tamara_core::{Country, Locale, Phone};

use super::catalog::text;
use crate::error::{AppError, AppResult};

/// The shopper (online checkout).
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

pub fn address(a: &AddressIn, country: Country, field: &str) -> AppResult<Address> {
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
