//! Captures and refunds.

use serde::{Deserialize, Serialize};

use crate::enums::OrderStatus;
use crate::error::ApiError;
use crate::http::{encode_segment, json_body, parse_default, Endpoint, Method};
use crate::ids::{CaptureId, OrderId, RefundId};
use crate::money::Money;
use crate::types::{Item, ShippingInfo};

/// `POST /payments/capture` (row 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// Order.
    pub order_id: OrderId,
    /// Amount to capture.
    pub total_amount: Money,
    /// Shipment (required by Tamara).
    pub shipping_info: ShippingInfo,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Discount part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    /// Shipping part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    /// Tax part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
}

/// Capture response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureResult {
    /// Capture.
    pub capture_id: CaptureId,
    /// Order.
    pub order_id: OrderId,
    /// `fully_captured` or `partially_captured`.
    pub status: OrderStatus,
    /// This capture's amount.
    pub captured_amount: Money,
}

impl Endpoint for Capture {
    type Response = CaptureResult;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/payments/capture".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<CaptureResult, ApiError> {
        parse_default(status, body)
    }
}

/// `POST /payments/simplified-refund/{order_id}` (row 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimplifiedRefund {
    /// Order (path).
    #[serde(skip)]
    pub order_id: OrderId,
    /// Amount to refund.
    pub total_amount: Money,
    /// Reason (required).
    pub comment: String,
    /// The merchant's own refund id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_refund_id: Option<String>,
}

/// Simplified refund response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundResult {
    /// Order.
    pub order_id: OrderId,
    /// Reason.
    #[serde(default)]
    pub comment: String,
    /// Refund.
    pub refund_id: RefundId,
    /// Capture it was booked against.
    pub capture_id: CaptureId,
    /// `partially_refunded` or `fully_refunded`.
    pub status: OrderStatus,
    /// This refund's amount.
    pub refunded_amount: Money,
}

impl Endpoint for SimplifiedRefund {
    type Response = RefundResult;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        format!(
            "/payments/simplified-refund/{}",
            encode_segment(self.order_id.as_str())
        )
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<RefundResult, ApiError> {
        parse_default(status, body)
    }
}

/// One capture-scoped refund of the legacy endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyRefundLine {
    /// Capture to refund from.
    pub capture_id: CaptureId,
    /// Amount.
    pub total_amount: Money,
    /// Lines.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Shipping part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    /// Tax part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Discount part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
}

/// `POST /payments/refund` (row 8, legacy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyRefund {
    /// Order.
    pub order_id: OrderId,
    /// Refunds per capture.
    pub refunds: Vec<LegacyRefundLine>,
}

/// `{capture_id, refund_id}` pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyRefundId {
    /// Capture.
    pub capture_id: CaptureId,
    /// Refund.
    pub refund_id: RefundId,
}

/// Legacy refund response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyRefundResult {
    /// Order.
    pub order_id: OrderId,
    /// Created refunds.
    pub refunds: Vec<LegacyRefundId>,
}

impl Endpoint for LegacyRefund {
    type Response = LegacyRefundResult;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/payments/refund".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<LegacyRefundResult, ApiError> {
        parse_default(status, body)
    }
}
