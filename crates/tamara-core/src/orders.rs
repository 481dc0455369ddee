//! Orders: read (by id or merchant reference), authorise, cancel, update the reference id.

use serde::{Deserialize, Serialize};

use crate::enums::{OrderStatus, PaymentType};
use crate::error::ApiError;
use crate::http::{encode_segment, json_body, parse_default, Endpoint, Method};
use crate::ids::{CancelId, CaptureId, MerchantId, OrderId, OrderReferenceId, RefundId};
use crate::money::Money;
use crate::timestamp::Timestamp;
use crate::types::{Address, Consumer, Discount, Item, JsonObject, ShippingInfo};

/// `GET /merchants/orders/{order_id}` (row 2). `short_path` uses the newer `/orders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetOrder {
    /// Order.
    pub order_id: OrderId,
    /// Use `/orders/{id}` instead of `/merchants/orders/{id}`.
    pub short_path: bool,
}

impl GetOrder {
    /// By order id on the SDK's path.
    pub fn new(order_id: OrderId) -> Self {
        GetOrder {
            order_id,
            short_path: false,
        }
    }
}

impl Endpoint for GetOrder {
    type Response = OrderDetails;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        let id = encode_segment(self.order_id.as_str());
        if self.short_path {
            format!("/orders/{id}")
        } else {
            format!("/merchants/orders/{id}")
        }
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<OrderDetails, ApiError> {
        parse_default(status, body)
    }
}

/// `GET /merchants/orders/reference-id/{order_reference_id}` (row 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetOrderByReference {
    /// Merchant's reference.
    pub order_reference_id: OrderReferenceId,
}

impl Endpoint for GetOrderByReference {
    type Response = OrderDetails;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        format!(
            "/merchants/orders/reference-id/{}",
            encode_segment(self.order_reference_id.as_str())
        )
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<OrderDetails, ApiError> {
        parse_default(status, body)
    }
}

/// A capture in `transactions.captures`. Note: `discount_amount` is a plain Money here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureRecord {
    /// Capture.
    pub capture_id: CaptureId,
    /// Order.
    pub order_id: OrderId,
    /// Merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<MerchantId>,
    /// Captured.
    pub total_amount: Money,
    /// Refunded from this capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<Money>,
    /// Shipping part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    /// Tax part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Discount part (Money, unlike the order's `discount_amount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    /// Shipment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_info: Option<ShippingInfo>,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}

/// A cancel in `transactions.cancels`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRecord {
    /// Cancel.
    pub cancel_id: CancelId,
    /// Order.
    pub order_id: OrderId,
    /// Canceled.
    pub total_amount: Money,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}

/// A refund in `transactions.refunds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// Refund.
    pub refund_id: RefundId,
    /// Capture it was booked against.
    pub capture_id: CaptureId,
    /// Refunded.
    pub total_amount: Money,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}

/// `transactions` of an order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Transactions {
    /// Cancels.
    #[serde(default)]
    pub cancels: Vec<CancelRecord>,
    /// Captures.
    #[serde(default)]
    pub captures: Vec<CaptureRecord>,
    /// Refunds.
    #[serde(default)]
    pub refunds: Vec<RefundRecord>,
}

/// Response of both GET-order endpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetails {
    /// Order.
    pub order_id: OrderId,
    /// Merchant reference.
    pub order_reference_id: OrderReferenceId,
    /// Merchant number (falls back to the reference).
    #[serde(default)]
    pub order_number: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Shopper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<Consumer>,
    /// Status.
    pub status: OrderStatus,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Billing address (`null` allowed).
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<PaymentType>,
    /// Instalments (`null` allowed).
    #[serde(default)]
    pub instalments: Option<u32>,
    /// Total.
    pub total_amount: Money,
    /// Shipping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    /// Tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Discount (`{name, amount}` here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Discount>,
    /// Captured so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_amount: Option<Money>,
    /// Refunded so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<Money>,
    /// Canceled so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_amount: Option<Money>,
    /// Paid by the shopper so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_amount: Option<Money>,
    /// Wallet prepaid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_prepaid_amount: Option<Money>,
    /// `""` when unsettled.
    #[serde(default)]
    pub settlement_status: Option<String>,
    /// `null` until settled.
    #[serde(default)]
    pub settlement_date: Option<String>,
    /// Created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Transactions.
    #[serde(default)]
    pub transactions: Transactions,
    /// Being processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<bool>,
    /// Store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_code: Option<String>,
    /// Free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<JsonObject>,
}

/// `POST /orders/{order_id}/authorise` (row 4). Sends `{"order_id"}` like the SDK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthoriseOrder {
    /// Order.
    pub order_id: OrderId,
}

/// Authorise response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorisation {
    /// Order.
    pub order_id: OrderId,
    /// `authorised`, or `fully_captured` with auto-capture.
    pub status: OrderStatus,
    /// Deadline to capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_expiry_time: Option<Timestamp>,
    /// Plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<PaymentType>,
    /// Captured on authorise.
    #[serde(default)]
    pub auto_captured: bool,
    /// Authorised amount (note the `z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorized_amount: Option<Money>,
    /// `""` unless auto-captured.
    #[serde(default = "empty_capture")]
    pub capture_id: CaptureId,
}

fn empty_capture() -> CaptureId {
    CaptureId::new("")
}

impl Endpoint for AuthoriseOrder {
    type Response = Authorisation;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        format!(
            "/orders/{}/authorise",
            encode_segment(self.order_id.as_str())
        )
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Authorisation, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /orders/{order_id}/cancel` (row 5): full or partial, before capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelOrder {
    /// Order (path).
    #[serde(skip)]
    pub order_id: OrderId,
    /// Amount to cancel.
    pub total_amount: Money,
    /// Shipping part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    /// Tax part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Discount part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
}

impl CancelOrder {
    /// A cancel of `total_amount`; the optional parts and lines are set with `with_*`.
    pub fn new(order_id: OrderId, total_amount: Money) -> Self {
        CancelOrder {
            order_id,
            total_amount,
            shipping_amount: None,
            tax_amount: None,
            discount_amount: None,
            items: Vec::new(),
        }
    }

    /// Sets `shipping_amount`.
    pub fn with_shipping_amount(mut self, shipping_amount: Money) -> Self {
        self.shipping_amount = Some(shipping_amount);
        self
    }

    /// Sets `tax_amount`.
    pub fn with_tax_amount(mut self, tax_amount: Money) -> Self {
        self.tax_amount = Some(tax_amount);
        self
    }

    /// Sets `discount_amount`.
    pub fn with_discount_amount(mut self, discount_amount: Money) -> Self {
        self.discount_amount = Some(discount_amount);
        self
    }

    /// Sets `items`.
    pub fn with_items(mut self, items: Vec<Item>) -> Self {
        self.items = items;
        self
    }
}

/// Cancel response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cancellation {
    /// Cancel.
    pub cancel_id: CancelId,
    /// Order.
    pub order_id: OrderId,
    /// `canceled` (full) or `updated` (partial).
    pub status: OrderStatus,
    /// This cancel's amount.
    pub canceled_amount: Money,
}

impl Endpoint for CancelOrder {
    type Response = Cancellation;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        format!("/orders/{}/cancel", encode_segment(self.order_id.as_str()))
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Cancellation, ApiError> {
        parse_default(status, body)
    }
}

/// `PUT /orders/{order_id}/reference-id` (row 9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateReferenceId {
    /// Order (path).
    #[serde(skip)]
    pub order_id: OrderId,
    /// New reference.
    pub order_reference_id: OrderReferenceId,
}

/// `{"message": …}` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageResponse {
    /// Message.
    #[serde(default)]
    pub message: String,
}

impl Endpoint for UpdateReferenceId {
    type Response = MessageResponse;
    const METHOD: Method = Method::Put;
    fn path(&self) -> String {
        format!(
            "/orders/{}/reference-id",
            encode_segment(self.order_id.as_str())
        )
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<MessageResponse, ApiError> {
        parse_default(status, body)
    }
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::money::Currency;

    #[test]
    fn cancel_builder() {
        let sar = |m| Money::from_minor(m, Currency::Sar).unwrap();
        let c = CancelOrder::new("o".into(), sar(1000));
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"total_amount": {"amount": 10, "currency": "SAR"}, "items": []})
        );
        let c = c
            .with_shipping_amount(sar(100))
            .with_tax_amount(sar(0))
            .with_discount_amount(sar(0))
            .with_items(vec![Item::new("1", "Shirt", "S", 1, sar(900))]);
        assert_eq!(c.shipping_amount, Some(sar(100)));
        assert_eq!(c.items[0].total_amount, sar(900));
        assert_eq!(c.path(), "/orders/o/cancel");
    }
}
