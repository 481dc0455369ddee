//! Pure widget state: no DOM, no network, no clock.
//!
//! The browser side (`lib.rs`, `view.rs`, `api.rs`) feeds [`Input`]s into [`Widget::apply`],
//! runs the [`Effect`]s it returns, and renders [`Widget::view`]. Everything a shopper sees is
//! decided here and tested natively:
//!
//! * cart → payment-options query (the amount is priced from the Worker's own catalog, in
//!   integer minor units; the checkout request carries SKUs and quantities only),
//! * availability, labels and the instalment text in English and Arabic,
//! * the phases `idle → loading → ready | unavailable | error → submitting → redirecting`,
//! * one `Idempotency-Key` per checkout attempt (a retry of the same body reuses it; a double
//!   click while submitting is ignored),
//! * render dedupe: [`ViewModel`] is `PartialEq`, so the same inputs produce no re-render.

use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Display language of the widget (and locale sent with the checkout).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, left to right.
    #[default]
    En,
    /// Arabic, right to left.
    Ar,
}

impl Lang {
    /// Parses `en`, `ar`, `en_US`, `ar-SA`…; anything else is `None`.
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.trim().to_ascii_lowercase();
        let region_ok = |rest: &str| rest.is_empty() || rest.starts_with(['-', '_']);
        if lower.strip_prefix("en").is_some_and(region_ok) {
            Some(Lang::En)
        } else if lower.strip_prefix("ar").is_some_and(region_ok) {
            Some(Lang::Ar)
        } else {
            None
        }
    }
    /// BCP 47 language tag for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }
    /// Text direction for the `dir` attribute.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar => "rtl",
        }
    }
    /// Tamara's checkout locale.
    pub fn tamara_locale(self) -> &'static str {
        match self {
            Lang::En => "en_US",
            Lang::Ar => "ar_SA",
        }
    }
    /// Locale for `Intl.NumberFormat` (Latin digits in Arabic too, as Gulf stores print prices).
    pub fn number_locale(self, country: &str) -> String {
        match self {
            Lang::En => format!("en-{country}"),
            Lang::Ar => format!("ar-{country}-u-nu-latn"),
        }
    }
}

/// Number of decimals of a Tamara currency; `None` for currencies Tamara does not serve.
pub fn currency_exponent(currency: &str) -> Option<u32> {
    match currency {
        "SAR" | "AED" | "QAR" => Some(2),
        "KWD" | "BHD" | "OMR" => Some(3),
        _ => None,
    }
}

/// The currency of each Tamara country.
pub fn country_currency(country: &str) -> Option<&'static str> {
    match country {
        "SA" => Some("SAR"),
        "AE" => Some("AED"),
        "QA" => Some("QAR"),
        "KW" => Some("KWD"),
        "BH" => Some("BHD"),
        "OM" => Some("OMR"),
        _ => None,
    }
}

/// Integer minor units → exact decimal string (`5750, 2 → "57.50"`, `1250, 3 → "1.250"`).
pub fn minor_to_decimal(minor: u64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(exponent);
    let fraction = (minor % scale + scale).to_string(); // leading "1" keeps the zeros
    let mut out = (minor / scale).to_string();
    out.push('.');
    out.push_str(fraction.get(1..).unwrap_or_default());
    out
}

/// Validated widget configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the Worker without a trailing slash (`""` = same origin).
    pub worker_url: String,
    /// ISO country code (`SA`, `AE`, `KW`, `BH`, `QA`, `OM`).
    pub country: String,
    /// ISO currency code, the country's.
    pub currency: String,
    /// Decimals of `currency`.
    pub exponent: u32,
    /// Display language.
    pub lang: Lang,
}

/// Why a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// Not a Tamara country.
    Country(String),
    /// Not the country's currency.
    Currency(String),
    /// Not `en` or `ar`.
    Lang(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Country(c) => {
                write!(f, "unsupported country {c:?} (SA, AE, KW, BH, QA, OM)")
            }
            ConfigError::Currency(c) => write!(f, "currency {c:?} does not match the country"),
            ConfigError::Lang(l) => write!(f, "unsupported lang {l:?} (en, ar)"),
        }
    }
}

impl Config {
    /// Checks country, currency and language; an empty currency means the country's.
    pub fn new(
        worker_url: &str,
        country: &str,
        currency: &str,
        lang: &str,
    ) -> Result<Config, ConfigError> {
        let country = country.trim().to_ascii_uppercase();
        let country = if country.is_empty() {
            "SA".to_owned()
        } else {
            country
        };
        let expected =
            country_currency(&country).ok_or_else(|| ConfigError::Country(country.clone()))?;
        let currency = currency.trim().to_ascii_uppercase();
        if !currency.is_empty() && currency != expected {
            return Err(ConfigError::Currency(currency));
        }
        let lang = if lang.trim().is_empty() {
            Lang::En
        } else {
            Lang::parse(lang).ok_or_else(|| ConfigError::Lang(lang.to_owned()))?
        };
        Ok(Config {
            worker_url: worker_url.trim().trim_end_matches('/').to_owned(),
            exponent: currency_exponent(expected).unwrap_or(2),
            currency: expected.to_owned(),
            country,
            lang,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs from the host page
// ---------------------------------------------------------------------------------------------

/// One cart line: what the browser sends (never a price).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CartItem {
    /// Product SKU from the Worker's catalog.
    pub sku: String,
    /// Quantity, 1..=999.
    pub quantity: u32,
}

/// The cart as the host page gives it: `{items: [{sku, quantity}]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cart {
    /// Lines, in the host's order.
    pub items: Vec<CartItem>,
}

/// Consumer details (`el.customer`); camelCase names are accepted too.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Customer {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Mobile number (national or international form).
    pub phone_number: String,
    /// E-mail address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Shipping address (`el.shippingAddress`); camelCase names are accepted too.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Recipient's given name.
    pub first_name: String,
    /// Recipient's family name.
    pub last_name: String,
    /// Street line.
    pub line1: String,
    /// Second street line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Region / province.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// City.
    pub city: String,
    /// ISO country code.
    pub country_code: String,
    /// Recipient's phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// Why a cart cannot be priced or sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CartError {
    /// A SKU the Worker's catalog does not list.
    UnknownSku(String),
    /// Empty SKU, or quantity outside 1..=999.
    InvalidLine(String),
    /// The total does not fit.
    Overflow,
}

/// Largest quantity per line the widget sends.
pub const MAX_QUANTITY: u32 = 999;

/// SKU → unit price in minor units, from the Worker's catalog (a short list: a linear scan
/// is smaller in wasm than a map).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prices(Vec<(String, u64)>);

impl Prices {
    /// Unit price of `sku`.
    pub fn get(&self, sku: &str) -> Option<&u64> {
        self.0.iter().find(|(s, _)| s == sku).map(|(_, p)| p)
    }
}

impl FromIterator<(String, u64)> for Prices {
    fn from_iter<I: IntoIterator<Item = (String, u64)>>(iter: I) -> Prices {
        Prices(iter.into_iter().collect())
    }
}

/// Prices the cart from the catalog (SKU → minor units): display and availability only; the
/// Worker prices the order again from its own catalog.
pub fn cart_total(cart: &Cart, catalog: &Prices) -> Result<u64, CartError> {
    let mut total: u64 = 0;
    for item in &cart.items {
        if item.sku.trim().is_empty() || item.quantity == 0 || item.quantity > MAX_QUANTITY {
            return Err(CartError::InvalidLine(item.sku.clone()));
        }
        let price = catalog
            .get(&item.sku)
            .ok_or_else(|| CartError::UnknownSku(item.sku.clone()))?;
        let line = price
            .checked_mul(u64::from(item.quantity))
            .ok_or(CartError::Overflow)?;
        total = total.checked_add(line).ok_or(CartError::Overflow)?;
    }
    Ok(total)
}

// ---------------------------------------------------------------------------------------------
// Worker answers (§2.1 of CONTRACTS.md)
// ---------------------------------------------------------------------------------------------

/// The Worker's money output shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    /// Exact decimal string.
    pub amount: String,
    /// Integer minor units.
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
    /// The amount the answer is for.
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

/// One catalog product (only what the widget needs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    /// SKU.
    pub sku: String,
    /// Unit price.
    pub price: Money,
}

/// `GET /api/catalog` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// Currency of every price.
    pub currency: String,
    /// Products.
    pub products: Vec<Product>,
}

/// `POST /api/checkout` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutCreated {
    /// The Worker's order id.
    pub order_id: String,
    /// Tamara's hosted checkout page.
    pub checkout_url: String,
}

/// Create-checkout body (CONTRACTS.md §2.1): SKUs and quantities, never prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckoutRequest {
    /// The cart, priced by the Worker.
    pub cart: Cart,
    /// Always `null` from the widget.
    pub signed_cart: Option<()>,
    /// Consumer.
    pub consumer: Customer,
    /// Shipping address.
    pub shipping_address: Address,
    /// Always `null` (Tamara uses the shipping address).
    pub billing_address: Option<()>,
    /// `en_US` / `ar_SA`.
    pub locale: &'static str,
    /// ISO country.
    pub country: String,
}

/// Query of `GET /api/payment-options`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsQuery {
    /// ISO country.
    pub country: String,
    /// ISO currency.
    pub currency: String,
    /// Exact decimal amount.
    pub amount: String,
    /// Consumer phone, when known.
    pub phone: Option<String>,
}

impl OptionsQuery {
    /// Path and query string, e.g. `/api/payment-options?country=SA&currency=SAR&amount=230.00`.
    pub fn path(&self) -> String {
        let mut path = format!(
            "/api/payment-options?country={}&currency={}&amount={}",
            encode(&self.country),
            encode(&self.currency),
            encode(&self.amount)
        );
        if let Some(phone) = &self.phone {
            path.push_str("&phone=");
            path.push_str(&encode(phone));
        }
        path
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 15)]));
        }
    }
    out
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

// ---------------------------------------------------------------------------------------------
// The state machine
// ---------------------------------------------------------------------------------------------

/// What the widget is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No cart (or an empty one).
    Idle,
    /// Catalog or payment options on the way.
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
    /// Loading the catalog to price the cart.
    Catalog,
    /// Pricing the cart.
    Cart,
    /// Asking for payment options.
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
            Stage::Catalog => "catalog",
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
    /// `GET /api/catalog` answered.
    CatalogLoaded(Catalog),
    /// `GET /api/catalog` failed.
    CatalogFailed(FetchError),
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
    /// `GET /api/catalog`, answer with `CatalogLoaded`/`CatalogFailed`.
    FetchCatalog,
    /// `GET /api/payment-options`, answer with `OptionsLoaded(seq)`/`OptionsFailed(seq)`.
    FetchOptions(u64, OptionsQuery),
    /// `POST /api/checkout` with this key and body.
    CreateCheckout(String, CheckoutRequest),
    /// Dispatch `tamara-availability`.
    Availability(PaymentOptions),
    /// Dispatch `tamara-error`.
    Error(Failure),
    /// Dispatch the cancelable `tamara-redirect`, then go to the URL unless canceled.
    Redirect(CheckoutCreated),
}

#[derive(Clone, Debug, PartialEq)]
enum CatalogState {
    NotLoaded,
    Loading,
    Loaded(Prices),
    Failed,
}

/// The pure widget model.
#[derive(Clone, Debug)]
pub struct Widget {
    config: Config,
    cart: Option<Cart>,
    customer: Option<Customer>,
    shipping: Option<Address>,
    catalog: CatalogState,
    phase: Phase,
    offer: Option<PaymentOptions>,
    failure: Option<Failure>,
    /// A non-blocking message shown while `Ready` (missing details, refused checkout).
    notice: Option<Failure>,
    selected: usize,
    seq: u64,
    last_query: Option<OptionsQuery>,
    nonce: String,
    attempts: u32,
    /// Key and body of the attempt that has not succeeded yet (a retry reuses the key).
    attempt: Option<(String, CheckoutRequest)>,
    redirect: Option<CheckoutCreated>,
}

impl Widget {
    /// A new widget; `nonce` (random, from the browser) makes idempotency keys unique.
    pub fn new(config: Config, nonce: &str) -> Widget {
        Widget {
            config,
            cart: None,
            customer: None,
            shipping: None,
            catalog: CatalogState::NotLoaded,
            phase: Phase::Idle,
            offer: None,
            failure: None,
            notice: None,
            selected: 0,
            seq: 0,
            last_query: None,
            nonce: nonce
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(64)
                .collect(),
            attempts: 0,
            attempt: None,
            redirect: None,
        }
    }

    /// Effects to run at mount: the catalog is fetched before the cart arrives.
    pub fn start(&mut self) -> Vec<Effect> {
        if self.catalog == CatalogState::NotLoaded {
            self.catalog = CatalogState::Loading;
            vec![Effect::FetchCatalog]
        } else {
            Vec::new()
        }
    }

    /// Current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Applies one input; returns the work to do.
    pub fn apply(&mut self, input: Input) -> Vec<Effect> {
        match input {
            Input::SetCart(cart) => {
                if self.cart.as_ref() == Some(&cart) {
                    return Vec::new();
                }
                self.cart = Some(cart);
                self.notice = None;
                self.refresh()
            }
            Input::SetCustomer(customer) => {
                if self.customer.as_ref() == Some(&customer) {
                    return Vec::new();
                }
                self.customer = Some(customer);
                self.notice = None;
                self.refresh()
            }
            Input::SetShipping(address) => {
                if self.shipping.as_ref() != Some(&address) {
                    self.shipping = Some(address);
                    self.notice = None;
                }
                Vec::new()
            }
            Input::SetLang(lang) => {
                self.config.lang = lang;
                Vec::new()
            }
            Input::CatalogLoaded(catalog) => {
                if catalog.currency != self.config.currency {
                    self.catalog = CatalogState::Failed;
                    return self.fail(Stage::Catalog, "currency_mismatch", String::new());
                }
                let prices = catalog
                    .products
                    .into_iter()
                    .filter(|p| p.price.currency == self.config.currency)
                    .map(|p| (p.sku, p.price.minor))
                    .collect();
                self.catalog = CatalogState::Loaded(prices);
                self.refresh()
            }
            Input::CatalogFailed(error) => {
                self.catalog = CatalogState::Failed;
                if self.has_items() && self.phase == Phase::Loading {
                    self.fail(Stage::Catalog, &error.code(), error.detail())
                } else {
                    Vec::new()
                }
            }
            Input::OptionsLoaded(seq, answer) => {
                if seq != self.seq || self.phase != Phase::Loading {
                    return Vec::new();
                }
                if answer.amount.currency != self.config.currency {
                    return self.fail(Stage::Options, "currency_mismatch", String::new());
                }
                self.phase = if answer.available && !answer.options.is_empty() {
                    Phase::Ready
                } else {
                    Phase::Unavailable
                };
                if self.selected >= answer.options.len() {
                    self.selected = 0;
                }
                self.failure = None;
                self.offer = Some(answer.clone());
                vec![Effect::Availability(answer)]
            }
            Input::OptionsFailed(seq, error) => {
                if seq != self.seq || self.phase != Phase::Loading {
                    return Vec::new();
                }
                self.fail(Stage::Options, &error.code(), error.detail())
            }
            Input::Select(index) => {
                let count = self.offer.as_ref().map_or(0, |o| o.options.len());
                if self.phase == Phase::Ready && index < count {
                    self.selected = index;
                }
                Vec::new()
            }
            Input::Submit => self.submit(),
            Input::Retry => self.retry(),
            Input::CheckoutCreated(created) => {
                if self.phase != Phase::Submitting {
                    return Vec::new();
                }
                let url = created.checkout_url.to_ascii_lowercase();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    // Never navigate to a `javascript:`/`data:` URL, whoever answered.
                    return self.apply(Input::CheckoutFailed(FetchError::Decode(
                        "checkout_url is not an http(s) URL".to_owned(),
                    )));
                }
                self.phase = Phase::Redirecting;
                self.attempt = None;
                self.redirect = Some(created.clone());
                vec![Effect::Redirect(created)]
            }
            Input::CheckoutFailed(error) => {
                if self.phase != Phase::Submitting {
                    return Vec::new();
                }
                if error.code() == "idempotency_key_reused" {
                    self.attempt = None;
                }
                let failure = Failure {
                    stage: Stage::Checkout,
                    code: error.code(),
                    detail: error.detail(),
                };
                let mut effects = vec![Effect::Error(failure.clone())];
                if error.is_client_error() {
                    // The same request would fail again: back to the option, message shown.
                    self.phase = Phase::Ready;
                    self.notice = Some(failure);
                } else {
                    self.phase = Phase::Error;
                    self.failure = Some(failure);
                }
                // Inputs may have changed while submitting.
                effects.extend(self.refresh());
                effects
            }
            Input::RedirectCanceled => {
                if self.phase == Phase::Redirecting {
                    self.phase = Phase::Ready;
                    self.redirect = None;
                }
                Vec::new()
            }
        }
    }

    fn has_items(&self) -> bool {
        self.cart.as_ref().is_some_and(|c| !c.items.is_empty())
    }

    fn fail(&mut self, stage: Stage, code: &str, detail: String) -> Vec<Effect> {
        let failure = Failure {
            stage,
            code: code.to_owned(),
            detail,
        };
        self.phase = Phase::Error;
        self.failure = Some(failure.clone());
        vec![Effect::Error(failure)]
    }

    /// Recomputes what to ask the Worker after an input changed.
    fn refresh(&mut self) -> Vec<Effect> {
        if matches!(self.phase, Phase::Submitting | Phase::Redirecting) {
            return Vec::new();
        }
        let Some(cart) = self.cart.as_ref().filter(|c| !c.items.is_empty()) else {
            self.phase = Phase::Idle;
            self.last_query = None;
            self.failure = None;
            return Vec::new();
        };
        let prices = match &self.catalog {
            CatalogState::Loaded(prices) => prices,
            CatalogState::Loading => {
                self.phase = Phase::Loading;
                return Vec::new();
            }
            CatalogState::NotLoaded | CatalogState::Failed => {
                self.catalog = CatalogState::Loading;
                self.phase = Phase::Loading;
                return vec![Effect::FetchCatalog];
            }
        };
        let minor = match cart_total(cart, prices) {
            Ok(minor) => minor,
            Err(error) => {
                self.last_query = None;
                let (code, sku) = match error {
                    CartError::UnknownSku(sku) => ("unknown_sku", sku),
                    CartError::InvalidLine(sku) => ("invalid_cart", sku),
                    CartError::Overflow => ("invalid_cart", String::new()),
                };
                if self.phase == Phase::Error
                    && self
                        .failure
                        .as_ref()
                        .is_some_and(|f| f.code == code && f.detail == sku)
                {
                    return Vec::new();
                }
                return self.fail(Stage::Cart, code, sku);
            }
        };
        let phone = self
            .customer
            .as_ref()
            .map(|c| c.phone_number.trim().to_owned())
            .filter(|p| !p.is_empty());
        let query = OptionsQuery {
            country: self.config.country.clone(),
            currency: self.config.currency.clone(),
            amount: minor_to_decimal(minor, self.config.exponent),
            phone,
        };
        if self.last_query.as_ref() == Some(&query) && self.phase != Phase::Idle {
            return Vec::new();
        }
        self.last_query = Some(query.clone());
        self.seq += 1;
        self.phase = Phase::Loading;
        vec![Effect::FetchOptions(self.seq, query)]
    }

    fn retry(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Error {
            return Vec::new();
        }
        match self.failure.as_ref().map(|f| f.stage) {
            Some(Stage::Checkout) => {
                // Same body → same Idempotency-Key: a session the Worker already made is reused.
                self.phase = Phase::Ready;
                self.failure = None;
                self.submit()
            }
            _ => {
                self.failure = None;
                self.last_query = None;
                if self.catalog == CatalogState::Failed {
                    self.catalog = CatalogState::NotLoaded;
                }
                self.phase = Phase::Loading;
                self.refresh()
            }
        }
    }

    fn submit(&mut self) -> Vec<Effect> {
        if self.phase != Phase::Ready {
            // Double clicks land here while submitting: no second request.
            return Vec::new();
        }
        let Some(cart) = self.cart.clone() else {
            return Vec::new();
        };
        let consumer = self.customer.clone().unwrap_or_default();
        let shipping = self.shipping.clone().unwrap_or_default();
        let missing = missing_fields(&consumer, &shipping);
        if !missing.is_empty() {
            let failure = Failure {
                stage: Stage::Input,
                code: "missing_customer_details".to_owned(),
                detail: missing.join(", "),
            };
            self.notice = Some(failure.clone());
            return vec![Effect::Error(failure)];
        }
        self.notice = None;
        let body = CheckoutRequest {
            cart,
            signed_cart: None,
            consumer,
            shipping_address: shipping,
            billing_address: None,
            locale: self.config.lang.tamara_locale(),
            country: self.config.country.clone(),
        };
        let key = match &self.attempt {
            Some((key, previous)) if *previous == body => key.clone(),
            _ => {
                self.attempts += 1;
                let key = format!("tw-{}-{}", self.nonce, self.attempts);
                self.attempt = Some((key.clone(), body.clone()));
                key
            }
        };
        self.phase = Phase::Submitting;
        vec![Effect::CreateCheckout(key, body)]
    }

    /// What to render; equal view models need no DOM work.
    pub fn view(&self) -> ViewModel {
        let offer = self.offer.as_ref().filter(|_| {
            matches!(
                self.phase,
                Phase::Ready | Phase::Unavailable | Phase::Submitting | Phase::Redirecting
            )
        });
        let options = match (self.phase, offer) {
            (Phase::Ready | Phase::Submitting | Phase::Redirecting, Some(offer)) => offer
                .options
                .iter()
                .map(|o| OptionView {
                    kind: OptionKind::of(&o.payment_type, o.instalments),
                    instalments: o.instalments,
                    amount: o.instalment_amount.minor,
                    label: match self.config.lang {
                        Lang::En => o.label_en.clone(),
                        Lang::Ar => o.label_ar.clone(),
                    },
                })
                .collect(),
            _ => Vec::new(),
        };
        let unavailable = match (self.phase, offer) {
            (Phase::Unavailable, Some(offer)) => Some(UnavailableView {
                reason: offer.reason.clone().unwrap_or(Reason {
                    code: "not_available".to_owned(),
                    message: String::new(),
                }),
                min: offer.min_limit.as_ref().map(|m| m.minor),
                max: offer.max_limit.as_ref().map(|m| m.minor),
            }),
            _ => None,
        };
        ViewModel {
            lang: self.config.lang,
            phase: self.phase,
            currency: self.config.currency.clone(),
            exponent: self.config.exponent,
            options,
            selected: self.selected,
            unavailable,
            failure: match self.phase {
                Phase::Error => self.failure.clone(),
                Phase::Ready => self.notice.clone(),
                _ => None,
            },
        }
    }
}

fn missing_fields(consumer: &Customer, shipping: &Address) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let blank = |s: &str| s.trim().is_empty();
    if blank(&consumer.first_name) {
        missing.push("first_name");
    }
    if blank(&consumer.last_name) {
        missing.push("last_name");
    }
    if blank(&consumer.phone_number) {
        missing.push("phone_number");
    }
    if blank(&shipping.line1) {
        missing.push("shipping_address.line1");
    }
    if blank(&shipping.city) {
        missing.push("shipping_address.city");
    }
    if blank(&shipping.country_code) {
        missing.push("shipping_address.country_code");
    }
    missing
}

// ---------------------------------------------------------------------------------------------
// View model and texts
// ---------------------------------------------------------------------------------------------

/// How an option is paid, from Tamara's `payment_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// `PAY_BY_INSTALMENTS` (and unknown types with several instalments).
    Instalments,
    /// `PAY_NOW`: in full.
    PayNow,
    /// `PAY_NEXT_MONTH` / `PAY_BY_LATER`.
    PayLater,
}

impl OptionKind {
    /// Classifies a payment type.
    pub fn of(payment_type: &str, instalments: u32) -> OptionKind {
        match payment_type {
            "PAY_NOW" => OptionKind::PayNow,
            "PAY_NEXT_MONTH" | "PAY_BY_LATER" => OptionKind::PayLater,
            _ if instalments <= 1 => OptionKind::PayNow,
            _ => OptionKind::Instalments,
        }
    }
}

/// One option as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionView {
    /// How it is paid.
    pub kind: OptionKind,
    /// Number of instalments.
    pub instalments: u32,
    /// Instalment amount in minor units.
    pub amount: u64,
    /// The Worker's label in the widget's language.
    pub label: String,
}

/// Why Tamara is not offered, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnavailableView {
    /// The Worker's reason.
    pub reason: Reason,
    /// Smallest order, minor units.
    pub min: Option<u64>,
    /// Largest order, minor units.
    pub max: Option<u64>,
}

/// Everything the DOM shows; equal → no re-render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewModel {
    /// Language.
    pub lang: Lang,
    /// Phase.
    pub phase: Phase,
    /// Currency of every amount.
    pub currency: String,
    /// Its decimals.
    pub exponent: u32,
    /// Options (ready/submitting/redirecting).
    pub options: Vec<OptionView>,
    /// Selected option.
    pub selected: usize,
    /// Unavailability (unavailable).
    pub unavailable: Option<UnavailableView>,
    /// Error or notice to announce.
    pub failure: Option<Failure>,
}

/// One option's texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionTexts {
    /// Main line: "4 interest-free payments of SAR 57.50".
    pub text: String,
    /// Second line: the Worker's label (empty if none or the same as `text`).
    pub label: String,
}

/// The primary button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ButtonTexts {
    /// Visible text.
    pub label: String,
    /// Disabled (submitting/redirecting/loading).
    pub disabled: bool,
    /// `continue` or `retry`: what a click does.
    pub action: &'static str,
}

/// All strings of one render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Texts {
    /// `lang` attribute.
    pub lang: &'static str,
    /// `dir` attribute.
    pub dir: &'static str,
    /// `data-state` attribute.
    pub state: &'static str,
    /// Heading next to the logo.
    pub title: String,
    /// Options.
    pub options: Vec<OptionTexts>,
    /// Selected option.
    pub selected: usize,
    /// Polite live region (loading, unavailable, submitting…).
    pub status: String,
    /// Assertive live region (errors).
    pub alert: String,
    /// The button, if any.
    pub button: Option<ButtonTexts>,
    /// `aria-busy`.
    pub busy: bool,
}

/// Instalment line in the widget's language.
pub fn instalment_text(lang: Lang, kind: OptionKind, count: u32, amount: &str) -> String {
    match (lang, kind) {
        (Lang::En, OptionKind::Instalments) => {
            format!("{count} interest-free payments of {amount}")
        }
        (Lang::Ar, OptionKind::Instalments) => format!("{count} دفعات بدون فوائد بقيمة {amount}"),
        (Lang::En, OptionKind::PayNow) => format!("Pay {amount} in full"),
        (Lang::Ar, OptionKind::PayNow) => format!("ادفع {amount} كاملة"),
        (Lang::En, OptionKind::PayLater) => format!("Pay {amount} next month, no fees"),
        (Lang::Ar, OptionKind::PayLater) => format!("ادفع {amount} الشهر القادم بدون رسوم"),
    }
}

/// Ends `text` with a full stop unless it already ends a sentence (the Worker's messages may not).
fn sentence(mut text: String) -> String {
    if !text.ends_with(['.', '!', '?', '؟', '。']) {
        text.push('.');
    }
    text
}

fn unavailable_text(lang: Lang, reason: &Reason) -> String {
    let known_ar = match reason.code.as_str() {
        "amount_below_minimum" | "below_min_limit" => Some("قيمة الطلب أقل من الحد الأدنى لتمارا."),
        "amount_above_maximum" | "above_max_limit" => Some("قيمة الطلب أعلى من الحد الأقصى لتمارا."),
        "not_available_for_customer" => Some("تمارا غير متاحة لهذا العميل."),
        "country_not_supported" | "unsupported_country" => Some("تمارا غير متوفرة في هذا البلد."),
        "currency_not_supported" | "unsupported_currency" => Some("تمارا لا تدعم هذه العملة."),
        _ => None,
    };
    match lang {
        Lang::En => {
            let why = if reason.message.trim().is_empty() {
                "Tamara can't be offered for this order."
            } else {
                reason.message.trim()
            };
            sentence(format!("Tamara isn't available for this order: {why}"))
        }
        Lang::Ar => {
            let why = known_ar.unwrap_or(if reason.message.trim().is_empty() {
                "لا يمكن تقديم تمارا لهذا الطلب."
            } else {
                reason.message.trim()
            });
            sentence(format!("تمارا غير متاحة لهذا الطلب: {why}"))
        }
    }
}

fn failure_text(lang: Lang, failure: &Failure) -> String {
    let en = lang == Lang::En;
    match (failure.stage, failure.code.as_str()) {
        (Stage::Input, _) => {
            if en {
                format!(
                    "Please complete your details before paying with Tamara ({}).",
                    failure.detail
                )
            } else {
                format!(
                    "يرجى إكمال بياناتك قبل الدفع عبر تمارا ({}).",
                    failure.detail
                )
            }
        }
        (Stage::Cart, "unknown_sku") => {
            if en {
                format!(
                    "A product in your cart is no longer sold ({}).",
                    failure.detail
                )
            } else {
                format!("أحد منتجات سلتك لم يعد متوفرًا ({}).", failure.detail)
            }
        }
        (Stage::Cart, _) => {
            if en {
                "Your cart has an invalid item or quantity.".to_owned()
            } else {
                "تحتوي سلتك على منتج أو كمية غير صالحة.".to_owned()
            }
        }
        (_, "network_error") => {
            if en {
                "We couldn't reach the payment service. Check your connection and try again."
                    .to_owned()
            } else {
                "تعذّر الوصول إلى خدمة الدفع. تحقّق من اتصالك وحاول مرة أخرى.".to_owned()
            }
        }
        (Stage::Checkout, _)
            if !failure.detail.trim().is_empty() && failure.code != "internal_error" =>
        {
            if en {
                format!(
                    "Tamara checkout couldn't be started: {}",
                    failure.detail.trim()
                )
            } else {
                format!("تعذّر بدء الدفع عبر تمارا: {}", failure.detail.trim())
            }
        }
        (Stage::Checkout, _) => {
            if en {
                "Tamara checkout couldn't be started. Please try again.".to_owned()
            } else {
                "تعذّر بدء الدفع عبر تمارا. يرجى المحاولة مرة أخرى.".to_owned()
            }
        }
        _ => {
            if en {
                "Tamara payment options couldn't be loaded. Please try again.".to_owned()
            } else {
                "تعذّر تحميل خيارات الدفع عبر تمارا. يرجى المحاولة مرة أخرى.".to_owned()
            }
        }
    }
}

impl ViewModel {
    /// All strings, with `format(minor)` turning an amount into display text (the browser
    /// passes `Intl.NumberFormat` over the exact decimal string).
    pub fn texts(&self, format: &dyn Fn(u64) -> String) -> Texts {
        let en = self.lang == Lang::En;
        let pick = |e: &str, a: &str| if en { e.to_owned() } else { a.to_owned() };
        let options: Vec<OptionTexts> = self
            .options
            .iter()
            .map(|o| {
                let text = instalment_text(self.lang, o.kind, o.instalments, &format(o.amount));
                let label = if o.label.trim() == text {
                    String::new()
                } else {
                    o.label.trim().to_owned()
                };
                OptionTexts { text, label }
            })
            .collect();
        let status = match self.phase {
            Phase::Idle => pick(
                "Add items to your cart to see Tamara payment options.",
                "أضف منتجات إلى سلتك لعرض خيارات الدفع عبر تمارا.",
            ),
            Phase::Loading => pick(
                "Checking Tamara payment options…",
                "جارٍ التحقق من خيارات الدفع عبر تمارا…",
            ),
            Phase::Unavailable => match &self.unavailable {
                Some(u) => {
                    let mut text = unavailable_text(self.lang, &u.reason);
                    if let (Some(min), Some(max)) = (u.min, u.max) {
                        text.push(' ');
                        text.push_str(&if en {
                            format!(
                                "Available for orders from {} to {}.",
                                format(min),
                                format(max)
                            )
                        } else {
                            format!("متاحة للطلبات من {} إلى {}.", format(min), format(max))
                        });
                    }
                    text
                }
                None => String::new(),
            },
            Phase::Submitting => pick(
                "Creating your Tamara checkout…",
                "جارٍ إنشاء عملية الدفع عبر تمارا…",
            ),
            Phase::Redirecting => pick("Taking you to Tamara…", "جارٍ تحويلك إلى تمارا…"),
            Phase::Ready | Phase::Error => String::new(),
        };
        let alert = self
            .failure
            .as_ref()
            .map(|f| failure_text(self.lang, f))
            .unwrap_or_default();
        let continue_label = pick("Continue with Tamara", "المتابعة مع تمارا");
        let button = match self.phase {
            Phase::Ready => Some(ButtonTexts {
                label: continue_label,
                disabled: false,
                action: "continue",
            }),
            Phase::Submitting | Phase::Redirecting => Some(ButtonTexts {
                label: pick("Please wait…", "يرجى الانتظار…"),
                disabled: true,
                action: "continue",
            }),
            Phase::Error => Some(ButtonTexts {
                label: pick("Try again", "حاول مرة أخرى"),
                disabled: false,
                action: "retry",
            }),
            Phase::Idle | Phase::Loading | Phase::Unavailable => None,
        };
        Texts {
            lang: self.lang.tag(),
            dir: self.lang.dir(),
            state: self.phase.name(),
            title: pick("Pay with Tamara", "ادفع مع تمارا"),
            options,
            selected: self.selected,
            status,
            alert,
            button,
            busy: matches!(
                self.phase,
                Phase::Loading | Phase::Submitting | Phase::Redirecting
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: u64) -> Money {
        Money {
            amount: minor_to_decimal(minor, 2),
            minor,
            currency: "SAR".into(),
        }
    }

    fn config(lang: &str) -> Config {
        Config::new("http://w.test/", "SA", "SAR", lang).unwrap()
    }

    fn catalog() -> Catalog {
        Catalog {
            currency: "SAR".into(),
            products: vec![
                Product {
                    sku: "TSHIRT-1".into(),
                    price: money(5750),
                },
                Product {
                    sku: "MUG-1".into(),
                    price: money(11500),
                },
            ],
        }
    }

    fn cart(items: &[(&str, u32)]) -> Cart {
        Cart {
            items: items
                .iter()
                .map(|(sku, quantity)| CartItem {
                    sku: (*sku).into(),
                    quantity: *quantity,
                })
                .collect(),
        }
    }

    fn offer(total: u64) -> PaymentOptions {
        PaymentOptions {
            available: true,
            amount: money(total),
            reason: None,
            options: vec![PaymentOption {
                payment_type: "PAY_BY_INSTALMENTS".into(),
                instalments: 4,
                instalment_amount: money(total / 4),
                label_en: "Split in 4".into(),
                label_ar: "قسّمها على 4".into(),
            }],
            min_limit: Some(money(10000)),
            max_limit: Some(money(500000)),
        }
    }

    fn customer() -> Customer {
        Customer {
            first_name: "Mona".into(),
            last_name: "Ali".into(),
            phone_number: "544337866".into(),
            email: Some("mona@example.com".into()),
        }
    }

    fn address() -> Address {
        Address {
            first_name: "Mona".into(),
            last_name: "Ali".into(),
            line1: "King Fahd Rd".into(),
            city: "Riyadh".into(),
            country_code: "SA".into(),
            ..Address::default()
        }
    }

    fn fmt(minor: u64) -> String {
        format!("SAR {}", minor_to_decimal(minor, 2))
    }

    /// A widget with the catalog loaded and `cart` priced: returns it and the options query.
    fn ready(items: &[(&str, u32)]) -> Widget {
        let mut w = Widget::new(config("en"), "abc123");
        assert_eq!(w.start(), vec![Effect::FetchCatalog]);
        assert!(w.apply(Input::CatalogLoaded(catalog())).is_empty());
        let fx = w.apply(Input::SetCart(cart(items)));
        let Effect::FetchOptions(seq, query) = &fx[0] else {
            panic!("{fx:?}")
        };
        let total = query.amount.replace('.', "").parse::<u64>().unwrap();
        w.apply(Input::OptionsLoaded(*seq, offer(total)));
        assert_eq!(w.phase(), Phase::Ready);
        w
    }

    #[test]
    fn a_prefetched_catalog_means_no_catalog_request() {
        let mut w = Widget::new(config("en"), "n");
        assert!(w.apply(Input::CatalogLoaded(catalog())).is_empty());
        assert!(w.start().is_empty());
        let fx = w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)])));
        assert!(matches!(&fx[..], [Effect::FetchOptions(1, q)] if q.amount == "230.00"));
    }

    #[test]
    fn decimals_and_exponents() {
        assert_eq!(minor_to_decimal(5750, 2), "57.50");
        assert_eq!(minor_to_decimal(5, 2), "0.05");
        assert_eq!(minor_to_decimal(1250, 3), "1.250");
        assert_eq!(minor_to_decimal(7, 3), "0.007");
        assert_eq!(minor_to_decimal(42, 0), "42");
        assert_eq!(currency_exponent("KWD"), Some(3));
        assert_eq!(currency_exponent("USD"), None);
    }

    #[test]
    fn config_checks_country_currency_lang() {
        let c = Config::new("https://shop.test//", "sa", "", "ar-SA").unwrap();
        assert_eq!(
            (c.worker_url.as_str(), c.currency.as_str(), c.lang),
            ("https://shop.test", "SAR", Lang::Ar)
        );
        assert_eq!(Config::new("", "KW", "KWD", "en").unwrap().exponent, 3);
        assert_eq!(
            Config::new("", "US", "", "en"),
            Err(ConfigError::Country("US".into()))
        );
        assert_eq!(
            Config::new("", "SA", "AED", "en"),
            Err(ConfigError::Currency("AED".into()))
        );
        assert!(matches!(
            Config::new("", "SA", "SAR", "fr"),
            Err(ConfigError::Lang(_))
        ));
        assert_eq!(Lang::parse("english"), None);
        assert_eq!(Lang::Ar.number_locale("SA"), "ar-SA-u-nu-latn");
    }

    #[test]
    fn cart_is_priced_in_minor_units_from_the_catalog() {
        let prices: Prices = [("A".to_owned(), 5750), ("B".to_owned(), 1)]
            .into_iter()
            .collect();
        assert_eq!(cart_total(&cart(&[("A", 4), ("B", 3)]), &prices), Ok(23003));
        assert_eq!(
            cart_total(&cart(&[("C", 1)]), &prices),
            Err(CartError::UnknownSku("C".into()))
        );
        assert_eq!(
            cart_total(&cart(&[("A", 0)]), &prices),
            Err(CartError::InvalidLine("A".into()))
        );
        assert_eq!(
            cart_total(&cart(&[("A", 1000)]), &prices),
            Err(CartError::InvalidLine("A".into()))
        );
        let huge: Prices = [("H".to_owned(), u64::MAX / 2)].into_iter().collect();
        assert_eq!(
            cart_total(&cart(&[("H", 3)]), &huge),
            Err(CartError::Overflow)
        );
    }

    #[test]
    fn query_is_encoded() {
        let q = OptionsQuery {
            country: "SA".into(),
            currency: "SAR".into(),
            amount: "230.00".into(),
            phone: Some("+966 5&4".into()),
        };
        assert_eq!(
            q.path(),
            "/api/payment-options?country=SA&currency=SAR&amount=230.00&phone=%2B966%205%264"
        );
    }

    #[test]
    fn cart_to_options_request_and_ready() {
        let mut w = Widget::new(config("en"), "n1");
        assert_eq!(w.start(), vec![Effect::FetchCatalog]);
        assert_eq!(w.start(), vec![]);
        // Cart before the catalog: loading, no second catalog fetch.
        assert!(w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)]))).is_empty());
        assert_eq!(w.phase(), Phase::Loading);
        let fx = w.apply(Input::CatalogLoaded(catalog()));
        let query = OptionsQuery {
            country: "SA".into(),
            currency: "SAR".into(),
            amount: "230.00".into(),
            phone: None,
        };
        assert_eq!(fx, vec![Effect::FetchOptions(1, query)]);
        let fx = w.apply(Input::OptionsLoaded(1, offer(23000)));
        assert_eq!(fx, vec![Effect::Availability(offer(23000))]);
        assert_eq!(w.phase(), Phase::Ready);
        let texts = w.view().texts(&fmt);
        assert_eq!(
            texts.options[0].text,
            "4 interest-free payments of SAR 57.50"
        );
        assert_eq!(texts.options[0].label, "Split in 4");
        assert_eq!(texts.button.unwrap().label, "Continue with Tamara");
        assert_eq!((texts.lang, texts.dir, texts.state), ("en", "ltr", "ready"));
    }

    #[test]
    fn same_inputs_mean_no_fetch_and_same_view() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        let before = w.view();
        assert!(w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)]))).is_empty());
        assert_eq!(w.view(), before);
        // A different cart with the same total: no new query, nothing to re-render.
        assert!(w
            .apply(Input::SetCart(cart(&[("TSHIRT-1", 2), ("TSHIRT-1", 2)])))
            .is_empty());
        assert_eq!(w.view(), before);
        // Changing the cart: new query, new seq; the stale answer is ignored.
        let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
        assert!(matches!(&fx[..], [Effect::FetchOptions(2, q)] if q.amount == "115.00"));
        assert!(w.apply(Input::OptionsLoaded(1, offer(11500))).is_empty());
        assert_eq!(w.phase(), Phase::Loading);
        let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1), ("TSHIRT-1", 1)])));
        assert!(matches!(&fx[..], [Effect::FetchOptions(3, _)]));
        w.apply(Input::OptionsLoaded(2, offer(11500)));
        assert_eq!(w.phase(), Phase::Loading);
        w.apply(Input::OptionsLoaded(3, offer(17250)));
        assert_eq!(w.phase(), Phase::Ready);
    }

    #[test]
    fn phone_changes_the_query() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        let fx = w.apply(Input::SetCustomer(customer()));
        assert!(
            matches!(&fx[..], [Effect::FetchOptions(_, q)] if q.phone.as_deref() == Some("544337866"))
        );
        assert!(w.apply(Input::SetCustomer(customer())).is_empty());
    }

    #[test]
    fn empty_cart_is_idle() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        assert!(w.apply(Input::SetCart(Cart::default())).is_empty());
        assert_eq!(w.phase(), Phase::Idle);
        let texts = w.view().texts(&fmt);
        assert!(texts.options.is_empty() && texts.button.is_none());
        assert!(texts.status.starts_with("Add items"));
    }

    #[test]
    fn unavailable_says_why_in_both_languages() {
        let mut w = Widget::new(config("en"), "n");
        w.start();
        w.apply(Input::CatalogLoaded(catalog()));
        w.apply(Input::SetCart(cart(&[("TSHIRT-1", 1)])));
        let answer = PaymentOptions {
            available: false,
            reason: Some(Reason {
                code: "amount_below_minimum".into(),
                message: "The order total is below Tamara's minimum of 100.00 SAR.".into(),
            }),
            options: vec![],
            ..offer(5750)
        };
        let fx = w.apply(Input::OptionsLoaded(1, answer.clone()));
        assert_eq!(fx, vec![Effect::Availability(answer)]);
        assert_eq!(w.phase(), Phase::Unavailable);
        let t = w.view().texts(&fmt);
        assert_eq!(
            t.status,
            "Tamara isn't available for this order: The order total is below Tamara's minimum of 100.00 SAR. Available for orders from SAR 100.00 to SAR 5000.00."
        );
        assert!(t.button.is_none() && t.options.is_empty());
        w.apply(Input::SetLang(Lang::Ar));
        let t = w.view().texts(&fmt);
        assert!(t.status.contains("أقل من الحد الأدنى"), "{}", t.status);
        assert_eq!(t.dir, "rtl");
        // Available but no options: unavailable too, with a generic reason.
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetCart(cart(&[("TSHIRT-1", 3)])));
        let fx = w.apply(Input::OptionsLoaded(
            2,
            PaymentOptions {
                options: vec![],
                ..offer(17250)
            },
        ));
        assert_eq!(fx.len(), 1);
        assert_eq!(w.phase(), Phase::Unavailable);
        assert!(w.view().texts(&fmt).status.contains("can't be offered"));
    }

    #[test]
    fn option_kinds_have_their_own_texts() {
        assert_eq!(OptionKind::of("PAY_NOW", 1), OptionKind::PayNow);
        assert_eq!(OptionKind::of("PAY_NEXT_MONTH", 1), OptionKind::PayLater);
        assert_eq!(
            OptionKind::of("PAY_BY_INSTALMENTS", 3),
            OptionKind::Instalments
        );
        assert_eq!(
            instalment_text(Lang::En, OptionKind::PayNow, 1, "SAR 230.00"),
            "Pay SAR 230.00 in full"
        );
        assert_eq!(
            instalment_text(Lang::Ar, OptionKind::PayLater, 1, "SAR 9.000"),
            "ادفع SAR 9.000 الشهر القادم بدون رسوم"
        );
    }

    #[test]
    fn only_http_checkout_urls_are_followed() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetCustomer(customer()));
        w.apply(Input::OptionsLoaded(2, offer(23000)));
        w.apply(Input::SetShipping(address()));
        w.apply(Input::Submit);
        let fx = w.apply(Input::CheckoutCreated(CheckoutCreated {
            order_id: "o".into(),
            checkout_url: "javascript:alert(1)".into(),
        }));
        assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_response"));
        assert_eq!(w.phase(), Phase::Error);
    }

    #[test]
    fn reasons_end_as_sentences() {
        let reason = Reason {
            code: "not_available_for_customer".into(),
            message: "Tamara is not available for this customer".into(),
        };
        assert_eq!(
            unavailable_text(Lang::En, &reason),
            "Tamara isn't available for this order: Tamara is not available for this customer."
        );
        assert_eq!(
            unavailable_text(Lang::Ar, &reason),
            "تمارا غير متاحة لهذا الطلب: تمارا غير متاحة لهذا العميل."
        );
    }

    #[test]
    fn arabic_texts() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetLang(Lang::Ar));
        let t = w.view().texts(&fmt);
        assert_eq!(t.options[0].text, "4 دفعات بدون فوائد بقيمة SAR 57.50");
        assert_eq!(t.options[0].label, "قسّمها على 4");
        assert_eq!(t.title, "ادفع مع تمارا");
        assert_eq!((t.lang, t.dir), ("ar", "rtl"));
    }

    #[test]
    fn options_error_then_retry() {
        let mut w = Widget::new(config("en"), "n");
        w.start();
        w.apply(Input::CatalogLoaded(catalog()));
        w.apply(Input::SetCart(cart(&[("MUG-1", 2)])));
        let fx = w.apply(Input::OptionsFailed(
            1,
            FetchError::Network("TypeError".into()),
        ));
        assert!(
            matches!(&fx[..], [Effect::Error(f)] if f.code == "network_error" && f.stage == Stage::Options)
        );
        let t = w.view().texts(&fmt);
        assert!(t.alert.starts_with("We couldn't reach the payment service"));
        assert_eq!(t.button.as_ref().map(|b| b.action), Some("retry"));
        // Same cart again while in error: nothing (no fetch storm, no re-render).
        let before = w.view();
        assert!(w.apply(Input::SetCart(cart(&[("MUG-1", 2)]))).is_empty());
        assert_eq!(w.view(), before);
        let fx = w.apply(Input::Retry);
        assert!(matches!(&fx[..], [Effect::FetchOptions(2, _)]));
        w.apply(Input::OptionsLoaded(2, offer(23000)));
        assert_eq!(w.phase(), Phase::Ready);
    }

    #[test]
    fn catalog_failure_and_unknown_sku() {
        let mut w = Widget::new(config("en"), "n");
        w.start();
        w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
        let fx = w.apply(Input::CatalogFailed(FetchError::Http {
            status: 503,
            code: "unavailable".into(),
            message: String::new(),
        }));
        assert!(matches!(&fx[..], [Effect::Error(f)] if f.stage == Stage::Catalog));
        assert_eq!(w.apply(Input::Retry), vec![Effect::FetchCatalog]);
        let fx = w.apply(Input::CatalogLoaded(catalog()));
        assert!(matches!(&fx[..], [Effect::FetchOptions(..)]));
        let fx = w.apply(Input::SetCart(cart(&[("GONE-9", 1)])));
        assert!(
            matches!(&fx[..], [Effect::Error(f)] if f.code == "unknown_sku" && f.detail == "GONE-9")
        );
        assert!(w.view().texts(&fmt).alert.contains("GONE-9"));
        assert!(w
            .apply(Input::SetCart(cart(&[("GONE-9", 1), ("GONE-9", 1)])))
            .is_empty());
    }

    #[test]
    fn submit_sends_skus_only_with_one_key_per_attempt() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        // Missing details: a notice, no request.
        let fx = w.apply(Input::Submit);
        assert!(
            matches!(&fx[..], [Effect::Error(f)] if f.stage == Stage::Input && f.detail.contains("first_name"))
        );
        assert_eq!(w.phase(), Phase::Ready);
        assert!(w
            .view()
            .texts(&fmt)
            .alert
            .starts_with("Please complete your details"));
        w.apply(Input::SetCustomer(customer()));
        let fx = w.apply(Input::OptionsLoaded(2, offer(23000)));
        assert_eq!(fx.len(), 1);
        w.apply(Input::SetShipping(address()));
        let fx = w.apply(Input::Submit);
        let [Effect::CreateCheckout(key, body)] = &fx[..] else {
            panic!("{fx:?}")
        };
        assert_eq!(key, "tw-abc123-1");
        assert_eq!(body.cart, cart(&[("TSHIRT-1", 4)]));
        assert_eq!((body.locale, body.country.as_str()), ("en_US", "SA"));
        assert_eq!(w.phase(), Phase::Submitting);
        let t = w.view().texts(&fmt);
        assert!(t.button.unwrap().disabled && t.busy);
        // Double click: nothing more.
        assert!(w.apply(Input::Submit).is_empty());
        // Network failure, retry: same key (the Worker answers with the same session).
        w.apply(Input::CheckoutFailed(FetchError::Network("offline".into())));
        assert_eq!(w.phase(), Phase::Error);
        let fx = w.apply(Input::Retry);
        assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-1"));
        // Validation error (4xx): back to ready with the Worker's message.
        let fx = w.apply(Input::CheckoutFailed(FetchError::Http {
            status: 422,
            code: "invalid_request".into(),
            message: "phone_number is not a Saudi mobile number".into(),
        }));
        assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_request"));
        assert_eq!(w.phase(), Phase::Ready);
        assert!(w
            .view()
            .texts(&fmt)
            .alert
            .contains("not a Saudi mobile number"));
        // Details fixed → different body → new key.
        w.apply(Input::SetShipping(Address {
            city: "Jeddah".into(),
            ..address()
        }));
        let fx = w.apply(Input::Submit);
        assert!(
            matches!(&fx[..], [Effect::CreateCheckout(k, b)] if k == "tw-abc123-2" && b.shipping_address.city == "Jeddah")
        );
        let created = CheckoutCreated {
            order_id: "o1".into(),
            checkout_url: "http://t/checkout/1".into(),
        };
        assert_eq!(
            w.apply(Input::CheckoutCreated(created.clone())),
            vec![Effect::Redirect(created)]
        );
        assert_eq!(w.phase(), Phase::Redirecting);
        assert!(w.apply(Input::Submit).is_empty());
        // Host canceled the redirect: ready again; the next attempt gets a new key.
        w.apply(Input::RedirectCanceled);
        assert_eq!(w.phase(), Phase::Ready);
        let fx = w.apply(Input::Submit);
        assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-3"));
    }

    #[test]
    fn reused_key_gets_a_new_one_and_cart_changes_while_submitting_apply_after() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetCustomer(customer()));
        w.apply(Input::OptionsLoaded(2, offer(23000)));
        w.apply(Input::SetShipping(address()));
        w.apply(Input::Submit);
        assert!(w.apply(Input::SetCart(cart(&[("MUG-1", 1)]))).is_empty());
        let fx = w.apply(Input::CheckoutFailed(FetchError::Http {
            status: 409,
            code: "idempotency_key_reused".into(),
            message: "different body".into(),
        }));
        // The error event, then the deferred options query for the new cart.
        assert!(
            matches!(&fx[..], [Effect::Error(_), Effect::FetchOptions(3, q)] if q.amount == "115.00")
        );
        w.apply(Input::OptionsLoaded(3, offer(11500)));
        let fx = w.apply(Input::Submit);
        assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-2"));
    }

    #[test]
    fn select_and_checkout_body_json_shape() {
        let mut w = ready(&[("TSHIRT-1", 1)]);
        w.apply(Input::Select(5));
        assert_eq!(w.view().selected, 0);
        let body = CheckoutRequest {
            cart: cart(&[("A", 2)]),
            signed_cart: None,
            consumer: customer(),
            shipping_address: address(),
            billing_address: None,
            locale: "ar_SA",
            country: "SA".into(),
        };
        // Prices never travel: the body holds SKUs and quantities only.
        let shape = format!("{body:?}");
        assert!(shape.contains("sku: \"A\"") && !shape.contains("price"));
    }
}
