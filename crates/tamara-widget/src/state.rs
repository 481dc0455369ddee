//! Pure widget state: no DOM, no network, no clock.
//!
//! The browser side (`mount.rs`, `view.rs`, `api.rs`) feeds [`Input`]s into [`Widget::apply`],
//! runs the [`Effect`]s it returns, and renders [`Widget::view`]. Everything a shopper sees is
//! decided here and tested natively:
//!
//! * cart → payment-options query: SKUs and quantities only (`items=TSHIRT-1:2,MUG-1:1`); the
//!   Worker prices them from its own catalog and answers with the total it would charge,
//! * availability, labels and the instalment text in English and Arabic,
//! * the phases `idle → loading → ready | unavailable | error → submitting → redirecting`,
//! * one `Idempotency-Key` per checkout attempt (a retry of the same body reuses it; a double
//!   click while submitting is ignored),
//! * render dedupe: [`Texts`] is `PartialEq`, so the same inputs produce no re-render.
//!
//! Size: nothing here formats with `core::fmt` (`format!`, `to_string`, `{}`): texts are joined
//! with [`cat`] and numbers written with [`push_uint`], which keeps the formatting machinery
//! out of the wasm; the checkout body is written by [`CheckoutRequest::to_json`] (serde's
//! derives for five nested structs cost more than 1 KB gzipped).

// ---------------------------------------------------------------------------------------------
// Text helpers (no core::fmt)
// ---------------------------------------------------------------------------------------------

/// Concatenates `parts`.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Appends `n` in decimal.
pub fn push_uint(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    for slot in digits.iter_mut() {
        *slot = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for digit in digits.iter().take(len).rev() {
        out.push(char::from(*digit));
    }
}

/// `n` in decimal.
pub fn uint(n: u64) -> String {
    let mut out = String::new();
    push_uint(&mut out, n);
    out
}

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
        let text = text.trim();
        if !matches!(text.as_bytes().get(2), None | Some(b'-' | b'_')) {
            return None;
        }
        match text.get(..2) {
            Some(l) if l.eq_ignore_ascii_case("en") => Some(Lang::En),
            Some(l) if l.eq_ignore_ascii_case("ar") => Some(Lang::Ar),
            _ => None,
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
            Lang::En => cat(&["en-", country]),
            Lang::Ar => cat(&["ar-", country, "-u-nu-latn"]),
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

/// The Arabic currency sign CLDR gives each Gulf currency (`ar-XX` locales); the code for others.
/// The same table as `tamara_core::Currency::arabic_sign`: the widget does not link tamara-core
/// (size).
fn arabic_sign(currency: &str) -> &str {
    match currency {
        "SAR" => "ر.س.",
        "AED" => "د.إ.",
        "QAR" => "ر.ق.",
        "KWD" => "د.ك.",
        "BHD" => "د.ب.",
        "OMR" => "ر.ع.",
        other => other,
    }
}

/// Money as text, exactly as `Intl.NumberFormat(lang.number_locale(country), {style:
/// "currency", currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent})`
/// prints it for the Gulf currencies (`SAR\u{a0}1,234.50`; Arabic with Latin digits:
/// `\u{200f}1,234.50\u{a0}ر.س.\u{200f}`), written by hand: a page's first `Intl.NumberFormat`
/// costs 20–60 ms of ICU set-up on the main thread, more than the rest of the widget's first
/// render. The browser tests compare this with `Intl` for every currency and both languages.
pub fn money_text(lang: Lang, currency: &str, exponent: u32, minor: u64) -> String {
    let decimal = minor_to_decimal(minor, exponent);
    let int_len = decimal
        .bytes()
        .position(|b| b == b'.')
        .unwrap_or(decimal.len());
    let mut number = String::with_capacity(decimal.len() + int_len / 3);
    for (i, b) in decimal.bytes().enumerate() {
        if i > 0 && i < int_len && (int_len - i) % 3 == 0 {
            number.push(',');
        }
        number.push(char::from(b));
    }
    match lang {
        Lang::Ar => cat(&[
            "\u{200f}",
            &number,
            "\u{a0}",
            arabic_sign(currency),
            "\u{200f}",
        ]),
        Lang::En => cat(&[currency, "\u{a0}", &number]),
    }
}

/// Integer minor units → exact decimal string (`5750, 2 → "57.50"`, `1250, 3 → "1.250"`).
pub fn minor_to_decimal(minor: u64, exponent: u32) -> String {
    let mut out = String::new();
    if exponent == 0 {
        push_uint(&mut out, minor);
        return out;
    }
    let scale = 10u64.pow(exponent);
    push_uint(&mut out, minor / scale);
    out.push('.');
    let mut fraction = String::new();
    push_uint(&mut fraction, minor % scale + scale); // leading "1" keeps the zeros
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

impl ConfigError {
    /// Human text, e.g. `unsupported country "US" (SA, AE, KW, BH, QA, OM)`.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Country(c) => {
                cat(&["unsupported country \"", c, "\" (SA, AE, KW, BH, QA, OM)"])
            }
            ConfigError::Currency(c) => cat(&["currency \"", c, "\" does not match the country"]),
            ConfigError::Lang(l) => cat(&["unsupported lang \"", l, "\" (en, ar)"]),
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartItem {
    /// Product SKU from the Worker's catalog.
    pub sku: String,
    /// Quantity, 1..=999.
    pub quantity: u32,
}

/// The cart as the host page gives it: `{items: [{sku, quantity}]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cart {
    /// Lines, in the host's order.
    pub items: Vec<CartItem>,
}

/// Consumer details (`el.customer`); camelCase names are accepted too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Customer {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Mobile number (national or international form).
    pub phone_number: String,
    /// E-mail address.
    pub email: Option<String>,
}

/// Shipping address (`el.shippingAddress`); camelCase names are accepted too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// Recipient's given name.
    pub first_name: String,
    /// Recipient's family name.
    pub last_name: String,
    /// Street line.
    pub line1: String,
    /// Second street line.
    pub line2: Option<String>,
    /// Region / province.
    pub region: Option<String>,
    /// City.
    pub city: String,
    /// ISO country code.
    pub country_code: String,
    /// Recipient's phone.
    pub phone_number: Option<String>,
}

/// Largest quantity per line the Worker accepts.
pub const MAX_QUANTITY: u32 = 999;
/// Most lines the Worker prices in one `items=` query.
pub const MAX_LINES: usize = 50;

/// The cart as the `items` query value: `SKU:QTY` pairs joined by commas
/// (`TSHIRT-1:2,MUG-1:1`), lines of the same SKU merged, SKUs percent-encoded. `Err(sku)` (the
/// offending SKU, or empty) when the Worker would refuse it: empty SKU, a `:` or `,` in it,
/// quantity outside 1..=999, more than 50 lines.
pub fn cart_items(cart: &Cart) -> Result<String, String> {
    let mut lines: Vec<(&str, u32)> = Vec::new();
    for item in &cart.items {
        let sku = item.sku.trim();
        if sku.is_empty() || sku.bytes().any(|b| b == b':' || b == b',') || item.quantity == 0 {
            return Err(item.sku.clone());
        }
        match lines.iter_mut().find(|(s, _)| *s == sku) {
            Some((_, quantity)) => *quantity = quantity.saturating_add(item.quantity),
            None => lines.push((sku, item.quantity)),
        }
    }
    if lines.len() > MAX_LINES {
        return Err(String::new());
    }
    let mut out = String::new();
    for (sku, quantity) in lines {
        if quantity > MAX_QUANTITY {
            return Err(sku.to_owned());
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&encode(sku));
        out.push(':');
        push_uint(&mut out, u64::from(quantity));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Worker answers (§2.1 of CONTRACTS.md)
// ---------------------------------------------------------------------------------------------

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

/// Create-checkout body (CONTRACTS.md §2.1): SKUs and quantities, never prices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// The cart, priced by the Worker.
    pub cart: Cart,
    /// Always `null` from the widget (a signed cart is for server-side carts).
    /// Consumer.
    pub consumer: Customer,
    /// Shipping address.
    pub shipping_address: Address,
    /// `billing_address` is always `null` (Tamara uses the shipping address).
    /// `en_US` / `ar_SA`.
    pub locale: &'static str,
    /// ISO country.
    pub country: String,
}

/// Writes JSON text: objects, strings, numbers, `null` (what the checkout body needs).
struct Json(String);

impl Json {
    fn open(&mut self, c: char) {
        self.0.push(c);
    }
    fn close(&mut self, c: char) {
        if self.0.ends_with(',') {
            self.0.pop();
        }
        self.0.push(c);
        self.0.push(',');
    }
    fn key(&mut self, key: &str) {
        self.string(key);
        self.0.pop();
        self.0.push(':');
    }
    fn string(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push('"');
        for c in text.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                c if u32::from(c) < 0x20 => {
                    self.0.push_str("\\u00");
                    let byte = u32::from(c) as usize;
                    for nibble in [byte >> 4, byte & 15] {
                        self.0
                            .push(char::from(HEX.get(nibble).copied().unwrap_or(b'0')));
                    }
                }
                c => self.0.push(c),
            }
        }
        self.0.push_str("\",");
    }
    fn field(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }
    fn optional(&mut self, key: &str, value: Option<&String>) {
        if let Some(value) = value {
            self.field(key, value);
        }
    }
    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.0.push_str(value);
        self.0.push(',');
    }
}

impl CheckoutRequest {
    /// The JSON body of `POST /api/checkout` (CONTRACTS.md §2.1); optional fields that are
    /// `None` are left out.
    pub fn to_json(&self) -> String {
        let mut j = Json(String::new());
        j.open('{');
        j.key("cart");
        j.open('{');
        j.key("items");
        j.open('[');
        for item in &self.cart.items {
            j.open('{');
            j.field("sku", &item.sku);
            j.raw("quantity", &uint(u64::from(item.quantity)));
            j.close('}');
        }
        j.close(']');
        j.close('}');
        j.raw("signed_cart", "null");
        let c = &self.consumer;
        j.key("consumer");
        j.open('{');
        j.field("first_name", &c.first_name);
        j.field("last_name", &c.last_name);
        j.field("phone_number", &c.phone_number);
        j.optional("email", c.email.as_ref());
        j.close('}');
        let a = &self.shipping_address;
        j.key("shipping_address");
        j.open('{');
        j.field("first_name", &a.first_name);
        j.field("last_name", &a.last_name);
        j.field("line1", &a.line1);
        j.optional("line2", a.line2.as_ref());
        j.optional("region", a.region.as_ref());
        j.field("city", &a.city);
        j.field("country_code", &a.country_code);
        j.optional("phone_number", a.phone_number.as_ref());
        j.close('}');
        j.raw("billing_address", "null");
        j.field("locale", self.locale);
        j.field("country", &self.country);
        j.close('}');
        j.0.pop();
        j.0
    }
}

/// Query of `GET /api/payment-options`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsQuery {
    /// ISO country.
    pub country: String,
    /// ISO currency.
    pub currency: String,
    /// The cart as `SKU:QTY,…` ([`cart_items`]).
    pub items: String,
    /// Consumer phone, when known.
    pub phone: Option<String>,
}

impl OptionsQuery {
    /// Path and query string, e.g.
    /// `/api/payment-options?country=SA&currency=SAR&items=TSHIRT-1:2,MUG-1:1`.
    pub fn path(&self) -> String {
        let mut path = cat(&[
            "/api/payment-options?country=",
            &encode(&self.country),
            "&currency=",
            &encode(&self.currency),
            "&items=",
            &self.items,
        ]);
        if let Some(phone) = &self.phone {
            path.push_str("&phone=");
            path.push_str(&encode(phone));
        }
        path
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            for nibble in [byte >> 4, byte & 15] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
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

/// The pure widget model.
#[derive(Clone, Debug)]
pub struct Widget {
    config: Config,
    cart: Option<Cart>,
    customer: Option<Customer>,
    shipping: Option<Address>,
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
}

impl Widget {
    /// A new widget; `nonce` (random, from the browser) makes idempotency keys unique.
    pub fn new(config: Config, nonce: &str) -> Widget {
        Widget {
            config,
            cart: None,
            customer: None,
            shipping: None,
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
            Input::OptionsLoaded(seq, answer) => {
                if seq != self.seq || self.phase != Phase::Loading {
                    return Vec::new();
                }
                if answer.amount.currency != self.config.currency {
                    return self.fail(Stage::Options, "currency_mismatch", String::new());
                }
                let available = answer.available && !answer.options.is_empty();
                self.phase = if available {
                    Phase::Ready
                } else {
                    Phase::Unavailable
                };
                if self.selected >= answer.options.len() {
                    self.selected = 0;
                }
                self.failure = None;
                self.offer = Some(answer);
                vec![Effect::Availability(available)]
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
                }
                Vec::new()
            }
        }
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
        let items = match cart_items(cart) {
            Ok(items) => items,
            Err(sku) => {
                self.last_query = None;
                if self.phase == Phase::Error
                    && self
                        .failure
                        .as_ref()
                        .is_some_and(|f| f.code == "invalid_cart" && f.detail == sku)
                {
                    return Vec::new();
                }
                return self.fail(Stage::Cart, "invalid_cart", sku);
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
            items,
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
        let stage = self.failure.take().map(|f| f.stage);
        if stage == Some(Stage::Checkout) {
            // Same body → same Idempotency-Key: a session the Worker already made is reused.
            self.phase = Phase::Ready;
            return self.submit();
        }
        self.last_query = None;
        self.phase = Phase::Loading;
        self.refresh()
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
                detail: missing,
            };
            self.notice = Some(failure.clone());
            return vec![Effect::Error(failure)];
        }
        self.notice = None;
        let body = CheckoutRequest {
            cart,
            consumer,
            shipping_address: shipping,
            locale: self.config.lang.tamara_locale(),
            country: self.config.country.clone(),
        };
        let key = match &self.attempt {
            Some((key, previous)) if *previous == body => key.clone(),
            _ => {
                self.attempts += 1;
                let mut key = cat(&["tw-", &self.nonce, "-"]);
                push_uint(&mut key, u64::from(self.attempts));
                self.attempt = Some((key.clone(), body.clone()));
                key
            }
        };
        self.phase = Phase::Submitting;
        vec![Effect::CreateCheckout(key, Box::new(body))]
    }

    /// Everything the DOM shows, with `format(minor)` turning an amount into display text
    /// (in the browser [`money_text`], which prints what `Intl.NumberFormat` would). Equal texts need
    /// no DOM work.
    pub fn texts(&self, format: &dyn Fn(u64) -> String) -> Texts {
        let lang = self.config.lang;
        let en = lang == Lang::En;
        let pick = |e: &'static str, a: &'static str| if en { e } else { a };
        let offer = self.offer.as_ref();
        let options = match (self.phase, offer) {
            (Phase::Ready | Phase::Submitting | Phase::Redirecting, Some(offer)) => offer
                .options
                .iter()
                .map(|o| {
                    let kind = OptionKind::of(&o.payment_type, o.instalments);
                    let text = instalment_text(
                        lang,
                        kind,
                        o.instalments,
                        &format(o.instalment_amount.minor),
                    );
                    let label = (if en { &o.label_en } else { &o.label_ar }).trim();
                    let label = if label == text { "" } else { label };
                    OptionTexts {
                        text,
                        label: label.to_owned(),
                    }
                })
                .collect(),
            _ => Vec::new(),
        };
        let fixed = match self.phase {
            Phase::Idle => pick(
                "Add items to your cart to see Tamara payment options.",
                "أضف منتجات إلى سلتك لعرض خيارات الدفع عبر تمارا.",
            ),
            Phase::Loading => pick(
                "Checking Tamara payment options…",
                "جارٍ التحقق من خيارات الدفع عبر تمارا…",
            ),
            Phase::Submitting => pick(
                "Creating your Tamara checkout…",
                "جارٍ إنشاء عملية الدفع عبر تمارا…",
            ),
            Phase::Redirecting => pick("Taking you to Tamara…", "جارٍ تحويلك إلى تمارا…"),
            _ => "",
        };
        let status = match (self.phase, offer) {
            (Phase::Unavailable, Some(offer)) => {
                let mut text = match &offer.reason {
                    Some(reason) => unavailable_text(lang, &reason.code, &reason.message),
                    None => unavailable_text(lang, "not_available", ""),
                };
                if let (Some(min), Some(max)) = (&offer.min_limit, &offer.max_limit) {
                    let (min, max) = (format(min.minor), format(max.minor));
                    text.push_str(&if en {
                        cat(&[" Available for orders from ", &min, " to ", &max, "."])
                    } else {
                        cat(&[" متاحة للطلبات من ", &min, " إلى ", &max, "."])
                    });
                }
                text
            }
            _ => fixed.to_owned(),
        };
        let failure = match self.phase {
            Phase::Error => self.failure.as_ref(),
            Phase::Ready => self.notice.as_ref(),
            _ => None,
        };
        let button = match self.phase {
            Phase::Ready => Some(ButtonTexts {
                label: pick("Continue with Tamara", "المتابعة مع تمارا"),
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
            _ => None,
        };
        Texts {
            lang: lang.tag(),
            dir: lang.dir(),
            state: self.phase.name(),
            title: pick("Pay with Tamara", "ادفع مع تمارا"),
            options,
            selected: self.selected,
            status,
            alert: failure.map(|f| failure_text(lang, f)).unwrap_or_default(),
            button,
            busy: matches!(
                self.phase,
                Phase::Loading | Phase::Submitting | Phase::Redirecting
            ),
        }
    }
}

/// The required details that are blank, as `first_name, shipping_address.city` (empty if none).
fn missing_fields(consumer: &Customer, shipping: &Address) -> String {
    let mut missing = String::new();
    for (value, name) in [
        (&consumer.first_name, "first_name"),
        (&consumer.last_name, "last_name"),
        (&consumer.phone_number, "phone_number"),
        (&shipping.line1, "shipping_address.line1"),
        (&shipping.city, "shipping_address.city"),
        (&shipping.country_code, "shipping_address.country_code"),
    ] {
        if value.trim().is_empty() {
            if !missing.is_empty() {
                missing.push_str(", ");
            }
            missing.push_str(name);
        }
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
    pub label: &'static str,
    /// Disabled (submitting/redirecting).
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
    pub title: &'static str,
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
    let count = uint(u64::from(count));
    match (lang, kind) {
        (Lang::En, OptionKind::Instalments) => {
            cat(&[&count, " interest-free payments of ", amount])
        }
        (Lang::Ar, OptionKind::Instalments) => cat(&[&count, " دفعات بدون فوائد بقيمة ", amount]),
        (Lang::En, OptionKind::PayNow) => cat(&["Pay ", amount, " in full"]),
        (Lang::Ar, OptionKind::PayNow) => cat(&["ادفع ", amount, " كاملة"]),
        (Lang::En, OptionKind::PayLater) => cat(&["Pay ", amount, " next month, no fees"]),
        (Lang::Ar, OptionKind::PayLater) => cat(&["ادفع ", amount, " الشهر القادم بدون رسوم"]),
    }
}

/// `prefix` + `why`, ended with a full stop unless it already ends a sentence (the Worker's
/// messages may not).
fn sentence(prefix: &str, why: &str) -> String {
    let mut text = cat(&[prefix, why]);
    if !matches!(text.chars().next_back(), Some('.' | '!' | '?' | '؟' | '。')) {
        text.push('.');
    }
    text
}

fn unavailable_text(lang: Lang, code: &str, message: &str) -> String {
    let message = message.trim();
    match lang {
        Lang::En => sentence(
            "Tamara isn't available for this order: ",
            if message.is_empty() {
                "Tamara can't be offered for this order."
            } else {
                message
            },
        ),
        Lang::Ar => {
            let known = match code {
                "amount_below_minimum" | "below_min_limit" => {
                    "قيمة الطلب أقل من الحد الأدنى لتمارا."
                }
                "amount_above_maximum" | "above_max_limit" => {
                    "قيمة الطلب أعلى من الحد الأقصى لتمارا."
                }
                "not_available_for_customer" => "تمارا غير متاحة لهذا العميل.",
                "country_not_supported" | "unsupported_country" => "تمارا غير متوفرة في هذا البلد.",
                "currency_not_supported" | "unsupported_currency" => "تمارا لا تدعم هذه العملة.",
                _ if message.is_empty() => "لا يمكن تقديم تمارا لهذا الطلب.",
                _ => message,
            };
            sentence("تمارا غير متاحة لهذا الطلب: ", known)
        }
    }
}

fn failure_text(lang: Lang, failure: &Failure) -> String {
    let en = lang == Lang::En;
    let pick = |e: &str, a: &str| if en { e.to_owned() } else { a.to_owned() };
    let detail = failure.detail.trim();
    match (failure.stage, failure.code.as_str()) {
        (Stage::Input, _) => {
            if en {
                cat(&[
                    "Please complete your details before paying with Tamara (",
                    detail,
                    ").",
                ])
            } else {
                cat(&["يرجى إكمال بياناتك قبل الدفع عبر تمارا (", detail, ")."])
            }
        }
        (_, "unknown_sku") => {
            let text = pick(
                "A product in your cart is no longer sold",
                "أحد منتجات سلتك لم يعد متوفرًا",
            );
            if detail.is_empty() {
                cat(&[&text, "."])
            } else {
                cat(&[&text, " (", detail, ")."])
            }
        }
        (Stage::Cart, _) | (_, "invalid_cart") => pick(
            "Your cart has an invalid item or quantity.",
            "تحتوي سلتك على منتج أو كمية غير صالحة.",
        ),
        (_, "network_error") => pick(
            "We couldn't reach the payment service. Check your connection and try again.",
            "تعذّر الوصول إلى خدمة الدفع. تحقّق من اتصالك وحاول مرة أخرى.",
        ),
        (Stage::Checkout, _) if !detail.is_empty() && failure.code != "internal_error" => {
            if en {
                cat(&["Tamara checkout couldn't be started: ", detail])
            } else {
                cat(&["تعذّر بدء الدفع عبر تمارا: ", detail])
            }
        }
        (Stage::Checkout, _) => pick(
            "Tamara checkout couldn't be started. Please try again.",
            "تعذّر بدء الدفع عبر تمارا. يرجى المحاولة مرة أخرى.",
        ),
        _ => pick(
            "Tamara payment options couldn't be loaded. Please try again.",
            "تعذّر تحميل خيارات الدفع عبر تمارا. يرجى المحاولة مرة أخرى.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(minor: u64) -> Money {
        Money {
            minor,
            currency: "SAR".into(),
        }
    }

    fn config(lang: &str) -> Config {
        Config::new("http://w.test/", "SA", "SAR", lang).unwrap()
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

    fn query(items: &str, phone: Option<&str>) -> OptionsQuery {
        OptionsQuery {
            country: "SA".into(),
            currency: "SAR".into(),
            items: items.into(),
            phone: phone.map(Into::into),
        }
    }

    /// A widget whose `cart` the Worker offered Tamara for (a 230.00 offer).
    fn ready(items: &[(&str, u32)]) -> Widget {
        let mut w = Widget::new(config("en"), "abc123");
        let fx = w.apply(Input::SetCart(cart(items)));
        let Effect::FetchOptions(seq, _) = &fx[0] else {
            panic!("{fx:?}")
        };
        w.apply(Input::OptionsLoaded(*seq, offer(23000)));
        assert_eq!(w.phase(), Phase::Ready);
        w
    }

    #[test]
    fn numbers_without_core_fmt() {
        assert_eq!(uint(0), "0");
        assert_eq!(uint(7), "7");
        assert_eq!(uint(1_000_000), "1000000");
        assert_eq!(uint(u64::MAX), u64::MAX.to_string());
        assert_eq!(cat(&["a", "", "bc"]), "abc");
    }

    #[test]
    fn decimals_and_exponents() {
        assert_eq!(minor_to_decimal(5750, 2), "57.50");
        assert_eq!(minor_to_decimal(5, 2), "0.05");
        assert_eq!(minor_to_decimal(1250, 3), "1.250");
        assert_eq!(minor_to_decimal(7, 3), "0.007");
        assert_eq!(minor_to_decimal(42, 0), "42");
        assert_eq!(minor_to_decimal(0, 2), "0.00");
        assert_eq!(minor_to_decimal(100, 2), "1.00");
        assert_eq!(minor_to_decimal(123456789, 3), "123456.789");
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
        let err = Config::new("", "US", "", "en").unwrap_err();
        assert_eq!(err, ConfigError::Country("US".into()));
        assert_eq!(
            err.message(),
            "unsupported country \"US\" (SA, AE, KW, BH, QA, OM)"
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
        assert_eq!(Lang::parse(" AR_sa "), Some(Lang::Ar));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("e"), None);
        assert_eq!(Lang::parse("ع"), None);
        assert_eq!(Lang::Ar.number_locale("SA"), "ar-SA-u-nu-latn");
    }

    #[test]
    fn money_text_matches_intl_patterns() {
        let cases: [(Lang, &str, u32, u64, &str); 8] = [
            (Lang::En, "SAR", 2, 5750, "SAR\u{a0}57.50"),
            (Lang::En, "SAR", 2, 0, "SAR\u{a0}0.00"),
            (Lang::En, "SAR", 2, 123_456_789, "SAR\u{a0}1,234,567.89"),
            (Lang::En, "KWD", 3, 1_234_567_125, "KWD\u{a0}1,234,567.125"),
            (Lang::En, "OMR", 3, 100_000, "OMR\u{a0}100.000"),
            (Lang::En, "AED", 2, 100_000, "AED\u{a0}1,000.00"),
            (
                Lang::Ar,
                "SAR",
                2,
                123_450,
                "\u{200f}1,234.50\u{a0}ر.س.\u{200f}",
            ),
            (
                Lang::Ar,
                "BHD",
                3,
                57_500,
                "\u{200f}57.500\u{a0}د.ب.\u{200f}",
            ),
        ];
        for (lang, currency, exponent, minor, want) in cases {
            assert_eq!(money_text(lang, currency, exponent, minor), want);
        }
    }

    #[test]
    fn cart_becomes_the_items_query() {
        assert_eq!(
            cart_items(&cart(&[("TSHIRT-1", 2), ("MUG-1", 1)])).as_deref(),
            Ok("TSHIRT-1:2,MUG-1:1")
        );
        // Lines of one SKU are merged; SKUs are percent-encoded.
        assert_eq!(
            cart_items(&cart(&[("A", 2), ("B b", 1), ("A", 3)])).as_deref(),
            Ok("A:5,B%20b:1")
        );
        assert_eq!(cart_items(&cart(&[("A", 0)])), Err("A".into()));
        assert_eq!(cart_items(&cart(&[("A", 1000)])), Err("A".into()));
        assert_eq!(
            cart_items(&cart(&[("A", 600), ("A", 400)])),
            Err("A".into())
        );
        assert_eq!(cart_items(&cart(&[(" ", 1)])), Err(" ".into()));
        assert_eq!(cart_items(&cart(&[("A:1", 1)])), Err("A:1".into()));
        let many: Vec<String> = (0..51).map(|i| format!("S{i}")).collect();
        let lines: Vec<(&str, u32)> = many.iter().map(|s| (s.as_str(), 1)).collect();
        assert_eq!(cart_items(&cart(&lines)), Err(String::new()));
        assert!(cart_items(&cart(&lines[..50])).is_ok());
    }

    #[test]
    fn query_is_encoded() {
        assert_eq!(
            query("TSHIRT-1:4", Some("+966 5&4")).path(),
            "/api/payment-options?country=SA&currency=SAR&items=TSHIRT-1:4&phone=%2B966%205%264"
        );
    }

    #[test]
    fn cart_to_options_request_and_ready() {
        let mut w = Widget::new(config("en"), "n1");
        assert_eq!(w.phase(), Phase::Idle);
        // One request, straight from the cart: the Worker prices it.
        let fx = w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)])));
        assert_eq!(fx, vec![Effect::FetchOptions(1, query("TSHIRT-1:4", None))]);
        assert_eq!(w.phase(), Phase::Loading);
        let fx = w.apply(Input::OptionsLoaded(1, offer(23000)));
        assert_eq!(fx, vec![Effect::Availability(true)]);
        assert_eq!(w.phase(), Phase::Ready);
        let texts = w.texts(&fmt);
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
        let before = w.texts(&fmt);
        assert!(w.apply(Input::SetCart(cart(&[("TSHIRT-1", 4)]))).is_empty());
        assert_eq!(w.texts(&fmt), before);
        // The same lines split differently: same query, nothing to re-render.
        assert!(w
            .apply(Input::SetCart(cart(&[("TSHIRT-1", 2), ("TSHIRT-1", 2)])))
            .is_empty());
        assert_eq!(w.texts(&fmt), before);
        // Changing the cart: new query, new seq; the stale answer is ignored.
        let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
        assert_eq!(fx, vec![Effect::FetchOptions(2, query("MUG-1:1", None))]);
        assert!(w.apply(Input::OptionsLoaded(1, offer(11500))).is_empty());
        assert_eq!(w.phase(), Phase::Loading);
        let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1), ("TSHIRT-1", 1)])));
        assert!(matches!(&fx[..], [Effect::FetchOptions(3, q)] if q.items == "MUG-1:1,TSHIRT-1:1"));
        w.apply(Input::OptionsLoaded(2, offer(11500)));
        assert_eq!(w.phase(), Phase::Loading);
        w.apply(Input::OptionsLoaded(3, offer(17250)));
        assert_eq!(w.phase(), Phase::Ready);
    }

    #[test]
    fn phone_changes_the_query() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        let fx = w.apply(Input::SetCustomer(customer()));
        assert_eq!(
            fx,
            vec![Effect::FetchOptions(
                2,
                query("TSHIRT-1:4", Some("544337866"))
            )]
        );
        assert!(w.apply(Input::SetCustomer(customer())).is_empty());
    }

    #[test]
    fn empty_cart_is_idle() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        assert!(w.apply(Input::SetCart(Cart::default())).is_empty());
        assert_eq!(w.phase(), Phase::Idle);
        let texts = w.texts(&fmt);
        assert!(texts.options.is_empty() && texts.button.is_none());
        assert!(texts.status.starts_with("Add items"));
    }

    #[test]
    fn unavailable_says_why_in_both_languages() {
        let mut w = Widget::new(config("en"), "n");
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
        let fx = w.apply(Input::OptionsLoaded(1, answer));
        assert_eq!(fx, vec![Effect::Availability(false)]);
        assert_eq!(w.phase(), Phase::Unavailable);
        let t = w.texts(&fmt);
        assert_eq!(
            t.status,
            "Tamara isn't available for this order: The order total is below Tamara's minimum of 100.00 SAR. Available for orders from SAR 100.00 to SAR 5000.00."
        );
        assert!(t.button.is_none() && t.options.is_empty());
        w.apply(Input::SetLang(Lang::Ar));
        let t = w.texts(&fmt);
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
        assert!(w.texts(&fmt).status.contains("can't be offered"));
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
        assert_eq!(
            instalment_text(Lang::En, OptionKind::Instalments, 12, "SAR 1.00"),
            "12 interest-free payments of SAR 1.00"
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
        w.apply(Input::Retry);
        let fx = w.apply(Input::CheckoutCreated(CheckoutCreated {
            order_id: "o".into(),
            checkout_url: "HTTPS://t/x".into(),
        }));
        assert!(matches!(&fx[..], [Effect::Redirect(_)]));
        w.apply(Input::RedirectCanceled);
        w.apply(Input::Submit);
        let fx = w.apply(Input::CheckoutCreated(CheckoutCreated {
            order_id: "o".into(),
            checkout_url: "http".into(),
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
            unavailable_text(Lang::En, &reason.code, &reason.message),
            "Tamara isn't available for this order: Tamara is not available for this customer."
        );
        assert_eq!(
            unavailable_text(Lang::Ar, &reason.code, &reason.message),
            "تمارا غير متاحة لهذا الطلب: تمارا غير متاحة لهذا العميل."
        );
    }

    #[test]
    fn arabic_texts() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetLang(Lang::Ar));
        let t = w.texts(&fmt);
        assert_eq!(t.options[0].text, "4 دفعات بدون فوائد بقيمة SAR 57.50");
        assert_eq!(t.options[0].label, "قسّمها على 4");
        assert_eq!(t.title, "ادفع مع تمارا");
        assert_eq!((t.lang, t.dir), ("ar", "rtl"));
    }

    #[test]
    fn options_error_then_retry() {
        let mut w = Widget::new(config("en"), "n");
        w.apply(Input::SetCart(cart(&[("MUG-1", 2)])));
        let fx = w.apply(Input::OptionsFailed(
            1,
            FetchError::Network("TypeError".into()),
        ));
        assert!(
            matches!(&fx[..], [Effect::Error(f)] if f.code == "network_error" && f.stage == Stage::Options)
        );
        let t = w.texts(&fmt);
        assert!(t.alert.starts_with("We couldn't reach the payment service"));
        assert_eq!(t.button.as_ref().map(|b| b.action), Some("retry"));
        // Same cart again while in error: nothing (no fetch storm, no re-render).
        let before = w.texts(&fmt);
        assert!(w.apply(Input::SetCart(cart(&[("MUG-1", 2)]))).is_empty());
        assert_eq!(w.texts(&fmt), before);
        let fx = w.apply(Input::Retry);
        assert!(matches!(&fx[..], [Effect::FetchOptions(2, _)]));
        w.apply(Input::OptionsLoaded(2, offer(23000)));
        assert_eq!(w.phase(), Phase::Ready);
    }

    #[test]
    fn unknown_sku_and_invalid_cart() {
        // The Worker refuses a SKU it does not sell (422 unknown_sku).
        let mut w = Widget::new(config("en"), "n");
        w.apply(Input::SetCart(cart(&[("GONE-9", 1)])));
        let fx = w.apply(Input::OptionsFailed(
            1,
            FetchError::Http {
                status: 422,
                code: "unknown_sku".into(),
                message: "unknown SKU GONE-9".into(),
            },
        ));
        assert!(matches!(&fx[..], [Effect::Error(f)] if f.code == "unknown_sku"));
        let t = w.texts(&fmt);
        assert_eq!(
            t.alert,
            "A product in your cart is no longer sold (unknown SKU GONE-9)."
        );
        // The same cart again: no new request.
        assert!(w.apply(Input::SetCart(cart(&[("GONE-9", 1)]))).is_empty());
        // A line the Worker would refuse is not sent at all.
        let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1000)])));
        assert!(
            matches!(&fx[..], [Effect::Error(f)] if f.code == "invalid_cart" && f.stage == Stage::Cart && f.detail == "MUG-1")
        );
        assert!(w
            .texts(&fmt)
            .alert
            .starts_with("Your cart has an invalid item"));
        assert!(w
            .apply(Input::SetCart(cart(&[("MUG-1", 999), ("MUG-1", 1)])))
            .is_empty());
        // Fixed: one request.
        let fx = w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
        assert!(matches!(&fx[..], [Effect::FetchOptions(2, q)] if q.items == "MUG-1:1"));
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
        let t = w.texts(&fmt);
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
        assert!(w.texts(&fmt).alert.contains("not a Saudi mobile number"));
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
    fn options_error_after_a_refused_checkout_retries_the_options() {
        let mut w = ready(&[("TSHIRT-1", 4)]);
        w.apply(Input::SetCustomer(customer()));
        w.apply(Input::OptionsLoaded(2, offer(23000)));
        w.apply(Input::SetShipping(address()));
        w.apply(Input::Submit);
        w.apply(Input::CheckoutFailed(FetchError::Http {
            status: 422,
            code: "invalid_request".into(),
            message: "bad".into(),
        }));
        w.apply(Input::SetCart(cart(&[("MUG-1", 1)])));
        w.apply(Input::OptionsFailed(3, FetchError::Network("x".into())));
        assert_eq!(w.phase(), Phase::Error);
        assert!(matches!(
            &w.apply(Input::Retry)[..],
            [Effect::FetchOptions(4, _)]
        ));
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
            matches!(&fx[..], [Effect::Error(_), Effect::FetchOptions(3, q)] if q.items == "MUG-1:1")
        );
        w.apply(Input::OptionsLoaded(3, offer(11500)));
        let fx = w.apply(Input::Submit);
        assert!(matches!(&fx[..], [Effect::CreateCheckout(k, _)] if k == "tw-abc123-2"));
    }

    #[test]
    fn select_and_checkout_body_json_shape() {
        let mut w = ready(&[("TSHIRT-1", 1)]);
        w.apply(Input::Select(5));
        assert_eq!(w.texts(&fmt).selected, 0);
        let body = CheckoutRequest {
            cart: cart(&[("A", 2), ("B\"\\\n", 1)]),
            consumer: customer(),
            shipping_address: Address {
                line2: Some("Apt 4".into()),
                ..address()
            },
            locale: "ar_SA",
            country: "SA".into(),
        };
        // Prices never travel: the body holds SKUs and quantities only.
        assert_eq!(
            body.to_json(),
            concat!(
                r#"{"cart":{"items":[{"sku":"A","quantity":2},{"sku":"B\"\\\u000a","quantity":1}]},"#,
                r#""signed_cart":null,"consumer":{"first_name":"Mona","last_name":"Ali","#,
                r#""phone_number":"544337866","email":"mona@example.com"},"#,
                r#""shipping_address":{"first_name":"Mona","last_name":"Ali","line1":"King Fahd Rd","#,
                r#""line2":"Apt 4","city":"Riyadh","country_code":"SA"},"billing_address":null,"#,
                r#""locale":"ar_SA","country":"SA"}"#
            )
        );
        let empty = CheckoutRequest {
            cart: Cart::default(),
            consumer: Customer::default(),
            shipping_address: Address::default(),
            locale: "en_US",
            country: "SA".into(),
        };
        assert!(empty
            .to_json()
            .starts_with(r#"{"cart":{"items":[]},"signed_cart":null,"#));
    }
}
