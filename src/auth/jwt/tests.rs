use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use ed25519_dalek::{Signer, VerifyingKey};
use hmac::Mac;
use serde_json::{json, Value};

use super::*;
use crate::auth::{key_envelope::*, mac::hmac_sha256};

const SECRET: &[u8] = b"better-auth-secret-12345678901234567890";
const ISS: &str = "http://localhost:3000";
const NOW: i64 = 1_700_000_000;

/// Produced with jose 6 + @noble/ciphers (`managedNonce(xchacha20poly1305)`), i.e.
/// the code path of Better Auth's `createJwk` / `symmetricEncrypt` / `signJWT`.
mod better_auth {
    pub const KID: &str = "Jk3Lm9Np2Qr5St8Uv1Wx4Yz7Ab0Cd6Ef";
    pub const PUBLIC_KEY_COLUMN: &str =
        r#"{"crv":"Ed25519","x":"ESiNgvO48qtnPs5OpxSHolMYtYTq0sp7mebf3tHx-Lg","kty":"OKP"}"#;
    pub const PRIVATE_JWK: &str = r#"{"crv":"Ed25519","d":"AZQT5_KB9YrfxPok8j5TjJ7Fp2fO8KfY9vOhqIB40uE","x":"ESiNgvO48qtnPs5OpxSHolMYtYTq0sp7mebf3tHx-Lg","kty":"OKP"}"#;
    pub const PRIVATE_KEY_COLUMN: &str = "\"701a555a8cc59ed0c3c8d33fe20b916bde46aee937d32f05a2e69ff43dfcdcde0f3de146227f68b7b429fb5e6023a15cf01a4d919e97901ae61981f8a1db5dda56eae297c16e1b9f7712f78e91fbeccd28755335c3d38cc25a5456a6d0c48669c20f3039fac86102397b6ef0e61c05309fddc7e2aa0f2ed99058f60e77282ee366e78c8491ea9261f1d7f18ac20fa1b453c1004d61925bc694c9c87ddf6d736c50aedd8c40aff19c4b\"";
    /// iat 1700000000, exp +900, iss = aud = http://localhost:3000, sub u1.
    pub const EDDSA_TOKEN: &str = "eyJhbGciOiJFZERTQSIsImtpZCI6IkprM0xtOU5wMlFyNVN0OFV2MVd4NFl6N0FiMENkNkVmIn0.eyJpZCI6InUxIiwiZW1haWwiOiJhQGIuY28iLCJzdWIiOiJ1MSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwOTAwLCJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAiLCJhdWQiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAifQ.0budyn8yg3R7DHZyS6e17hI6v9ZR5DaQ1rs214GbtmAbLa63vKawjmw9yrO8zIgvYUO3QSu45WlCuzcdXCSgCw";
    /// Email-verification shape: `{email, iat, exp}`, header `{"alg":"HS256"}`.
    pub const HS256_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImFAYi5jbyIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ.kUW-uC1JJL_mT6fy5IEXEVqjSWi7aXR6ZOBeRlPIKlE";
}

fn claims() -> Value {
    json!({
        "id": "user-1",
        "email": "a@example.com",
        "sub": "user-1",
        "iat": NOW,
        "exp": NOW + 900,
        "iss": ISS,
        "aud": ISS,
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    if let Some(map) = claims.as_object_mut() {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_owned(), value);
        }
    }
    claims
}

fn key_set(key: &Ed25519Key) -> Vec<(String, VerifyingKey)> {
    vec![(key.kid().to_owned(), key.verifying_key())]
}

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

/// Hand-made HS256 token with an arbitrary header.
fn hs256_with_header(header: &str, claims: &Value, secret: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(&claims.to_string()));
    let mut mac = hmac_sha256(secret);
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn eddsa(claims: &Value) -> (Ed25519Key, String) {
    let key = Ed25519Key::generate("kid-1");
    let token = sign_eddsa(&key, claims);
    (key, token)
}

fn verify_ed(token: &str, key: &Ed25519Key, validation: &Validation) -> Result<Value, JwtError> {
    verify(token, &VerifyKey::Ed25519(&key_set(key)), validation, NOW)
}

#[test]
fn eddsa_round_trip_and_exact_header() {
    let (key, token) = eddsa(&claims());
    let header = token.split('.').next().expect("segment");
    assert_eq!(
        URL_SAFE_NO_PAD.decode(header).expect("b64"),
        br#"{"alg":"EdDSA","kid":"kid-1"}"#
    );
    let got = verify_ed(&token, &key, &Validation::new(ISS, ISS)).expect("valid");
    assert_eq!(got, claims());
}

#[test]
fn hs256_round_trip_and_exact_header() {
    let token = sign_hs256(SECRET, &claims());
    let header = token.split('.').next().expect("segment");
    assert_eq!(
        URL_SAFE_NO_PAD.decode(header).expect("b64"),
        br#"{"alg":"HS256","typ":"JWT"}"#
    );
    let got = verify(
        &token,
        &VerifyKey::Hs256(SECRET),
        &Validation::new(ISS, ISS),
        NOW,
    )
    .expect("valid");
    assert_eq!(got, claims());
    assert_eq!(
        verify(
            &token,
            &VerifyKey::Hs256(b"other secret"),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn verifies_tokens_signed_by_better_auth() {
    let public = verifying_key_from_public_jwk(better_auth::PUBLIC_KEY_COLUMN).expect("public key");
    let keys = vec![(better_auth::KID.to_owned(), public)];
    let claims = verify(
        better_auth::EDDSA_TOKEN,
        &VerifyKey::Ed25519(&keys),
        &Validation::new(ISS, ISS),
        NOW + 100,
    )
    .expect("valid");
    assert_eq!(claims["sub"], "u1");

    // Email-verification token: no `sub`, so the subject requirement is lifted.
    let validation = Validation {
        require_subject: false,
        ..Validation::default()
    };
    let claims = verify(
        better_auth::HS256_TOKEN,
        &VerifyKey::Hs256(SECRET),
        &validation,
        NOW + 100,
    )
    .expect("valid");
    assert_eq!(claims["email"], "a@b.co");
}

#[test]
fn reuses_keys_written_by_better_auth() {
    let jwk = decrypt_private_key(better_auth::PRIVATE_KEY_COLUMN, SECRET).expect("decrypt");
    assert_eq!(jwk, better_auth::PRIVATE_JWK);
    let key = Ed25519Key::from_private_key_column(
        better_auth::KID,
        better_auth::PRIVATE_KEY_COLUMN,
        SECRET,
    )
    .expect("key");
    // Our serialisations match jose's byte for byte.
    assert_eq!(key.to_private_jwk_json(), better_auth::PRIVATE_JWK);
    assert_eq!(key.public_key_json(), better_auth::PUBLIC_KEY_COLUMN);
    // Ed25519 is deterministic, so re-signing the same bytes gives jose's signature.
    let (input, signature) = better_auth::EDDSA_TOKEN
        .rsplit_once('.')
        .expect("three segments");
    assert_eq!(
        URL_SAFE_NO_PAD.encode(key.signing.sign(input.as_bytes()).to_bytes()),
        signature
    );
    // And our header for this kid is jose's header.
    let ours = sign_eddsa(&key, &claims());
    assert_eq!(
        ours.split('.').next(),
        better_auth::EDDSA_TOKEN.split('.').next()
    );
}

#[test]
fn refuses_alg_none() {
    let (key, _) = eddsa(&claims());
    for alg in ["none", "None", "NONE", ""] {
        let header = format!(r#"{{"alg":"{alg}","kid":"kid-1"}}"#);
        let token = format!("{}.{}.", b64(&header), b64(&claims().to_string()));
        assert_eq!(
            verify_ed(&token, &key, &Validation::default()),
            Err(JwtError::UnsupportedAlgorithm),
            "{alg}"
        );
        assert_eq!(
            verify(
                &token,
                &VerifyKey::Hs256(SECRET),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[test]
fn refuses_hs256_token_keyed_with_the_public_key() {
    // Classic confusion: an attacker HMACs with the public key material and hopes the
    // verifier uses it as an HMAC secret.
    let key = Ed25519Key::generate("kid-1");
    let public_b64 = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    for secret in [
        public_b64.as_bytes(),
        key.verifying_key().as_bytes().as_slice(),
        key.public_key_json().as_bytes(),
    ] {
        let token = hs256_with_header(r#"{"alg":"HS256","kid":"kid-1"}"#, &claims(), secret);
        assert_eq!(
            verify_ed(&token, &key, &Validation::default()),
            Err(JwtError::UnsupportedAlgorithm)
        );
    }
}

#[test]
fn refuses_eddsa_token_for_hs256_and_other_algorithms() {
    let (_, token) = eddsa(&claims());
    assert_eq!(
        verify(
            &token,
            &VerifyKey::Hs256(SECRET),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::UnsupportedAlgorithm)
    );
    let key = Ed25519Key::generate("kid-1");
    for alg in ["RS256", "ES256", "HS512", "Ed25519", "eddsa"] {
        let header = format!(r#"{{"alg":"{alg}","kid":"kid-1"}}"#);
        let token = hs256_with_header(&header, &claims(), SECRET);
        assert_eq!(
            verify_ed(&token, &key, &Validation::default()),
            Err(JwtError::UnsupportedAlgorithm),
            "{alg}"
        );
        assert_eq!(
            verify(
                &token,
                &VerifyKey::Hs256(SECRET),
                &Validation::default(),
                NOW
            ),
            Err(JwtError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[test]
fn refuses_tampering() {
    let (key, token) = eddsa(&claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged_claims = with(claims(), "sub", json!("admin"));
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(&forged_claims.to_string()),
        parts[2]
    );
    assert_eq!(
        verify_ed(&forged, &key, &Validation::default()),
        Err(JwtError::BadSignature)
    );

    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).expect("b64");
    signature[0] ^= 1;
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(&signature)
    );
    assert_eq!(
        verify_ed(&forged, &key, &Validation::default()),
        Err(JwtError::BadSignature)
    );

    // Truncated and empty signatures.
    for sig in [&parts[2][..10], ""] {
        let forged = format!("{}.{}.{}", parts[0], parts[1], sig);
        assert_eq!(
            verify_ed(&forged, &key, &Validation::default()),
            Err(JwtError::BadSignature)
        );
    }

    // Signed by another key that claims the same kid.
    let impostor = Ed25519Key::generate("kid-1");
    assert_eq!(
        verify_ed(
            &sign_eddsa(&impostor, &claims()),
            &key,
            &Validation::default()
        ),
        Err(JwtError::BadSignature)
    );

    // HS256 payload tampering.
    let token = sign_hs256(SECRET, &claims());
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(&forged_claims.to_string()),
        parts[2]
    );
    assert_eq!(
        verify(
            &forged,
            &VerifyKey::Hs256(SECRET),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn unknown_or_missing_kid() {
    let (_, token) = eddsa(&claims());
    let other = Ed25519Key::generate("kid-2");
    assert_eq!(
        verify_ed(&token, &other, &Validation::default()),
        Err(JwtError::UnknownKid)
    );
    assert_eq!(
        verify(
            &token,
            &VerifyKey::Ed25519(&[]),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::UnknownKid)
    );
    // The kid must match exactly.
    let near = Ed25519Key::generate("KID-1");
    assert_eq!(
        verify_ed(&token, &near, &Validation::default()),
        Err(JwtError::UnknownKid)
    );

    let key = Ed25519Key::generate("kid-1");
    let input = format!(
        "{}.{}",
        b64(r#"{"alg":"EdDSA"}"#),
        b64(&claims().to_string())
    );
    let signature = key.signing.sign(input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
    assert!(matches!(
        verify_ed(&token, &key, &Validation::default()),
        Err(JwtError::Malformed(_))
    ));
}

#[test]
fn time_claims() {
    let check = |claims: Value| {
        verify(
            &sign_hs256(SECRET, &claims),
            &VerifyKey::Hs256(SECRET),
            &Validation::default(),
            NOW,
        )
    };
    assert_eq!(
        check(with(claims(), "exp", json!(NOW - 31))),
        Err(JwtError::Expired)
    );
    assert_eq!(
        check(with(claims(), "exp", json!(NOW - 30))),
        Err(JwtError::Expired)
    );
    assert!(
        check(with(claims(), "exp", json!(NOW - 29))).is_ok(),
        "within leeway"
    );
    assert!(check(with(claims(), "exp", json!(NOW as f64 + 0.5))).is_ok());
    assert_eq!(
        check(with(claims(), "exp", Value::Null)),
        Err(JwtError::MissingClaim("exp"))
    );
    assert_eq!(
        check(with(claims(), "exp", json!("9999999999"))),
        Err(JwtError::InvalidClaim("exp"))
    );

    assert_eq!(
        check(with(claims(), "nbf", json!(NOW + 60))),
        Err(JwtError::NotYetValid)
    );
    assert!(check(with(claims(), "nbf", json!(NOW + 10))).is_ok());
    assert!(check(with(claims(), "nbf", json!(NOW - 10))).is_ok());
    assert_eq!(
        check(with(claims(), "nbf", json!(true))),
        Err(JwtError::InvalidClaim("nbf"))
    );

    assert_eq!(
        check(with(claims(), "iat", json!(NOW + 3600))),
        Err(JwtError::NotYetValid)
    );
    assert!(check(with(claims(), "iat", json!(NOW + 10))).is_ok());
    assert!(
        check(with(claims(), "iat", Value::Null)).is_ok(),
        "iat optional"
    );

    // Leeway is configurable, and negative values are treated as zero.
    let strict = Validation {
        leeway_secs: -5,
        ..Validation::default()
    };
    // (no iat, which would otherwise be "in the future" at NOW - 1)
    let token = sign_hs256(
        SECRET,
        &with(with(claims(), "exp", json!(NOW)), "iat", Value::Null),
    );
    assert_eq!(
        verify(&token, &VerifyKey::Hs256(SECRET), &strict, NOW),
        Err(JwtError::Expired)
    );
    assert!(verify(&token, &VerifyKey::Hs256(SECRET), &strict, NOW - 1).is_ok());
}

#[test]
fn subject_claim() {
    let check = |claims: Value, require_subject| {
        let validation = Validation {
            require_subject,
            ..Validation::default()
        };
        verify(
            &sign_hs256(SECRET, &claims),
            &VerifyKey::Hs256(SECRET),
            &validation,
            NOW,
        )
    };
    assert_eq!(
        check(with(claims(), "sub", Value::Null), true),
        Err(JwtError::MissingClaim("sub"))
    );
    assert_eq!(
        check(with(claims(), "sub", json!("")), true),
        Err(JwtError::MissingClaim("sub"))
    );
    assert_eq!(
        check(with(claims(), "sub", json!(42)), true),
        Err(JwtError::InvalidClaim("sub"))
    );
    assert_eq!(
        check(with(claims(), "sub", json!(42)), false),
        Err(JwtError::InvalidClaim("sub"))
    );
    assert!(check(with(claims(), "sub", Value::Null), false).is_ok());
}

#[test]
fn issuer_and_audience() {
    let (key, token) = eddsa(&claims());
    let validation = |iss: &str, aud: &str| Validation::new(iss, aud);
    assert!(verify_ed(&token, &key, &validation(ISS, ISS)).is_ok());
    assert_eq!(
        verify_ed(&token, &key, &validation("https://evil.example", ISS)),
        Err(JwtError::WrongIssuer)
    );
    // The path is not part of Better Auth's default issuer/audience.
    assert_eq!(
        verify_ed(&token, &key, &validation(&format!("{ISS}/api/auth"), ISS)),
        Err(JwtError::WrongIssuer)
    );
    assert_eq!(
        verify_ed(&token, &key, &validation(ISS, "https://other.example")),
        Err(JwtError::WrongAudience)
    );

    let sign = |claims: Value| sign_eddsa(&key, &claims);
    let token = sign(with(claims(), "aud", json!(["https://a.example", ISS])));
    assert!(verify_ed(&token, &key, &validation(ISS, ISS)).is_ok());
    let token = sign(with(claims(), "aud", json!(["https://a.example"])));
    assert_eq!(
        verify_ed(&token, &key, &validation(ISS, ISS)),
        Err(JwtError::WrongAudience)
    );
    let token = sign(with(claims(), "aud", json!([])));
    assert_eq!(
        verify_ed(&token, &key, &validation(ISS, ISS)),
        Err(JwtError::WrongAudience)
    );
    let token = sign(with(claims(), "aud", json!(7)));
    assert_eq!(
        verify_ed(&token, &key, &validation(ISS, ISS)),
        Err(JwtError::InvalidClaim("aud"))
    );
    let token = sign(with(claims(), "aud", Value::Null));
    assert_eq!(
        verify_ed(&token, &key, &validation(ISS, ISS)),
        Err(JwtError::MissingClaim("aud"))
    );
    let token = sign(with(claims(), "iss", Value::Null));
    assert_eq!(
        verify_ed(&token, &key, &validation(ISS, ISS)),
        Err(JwtError::MissingClaim("iss"))
    );
    // Without expectations, iss/aud are not checked.
    assert!(verify_ed(&token, &key, &Validation::default()).is_ok());
}

#[test]
fn malformed_tokens() {
    let key = Ed25519Key::generate("kid-1");
    let valid = sign_eddsa(&key, &claims());
    let parts: Vec<&str> = valid.split('.').collect();
    let payload = b64(&claims().to_string());
    let cases = [
        String::new(),
        "abc".to_owned(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{valid}.extra"),
        format!("{valid}.a.b"), // JWE-like five segments
        format!("!!!.{payload}.{}", parts[2]),
        format!("{}=.{payload}.{}", parts[0], parts[2]), // padding not allowed
        format!("{}.{payload}.{}", b64("not json"), parts[2]),
        format!("{}.{payload}.{}", b64(r#"["alg","EdDSA"]"#), parts[2]),
        format!(
            "{}.{payload}.{}",
            b64(r#"{"alg":5,"kid":"kid-1"}"#),
            parts[2]
        ),
        format!("{}.{payload}.{}", b64(r#"{"kid":"kid-1"}"#), parts[2]),
    ];
    for token in &cases {
        assert!(
            matches!(
                verify_ed(token, &key, &Validation::default()),
                Err(JwtError::Malformed(_))
            ),
            "{token}"
        );
    }

    // Validly signed, but the payload is not a JSON object.
    for payload in ["[1,2]", "\"text\"", "not json"] {
        let input = format!("{}.{}", parts[0], b64(payload));
        let signature = key.signing.sign(input.as_bytes());
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        assert!(matches!(
            verify_ed(&token, &key, &Validation::default()),
            Err(JwtError::Malformed(_))
        ));
    }

    // `crit` is refused even when everything else is valid.
    let token = hs256_with_header(
        r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
        &claims(),
        SECRET,
    );
    assert!(matches!(
        verify(
            &token,
            &VerifyKey::Hs256(SECRET),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::Malformed(_))
    ));

    // An empty HS256 secret is never accepted.
    let token = sign_hs256(b"", &claims());
    assert!(matches!(
        verify(&token, &VerifyKey::Hs256(b""), &Validation::default(), NOW),
        Err(JwtError::InvalidKey(_))
    ));
}

#[test]
fn private_key_encryption_round_trip() {
    let key = Ed25519Key::generate("kid-1");
    let jwk = key.to_private_jwk_json();
    let column = encrypt_private_key(&jwk, SECRET).expect("encrypt");

    // A JSON string literal of lowercase hex: nonce ‖ ciphertext ‖ tag.
    assert!(column.starts_with('"') && column.ends_with('"'));
    let hex_text = &column[1..column.len() - 1];
    assert!(hex_text
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(hex_text.len(), 2 * (NONCE_LEN + jwk.len() + TAG_LEN));

    assert_eq!(decrypt_private_key(&column, SECRET).expect("decrypt"), jwk);
    // Random nonce: encrypting twice differs.
    assert_ne!(encrypt_private_key(&jwk, SECRET).expect("encrypt"), column);
    // Bare hex and the rotation envelope, quoted or not.
    assert_eq!(decrypt_private_key(hex_text, SECRET).expect("bare"), jwk);
    let envelope = format!("$ba$2${hex_text}");
    assert_eq!(
        decrypt_private_key(&envelope, SECRET).expect("envelope"),
        jwk
    );
    let quoted = Value::String(envelope.clone()).to_string();
    assert_eq!(decrypt_private_key(&quoted, SECRET).expect("quoted"), jwk);
    assert_eq!(private_key_secret_version(&quoted), Some(2));
    assert_eq!(private_key_secret_version(&envelope), Some(2));
    assert_eq!(private_key_secret_version(&column), None);

    let restored = Ed25519Key::from_private_key_column("kid-1", &column, SECRET).expect("key");
    assert_eq!(restored.verifying_key(), key.verifying_key());
    assert!(verify_ed(
        &sign_eddsa(&restored, &claims()),
        &key,
        &Validation::default()
    )
    .is_ok());
}

#[test]
fn private_key_decryption_failures() {
    let column = encrypt_private_key(&Ed25519Key::generate("k").to_private_jwk_json(), SECRET)
        .expect("encrypt");
    assert_eq!(
        decrypt_private_key(&column, b"a different secret"),
        Err(JwtError::Decrypt)
    );
    assert_eq!(
        decrypt_private_key(better_auth::PRIVATE_KEY_COLUMN, b"wrong"),
        Err(JwtError::Decrypt)
    );
    assert_eq!(
        Ed25519Key::from_private_key_column("k", &column, b"wrong").map(|k| k.kid().to_owned()),
        Err(JwtError::Decrypt)
    );

    // Flipping one ciphertext bit breaks the tag.
    let mut bytes = hex::decode(&column[1..column.len() - 1]).expect("hex");
    if let Some(last) = bytes.last_mut() {
        *last ^= 1;
    }
    assert_eq!(
        decrypt_private_key(&hex::encode(&bytes), SECRET),
        Err(JwtError::Decrypt)
    );

    for bad in [
        "",
        "\"\"",
        "\"unterminated",
        "zz",
        "abc",
        &"00".repeat(NONCE_LEN + TAG_LEN - 1),
        "$ba$x$00",
    ] {
        assert!(
            matches!(
                decrypt_private_key(bad, SECRET),
                Err(JwtError::Malformed(_))
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn plain_private_jwk_when_encryption_is_disabled() {
    let key = Ed25519Key::generate("kid-1");
    let jwk = key.to_private_jwk_json();
    assert_eq!(decrypt_private_key(&jwk, b"ignored").expect("plain"), jwk);
    let restored = Ed25519Key::from_private_key_column("kid-1", &jwk, b"").expect("key");
    assert_eq!(restored.verifying_key(), key.verifying_key());
}

#[test]
fn private_jwk_parsing() {
    let key = Ed25519Key::generate("kid-1");
    let jwk = key.to_private_jwk_json();
    let restored = Ed25519Key::from_private_jwk("kid-1", &jwk).expect("parse");
    assert_eq!(restored.to_private_jwk_json(), jwk);
    assert_eq!(restored.kid(), "kid-1");

    let other_x = URL_SAFE_NO_PAD.encode(Ed25519Key::generate("x").verifying_key().as_bytes());
    let d = URL_SAFE_NO_PAD.encode(key.signing.as_bytes());
    for bad in [
        format!(r#"{{"crv":"Ed25519","d":"{d}","x":"{other_x}","kty":"OKP"}}"#),
        format!(r#"{{"crv":"Ed448","d":"{d}","kty":"OKP"}}"#),
        format!(r#"{{"crv":"Ed25519","d":"{d}","kty":"EC"}}"#),
        r#"{"crv":"Ed25519","kty":"OKP"}"#.to_owned(),
        r#"{"crv":"Ed25519","d":"AAAA","kty":"OKP"}"#.to_owned(),
    ] {
        assert!(
            matches!(
                Ed25519Key::from_private_jwk("k", &bad),
                Err(JwtError::InvalidKey(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        Ed25519Key::from_private_jwk("k", "[]"),
        Err(JwtError::Malformed(_))
    ));
    // `x` is optional; `d` alone determines the key.
    let without_x = format!(r#"{{"crv":"Ed25519","d":"{d}","kty":"OKP"}}"#);
    assert_eq!(
        Ed25519Key::from_private_jwk("k", &without_x)
            .expect("parse")
            .verifying_key(),
        key.verifying_key()
    );
    // Debug output never contains the private scalar.
    assert!(!format!("{key:?}").contains(&d));
}

#[test]
fn public_key_formats() {
    let key = Ed25519Key::generate("kid-1");
    let x = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    assert_eq!(
        key.public_jwk(),
        json!({"alg":"EdDSA","crv":"Ed25519","kty":"OKP","x":x,"kid":"kid-1"})
    );
    assert_eq!(
        key.public_key_json(),
        format!(r#"{{"crv":"Ed25519","x":"{x}","kty":"OKP"}}"#)
    );
    assert_eq!(
        verifying_key_from_public_jwk(&key.public_key_json()).expect("parse"),
        key.verifying_key()
    );
    assert!(verifying_key_from_public_jwk(r#"{"crv":"Ed25519","kty":"OKP"}"#).is_err());
    // Small-order point (the identity) is refused.
    let identity = {
        let mut bytes = [0u8; 32];
        bytes[0] = 1;
        URL_SAFE_NO_PAD.encode(bytes)
    };
    assert_eq!(
        verifying_key_from_public_jwk(&format!(
            r#"{{"crv":"Ed25519","x":"{identity}","kty":"OKP"}}"#
        )),
        Err(JwtError::InvalidKey("x is a small-order point"))
    );
}

#[test]
fn jwks_round_trip() {
    let first = Ed25519Key::generate("kid-a");
    let second = Ed25519Key::generate("kid-b");
    let document = json!({
        "keys": [
            first.public_jwk(),
            {"kty":"RSA","n":"AQAB","e":"AQAB","alg":"RS256","kid":"rsa"},
            {"kty":"OKP","crv":"X25519","x": URL_SAFE_NO_PAD.encode([9u8; 32]),"kid":"x"},
            {"kty":"OKP","crv":"Ed25519","x":"short","kid":"bad"},
            {"kty":"OKP","crv":"Ed25519","x": URL_SAFE_NO_PAD.encode(first.verifying_key().as_bytes())},
            {"kty":"OKP","crv":"Ed25519","use":"enc","x": URL_SAFE_NO_PAD.encode(first.verifying_key().as_bytes()),"kid":"enc"},
            "not an object",
            second.public_jwk(),
        ]
    });
    // Survives serialisation, as when fetched from a remote `/jwks`.
    let document: Value = serde_json::from_str(&document.to_string()).expect("JSON round trip");
    let keys = parse_jwks(&document);
    assert_eq!(
        keys,
        vec![
            ("kid-a".to_owned(), first.verifying_key()),
            ("kid-b".to_owned(), second.verifying_key()),
        ]
    );
    let token = sign_eddsa(&second, &claims());
    assert!(verify(
        &token,
        &VerifyKey::Ed25519(&keys),
        &Validation::new(ISS, ISS),
        NOW
    )
    .is_ok());

    assert!(parse_jwks(&json!({})).is_empty());
    assert!(parse_jwks(&json!({"keys": "nope"})).is_empty());
    assert!(parse_jwks(&json!([])).is_empty());
}
