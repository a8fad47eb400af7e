//! Keys: private key encryption and its failures, private and public JWK formats, and
//! the JWKS round trip.

use super::*;

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
