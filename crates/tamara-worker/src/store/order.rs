//! The local order, typed: core's [`OrderStatus`], [`Channel`], [`Country`], [`Currency`] and
//! [`Money`]. D1 keeps text and integer minor units ([`OrderRecord`]); only this file converts.

use serde::Deserialize;
use tamara_core::lifecycle::{Channel, OrderState};
use tamara_core::{
    CheckoutId, Country, Currency, Locale, Money, OrderId, OrderReferenceId, OrderStatus, Timestamp,
};

use crate::error::{AppError, AppResult};
use crate::return_url::ReturnUrls;

use super::sql::Arg;

/// An order as the Worker knows it (no consumer PII is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Tamara's order id.
    pub order_id: OrderId,
    /// Checkout session id (absent when the session's answer was lost).
    pub checkout_id: Option<CheckoutId>,
    /// Our reference (unique).
    pub reference: OrderReferenceId,
    /// Tamara's status, mirrored forward-only.
    pub status: OrderStatus,
    /// Online checkout or in-store link.
    pub channel: Channel,
    /// Market.
    pub country: Country,
    /// Currency of every amount below.
    pub currency: Currency,
    /// Order total.
    pub total: Money,
    /// Shipping part of the total.
    pub shipping: Money,
    /// Tax part of the total.
    pub tax: Money,
    /// Discount applied.
    pub discount: Money,
    /// Captured so far (as Tamara reported it).
    pub captured: Money,
    /// Refunded so far.
    pub refunded: Money,
    /// Canceled so far.
    pub canceled: Money,
    /// Priced lines, JSON.
    pub items: String,
    /// Shopper's language.
    pub locale: Option<Locale>,
    /// Hosted checkout URL / in-store deeplink.
    pub checkout_url: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Compare-and-set counter.
    pub version: i64,
    /// Unix ms.
    pub approved_at: Option<i64>,
    /// Unix ms.
    pub authorised_at: Option<i64>,
    /// Unix ms when a `new` order lapses.
    pub expires_at: Option<i64>,
    /// Unix ms of the current authorise claim.
    pub authorise_claimed_at: Option<i64>,
    /// Unix ms when the auto-capture warning was recorded.
    pub auto_capture_flagged_at: Option<i64>,
    /// Unix ms of the last read from Tamara.
    pub last_synced_at: Option<i64>,
    /// Return pages chosen for this checkout (none: the environment's).
    pub returns: ReturnUrls,
}

/// What a new order needs; everything else starts at zero / none.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// Tamara's order id.
    pub order_id: OrderId,
    /// Checkout id.
    pub checkout_id: Option<CheckoutId>,
    /// Our reference.
    pub reference: OrderReferenceId,
    /// Status Tamara reported (`new`, or what a lookup found).
    pub status: OrderStatus,
    /// Channel.
    pub channel: Channel,
    /// Market.
    pub country: Country,
    /// Total.
    pub total: Money,
    /// Shipping.
    pub shipping: Money,
    /// Tax.
    pub tax: Money,
    /// Discount.
    pub discount: Money,
    /// Priced lines, JSON.
    pub items: String,
    /// Shopper's language.
    pub locale: Option<Locale>,
    /// Checkout URL / deeplink.
    pub checkout_url: Option<String>,
    /// Unix ms.
    pub now: i64,
    /// Unix ms.
    pub expires_at: i64,
    /// Return pages chosen for this checkout (already checked).
    pub returns: ReturnUrls,
}

impl NewOrder {
    /// The order row this creates.
    pub fn into_order(self) -> Order {
        let zero = Money::zero(self.total.currency());
        Order {
            order_id: self.order_id,
            checkout_id: self.checkout_id,
            reference: self.reference,
            status: self.status,
            channel: self.channel,
            country: self.country,
            currency: self.total.currency(),
            total: self.total,
            shipping: self.shipping,
            tax: self.tax,
            discount: self.discount,
            captured: zero,
            refunded: zero,
            canceled: zero,
            items: self.items,
            locale: self.locale,
            checkout_url: self.checkout_url,
            created_at: self.now,
            updated_at: self.now,
            version: 0,
            approved_at: None,
            authorised_at: None,
            expires_at: Some(self.expires_at),
            authorise_claimed_at: None,
            auto_capture_flagged_at: None,
            last_synced_at: Some(self.now),
            returns: self.returns,
        }
    }
}

impl Order {
    /// Core's state-machine view of this order (for its money rules).
    pub fn state(&self) -> OrderState {
        let ts = |ms: i64| Timestamp::from_millis(ms);
        OrderState {
            status: self.status.clone(),
            channel: self.channel,
            total: self.total,
            captured: self.captured,
            refunded: self.refunded,
            canceled: self.canceled,
            created_at: ts(self.created_at),
            expires_at: ts(self.expires_at.unwrap_or(self.created_at)),
            approved_at: self.approved_at.map(ts),
            authorised_at: self.authorised_at.map(ts),
        }
    }

    /// Waiting for the shopper or for the authorise (`new`, `approved`).
    pub fn is_pending(&self) -> bool {
        matches!(self.status, OrderStatus::New | OrderStatus::Approved)
    }
}

/// Channel as stored.
pub fn channel_str(c: Channel) -> &'static str {
    match c {
        Channel::Online => "online",
        Channel::InStore => "in_store",
    }
}

/// Minor units as stored (every amount fits: `Money` caps at 10^15).
pub fn minor(m: Money) -> i64 {
    i64::try_from(m.minor()).unwrap_or(i64::MAX)
}

/// An amount of `currency` from stored minor units.
pub fn money(minor: i64, currency: Currency) -> AppResult<Money> {
    u64::try_from(minor)
        .ok()
        .and_then(|m| Money::from_minor(m, currency).ok())
        .ok_or_else(|| AppError::Storage(format!("bad amount in the orders table: {minor}")))
}

/// The `orders` columns, in [`OrderRecord`]'s order.
pub const ORDER_COLS: &str = "order_id, checkout_id, order_reference_id, status, channel, \
    country, currency, total_minor, shipping_minor, tax_minor, discount_minor, captured_minor, \
    refunded_minor, canceled_minor, items, locale, checkout_url, created_at, updated_at, version, \
    approved_at, authorised_at, expires_at, authorise_claimed_at, auto_capture_flagged_at, \
    last_synced_at, return_success_url, return_failure_url, return_cancel_url";

/// A row of `orders` as D1 returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderRecord {
    order_id: String,
    #[serde(default)]
    checkout_id: Option<String>,
    order_reference_id: String,
    status: String,
    channel: String,
    country: String,
    currency: String,
    total_minor: i64,
    #[serde(default)]
    shipping_minor: i64,
    #[serde(default)]
    tax_minor: i64,
    #[serde(default)]
    discount_minor: i64,
    #[serde(default)]
    captured_minor: i64,
    #[serde(default)]
    refunded_minor: i64,
    #[serde(default)]
    canceled_minor: i64,
    #[serde(default)]
    items: String,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    checkout_url: Option<String>,
    created_at: i64,
    updated_at: i64,
    version: i64,
    #[serde(default)]
    approved_at: Option<i64>,
    #[serde(default)]
    authorised_at: Option<i64>,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    authorise_claimed_at: Option<i64>,
    #[serde(default)]
    auto_capture_flagged_at: Option<i64>,
    #[serde(default)]
    last_synced_at: Option<i64>,
    #[serde(default)]
    return_success_url: Option<String>,
    #[serde(default)]
    return_failure_url: Option<String>,
    #[serde(default)]
    return_cancel_url: Option<String>,
}

impl TryFrom<OrderRecord> for Order {
    type Error = AppError;

    fn try_from(r: OrderRecord) -> AppResult<Order> {
        let bad = |what: &str, v: &str| AppError::Storage(format!("bad {what} `{v}` in orders"));
        let currency: Currency = r
            .currency
            .parse()
            .map_err(|_| bad("currency", &r.currency))?;
        let country: Country = r.country.parse().map_err(|_| bad("country", &r.country))?;
        let channel = match r.channel.as_str() {
            "online" => Channel::Online,
            "in_store" => Channel::InStore,
            other => return Err(bad("channel", other)),
        };
        let m = |v: i64| money(v, currency);
        Ok(Order {
            order_id: OrderId::new(r.order_id),
            checkout_id: r.checkout_id.map(CheckoutId::new),
            reference: OrderReferenceId::new(r.order_reference_id),
            status: OrderStatus::parse(&r.status),
            channel,
            country,
            currency,
            total: m(r.total_minor)?,
            shipping: m(r.shipping_minor)?,
            tax: m(r.tax_minor)?,
            discount: m(r.discount_minor)?,
            captured: m(r.captured_minor)?,
            refunded: m(r.refunded_minor)?,
            canceled: m(r.canceled_minor)?,
            items: r.items,
            locale: r.locale.as_deref().map(Locale::parse),
            checkout_url: r.checkout_url,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
            approved_at: r.approved_at,
            authorised_at: r.authorised_at,
            expires_at: r.expires_at,
            authorise_claimed_at: r.authorise_claimed_at,
            auto_capture_flagged_at: r.auto_capture_flagged_at,
            last_synced_at: r.last_synced_at,
            returns: ReturnUrls {
                success: r.return_success_url,
                failure: r.return_failure_url,
                cancel: r.return_cancel_url,
            },
        })
    }
}

/// The INSERT of a new order.
pub fn insert_sql(o: &Order) -> (&'static str, Vec<Arg>) {
    (
        "INSERT INTO orders (order_id, checkout_id, order_reference_id, status, channel, country, \
         currency, total_minor, shipping_minor, tax_minor, discount_minor, items, locale, \
         checkout_url, created_at, updated_at, version, expires_at, return_success_url, \
         return_failure_url, return_cancel_url) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, 0, ?16, \
         ?17, ?18, ?19)",
        vec![
            o.order_id.as_str().into(),
            o.checkout_id.as_ref().map(|c| c.as_str()).into(),
            o.reference.as_str().into(),
            o.status.as_str().into(),
            channel_str(o.channel).into(),
            o.country.code().into(),
            o.currency.code().into(),
            minor(o.total).into(),
            minor(o.shipping).into(),
            minor(o.tax).into(),
            minor(o.discount).into(),
            o.items.as_str().into(),
            o.locale.as_ref().map(|l| l.as_str()).into(),
            o.checkout_url.as_deref().into(),
            o.created_at.into(),
            Arg::from(o.expires_at),
            o.returns.success.as_deref().into(),
            o.returns.failure.as_deref().into(),
            o.returns.cancel.as_deref().into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip_and_bad_rows() {
        let row = serde_json::json!({
            "order_id": "o1", "checkout_id": null, "order_reference_id": "r1",
            "status": "partially_captured", "channel": "in_store", "country": "KW",
            "currency": "KWD", "total_minor": 12345, "captured_minor": 1000,
            "items": "[]", "created_at": 1, "updated_at": 2, "version": 3
        });
        let rec: OrderRecord = serde_json::from_value(row.clone()).unwrap();
        let o = Order::try_from(rec).unwrap();
        assert_eq!(o.status, OrderStatus::PartiallyCaptured);
        assert_eq!(o.channel, Channel::InStore);
        assert_eq!(o.total.to_decimal_string(), "12.345");
        assert_eq!(o.state().capturable().minor(), 11345);
        let mut bad = row;
        bad["channel"] = "carrier_pigeon".into();
        let rec: OrderRecord = serde_json::from_value(bad).unwrap();
        assert_eq!(Order::try_from(rec).unwrap_err().code(), "storage_error");
    }
}
