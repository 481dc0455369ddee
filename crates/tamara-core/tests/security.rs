//! `tamaraToken` verification beyond the unit tests (forgeries, expiry, algorithms, malformed and
//! missing tokens, the docs' `…/notification&tamaraToken=` quirk, header preference) and secret
//! redaction in every `Debug` that could carry one.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod jwt {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use tamara_core::token::{extract_token, sign, sign_with_header, Claims, TokenError, Verifier};
    use tamara_core::{NotificationToken, Timestamp};

    const SECRET: &str = "notif-7d1e0b9c-SECRET";
    /// The docs' example: iat 1681215543, exp 1681216443.
    const IAT: i64 = 1_681_215_543;
    const NOW: Timestamp = Timestamp::from_secs(IAT + 10);

    fn secret() -> NotificationToken {
        NotificationToken::new(SECRET)
    }

    fn verifier() -> Verifier {
        Verifier::new(secret())
    }

    fn good() -> String {
        sign(&secret(), &Claims::tamara(Timestamp::from_secs(IAT)))
    }

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s.as_bytes())
    }

    #[test]
    fn docs_example_claims_verify() {
        let claims = verifier().verify(&good(), NOW).unwrap();
        assert_eq!(claims.iss.as_deref(), Some("Tamara"));
        assert_eq!(claims.iat, Some(IAT));
        assert_eq!(claims.exp, Some(IAT + 900));
        // The header Tamara sends: {"typ":"JWT","alg":"HS256"}.
        let header = good().split('.').next().unwrap().to_owned();
        assert_eq!(
            URL_SAFE_NO_PAD.decode(header).unwrap(),
            br#"{"typ":"JWT","alg":"HS256"}"#
        );
    }

    #[test]
    fn forged_signatures() {
        let v = verifier();
        let t = good();
        let (hp, sig) = t.rsplit_once('.').unwrap();
        // Flip one bit of the signature.
        let mut raw = URL_SAFE_NO_PAD.decode(sig).unwrap();
        raw[0] ^= 1;
        let flipped = format!("{hp}.{}", URL_SAFE_NO_PAD.encode(&raw));
        assert_eq!(v.verify(&flipped, NOW), Err(TokenError::Signature));
        // Truncated and empty signatures.
        let short = format!("{hp}.{}", URL_SAFE_NO_PAD.encode(&raw[..16]));
        assert_eq!(v.verify(&short, NOW), Err(TokenError::Signature));
        assert_eq!(v.verify(&format!("{hp}."), NOW), Err(TokenError::Signature));
        // Signed with another merchant's notification token.
        let other = sign(
            &NotificationToken::new("someone-else"),
            &Claims::tamara(Timestamp::from_secs(IAT)),
        );
        assert_eq!(v.verify(&other, NOW), Err(TokenError::Signature));
        // A secret that differs only by a suffix.
        let longer = sign(
            &NotificationToken::new(format!("{SECRET}x")),
            &Claims::tamara(Timestamp::from_secs(IAT)),
        );
        assert_eq!(v.verify(&longer, NOW), Err(TokenError::Signature));
        // Claims swapped for later ones under the old signature.
        let (h, _) = hp.split_once('.').unwrap();
        let later = b64(r#"{"iss":"Tamara","iat":1781215543,"exp":1781216443}"#);
        assert_eq!(
            v.verify(&format!("{h}.{later}.{sig}"), NOW),
            Err(TokenError::Signature)
        );
    }

    #[test]
    fn expiry() {
        let v = verifier().with_leeway(0);
        let t = good();
        assert!(v.verify(&t, Timestamp::from_secs(IAT + 900)).is_ok());
        assert_eq!(
            v.verify(&t, Timestamp::from_secs(IAT + 901)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verifier().verify(&t, Timestamp::from_secs(IAT + 900 + 61)),
            Err(TokenError::Expired),
            "default leeway is 60 s"
        );
        assert!(verifier()
            .verify(&t, Timestamp::from_secs(IAT + 960))
            .is_ok());
        // Leeway is capped at 300 s.
        let lax = verifier().with_leeway(10_000);
        assert_eq!(
            lax.verify(&t, Timestamp::from_secs(IAT + 900 + 301)),
            Err(TokenError::Expired)
        );
        // Issued in the future; not valid before.
        let future = sign(&secret(), &Claims::tamara(Timestamp::from_secs(IAT + 3600)));
        assert_eq!(v.verify(&future, NOW), Err(TokenError::NotYetValid));
        let nbf = sign(
            &secret(),
            &Claims {
                nbf: Some(IAT + 3600),
                ..Claims::tamara(Timestamp::from_secs(IAT))
            },
        );
        assert_eq!(v.verify(&nbf, NOW), Err(TokenError::NotYetValid));
        let no_exp = sign(
            &secret(),
            &Claims {
                exp: None,
                ..Claims::tamara(Timestamp::from_secs(IAT))
            },
        );
        assert_eq!(v.verify(&no_exp, NOW), Err(TokenError::MissingExpiry));
    }

    #[test]
    fn wrong_algorithms() {
        let v = verifier();
        let claims = Claims::tamara(Timestamp::from_secs(IAT));
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        for alg in ["none", "None", "NONE"] {
            let t = format!(
                "{}.{payload}.",
                b64(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#))
            );
            assert_eq!(v.verify(&t, NOW), Err(TokenError::Algorithm(alg.into())));
        }
        // HS512 and RS256 headers, even with an HS256 MAC made with the right secret.
        for alg in ["HS512", "RS256", "hs256", "ES256"] {
            let t = sign_with_header(
                &secret(),
                &format!(r#"{{"typ":"JWT","alg":"{alg}"}}"#),
                &claims,
            );
            assert_eq!(v.verify(&t, NOW), Err(TokenError::Algorithm(alg.into())));
        }
        // No alg at all.
        let t = sign_with_header(&secret(), r#"{"typ":"JWT"}"#, &claims);
        assert_eq!(v.verify(&t, NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn malformed() {
        let v = verifier();
        let t = good();
        let parts: Vec<&str> = t.split('.').collect();
        for bad in [
            String::new(),
            parts[..2].join("."),
            format!("{t}.{}", parts[2]),
            format!("{}.{}.{}", "***", parts[1], parts[2]),
            format!("{}.{}.{}", parts[0], parts[1], "%%%"),
            format!("{}.{}.{}", b64("not json"), parts[1], parts[2]),
            format!("{}.{}.{}", b64("[1,2]"), parts[1], parts[2]),
            "a".repeat(5000),
        ] {
            assert_eq!(v.verify(&bad, NOW), Err(TokenError::Malformed), "{bad}");
        }
        // A correct HS256 MAC over a payload that is not JSON claims.
        use hmac::{Hmac, Mac};
        let h = b64(r#"{"typ":"JWT","alg":"HS256"}"#);
        for payload in ["hello", "42", r#"{"exp":"soon"}"#] {
            let p = b64(payload);
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(format!("{h}.{p}").as_bytes());
            let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
            assert_eq!(
                v.verify(&format!("{h}.{p}.{sig}"), NOW),
                Err(TokenError::Malformed),
                "{payload}"
            );
        }
    }

    #[test]
    fn missing() {
        let v = verifier();
        for (auth, query) in [
            (None, None),
            (None, Some("")),
            (None, Some("?")),
            (None, Some("tamaraToken=")),
            (None, Some("tamaratoken=abc")),
            (Some(""), None),
            (Some("Bearer"), None),
            (Some("Bearer "), None),
            (Some("Bearer    "), Some("x=1")),
            (Some("Basic dXNlcjpwYXNz"), None),
            (Some("Bearer a b"), None),
        ] {
            assert_eq!(extract_token(auth, query), None, "{auth:?} {query:?}");
            assert_eq!(
                v.verify_request(auth, query, NOW),
                Err(TokenError::Missing),
                "{auth:?} {query:?}"
            );
        }
        assert_eq!(
            Verifier::new(NotificationToken::new("  ")).verify(&good(), NOW),
            Err(TokenError::NotConfigured)
        );
    }

    #[test]
    fn query_forms_including_the_docs_quirk() {
        let v = verifier();
        let t = good();
        for q in [
            format!("tamaraToken={t}"),
            format!("?tamaraToken={t}"),
            format!("a=1&tamaraToken={t}&b=2"),
            // The docs example appended `&tamaraToken=` to a URL with no `?`, so a server sees
            // the whole thing as the path; handed the tail, extraction still works.
            format!("notification&tamaraToken={t}"),
            format!("/payments/tamarapay/notification&tamaraToken={t}"),
        ] {
            assert_eq!(
                extract_token(None, Some(&q)).as_deref(),
                Some(t.as_str()),
                "{q}"
            );
            assert!(v.verify_request(None, Some(&q), NOW).is_ok(), "{q}");
        }
    }

    #[test]
    fn header_is_preferred_over_query() {
        let v = verifier();
        let t = good();
        let other = sign(
            &NotificationToken::new("wrong"),
            &Claims::tamara(Timestamp::from_secs(IAT)),
        );
        let h = format!("Bearer {t}");
        let q = format!("tamaraToken={other}");
        assert_eq!(
            extract_token(Some(&h), Some(&q)).as_deref(),
            Some(t.as_str())
        );
        assert!(v.verify_request(Some(&h), Some(&q), NOW).is_ok());
        // And a forged header is not rescued by a good query token.
        let bad_h = format!("Bearer {other}");
        let good_q = format!("tamaraToken={t}");
        assert_eq!(
            v.verify_request(Some(&bad_h), Some(&good_q), NOW),
            Err(TokenError::Signature)
        );
        // An unusable header falls back to the query.
        assert!(v
            .verify_request(Some("Bearer "), Some(&good_q), NOW)
            .is_ok());
        assert!(v
            .verify_request(Some(&format!("  bearer {t}  ")), None, NOW)
            .is_ok());
    }

    #[test]
    fn error_codes_are_stable() {
        assert_eq!(TokenError::Missing.code(), "token_missing");
        assert_eq!(TokenError::Signature.code(), "token_signature");
        assert_eq!(TokenError::Expired.code(), "token_expired");
        assert_eq!(
            TokenError::Algorithm("none".into()).code(),
            "token_algorithm"
        );
        assert_eq!(TokenError::Malformed.code(), "token_malformed");
    }
}

mod secrets {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use tamara_core::orders::GetOrder;
    use tamara_core::token::Verifier;
    use tamara_core::{ApiToken, Client, Environment, NotificationToken, SecretString};

    const API: &str = "api-tok-6c1f0f2a9e-SECRET";
    const NOTIF: &str = "notif-tok-0b5d7e-SECRET";
    const OTHER: &str = "admin-tok-77aa-SECRET";

    fn assert_clean(what: &str, printed: &str) {
        for s in [API, NOTIF, OTHER, "SECRET"] {
            assert!(!printed.contains(s), "{what} leaks: {printed}");
        }
    }

    #[test]
    fn tokens_redact() {
        let a = ApiToken::new(API);
        let n = NotificationToken::new(NOTIF);
        let s = SecretString::new(OTHER);
        for (what, printed) in [
            ("ApiToken", format!("{a:?}")),
            ("ApiToken alt", format!("{a:#?}")),
            ("NotificationToken", format!("{n:?}")),
            ("SecretString", format!("{s:?}")),
            ("Option", format!("{:?}", Some((&a, &n, &s)))),
            ("Vec", format!("{:?}", vec![s.clone()])),
        ] {
            assert_clean(what, &printed);
            assert!(printed.contains("[redacted]"), "{what}: {printed}");
        }
        assert_eq!(a.expose(), API);
    }

    #[test]
    fn client_request_and_verifier_redact() {
        let client = Client::new(Environment::Production, ApiToken::new(API));
        assert_clean("Client", &format!("{client:?} {client:#?}"));
        let req = client.build(&GetOrder::new("o".into()));
        assert_eq!(
            req.header("Authorization"),
            Some(format!("Bearer {API}").as_str())
        );
        assert_clean("HttpRequest", &format!("{req:?} {req:#?}"));
        // Lower-case header names are redacted too.
        let mut lower = req.clone();
        lower.headers = vec![("authorization".into(), format!("Bearer {API}"))];
        assert_clean("HttpRequest lower", &format!("{lower:?}"));
        let v = Verifier::new(NotificationToken::new(NOTIF));
        assert_clean("Verifier", &format!("{v:?}"));
    }
}

#[test]
fn constant_time_eq_semantics() {
    use tamara_core::secret::constant_time_eq;
    assert!(constant_time_eq(b"", b""));
    assert!(constant_time_eq(b"same-token", b"same-token"));
    assert!(!constant_time_eq(b"same-token", b"same-tokeN"));
    assert!(!constant_time_eq(b"same", b"same-token"));
}
