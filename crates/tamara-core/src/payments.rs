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

impl Capture {
    /// A capture of `total_amount` with its shipment; the optional parts are set with `with_*`.
    pub fn new(order_id: OrderId, total_amount: Money, shipping_info: ShippingInfo) -> Self {
        Capture {
            order_id,
            total_amount,
            shipping_info,
            items: Vec::new(),
            discount_amount: None,
            shipping_amount: None,
            tax_amount: None,
        }
    }

    /// Sets `items`.
    pub fn with_items(mut self, items: Vec<Item>) -> Self {
        self.items = items;
        self
    }

    /// Sets `discount_amount`.
    pub fn with_discount_amount(mut self, discount_amount: Money) -> Self {
        self.discount_amount = Some(discount_amount);
        self
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

impl SimplifiedRefund {
    /// A refund of `total_amount` with its reason.
    pub fn new(order_id: OrderId, total_amount: Money, comment: impl Into<String>) -> Self {
        SimplifiedRefund {
            order_id,
            total_amount,
            comment: comment.into(),
            merchant_refund_id: None,
        }
    }

    /// Sets `merchant_refund_id`.
    pub fn with_merchant_refund_id(mut self, merchant_refund_id: impl Into<String>) -> Self {
        self.merchant_refund_id = Some(merchant_refund_id.into());
        self
    }
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

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::money::Currency;

    fn sar(minor: u64) -> Money {
        Money::from_minor(minor, Currency::Sar).unwrap()
    }

    #[test]
    fn builders() {
        let c = Capture::new(
            "o".into(),
            sar(1000),
            ShippingInfo::new("2024-01-01T00:00:00Z", "DHL"),
        );
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"order_id": "o", "total_amount": {"amount": 10, "currency": "SAR"},
                "shipping_info": {"shipped_at": "2024-01-01T00:00:00Z", "shipping_company": "DHL"},
                "items": []})
        );
        let c = c
            .with_items(vec![Item::new("1", "Shirt", "S", 1, sar(1000))])
            .with_shipping_amount(sar(0))
            .with_tax_amount(sar(150))
            .with_discount_amount(sar(0));
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.tax_amount, Some(sar(150)));
        let r =
            SimplifiedRefund::new("o".into(), sar(500), "damaged").with_merchant_refund_id("R1");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"total_amount": {"amount": 5, "currency": "SAR"},
                "comment": "damaged", "merchant_refund_id": "R1"})
        );
        assert_eq!(r.path(), "/payments/simplified-refund/o");
    }
}
