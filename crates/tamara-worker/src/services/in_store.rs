//! In-store payment links: the cashier sends an SMS link (priced from the catalog, or a typed
//! amount), polls it, and voids it while unpaid.

use serde::Deserialize;
use serde_json::json;
use tamara_core::checkout::{CreateInStoreSession, VoidCheckout};
use tamara_core::lifecycle::{Channel, IN_STORE_EXPIRY_MS};
use tamara_core::types::Item;
use tamara_core::{Money, OrderId, OrderReferenceId, OrderStatus, Phone};

use super::catalog::{price_items, products};
use super::shopper::{clean_email, shopper_locale};
use super::sync::{self, Synced};
use super::App;
use crate::error::{AppError, AppResult};
use crate::store::orders::reference_taken;
use crate::store::{NewEvent, NewOrder, Order, Source, Sql};
use crate::tamara::Transport;

/// One catalog line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    /// SKU.
    pub sku: String,
    /// Quantity.
    pub quantity: u32,
}

/// `POST /admin/in-store` body: exactly one of `amount` and `items`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InStoreIn {
    /// The shopper's mobile number.
    pub phone_number: String,
    /// A typed amount.
    #[serde(default)]
    pub amount: Option<String>,
    /// Catalog lines.
    #[serde(default)]
    pub items: Option<Vec<ItemIn>>,
    /// Our reference (default `IS-<uuid>`).
    #[serde(default)]
    pub order_reference_id: Option<String>,
    /// `en` / `ar`.
    #[serde(default)]
    pub locale: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// A created link.
#[derive(Debug, Clone)]
pub struct Link {
    /// The new order.
    pub order: Order,
    /// Where the shopper pays.
    pub deeplink: Option<String>,
}

/// A reference: the merchant's (1–128 characters, trimmed) or a fresh one with `prefix`.
pub fn reference(given: Option<&str>, fresh: impl FnOnce() -> String) -> AppResult<String> {
    match given.map(str::trim) {
        Some(r) if !r.is_empty() && r.len() <= 128 => Ok(r.to_owned()),
        Some(_) => Err(AppError::invalid(
            "`order_reference_id` must be 1-128 characters",
        )),
        None => Ok(fresh()),
    }
}

/// `POST /admin/in-store`.
pub async fn create_link<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    input: InStoreIn,
) -> AppResult<Link> {
    let (country, currency) = (app.cfg.country, app.cfg.currency);
    let phone = Phone::parse(&input.phone_number, country).map_err(|_| {
        AppError::unprocessable(
            "invalid_phone_number",
            format!("not a {country} mobile number"),
        )
    })?;
    let locale = input.locale.as_deref().map(|l| shopper_locale(Some(l)));
    // Tamara shows the shopper what it is sent: item names in the shopper's language.
    let arabic = locale.as_ref().is_some_and(|l| l.is_arabic());
    let (total, items, lines_json) = match (&input.items, &input.amount) {
        (Some(lines), None) if !lines.is_empty() => {
            let catalog = products(app).await?;
            let wanted: Vec<(&str, u32)> =
                lines.iter().map(|i| (i.sku.as_str(), i.quantity)).collect();
            let priced = price_items(&app.cfg, &catalog, &wanted, Money::zero(currency))?;
            let json = serde_json::to_string(&priced.lines).unwrap_or_else(|_| "[]".into());
            let mut items = priced.tamara_items();
            if arabic {
                for item in &mut items {
                    if let Some(p) = catalog.iter().find(|p| p.sku == item.sku) {
                        if !p.name_ar.trim().is_empty() {
                            item.name = p.name_ar.trim().to_owned();
                        }
                    }
                }
            }
            (priced.total, items, json)
        }
        (None, Some(a)) => {
            let m = Money::parse_decimal(a, currency)
                .map_err(|e| AppError::unprocessable("invalid_amount", format!("`amount`: {e}")))?;
            if m.is_zero() {
                return Err(AppError::unprocessable(
                    "invalid_amount",
                    "`amount` must be greater than zero",
                ));
            }
            let name = if arabic {
                "شراء من المتجر"
            } else {
                "In-store purchase"
            };
            let item = Item::new("in-store", name, "IN-STORE", 1, m).with_unit_price(m);
            let json = json!([{"sku": "IN-STORE", "name": "In-store purchase", "quantity": 1,
                               "unit_minor": m.minor(), "total_minor": m.minor()}]);
            (m, vec![item], json.to_string())
        }
        _ => {
            return Err(AppError::invalid(
                "send exactly one of `amount` and `items`",
            ))
        }
    };
    let reference = reference(input.order_reference_id.as_deref(), || {
        format!("IS-{}", app.new_id())
    })?;
    // A reference is one order's: refused before Tamara creates a session nothing would record.
    if app.store()?.order_by_reference(&reference).await?.is_some() {
        return Err(reference_taken());
    }
    let email = Some(clean_email(input.email.as_deref())?).filter(|e| !e.is_empty());
    let session = app
        .tamara()?
        .call(&{
            let mut r = CreateInStoreSession::new(
                OrderReferenceId::new(reference.clone()),
                total,
                phone.national(),
                items,
            )
            .with_order_number(reference.clone());
            if let Some(e) = email {
                r = r.with_email(e);
            }
            if let Some(l) = locale.clone() {
                r = r.with_locale(l);
            }
            r
        })
        .await?;
    let now = app.now();
    let zero = Money::zero(currency);
    let order = NewOrder {
        order_id: session.order_id.clone(),
        checkout_id: Some(session.checkout_id.clone()),
        reference: OrderReferenceId::new(reference),
        status: OrderStatus::New,
        channel: Channel::InStore,
        country,
        total,
        shipping: zero,
        tax: zero,
        discount: zero,
        items: lines_json,
        locale,
        checkout_url: session.checkout_deeplink.clone(),
        now,
        expires_at: now + IN_STORE_EXPIRY_MS,
        returns: Default::default(),
    }
    .into_order();
    let store = app.store()?;
    let id = order.order_id.as_str();
    let e = NewEvent::done(
        format!("admin:in_store:{id}"),
        id,
        Source::Admin,
        "in_store_created",
        Some(json!({"total_minor": total.minor()})),
    );
    store
        .insert_checkout(&order, &e, now, None)
        .await
        .map_err(|e| match e {
            AppError::Storage(m) if m.contains("UNIQUE") && m.contains("order_reference_id") => {
                reference_taken()
            }
            other => other,
        })?;
    Ok(Link {
        order,
        deeplink: session.checkout_deeplink,
    })
}

/// `GET /admin/in-store/{id}`: the link's order, re-read at Tamara.
pub async fn poll<T: Transport, Q: Sql>(app: &App<T, Q>, order_id: &str) -> AppResult<Order> {
    let order = app.store()?.order_or_404(order_id).await?;
    let Synced { order, .. } = sync::sync_order(app, order, Source::Admin, None).await?;
    Ok(order)
}

/// `POST /admin/in-store/{id}/void`: `(order_was_voided, status afterwards)`.
pub async fn void<T: Transport, Q: Sql>(
    app: &App<T, Q>,
    order_id: &str,
) -> AppResult<(bool, OrderStatus)> {
    let store = app.store()?;
    let order = store.order_or_404(order_id).await?;
    let checkout_id = order
        .checkout_id
        .clone()
        .ok_or_else(|| AppError::conflict("invalid_state", "this order has no checkout session"))?;
    let r = app
        .tamara()?
        .call(&VoidCheckout {
            checkout_id,
            order_id: OrderId::new(order_id.to_owned()),
            store_code: None,
        })
        .await?;
    let now = app.now();
    let fresh = sync::resync(app, order_id, Source::Admin).await?;
    let e = NewEvent::done(
        format!("admin:void:{order_id}:{}", app.new_id()),
        order_id,
        Source::Admin,
        "in_store_void",
        Some(json!({"order_was_voided": r.order_was_voided})),
    );
    store.record_event(&e, now).await?;
    Ok((r.order_was_voided, fresh.status))
}
