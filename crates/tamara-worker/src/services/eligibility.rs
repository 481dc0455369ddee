//! Pre-checkout eligibility (`POST /pre-checkout/v1/eligibility`, `tamara-api.md` §14.1):
//! before Tamara is offered, ask whether Tamara would treat this shopper as eligible.
//!
//! * Within [`BUDGET_MS`] (200 ms, Tamara's figure) or not at all: a timeout, an error or an
//!   odd answer shows Tamara (fail open, [`Verdict::Unknown`]).
//! * No phone → eligible, and no call ([`Verdict::NoPhone`]).
//! * Verdicts are cached per isolate for [`TTL_MS`] per (phone, currency, amount band). The
//!   phone is never in a cache key or a log in clear text: the key holds an HMAC of it
//!   ([`phone_key`]), logs only codes.
//! * A checkout for a phone and amount Tamara called not eligible is refused with 422
//!   `customer_not_eligible` ([`require`]).

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tamara_core::eligibility::{CheckEligibility, EligibilityCustomer};
use tamara_core::{Money, Phone};

use super::App;
use crate::cache;
use crate::error::{AppError, AppResult};
use crate::store::Sql;
use crate::tamara::Transport;

/// Time budget for Tamara's answer (Tamara: "Timeout 200 ms").
pub const BUDGET_MS: u32 = tamara_core::eligibility::BUDGET_MS;
/// How long a verdict is reused.
pub const TTL_MS: i64 = 60_000;
/// Width of an amount band in major units: a verdict is reused for amounts in the same band.
pub const BAND_MAJOR: u64 = 100;

/// What the check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No phone given: eligible, nothing asked.
    NoPhone,
    /// Tamara said eligible.
    Eligible,
    /// Tamara said not eligible: grey Tamara out, refuse the checkout.
    NotEligible,
    /// No verdict within the budget (timeout, error): Tamara is shown.
    Unknown,
}

impl Verdict {
    /// Whether Tamara may be offered.
    pub fn allows(self) -> bool {
        self != Verdict::NotEligible
    }

    /// The wire name (`eligibility` in the payment-options answer).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoPhone => "not_checked",
            Verdict::Eligible => "eligible",
            Verdict::NotEligible => "not_eligible",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A keyed hash of the phone (hex, 32 characters): what cache keys hold instead of the phone.
/// Keyed with `CART_SIGNING_KEY` when set, so a key cannot be reversed by hashing every number.
pub fn phone_key(secret: Option<&str>, phone: &Phone) -> String {
    let key = secret.unwrap_or("tamara-worker eligibility");
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(b"eligibility:");
    mac.update(phone.international().as_bytes());
    let out = mac.finalize().into_bytes();
    out.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The cache key for a phone and an amount: `elig:{hash}:{currency}:{band}`.
pub fn cache_key(secret: Option<&str>, phone: &Phone, amount: Money) -> String {
    let band = amount.minor() / (BAND_MAJOR * amount.currency().scale());
    format!(
        "elig:{}:{}:{band}",
        phone_key(secret, phone),
        amount.currency()
    )
}

/// The verdict for `phone` paying `amount` (never an error: fails open).
pub async fn check<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    amount: Money,
    phone: Option<&Phone>,
) -> Verdict {
    let Some(phone) = phone else {
        return Verdict::NoPhone;
    };
    let secret = app
        .cfg
        .cart_signing_key()
        .ok()
        .map(|s| s.expose().to_owned());
    let key = cache_key(secret.as_deref(), phone, amount);
    let now = app.now();
    match cache::get(cache::Kind::PerShopper, &key, now).as_deref() {
        Some("1") => return Verdict::Eligible,
        Some("0") => return Verdict::NotEligible,
        _ => {}
    }
    let Ok(tamara) = app.tamara() else {
        return Verdict::Unknown;
    };
    let request = CheckEligibility {
        order: amount,
        customer: EligibilityCustomer {
            phone_number: phone.international(),
            email: None,
        },
    };
    match tamara.call_within(&request, BUDGET_MS).await {
        Ok(answer) => {
            cache::put(
                cache::Kind::PerShopper,
                key,
                if answer.is_eligible { "1" } else { "0" }.to_owned(),
                now,
                TTL_MS,
            );
            if answer.is_eligible {
                Verdict::Eligible
            } else {
                Verdict::NotEligible
            }
        }
        Err(e) => {
            app.warn(&format!(
                "eligibility: no verdict within {BUDGET_MS} ms ({}); Tamara shown",
                e.code()
            ));
            Verdict::Unknown
        }
    }
}

/// The refusal of a checkout Tamara called not eligible.
pub fn not_eligible() -> AppError {
    AppError::unprocessable(
        "customer_not_eligible",
        "Tamara is not available for this phone number and amount; choose another payment method",
    )
}

/// `Ok` unless Tamara said this phone cannot pay this amount with Tamara.
pub async fn require<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    amount: Money,
    phone: &Phone,
) -> AppResult<()> {
    if check(app, amount, Some(phone)).await.allows() {
        Ok(())
    } else {
        Err(not_eligible())
    }
}

/// Applies the verdict to a payment-options answer: `eligibility` always; when not eligible,
/// not available with reason `customer_not_eligible` (English and Arabic), no options.
pub fn apply(answer: &mut Value, verdict: Verdict) {
    answer["eligibility"] = json!(verdict.as_str());
    if verdict == Verdict::NotEligible {
        answer["available"] = json!(false);
        answer["options"] = json!([]);
        answer["reason"] = json!({
            "code": "customer_not_eligible",
            "message": "Tamara isn't available for this phone number right now",
            "message_ar": "تمارا غير متاحة لرقم الجوال هذا حاليًا",
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::{Country, Currency};

    #[test]
    fn keys_hide_the_phone_and_band_the_amount() {
        let p = Phone::parse("966504591298", Country::Sa).unwrap();
        let sar = |minor| Money::from_minor(minor, Currency::Sar).unwrap();
        let k = cache_key(Some("s"), &p, sar(15_000));
        assert!(
            !k.contains("504591298") && !k.contains("966504591298"),
            "{k}"
        );
        assert_eq!(k, cache_key(Some("s"), &p, sar(19_999)));
        assert_ne!(k, cache_key(Some("s"), &p, sar(20_000)));
        assert_ne!(k, cache_key(Some("other"), &p, sar(15_000)));
        assert_eq!(phone_key(None, &p).len(), 32);
    }
}
