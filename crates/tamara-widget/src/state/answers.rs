//! The Worker's answers (§2.1 of CONTRACTS.md), read by `js.rs`, and failed Worker calls.

/// The Worker's money output shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// Integer minor units (the Worker's `minor`; its decimal `amount` is not needed).
    pub minor: u64,
    /// ISO currency code.
    pub currency: String,
}

/// `{code, message}` pair: unavailability reasons and errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Stable snake_case code.
    pub code: String,
    /// Human text (English).
    pub message: String,
    /// Human text in Arabic, when the Worker gives one (empty otherwise).
    pub message_ar: String,
}

/// One Tamara payment option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentOption {
    /// `PAY_BY_INSTALMENTS`, …
    pub payment_type: String,
    /// Number of instalments.
    pub instalments: u32,
    /// Amount of each instalment.
    pub instalment_amount: Money,
    /// Label in English.
    pub label_en: String,
    /// Label in Arabic.
    pub label_ar: String,
}

/// `GET /api/payment-options` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentOptions {
    /// Whether Tamara can be offered.
    pub available: bool,
    /// The amount the answer is for (the cart priced by the Worker).
    pub amount: Money,
    /// Why not, when not available.
    pub reason: Option<Reason>,
    /// The options to show.
    pub options: Vec<PaymentOption>,
    /// Smallest order Tamara accepts.
    pub min_limit: Option<Money>,
    /// Largest order Tamara accepts.
    pub max_limit: Option<Money>,
}

/// `POST /api/checkout` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutCreated {
    /// The Worker's order id.
    pub order_id: String,
    /// Tamara's hosted checkout page.
    pub checkout_url: String,
}

/// A failed Worker call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// No answer (offline, CORS, DNS…).
    Network(String),
    /// An answer with a non-2xx status; code/message from the Worker's error body.
    Http {
        /// HTTP status.
        status: u16,
        /// `error.code`, or `http_<status>`.
        code: String,
        /// `error.message`, or empty.
        message: String,
    },
    /// A 2xx answer the widget could not read.
    Decode(String),
}

impl FetchError {
    /// Stable code for `tamara-error` events.
    pub fn code(&self) -> String {
        match self {
            FetchError::Network(_) => "network_error".to_owned(),
            FetchError::Http { code, .. } => code.clone(),
            FetchError::Decode(_) => "invalid_response".to_owned(),
        }
    }
    /// Technical detail for the event (never shown as the main message).
    pub fn detail(&self) -> String {
        match self {
            FetchError::Network(m) | FetchError::Decode(m) => m.clone(),
            FetchError::Http { message, .. } => message.clone(),
        }
    }
    /// A 4xx other than 408/429: retrying the same request would fail again.
    pub fn is_client_error(&self) -> bool {
        matches!(self, FetchError::Http { status, .. } if (400..500).contains(status) && *status != 408 && *status != 429)
    }
}
