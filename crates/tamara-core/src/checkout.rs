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
    /// `shipping_address.phone_number` is given but not a phone of the address's country.
    #[error("shipping_address.phone_number is not a valid phone number")]
    ShippingPhone,
    /// `billing_address.phone_number` is given but not a phone of the address's country.
    #[error("billing_address.phone_number is not a valid phone number")]
    BillingPhone,
    /// The shipping address lacks `first_name`, `line1` or `city`.
    #[error("shipping_address needs first_name, line1 and city")]
    ShippingAddress,
    /// A merchant URL (named) is not an absolute http(s) URL.
    #[error("{0} must be an http(s) URL")]
    Url(&'static str),
    /// A lifetime in minutes (named: `expires_in_minutes`, `expiry_time`) is outside
    /// [`SESSION_MINUTES`].
    #[error("{0} must be 5–1440 minutes")]
    Minutes(&'static str),
    /// In-store: the shopper's `phone_number` is not a phone of the market.
    #[error("phone_number is not a valid phone number")]
    InvalidPhone,
    /// In-store: `order_reference_id` is empty or longer than 128 characters.
    #[error("order_reference_id is required (≤ 128 characters)")]
    Reference,
    /// In-store QR: no POS device id (`X-Device-Id`).
    #[error("header X-Device-Id is required")]
    DeviceId,
    /// In-store: the amount is zero.
    #[error("total_amount must be more than zero")]
    ZeroAmount,
}

/// The lifetimes, in minutes, a session may ask for (`expires_in_minutes`, `expiry_time`).
pub const SESSION_MINUTES: std::ops::RangeInclusive<u32> = 5..=1440;

/// A merchant order reference is 1–128 bytes.
fn reference_ok(reference: &OrderReferenceId) -> bool {
    !reference.is_empty() && reference.as_str().len() <= 128
}

/// `None`, or a value within [`SESSION_MINUTES`].
fn check_minutes(field: &'static str, minutes: Option<u32>) -> Result<(), CheckoutValidationError> {
    match minutes {
        Some(m) if !SESSION_MINUTES.contains(&m) => Err(CheckoutValidationError::Minutes(field)),
        _ => Ok(()),
    }
}

impl CheckoutValidationError {
    /// Tamara's `error_code` for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            CheckoutValidationError::Currency { .. } => "total_amount_invalid_currency",
            CheckoutValidationError::TotalMismatch { .. } => "total_amount_invalid",
            CheckoutValidationError::Field(_)
            | CheckoutValidationError::ShippingAddress
            | CheckoutValidationError::Url(_)
            | CheckoutValidationError::Minutes(_)
            | CheckoutValidationError::Reference
            | CheckoutValidationError::DeviceId => "invalid_request",
            CheckoutValidationError::Phone => "consumer_invalid_phone_number",
            CheckoutValidationError::Overflow | CheckoutValidationError::ZeroAmount => {
                "total_amount_invalid_limit"
            }
            CheckoutValidationError::ShippingPhone => "shipping_address_invalid_phone_number",
            CheckoutValidationError::BillingPhone => "billing_address_invalid_phone_number",
            CheckoutValidationError::InvalidPhone => "invalid_phone_number",
        }
    }

    /// The field an `invalid_request` error names (`description`, `merchant_url.success`,
    /// `shipping_address`, `X-Device-Id`, …); `None` for the errors Tamara reports by code only.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CheckoutValidationError::Field(f)
            | CheckoutValidationError::Url(f)
            | CheckoutValidationError::Minutes(f) => Some(f),
            CheckoutValidationError::ShippingAddress => Some("shipping_address"),
            CheckoutValidationError::Reference => Some("order_reference_id"),
            CheckoutValidationError::DeviceId => Some("X-Device-Id"),
            _ => None,
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

    /// Checks, in this order: currency consistency, the order reference, description, items,
    /// the consumer's first name and phone, the amount identity (items + shipping + tax −
    /// discount = total), the shipping and billing address phones ([`Address::phone_is_valid`]),
    /// a complete shipping address ([`Address::is_complete`]), the merchant URLs
    /// ([`MerchantUrl::validate`]) and `expires_in_minutes` ([`SESSION_MINUTES`]).
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
        if !reference_ok(&self.order_reference_id) {
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
        if !self.shipping_address.phone_is_valid() {
            return Err(CheckoutValidationError::ShippingPhone);
        }
        if self
            .billing_address
            .as_ref()
            .is_some_and(|a| !a.phone_is_valid())
        {
            return Err(CheckoutValidationError::BillingPhone);
        }
        if !self.shipping_address.is_complete() {
            return Err(CheckoutValidationError::ShippingAddress);
        }
        self.merchant_url.validate()?;
        check_minutes("expires_in_minutes", self.expires_in_minutes)
    }

    /// A request with the required fields. `shipping_amount` and `tax_amount` start at zero
    /// in the country's currency and `description` at `Order {order_reference_id}`; change
    /// them and set the optional fields with `with_*`.
    pub fn new(
        order_reference_id: OrderReferenceId,
        country_code: Country,
        total_amount: Money,
        items: Vec<Item>,
        consumer: Consumer,
        shipping_address: Address,
        merchant_url: MerchantUrl,
    ) -> Self {
        let zero = Money::zero(country_code.currency());
        CreateCheckout {
            total_amount,
            shipping_amount: zero,
            tax_amount: zero,
            description: format!("Order {order_reference_id}"),
            order_reference_id,
            order_number: None,
            discount: None,
            items,
            consumer,
            country_code,
            merchant_url,
            billing_address: None,
            shipping_address,
            platform: None,
            is_mobile: None,
            locale: None,
            risk_assessment: None,
            expires_in_minutes: None,
            additional_data: None,
            payment_type: None,
            instalments: None,
        }
    }

    /// Sets `shipping_amount`.
    pub fn with_shipping_amount(mut self, shipping_amount: Money) -> Self {
        self.shipping_amount = shipping_amount;
        self
    }

    /// Sets `tax_amount`.
    pub fn with_tax_amount(mut self, tax_amount: Money) -> Self {
        self.tax_amount = tax_amount;
        self
    }

    /// Sets `description`.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Sets `order_number`.
    pub fn with_order_number(mut self, order_number: impl Into<String>) -> Self {
        self.order_number = Some(order_number.into());
        self
    }

    /// Sets `discount`.
    pub fn with_discount(mut self, discount: Discount) -> Self {
        self.discount = Some(discount);
        self
    }

    /// Sets `billing_address`.
    pub fn with_billing_address(mut self, billing_address: Address) -> Self {
        self.billing_address = Some(billing_address);
        self
    }

    /// Sets `platform`.
    pub fn with_platform(mut self, platform: impl Into<String>) -> Self {
        self.platform = Some(platform.into());
        self
    }

    /// Sets `is_mobile`.
    pub fn with_is_mobile(mut self, is_mobile: bool) -> Self {
        self.is_mobile = Some(is_mobile);
        self
    }

    /// Sets `locale`.
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }

    /// Sets `risk_assessment`.
    pub fn with_risk_assessment(mut self, risk_assessment: LenientObject) -> Self {
        self.risk_assessment = Some(risk_assessment);
        self
    }

    /// Sets `expires_in_minutes` (checked against [`SESSION_MINUTES`] by `validate`).
    pub fn with_expires_in_minutes(mut self, minutes: u32) -> Self {
        self.expires_in_minutes = Some(minutes);
        self
    }

    /// Sets `additional_data`.
    pub fn with_additional_data(mut self, additional_data: LenientObject) -> Self {
        self.additional_data = Some(additional_data);
        self
    }

    /// Sets `payment_type`.
    pub fn with_payment_type(mut self, payment_type: PaymentType) -> Self {
        self.payment_type = Some(payment_type);
        self
    }

    /// Sets `instalments`.
    pub fn with_instalments(mut self, instalments: u32) -> Self {
        self.instalments = Some(instalments);
        self
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

impl CreateInStoreSession {
    /// A session with the required fields; the optional ones are set with `with_*`.
    pub fn new(
        order_reference_id: OrderReferenceId,
        total_amount: Money,
        phone_number: impl Into<String>,
        items: Vec<Item>,
    ) -> Self {
        CreateInStoreSession {
            total_amount,
            phone_number: phone_number.into(),
            order_reference_id,
            items,
            email: None,
            order_number: None,
            locale: None,
            payment_type: None,
            expiry_time: None,
            additional_data: None,
        }
    }

    /// Sets `email`.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets `order_number`.
    pub fn with_order_number(mut self, order_number: impl Into<String>) -> Self {
        self.order_number = Some(order_number.into());
        self
    }

    /// Sets `locale`.
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }

    /// Sets `payment_type`.
    pub fn with_payment_type(mut self, payment_type: PaymentType) -> Self {
        self.payment_type = Some(payment_type);
        self
    }

    /// Sets `expiry_time` in minutes (checked against [`SESSION_MINUTES`] by `validate`).
    pub fn with_expiry_time(mut self, minutes: u32) -> Self {
        self.expiry_time = Some(minutes);
        self
    }

    /// Sets `additional_data`.
    pub fn with_additional_data(mut self, additional_data: LenientObject) -> Self {
        self.additional_data = Some(additional_data);
        self
    }

    /// The market: the one whose currency `total_amount` is in.
    pub fn country(&self) -> Country {
        Country::for_currency(self.total_amount.currency())
    }

    /// The shopper's phone, parsed in [`CreateInStoreSession::country`].
    pub fn phone(&self) -> Result<crate::country::Phone, CheckoutValidationError> {
        crate::country::Phone::parse(&self.phone_number, self.country())
            .map_err(|_| CheckoutValidationError::InvalidPhone)
    }

    /// Checks, in this order: the phone ([`CreateInStoreSession::phone`]), the order
    /// reference (1–128 bytes), that every item amount is in the total's currency, a non-zero
    /// total and `expiry_time` ([`SESSION_MINUTES`]).
    pub fn validate(&self) -> Result<(), CheckoutValidationError> {
        self.phone()?;
        if !reference_ok(&self.order_reference_id) {
            return Err(CheckoutValidationError::Reference);
        }
        let cur = self.total_amount.currency();
        if let Some(m) = item_amounts(&self.items).find(|m| m.currency() != cur) {
            return Err(CheckoutValidationError::Currency {
                expected: cur,
                found: m.currency(),
            });
        }
        if self.total_amount.is_zero() {
            return Err(CheckoutValidationError::ZeroAmount);
        }
        check_minutes("expiry_time", self.expiry_time)
    }
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

impl CreateInStoreQr {
    /// A QR session for the POS device `device_id`; the optional fields are set with `with_*`.
    pub fn new(
        device_id: impl Into<String>,
        order_reference_id: OrderReferenceId,
        amount: Money,
    ) -> Self {
        CreateInStoreQr {
            device_id: device_id.into(),
            amount,
            order_reference_id,
            order_number: None,
            locale: None,
            additional_data: None,
        }
    }

    /// Sets `order_number`.
    pub fn with_order_number(mut self, order_number: impl Into<String>) -> Self {
        self.order_number = Some(order_number.into());
        self
    }

    /// Sets `locale`.
    pub fn with_locale(mut self, locale: Locale) -> Self {
        self.locale = Some(locale);
        self
    }

    /// Sets `additional_data`.
    pub fn with_additional_data(mut self, additional_data: LenientObject) -> Self {
        self.additional_data = Some(additional_data);
        self
    }

    /// Checks that the device id is not blank, then the order reference (1–128 bytes).
    pub fn validate(&self) -> Result<(), CheckoutValidationError> {
        if self.device_id.trim().is_empty() {
            return Err(CheckoutValidationError::DeviceId);
        }
        if !reference_ok(&self.order_reference_id) {
            return Err(CheckoutValidationError::Reference);
        }
        Ok(())
    }
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
    /// Lines (`null` reads as none).
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: Vec<Item>,
    /// Shopper (optional; `null` reads as absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Consumer>,
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

/// `null` as the type's default (optional lists sent as `null` by some clients).
fn null_as_default<'de, D: serde::Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use CheckoutValidationError as E;

    fn sar(minor: u64) -> Money {
        Money::from_minor(minor, Currency::Sar).unwrap()
    }

    fn checkout() -> CreateCheckout {
        CreateCheckout::new(
            "REF-1".into(),
            Country::Sa,
            sar(30000),
            vec![Item::new("1", "Shirt", "SKU-1", 1, sar(30000))],
            Consumer::new("Mona", "Ali", "544337866").with_email("mona@example.com"),
            Address::new("Mona", "Ali", "King Fahd Rd", "Riyadh", Country::Sa),
            MerchantUrl::new(
                "http://127.0.0.1:3000/success",
                "http://127.0.0.1:3000/failure",
                "http://127.0.0.1:3000/cancel",
            )
            .with_notification("http://127.0.0.1:3000/tamara/webhook"),
        )
        .with_locale(Locale::EnUs)
    }

    fn in_store() -> CreateInStoreSession {
        CreateInStoreSession::new(
            "POS-1".into(),
            sar(30000),
            "544337866",
            vec![Item::new("1", "Shirt", "SKU-1", 1, sar(30000))],
        )
    }

    fn err(c: &CreateCheckout) -> (E, &'static str, Option<&'static str>, String) {
        let e = c.validate().unwrap_err();
        (e.clone(), e.code(), e.field(), e.to_string())
    }

    #[test]
    fn builder_matches_the_struct_literal_and_is_valid() {
        let c = checkout();
        c.validate().unwrap();
        assert_eq!(c.shipping_amount, Money::zero(Currency::Sar));
        assert_eq!(c.tax_amount, Money::zero(Currency::Sar));
        assert_eq!(c.description, "Order REF-1");
        let body: serde_json::Value = serde_json::to_value(&c).unwrap();
        assert_eq!(body["items"][0]["type"], "Physical");
        assert_eq!(body["consumer"]["email"], "mona@example.com");
        assert!(body.get("billing_address").is_none());
        let c = c
            .with_shipping_amount(sar(1000))
            .with_tax_amount(sar(500))
            .with_discount(Discount {
                name: "X".into(),
                amount: sar(1500),
            })
            .with_description("Two shirts")
            .with_order_number("N-1")
            .with_payment_type(PaymentType::PayByInstalments)
            .with_instalments(3)
            .with_expires_in_minutes(30)
            .with_platform("tests")
            .with_is_mobile(false);
        c.validate().unwrap();
        assert_eq!(c.order_number.as_deref(), Some("N-1"));
        assert_eq!(c.instalments, Some(3));
    }

    #[test]
    fn address_phones_use_their_own_codes() {
        let mut c = checkout();
        c.shipping_address.phone_number = Some("999".into());
        let (e, code, field, msg) = err(&c);
        assert_eq!(e, E::ShippingPhone);
        assert_eq!(code, "shipping_address_invalid_phone_number");
        assert_eq!(field, None);
        assert!(msg.contains("shipping_address"));
        // Blank is "not given"; a valid one passes, in the address's own country.
        c.shipping_address.phone_number = Some("  ".into());
        c.validate().unwrap();
        c.shipping_address.phone_number = Some("+966544337866".into());
        c.validate().unwrap();
        c.shipping_address.country_code = Country::Ae;
        assert_eq!(c.validate().unwrap_err(), E::ShippingPhone);

        let c = checkout().with_billing_address(
            Address::new("Mona", "Ali", "Road", "Riyadh", Country::Sa).with_phone_number("12"),
        );
        let (e, code, ..) = err(&c);
        assert_eq!(e, E::BillingPhone);
        assert_eq!(code, "billing_address_invalid_phone_number");
        let c = checkout().with_billing_address(
            Address::new("", "", "", "", Country::Sa).with_phone_number("0544337866"),
        );
        // A billing address needs no street; only its phone is checked.
        c.validate().unwrap();
    }

    #[test]
    fn shipping_address_needs_name_street_and_city() {
        for blank in ["first_name", "line1", "city"] {
            let mut c = checkout();
            let a = &mut c.shipping_address;
            *match blank {
                "first_name" => &mut a.first_name,
                "line1" => &mut a.line1,
                _ => &mut a.city,
            } = " ".into();
            let (e, code, field, msg) = err(&c);
            assert_eq!(e, E::ShippingAddress, "{blank}");
            assert_eq!(code, "invalid_request");
            assert_eq!(field, Some("shipping_address"));
            assert_eq!(msg, "shipping_address needs first_name, line1 and city");
        }
        let mut c = checkout();
        c.shipping_address.last_name = String::new();
        c.validate().unwrap();
    }

    #[test]
    fn merchant_urls_are_http_urls() {
        for (field, bad) in [
            ("merchant_url.success", "not a url"),
            ("merchant_url.failure", "javascript:alert(1)"),
            ("merchant_url.cancel", "ftp://shop.example.com/c"),
            ("merchant_url.notification", "https://"),
        ] {
            let mut c = checkout();
            let m = &mut c.merchant_url;
            match field {
                "merchant_url.success" => m.success = bad.into(),
                "merchant_url.failure" => m.failure = bad.into(),
                "merchant_url.cancel" => m.cancel = bad.into(),
                _ => m.notification = Some(bad.into()),
            }
            let (e, code, f, msg) = err(&c);
            assert_eq!(e, E::Url(field));
            assert_eq!(code, "invalid_request");
            assert_eq!(f, Some(field));
            assert_eq!(msg, format!("{field} must be an http(s) URL"));
        }
        // No notification, or a blank one, is fine; https anywhere, http anywhere.
        let mut c = checkout();
        c.merchant_url.notification = None;
        c.validate().unwrap();
        c.merchant_url.notification = Some(" ".into());
        c.merchant_url.success = "https://shop.example.com/ok?x=1".into();
        c.merchant_url.failure = "http://shop.example.com/ko".into();
        c.validate().unwrap();
    }

    #[test]
    fn session_minutes_are_5_to_1440() {
        for ok in [5, 30, 1440] {
            checkout().with_expires_in_minutes(ok).validate().unwrap();
            in_store().with_expiry_time(ok).validate().unwrap();
        }
        for bad in [0, 4, 1441] {
            let (e, code, field, msg) = err(&checkout().with_expires_in_minutes(bad));
            assert_eq!(e, E::Minutes("expires_in_minutes"));
            assert_eq!(code, "invalid_request");
            assert_eq!(field, Some("expires_in_minutes"));
            assert_eq!(msg, "expires_in_minutes must be 5–1440 minutes");
            let e = in_store().with_expiry_time(bad).validate().unwrap_err();
            assert_eq!(e, E::Minutes("expiry_time"));
            assert_eq!(e.to_string(), "expiry_time must be 5–1440 minutes");
        }
    }

    #[test]
    fn existing_rules_keep_their_codes_and_order() {
        let mut c = checkout();
        c.total_amount = sar(30100);
        assert_eq!(err(&c).1, "total_amount_invalid");
        // The amount identity is checked before the addresses.
        c.shipping_address.city = String::new();
        assert_eq!(err(&c).1, "total_amount_invalid");
        let mut c = checkout();
        c.consumer.phone_number = "12345".into();
        assert_eq!(err(&c).1, "consumer_invalid_phone_number");
        assert_eq!(err(&c).2, None);
        let mut c = checkout();
        c.description = String::new();
        assert_eq!(err(&c).2, Some("description"));
        let mut c = checkout();
        c.order_reference_id = "x".repeat(129).into();
        assert_eq!(err(&c).0, E::Field("order_reference_id"));
        c.order_reference_id = "x".repeat(128).into();
        c.validate().unwrap();
    }

    #[test]
    fn in_store_session_rules() {
        let s = in_store();
        s.validate().unwrap();
        assert_eq!(s.country(), Country::Sa);
        assert_eq!(s.phone().unwrap().national(), "544337866");
        // The phone is read in the market of the total's currency.
        let mut s = in_store();
        s.phone_number = "12345".into();
        let e = s.validate().unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_phone_number", None));
        let mut s = in_store();
        s.total_amount = Money::from_minor(30000, Currency::Aed).unwrap();
        s.items[0].total_amount = s.total_amount;
        s.phone_number = "+966544337866".into();
        assert_eq!(s.validate().unwrap_err(), E::InvalidPhone);
        s.phone_number = "501234567".into();
        s.validate().unwrap();

        for bad in [String::new(), "x".repeat(129)] {
            let mut s = in_store();
            s.order_reference_id = bad.into();
            let e = s.validate().unwrap_err();
            assert_eq!(e, E::Reference);
            assert_eq!(e.code(), "invalid_request");
            assert_eq!(e.field(), Some("order_reference_id"));
            assert_eq!(
                e.to_string(),
                "order_reference_id is required (≤ 128 characters)"
            );
        }

        let mut s = in_store();
        s.items[0].unit_price = Some(Money::from_minor(100, Currency::Aed).unwrap());
        let e = s.validate().unwrap_err();
        assert_eq!(e.code(), "total_amount_invalid_currency");
        assert_eq!(
            e,
            E::Currency {
                expected: Currency::Sar,
                found: Currency::Aed
            }
        );

        let mut s = in_store();
        s.total_amount = sar(0);
        let e = s.validate().unwrap_err();
        assert_eq!((e.code(), e), ("total_amount_invalid_limit", E::ZeroAmount));
        // No items is fine for an in-store link.
        let mut s = in_store();
        s.items.clear();
        s.validate().unwrap();
    }

    #[test]
    fn in_store_qr_rules() {
        let q = CreateInStoreQr::new("POS-7", "QR-1".into(), sar(1000)).with_order_number("7");
        q.validate().unwrap();
        let e = CreateInStoreQr::new(" ", "QR-1".into(), sar(1000))
            .validate()
            .unwrap_err();
        assert_eq!(e, E::DeviceId);
        assert_eq!(
            (e.code(), e.field()),
            ("invalid_request", Some("X-Device-Id"))
        );
        assert_eq!(e.to_string(), "header X-Device-Id is required");
        let e = CreateInStoreQr::new("POS-7", "".into(), sar(1000))
            .validate()
            .unwrap_err();
        assert_eq!(e, E::Reference);
        // The device id travels as a header, not in the body.
        let body = serde_json::to_value(&q).unwrap();
        assert!(body.get("device_id").is_none());
        assert_eq!(body["order_number"], "7");
    }
}
