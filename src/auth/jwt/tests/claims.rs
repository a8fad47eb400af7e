//! The claims checks: time (`exp`, `nbf`, `iat`, leeway), subject, issuer and audience,
//! `null` claims, and what the app's reader (`AccessClaims`) keeps.

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

#[test]
fn a_null_registered_claim_is_refused_not_ignored() {
    let key = HmacKey::new(SECRET);
    for (name, refused) in [
        ("exp", JwtError::InvalidClaim("exp")),
        ("nbf", JwtError::InvalidClaim("nbf")),
        ("iat", JwtError::InvalidClaim("iat")),
        ("sub", JwtError::InvalidClaim("sub")),
        ("iss", JwtError::InvalidClaim("iss")),
        ("aud", JwtError::InvalidClaim("aud")),
    ] {
        let mut claims = claims();
        claims[name] = Value::Null;
        assert_eq!(
            verify(
                &sign_hs256(SECRET, &claims),
                &VerifyKey::Hs256(&key),
                &Validation::new(ISS, ISS),
                NOW
            ),
            Err(refused),
            "{name}: null"
        );
    }
}

#[test]
fn the_apps_reader_keeps_what_it_uses_and_refuses_duplicates() {
    let key = HmacKey::new(SECRET);
    let reader = |token: &str| {
        verify_remembering::<AccessClaims>(
            token,
            &VerifyKey::Hs256(&key),
            &Validation::new(ISS, ISS),
            NOW,
            None,
        )
    };
    let mut claims = claims();
    claims["name"] = json!("Ann");
    claims["sid"] = json!("binding");
    claims["image"] = json!({ "nested": [1, 2, 3] });
    let read = reader(&sign_hs256(SECRET, &claims)).unwrap();
    assert_eq!(read.subject(), Some("user-1"));
    assert_eq!(read.email(), Some("a@example.com"));
    assert_eq!(read.name(), Some("Ann"));
    assert_eq!(read.session_binding(), Some("binding"));
    assert_eq!(read.expires_at(), Some(NOW + 900));

    // Two `sub`s: the map keeps the last, the app's reader refuses the token (RFC 7519
    // §4 allows either); the signature is good, so only the payload can be at fault.
    let payload = format!(
        r#"{{"sub":"user-1","sub":"admin","exp":{},"iss":"{ISS}","aud":"{ISS}"}}"#,
        NOW + 900
    );
    let input = format!("{}.{}", b64(r#"{"alg":"HS256"}"#), b64(&payload));
    let mut mac = hmac_sha256(SECRET);
    mac.update(input.as_bytes());
    let token = format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(
        reader(&token),
        Err(JwtError::Malformed(
            "payload is not a base64url JSON object"
        ))
    );
}
