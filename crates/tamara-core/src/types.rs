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
