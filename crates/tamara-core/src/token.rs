//! `tamaraToken` verification: the HS256 JWT Tamara attaches to every notification, signed with
//! the merchant's notification token. Fails closed: no token, no secret, another algorithm, a bad
//! signature, no `exp` or an expired one are all errors, and so is a token that lives longer than
//! Tamara's own (15 minutes, [`TAMARA_LIFETIME_SECS`], plus the leeway) or was issued in the future.
//! `now` is an argument.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::http::parse_query;
use crate::secret::NotificationToken;
use crate::timestamp::Timestamp;

type HmacSha256 = Hmac<Sha256>;

/// How long Tamara's tokens live: `exp = iat + 900`.
pub const TAMARA_LIFETIME_SECS: i64 = 900;

/// Longest token we look at; real ones are about 150 bytes.
const MAX_TOKEN_LEN: usize = 4096;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Neither `Authorization: Bearer` nor `tamaraToken` present.
    #[error("no tamaraToken in the Authorization header or the query")]
    Missing,
    /// The notification token is not configured: refuse everything.
    #[error("notification token not configured")]
    NotConfigured,
    /// Not three base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// `alg` is not `HS256` (including `none`).
    #[error("unsupported algorithm `{0}`")]
    Algorithm(String),
    /// The signature does not match.
    #[error("bad signature")]
    Signature,
    /// No `exp` claim.
    #[error("token has no exp claim")]
    MissingExpiry,
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `iat` or `nbf` in the future (beyond the leeway).
    #[error("token not valid yet")]
    NotYetValid,
    /// `exp − iat` (or `exp − now` when there is no `iat`) is longer than Tamara's 15 minutes
    /// plus the leeway: not a token Tamara minted (e.g. one with `exp` ten years ahead).
    #[error("token lives longer than Tamara's")]
    Lifetime,
    /// `iss` is present and not `Tamara` (only when issuer checking is on).
    #[error("unexpected issuer")]
    Issuer,
}

impl TokenError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Missing => "token_missing",
            TokenError::NotConfigured => "token_verifier_not_configured",
            TokenError::Malformed => "token_malformed",
            TokenError::Algorithm(_) => "token_algorithm",
            TokenError::Signature => "token_signature",
            TokenError::MissingExpiry => "token_no_expiry",
            TokenError::Expired => "token_expired",
            TokenError::NotYetValid => "token_not_yet_valid",
            TokenError::Lifetime => "token_lifetime",
            TokenError::Issuer => "token_issuer",
        }
    }
}

/// The claims Tamara sends: `{"iss":"Tamara","iat":…,"exp":iat+900}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer, `Tamara`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Issued at (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Expiry (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Not before (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

impl Claims {
    /// What Tamara signs at `now`: 15-minute lifetime.
    pub fn tamara(now: Timestamp) -> Claims {
        Claims {
            iss: Some("Tamara".to_owned()),
            iat: Some(now.secs()),
            exp: Some(now.secs() + 900),
            nbf: None,
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// Picks the token from `Authorization: Bearer <t>` first, then from the `tamaraToken` query
/// parameter. `query` is the raw query string (without or with a leading `?`).
pub fn extract_token(authorization: Option<&str>, query: Option<&str>) -> Option<String> {
    if let Some(h) = authorization {
        let h = h.trim();
        if let Some(t) = h
            .strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
        {
            let t = t.trim();
            if !t.is_empty() && !t.contains(char::is_whitespace) {
                return Some(t.to_owned());
            }
        }
    }
    let q = query?;
    parse_query(q)
        .into_iter()
        .find(|(k, v)| k == "tamaraToken" && !v.is_empty())
        .map(|(_, v)| v)
}

/// Verifies notification tokens.
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: NotificationToken,
    leeway_secs: i64,
    check_issuer: bool,
}

impl Verifier {
    /// Verifier with a 60-second leeway and issuer checking on.
    pub fn new(secret: NotificationToken) -> Self {
        Verifier {
            secret,
            leeway_secs: 60,
            check_issuer: true,
        }
    }

    /// Clock-skew allowance for `exp`, `iat`, `nbf` (clamped to 0..=300 s).
    pub fn with_leeway(mut self, secs: i64) -> Self {
        self.leeway_secs = secs.clamp(0, 300);
        self
    }

    /// Whether an `iss` other than `Tamara` is refused (a missing `iss` is accepted, as the
    /// official SDK does not check it).
    pub fn with_issuer_check(mut self, on: bool) -> Self {
        self.check_issuer = on;
        self
    }

    /// Finds and verifies the token of a request.
    pub fn verify_request(
        &self,
        authorization: Option<&str>,
        query: Option<&str>,
        now: Timestamp,
    ) -> Result<Claims, TokenError> {
        let t = extract_token(authorization, query).ok_or(TokenError::Missing)?;
        self.verify(&t, now)
    }

    /// Verifies one token at `now`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<Claims, TokenError> {
        if self.secret.is_empty() {
            return Err(TokenError::NotConfigured);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (h, p, s) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(s), None) => (h, p, s),
            _ => return Err(TokenError::Malformed),
        };
        let header_bytes = URL_SAFE_NO_PAD
            .decode(h)
            .map_err(|_| TokenError::Malformed)?;
        let header: Header =
            serde_json::from_slice(&header_bytes).map_err(|_| TokenError::Malformed)?;
        if header.alg != "HS256" {
            return Err(TokenError::Algorithm(header.alg));
        }
        let sig = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = HmacSha256::new_from_slice(self.secret.expose().as_bytes())
            .map_err(|_| TokenError::NotConfigured)?;
        mac.update(h.as_bytes());
        mac.update(b".");
        mac.update(p.as_bytes());
        // Constant-time comparison.
        mac.verify_slice(&sig).map_err(|_| TokenError::Signature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        let now_s = now.secs();
        let exp = claims.exp.ok_or(TokenError::MissingExpiry)?;
        if now_s > exp.saturating_add(self.leeway_secs) {
            return Err(TokenError::Expired);
        }
        if let Some(nbf) = claims.nbf {
            if nbf > now_s.saturating_add(self.leeway_secs) {
                return Err(TokenError::NotYetValid);
            }
        }
        if let Some(iat) = claims.iat {
            if iat > now_s.saturating_add(self.leeway_secs) {
                return Err(TokenError::NotYetValid);
            }
        }
        // Tamara's tokens live 15 minutes: a longer-lived one, or one whose expiry is further
        // away than a fresh token's, was not minted by Tamara's notifier (and would be a
        // replayable credential for years).
        let max_life = TAMARA_LIFETIME_SECS.saturating_add(self.leeway_secs);
        let issued = claims.iat.unwrap_or(now_s);
        if exp.saturating_sub(issued) > max_life || exp.saturating_sub(now_s) > max_life {
            return Err(TokenError::Lifetime);
        }
        if self.check_issuer {
            if let Some(iss) = &claims.iss {
                if iss != "Tamara" {
                    return Err(TokenError::Issuer);
                }
            }
        }
        Ok(claims)
    }
}

/// Signs tokens as Tamara does (for the sandbox and tests).
#[cfg(feature = "signer")]
pub fn sign(secret: &NotificationToken, claims: &Claims) -> String {
    sign_with_header(secret, r#"{"typ":"JWT","alg":"HS256"}"#, claims)
}

/// Signs with an arbitrary header (tests use it to forge wrong-alg tokens).
#[cfg(feature = "signer")]
pub fn sign_with_header(secret: &NotificationToken, header_json: &str, claims: &Claims) -> String {
    let h = URL_SAFE_NO_PAD.encode(header_json.as_bytes());
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes()).unwrap_or_else(|_| {
        HmacSha256::new_from_slice(b"\0").unwrap_or_else(|_| unreachable_mac())
    });
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    let s = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{h}.{p}.{s}")
}

#[cfg(feature = "signer")]
#[cold]
fn unreachable_mac() -> HmacSha256 {
    // HMAC accepts keys of any length, so `new_from_slice` never fails.
    panic!("HMAC rejected a key")
}

#[cfg(all(test, feature = "signer"))]
mod tests {
    // wasm-bindgen-test-runner only runs `#[wasm_bindgen_test]`s; plain `#[test]`s would be
    // skipped on wasm32, so there `#[test]` means `#[wasm_bindgen_test]`.
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn secret() -> NotificationToken {
        NotificationToken::new("notif-secret")
    }
    const NOW: Timestamp = Timestamp::from_secs(1_681_215_600);

    #[test]
    fn accepts_valid_from_header_and_query() {
        let t = sign(&secret(), &Claims::tamara(NOW));
        let v = Verifier::new(secret());
        let c = v
            .verify_request(Some(&format!("Bearer {t}")), None, NOW)
            .unwrap();
        assert_eq!(c.iss.as_deref(), Some("Tamara"));
        v.verify_request(None, Some(&format!("?a=b&tamaraToken={t}")), NOW)
            .unwrap();
        // The header wins over the query.
        assert_eq!(
            v.verify_request(Some(&format!("Bearer {t}")), Some("tamaraToken=junk"), NOW),
            Ok(Claims::tamara(NOW))
        );
    }

    #[test]
    fn rejects_forgeries() {
        let v = Verifier::new(secret());
        let claims = Claims::tamara(NOW);
        let wrong_key = sign(&NotificationToken::new("other"), &claims);
        assert_eq!(v.verify(&wrong_key, NOW), Err(TokenError::Signature));
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
        );
        assert_eq!(
            v.verify(&none, NOW),
            Err(TokenError::Algorithm("none".into()))
        );
        let hs512 = sign_with_header(&secret(), r#"{"alg":"HS512"}"#, &claims);
        assert_eq!(
            v.verify(&hs512, NOW),
            Err(TokenError::Algorithm("HS512".into()))
        );
        assert_eq!(v.verify("a.b", NOW), Err(TokenError::Malformed));
        assert_eq!(v.verify("a.b.c.d", NOW), Err(TokenError::Malformed));
        assert_eq!(v.verify("!!.??.**", NOW), Err(TokenError::Malformed));
        assert_eq!(v.verify_request(None, None, NOW), Err(TokenError::Missing));
        assert_eq!(
            v.verify_request(Some("Basic abc"), Some("x=1"), NOW),
            Err(TokenError::Missing)
        );
        // Tampered payload keeps the old signature.
        let good = sign(&secret(), &claims);
        let mut parts: Vec<&str> = good.split('.').collect();
        let later = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&Claims::tamara(NOW.plus(86_400_000))).unwrap());
        parts[1] = &later;
        assert_eq!(v.verify(&parts.join("."), NOW), Err(TokenError::Signature));
    }

    #[test]
    fn time_claims() {
        let v = Verifier::new(secret()).with_leeway(30);
        let t = sign(&secret(), &Claims::tamara(NOW));
        assert!(v.verify(&t, NOW.plus(900_000 + 30_000)).is_ok());
        assert_eq!(
            v.verify(&t, NOW.plus(900_000 + 31_000)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            v.verify(&t, NOW.plus(-31_000)),
            Err(TokenError::NotYetValid)
        );
        let no_exp = sign(
            &secret(),
            &Claims {
                exp: None,
                ..Claims::tamara(NOW)
            },
        );
        assert_eq!(v.verify(&no_exp, NOW), Err(TokenError::MissingExpiry));
        let bad_iss = sign(
            &secret(),
            &Claims {
                iss: Some("Mallory".into()),
                ..Claims::tamara(NOW)
            },
        );
        assert_eq!(v.verify(&bad_iss, NOW), Err(TokenError::Issuer));
        assert!(v
            .clone()
            .with_issuer_check(false)
            .verify(&bad_iss, NOW)
            .is_ok());
    }

    #[test]
    fn refuses_tokens_that_live_longer_than_tamaras() {
        let v = Verifier::new(secret()).with_leeway(60);
        let at = |iat: i64, exp: i64| {
            sign(
                &secret(),
                &Claims {
                    iss: Some("Tamara".into()),
                    iat: Some(iat),
                    exp: Some(exp),
                    nbf: None,
                },
            )
        };
        let now = NOW.secs();
        // Tamara's own: 15 minutes, and up to the leeway more.
        assert!(v.verify(&at(now, now + 900), NOW).is_ok());
        assert!(v.verify(&at(now, now + 960), NOW).is_ok());
        // Ten years ahead, or a minute too long.
        for exp in [now + 10 * 365 * 86_400, now + 961, i64::MAX] {
            assert_eq!(v.verify(&at(now, exp), NOW), Err(TokenError::Lifetime));
        }
        // Backdated iat to make a long lifetime look "already half used" is still too long.
        assert_eq!(
            v.verify(&at(now - 3000, now + 600), NOW),
            Err(TokenError::Lifetime)
        );
        // No iat: the expiry may not be further than a fresh token's.
        let no_iat = sign(
            &secret(),
            &Claims {
                iss: Some("Tamara".into()),
                iat: None,
                exp: Some(now + 86_400),
                nbf: None,
            },
        );
        assert_eq!(v.verify(&no_iat, NOW), Err(TokenError::Lifetime));
        // iat in the future beyond the leeway.
        assert_eq!(
            v.verify(&at(now + 61, now + 900), NOW),
            Err(TokenError::NotYetValid)
        );
        assert!(v.verify(&at(now + 60, now + 900), NOW).is_ok());
        assert_eq!(TokenError::Lifetime.code(), "token_lifetime");
    }

    #[test]
    fn fails_closed_without_secret() {
        let t = sign(&NotificationToken::new(""), &Claims::tamara(NOW));
        let v = Verifier::new(NotificationToken::new(""));
        assert_eq!(v.verify(&t, NOW), Err(TokenError::NotConfigured));
    }
}
