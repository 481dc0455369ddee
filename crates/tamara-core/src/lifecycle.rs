//! The order state machine of Tamara's §5 as pure functions.
//!
//! [`apply`] takes an order, an event and `now`, and returns the next order plus the effects
//! (webhooks to emit). It refuses invalid transitions, never moves an order backward, treats
//! repeated or late events as no-ops, and keeps the money books: no over-capture, no over-refund,
//! no cancel after capture. [`due_event`] turns the timers (30-minute checkout expiry, 15-minute
//! in-store link, 72-hour authorise window, 21-day auto-capture) into events for a given `now`.
//! [`advance`] is the forward-only rule for mirroring a status read from Tamara.

use serde::{Deserialize, Serialize};

use crate::enums::{EventType, OrderStatus};
use crate::money::{Money, MoneyError};
use crate::timestamp::{duration, Timestamp};

/// Online checkout session lifetime.
pub const CHECKOUT_EXPIRY_MS: i64 = 30 * duration::MINUTE;
/// In-store payment link lifetime.
pub const IN_STORE_EXPIRY_MS: i64 = 15 * duration::MINUTE;
/// Time to authorise after approval.
pub const AUTHORISE_WINDOW_MS: i64 = 72 * duration::HOUR;
/// Authorised orders are captured automatically after this.
pub const AUTO_CAPTURE_AFTER_MS: i64 = 21 * duration::DAY;

/// How the order was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// `POST /checkout`.
    Online,
    /// In-store SMS link or QR code.
    InStore,
}

/// What the state machine tracks for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    /// Status.
    pub status: OrderStatus,
    /// Channel.
    pub channel: Channel,
    /// Order total.
    pub total: Money,
    /// Captured so far.
    pub captured: Money,
    /// Refunded so far.
    pub refunded: Money,
    /// Canceled so far.
    pub canceled: Money,
    /// Created.
    pub created_at: Timestamp,
    /// When a `new` order expires (session or link).
    pub expires_at: Timestamp,
    /// When approved.
    pub approved_at: Option<Timestamp>,
    /// When authorised.
    pub authorised_at: Option<Timestamp>,
}

impl OrderState {
    /// A new online order at `now`, expiring after `expires_in_ms` (default 30 minutes).
    pub fn new_online(total: Money, now: Timestamp, expires_in_ms: Option<i64>) -> Self {
        Self::new(
            Channel::Online,
            total,
            now,
            expires_in_ms.unwrap_or(CHECKOUT_EXPIRY_MS),
        )
    }

    /// A new in-store order at `now`, expiring after `expires_in_ms` (default 15 minutes).
    pub fn new_in_store(total: Money, now: Timestamp, expires_in_ms: Option<i64>) -> Self {
        Self::new(
            Channel::InStore,
            total,
            now,
            expires_in_ms.unwrap_or(IN_STORE_EXPIRY_MS),
        )
    }

    fn new(channel: Channel, total: Money, now: Timestamp, ttl: i64) -> Self {
        let zero = Money::zero(total.currency());
        OrderState {
            status: OrderStatus::New,
            channel,
            total,
            captured: zero,
            refunded: zero,
            canceled: zero,
            created_at: now,
            expires_at: now.plus(ttl),
            approved_at: None,
            authorised_at: None,
        }
    }

    /// Amount still capturable: total − canceled − captured.
    pub fn capturable(&self) -> Money {
        self.total
            .checked_sub(self.canceled)
            .and_then(|m| m.checked_sub(self.captured))
            .unwrap_or(Money::zero(self.total.currency()))
    }

    /// Amount still refundable: captured − refunded.
    pub fn refundable(&self) -> Money {
        self.captured
            .checked_sub(self.refunded)
            .unwrap_or(Money::zero(self.total.currency()))
    }

    /// When the authorise window closes, if approved.
    pub fn authorise_deadline(&self) -> Option<Timestamp> {
        self.approved_at.map(|t| t.plus(AUTHORISE_WINDOW_MS))
    }

    /// When auto-capture happens, if authorised.
    pub fn auto_capture_at(&self) -> Option<Timestamp> {
        self.authorised_at.map(|t| t.plus(AUTO_CAPTURE_AFTER_MS))
    }
}

/// Something that happens to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The shopper paid the first instalment online.
    Approve,
    /// Tamara declined the shopper.
    Decline,
    /// The session lapsed, the shopper canceled on Tamara's page, or the authorise window closed.
    Expire,
    /// The merchant authorised. With `auto_capture` the whole amount is captured at once.
    Authorise {
        /// Merchant has auto-capture.
        auto_capture: bool,
    },
    /// Merchant cancel (full or partial).
    Cancel {
        /// Amount to cancel.
        amount: Money,
    },
    /// Merchant capture (full or partial).
    Capture {
        /// Amount to capture.
        amount: Money,
    },
    /// Merchant refund (full or partial).
    Refund {
        /// Amount to refund.
        amount: Money,
    },
    /// The shopper paid an in-store link: `new → fully_captured`.
    PayInStore,
    /// The merchant voided an unpaid in-store session.
    Void,
    /// 21 days after authorisation: capture what is left.
    AutoCapture,
}

impl Event {
    /// Short name for errors and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Approve => "approve",
            Event::Decline => "decline",
            Event::Expire => "expire",
            Event::Authorise { .. } => "authorise",
            Event::Cancel { .. } => "cancel",
            Event::Capture { .. } => "capture",
            Event::Refund { .. } => "refund",
            Event::PayInStore => "pay_in_store",
            Event::Void => "void",
            Event::AutoCapture => "auto_capture",
        }
    }
}

/// What the caller must do after a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Send this webhook event; `amount` is the captured / canceled / refunded amount.
    Notify {
        /// Event type.
        event: EventType,
        /// Amount for money events.
        amount: Option<Money>,
    },
}

/// Result of a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The order after the event (equal to the input for a no-op).
    pub order: OrderState,
    /// Effects to carry out.
    pub effects: Vec<Effect>,
    /// False when the event was a duplicate or late and changed nothing.
    pub changed: bool,
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    /// The event is not allowed in this status.
    #[error("cannot {event} an order that is {from}")]
    InvalidTransition {
        /// Current status.
        from: OrderStatus,
        /// Event name.
        event: &'static str,
    },
    /// The event does not apply to this channel.
    #[error("{event} does not apply to {channel:?} orders")]
    WrongChannel {
        /// Event name.
        event: &'static str,
        /// Channel.
        channel: Channel,
    },
    /// Amount is zero.
    #[error("amount must be greater than zero")]
    ZeroAmount,
    /// More than can be captured.
    #[error("cannot capture {requested}: only {available} is capturable")]
    OverCapture {
        /// Asked.
        requested: Money,
        /// Left.
        available: Money,
    },
    /// More than can be refunded.
    #[error("cannot refund {requested}: only {available} is refundable")]
    OverRefund {
        /// Asked.
        requested: Money,
        /// Left.
        available: Money,
    },
    /// More than can be canceled.
    #[error("cannot cancel {requested}: only {available} is cancelable")]
    OverCancel {
        /// Asked.
        requested: Money,
        /// Left.
        available: Money,
    },
    /// A timer fired before its deadline.
    #[error("{event} is not due yet")]
    NotDue {
        /// Event name.
        event: &'static str,
    },
    /// Money error (currency mismatch, overflow).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl TransitionError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::InvalidTransition { .. } => "invalid_transition",
            TransitionError::WrongChannel { .. } => "wrong_channel",
            TransitionError::ZeroAmount => "zero_amount",
            TransitionError::OverCapture { .. } => "capture_exceeds_remaining",
            TransitionError::OverRefund { .. } => "refund_exceeds_captured",
            TransitionError::OverCancel { .. } => "cancel_exceeds_remaining",
            TransitionError::NotDue { .. } => "not_due",
            TransitionError::Money(e) => e.code(),
        }
    }
}

fn noop(order: &OrderState) -> Outcome {
    Outcome {
        order: order.clone(),
        effects: Vec::new(),
        changed: false,
    }
}

fn notify(event: EventType, amount: Option<Money>) -> Effect {
    Effect::Notify { event, amount }
}

fn invalid(order: &OrderState, event: &Event) -> TransitionError {
    TransitionError::InvalidTransition {
        from: order.status.clone(),
        event: event.name(),
    }
}

fn positive(amount: Money, like: Money) -> Result<(), TransitionError> {
    if amount.currency() != like.currency() {
        return Err(MoneyError::CurrencyMismatch(like.currency(), amount.currency()).into());
    }
    if amount.is_zero() {
        return Err(TransitionError::ZeroAmount);
    }
    Ok(())
}

/// Applies `event` to `order` at `now`.
pub fn apply(
    order: &OrderState,
    event: &Event,
    now: Timestamp,
) -> Result<Outcome, TransitionError> {
    use OrderStatus as S;
    let mut next = order.clone();
    let mut effects = Vec::new();
    match event {
        Event::Approve => match &order.status {
            S::New if order.channel == Channel::Online => {
                next.status = S::Approved;
                next.approved_at = Some(now);
                effects.push(notify(EventType::OrderApproved, None));
            }
            S::New => {
                return Err(TransitionError::WrongChannel {
                    event: event.name(),
                    channel: order.channel,
                })
            }
            s if s.is_paid() => return Ok(noop(order)),
            _ => return Err(invalid(order, event)),
        },
        Event::Decline => match &order.status {
            S::New => {
                next.status = S::Declined;
                effects.push(notify(EventType::OrderDeclined, None));
            }
            S::Declined => return Ok(noop(order)),
            _ => return Err(invalid(order, event)),
        },
        Event::Expire => match &order.status {
            S::New | S::Approved => {
                next.status = S::Expired;
                effects.push(notify(EventType::OrderExpired, None));
            }
            S::Expired => return Ok(noop(order)),
            _ => return Err(invalid(order, event)),
        },
        Event::Authorise { auto_capture } => match &order.status {
            S::Approved => {
                next.status = S::Authorised;
                next.authorised_at = Some(now);
                effects.push(notify(EventType::OrderAuthorised, None));
                if *auto_capture {
                    let amount = next.capturable();
                    next.captured = next.captured.checked_add(amount)?;
                    next.status = S::FullyCaptured;
                    effects.push(notify(EventType::OrderCaptured, Some(amount)));
                }
            }
            S::Authorised
            | S::Updated
            | S::PartiallyCaptured
            | S::FullyCaptured
            | S::PartiallyRefunded
            | S::FullyRefunded
                if order.authorised_at.is_some() || order.channel == Channel::Online =>
            {
                return Ok(noop(order))
            }
            _ => return Err(invalid(order, event)),
        },
        Event::Cancel { amount } => {
            positive(*amount, order.total)?;
            let available = movable(order, Movement::Cancel).map_err(|_| invalid(order, event))?;
            if amount.minor() > available.minor() {
                return Err(TransitionError::OverCancel {
                    requested: *amount,
                    available,
                });
            }
            next.canceled = next.canceled.checked_add(*amount)?;
            if next.canceled == next.total {
                next.status = S::Canceled;
                effects.push(notify(EventType::OrderCanceled, Some(*amount)));
            } else {
                next.status = S::Updated;
                effects.push(notify(EventType::OrderUpdated, Some(*amount)));
            }
        }
        Event::Capture { amount } => {
            positive(*amount, order.total)?;
            if !Movement::Capture.allowed_in(&order.status) {
                return Err(invalid(order, event));
            }
            capture(&mut next, *amount, &mut effects)?;
        }
        Event::AutoCapture => {
            if !Movement::Capture.allowed_in(&order.status) {
                return Ok(noop(order));
            }
            match order.auto_capture_at() {
                Some(at) if at <= now => {}
                _ => {
                    return Err(TransitionError::NotDue {
                        event: event.name(),
                    })
                }
            }
            let amount = order.capturable();
            if amount.is_zero() {
                return Ok(noop(order));
            }
            capture(&mut next, amount, &mut effects)?;
        }
        Event::Refund { amount } => {
            positive(*amount, order.total)?;
            if !Movement::Refund.allowed_in(&order.status) {
                return Err(invalid(order, event));
            }
            let available = order.refundable();
            if amount.minor() > available.minor() {
                return Err(TransitionError::OverRefund {
                    requested: *amount,
                    available,
                });
            }
            next.refunded = next.refunded.checked_add(*amount)?;
            next.status = if next.refunded == next.captured && next.capturable().is_zero() {
                S::FullyRefunded
            } else {
                S::PartiallyRefunded
            };
            effects.push(notify(EventType::OrderRefunded, Some(*amount)));
        }
        Event::PayInStore => {
            if order.channel != Channel::InStore {
                return Err(TransitionError::WrongChannel {
                    event: event.name(),
                    channel: order.channel,
                });
            }
            match &order.status {
                S::New => {
                    if now >= order.expires_at {
                        return Err(invalid(order, event));
                    }
                    next.approved_at = Some(now);
                    next.authorised_at = Some(now);
                    next.captured = next.total;
                    next.status = S::FullyCaptured;
                    effects.push(notify(EventType::OrderCaptured, Some(next.total)));
                }
                s if s.is_paid() => return Ok(noop(order)),
                _ => return Err(invalid(order, event)),
            }
        }
        Event::Void => {
            if order.channel != Channel::InStore {
                return Err(TransitionError::WrongChannel {
                    event: event.name(),
                    channel: order.channel,
                });
            }
            match &order.status {
                S::New => {
                    next.canceled = next.total;
                    next.status = S::Canceled;
                    effects.push(notify(EventType::OrderCanceled, Some(next.total)));
                }
                S::Canceled => return Ok(noop(order)),
                _ => return Err(invalid(order, event)),
            }
        }
    }
    Ok(Outcome {
        order: next,
        effects,
        changed: true,
    })
}

/// A merchant money movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// Capture (full or partial).
    Capture,
    /// Cancel of the uncaptured remainder (full or partial).
    Cancel,
    /// Refund of captured money (full or partial).
    Refund,
}

impl Movement {
    /// `capture`, `cancel`, `refund`.
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Capture => "capture",
            Movement::Cancel => "cancel",
            Movement::Refund => "refund",
        }
    }

    /// The event that performs this movement.
    pub fn event(self, amount: Money) -> Event {
        match self {
            Movement::Capture => Event::Capture { amount },
            Movement::Cancel => Event::Cancel { amount },
            Movement::Refund => Event::Refund { amount },
        }
    }

    /// Whether an order in `status` may have this movement at all (the one status rule that
    /// [`apply`] and [`movable`] share).
    pub fn allowed_in(self, status: &OrderStatus) -> bool {
        use OrderStatus as S;
        match self {
            Movement::Capture => matches!(
                status,
                S::Authorised | S::Updated | S::PartiallyCaptured | S::PartiallyRefunded
            ),
            Movement::Cancel => matches!(status, S::Authorised | S::Updated),
            Movement::Refund => matches!(
                status,
                S::PartiallyCaptured | S::FullyCaptured | S::PartiallyRefunded
            ),
        }
    }
}

/// How much of `movement` the order allows right now: the capturable remainder for a capture or
/// a cancel, the captured-but-not-refunded amount for a refund. `Err(InvalidTransition)` when the
/// status does not allow the movement, or when nothing is left to move. A caller that wants
/// "the whole remainder" asks this, then applies [`Movement::event`] with it.
pub fn movable(order: &OrderState, movement: Movement) -> Result<Money, TransitionError> {
    let refused = || TransitionError::InvalidTransition {
        from: order.status.clone(),
        event: movement.as_str(),
    };
    if !movement.allowed_in(&order.status) {
        return Err(refused());
    }
    let left = match movement {
        Movement::Capture | Movement::Cancel => order.capturable(),
        Movement::Refund => order.refundable(),
    };
    if left.is_zero() {
        return Err(refused());
    }
    Ok(left)
}

/// Is `s` at or after `authorised` (authorised, updated, captured, refunded or canceled after
/// authorisation)?
pub fn is_authorised_or_later(s: &OrderStatus) -> bool {
    use OrderStatus as S;
    matches!(
        s,
        S::Authorised
            | S::Updated
            | S::PartiallyCaptured
            | S::FullyCaptured
            | S::PartiallyRefunded
            | S::FullyRefunded
            | S::Canceled
    )
}

fn capture(
    next: &mut OrderState,
    amount: Money,
    effects: &mut Vec<Effect>,
) -> Result<(), TransitionError> {
    let available = next.capturable();
    if amount.minor() > available.minor() {
        return Err(TransitionError::OverCapture {
            requested: amount,
            available,
        });
    }
    next.captured = next.captured.checked_add(amount)?;
    if next.status != OrderStatus::PartiallyRefunded {
        next.status = if next.capturable().is_zero() {
            OrderStatus::FullyCaptured
        } else {
            OrderStatus::PartiallyCaptured
        };
    }
    effects.push(notify(EventType::OrderCaptured, Some(amount)));
    Ok(())
}

/// The next timer of `order`: when it fires and what it does.
pub fn next_deadline(order: &OrderState) -> Option<(Timestamp, Event)> {
    use OrderStatus as S;
    match &order.status {
        S::New => Some((order.expires_at, Event::Expire)),
        S::Approved => order.authorise_deadline().map(|t| (t, Event::Expire)),
        S::Authorised | S::Updated | S::PartiallyCaptured => {
            order.auto_capture_at().map(|t| (t, Event::AutoCapture))
        }
        // Partially captured, then partially refunded: the uncaptured rest is still
        // auto-captured after 21 days, as `apply(AutoCapture)` allows.
        S::PartiallyRefunded if !order.capturable().is_zero() => {
            order.auto_capture_at().map(|t| (t, Event::AutoCapture))
        }
        _ => None,
    }
}

/// The timer event due at `now`, if any.
pub fn due_event(order: &OrderState, now: Timestamp) -> Option<Event> {
    next_deadline(order).and_then(|(at, ev)| (at <= now).then_some(ev))
}

/// Applies every timer due at `now` (at most one per status step), returning the final order and
/// all effects.
pub fn run_timers(order: &OrderState, now: Timestamp) -> Outcome {
    let mut current = noop(order);
    for _ in 0..4 {
        let Some(ev) = due_event(&current.order, now) else {
            break;
        };
        match apply(&current.order, &ev, now) {
            Ok(o) if o.changed => {
                current.effects.extend(o.effects);
                current.order = o.order;
                current.changed = true;
            }
            _ => break,
        }
    }
    current
}

/// Statuses directly reachable from `s` (the transition graph of §5, online and in-store).
pub fn successors(s: &OrderStatus) -> &'static [OrderStatus] {
    use OrderStatus as S;
    match s {
        S::New => &[
            S::Approved,
            S::Declined,
            S::Expired,
            S::FullyCaptured,
            S::Canceled,
        ],
        S::Approved => &[S::Authorised, S::Expired, S::FullyCaptured],
        S::Authorised => &[
            S::Canceled,
            S::Updated,
            S::PartiallyCaptured,
            S::FullyCaptured,
            S::Expired,
        ],
        S::Updated => &[S::Canceled, S::PartiallyCaptured, S::FullyCaptured],
        S::PartiallyCaptured => &[S::FullyCaptured, S::PartiallyRefunded, S::FullyRefunded],
        S::FullyCaptured => &[S::PartiallyRefunded, S::FullyRefunded],
        S::PartiallyRefunded => &[S::FullyRefunded],
        _ => &[],
    }
}

/// True when `to` can follow `from` (transitively), i.e. moving there is forward.
pub fn is_forward(from: &OrderStatus, to: &OrderStatus) -> bool {
    let mut stack: Vec<&OrderStatus> = vec![from];
    let mut seen: Vec<&OrderStatus> = Vec::new();
    while let Some(s) = stack.pop() {
        for n in successors(s) {
            if n == to {
                return true;
            }
            if !seen.contains(&n) {
                seen.push(n);
                stack.push(n);
            }
        }
    }
    false
}

/// Forward-only mirroring of a status read from Tamara (GET order, webhook): the new local
/// status, or `None` when `remote` is the same, older, unknown or unreachable.
pub fn advance(local: &OrderStatus, remote: &OrderStatus) -> Option<OrderStatus> {
    (local != remote && is_forward(local, remote)).then(|| remote.clone())
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
    const T0: Timestamp = Timestamp::from_secs(1_700_000_000);

    fn step(o: &OrderState, e: Event) -> OrderState {
        apply(o, &e, T0).unwrap().order
    }

    #[test]
    fn movable_is_the_rule_apply_uses() {
        let o = OrderState::new_online(sar(30000), T0, None);
        assert!(movable(&o, Movement::Capture).is_err());
        let o = step(&o, Event::Approve);
        let o = step(
            &o,
            Event::Authorise {
                auto_capture: false,
            },
        );
        assert_eq!(movable(&o, Movement::Capture).unwrap(), sar(30000));
        assert_eq!(movable(&o, Movement::Cancel).unwrap(), sar(30000));
        assert_eq!(
            movable(&o, Movement::Refund).unwrap_err().code(),
            "invalid_transition"
        );
        let o = step(&o, Event::Capture { amount: sar(10000) });
        assert_eq!(movable(&o, Movement::Capture).unwrap(), sar(20000));
        // After a capture the remainder can no longer be canceled (Tamara's rule).
        assert!(movable(&o, Movement::Cancel).is_err());
        assert_eq!(movable(&o, Movement::Refund).unwrap(), sar(10000));
        let o = step(&o, Event::Refund { amount: sar(10000) });
        assert_eq!(o.status, OrderStatus::PartiallyRefunded);
        assert!(
            movable(&o, Movement::Refund).is_err(),
            "nothing left to refund"
        );
        // Every status: movable agrees with apply on whether the movement is allowed.
        for status in [
            OrderStatus::New,
            OrderStatus::Approved,
            OrderStatus::Authorised,
            OrderStatus::Updated,
            OrderStatus::PartiallyCaptured,
            OrderStatus::FullyCaptured,
            OrderStatus::PartiallyRefunded,
            OrderStatus::FullyRefunded,
            OrderStatus::Canceled,
            OrderStatus::Declined,
            OrderStatus::Expired,
        ] {
            let mut s = o.clone();
            s.status = status.clone();
            s.captured = sar(10000);
            s.refunded = sar(0);
            s.canceled = sar(0);
            for m in [Movement::Capture, Movement::Cancel, Movement::Refund] {
                let by_query = movable(&s, m).is_ok();
                let by_apply = apply(&s, &m.event(sar(1)), T0).is_ok();
                assert_eq!(by_query, by_apply, "{status} {m:?}");
            }
        }
        assert!(is_authorised_or_later(&OrderStatus::FullyRefunded));
        assert!(is_authorised_or_later(&OrderStatus::Authorised));
        assert!(!is_authorised_or_later(&OrderStatus::Approved));
        assert!(!is_authorised_or_later(&OrderStatus::Expired));
    }

    #[test]
    fn online_happy_path() {
        let o = OrderState::new_online(sar(30000), T0, None);
        let o = step(&o, Event::Approve);
        assert_eq!(o.status, OrderStatus::Approved);
        let out = apply(
            &o,
            &Event::Authorise {
                auto_capture: false,
            },
            T0,
        )
        .unwrap();
        assert_eq!(out.effects, vec![notify(EventType::OrderAuthorised, None)]);
        let o = out.order;
        let o = step(&o, Event::Capture { amount: sar(10000) });
        assert_eq!(o.status, OrderStatus::PartiallyCaptured);
        let o = step(&o, Event::Capture { amount: sar(20000) });
        assert_eq!(o.status, OrderStatus::FullyCaptured);
        let o = step(&o, Event::Refund { amount: sar(5000) });
        assert_eq!(o.status, OrderStatus::PartiallyRefunded);
        let o = step(&o, Event::Refund { amount: sar(25000) });
        assert_eq!(o.status, OrderStatus::FullyRefunded);
        assert_eq!(
            apply(&o, &Event::Refund { amount: sar(1) }, T0)
                .unwrap_err()
                .code(),
            "invalid_transition"
        );
    }

    #[test]
    fn repeats_are_noops_and_limits_hold() {
        let o = step(&OrderState::new_online(sar(100), T0, None), Event::Approve);
        let again = apply(&o, &Event::Approve, T0).unwrap();
        assert!(!again.changed && again.effects.is_empty());
        let a = step(
            &o,
            Event::Authorise {
                auto_capture: false,
            },
        );
        assert!(
            !apply(
                &a,
                &Event::Authorise {
                    auto_capture: false
                },
                T0
            )
            .unwrap()
            .changed
        );
        assert!(!apply(&a, &Event::Approve, T0).unwrap().changed);
        assert_eq!(
            apply(&a, &Event::Capture { amount: sar(101) }, T0)
                .unwrap_err()
                .code(),
            "capture_exceeds_remaining"
        );
        let c = step(&a, Event::Capture { amount: sar(40) });
        assert_eq!(
            apply(&c, &Event::Cancel { amount: sar(60) }, T0)
                .unwrap_err()
                .code(),
            "invalid_transition"
        );
        assert_eq!(
            apply(&c, &Event::Refund { amount: sar(41) }, T0)
                .unwrap_err()
                .code(),
            "refund_exceeds_captured"
        );
        assert_eq!(
            apply(
                &c,
                &Event::Capture {
                    amount: Money::zero(Currency::Sar)
                },
                T0
            )
            .unwrap_err()
            .code(),
            "zero_amount"
        );
        let k = Money::from_minor(1, Currency::Kwd).unwrap();
        assert_eq!(
            apply(&c, &Event::Capture { amount: k }, T0)
                .unwrap_err()
                .code(),
            "currency_mismatch"
        );
    }

    #[test]
    fn partial_and_full_cancel() {
        let a = step(
            &step(&OrderState::new_online(sar(100), T0, None), Event::Approve),
            Event::Authorise {
                auto_capture: false,
            },
        );
        let u = step(&a, Event::Cancel { amount: sar(30) });
        assert_eq!(u.status, OrderStatus::Updated);
        let c = step(&u, Event::Capture { amount: sar(70) });
        assert_eq!(c.status, OrderStatus::FullyCaptured);
        let x = step(&u, Event::Cancel { amount: sar(70) });
        assert_eq!(x.status, OrderStatus::Canceled);
        assert_eq!(
            apply(&u, &Event::Cancel { amount: sar(71) }, T0)
                .unwrap_err()
                .code(),
            "cancel_exceeds_remaining"
        );
    }

    #[test]
    fn timers() {
        let o = OrderState::new_online(sar(100), T0, None);
        assert_eq!(due_event(&o, T0.plus(CHECKOUT_EXPIRY_MS - 1)), None);
        assert_eq!(
            due_event(&o, T0.plus(CHECKOUT_EXPIRY_MS)),
            Some(Event::Expire)
        );
        let ap = apply(&o, &Event::Approve, T0.plus(1000)).unwrap().order;
        assert_eq!(due_event(&ap, T0.plus(CHECKOUT_EXPIRY_MS + 5000)), None);
        let late = T0.plus(1000 + AUTHORISE_WINDOW_MS);
        assert_eq!(run_timers(&ap, late).order.status, OrderStatus::Expired);
        let au = apply(
            &ap,
            &Event::Authorise {
                auto_capture: false,
            },
            T0.plus(2000),
        )
        .unwrap()
        .order;
        let au = step(&au, Event::Capture { amount: sar(25) });
        assert_eq!(
            apply(&au, &Event::AutoCapture, T0).unwrap_err().code(),
            "not_due"
        );
        let out = run_timers(&au, T0.plus(2000 + AUTO_CAPTURE_AFTER_MS));
        assert_eq!(out.order.status, OrderStatus::FullyCaptured);
        assert_eq!(out.order.captured, sar(100));
        assert_eq!(
            out.effects,
            vec![notify(EventType::OrderCaptured, Some(sar(75)))]
        );
        let s = OrderState::new_in_store(sar(100), T0, None);
        assert_eq!(
            run_timers(&s, T0.plus(IN_STORE_EXPIRY_MS)).order.status,
            OrderStatus::Expired
        );
    }

    #[test]
    fn refunded_remainder_is_still_auto_captured() {
        let a = apply(
            &step(&OrderState::new_online(sar(100), T0, None), Event::Approve),
            &Event::Authorise {
                auto_capture: false,
            },
            T0,
        )
        .unwrap()
        .order;
        let r = step(
            &step(&a, Event::Capture { amount: sar(40) }),
            Event::Refund { amount: sar(10) },
        );
        assert_eq!(r.status, OrderStatus::PartiallyRefunded);
        let at = T0.plus(AUTO_CAPTURE_AFTER_MS);
        assert_eq!(next_deadline(&r), Some((at, Event::AutoCapture)));
        assert_eq!(due_event(&r, at.plus(-1)), None);
        let out = run_timers(&r, at);
        assert_eq!(out.order.captured, sar(100));
        assert_eq!(out.order.status, OrderStatus::PartiallyRefunded);
        assert_eq!(
            out.effects,
            vec![notify(EventType::OrderCaptured, Some(sar(60)))]
        );
        assert_eq!(next_deadline(&out.order), None);
        // Fully captured, then partially refunded: nothing left to capture, no timer.
        let f = step(
            &step(&a, Event::Capture { amount: sar(100) }),
            Event::Refund { amount: sar(10) },
        );
        assert_eq!(next_deadline(&f), None);
    }

    #[test]
    fn in_store() {
        let s = OrderState::new_in_store(sar(100), T0, None);
        assert_eq!(
            apply(&s, &Event::Approve, T0).unwrap_err().code(),
            "wrong_channel"
        );
        let p = step(&s, Event::PayInStore);
        assert_eq!(p.status, OrderStatus::FullyCaptured);
        assert!(!apply(&p, &Event::PayInStore, T0).unwrap().changed);
        assert_eq!(
            apply(&p, &Event::Void, T0).unwrap_err().code(),
            "invalid_transition"
        );
        let v = step(&s, Event::Void);
        assert_eq!(v.status, OrderStatus::Canceled);
        assert_eq!(
            apply(&v, &Event::PayInStore, T0).unwrap_err().code(),
            "invalid_transition"
        );
        let expired_link = apply(&s, &Event::PayInStore, T0.plus(IN_STORE_EXPIRY_MS));
        assert!(expired_link.is_err());
    }

    #[test]
    fn auto_capture_on_authorise() {
        let ap = step(&OrderState::new_online(sar(100), T0, None), Event::Approve);
        let out = apply(&ap, &Event::Authorise { auto_capture: true }, T0).unwrap();
        assert_eq!(out.order.status, OrderStatus::FullyCaptured);
        assert_eq!(out.effects.len(), 2);
    }

    #[test]
    fn forward_only_mirroring() {
        use OrderStatus as S;
        assert_eq!(advance(&S::New, &S::Approved), Some(S::Approved));
        assert_eq!(advance(&S::New, &S::FullyRefunded), Some(S::FullyRefunded));
        assert_eq!(advance(&S::Authorised, &S::Approved), None);
        assert_eq!(advance(&S::Authorised, &S::Authorised), None);
        assert_eq!(advance(&S::Declined, &S::Approved), None);
        assert_eq!(advance(&S::FullyCaptured, &S::Canceled), None);
        assert_eq!(advance(&S::New, &S::Unknown("on_hold".into())), None);
        for s in OrderStatus::KNOWN {
            assert!(!is_forward(s, s), "{s} must not reach itself");
        }
    }
}
