//! Webhooks: management endpoints (rows 18–22) and the notification payloads Tamara posts.
//! Verifying the `tamaraToken` lives in [`crate::token`].

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::enums::{EventType, WebhookType};
use crate::error::ApiError;
use crate::http::{encode_segment, json_body, parse_default, Endpoint, Method};
use crate::ids::{CancelId, CaptureId, MerchantId, OrderId, OrderReferenceId, RefundId, WebhookId};
use crate::money::Money;
use crate::types::JsonObject;

/// `POST /webhooks` (row 18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterWebhook {
    /// `order` or `dispute`.
    #[serde(rename = "type", default = "order_type")]
    pub webhook_type: WebhookType,
    /// Subscribed events.
    pub events: Vec<EventType>,
    /// https URL, ≤ 255 characters.
    pub url: String,
    /// Headers Tamara adds to each delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
}

fn order_type() -> WebhookType {
    WebhookType::Order
}

/// A registered webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// Id.
    pub webhook_id: WebhookId,
    /// Merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_id: Option<MerchantId>,
    /// Type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub webhook_type: Option<WebhookType>,
    /// URL.
    #[serde(default)]
    pub url: String,
    /// Events.
    #[serde(default)]
    pub events: Vec<EventType>,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
}

impl Endpoint for RegisterWebhook {
    type Response = Webhook;
    const METHOD: Method = Method::Post;
    fn path(&self) -> String {
        "/webhooks".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Webhook, ApiError> {
        parse_default(status, body)
    }
}

/// `GET /webhooks/{webhook_id}` (row 19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveWebhook {
    /// Id.
    pub webhook_id: WebhookId,
}

impl Endpoint for RetrieveWebhook {
    type Response = Webhook;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        format!("/webhooks/{}", encode_segment(self.webhook_id.as_str()))
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Webhook, ApiError> {
        parse_default(status, body)
    }
}

/// `PUT /webhooks/{webhook_id}` (row 20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateWebhook {
    /// Id (path and body).
    pub webhook_id: WebhookId,
    /// URL.
    pub url: String,
    /// Events.
    pub events: Vec<EventType>,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
}

impl Endpoint for UpdateWebhook {
    type Response = Webhook;
    const METHOD: Method = Method::Put;
    fn path(&self) -> String {
        format!("/webhooks/{}", encode_segment(self.webhook_id.as_str()))
    }
    fn body(&self) -> Option<Vec<u8>> {
        json_body(self)
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<Webhook, ApiError> {
        parse_default(status, body)
    }
}

/// `DELETE /webhooks/{webhook_id}` (row 21): 200, body ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteWebhook {
    /// Id.
    pub webhook_id: WebhookId,
}

impl Endpoint for DeleteWebhook {
    type Response = ();
    const METHOD: Method = Method::Delete;
    fn path(&self) -> String {
        format!("/webhooks/{}", encode_segment(self.webhook_id.as_str()))
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(_status: u16, _body: &[u8]) -> Result<(), ApiError> {
        Ok(())
    }
}

/// `GET /webhooks` (row 22; path inferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListWebhooks;

/// The registered webhooks. Accepts a top-level array or `{"data": [...]}` / `{"webhooks": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebhookList(pub Vec<Webhook>);

impl Serialize for WebhookList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for WebhookList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            List(Vec<Webhook>),
            Data { data: Vec<Webhook> },
            Webhooks { webhooks: Vec<Webhook> },
        }
        Ok(WebhookList(match Shape::deserialize(d)? {
            Shape::List(v) | Shape::Data { data: v } | Shape::Webhooks { webhooks: v } => v,
        }))
    }
}

impl Endpoint for ListWebhooks {
    type Response = WebhookList;
    const METHOD: Method = Method::Get;
    fn path(&self) -> String {
        "/webhooks".to_owned()
    }
    fn body(&self) -> Option<Vec<u8>> {
        None
    }
    fn parse_success(status: u16, body: &[u8]) -> Result<WebhookList, ApiError> {
        parse_default(status, body)
    }
}

/// `data` of a notification, by event type. Tamara sends `[]` when there is nothing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `[]` (approved, authorised, expired).
    Empty,
    /// `order_declined`.
    Declined {
        /// Reason text.
        declined_reason: Option<String>,
        /// Code.
        declined_code: Option<String>,
        /// Type.
        decline_type: Option<String>,
    },
    /// `order_canceled` / `order_updated`.
    Canceled {
        /// Cancel.
        cancel_id: Option<CancelId>,
        /// Amount.
        canceled_amount: Option<Money>,
    },
    /// `order_captured`.
    Captured {
        /// Capture.
        capture_id: CaptureId,
        /// Amount.
        captured_amount: Money,
    },
    /// `order_refunded`.
    Refunded {
        /// Refund.
        refund_id: RefundId,
        /// Capture.
        capture_id: Option<CaptureId>,
        /// Amount.
        refunded_amount: Money,
        /// Reason.
        comment: Option<String>,
    },
    /// Anything else, kept verbatim.
    Other(JsonObject),
}

/// A notification as posted to webhook URLs and `merchant_url.notification`.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookPayload {
    /// Order.
    pub order_id: OrderId,
    /// Merchant reference.
    pub order_reference_id: OrderReferenceId,
    /// Merchant number.
    pub order_number: Option<String>,
    /// What happened.
    pub event_type: EventType,
    /// Event details.
    pub data: EventData,
}

#[derive(Serialize)]
struct RawPayload {
    order_id: OrderId,
    #[serde(default)]
    order_reference_id: OrderReferenceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_number: Option<String>,
    event_type: EventType,
    #[serde(default)]
    data: serde_json::Value,
}

/// `data` as received: `[]`, `{}`, `null` or a non-empty object. Anything else fails at `data`.
enum RawData {
    Empty,
    Object(JsonObject),
}

impl<'de> Deserialize<'de> for RawData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Null => Ok(RawData::Empty),
            serde_json::Value::Array(a) if a.is_empty() => Ok(RawData::Empty),
            serde_json::Value::Object(o) if o.is_empty() => Ok(RawData::Empty),
            serde_json::Value::Object(o) => Ok(RawData::Object(o)),
            other => Err(de::Error::custom(format!(
                "expected [] or an object, got {other}"
            ))),
        }
    }
}

/// The incoming shape; `data` is decoded by event type afterwards.
#[derive(Deserialize)]
struct RawIn {
    order_id: OrderId,
    #[serde(default)]
    order_reference_id: OrderReferenceId,
    #[serde(default)]
    order_number: Option<String>,
    event_type: EventType,
    #[serde(default = "raw_empty")]
    data: RawData,
}

fn raw_empty() -> RawData {
    RawData::Empty
}

/// A failure inside `data`: the path below `data` and serde's message.
struct DataError {
    path: String,
    message: String,
}

impl DataError {
    /// The full JSON path (`data`, `data.captured_amount`).
    fn full_path(&self) -> String {
        if self.path.is_empty() || self.path == "." {
            "data".to_owned()
        } else {
            format!("data.{}", self.path)
        }
    }
}

fn from_obj<T: serde::de::DeserializeOwned>(o: JsonObject) -> Result<T, DataError> {
    crate::json_path::from_value(serde_json::Value::Object(o)).map_err(|e| DataError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

fn decode_data(event_type: &EventType, data: RawData) -> Result<EventData, DataError> {
    #[derive(Deserialize)]
    struct Dec {
        declined_reason: Option<String>,
        declined_code: Option<String>,
        decline_type: Option<String>,
    }
    #[derive(Deserialize)]
    struct Can {
        cancel_id: Option<CancelId>,
        canceled_amount: Option<Money>,
    }
    #[derive(Deserialize)]
    struct Cap {
        capture_id: CaptureId,
        captured_amount: Money,
    }
    #[derive(Deserialize)]
    struct Ref {
        refund_id: RefundId,
        capture_id: Option<CaptureId>,
        refunded_amount: Money,
        comment: Option<String>,
    }
    let o = match data {
        RawData::Empty => return Ok(EventData::Empty),
        RawData::Object(o) => o,
    };
    Ok(match event_type {
        EventType::OrderDeclined => {
            let x: Dec = from_obj(o)?;
            EventData::Declined {
                declined_reason: x.declined_reason,
                declined_code: x.declined_code,
                decline_type: x.decline_type,
            }
        }
        EventType::OrderCanceled | EventType::OrderUpdated => {
            let x: Can = from_obj(o)?;
            EventData::Canceled {
                cancel_id: x.cancel_id,
                canceled_amount: x.canceled_amount,
            }
        }
        EventType::OrderCaptured => {
            let x: Cap = from_obj(o)?;
            EventData::Captured {
                capture_id: x.capture_id,
                captured_amount: x.captured_amount,
            }
        }
        EventType::OrderRefunded => {
            let x: Ref = from_obj(o)?;
            EventData::Refunded {
                refund_id: x.refund_id,
                capture_id: x.capture_id,
                refunded_amount: x.refunded_amount,
                comment: x.comment,
            }
        }
        _ => EventData::Other(o),
    })
}

impl<'de> Deserialize<'de> for WebhookPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawIn::deserialize(d)?;
        let data = decode_data(&raw.event_type, raw.data)
            .map_err(|e| de::Error::custom(format!("{}: {}", e.full_path(), e.message)))?;
        Ok(WebhookPayload {
            order_id: raw.order_id,
            order_reference_id: raw.order_reference_id,
            order_number: raw.order_number,
            event_type: raw.event_type,
            data,
        })
    }
}

impl Serialize for WebhookPayload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde_json::json;
        let data = match &self.data {
            EventData::Empty => json!([]),
            EventData::Declined {
                declined_reason,
                declined_code,
                decline_type,
            } => {
                json!({"declined_reason": declined_reason, "declined_code": declined_code, "decline_type": decline_type})
            }
            EventData::Canceled {
                cancel_id,
                canceled_amount,
            } => json!({"cancel_id": cancel_id, "canceled_amount": canceled_amount}),
            EventData::Captured {
                capture_id,
                captured_amount,
            } => json!({"capture_id": capture_id, "captured_amount": captured_amount}),
            EventData::Refunded {
                refund_id,
                capture_id,
                refunded_amount,
                comment,
            } => {
                json!({"refund_id": refund_id, "capture_id": capture_id, "refunded_amount": refunded_amount, "comment": comment})
            }
            EventData::Other(o) => serde_json::Value::Object(o.clone()),
        };
        RawPayload {
            order_id: self.order_id.clone(),
            order_reference_id: self.order_reference_id.clone(),
            order_number: self.order_number.clone(),
            event_type: self.event_type.clone(),
            data,
        }
        .serialize(s)
    }
}

impl WebhookPayload {
    /// Parses a notification body, keeping the JSON path on failure.
    ///
    /// A failure inside `data` reports the full path (`data.captured_amount`), which a plain
    /// `serde_json::from_slice` cannot do because `data` is decoded after `event_type` is known.
    pub fn parse(body: &[u8]) -> Result<WebhookPayload, ApiError> {
        let raw: RawIn = crate::error::parse_json(200, body)?;
        let data = decode_data(&raw.event_type, raw.data).map_err(|e| ApiError::Parse {
            status: 200,
            path: e.full_path(),
            message: e.message,
            raw: crate::error::truncate_raw(body),
        })?;
        Ok(WebhookPayload {
            order_id: raw.order_id,
            order_reference_id: raw.order_reference_id,
            order_number: raw.order_number,
            event_type: raw.event_type,
            data,
        })
    }
}
