//! Typed identifiers. Tamara's ids are UUID strings, but they are kept opaque here: a Tamara id
//! that is not a UUID still round-trips.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// Unwraps into the inner string.
            pub fn into_string(self) -> String {
                self.0
            }
            /// True for an empty id (Tamara sends `capture_id: ""` when there is none).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    )*};
}

id_type! {
    /// Tamara's order id.
    OrderId,
    /// Tamara's checkout session id.
    CheckoutId,
    /// A capture's id.
    CaptureId,
    /// A refund's id.
    RefundId,
    /// A cancel's id.
    CancelId,
    /// A registered webhook's id.
    WebhookId,
    /// The merchant's own order reference.
    OrderReferenceId,
    /// A merchant's id at Tamara.
    MerchantId,
}

/// Checks that `s` looks like a UUID (8-4-4-4-12 hex digits). Used to reject forged ids early,
/// before any lookup.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
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
    fn ids_are_transparent() {
        let id = OrderId::new("f56a3123-9e23-45e4-87a2-95366d3b0bca");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"f56a3123-9e23-45e4-87a2-95366d3b0bca\""
        );
        assert_eq!(
            format!("{id:?}"),
            "OrderId(\"f56a3123-9e23-45e4-87a2-95366d3b0bca\")"
        );
        assert!(is_uuid(id.as_str()));
        assert!(!is_uuid("f56a3123-9e23-45e4-87a2-95366d3b0bcz"));
        assert!(!is_uuid("../etc/passwd"));
        assert!(CaptureId::new("").is_empty());
    }
}
