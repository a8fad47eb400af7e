//! JWT attacks in HS256 mode (`JWT_ALGORITHM=HS256`): only tokens signed with the
//! shared secret pass, even though the server may still hold Ed25519 keys.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::json;
use taskdeck::auth::jwt::{self, Ed25519Key};

use super::{task_titles, tokens::*};
use crate::helpers::{Backend, TestApp};

async fn jwt_attacks_in_hs256_mode(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("JWT_ALGORITHM", "HS256")
        .spawn()
        .await;
    let a = app.api_user("hs-a@example.com").await;
    app.create_task(&a, json!({ "title": "A's only task" }))
        .await;
    assert_accepted(&app, &a, "issued HS256 token", &a.token).await;
    let secret = app.config.secret_bytes().to_vec();
    let good = claims(&app, &a.id);
    assert_accepted(
        &app,
        &a,
        "HS256 with the secret",
        &jwt::sign_hs256(&secret, &good),
    )
    .await;

    // The server may still hold Ed25519 keys (Better Auth's /jwks mints one): a token
    // signed with the server's own Ed25519 key must still be refused in HS256 mode.
    let _ = app.auth_get("/jwks", None).await;
    let real = server_key(&app).await;
    let t = now();
    let parts: Vec<String> = a.token.split('.').map(String::from).collect();
    let mac = URL_SAFE_NO_PAD.decode(&parts[2]).unwrap();
    let mut attacks: Vec<(String, String)> = vec![
        (
            "EdDSA, random key".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("k1"), &good),
        ),
        (
            "alg none".into(),
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none", "typ": "JWT" })),
                b64(&good)
            ),
        ),
        (
            "wrong secret".into(),
            jwt::sign_hs256(b"another-secret-entirely-0123456789", &good),
        ),
        ("empty secret".into(), jwt::sign_hs256(b"", &good)),
        (
            "secret minus its last byte".into(),
            jwt::sign_hs256(&secret[..secret.len() - 1], &good),
        ),
        (
            "secret plus a byte".into(),
            jwt::sign_hs256(&[secret.as_slice(), b"x"].concat(), &good),
        ),
        (
            "stripped signature".into(),
            format!("{}.{}.", parts[0], parts[1]),
        ),
        (
            "MAC truncated to 16 bytes".into(),
            format!(
                "{}.{}.{}",
                parts[0],
                parts[1],
                URL_SAFE_NO_PAD.encode(&mac[..16])
            ),
        ),
        ("MAC with a flipped bit".into(), {
            let mut m = mac.clone();
            m[31] ^= 1;
            format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(m))
        }),
        (
            "payload swapped, old MAC".into(),
            format!(
                "{}.{}.{}",
                parts[0],
                b64(&with(good.clone(), "exp", json!(t + 86_400))),
                parts[2]
            ),
        ),
        (
            "expired".into(),
            jwt::sign_hs256(&secret, &with(good.clone(), "exp", json!(t - 3600))),
        ),
        (
            "nbf in the future".into(),
            jwt::sign_hs256(&secret, &with(good.clone(), "nbf", json!(t + 3600))),
        ),
        (
            "wrong iss".into(),
            jwt::sign_hs256(
                &secret,
                &with(good.clone(), "iss", json!("https://evil.example")),
            ),
        ),
        (
            "wrong aud".into(),
            jwt::sign_hs256(
                &secret,
                &with(good.clone(), "aud", json!("https://evil.example")),
            ),
        ),
        (
            "exp missing".into(),
            jwt::sign_hs256(&secret, &without(good.clone(), "exp")),
        ),
    ];
    match &real {
        Some(key) => attacks.push((
            "EdDSA signed with the server's own Ed25519 key".into(),
            jwt::sign_eddsa(key, &good),
        )),
        None => eprintln!("note: no Ed25519 key in HS256 mode; that entry is skipped"),
    }
    if let Some(key) = &real {
        if let Some(t) = sign_with_header(
            key,
            &json!({ "alg": "EdDSA", "kid": key.kid(), "typ": "JWT" }),
            &good,
        ) {
            attacks.push(("EdDSA (openssl) with the server key and kid".into(), t));
        }
    }
    for (name, token) in &attacks {
        assert_refused(&app, &a, name, token).await;
    }
    eprintln!(
        "[{backend:?}] {} HS256-mode JWT attacks refused",
        attacks.len()
    );
    assert_eq!(task_titles(&app, &a).await, ["A's only task"]);
    app.cleanup().await;
}

db_tests!(backend: jwt_attacks_in_hs256_mode);
