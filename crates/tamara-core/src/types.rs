//! Object shapes shared by several endpoints: consumer, address, item, merchant URLs, discount,
//! shipping info, risk assessment.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::country::Country;
use crate::money::{Currency, Money};

/// Free-form JSON object (`additional_data`, `risk_assessment`).
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The shopper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consumer {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Mobile number (local `5xxxxxxxx` in requests; `9665xxxxxxxx` in responses).
    pub phone_number: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// National id (the SDK sends `""`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    /// Date of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// First order with Tamara (`null` in some responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_order: Option<bool>,
}

/// Billing or shipping address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Street line.
    pub line1: String,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Region / province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// City.
    pub city: String,
    /// Country.
    pub country_code: Country,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// An order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Merchant's item id.
    pub reference_id: String,
    /// Free text (`Physical`, `Digital`).
    #[serde(rename = "type")]
    pub item_type: String,
    /// Name (≤ 255).
    pub name: String,
    /// SKU (≤ 128).
    pub sku: String,
    /// Quantity.
    pub quantity: u32,
    /// Line total.
    pub total_amount: Money,
    /// Unit price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    /// Line tax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    /// Line discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    /// Product page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_url: Option<String>,
    /// Image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
}

/// Where Tamara sends the browser and the notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantUrl {
    /// After approval (`?orderId=…&paymentStatus=approved` appended).
    pub success: String,
    /// After decline.
    pub failure: String,
    /// After the shopper cancels.
    pub cancel: String,
    /// Server-to-server notification URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
}

/// A named discount (`discount` in create checkout, `discount_amount` in GET order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// Coupon name (`""` when none).
    #[serde(default)]
    pub name: String,
    /// Amount.
    pub amount: Money,
}

/// A string or a number, kept as text (`tracking_number` is sometimes sent as `100`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lenient(pub String);

impl Serialize for Lenient {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(Lenient(s)),
            serde_json::Value::Number(n) => Ok(Lenient(n.to_string())),
            other => Err(de::Error::custom(format!(
                "expected a string or number, got {other}"
            ))),
        }
    }
}

/// Shipment details sent with a capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingInfo {
    /// When it shipped (ISO-8601).
    pub shipped_at: String,
    /// Carrier.
    pub shipping_company: String,
    /// Tracking number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<Lenient>,
    /// Tracking URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
}

/// `risk_assessment` / `additional_data`: an object, but PHP clients send `[]` for an empty one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LenientObject(pub JsonObject);

impl Serialize for LenientObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for LenientObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Object(m) => Ok(LenientObject(m)),
            serde_json::Value::Array(a) if a.is_empty() => Ok(LenientObject::default()),
            serde_json::Value::Null => Ok(LenientObject::default()),
            other => Err(de::Error::custom(format!(
                "expected an object (or []), got {other}"
            ))),
        }
    }
}

impl Consumer {
    /// A shopper with the three required fields; the optional ones are set with `with_*`.
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        phone_number: impl Into<String>,
    ) -> Self {
        Consumer {
            first_name: first_name.into(),
            last_name: last_name.into(),
            phone_number: phone_number.into(),
            email: String::new(),
            national_id: None,
            date_of_birth: None,
            is_first_order: None,
        }
    }

    /// Sets `email`.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = email.into();
        self
    }

    /// Sets `national_id`.
    pub fn with_national_id(mut self, national_id: impl Into<String>) -> Self {
        self.national_id = Some(national_id.into());
        self
    }

    /// Sets `date_of_birth`.
    pub fn with_date_of_birth(mut self, date_of_birth: impl Into<String>) -> Self {
        self.date_of_birth = Some(date_of_birth.into());
        self
    }

    /// Sets `is_first_order`.
    pub fn with_is_first_order(mut self, is_first_order: bool) -> Self {
        self.is_first_order = Some(is_first_order);
        self
    }
}

impl Address {
    /// An address with the required fields; the optional ones are set with `with_*`.
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        line1: impl Into<String>,
        city: impl Into<String>,
        country_code: Country,
    ) -> Self {
        Address {
            first_name: first_name.into(),
            last_name: last_name.into(),
            line1: line1.into(),
            line2: None,
            region: None,
            postal_code: None,
            city: city.into(),
            country_code,
            phone_number: None,
        }
    }

    /// Sets `line2`.
    pub fn with_line2(mut self, line2: impl Into<String>) -> Self {
        self.line2 = Some(line2.into());
        self
    }

    /// Sets `region`.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets `postal_code`.
    pub fn with_postal_code(mut self, postal_code: impl Into<String>) -> Self {
        self.postal_code = Some(postal_code.into());
        self
    }

    /// Sets `phone_number`.
    pub fn with_phone_number(mut self, phone_number: impl Into<String>) -> Self {
        self.phone_number = Some(phone_number.into());
        self
    }

    /// The phone, when given and not blank, is a valid number of the address's own country
    /// (an absent or blank phone passes).
    pub fn phone_is_valid(&self) -> bool {
        match self.phone_number.as_deref() {
            Some(p) if !p.trim().is_empty() => {
                crate::country::Phone::parse(p, self.country_code).is_ok()
            }
            _ => true,
        }
    }

    /// `first_name`, `line1` and `city` are all non-blank (what a shipping address needs).
    pub fn is_complete(&self) -> bool {
        [&self.first_name, &self.line1, &self.city]
            .iter()
            .all(|s| !s.trim().is_empty())
    }
}

impl Item {
    /// A line of type `Physical` (change it with [`Item::with_item_type`]); the optional
    /// amounts and URLs are set with `with_*`.
    pub fn new(
        reference_id: impl Into<String>,
        name: impl Into<String>,
        sku: impl Into<String>,
        quantity: u32,
        total_amount: Money,
    ) -> Self {
        Item {
            reference_id: reference_id.into(),
            item_type: "Physical".to_owned(),
            name: name.into(),
            sku: sku.into(),
            quantity,
            total_amount,
            unit_price: None,
            tax_amount: None,
            discount_amount: None,
            item_url: None,
            image_url: None,
        }
    }

    /// Sets `type` (`Physical`, `Digital`, …).
    pub fn with_item_type(mut self, item_type: impl Into<String>) -> Self {
        self.item_type = item_type.into();
        self
    }

    /// Sets `unit_price`.
    pub fn with_unit_price(mut self, unit_price: Money) -> Self {
        self.unit_price = Some(unit_price);
        self
    }

    /// Sets `tax_amount`.
    pub fn with_tax_amount(mut self, tax_amount: Money) -> Self {
        self.tax_amount = Some(tax_amount);
        self
    }

    /// Sets `discount_amount`.
    pub fn with_discount_amount(mut self, discount_amount: Money) -> Self {
        self.discount_amount = Some(discount_amount);
        self
    }

    /// Sets `item_url`.
    pub fn with_item_url(mut self, item_url: impl Into<String>) -> Self {
        self.item_url = Some(item_url.into());
        self
    }

    /// Sets `image_url`.
    pub fn with_image_url(mut self, image_url: impl Into<String>) -> Self {
        self.image_url = Some(image_url.into());
        self
    }
}

impl MerchantUrl {
    /// The three redirect URLs, without a notification URL (set it with
    /// [`MerchantUrl::with_notification`]).
    pub fn new(
        success: impl Into<String>,
        failure: impl Into<String>,
        cancel: impl Into<String>,
    ) -> Self {
        MerchantUrl {
            success: success.into(),
            failure: failure.into(),
            cancel: cancel.into(),
            notification: None,
        }
    }

    /// Sets `notification`.
    pub fn with_notification(mut self, notification: impl Into<String>) -> Self {
        self.notification = Some(notification.into());
        self
    }

    /// `success`, `failure` and `cancel` are absolute http(s) URLs ([`is_http_url`]), and so
    /// is `notification` when given and not blank. The error names the first bad field
    /// (`merchant_url.success`, …).
    pub fn validate(&self) -> Result<(), crate::checkout::CheckoutValidationError> {
        use crate::checkout::CheckoutValidationError::Url;
        for (field, url) in [
            ("merchant_url.success", self.success.as_str()),
            ("merchant_url.failure", self.failure.as_str()),
            ("merchant_url.cancel", self.cancel.as_str()),
        ] {
            if !is_http_url(url) {
                return Err(Url(field));
            }
        }
        match self.notification.as_deref() {
            Some(n) if !n.trim().is_empty() && !is_http_url(n) => {
                Err(Url("merchant_url.notification"))
            }
            _ => Ok(()),
        }
    }
}

impl ShippingInfo {
    /// Shipment details with the two required fields.
    pub fn new(shipped_at: impl Into<String>, shipping_company: impl Into<String>) -> Self {
        ShippingInfo {
            shipped_at: shipped_at.into(),
            shipping_company: shipping_company.into(),
            tracking_number: None,
            tracking_url: None,
        }
    }

    /// Sets `tracking_number`.
    pub fn with_tracking_number(mut self, tracking_number: impl Into<String>) -> Self {
        self.tracking_number = Some(Lenient(tracking_number.into()));
        self
    }

    /// Sets `tracking_url`.
    pub fn with_tracking_url(mut self, tracking_url: impl Into<String>) -> Self {
        self.tracking_url = Some(tracking_url.into());
        self
    }
}

/// The parts of an absolute `http`/`https` URL that the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// `https` (else `http`).
    pub https: bool,
    /// The host, ASCII-lowercased; an IPv6 literal keeps its brackets (`[::1]`).
    pub host: String,
}

impl HttpUrl {
    /// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]` with scheme `http`
    /// or `https` (any case) and a non-empty host. Stricter than a browser: the `//` is
    /// required, no control characters anywhere, no spaces or `\` before the path, a numeric
    /// host must be a dotted quad, an IPv6 host is bracketed hex, a port is at most 65535.
    pub fn parse(url: &str) -> Option<HttpUrl> {
        // A URI is ASCII (RFC 3986): an international host is sent as its `xn--` form, any
        // other character percent-encoded.
        if !url.is_ascii() || url.chars().any(char::is_control) {
            return None;
        }
        let (scheme, rest) = url.split_once("://")?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else {
            return None;
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..end];
        if authority.contains(['\\', ' ']) {
            return None;
        }
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
            let (inner, after) = v6.split_once(']')?;
            let ok = inner.contains(':')
                && inner
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            if !ok {
                return None;
            }
            (&host_port[..inner.len() + 2], after)
        } else {
            let i = host_port.find(':').unwrap_or(host_port.len());
            (&host_port[..i], &host_port[i..])
        };
        if !port.is_empty() {
            let digits = port.strip_prefix(':')?;
            let port_ok = digits.is_empty()
                || (digits.bytes().all(|b| b.is_ascii_digit())
                    && digits.parse::<u32>().is_ok_and(|p| p <= 65_535));
            if !port_ok {
                return None;
            }
        }
        if host.is_empty() || (!host.starts_with('[') && !valid_host_name(host)) {
            return None;
        }
        Some(HttpUrl {
            https,
            host: host.to_ascii_lowercase(),
        })
    }

    /// `127.0.0.1`, `localhost` or `[::1]`.
    pub fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
    }
}

fn valid_host_name(host: &str) -> bool {
    const FORBIDDEN: &[char] = &[
        '#', '%', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|', '"', '`', '{', '}',
    ];
    if host
        .chars()
        .any(|c| c.is_whitespace() || FORBIDDEN.contains(&c))
    {
        return false;
    }
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !labels.iter().all(label_ok) {
        return false;
    }
    // A host ending in a number is an IPv4 address: four decimal octets.
    let numeric = |l: &&str| l.bytes().all(|b| b.is_ascii_digit());
    if labels.last().is_some_and(numeric) {
        return labels.len() == 4
            && labels
                .iter()
                .all(|l| numeric(l) && l.parse::<u16>().is_ok_and(|n| n <= 255));
    }
    true
}

/// An absolute `http`/`https` URL with a host ([`HttpUrl::parse`]).
pub fn is_http_url(url: &str) -> bool {
    HttpUrl::parse(url).is_some()
}

/// Every Money in a request must be in one currency.
pub fn check_currencies<'a>(
    currency: Currency,
    amounts: impl IntoIterator<Item = &'a Money>,
) -> Result<(), crate::money::MoneyError> {
    for m in amounts {
        if m.currency() != currency {
            return Err(crate::money::MoneyError::CurrencyMismatch(
                currency,
                m.currency(),
            ));
        }
    }
    Ok(())
}

/// All the Money fields of a list of items.
pub fn item_amounts(items: &[Item]) -> impl Iterator<Item = &Money> {
    items.iter().flat_map(|i| {
        std::iter::once(&i.total_amount)
            .chain(i.unit_price.iter())
            .chain(i.tax_amount.iter())
            .chain(i.discount_amount.iter())
    })
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn http_urls() {
        for (url, https, host) in [
            ("https://shop.example.com/hook", true, "shop.example.com"),
            ("HTTP://LocalHost:8787/x?a=1#f", false, "localhost"),
            ("http://127.0.0.1:8787/tamara/webhook", false, "127.0.0.1"),
            ("http://[::1]:80/", false, "[::1]"),
            ("https://user:pw@a.b", true, "a.b"),
            ("https://a.b:/", true, "a.b"),
            ("https://a.b.?q", true, "a.b."),
            (
                "https://xn--bcher-kva.example/",
                true,
                "xn--bcher-kva.example",
            ),
        ] {
            let u = HttpUrl::parse(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!((u.https, u.host.as_str()), (https, host), "{url}");
            assert!(is_http_url(url));
        }
        for bad in [
            "",
            "not a url",
            "javascript:alert(1)",
            "ftp://127.0.0.1/",
            "https://",
            "https:///path",
            "http:example.com",
            "https://a b.com/",
            "https://a.com:99999/",
            "https://a.com:8o/",
            "https://999.1.1.1/",
            "https://1.2.3/",
            "https://[zz::1]/",
            "https://[::1/",
            "https://a..b/",
            "https://a.com\\@evil/",
            "https://a.com/\nx",
            "https://user@/",
            "https://bücher.example/",
            "https://\u{cf}",
            "https://a.com/ü",
            "https://a*b.com/",
        ] {
            assert!(HttpUrl::parse(bad).is_none(), "{bad:?}");
        }
        let loopback = |u: &str| HttpUrl::parse(u).unwrap().is_loopback();
        assert!(loopback("http://127.0.0.1/") && loopback("http://localhost:1/"));
        assert!(loopback("http://[::1]/"));
        assert!(!loopback("http://127.0.0.1.evil.com/"));
        assert!(!loopback("http://127.0.0.1@evil.com/"));
    }

    #[test]
    fn address_checks_and_builders() {
        let a = Address::new("Mona", "Ali", "King Fahd Rd", "Riyadh", Country::Sa);
        assert!(a.phone_is_valid() && a.is_complete());
        assert!(a.clone().with_phone_number("0544337866").phone_is_valid());
        assert!(a.clone().with_phone_number(" ").phone_is_valid());
        assert!(!a.clone().with_phone_number("999").phone_is_valid());
        // Checked in the address's own country.
        let ae = Address {
            country_code: Country::Ae,
            ..a.clone()
        };
        assert!(!ae
            .clone()
            .with_phone_number("+966544337866")
            .phone_is_valid());
        assert!(ae.with_phone_number("+971501234567").phone_is_valid());
        let mut b = a.clone();
        b.line1 = " ".into();
        assert!(!b.is_complete());
        let full = a
            .with_line2("Floor 2")
            .with_region("Riyadh")
            .with_postal_code("12345");
        assert_eq!(full.line2.as_deref(), Some("Floor 2"));
        assert_eq!(full.postal_code.as_deref(), Some("12345"));
    }

    #[test]
    fn merchant_url_validate() {
        let m = MerchantUrl::new("https://a.b/s", "https://a.b/f", "https://a.b/c");
        assert!(m.validate().is_ok());
        assert!(m.clone().with_notification("").validate().is_ok());
        let e = m.clone().with_notification("x").validate().unwrap_err();
        assert_eq!(e.field(), Some("merchant_url.notification"));
        let mut bad = m;
        bad.cancel = "/relative".into();
        assert_eq!(
            bad.validate().unwrap_err().field(),
            Some("merchant_url.cancel")
        );
    }

    #[test]
    fn other_builders() {
        let sar = |m| Money::from_minor(m, Currency::Sar).unwrap();
        let c = Consumer::new("Mona", "Ali", "544337866")
            .with_email("m@x.co")
            .with_national_id("")
            .with_date_of_birth("1990-01-01")
            .with_is_first_order(true);
        assert_eq!(c.email, "m@x.co");
        assert_eq!(c.is_first_order, Some(true));
        let bare: serde_json::Value = serde_json::to_value(Consumer::new("A", "B", "5")).unwrap();
        assert_eq!(
            bare,
            serde_json::json!({"first_name": "A", "last_name": "B", "phone_number": "5", "email": ""})
        );
        let i = Item::new("1", "Shirt", "S", 2, sar(200))
            .with_item_type("Digital")
            .with_unit_price(sar(100))
            .with_tax_amount(sar(0))
            .with_discount_amount(sar(0))
            .with_item_url("https://a.b/i")
            .with_image_url("https://a.b/i.png");
        assert_eq!(i.item_type, "Digital");
        assert_eq!(item_amounts(std::slice::from_ref(&i)).count(), 4);
        let s = ShippingInfo::new("2024-01-01T00:00:00Z", "DHL")
            .with_tracking_number("100")
            .with_tracking_url("https://t.example/100");
        assert_eq!(s.tracking_number, Some(Lenient("100".into())));
    }

    #[test]
    fn lenient_forms() {
        let r: LenientObject = serde_json::from_str("[]").unwrap();
        assert!(r.0.is_empty());
        let r: LenientObject = serde_json::from_str(r#"{"customer_age":30}"#).unwrap();
        assert_eq!(r.0["customer_age"], 30);
        assert!(serde_json::from_str::<LenientObject>("[1]").is_err());
        let t: Lenient = serde_json::from_str("100").unwrap();
        assert_eq!(t.0, "100");
    }
}
