//! Merchant configuration: credentials, switches and the payment-type limits per market.

use std::collections::BTreeMap;

use serde::Serialize;
use tamara_core::checkout::{PaymentTypeInfo, SupportedInstalment};
use tamara_core::money::Money;
use tamara_core::{ApiToken, Country, NotificationToken, PaymentType};

/// Default API token for local development (printed at start).
pub const DEV_API_TOKEN: &str = "sandbox-api-token";
/// Default notification token for local development (printed at start).
pub const DEV_NOTIFICATION_TOKEN: &str = "sandbox-notification-token";
/// Default public key for local development.
pub const DEV_PUBLIC_KEY: &str = "sandbox-public-key";
/// The documented sandbox phone that is always declined.
pub const DECLINE_PHONE: &str = "526422337";
/// The documented sandbox phone that is always approved.
pub const SUCCESS_PHONE: &str = "544337866";
/// Largest request body accepted (256 KiB); bigger bodies get 413.
pub const BODY_LIMIT: usize = 256 * 1024;

/// One merchant's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Bearer token merchants must send.
    pub api_token: ApiToken,
    /// HS256 secret that signs webhook tokens.
    pub notification_token: NotificationToken,
    /// Public key for widgets (not a secret).
    pub public_key: String,
    /// Base URL the shopper's browser uses (`checkout_url`, SMS links), without trailing `/`.
    pub public_url: String,
    /// Merchant id shown on webhooks and captures.
    pub merchant_id: String,
    /// Capture the whole amount on authorise.
    pub auto_capture: bool,
    /// Approved orders are authorised (and captured) at once, without an authorise call.
    pub auto_authorise: bool,
    /// Payment types and limits per market.
    pub limits: BTreeMap<Country, Vec<PaymentTypeInfo>>,
    /// First webhook retry delay in milliseconds; doubles per attempt (0.5 s, 1 s, 2 s, 4 s).
    pub webhook_retry_base_ms: u64,
    /// Webhook delivery attempts in total.
    pub webhook_max_attempts: u32,
    /// Timeout per webhook attempt in milliseconds.
    pub webhook_timeout_ms: u64,
    /// Print one access-log line per request (method, path without query, status, time).
    pub log_requests: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            api_token: ApiToken::new(DEV_API_TOKEN),
            notification_token: NotificationToken::new(DEV_NOTIFICATION_TOKEN),
            public_key: DEV_PUBLIC_KEY.to_owned(),
            public_url: "http://127.0.0.1:7070".to_owned(),
            merchant_id: "00000000-0000-4000-8000-000000000001".to_owned(),
            auto_capture: false,
            auto_authorise: false,
            limits: default_limits(),
            webhook_retry_base_ms: 500,
            webhook_max_attempts: 5,
            webhook_timeout_ms: 5000,
            log_requests: false,
        }
    }
}

/// What `GET /_sandbox/config` shows: everything but the two secrets.
#[derive(Debug, Clone, Serialize)]
pub struct PublicConfig {
    /// Public key.
    pub public_key: String,
    /// Public URL.
    pub public_url: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Auto-capture on authorise.
    pub auto_capture: bool,
    /// Auto-authorise on approval.
    pub auto_authorise: bool,
    /// Limits per market.
    pub limits: BTreeMap<Country, Vec<PaymentTypeInfo>>,
    /// Webhook retry policy.
    pub webhook_retry_base_ms: u64,
    /// Webhook attempts.
    pub webhook_max_attempts: u32,
    /// Always `true`: the secrets exist but are not shown.
    pub secrets_redacted: bool,
}

impl Config {
    /// The config without secrets.
    pub fn public(&self) -> PublicConfig {
        PublicConfig {
            public_key: self.public_key.clone(),
            public_url: self.public_url.clone(),
            merchant_id: self.merchant_id.clone(),
            auto_capture: self.auto_capture,
            auto_authorise: self.auto_authorise,
            limits: self.limits.clone(),
            webhook_retry_base_ms: self.webhook_retry_base_ms,
            webhook_max_attempts: self.webhook_max_attempts,
            secrets_redacted: true,
        }
    }

    /// The payment types of `country` (empty when the market is not configured).
    pub fn payment_types(&self, country: Country) -> &[PaymentTypeInfo] {
        self.limits.get(&country).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Checks `amount` against the limits of `country`: the given plan (and instalment count)
    /// when one is named, else any plan. `Err` carries Tamara's error code.
    pub fn check_limit(
        &self,
        country: Country,
        amount: Money,
        plan: Option<&PaymentType>,
        instalments: Option<u32>,
    ) -> Result<(), &'static str> {
        let types = self.payment_types(country);
        if types.is_empty() {
            return Err("tamara_disabled");
        }
        let ok = types.iter().any(|t| {
            if let Some(p) = plan {
                if &t.name != p {
                    return false;
                }
            }
            if !t.allows(amount) {
                return false;
            }
            match instalments {
                Some(n) if !t.supported_instalments.is_empty() => {
                    t.supported_instalments.iter().any(|s| {
                        s.instalments == n
                            && amount.minor() >= s.min_limit.minor()
                            && amount.minor() <= s.max_limit.minor()
                    })
                }
                _ => true,
            }
        });
        if ok {
            Ok(())
        } else {
            Err("total_amount_invalid_limit")
        }
    }

    /// Overrides the PAY_BY_INSTALMENTS min and/or max (major-unit decimals) in every market.
    pub fn set_instalment_limits(
        &mut self,
        min: Option<&str>,
        max: Option<&str>,
    ) -> Result<(), String> {
        for (country, types) in self.limits.iter_mut() {
            let cur = country.currency();
            let min = min
                .map(|m| Money::parse(m, cur).map_err(|e| format!("--min-amount: {e}")))
                .transpose()?;
            let max = max
                .map(|m| Money::parse(m, cur).map_err(|e| format!("--max-amount: {e}")))
                .transpose()?;
            for t in types.iter_mut() {
                if t.name != PaymentType::PayByInstalments {
                    continue;
                }
                if let Some(m) = min {
                    t.min_limit = m;
                    for s in &mut t.supported_instalments {
                        if s.min_limit.minor() < m.minor() {
                            s.min_limit = m;
                        }
                    }
                }
                if let Some(m) = max {
                    t.max_limit = m;
                    for s in &mut t.supported_instalments {
                        s.max_limit = m;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The `--limits` JSON: `{"SA": [<payment type>...], "AE": [...]}` in Tamara's
/// `GET /checkout/payment-types` shape. Markets not named keep their defaults.
pub fn parse_limits(json: &str) -> Result<BTreeMap<Country, Vec<PaymentTypeInfo>>, String> {
    let raw: BTreeMap<String, Vec<PaymentTypeInfo>> =
        serde_json::from_str(json).map_err(|e| format!("--limits: {e}"))?;
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        let c: Country = k.parse().map_err(|e| format!("--limits: {e}"))?;
        for t in &v {
            for m in [t.min_limit, t.max_limit] {
                if m.currency() != c.currency() {
                    return Err(format!("--limits: {k} limits must be in {}", c.currency()));
                }
            }
        }
        out.insert(c, v);
    }
    Ok(out)
}

/// Default limits: PAY_BY_INSTALMENTS 3 (50–3000) and 4 (100–5000) payments, PAY_NOW 1–10000
/// (in dinar markets a tenth of that).
pub fn default_limits() -> BTreeMap<Country, Vec<PaymentTypeInfo>> {
    Country::ALL
        .into_iter()
        .map(|c| {
            let cur = c.currency();
            // n × 100 minor units: n major units at 2 decimals, n/10 at 3 decimals.
            let m = |n: u64| Money::from_minor(n * 100, cur).unwrap_or(Money::zero(cur));
            let types = vec![
                PaymentTypeInfo {
                    name: PaymentType::PayByInstalments,
                    description: "Split in up to 4 interest-free payments".to_owned(),
                    min_limit: m(50),
                    max_limit: m(5000),
                    supported_instalments: vec![
                        SupportedInstalment {
                            instalments: 3,
                            min_limit: m(50),
                            max_limit: m(3000),
                        },
                        SupportedInstalment {
                            instalments: 4,
                            min_limit: m(100),
                            max_limit: m(5000),
                        },
                    ],
                },
                PaymentTypeInfo {
                    name: PaymentType::PayNow,
                    description: "Pay in full now".to_owned(),
                    min_limit: m(1),
                    max_limit: m(10000),
                    supported_instalments: Vec::new(),
                },
            ];
            (c, types)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::money::Currency;

    #[test]
    fn defaults_and_checks() {
        let c = Config::default();
        let sar = |minor| Money::from_minor(minor, Currency::Sar).unwrap();
        assert!(c.check_limit(Country::Sa, sar(5000), None, None).is_ok());
        assert_eq!(
            c.check_limit(
                Country::Sa,
                sar(50),
                Some(&PaymentType::PayByInstalments),
                None
            ),
            Err("total_amount_invalid_limit")
        );
        assert!(c.check_limit(Country::Sa, sar(50), None, None).is_err());
        assert!(c.check_limit(Country::Sa, sar(100), None, None).is_ok());
        assert!(c
            .check_limit(
                Country::Sa,
                sar(400_000),
                Some(&PaymentType::PayByInstalments),
                Some(3)
            )
            .is_err());
        assert!(c
            .check_limit(
                Country::Sa,
                sar(400_000),
                Some(&PaymentType::PayByInstalments),
                Some(4)
            )
            .is_ok());
        let kwd = c.payment_types(Country::Kw)[0].max_limit;
        assert_eq!(kwd.to_decimal_string(), "500.000");
        assert_eq!(
            c.payment_types(Country::Sa)[0]
                .max_limit
                .to_decimal_string(),
            "5000.00"
        );
    }

    #[test]
    fn overrides() {
        let mut c = Config::default();
        c.set_instalment_limits(Some("10"), Some("20000")).unwrap();
        let t = &c.payment_types(Country::Sa)[0];
        assert_eq!(t.min_limit.to_decimal_string(), "10.00");
        assert_eq!(t.max_limit.to_decimal_string(), "20000.00");
        assert!(c.set_instalment_limits(Some("1.001"), None).is_err());
        let l = parse_limits(
            r#"{"SA":[{"name":"PAY_NOW","min_limit":{"amount":1,"currency":"SAR"},"max_limit":{"amount":2,"currency":"SAR"}}]}"#,
        )
        .unwrap();
        assert_eq!(l[&Country::Sa].len(), 1);
        assert!(parse_limits(
            r#"{"SA":[{"name":"PAY_NOW","min_limit":{"amount":1,"currency":"AED"},"max_limit":{"amount":2,"currency":"AED"}}]}"#
        )
        .is_err());
        assert!(parse_limits(r#"{"US":[]}"#).is_err());
    }
}
