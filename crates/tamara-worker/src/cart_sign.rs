//! Signed carts: a merchant back end prices a cart and signs it, the browser passes it through,
//! the Worker checks the signature before trusting any amount.
//!
//! Wire form: `{"payload": "<base64url JSON>", "signature": "<hex HMAC-SHA256(key, payload)>"}`;
//! the MAC covers the base64url text exactly as sent. Payload:
//! `{"currency":"SAR","items":[{"sku","name","quantity","unit_price":"57.50"}],
//!   "shipping":"10.00"?,"discount":{"name","amount":"5.00"}?,"expires_at":<unix seconds>}`.

use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::AppError;

type HmacSha256 = Hmac<Sha256>;

/// Largest accepted payload (base64 text).
pub const MAX_PAYLOAD: usize = 16 * 1024;

/// The signed cart as the browser sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCart {
    /// base64url JSON.
    pub payload: String,
    /// Lower- or upper-case hex HMAC-SHA256.
    pub signature: String,
}

/// One line of a signed cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units.
    pub quantity: u32,
    /// Decimal unit price (`"57.50"`).
    pub unit_price: String,
}

/// Discount in a signed cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartDiscount {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Decimal amount.
    pub amount: String,
}

/// The decoded, verified payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartPayload {
    /// ISO currency.
    pub currency: String,
    /// Lines.
    pub items: Vec<CartLine>,
    /// Decimal shipping.
    #[serde(default)]
    pub shipping: Option<String>,
    /// Discount.
    #[serde(default)]
    pub discount: Option<CartDiscount>,
    /// Expiry, Unix seconds.
    pub expires_at: i64,
}

/// Why a signed cart is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartError {
    /// Not base64url / not JSON / wrong shape / too big.
    Malformed(String),
    /// Signature does not match.
    BadSignature,
    /// Past `expires_at`.
    Expired,
}

impl From<CartError> for AppError {
    fn from(e: CartError) -> Self {
        match e {
            CartError::Malformed(m) => {
                AppError::unprocessable("invalid_signed_cart", format!("signed_cart: {m}"))
            }
            CartError::BadSignature => AppError::Invalid {
                status: 400,
                code: "invalid_cart_signature",
                message: "signed_cart signature does not match".into(),
            },
            CartError::Expired => {
                AppError::unprocessable("cart_expired", "signed_cart has expired")
            }
        }
    }
}

fn mac(key: &[u8]) -> Option<HmacSha256> {
    // HMAC accepts keys of any length, so this is always `Some`.
    HmacSha256::new_from_slice(key).ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Signs a payload (used by merchant back ends and tests).
pub fn sign(key: &[u8], payload: &CartPayload) -> Option<SignedCart> {
    let json = serde_json::to_vec(payload).ok()?;
    let text = URL_SAFE_NO_PAD.encode(json);
    let mut m = mac(key)?;
    m.update(text.as_bytes());
    Some(SignedCart {
        signature: hex(&m.finalize().into_bytes()),
        payload: text,
    })
}

/// Checks the signature (constant time), then decodes and checks expiry against `now_secs`.
pub fn verify(key: &[u8], cart: &SignedCart, now_secs: i64) -> Result<CartPayload, CartError> {
    if cart.payload.is_empty() || cart.payload.len() > MAX_PAYLOAD {
        return Err(CartError::Malformed("payload is empty or too large".into()));
    }
    let sig = unhex(cart.signature.trim()).ok_or(CartError::BadSignature)?;
    let mut m = mac(key).ok_or(CartError::BadSignature)?;
    m.update(cart.payload.as_bytes());
    // `verify_slice` compares in constant time.
    m.verify_slice(&sig).map_err(|_| CartError::BadSignature)?;
    let trimmed = cart.payload.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE.decode(&cart.payload))
        .map_err(|_| CartError::Malformed("payload is not base64url".into()))?;
    let payload: CartPayload = serde_json::from_slice(&bytes)
        .map_err(|e| CartError::Malformed(format!("payload: {e}")))?;
    if now_secs > payload.expires_at {
        return Err(CartError::Expired);
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(exp: i64) -> CartPayload {
        CartPayload {
            currency: "SAR".into(),
            items: vec![CartLine {
                sku: "TSHIRT-1".into(),
                name: "T-shirt".into(),
                quantity: 2,
                unit_price: "57.50".into(),
            }],
            shipping: Some("10.00".into()),
            discount: None,
            expires_at: exp,
        }
    }

    #[test]
    fn round_trip() {
        let s = sign(b"k", &payload(2_000)).unwrap();
        assert_eq!(s.signature.len(), 64);
        assert_eq!(verify(b"k", &s, 1_000).unwrap(), payload(2_000));
        let upper = SignedCart {
            signature: s.signature.to_uppercase(),
            ..s.clone()
        };
        assert!(verify(b"k", &upper, 1_000).is_ok());
    }

    #[test]
    fn rejects_tampering_wrong_key_and_expiry() {
        let s = sign(b"k", &payload(2_000)).unwrap();
        assert_eq!(verify(b"other", &s, 1_000), Err(CartError::BadSignature));
        let mut t = s.clone();
        let mut p = payload(2_000);
        p.items[0].unit_price = "0.01".into();
        t.payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap());
        assert_eq!(verify(b"k", &t, 1_000), Err(CartError::BadSignature));
        let mut t = s.clone();
        t.signature = "zz".into();
        assert_eq!(verify(b"k", &t, 1_000), Err(CartError::BadSignature));
        let mut t = s.clone();
        t.signature.pop();
        assert_eq!(verify(b"k", &t, 1_000), Err(CartError::BadSignature));
        assert_eq!(verify(b"k", &s, 2_001), Err(CartError::Expired));
    }

    #[test]
    fn signed_garbage_is_malformed_not_a_panic() {
        let text = "bm90IGpzb24".to_owned(); // "not json"
        let mut m = mac(b"k").unwrap();
        m.update(text.as_bytes());
        let s = SignedCart {
            payload: text,
            signature: hex(&m.finalize().into_bytes()),
        };
        assert!(matches!(verify(b"k", &s, 0), Err(CartError::Malformed(_))));
    }
}
