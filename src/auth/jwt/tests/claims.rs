//! The claims checks: time (`exp`, `nbf`, `iat`, leeway), subject, issuer and audience.

use super::*;

#[test]
fn time_claims() {
    let check = |claims: Value| {
        verify(
            &sign_hs256(SECRET, &claims),
            &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
        verify(
            &token,
            &VerifyKey::Hs256(&HmacKey::new(SECRET)),
            &strict,
            NOW
        ),
        Err(JwtError::Expired)
    );
    assert!(verify(
        &token,
        &VerifyKey::Hs256(&HmacKey::new(SECRET)),
        &strict,
        NOW - 1
    )
    .is_ok());
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
            &VerifyKey::Hs256(&HmacKey::new(SECRET)),
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
