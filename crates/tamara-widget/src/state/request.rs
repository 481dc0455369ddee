//! What the widget sends the Worker (§2.1 of CONTRACTS.md): the payment-options query and the
//! create-checkout body, written without serde.

use super::{cat, uint, Address, Cart, Customer, ReturnUrls};

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
    /// The merchant's return pages (left out of the body when none is set).
    pub return_urls: ReturnUrls,
    /// The plan the shopper picked (`PAY_BY_INSTALMENTS`, `PAY_NOW`, …): the Worker checks it
    /// against the plans it computes itself and sends it to Tamara.
    pub payment_type: String,
    /// Instalments of the picked plan (`1` for the types paid at once).
    pub instalments: u32,
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
        let r = &self.return_urls;
        if r.success.is_some() || r.failure.is_some() || r.cancel.is_some() {
            j.key("return_urls");
            j.open('{');
            j.optional("success", r.success.as_ref());
            j.optional("failure", r.failure.as_ref());
            j.optional("cancel", r.cancel.as_ref());
            j.close('}');
        }
        if !self.payment_type.is_empty() {
            j.field("payment_type", &self.payment_type);
            j.raw("instalments", &uint(u64::from(self.instalments)));
        }
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
    /// The cart as `SKU:QTY,…` ([`cart_items`](super::cart_items)).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_encoded() {
        assert_eq!(
            OptionsQuery {
                country: "SA".into(),
                currency: "SAR".into(),
                items: "TSHIRT-1:4".into(),
                phone: Some("+966 5&4".into()),
            }
            .path(),
            "/api/payment-options?country=SA&currency=SAR&items=TSHIRT-1:4&phone=%2B966%205%264"
        );
    }
}
