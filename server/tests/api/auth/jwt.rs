//! JWTs: they verify against the published JWKS, bearer misuse is refused, and HS256
//! mode signs with the shared secret.

use serde_json::{json, Value};
use taskdeck::auth::jwt::{self, parse_jwks, HmacKey, Validation, VerifyKey};

use super::PASSWORD;
use crate::helpers::{Backend, TestApp};

async fn jwt_verifies_against_the_published_jwks(app: &TestApp) {
    let who = app.sign_up("jay@example.com", PASSWORD).await;
    let token = app.jwt(&who).await;
    let jwks: Value = app.auth_get("/jwks", None).await.json().await.unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["kty"], "OKP");
    let keys = parse_jwks(&jwks);
    assert_eq!(keys.len(), 1);
    let validation = Validation::new(app.origin(), app.origin());
    let now = chrono::Utc::now().timestamp();
    let claims = jwt::verify(&token, &VerifyKey::Ed25519(&keys), &validation, now).unwrap();
    assert_eq!(claims["sub"], who.user_id.as_str());
    assert_eq!(claims["email"], "jay@example.com");
    assert_eq!(claims["iss"], app.origin().as_str());
    let exp = claims["exp"].as_i64().unwrap();
    let iat = claims["iat"].as_i64().unwrap();
    assert_eq!(exp - iat, 15 * 60);

    // The bearer token opens the API; the key survives a restart (same database).
    let res = app.bearer_get(&token, "/api/me").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["id"],
        who.user_id.as_str()
    );
}

async fn bearer_attacks_are_refused(app: &TestApp) {
    let who = app.sign_up("kim@example.com", PASSWORD).await;
    let good = app.jwt(&who).await;
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let parts: Vec<&str> = good.split('.').collect();
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": who.user_id, "iat": now, "exp": now + 600, "iss": app.origin(), "aud": app.origin() });
    let mut tampered_claims = claims.clone();
    tampered_claims["sub"] = json!("someone-else");
    let jwks: Value = app.auth_get("/jwks", None).await.json().await.unwrap();
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_string();
    let attacks = vec![
        (
            "alg none",
            format!("{}.{}.", b64(&json!({ "alg": "none" })), b64(&claims)),
        ),
        (
            "tampered payload",
            format!("{}.{}.{}", parts[0], b64(&tampered_claims), parts[2]),
        ),
        (
            "HS256 with the public key as secret",
            jwt::sign_hs256(public_x.as_bytes(), &claims),
        ),
        (
            "HS256 with the server secret (EdDSA mode)",
            jwt::sign_hs256(app.config.secret_bytes(), &claims),
        ),
        ("garbage", "not.a.jwt".to_string()),
        ("unknown kid", {
            let key = jwt::Ed25519Key::generate("unknown-kid");
            jwt::sign_eddsa(&key, &claims)
        }),
    ];
    for (name, token) in attacks {
        let res = app.bearer_get(&token, "/api/me").await;
        assert_eq!(res.status(), 401, "{name}");
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{name}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "INVALID_TOKEN", "{name}");
    }
    let res = app.client.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    // A session token is not a JWT (Better Auth issue #932's mirror image).
    let session_token = who.body["token"].as_str().unwrap();
    let res = app.bearer_get(session_token, "/api/me").await;
    assert_eq!(res.status(), 401);
}

async fn hs256_mode_signs_with_the_shared_secret(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("JWT_ALGORITHM", "HS256")
        .spawn()
        .await;
    let who = app.sign_up("max@example.com", PASSWORD).await;
    let token = app.jwt(&who).await;
    let header: Value = {
        use base64::Engine;
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    };
    assert_eq!(header["alg"], "HS256");
    let claims = jwt::verify(
        &token,
        &VerifyKey::Hs256(&HmacKey::new(app.config.secret_bytes())),
        &Validation::new(app.origin(), app.origin()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    assert_eq!(claims["sub"], who.user_id.as_str());
    let res = app.bearer_get(&token, "/api/me").await;
    assert_eq!(res.status(), 200);
    // A token signed with another secret, or an expired one, is refused.
    let now = chrono::Utc::now().timestamp();
    for bad in [
        jwt::sign_hs256(
            b"another-secret-entirely-0123456789",
            &json!({ "sub": who.user_id, "iat": now, "exp": now + 60, "iss": app.origin(), "aud": app.origin() }),
        ),
        jwt::sign_hs256(
            app.config.secret_bytes(),
            &json!({ "sub": who.user_id, "iat": now - 7200, "exp": now - 3600, "iss": app.origin(), "aud": app.origin() }),
        ),
        jwt::sign_hs256(
            app.config.secret_bytes(),
            &json!({ "sub": who.user_id, "iat": now, "exp": now + 60, "iss": "https://other.example", "aud": app.origin() }),
        ),
        jwt::sign_hs256(
            app.config.secret_bytes(),
            &json!({ "sub": who.user_id, "iat": now, "exp": now + 60, "iss": app.origin(), "aud": "https://other.example" }),
        ),
        jwt::sign_hs256(
            app.config.secret_bytes(),
            &json!({ "sub": who.user_id, "iat": now, "nbf": now + 3600, "exp": now + 7200, "iss": app.origin(), "aud": app.origin() }),
        ),
    ] {
        let res = app.bearer_get(&bad, "/api/me").await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(app.auth_get("/jwks", None).await.status(), 200);
    app.cleanup().await;
}

db_tests!(
    jwt_verifies_against_the_published_jwks,
    bearer_attacks_are_refused;
    backend: hs256_mode_signs_with_the_shared_secret,
);
