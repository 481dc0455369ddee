//! Inputs from the host page: the cart (SKUs and quantities, never prices), the customer and the
//! shipping address, and the cart as the `items=` query value.

use super::{encode, push_uint};

/// One cart line: what the browser sends (never a price).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartItem {
    /// Product SKU from the Worker's catalog.
    pub sku: String,
    /// Quantity, 1..=99.
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

/// Largest quantity per line the Worker accepts (its catalog answer's `max_quantity`).
pub const MAX_QUANTITY: u32 = 99;
/// Most lines the Worker prices in one `items=` query.
pub const MAX_LINES: usize = 50;

/// The cart as the `items` query value: `SKU:QTY` pairs joined by commas
/// (`TSHIRT-1:2,MUG-1:1`), lines of the same SKU merged, SKUs percent-encoded. `Err(sku)` (the
/// offending SKU, or empty) when the Worker would refuse it: empty SKU, a `:` or `,` in it,
/// quantity outside 1..=99, more than 50 lines.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
