//! Tamara's string enums. Each keeps an `Unknown(String)` arm so that a value Tamara adds later
//! parses and round-trips instead of failing the whole response.

/// Defines a string enum with exact wire spellings and an `Unknown(String)` arm.
#[macro_export]
#[doc(hidden)]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal $(| $alias:literal)*),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value this version does not know; kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every known value.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),*];

            /// The exact wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(s) => s.as_str(),
                }
            }

            /// Parses a wire value; unknown values land in `Unknown`.
            pub fn parse(s: &str) -> Self {
                match s {
                    $($wire $(| $alias)* => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }

            /// True for the `Unknown` arm.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Ok($name::parse(&s))
            }
        }
    };
}

string_enum! {
    /// An order's status, spelled as Tamara spells it (`authorised`, `canceled`).
    OrderStatus {
        /// Checkout session created; the shopper has not paid.
        New = "new",
        /// The shopper paid the first instalment; the merchant must authorise.
        Approved = "approved",
        /// Tamara declined the shopper.
        Declined = "declined",
        /// The session or the approval lapsed.
        Expired = "expired",
        /// The merchant authorised; ready to capture.
        Authorised = "authorised",
        /// Fully canceled before capture.
        Canceled = "canceled",
        /// Partially canceled before capture.
        Updated = "updated",
        /// Part of the amount captured.
        PartiallyCaptured = "partially_captured",
        /// Everything (not canceled) captured.
        FullyCaptured = "fully_captured",
        /// Part of the captured amount refunded.
        PartiallyRefunded = "partially_refunded",
        /// All captured money refunded.
        FullyRefunded = "fully_refunded",
    }
}

impl OrderStatus {
    /// No further transition is possible.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            OrderStatus::Declined
                | OrderStatus::Expired
                | OrderStatus::Canceled
                | OrderStatus::FullyRefunded
        )
    }

    /// The shopper has paid at least the first instalment (money will settle or did).
    pub fn is_paid(&self) -> bool {
        matches!(
            self,
            OrderStatus::Approved
                | OrderStatus::Authorised
                | OrderStatus::Updated
                | OrderStatus::PartiallyCaptured
                | OrderStatus::FullyCaptured
                | OrderStatus::PartiallyRefunded
                | OrderStatus::FullyRefunded
        )
    }
}

string_enum! {
    /// Payment type (plan family).
    PaymentType {
        /// Split into instalments.
        PayByInstalments = "PAY_BY_INSTALMENTS",
        /// Pay in full now.
        PayNow = "PAY_NOW",
        /// Legacy: pay later.
        PayByLater = "PAY_BY_LATER",
        /// Legacy: pay next month.
        PayNextMonth = "PAY_NEXT_MONTH",
    }
}

string_enum! {
    /// Webhook event types.
    EventType {
        /// `new → approved`.
        OrderApproved = "order_approved",
        /// `new → declined`.
        OrderDeclined = "order_declined",
        /// `approved → authorised`.
        OrderAuthorised = "order_authorised",
        /// Full cancel.
        OrderCanceled = "order_canceled",
        /// Partial cancel.
        OrderUpdated = "order_updated",
        /// Capture (partial or full).
        OrderCaptured = "order_captured",
        /// Refund (partial or full).
        OrderRefunded = "order_refunded",
        /// Session or approval expired.
        OrderExpired = "order_expired",
    }
}

string_enum! {
    /// Webhook subscription type.
    WebhookType {
        /// Order events.
        Order = "order",
        /// Dispute events.
        Dispute = "dispute",
    }
}

string_enum! {
    /// Checkout language. Tamara documents `ar_SA` and `en_US`; `en_GB` etc. are accepted as
    /// English.
    Locale {
        /// Arabic.
        ArSa = "ar_SA" | "ar" | "ar-SA",
        /// English.
        EnUs = "en_US" | "en" | "en-US" | "en_GB" | "en-GB",
    }
}

impl Locale {
    /// True for Arabic (right-to-left).
    pub fn is_arabic(&self) -> bool {
        match self {
            Locale::ArSa => true,
            Locale::EnUs => false,
            Locale::Unknown(s) => s.to_ascii_lowercase().starts_with("ar"),
        }
    }
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn exact_spellings_round_trip() {
        for s in OrderStatus::KNOWN {
            let j = serde_json::to_string(s).unwrap();
            assert_eq!(serde_json::from_str::<OrderStatus>(&j).unwrap(), *s);
        }
        assert_eq!(OrderStatus::parse("authorised"), OrderStatus::Authorised);
        assert_eq!(OrderStatus::parse("canceled"), OrderStatus::Canceled);
        assert_eq!(
            OrderStatus::parse("on_hold"),
            OrderStatus::Unknown("on_hold".into())
        );
        assert_eq!(
            serde_json::to_string(&OrderStatus::Unknown("on_hold".into())).unwrap(),
            "\"on_hold\""
        );
        assert_eq!(Locale::parse("en_GB"), Locale::EnUs);
        assert!(Locale::parse("ar_AE").is_arabic());
        assert_eq!(EventType::parse("order_refunded"), EventType::OrderRefunded);
    }
}
