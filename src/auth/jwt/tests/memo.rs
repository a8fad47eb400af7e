//! Remembered signatures spare the curve arithmetic and nothing else.

use super::*;

fn remembering(
    token: &str,
    keys: &[(String, VerifyingKey)],
    now: i64,
    memo: &VerifiedTokens,
) -> Result<Value, JwtError> {
    let validation = Validation::new(ISS, ISS);
    verify_remembering::<serde_json::Map<String, Value>>(
        token,
        &VerifyKey::Ed25519(keys),
        &validation,
        now,
        Some(memo),
    )
    .map(Value::Object)
}

#[test]
fn a_verified_token_is_remembered_and_verifies_again() {
    let (key, token) = eddsa(&claims());
    let memo = VerifiedTokens::default();
    let first = remembering(&token, &key_set(&key), NOW, &memo).unwrap();
    assert_eq!(memo.len(), 1);
    assert_eq!(
        remembering(&token, &key_set(&key), NOW, &memo).unwrap(),
        first
    );
    assert_eq!(memo.len(), 1);
}

#[test]
fn a_refused_token_is_not_remembered() {
    let (key, _) = eddsa(&claims());
    let (_, stranger) = eddsa(&claims()); // same kid, another key
    let memo = VerifiedTokens::default();
    assert_eq!(
        remembering(&stranger, &key_set(&key), NOW, &memo),
        Err(JwtError::BadSignature)
    );
    assert!(memo.is_empty());
}

#[test]
fn another_signature_beside_a_remembered_token_is_still_checked() {
    let (key, token) = eddsa(&claims());
    let memo = VerifiedTokens::default();
    remembering(&token, &key_set(&key), NOW, &memo).unwrap();
    let (signed, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
    assert_eq!(
        remembering(&forged, &key_set(&key), NOW, &memo),
        Err(JwtError::BadSignature)
    );
}

#[test]
fn a_remembered_token_under_a_replaced_key_is_checked_against_the_new_key() {
    let (key, token) = eddsa(&claims());
    let memo = VerifiedTokens::default();
    remembering(&token, &key_set(&key), NOW, &memo).unwrap();
    // The same kid now names another key (a rotated remote JWKS).
    let replaced = key_set(&Ed25519Key::generate(key.kid()));
    assert_eq!(
        remembering(&token, &replaced, NOW, &memo),
        Err(JwtError::BadSignature)
    );
    // A key set without the kid verifies nothing, remembered or not.
    assert_eq!(
        remembering(&token, &[], NOW, &memo),
        Err(JwtError::UnknownKid)
    );
}

#[test]
fn a_remembered_token_still_expires() {
    let (key, token) = eddsa(&claims());
    let memo = VerifiedTokens::default();
    remembering(&token, &key_set(&key), NOW, &memo).unwrap();
    let later = NOW + 900 + DEFAULT_LEEWAY_SECS;
    assert_eq!(
        remembering(&token, &key_set(&key), later, &memo),
        Err(JwtError::Expired)
    );
}
