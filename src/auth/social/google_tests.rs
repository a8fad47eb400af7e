//! The Google preset, without the network: the authorization request built from
//! Google's published discovery document, and the user read from the id token claims
//! Google documents ("OpenID Connect", "An ID token's payload"), whose
//! `email_verified` is the string `"true"` there.

use openidconnect::core::{CoreIdTokenClaims, CoreProviderMetadata};
use serde_json::json;
use url::Url;

use super::{user_of, Authorize, Kind, Provider, ProviderConfig};

/// Google's discovery document (https://accounts.google.com/.well-known/openid-configuration),
/// trimmed to the fields a client reads.
fn google_metadata() -> CoreProviderMetadata {
    serde_json::from_value(json!({
        "issuer": "https://accounts.google.com",
        "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
        "token_endpoint": "https://oauth2.googleapis.com/token",
        "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
        "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token", "none"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "email", "email_verified", "exp", "family_name", "given_name", "iat", "iss", "name", "picture", "sub"],
        "code_challenge_methods_supported": ["plain", "S256"]
    }))
    .expect("Google's discovery document parses")
}

fn google() -> Provider {
    Provider::discovered(
        ProviderConfig {
            kind: Kind::OpenIdConnect,
            id: "google".into(),
            name: "Google".into(),
            client_id: "1234987819200.apps.googleusercontent.com".into(),
            client_secret: Some("g-secret".into()),
            issuer: Url::parse("https://accounts.google.com").unwrap(),
            scopes: vec!["email".into(), "profile".into()],
        },
        google_metadata(),
    )
}

#[tokio::test]
async fn the_authorization_request_is_googles_with_pkce_and_a_nonce() {
    let verifier = "v".repeat(64);
    let ask = Authorize {
        redirect: "https://tasks.example.com/api/auth/callback/google",
        state: "st4te",
        nonce: "n0nce",
        verifier: &verifier,
        scopes: &["https://www.googleapis.com/auth/calendar.readonly".to_string()],
        login_hint: Some("jsmith@example.com"),
    };
    let http = reqwest::Client::new();
    let url = google().authorize_url(&http, &ask).await.unwrap();
    assert_eq!(
        url.origin().ascii_serialization(),
        "https://accounts.google.com"
    );
    assert_eq!(url.path(), "/o/oauth2/v2/auth");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "1234987819200.apps.googleusercontent.com");
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["nonce"], "n0nce");
    assert_eq!(
        q["scope"],
        "openid https://www.googleapis.com/auth/calendar.readonly email profile"
    );
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["code_challenge"],
        openidconnect::PkceCodeChallenge::from_code_verifier_sha256(
            &openidconnect::PkceCodeVerifier::new(verifier.clone())
        )
        .as_str()
    );
    assert_eq!(
        q["redirect_uri"],
        "https://tasks.example.com/api/auth/callback/google"
    );
    assert_eq!(q["login_hint"], "jsmith@example.com");
    assert!(!q.contains_key("client_secret"));
    assert_eq!(
        google().issuer(&http).await.unwrap(),
        "https://accounts.google.com"
    );
}

#[test]
fn the_user_is_read_from_googles_documented_id_token() {
    // Google's example payload, with a picture and a name as a profile scope adds them.
    let claims: CoreIdTokenClaims = serde_json::from_value(json!({
        "iss": "https://accounts.google.com",
        "azp": "1234987819200.apps.googleusercontent.com",
        "aud": "1234987819200.apps.googleusercontent.com",
        "sub": "10769150350006150715113082367",
        "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q",
        "hd": "example.com",
        "email": "JSmith@Example.com",
        "email_verified": "true",
        "iat": 1353601026,
        "exp": 1353604926,
        "nonce": "0394852-3190485-2490358",
        "name": "Jane Smith",
        "picture": "https://lh3.googleusercontent.com/a/photo.jpg"
    }))
    .expect("Google's documented claims parse");
    let who = user_of(&claims);
    assert_eq!(who.subject, "10769150350006150715113082367");
    assert_eq!(who.email.as_deref(), Some("jsmith@example.com"));
    assert!(who.email_verified, "Google's string \"true\" counts");
    assert_eq!(who.name.as_deref(), Some("Jane Smith"));
    assert_eq!(
        who.image.as_deref(),
        Some("https://lh3.googleusercontent.com/a/photo.jpg")
    );

    // An address Google does not vouch for.
    let unverified: CoreIdTokenClaims = serde_json::from_value(json!({
        "iss": "https://accounts.google.com", "aud": "x", "sub": "1",
        "email": "a@example.com", "email_verified": false, "iat": 1, "exp": 2
    }))
    .unwrap();
    assert!(!user_of(&unverified).email_verified);
}
