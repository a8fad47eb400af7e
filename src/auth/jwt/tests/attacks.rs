//! Attacks on verification: `alg: none`, algorithm confusion, tampering, unknown or
//! missing key ids, malformed tokens.

use super::*;

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
                &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
            &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
                &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
            &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
            &VerifyKey::Hs256(&HmacKey::new(SECRET)),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::Malformed(_))
    ));

    // An empty HS256 secret is never accepted.
    let token = sign_hs256(b"", &claims());
    assert!(matches!(
        verify(
            &token,
            &VerifyKey::Hs256(&HmacKey::new(b"")),
            &Validation::default(),
            NOW
        ),
        Err(JwtError::InvalidKey(_))
    ));
}
