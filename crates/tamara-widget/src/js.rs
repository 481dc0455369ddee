//! Reading the Worker's JSON answers and the host's inputs straight from JS values.
//!
//! A hand-written reader instead of `serde` deserialization keeps the wasm small: serde's
//! error messages pull in float formatting (`invalid type: floating point …`), which this
//! widget never needs. Amounts are read as integer minor units (`Number.isSafeInteger`).

use crate::state::{
    uint, Address, Cart, CartItem, CheckoutCreated, Customer, Money, PaymentOption, PaymentOptions,
    Reason,
};
use js_sys::{Array, Number, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// A missing or mistyped field: its name.
#[derive(Debug)]
pub struct Bad(pub &'static str);

type Read<T> = Result<T, Bad>;

/// `value[key]` (undefined when absent or not an object).
pub fn get(value: &JsValue, key: &str) -> JsValue {
    if value.is_object() {
        Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn absent(value: &JsValue) -> bool {
    value.is_null() || value.is_undefined()
}

/// First present key among `keys` (aliases: `first_name` / `firstName`).
fn get_any(value: &JsValue, keys: &[&str]) -> JsValue {
    for key in keys {
        let v = get(value, key);
        if !absent(&v) {
            return v;
        }
    }
    JsValue::UNDEFINED
}

fn string(value: &JsValue, key: &'static str) -> Read<String> {
    get(value, key).as_string().ok_or(Bad(key))
}

/// Optional string: absent/null → `None`; numbers are accepted as text (phone numbers).
fn text(value: JsValue, key: &'static str) -> Read<Option<String>> {
    if absent(&value) {
        return Ok(None);
    }
    if let Some(s) = value.as_string() {
        return Ok(Some(s));
    }
    if Number::is_safe_integer(&value) {
        return Ok(Some(uint(uint_of(&value, key)?)));
    }
    Err(Bad(key))
}

fn uint_of(value: &JsValue, key: &'static str) -> Read<u64> {
    if !Number::is_safe_integer(value) {
        return Err(Bad(key));
    }
    let whole = value.as_f64().map(|f| f as i64).ok_or(Bad(key))?;
    u64::try_from(whole).map_err(|_| Bad(key))
}

fn uint_at(value: &JsValue, key: &'static str) -> Read<u64> {
    uint_of(&get(value, key), key)
}

/// `value[key]` as a list read item by item with `read` (absent = empty).
fn list<T>(value: &JsValue, key: &'static str, read: impl Fn(&JsValue) -> Read<T>) -> Read<Vec<T>> {
    let list = get(value, key);
    if absent(&list) {
        return Ok(Vec::new());
    }
    if !Array::is_array(&list) {
        return Err(Bad(key));
    }
    let list: Array = list.unchecked_into();
    let mut out = Vec::new();
    for index in 0..list.length() {
        out.push(read(&list.get(index))?);
    }
    Ok(out)
}

fn money(value: &JsValue, key: &'static str) -> Read<Money> {
    let m = get(value, key);
    Ok(Money {
        minor: uint_at(&m, "minor").map_err(|_| Bad(key))?,
        currency: string(&m, "currency").map_err(|_| Bad(key))?,
    })
}

fn opt_money(value: &JsValue, key: &'static str) -> Read<Option<Money>> {
    if absent(&get(value, key)) {
        Ok(None)
    } else {
        money(value, key).map(Some)
    }
}

fn reason(value: &JsValue) -> Read<Reason> {
    Ok(Reason {
        code: string(value, "code")?,
        message: get(value, "message").as_string().unwrap_or_default(),
        message_ar: get(value, "message_ar").as_string().unwrap_or_default(),
    })
}

/// `GET /api/payment-options`.
pub fn payment_options(value: &JsValue) -> Read<PaymentOptions> {
    let options = list(value, "options", |o| {
        Ok(PaymentOption {
            payment_type: string(o, "payment_type")?,
            instalments: u32::try_from(uint_at(o, "instalments")?)
                .map_err(|_| Bad("instalments"))?,
            instalment_amount: money(o, "instalment_amount")?,
            label_en: get(o, "label_en").as_string().unwrap_or_default(),
            label_ar: get(o, "label_ar").as_string().unwrap_or_default(),
        })
    })?;
    let why = get(value, "reason");
    Ok(PaymentOptions {
        available: get(value, "available").as_bool().ok_or(Bad("available"))?,
        amount: money(value, "amount")?,
        reason: if absent(&why) {
            None
        } else {
            Some(reason(&why)?)
        },
        options,
        min_limit: opt_money(value, "min_limit")?,
        max_limit: opt_money(value, "max_limit")?,
    })
}

/// `POST /api/checkout` (201).
pub fn checkout_created(value: &JsValue) -> Read<CheckoutCreated> {
    Ok(CheckoutCreated {
        order_id: string(value, "order_id")?,
        checkout_url: string(value, "checkout_url")?,
    })
}

/// The Worker's error body `{"error": {"code", "message"}}`.
pub fn error_body(value: &JsValue) -> Read<Reason> {
    reason(&get(value, "error"))
}

/// `{items: [{sku, quantity}]}`; null/undefined = empty.
pub fn cart(value: &JsValue) -> Read<Cart> {
    let items = list(value, "items", |item| {
        let quantity = uint_at(item, "quantity")?;
        Ok(CartItem {
            sku: string(item, "sku")?,
            quantity: u32::try_from(quantity).map_err(|_| Bad("quantity"))?,
        })
    })?;
    Ok(Cart { items })
}

fn field(value: &JsValue, keys: &[&str], key: &'static str) -> Read<String> {
    Ok(text(get_any(value, keys), key)?.unwrap_or_default())
}

/// `{first_name, last_name, phone_number, email}` (camelCase accepted).
pub fn customer(value: &JsValue) -> Read<Customer> {
    Ok(Customer {
        first_name: field(value, &["first_name", "firstName"], "first_name")?,
        last_name: field(value, &["last_name", "lastName"], "last_name")?,
        phone_number: field(
            value,
            &["phone_number", "phoneNumber", "phone"],
            "phone_number",
        )?,
        email: text(get(value, "email"), "email")?.filter(|e| !e.trim().is_empty()),
    })
}

/// Shipping address (camelCase accepted).
pub fn address(value: &JsValue) -> Read<Address> {
    Ok(Address {
        first_name: field(value, &["first_name", "firstName"], "first_name")?,
        last_name: field(value, &["last_name", "lastName"], "last_name")?,
        line1: field(value, &["line1"], "line1")?,
        line2: text(get(value, "line2"), "line2")?,
        region: text(get(value, "region"), "region")?,
        city: field(value, &["city"], "city")?,
        country_code: field(value, &["country_code", "countryCode"], "country_code")?,
        phone_number: text(
            get_any(value, &["phone_number", "phoneNumber"]),
            "phone_number",
        )?,
    })
}

/// A string option (`workerUrl` / `worker_url`), empty when absent.
pub fn option_string(value: &JsValue, keys: &[&str]) -> String {
    get_any(value, keys).as_string().unwrap_or_default()
}

/// A present, non-null option value.
pub fn option_value(value: &JsValue, keys: &[&str]) -> Option<JsValue> {
    let v = get_any(value, keys);
    (!absent(&v)).then_some(v)
}
