//! Secrets whose `Debug` never prints them and which have no `Display`.

use std::fmt;

macro_rules! secret_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        ///
        /// `Debug` prints `[redacted]`; there is no `Display` and no `Serialize`. Read the value
        /// with [`expose`](Self::expose) only where it is put on the wire.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value, trimming surrounding whitespace (a common copy-paste error).
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into().trim().to_owned())
            }
            /// The secret itself. Never log the result.
            pub fn expose(&self) -> &str {
                &self.0
            }
            /// True when no value was configured.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    )*};
}

secret_type! {
    /// The merchant's Tamara API token (Bearer).
    ApiToken,
    /// The merchant's notification token: the HS256 secret that signs webhooks.
    NotificationToken,
    /// Any other secret (admin token, cart-signing key).
    SecretString,
}

/// Constant-time equality for secrets supplied by callers (admin tokens and the like).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    // Length is not secret for our tokens; the content comparison is constant-time.
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn debug_redacts() {
        let t = ApiToken::new("eyJhbGciOiJIUzI1NiJ9.super-secret");
        let n = NotificationToken::new("notif-secret-123");
        let s = SecretString::new("admin-xyz");
        let printed = format!("{t:?} {n:?} {s:?} {:?}", Some(&t));
        assert!(!printed.contains("super-secret"));
        assert!(!printed.contains("notif-secret-123"));
        assert!(!printed.contains("admin-xyz"));
        assert!(printed.contains("[redacted]"));
        assert_eq!(t.expose(), "eyJhbGciOiJIUzI1NiJ9.super-secret");
    }

    #[test]
    fn ct_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
