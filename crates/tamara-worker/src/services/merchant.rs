//! ID verification and the merchant's webhook registrations at Tamara.

use serde::Deserialize;
use tamara_core::merchants::IdVerificationStatus;
use tamara_core::webhooks::{
    DeleteWebhook, ListWebhooks, RegisterWebhook, RetrieveWebhook, UpdateWebhook, Webhook,
    WebhookList, WebhookValidationError,
};
use tamara_core::{Country, EventType, Phone, WebhookId};

use super::catalog::parse_country;
use super::App;
use crate::error::{AppError, AppResult};
use crate::store::Sql;
use crate::tamara::Transport;

/// `GET /admin/customers/id-verification?phone=…&country=…`: whether Tamara has verified the
/// shopper's ID.
pub async fn id_verified<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    phone: Option<&str>,
    country: Option<&str>,
) -> AppResult<bool> {
    let country: Country = parse_country(country, app.cfg.country)?;
    // Tamara documents ID verification for SA and AE only.
    if !matches!(country, Country::Sa | Country::Ae) {
        return Err(AppError::unprocessable(
            "country_not_supported",
            format!("ID verification is available in SA and AE, not {country}"),
        ));
    }
    let phone = phone.ok_or_else(|| AppError::invalid("`phone` is required"))?;
    let phone = Phone::parse(phone, country).map_err(|_| {
        AppError::unprocessable(
            "invalid_phone_number",
            format!("not a {country} mobile number"),
        )
    })?;
    let r = app
        .tamara()?
        .call(&IdVerificationStatus {
            // With the country code, as Tamara's sample (`966544337766`).
            phone_number: phone.international(),
            country_code: country,
        })
        .await?;
    Ok(r.is_id_verified)
}

/// `PUT /admin/webhooks/{id}` body.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookUpdateIn {
    /// Target URL.
    pub url: String,
    /// Events.
    pub events: Vec<EventType>,
    /// Extra headers Tamara sends (`[]` reads as none).
    #[serde(default, deserialize_with = "tamara_core::webhooks::headers_map")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    /// `order` or `dispute`: kept on the update. Absent is fine; `null` is refused (the
    /// contract's `type` is a string).
    #[serde(rename = "type", default, deserialize_with = "present")]
    pub webhook_type: Option<tamara_core::enums::WebhookType>,
}

/// `Some` for every value sent: `null` fails as the inner type's own type error.
fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Every registration.
pub async fn list<T: Transport, Q: Sql>(app: &App<T, Q>) -> AppResult<WebhookList> {
    app.tamara()?.call(&ListWebhooks).await
}

/// Registers a webhook after checking it.
pub async fn register<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    input: RegisterWebhook,
) -> AppResult<Webhook> {
    input.validate().map_err(refused)?;
    app.tamara()?.call(&input).await
}

/// One registration.
pub async fn get<T: Transport, Q: Sql>(app: &App<T, Q>, id: &str) -> AppResult<Webhook> {
    app.tamara()?
        .call(&RetrieveWebhook {
            webhook_id: WebhookId::new(id.to_owned()),
        })
        .await
        .map_err(webhook_missing)
}

/// Updates a registration after checking it.
pub async fn update<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    id: &str,
    input: WebhookUpdateIn,
) -> AppResult<Webhook> {
    let update = UpdateWebhook {
        webhook_id: WebhookId::new(id.to_owned()),
        url: input.url,
        events: input.events,
        headers: input.headers,
        webhook_type: input.webhook_type,
    };
    update.validate().map_err(refused)?;
    app.tamara()?.call(&update).await.map_err(webhook_missing)
}

/// Deletes a registration.
pub async fn delete<T: Transport, Q: Sql>(app: &App<T, Q>, id: &str) -> AppResult<()> {
    app.tamara()?
        .call(&DeleteWebhook {
            webhook_id: WebhookId::new(id.to_owned()),
        })
        .await
        .map(|_| ())
        .map_err(webhook_missing)
}

/// Tamara's 404 on a webhook call is about the webhook, not an order.
fn webhook_missing(e: AppError) -> AppError {
    match e {
        AppError::Tamara(tamara_core::ApiError::NotFound { .. }) => AppError::Invalid {
            status: 404,
            code: "webhook_not_found",
            message: "Tamara has no webhook with this id".into(),
        },
        other => other,
    }
}

/// Core's refusal of a registration as the API's error (422, or `invalid_request` for the URL).
fn refused(e: WebhookValidationError) -> AppError {
    match e {
        WebhookValidationError::Url => AppError::invalid(e.to_string()),
        other => AppError::unprocessable(other.code(), other.to_string()),
    }
}
