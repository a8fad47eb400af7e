//! Round trips with exact headers, and Better Auth's own tokens and keys (`better_auth`):
//! we verify what it signs, and sign what it would.

use super::*;

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
        &VerifyKey::Hs256(&HmacKey::new(SECRET)),
        &Validation::new(ISS, ISS),
        NOW,
    )
    .expect("valid");
    assert_eq!(got, claims());
    assert_eq!(
        verify(
            &token,
            &VerifyKey::Hs256(&HmacKey::new(b"other secret")),
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
        &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
