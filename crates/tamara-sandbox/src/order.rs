//! A stored order: the original request, the lifecycle state from `tamara_core::lifecycle`, the
//! transactions (captures, cancels, refunds) and how transitions turn into webhook payloads.

use serde::{Deserialize, Serialize};
use tamara_core::checkout::{CreateCheckout, CreateInStoreQr, CreateInStoreSession};
use tamara_core::ids::{CancelId, CaptureId, CheckoutId, MerchantId, OrderId, RefundId};
use tamara_core::lifecycle::{self, Channel, Effect, Event, OrderState, Outcome, TransitionError};
use tamara_core::money::Money;
use tamara_core::orders::{
    Authorisation, CancelRecord, CaptureRecord, OrderDetails, RefundRecord, Transactions,
};
use tamara_core::types::{Consumer, Discount, Item, JsonObject, MerchantUrl, ShippingInfo};
use tamara_core::webhooks::{EventData, WebhookPayload};
use tamara_core::{
    Country, EventType, Locale, OrderReferenceId, OrderStatus, PaymentType, Phone, Timestamp,
};

/// The request an order was created from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "request", rename_all = "snake_case")]
pub enum OrderRequest {
    /// `POST /checkout`.
    Online(Box<CreateCheckout>),
    /// `POST /checkout/in-store-session` (SMS link).
    InStore(Box<CreateInStoreSession>),
    /// `POST /checkout/in-store` (QR code).
    InStoreQr(Box<CreateInStoreQr>),
}

/// Why an order was declined (`order_declined` data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineInfo {
    /// Human reason.
    pub declined_reason: String,
    /// Code.
    pub declined_code: String,
    /// `hard` / `soft`.
    pub decline_type: String,
}

impl DeclineInfo {
    /// Declined by the documented decline phone (risk check).
    pub fn risk() -> Self {
        DeclineInfo {
            declined_reason: "The customer is not eligible to pay with Tamara".to_owned(),
            declined_code: "risk_check_failed".to_owned(),
            decline_type: "hard".to_owned(),
        }
    }
    /// The shopper pressed "decline".
    pub fn by_customer() -> Self {
        DeclineInfo {
            declined_reason: "The customer rejected the payment plan".to_owned(),
            declined_code: "customer_rejected".to_owned(),
            decline_type: "soft".to_owned(),
        }
    }
}

/// One order as the sandbox keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOrder {
    /// Order id.
    pub order_id: OrderId,
    /// Checkout session id.
    pub checkout_id: CheckoutId,
    /// Creation sequence (list order).
    pub seq: u64,
    /// Merchant reference (updatable).
    pub order_reference_id: OrderReferenceId,
    /// Market.
    pub country: Country,
    /// The original request.
    pub request: OrderRequest,
    /// Lifecycle state.
    pub state: OrderState,
    /// Captures, cancels, refunds.
    pub transactions: Transactions,
    /// Authorise answer, replayed for repeated authorise calls.
    pub authorisation: Option<Authorisation>,
    /// Decline details.
    pub decline: Option<DeclineInfo>,
    /// Last status change.
    pub updated_at: Timestamp,
}

/// Extra data a merchant call brings to the transaction records.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// Capture shipment.
    pub shipping_info: Option<ShippingInfo>,
    /// Lines of the capture / cancel / refund.
    pub items: Vec<Item>,
    /// Shipping part.
    pub shipping_amount: Option<Money>,
    /// Tax part.
    pub tax_amount: Option<Money>,
    /// Discount part.
    pub discount_amount: Option<Money>,
    /// Refund comment.
    pub comment: Option<String>,
    /// Capture to book a refund against (legacy refund).
    pub refund_capture: Option<CaptureId>,
    /// Decline details.
    pub decline: Option<DeclineInfo>,
}

/// Ids created by one transition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The event changed the order.
    pub changed: bool,
    /// Captures created.
    pub capture_ids: Vec<CaptureId>,
    /// Cancel created.
    pub cancel_id: Option<CancelId>,
    /// Refund created, with the capture it was booked against.
    pub refund: Option<(RefundId, CaptureId)>,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl OrderRequest {
    /// The merchant's order reference.
    pub fn order_reference_id(&self) -> &OrderReferenceId {
        match self {
            OrderRequest::Online(r) => &r.order_reference_id,
            OrderRequest::InStore(r) => &r.order_reference_id,
            OrderRequest::InStoreQr(r) => &r.order_reference_id,
        }
    }
}

impl StoredOrder {
    /// A new order created from `request` (at `state.created_at`), without transactions yet.
    pub fn new(
        order_id: OrderId,
        checkout_id: CheckoutId,
        seq: u64,
        country: Country,
        state: OrderState,
        request: OrderRequest,
    ) -> Self {
        StoredOrder {
            order_id,
            checkout_id,
            seq,
            order_reference_id: request.order_reference_id().clone(),
            country,
            updated_at: state.created_at,
            state,
            request,
            transactions: Transactions::default(),
            authorisation: None,
            decline: None,
        }
    }

    /// Channel.
    pub fn channel(&self) -> Channel {
        self.state.channel
    }

    /// Merchant order number (falls back to the reference).
    pub fn order_number(&self) -> Option<String> {
        let n = match &self.request {
            OrderRequest::Online(r) => r.order_number.clone(),
            OrderRequest::InStore(r) => r.order_number.clone(),
            OrderRequest::InStoreQr(r) => r.order_number.clone(),
        };
        n.or_else(|| Some(self.order_reference_id.to_string()))
    }

    /// Redirect and notification URLs (online orders only).
    pub fn merchant_url(&self) -> Option<&MerchantUrl> {
        match &self.request {
            OrderRequest::Online(r) => Some(&r.merchant_url),
            _ => None,
        }
    }

    /// Checkout language.
    pub fn locale(&self) -> Option<Locale> {
        match &self.request {
            OrderRequest::Online(r) => r.locale.clone(),
            OrderRequest::InStore(r) => r.locale.clone(),
            OrderRequest::InStoreQr(r) => r.locale.clone(),
        }
    }

    /// Items.
    pub fn items(&self) -> &[Item] {
        match &self.request {
            OrderRequest::Online(r) => &r.items,
            OrderRequest::InStore(r) => &r.items,
            OrderRequest::InStoreQr(_) => &[],
        }
    }

    /// The shopper's phone as sent (online: consumer; in-store: the SMS phone).
    pub fn phone(&self) -> Option<&str> {
        match &self.request {
            OrderRequest::Online(r) => Some(&r.consumer.phone_number),
            OrderRequest::InStore(r) => Some(&r.phone_number),
            OrderRequest::InStoreQr(_) => None,
        }
    }

    /// Payment type and instalment count.
    pub fn plan(&self) -> (PaymentType, Option<u32>) {
        let (pt, n) = match &self.request {
            OrderRequest::Online(r) => (r.payment_type.clone(), r.instalments),
            OrderRequest::InStore(r) => (r.payment_type.clone(), None),
            OrderRequest::InStoreQr(_) => (None, None),
        };
        let pt = pt.unwrap_or(PaymentType::PayByInstalments);
        let n = match pt {
            PaymentType::PayByInstalments => Some(n.unwrap_or(3)),
            _ => None,
        };
        (pt, n)
    }

    /// What the shopper paid so far: the first instalment (or all for PAY_NOW) once paid.
    pub fn paid_amount(&self) -> Money {
        let total = self.state.total;
        if !self.state.status.is_paid() {
            return Money::zero(total.currency());
        }
        match self.plan() {
            (PaymentType::PayByInstalments, Some(n)) if n > 1 => total
                .split(n)
                .first()
                .copied()
                .unwrap_or(Money::zero(total.currency())),
            _ => total,
        }
    }

    /// The full `GET /merchants/orders/{id}` body.
    pub fn details(&self) -> OrderDetails {
        let cur = self.state.total.currency();
        let zero = Money::zero(cur);
        let intl = |p: &str| {
            Phone::parse(p, self.country)
                .map(|p| p.international())
                .unwrap_or_else(|_| p.to_owned())
        };
        let no_discount = || Discount {
            name: String::new(),
            amount: zero,
        };
        // In-store orders have no description, addresses or amount breakdown.
        let in_store = |consumer: Option<Consumer>, extra: Option<JsonObject>| {
            (consumer, None, None, None, zero, zero, no_discount(), extra)
        };
        let (consumer, description, shipping, billing, ship_amt, tax_amt, discount, extra) =
            match &self.request {
                OrderRequest::Online(r) => (
                    Some(Consumer {
                        phone_number: intl(&r.consumer.phone_number),
                        ..r.consumer.clone()
                    }),
                    Some(r.description.clone()),
                    Some(r.shipping_address.clone()),
                    r.billing_address.clone(),
                    r.shipping_amount,
                    r.tax_amount,
                    r.discount.clone().unwrap_or_else(no_discount),
                    r.additional_data.clone().map(|o| o.0),
                ),
                OrderRequest::InStore(r) => in_store(
                    Some(
                        Consumer::new("", "", intl(&r.phone_number))
                            .with_email(r.email.clone().unwrap_or_default()),
                    ),
                    r.additional_data.clone().map(|o| o.0),
                ),
                OrderRequest::InStoreQr(r) => {
                    in_store(None, r.additional_data.clone().map(|o| o.0))
                }
            };
        let mut additional: JsonObject = extra.unwrap_or_default();
        let store_code = additional
            .get("store_code")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let single = matches!(&self.request, OrderRequest::Online(r) if r.payment_type.is_none());
        additional
            .entry("single_checkout")
            .or_insert(serde_json::Value::Bool(single));
        additional.insert(
            "from_in_store_payment_link".to_owned(),
            serde_json::Value::Bool(matches!(self.request, OrderRequest::InStore(_))),
        );
        let (pt, n) = self.plan();
        OrderDetails {
            order_id: self.order_id.clone(),
            order_reference_id: self.order_reference_id.clone(),
            order_number: self.order_number(),
            description,
            consumer,
            status: self.state.status.clone(),
            shipping_address: shipping,
            billing_address: billing,
            items: self.items().to_vec(),
            payment_type: Some(pt),
            instalments: n,
            total_amount: self.state.total,
            shipping_amount: Some(ship_amt),
            tax_amount: Some(tax_amt),
            discount_amount: Some(discount),
            captured_amount: Some(self.state.captured),
            refunded_amount: Some(self.state.refunded),
            canceled_amount: Some(self.state.canceled),
            paid_amount: Some(self.paid_amount()),
            wallet_prepaid_amount: Some(zero),
            settlement_status: Some(String::new()),
            settlement_date: None,
            created_at: Some(self.state.created_at),
            transactions: self.transactions.clone(),
            processing: Some(false),
            store_code,
            additional_data: Some(additional),
        }
    }

    /// Applies `event` at `now` and records transactions; returns the ids and the webhooks to
    /// send.
    pub fn apply(
        &mut self,
        event: &Event,
        ctx: Ctx,
        now: Timestamp,
        merchant: &MerchantId,
    ) -> Result<(Applied, Vec<WebhookPayload>), TransitionError> {
        let out = lifecycle::apply(&self.state, event, now)?;
        Ok(self.record(out, ctx, now, merchant))
    }

    /// Runs every due timer at `now`.
    pub fn tick(&mut self, now: Timestamp, merchant: &MerchantId) -> Vec<WebhookPayload> {
        let out = lifecycle::run_timers(&self.state, now);
        if !out.changed {
            return Vec::new();
        }
        self.record(out, Ctx::default(), now, merchant).1
    }

    fn payload(&self, event_type: EventType, data: EventData) -> WebhookPayload {
        WebhookPayload {
            order_id: self.order_id.clone(),
            order_reference_id: self.order_reference_id.clone(),
            order_number: self.order_number(),
            event_type,
            data,
        }
    }

    fn record(
        &mut self,
        out: Outcome,
        mut ctx: Ctx,
        now: Timestamp,
        merchant: &MerchantId,
    ) -> (Applied, Vec<WebhookPayload>) {
        let mut applied = Applied {
            changed: out.changed,
            ..Applied::default()
        };
        if !out.changed {
            return (applied, Vec::new());
        }
        self.state = out.order;
        self.updated_at = now;
        let mut payloads = Vec::new();
        for effect in out.effects {
            let Effect::Notify { event, amount } = effect;
            let data = match (&event, amount) {
                (EventType::OrderCaptured, Some(a)) => {
                    let id = CaptureId::new(new_id());
                    self.transactions.captures.push(CaptureRecord {
                        capture_id: id.clone(),
                        order_id: self.order_id.clone(),
                        merchant_id: Some(merchant.clone()),
                        total_amount: a,
                        refunded_amount: Some(Money::zero(a.currency())),
                        shipping_amount: ctx.shipping_amount.take(),
                        tax_amount: ctx.tax_amount.take(),
                        discount_amount: ctx.discount_amount.take(),
                        shipping_info: ctx.shipping_info.take(),
                        items: std::mem::take(&mut ctx.items),
                        created_at: Some(now),
                    });
                    applied.capture_ids.push(id.clone());
                    EventData::Captured {
                        capture_id: id,
                        captured_amount: a,
                    }
                }
                (EventType::OrderCanceled | EventType::OrderUpdated, Some(a)) => {
                    let id = CancelId::new(new_id());
                    self.transactions.cancels.push(CancelRecord {
                        cancel_id: id.clone(),
                        order_id: self.order_id.clone(),
                        total_amount: a,
                        items: std::mem::take(&mut ctx.items),
                        created_at: Some(now),
                    });
                    applied.cancel_id = Some(id.clone());
                    EventData::Canceled {
                        cancel_id: Some(id),
                        canceled_amount: Some(a),
                    }
                }
                (EventType::OrderRefunded, Some(a)) => {
                    let id = RefundId::new(new_id());
                    let capture = self.book_refund(a, ctx.refund_capture.take());
                    self.transactions.refunds.push(RefundRecord {
                        refund_id: id.clone(),
                        capture_id: capture.clone(),
                        total_amount: a,
                        items: std::mem::take(&mut ctx.items),
                        created_at: Some(now),
                    });
                    applied.refund = Some((id.clone(), capture.clone()));
                    EventData::Refunded {
                        refund_id: id,
                        capture_id: Some(capture),
                        refunded_amount: a,
                        comment: ctx.comment.clone(),
                    }
                }
                (EventType::OrderDeclined, _) => {
                    let d = ctx
                        .decline
                        .take()
                        .or_else(|| self.decline.clone())
                        .unwrap_or_else(DeclineInfo::risk);
                    self.decline = Some(d.clone());
                    EventData::Declined {
                        declined_reason: Some(d.declined_reason),
                        declined_code: Some(d.declined_code),
                        decline_type: Some(d.decline_type),
                    }
                }
                _ => EventData::Empty,
            };
            payloads.push(self.payload(event, data));
        }
        (applied, payloads)
    }

    /// Books `amount` against captures (the preferred one first, then oldest first); returns the
    /// first capture touched.
    fn book_refund(&mut self, amount: Money, preferred: Option<CaptureId>) -> CaptureId {
        let caps = &mut self.transactions.captures;
        if let Some(p) = &preferred {
            if let Some(i) = caps.iter().position(|c| &c.capture_id == p) {
                let c = caps.remove(i);
                caps.insert(0, c);
            }
        }
        let mut left = amount;
        let mut first: Option<CaptureId> = None;
        for c in caps.iter_mut() {
            if left.is_zero() {
                break;
            }
            let refunded = c.refunded_amount.unwrap_or(Money::zero(amount.currency()));
            let room = c
                .total_amount
                .checked_sub(refunded)
                .unwrap_or(Money::zero(amount.currency()));
            if room.is_zero() {
                continue;
            }
            let take = if room.minor() < left.minor() {
                room
            } else {
                left
            };
            c.refunded_amount = refunded.checked_add(take).ok();
            left = left
                .checked_sub(take)
                .unwrap_or(Money::zero(amount.currency()));
            first.get_or_insert_with(|| c.capture_id.clone());
        }
        if preferred.is_some() {
            // Keep the list chronological.
            caps.sort_by_key(|c| c.created_at);
        }
        first.unwrap_or_else(|| CaptureId::new(""))
    }

    /// Refundable amount left on one capture.
    pub fn capture_refundable(&self, id: &CaptureId) -> Option<Money> {
        self.transactions
            .captures
            .iter()
            .find(|c| &c.capture_id == id)
            .map(|c| {
                c.total_amount
                    .checked_sub(
                        c.refunded_amount
                            .unwrap_or(Money::zero(c.total_amount.currency())),
                    )
                    .unwrap_or(Money::zero(c.total_amount.currency()))
            })
    }

    /// The authorise answer for the current state.
    pub fn authorisation_body(&self, auto_captured: bool) -> Authorisation {
        let capture_id = if auto_captured {
            self.transactions
                .captures
                .first()
                .map(|c| c.capture_id.clone())
                .unwrap_or_default()
        } else {
            CaptureId::new("")
        };
        Authorisation {
            order_id: self.order_id.clone(),
            status: self.state.status.clone(),
            order_expiry_time: self.state.auto_capture_at(),
            payment_type: Some(self.plan().0),
            auto_captured,
            authorized_amount: self.state.total.checked_sub(self.state.canceled).ok(),
            capture_id,
        }
    }

    /// True while the hosted page / payment link can still be used.
    pub fn is_open(&self) -> bool {
        self.state.status == OrderStatus::New
    }
}

/// A minimal in-store request (reference `R1`, phone `0544337866`) for unit tests.
#[cfg(test)]
pub(crate) fn sample_in_store(total: Money) -> CreateInStoreSession {
    CreateInStoreSession::new("R1".into(), total, "0544337866", vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::money::Currency;

    fn sar(minor: u64) -> Money {
        Money::from_minor(minor, Currency::Sar).unwrap()
    }

    fn order() -> StoredOrder {
        let req = sample_in_store(sar(30000));
        let now = Timestamp::from_secs(1_700_000_000);
        StoredOrder::new(
            OrderId::new("o1"),
            CheckoutId::new("c1"),
            1,
            Country::Sa,
            OrderState::new_in_store(sar(30000), now, None),
            OrderRequest::InStore(Box::new(req)),
        )
    }

    #[test]
    fn pay_then_refunds_book_against_the_capture() {
        let mut o = order();
        let now = o.state.created_at;
        let m = MerchantId::new("m");
        let (a, p) = o
            .apply(&Event::PayInStore, Ctx::default(), now, &m)
            .unwrap();
        assert_eq!(a.capture_ids.len(), 1);
        assert_eq!(p[0].event_type, EventType::OrderCaptured);
        for amt in [1000, 2000] {
            let (a, p) = o
                .apply(
                    &Event::Refund { amount: sar(amt) },
                    Ctx {
                        comment: Some("x".into()),
                        ..Ctx::default()
                    },
                    now,
                    &m,
                )
                .unwrap();
            assert_eq!(a.refund.unwrap().1, o.transactions.captures[0].capture_id);
            assert_eq!(p[0].event_type, EventType::OrderRefunded);
        }
        let d = o.details();
        assert_eq!(d.transactions.refunds.len(), 2);
        assert_eq!(d.refunded_amount, Some(sar(3000)));
        assert_eq!(d.transactions.captures[0].refunded_amount, Some(sar(3000)));
        assert_eq!(d.consumer.unwrap().phone_number, "966544337866");
        assert_eq!(d.status, OrderStatus::PartiallyRefunded);
        assert_eq!(d.paid_amount, Some(sar(10000)));
        assert_eq!(
            o.capture_refundable(&o.transactions.captures[0].capture_id.clone()),
            Some(sar(27000))
        );
    }
}
