//! Configuration read once per request from the Worker's `[vars]` and secrets. Secrets are held
//! in redacting newtypes (`Debug` prints `[redacted]`); a missing secret only fails the requests
//! that need it, with `503 config_missing` naming the variable.

use tamara_core::{ApiToken, Client, Country, Currency, Environment, Money, NotificationToken};

use crate::error::{AppError, AppResult};
use crate::http::cors::AllowedOrigins;
use crate::return_url::{self, ReturnUrls};
use tamara_core::secret::SecretString;

/// Names of the secrets.
pub mod names {
    /// Tamara API token (Bearer).
    pub const TAMARA_API_TOKEN: &str = "TAMARA_API_TOKEN";
    /// Tamara notification token (HS256 webhook secret).
    pub const TAMARA_NOTIFICATION_TOKEN: &str = "TAMARA_NOTIFICATION_TOKEN";
    /// The previous notification token, accepted beside the current one while rotating.
    pub const TAMARA_NOTIFICATION_TOKEN_PREVIOUS: &str = "TAMARA_NOTIFICATION_TOKEN_PREVIOUS";
    /// Bearer token for `/admin/*`.
    pub const ADMIN_TOKEN: &str = "ADMIN_TOKEN";
    /// HMAC-SHA256 key for signed carts.
    pub const CART_SIGNING_KEY: &str = "CART_SIGNING_KEY";
}

/// Everything the handlers need from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Tamara API base URL.
    pub api_base: String,
    /// Default market.
    pub country: Country,
    /// Default currency (the country's).
    pub currency: Currency,
    /// CORS allow-list.
    pub allowed_origins: AllowedOrigins,
    /// This Worker's public URL (merchant_url base).
    pub public_url: String,
    /// Storefront URL (redirect targets).
    pub store_url: String,
    /// Origins a shopper may be sent back to: `ALLOWED_ORIGINS` plus `STORE_URL`'s origin.
    pub return_origins: AllowedOrigins,
    /// The environment's return pages (`RETURN_SUCCESS_URL`, `RETURN_FAILURE_URL`,
    /// `RETURN_CANCEL_URL`; by default `STORE_URL`'s `thank-you.html` and `cart.html`), all set.
    pub return_pages: ReturnUrls,
    /// Orders stuck in new/approved longer than this are reconciled.
    pub reconcile_after_minutes: i64,
    /// Flag authorised orders this many days before Tamara's 21-day auto-capture.
    pub auto_capture_warn_days: i64,
    /// Timeout per Tamara call.
    pub timeout_ms: u32,
    /// Payment-options cache lifetime.
    pub payment_options_ttl_secs: i64,
    /// Flat shipping fee per order.
    pub shipping_fee: Money,
    /// Tax rate in basis points added on top of item prices (0 = prices include tax).
    pub tax_rate_bps: u32,
    /// Dev only: the sandbox clock endpoint.
    pub sandbox_clock_url: Option<String>,
    api_token: Option<ApiToken>,
    notification_token: Option<NotificationToken>,
    notification_token_previous: Option<NotificationToken>,
    admin_token: Option<SecretString>,
    cart_signing_key: Option<SecretString>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn parse_num<T: std::str::FromStr>(
    name: &'static str,
    v: Option<String>,
    default: T,
) -> AppResult<T> {
    match non_empty(v) {
        None => Ok(default),
        Some(s) => s
            .parse()
            .map_err(|_| AppError::ConfigInvalid(name, format!("is not a number: `{s}`"))),
    }
}

fn url(name: &'static str, v: Option<String>, default: &str) -> AppResult<String> {
    let s = non_empty(v).unwrap_or_else(|| default.to_owned());
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return Err(AppError::ConfigInvalid(
            name,
            "must be an http(s) URL".into(),
        ));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

impl Config {
    /// Builds the configuration from a variable lookup (vars and secrets share one namespace).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> AppResult<Config> {
        let country = match non_empty(get("DEFAULT_COUNTRY")) {
            None => Country::Sa,
            Some(s) => s.parse().map_err(|_| {
                AppError::ConfigInvalid("DEFAULT_COUNTRY", format!("`{s}` is not supported"))
            })?,
        };
        let currency = match non_empty(get("DEFAULT_CURRENCY")) {
            None => country.currency(),
            Some(s) => s.parse().map_err(|_| {
                AppError::ConfigInvalid("DEFAULT_CURRENCY", format!("`{s}` is not supported"))
            })?,
        };
        if country.currency() != currency {
            return Err(AppError::ConfigInvalid(
                "DEFAULT_CURRENCY",
                format!("{currency} is not the currency of {country}"),
            ));
        }
        let shipping_fee = match non_empty(get("SHIPPING_FEE")) {
            None => Money::zero(currency),
            Some(s) => Money::parse(&s, currency).map_err(|e| {
                AppError::ConfigInvalid("SHIPPING_FEE", format!("is not an amount: {e}"))
            })?,
        };
        let tax_rate_bps: u32 = parse_num("TAX_RATE_BPS", get("TAX_RATE_BPS"), 0)?;
        if tax_rate_bps > 10_000 {
            return Err(AppError::ConfigInvalid(
                "TAX_RATE_BPS",
                "must be at most 10000".into(),
            ));
        }
        let public_url = url("PUBLIC_URL", get("PUBLIC_URL"), "http://127.0.0.1:8787")?;
        let store_url = match non_empty(get("STORE_URL")) {
            None => public_url.clone(),
            some => url("STORE_URL", some, "")?,
        };
        let allowed_origins = AllowedOrigins::parse(&get("ALLOWED_ORIGINS").unwrap_or_default());
        let return_origins = AllowedOrigins::parse(&format!(
            "{},{}",
            get("ALLOWED_ORIGINS").unwrap_or_default(),
            return_url::origin(&store_url).unwrap_or_default()
        ));
        let return_page = |name: &'static str, default: String| -> AppResult<String> {
            let t = non_empty(get(name)).unwrap_or(default);
            return_url::check(&t, &return_origins).map_err(|_| {
                AppError::ConfigInvalid(
                    name,
                    "must be an http(s) URL on ALLOWED_ORIGINS or STORE_URL's origin".into(),
                )
            })?;
            Ok(t)
        };
        let cart_page = format!("{store_url}/cart.html?order_id={{order_id}}&reason={{reason}}");
        let return_pages = ReturnUrls {
            success: Some(return_page(
                "RETURN_SUCCESS_URL",
                format!("{store_url}/thank-you.html?order_id={{order_id}}"),
            )?),
            failure: Some(return_page("RETURN_FAILURE_URL", cart_page.clone())?),
            cancel: Some(return_page("RETURN_CANCEL_URL", cart_page)?),
        };
        Ok(Config {
            api_base: url(
                "TAMARA_API_BASE",
                get("TAMARA_API_BASE"),
                "https://api-sandbox.tamara.co",
            )?,
            country,
            currency,
            allowed_origins,
            public_url,
            store_url,
            return_origins,
            return_pages,
            reconcile_after_minutes: parse_num(
                "RECONCILE_AFTER_MINUTES",
                get("RECONCILE_AFTER_MINUTES"),
                10,
            )?,
            auto_capture_warn_days: parse_num(
                "AUTO_CAPTURE_WARN_DAYS",
                get("AUTO_CAPTURE_WARN_DAYS"),
                3,
            )?,
            timeout_ms: parse_num("TAMARA_TIMEOUT_MS", get("TAMARA_TIMEOUT_MS"), 8000)?,
            payment_options_ttl_secs: parse_num(
                "PAYMENT_OPTIONS_TTL_SECONDS",
                get("PAYMENT_OPTIONS_TTL_SECONDS"),
                300,
            )?,
            shipping_fee,
            tax_rate_bps,
            sandbox_clock_url: non_empty(get("SANDBOX_CLOCK_URL")),
            api_token: non_empty(get(names::TAMARA_API_TOKEN)).map(ApiToken::new),
            notification_token: non_empty(get(names::TAMARA_NOTIFICATION_TOKEN))
                .map(NotificationToken::new),
            notification_token_previous: non_empty(get(names::TAMARA_NOTIFICATION_TOKEN_PREVIOUS))
                .map(NotificationToken::new),
            admin_token: non_empty(get(names::ADMIN_TOKEN)).map(SecretString::new),
            cart_signing_key: non_empty(get(names::CART_SIGNING_KEY)).map(SecretString::new),
        })
    }

    /// Reads the Worker environment (secrets first, then vars).
    pub fn from_env(env: &worker::Env) -> AppResult<Config> {
        Config::from_lookup(|name| {
            env.secret(name)
                .ok()
                .map(|s| s.to_string())
                .or_else(|| env.var(name).ok().map(|v| v.to_string()))
        })
    }

    /// A Tamara client (needs `TAMARA_API_TOKEN`).
    pub fn tamara_client(&self) -> AppResult<Client> {
        let token = self
            .api_token
            .clone()
            .ok_or(AppError::ConfigMissing(names::TAMARA_API_TOKEN))?;
        Ok(Client::new(Environment::from_config(&self.api_base), token)
            .with_user_agent(concat!("tamara-worker/", env!("CARGO_PKG_VERSION"))))
    }

    /// The webhook secret.
    pub fn notification_token(&self) -> AppResult<&NotificationToken> {
        self.notification_token
            .as_ref()
            .ok_or(AppError::ConfigMissing(names::TAMARA_NOTIFICATION_TOKEN))
    }

    /// The previous webhook secret, while a rotation is under way.
    pub fn notification_token_previous(&self) -> Option<&NotificationToken> {
        self.notification_token_previous.as_ref()
    }

    /// Whether `TAMARA_API_TOKEN` is set.
    pub fn has_api_token(&self) -> bool {
        self.api_token.is_some()
    }

    /// The admin bearer token.
    pub fn admin_token(&self) -> AppResult<&SecretString> {
        self.admin_token
            .as_ref()
            .ok_or(AppError::ConfigMissing(names::ADMIN_TOKEN))
    }

    /// The cart-signing key.
    pub fn cart_signing_key(&self) -> AppResult<&SecretString> {
        self.cart_signing_key
            .as_ref()
            .ok_or(AppError::ConfigMissing(names::CART_SIGNING_KEY))
    }

    /// `PUBLIC_URL` + path.
    pub fn public(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// `STORE_URL` + path.
    pub fn store(&self, path: &str) -> String {
        format!("{}/{}", self.store_url, path.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> AppResult<Config> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_and_missing_secrets() {
        let c = cfg(&[("PUBLIC_URL", "http://127.0.0.1:8787/")]).unwrap();
        assert_eq!(
            c.public("/tamara/success"),
            "http://127.0.0.1:8787/tamara/success"
        );
        assert_eq!(
            c.store("thank-you.html"),
            "http://127.0.0.1:8787/thank-you.html"
        );
        assert_eq!(c.currency, Currency::Sar);
        assert_eq!(
            c.tamara_client().unwrap_err(),
            AppError::ConfigMissing("TAMARA_API_TOKEN")
        );
        assert_eq!(c.admin_token().unwrap_err().code(), "config_missing");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = cfg(&[
            ("TAMARA_API_TOKEN", "api-secret-1"),
            ("TAMARA_NOTIFICATION_TOKEN", "notif-secret-2"),
            ("ADMIN_TOKEN", "admin-secret-3"),
            ("CART_SIGNING_KEY", "cart-secret-4"),
        ])
        .unwrap();
        let printed = format!("{c:?} {:?}", c.tamara_client().unwrap());
        for s in [
            "api-secret-1",
            "notif-secret-2",
            "admin-secret-3",
            "cart-secret-4",
        ] {
            assert!(!printed.contains(s), "{s} leaked");
        }
    }

    #[test]
    fn return_pages_default_to_the_store_and_stay_on_allowed_origins() {
        let c = cfg(&[("STORE_URL", "https://shop.example.com/")]).unwrap();
        assert_eq!(
            c.return_pages.success.as_deref(),
            Some("https://shop.example.com/thank-you.html?order_id={order_id}")
        );
        assert!(c.return_origins.allows("https://shop.example.com"));
        let c = cfg(&[
            ("ALLOWED_ORIGINS", "https://www.shop.example.com"),
            (
                "RETURN_SUCCESS_URL",
                "https://www.shop.example.com/orders/{order_id}/done",
            ),
            (
                "RETURN_CANCEL_URL",
                "https://www.shop.example.com/cart?why={reason}",
            ),
        ])
        .unwrap();
        assert_eq!(
            c.return_pages.cancel.as_deref(),
            Some("https://www.shop.example.com/cart?why={reason}")
        );
        for (name, url) in [
            ("RETURN_SUCCESS_URL", "https://evil.example/{order_id}"),
            ("RETURN_FAILURE_URL", "/cart.html"),
            (
                "RETURN_CANCEL_URL",
                "https://shop.example.com@evil.example/",
            ),
        ] {
            let e = cfg(&[(name, url)]).unwrap_err();
            assert_eq!(
                e,
                AppError::ConfigInvalid(
                    name,
                    "must be an http(s) URL on ALLOWED_ORIGINS or STORE_URL's origin".into()
                )
            );
        }
    }

    #[test]
    fn invalid_values_are_reported() {
        assert_eq!(
            cfg(&[("DEFAULT_CURRENCY", "KWD")]).unwrap_err().code(),
            "config_invalid"
        );
        assert_eq!(
            cfg(&[("RECONCILE_AFTER_MINUTES", "soon")])
                .unwrap_err()
                .code(),
            "config_invalid"
        );
        let c = cfg(&[("SHIPPING_FEE", "15.00"), ("TAX_RATE_BPS", "1500")]).unwrap();
        assert_eq!(c.shipping_fee.minor(), 1500);
        assert_eq!(c.tax_rate_bps, 1500);
    }
}
