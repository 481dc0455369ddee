//! Checkout sessions: online checkout, in-store SMS link and QR code, void, availability checks.

use serde::{Deserialize, Serialize};

use crate::country::Country;
use crate::enums::{Locale, OrderStatus, PaymentType};
use crate::error::ApiError;
use crate::http::{encode_segment, json_body, parse_default, Endpoint, Method};
use crate::ids::{CheckoutId, OrderId, OrderReferenceId};
use crate::money::{Currency, Money};
use crate::types::{
    check_currencies, item_amounts, Address, Consumer, Discount, Item, LenientObject, MerchantUrl,
};

/// `POST /checkout`: create an online checkout session (row 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateCheckout {
    /// Amount to charge: items + shipping + tax − discount.
    pub total_amount: Money,
    /// Shipping.
    pub shipping_amount: Money,
    /// Tax.
    pub tax_amount: Money,
    /// Merchant's order id.
    pub order_reference_id: OrderReferenceId,
    /// Shown to the shopper; defaults to the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Coupon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// Lines.
    pub items: Vec<Item>,
    /// Shopper.
    pub consumer: Consumer,
    /// Market.
    pub country_code: Country,
    /// ≤ 256 characters.
    pub description: String,
    /// Redirect and notification URLs.
    pub merchant_url: MerchantUrl,
    /// Billing address (`null` allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Shipping address.
    pub shipping_address: Address,
    /// Free text (platform / plugin version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Mobile app checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mobile: Option<bool>,
    /// Checkout language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Risk signals (`[]` accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment: Option<LenientObject>,
    /// Session expiry (5–1440), only honoured when enabled for the merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_minutes: Option<u32>,
    /// Free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<LenientObject>,
    /// Legacy plan selection (single checkout lets the shopper choose).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<PaymentType>,
    /// Instalment count for `PAY_BY_INSTALMENTS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instalments: Option<u32>,
}

/// Why a create-checkout body is inconsistent. `code()` gives Tamara's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckoutValidationError {
    /// An amount is in another currency than the country's.
    #[error("all amounts must be in {expected}; found {found}")]
    Currency {
        /// Country currency.
        expected: Currency,
        /// Offending currency.
        found: Currency,
    },
    /// items + shipping + tax − discount ≠ total.
    #[error("total_amount {total} does not equal items + shipping + tax - discount = {computed}")]
    TotalMismatch {
        /// Declared total.
        total: Money,
        /// Computed total.
        computed: Money,
    },
    /// A required text field is empty or too long.
    #[error("field `{0}` is missing, empty or too long")]
    Field(&'static str),
    /// Invalid phone.
    #[error("consumer phone number is invalid")]
    Phone,
    /// Arithmetic overflow.
    #[error("amounts overflow")]
    Overflow,
}

impl CheckoutValidationError {
    /// Tamara's `error_code` for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            CheckoutValidationError::Currency { .. } => "total_amount_invalid_currency",
            CheckoutValidationError::TotalMismatch { .. } => "total_amount_invalid",
            CheckoutValidationError::Field(_) => "invalid_request",
            CheckoutValidationError::Phone => "consumer_invalid_phone_number",
            CheckoutValidationError::Overflow => "total_amount_invalid_limit",
        }
    }
}

impl CreateCheckout {
    /// Every Money field of the request.
    pub fn amounts(&self) -> Vec<&Money> {
        let mut v = vec![&self.total_amount, &self.shipping_amount, &self.tax_amount];
        if let Some(d) = &self.discount {
            v.push(&d.amount);
        }
        v.extend(item_amounts(&self.items));
        v
    }

    /// Checks currency consistency, the amount identity, required text and the phone.
    pub fn validate(&self) -> Result<(), CheckoutValidationError> {
        let cur = self.country_code.currency();
        if let Err(crate::money::MoneyError::CurrencyMismatch(_, found)) =
            check_currencies(cur, self.amounts())
        {
            return Err(CheckoutValidationError::Currency {
                expected: cur,
                found,
            });
        }
        if self.order_reference_id.is_empty() || self.order_reference_id.as_str().len() > 128 {
            return Err(CheckoutValidationError::Field("order_reference_id"));
        }
        if self.description.trim().is_empty() || self.description.chars().count() > 256 {
            return Err(CheckoutValidationError::Field("description"));
        }
        if self.items.is_empty() {
            return Err(CheckoutValidationError::Field("items"));
        }
        for i in &self.items {
            if i.name.is_empty() || i.name.chars().count() > 255 {
                return Err(CheckoutValidationError::Field("items.name"));
            }
            if i.sku.is_empty() || i.sku.chars().count() > 128 {
                return Err(CheckoutValidationError::Field("items.sku"));
            }
            if i.quantity == 0 {
                return Err(CheckoutValidationError::Field("items.quantity"));
            }
        }
        if self.consumer.first_name.trim().is_empty() {
            return Err(CheckoutValidationError::Field("consumer.first_name"));
        }
        if crate::country::Phone::parse(&self.consumer.phone_number, self.country_code).is_err() {
            return Err(CheckoutValidationError::Phone);
        }
        let items = Money::sum(cur, self.items.iter().map(|i| i.total_amount))
            .map_err(|_| CheckoutValidationError::Overflow)?;
        let gross = items
            .checked_add(self.shipping_amount)
            .and_then(|m| m.checked_add(self.tax_amount))
            .map_err(|_| CheckoutValidationError::Overflow)?;
        let discount = self
            .discount
            .as_ref()
            .map(|d| d.amount)
            .unwrap_or(Money::zero(cur));
        let computed = gross
            .checked_sub(discount)
            .map_err(|_| CheckoutValidationError::Overflow)?;
        if computed != self.total_amount {
            return Err(CheckoutValidationError::TotalMismatch {
                total: self.total_amount,
                computed,
            });
        }
        Ok(())
    }
}

/// Response of `POST /checkout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutSession {
    /// Tamara order id.
    pub order_id: OrderId,
    /// Session id.
    pub checkout_id: CheckoutId,
    /// Where to send the shopper.
    pub checkout_url: String,
    /// `new`.
    #[serde(default = "status_new")]
    pub status: OrderStatus,
}

fn status_new() -> OrderStatus {
    OrderStatus::New
}

impl Endpoint for CreateCheckout {
    type Response = CheckoutSession;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/checkout".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<CheckoutSession, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /checkout/in-store-session`: SMS payment link (row 10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateInStoreSession {
    /// Amount.
    pub total_amount: Money,
    /// Shopper's mobile; receives the SMS.
    pub phone_number: String,
    /// Merchant's id.
    pub order_reference_id: OrderReferenceId,
    /// Lines.
    pub items: Vec<Item>,
    /// Backup channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Shown to the shopper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<PaymentType>,
    /// Link lifetime in minutes (default 15). Note: `expiry_time`, not `expires_in_minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_time: Option<u32>,
    /// e.g. `{"store_code": "Branch A"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<LenientObject>,
}

/// Response of the in-store session endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InStoreSession {
    /// Session id (needed to void).
    pub checkout_id: CheckoutId,
    /// Order id (poll it).
    pub order_id: OrderId,
    /// Payment link / QR content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_deeplink: Option<String>,
}

impl Endpoint for CreateInStoreSession {
    type Response = InStoreSession;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/checkout/in-store-session".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<InStoreSession, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /checkout/in-store`: QR-code session (row 11). Needs the POS device id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateInStoreQr {
    /// POS device id, sent as `X-Device-Id`.
    #[serde(skip)]
    pub device_id: String,
    /// Amount.
    pub amount: Money,
    /// Merchant's id.
    pub order_reference_id: OrderReferenceId,
    /// Shown to the shopper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    /// Language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// e.g. store code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<LenientObject>,
}

impl Endpoint for CreateInStoreQr {
    type Response = InStoreSession;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/checkout/in-store".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn extra_headers(&self) -> Vec<(&'static str, String)> {
        vec![("X-Device-Id", self.device_id.clone())]
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<InStoreSession, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /checkout/{checkout_id}/void` (row 12). Sends the ids as query **and** body, as the
/// docs and the SDK disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidCheckout {
    /// Session to void.
    #[serde(skip)]
    pub checkout_id: CheckoutId,
    /// Its order.
    pub order_id: OrderId,
    /// Store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_code: Option<String>,
}

/// Void response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidResult {
    /// Whether the session was voided (false when already paid).
    pub order_was_voided: bool,
    /// Captured so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_amount: Option<Money>,
    /// Message.
    #[serde(default)]
    pub message: String,
    /// Store.
    #[serde(default)]
    pub store_code: String,
}

impl Endpoint for VoidCheckout {
    type Response = VoidResult;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        format!(
            "/checkout/{}/void",
            encode_segment(self.checkout_id.as_str())
        )
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("order_id", self.order_id.to_string())];
        if let Some(s) = &self.store_code {
            q.push(("store_code", s.clone()));
        }
        q
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<VoidResult, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /checkout/payment-options-pre-check` (row 14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOptionsPreCheck {
    /// Market.
    pub country: Country,
    /// Cart total.
    pub order_value: Money,
    /// Shopper's phone, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// SDK default `true`.
    #[serde(default = "yes")]
    pub is_vip: bool,
}

fn yes() -> bool {
    true
}

/// One label to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLabel {
    /// Plan.
    pub payment_type: PaymentType,
    /// Instalment count (singular key; `0` means 3 per OpenCart).
    #[serde(default)]
    pub instalment: u32,
    /// English label.
    #[serde(default)]
    pub description_en: String,
    /// Arabic label.
    #[serde(default)]
    pub description_ar: String,
}

/// Pre-check answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOptionsAvailability {
    /// Any plan available.
    pub has_available_payment_options: bool,
    /// Shopper chooses the plan on Tamara's page.
    #[serde(default)]
    pub single_checkout_enabled: bool,
    /// Labels.
    #[serde(default)]
    pub available_payment_labels: Vec<PaymentLabel>,
}

impl Endpoint for PaymentOptionsPreCheck {
    type Response = PaymentOptionsAvailability;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/checkout/payment-options-pre-check".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<PaymentOptionsAvailability, ApiError> {
        parse_default(status, body)
    }
}

/// `GET /checkout/payment-types?country=SA[&currency=SAR]` (row 15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetPaymentTypes {
    /// Market.
    pub country: Country,
    /// Currency filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Cart value filter (community clients send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_value: Option<Money>,
    /// Phone filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// One instalment option with its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportedInstalment {
    /// Count.
    pub instalments: u32,
    /// Minimum order.
    pub min_limit: Money,
    /// Maximum order.
    pub max_limit: Money,
}

/// A plan family with its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTypeInfo {
    /// Plan.
    pub name: PaymentType,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Minimum order.
    pub min_limit: Money,
    /// Maximum order.
    pub max_limit: Money,
    /// Instalment options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_instalments: Vec<SupportedInstalment>,
}

impl PaymentTypeInfo {
    /// True when `amount` is within `[min, max]`.
    pub fn allows(&self, amount: Money) -> bool {
        amount.currency() == self.min_limit.currency()
            && amount.minor() >= self.min_limit.minor()
            && amount.minor() <= self.max_limit.minor()
    }
}

impl Endpoint for GetPaymentTypes {
    type Response = Vec<PaymentTypeInfo>;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        "/checkout/payment-types".to_owned()
    }
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![("country", self.country.code().to_owned())];
        if let Some(c) = self.currency {
            q.push(("currency", c.code().to_owned()));
        }
        if let Some(v) = self.order_value {
            q.push(("order_value", v.to_decimal_string()));
        }
        if let Some(p) = &self.phone {
            q.push(("phone", p.clone()));
        }
        q
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Vec<PaymentTypeInfo>, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /checkout/credit-pre-check`: payment types v2 (row 16).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditPreCheck {
    /// Cart total.
    pub total_amount: Money,
    /// Market.
    pub country_code: Country,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Shopper.
    pub consumer: Consumer,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Risk signals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment: Option<LenientObject>,
    /// Free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<LenientObject>,
}

impl Endpoint for CreditPreCheck {
    type Response = Vec<PaymentTypeInfo>;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/checkout/credit-pre-check".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Vec<PaymentTypeInfo>, ApiError> {
        parse_default(status, body)
    }
}
