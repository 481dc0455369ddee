//! Webhooks: management endpoints (rows 18–22) and the notification payloads Tamara posts.
//! Verifying the `tamaraToken` lives in [`crate::token`].

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::enums::{EventType, WebhookType};
use crate::error::ApiError;
use crate::http::{encode_segment, json_body, parse_default, Endpoint, Method};
use crate::ids::{CancelId, CaptureId, MerchantId, OrderId, OrderReferenceId, RefundId, WebhookId};
use crate::money::Money;
use crate::types::{HttpUrl, JsonObject};

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
    /// Headers Tamara adds to each delivery. `[]` reads as none: Tamara's PHP SDK sends an empty
    /// array when no header was added (PHP cannot tell `[]` from `{}`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "headers_map"
    )]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
}

/// Reads webhook `headers`: an object, `null`, or an empty array (none).
pub fn headers_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<std::collections::BTreeMap<String, String>>, D::Error> {
    use serde::de::Error;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Headers {
        Map(std::collections::BTreeMap<String, String>),
        List(Vec<serde_json::Value>),
    }
    match Option::<Headers>::deserialize(d)? {
        None => Ok(None),
        Some(Headers::Map(m)) => Ok(Some(m)),
        Some(Headers::List(l)) if l.is_empty() => Ok(None),
        Some(Headers::List(_)) => Err(D::Error::custom(
            "invalid type: sequence, expected a map of header names to values",
        )),
    }
}

/// The id of the existing registration when Tamara refused a registration with
/// `webhook_already_registered` (its `errors[0].data.webhook_id`, `tamara-api.md` §14.2): the
/// URL is already registered, which counts as success.
pub fn already_registered(e: &crate::ApiError) -> Option<WebhookId> {
    let crate::ApiError::Rejected { body, .. } = e else {
        return None;
    };
    let first = body.errors.first()?;
    if first.error_code.as_str() != "webhook_already_registered"
        && body.message != "webhook_already_registered"
    {
        return None;
    }
    let id = first.data.as_ref()?.get("webhook_id")?.as_str()?;
    (!id.is_empty()).then(|| WebhookId::new(id.to_owned()))
}

fn order_type() -> WebhookType {
    WebhookType::Order
}

/// Longest webhook URL Tamara accepts, in bytes.
pub const WEBHOOK_URL_MAX: usize = 255;

/// Why a webhook registration (or update) is refused. `code()` is the stable error code,
/// `field()` the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookValidationError {
    /// The URL is not https (http only for loopback) or is longer than [`WEBHOOK_URL_MAX`].
    #[error(
        "`url` must be an https URL (http only for 127.0.0.1/localhost) of at most 255 characters"
    )]
    Url,
    /// No events.
    #[error("`events` must name at least one event")]
    NoEvents,
    /// An event Tamara does not send (its name, cut to 64 characters).
    #[error("unknown event `{0}`; one of: {events}", events = known_events())]
    UnknownEvent(String),
    /// A `type` other than `order` or `dispute` (its name, cut to 64 characters).
    #[error("unknown type `{0}`: `type` must be `order` or `dispute`")]
    Type(String),
}

fn known_events() -> String {
    let names: Vec<&str> = EventType::KNOWN.iter().map(EventType::as_str).collect();
    names.join(", ")
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

impl WebhookValidationError {
    /// `invalid_request` (url), `invalid_events` (none or unknown), `invalid_webhook_type`.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookValidationError::Url => "invalid_request",
            WebhookValidationError::NoEvents | WebhookValidationError::UnknownEvent(_) => {
                "invalid_events"
            }
            WebhookValidationError::Type(_) => "invalid_webhook_type",
        }
    }

    /// The offending field: `url`, `events` or `type`.
    pub fn field(&self) -> &'static str {
        match self {
            WebhookValidationError::Url => "url",
            WebhookValidationError::NoEvents | WebhookValidationError::UnknownEvent(_) => "events",
            WebhookValidationError::Type(_) => "type",
        }
    }
}

/// Where webhooks may be sent: an `https` URL to any host, or `http` to a loopback host
/// (`127.0.0.1`, `localhost`, `[::1]`) for local development. No length limit (that is
/// [`check_webhook_url`]'s).
pub fn webhook_url_allowed(url: &str) -> bool {
    HttpUrl::parse(url).is_some_and(|u| u.https || u.is_loopback())
}

/// A webhook URL to register: [`webhook_url_allowed`], at most [`WEBHOOK_URL_MAX`] bytes, and a
/// URI (RFC 3986: printable ASCII only; an IDN host is registered in its `xn--` form).
pub fn check_webhook_url(url: &str) -> Result<(), WebhookValidationError> {
    // A URI is ASCII with no spaces or control characters (an IDN host must be sent in its
    // punycode form): `https://Ï` is not a URL Tamara can call.
    let uri_chars = url.bytes().all(|b| b.is_ascii_graphic());
    if url.len() > WEBHOOK_URL_MAX || !uri_chars || !webhook_url_allowed(url) {
        return Err(WebhookValidationError::Url);
    }
    Ok(())
}

/// At least one event, each one Tamara sends (no `Unknown`).
pub fn check_webhook_events(events: &[EventType]) -> Result<(), WebhookValidationError> {
    if events.is_empty() {
        return Err(WebhookValidationError::NoEvents);
    }
    match events.iter().find(|e| e.is_unknown()) {
        Some(e) => Err(WebhookValidationError::UnknownEvent(cut(e.as_str()))),
        None => Ok(()),
    }
}

/// `order` or `dispute`.
pub fn check_webhook_type(webhook_type: &WebhookType) -> Result<(), WebhookValidationError> {
    if webhook_type.is_unknown() {
        return Err(WebhookValidationError::Type(cut(webhook_type.as_str())));
    }
    Ok(())
}

impl RegisterWebhook {
    /// A registration of type `order`; change it with [`RegisterWebhook::with_type`].
    pub fn new(url: impl Into<String>, events: Vec<EventType>) -> Self {
        RegisterWebhook {
            webhook_type: WebhookType::Order,
            events,
            url: url.into(),
            headers: None,
        }
    }

    /// Sets `type`.
    pub fn with_type(mut self, webhook_type: WebhookType) -> Self {
        self.webhook_type = webhook_type;
        self
    }

    /// Sets `headers`.
    pub fn with_headers(mut self, headers: std::collections::BTreeMap<String, String>) -> Self {
        self.headers = Some(headers);
        self
    }

    /// Checks, in this order, the URL ([`check_webhook_url`]), the events
    /// ([`check_webhook_events`]) and the type ([`check_webhook_type`]).
    pub fn validate(&self) -> Result<(), WebhookValidationError> {
        check_webhook_url(&self.url)?;
        check_webhook_events(&self.events)?;
        check_webhook_type(&self.webhook_type)
    }
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
    /// Extra headers (`[]` reads as none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "headers_map"
    )]
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
    /// Extra headers (`[]` reads as none, see [`headers_map`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "headers_map"
    )]
    pub headers: Option<std::collections::BTreeMap<String, String>>,
    /// `order` or `dispute`, when the caller gave one: kept on the update (not dropped).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub webhook_type: Option<WebhookType>,
}

impl UpdateWebhook {
    /// Checks, in this order, the URL ([`check_webhook_url`]) and the events
    /// ([`check_webhook_events`]).
    pub fn validate(&self) -> Result<(), WebhookValidationError> {
        check_webhook_url(&self.url)?;
        check_webhook_events(&self.events)?;
        self.webhook_type
            .as_ref()
            .map_or(Ok(()), check_webhook_type)
    }
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

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use WebhookValidationError as E;

    fn events() -> Vec<EventType> {
        vec![EventType::OrderApproved, EventType::OrderCaptured]
    }

    #[test]
    fn webhook_urls() {
        for ok in [
            "https://shop.example.com/hook",
            "http://127.0.0.1:8787/tamara/webhook",
            "http://localhost/x?a=1",
            "http://[::1]:8787/",
        ] {
            assert!(webhook_url_allowed(ok), "{ok}");
            assert_eq!(check_webhook_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://shop.example.com/hook",
            "http://127.0.0.1.evil.com/",
            "http://127.0.0.1@evil.com/",
            "ftp://127.0.0.1/",
            "not a url",
            "",
        ] {
            assert!(!webhook_url_allowed(bad), "{bad}");
            assert_eq!(check_webhook_url(bad), Err(E::Url), "{bad}");
        }
        // Not URIs (schemathesis' `format: uri`): non-ASCII, spaces, control characters.
        for bad in [
            "https://\u{cf}",
            "https://shop.example.com/h ook",
            "https://a.com/\x07",
        ] {
            assert_eq!(check_webhook_url(bad), Err(E::Url), "{bad}");
        }
        let at_max = format!("https://a.com/{}", "x".repeat(WEBHOOK_URL_MAX - 14));
        assert_eq!(at_max.len(), WEBHOOK_URL_MAX);
        assert_eq!(check_webhook_url(&at_max), Ok(()));
        let over = format!("{at_max}x");
        assert!(webhook_url_allowed(&over));
        let e = check_webhook_url(&over).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_request", "url"));
    }

    #[test]
    fn webhook_events_and_type() {
        assert_eq!(check_webhook_events(&events()), Ok(()));
        let e = check_webhook_events(&[]).unwrap_err();
        assert_eq!(e, E::NoEvents);
        assert_eq!((e.code(), e.field()), ("invalid_events", "events"));
        let e =
            check_webhook_events(&[EventType::OrderApproved, EventType::parse("order_exploded")])
                .unwrap_err();
        assert_eq!(e, E::UnknownEvent("order_exploded".into()));
        assert_eq!(e.code(), "invalid_events");
        let msg = e.to_string();
        assert!(
            msg.starts_with("unknown event `order_exploded`; one of: "),
            "{msg}"
        );
        assert!(
            msg.contains("order_approved") && msg.contains("order_expired"),
            "{msg}"
        );
        // A huge name is cut in the message.
        let long = EventType::parse(&"e".repeat(500));
        let E::UnknownEvent(name) = check_webhook_events(&[long]).unwrap_err() else {
            panic!()
        };
        assert_eq!(name.len(), 64);

        assert_eq!(check_webhook_type(&WebhookType::Order), Ok(()));
        assert_eq!(check_webhook_type(&WebhookType::Dispute), Ok(()));
        let e = check_webhook_type(&WebhookType::parse("refunds")).unwrap_err();
        assert_eq!(e, E::Type("refunds".into()));
        assert_eq!((e.code(), e.field()), ("invalid_webhook_type", "type"));
    }

    #[test]
    fn register_and_update_validate_in_order() {
        let r = RegisterWebhook::new("https://shop.example.com/hook", events());
        assert_eq!(r.webhook_type, WebhookType::Order);
        assert_eq!(r.validate(), Ok(()));
        let r = r
            .with_type(WebhookType::Dispute)
            .with_headers([("X-Shop".to_owned(), "1".to_owned())].into());
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"type": "dispute", "events": ["order_approved", "order_captured"],
                "url": "https://shop.example.com/hook", "headers": {"X-Shop": "1"}})
        );
        // Every field bad: the URL is reported first, then the events, then the type.
        let mut bad = RegisterWebhook::new("http://shop.example.com/", vec![])
            .with_type(WebhookType::parse("refunds"));
        assert_eq!(bad.validate(), Err(E::Url));
        bad.url = "https://shop.example.com/".into();
        assert_eq!(bad.validate(), Err(E::NoEvents));
        bad.events = events();
        assert_eq!(bad.validate(), Err(E::Type("refunds".into())));

        let mut u = UpdateWebhook {
            webhook_id: WebhookId::new("w"),
            url: "http://127.0.0.1:1/x".into(),
            events: vec![EventType::OrderExpired],
            headers: None,
            webhook_type: None,
        };
        assert_eq!(u.validate(), Ok(()));
        u.events.clear();
        assert_eq!(u.validate(), Err(E::NoEvents));
        u.url = "https://a.com/".repeat(30);
        assert_eq!(u.validate(), Err(E::Url));
    }

    #[test]
    fn empty_header_array_is_no_headers_and_already_registered_is_read() {
        let r: RegisterWebhook = serde_json::from_str(
            r#"{"url":"https://a.example/w","events":["order_approved"],"headers":[]}"#,
        )
        .unwrap();
        assert_eq!(r.headers, None);
        assert!(serde_json::from_str::<RegisterWebhook>(
            r#"{"url":"https://a.example/w","events":["order_approved"],"headers":["x"]}"#,
        )
        .is_err());
        let u: UpdateWebhook = serde_json::from_str(
            r#"{"webhook_id":"w","url":"https://a.example/w","events":["order_approved"],"headers":[],"type":"order"}"#,
        )
        .unwrap();
        assert_eq!(u.headers, None);
        assert_eq!(u.webhook_type, Some(WebhookType::Order));
        assert_eq!(
            check_webhook_url("https://\u{cf}"),
            Err(WebhookValidationError::Url)
        );
        assert_eq!(
            check_webhook_url("https://a b.example/"),
            Err(WebhookValidationError::Url)
        );
        assert_eq!(check_webhook_url("https://xn--9ca.example/w"), Ok(()));
        let body = br#"{"message":"webhook_already_registered","errors":[{"error_code":"webhook_already_registered","data":{"webhook_id":"w-1","url":"https://a.example/w"}}]}"#;
        let e = ApiError::from_response(400, body);
        assert_eq!(already_registered(&e), Some(WebhookId::new("w-1")));
        assert_eq!(
            already_registered(&ApiError::from_response(400, br#"{"message":"x"}"#)),
            None
        );
    }
}
