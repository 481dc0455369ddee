//! The state machine's vocabulary: phases, failure stages, inputs and effects.

use super::{Address, Cart, Customer};
use super::{CheckoutCreated, CheckoutRequest, FetchError, Lang, OptionsQuery, PaymentOptions};

/// What the widget is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No cart (or an empty one).
    Idle,
    /// Payment options on the way.
    Loading,
    /// Tamara offered; the shopper can continue.
    Ready,
    /// Tamara not offered for this cart (reason shown).
    Unavailable,
    /// Something failed; a button retries.
    Error,
    /// Creating the checkout session.
    Submitting,
    /// Leaving for Tamara's page.
    Redirecting,
}

impl Phase {
    /// Name used in `data-state` and by the JS handle.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Loading => "loading",
            Phase::Ready => "ready",
            Phase::Unavailable => "unavailable",
            Phase::Error => "error",
            Phase::Submitting => "submitting",
            Phase::Redirecting => "redirecting",
        }
    }
}

/// Where a failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The cart cannot be sent (invalid line).
    Cart,
    /// Asking for payment options (the Worker prices the cart here).
    Options,
    /// Missing/invalid customer details.
    Input,
    /// Creating the checkout.
    Checkout,
}

impl Stage {
    /// Name used in `tamara-error` events.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Cart => "cart",
            Stage::Options => "options",
            Stage::Input => "input",
            Stage::Checkout => "checkout",
        }
    }
}

/// What the shopper is told about a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Where it happened.
    pub stage: Stage,
    /// Stable code (`network_error`, `unknown_sku`, the Worker's code…).
    pub code: String,
    /// The Worker's message, when it gave one (shown for validation errors).
    pub detail: String,
}

/// Everything that can happen to the widget.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The host set the cart.
    SetCart(Cart),
    /// The host set the consumer.
    SetCustomer(Customer),
    /// The host set the shipping address.
    SetShipping(Address),
    /// The host switched language.
    SetLang(Lang),
    /// `GET /api/payment-options` answered (for request `seq`).
    OptionsLoaded(u64, PaymentOptions),
    /// `GET /api/payment-options` failed (for request `seq`).
    OptionsFailed(u64, FetchError),
    /// The shopper picked option `index`.
    Select(usize),
    /// The shopper pressed "Continue with Tamara".
    Submit,
    /// The shopper pressed "Try again".
    Retry,
    /// `POST /api/checkout` answered.
    CheckoutCreated(CheckoutCreated),
    /// `POST /api/checkout` failed.
    CheckoutFailed(FetchError),
    /// The host canceled the `tamara-redirect` event.
    RedirectCanceled,
}

/// Work for the browser side.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// `GET /api/payment-options`, answer with `OptionsLoaded(seq)`/`OptionsFailed(seq)`.
    FetchOptions(u64, OptionsQuery),
    /// `POST /api/checkout` with this key and body.
    CreateCheckout(String, Box<CheckoutRequest>),
    /// Dispatch `tamara-availability` (with the Worker's answer); `true` when an option is
    /// shown.
    Availability(bool),
    /// Dispatch `tamara-error`.
    Error(Failure),
    /// Dispatch the cancelable `tamara-redirect`, then go to the URL unless canceled.
    Redirect(CheckoutCreated),
}
