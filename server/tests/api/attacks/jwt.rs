//! JWT attacks on the tasks API in EdDSA mode (the default): forged, tampered and
//! header-injected tokens are all 401 `INVALID_TOKEN`, and nothing forged is written.

use std::sync::atomic::Ordering;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use reqwest::Method;
use serde_json::{json, Value};
use taskdeck::auth::jwt::{self, Ed25519Key};

use super::{task_titles, tokens::*};
use crate::helpers::TestApp;

async fn jwt_attacks_on_the_tasks_api(app: &TestApp) {
    let a = app.api_user("jwt-a@example.com").await;
    let b = app.api_user("jwt-b@example.com").await;
    app.create_task(&a, json!({ "title": "A's only task" }))
        .await;
    let real = server_key(app).await.expect("the server minted a key");
    let kid = real.kid().to_string();
    let good = claims(app, &a.id);
    let jwks: Value = app.auth_get("/jwks", None).await.json().await.unwrap();
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_string();

    // Controls: the recovered key and the openssl signer both produce accepted tokens,
    // so every refusal below is about the attack, not about our tooling.
    assert_accepted(
        app,
        &a,
        "server key, sign_eddsa",
        &jwt::sign_eddsa(&real, &good),
    )
    .await;
    let openssl_ok = match sign_with_header(&real, &json!({ "alg": "EdDSA", "kid": kid }), &good) {
        Some(t) => {
            assert_accepted(app, &a, "server key, openssl", &t).await;
            true
        }
        None => {
            eprintln!("note: openssl cannot sign Ed25519 here; header-injection attacks skipped");
            false
        }
    };

    let issued = a.token.clone();
    let parts: Vec<&str> = issued.split('.').collect();
    let b_parts: Vec<String> = b.token.split('.').map(String::from).collect();
    let none_claims = b64(&good);
    let attacker = Ed25519Key::generate("attacker-kid");
    let real_signed = |c: &Value| jwt::sign_eddsa(&real, c);
    let t = now();

    let mut attacks: Vec<(String, String)> = vec![
        // alg none and friends.
        (
            "alg none".into(),
            format!(
                "{}.{none_claims}.",
                b64(&json!({ "alg": "none", "typ": "JWT" }))
            ),
        ),
        (
            "alg None".into(),
            format!("{}.{none_claims}.", b64(&json!({ "alg": "None" }))),
        ),
        (
            "alg NONE".into(),
            format!("{}.{none_claims}.", b64(&json!({ "alg": "NONE" }))),
        ),
        (
            "alg nOnE with the real kid".into(),
            format!(
                "{}.{none_claims}.",
                b64(&json!({ "alg": "nOnE", "kid": kid }))
            ),
        ),
        (
            "alg none with a real signature appended".into(),
            format!(
                "{}.{}.{}",
                b64(&json!({ "alg": "none" })),
                parts[1],
                parts[2]
            ),
        ),
        (
            "alg empty".into(),
            format!("{}.{none_claims}.", b64(&json!({ "alg": "" }))),
        ),
        (
            "alg missing".into(),
            format!("{}.{none_claims}.{}", b64(&json!({ "kid": kid })), parts[2]),
        ),
        // Algorithm confusion: HS256 keyed with public material.
        (
            "HS256 keyed with the public x (text)".into(),
            jwt::sign_hs256(public_x.as_bytes(), &good),
        ),
        (
            "HS256 keyed with the public x (bytes)".into(),
            jwt::sign_hs256(&URL_SAFE_NO_PAD.decode(&public_x).unwrap(), &good),
        ),
        (
            "HS256 keyed with the JWKS document".into(),
            jwt::sign_hs256(jwks.to_string().as_bytes(), &good),
        ),
        (
            "HS256 keyed with the public JWK".into(),
            jwt::sign_hs256(jwks["keys"][0].to_string().as_bytes(), &good),
        ),
        (
            "HS256 keyed with the kid".into(),
            jwt::sign_hs256(kid.as_bytes(), &good),
        ),
        (
            "HS256 keyed with the server secret (EdDSA mode)".into(),
            jwt::sign_hs256(app.config.secret_bytes(), &good),
        ),
        (
            "HS256 keyed with an empty secret".into(),
            jwt::sign_hs256(b"", &good),
        ),
        // Keys and kids.
        (
            "wrong key with the real kid".into(),
            jwt::sign_eddsa(&Ed25519Key::generate(kid.clone()), &good),
        ),
        ("unknown kid".into(), jwt::sign_eddsa(&attacker, &good)),
        (
            "kid path traversal".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("../../../../../../etc/passwd"), &good),
        ),
        (
            "kid /dev/null".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("/dev/null"), &good),
        ),
        (
            "kid SQL tautology".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("' OR '1'='1"), &good),
        ),
        (
            "kid SQL stacked query".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("x'; DROP TABLE \"jwks\";--"), &good),
        ),
        (
            "kid SQL union".into(),
            jwt::sign_eddsa(
                &Ed25519Key::generate("' UNION SELECT \"id\" FROM \"jwks\"--"),
                &good,
            ),
        ),
        (
            "kid empty".into(),
            jwt::sign_eddsa(&Ed25519Key::generate(""), &good),
        ),
        (
            "kid wildcard %".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("%"), &good),
        ),
        (
            "kid real + space".into(),
            jwt::sign_eddsa(&Ed25519Key::generate(format!("{kid} ")), &good),
        ),
        (
            "kid real upper-cased".into(),
            jwt::sign_eddsa(&Ed25519Key::generate(kid.to_uppercase()), &good),
        ),
        (
            "kid real + NUL".into(),
            jwt::sign_eddsa(&Ed25519Key::generate(format!("{kid}\u{0}")), &good),
        ),
        (
            "kid 10 kB".into(),
            jwt::sign_eddsa(&Ed25519Key::generate("k".repeat(10_000)), &good),
        ),
        // Claims, signed with the real key.
        (
            "expired an hour ago".into(),
            real_signed(&with(good.clone(), "exp", json!(t - 3600))),
        ),
        (
            "expired beyond the 30 s leeway".into(),
            real_signed(&with(good.clone(), "exp", json!(t - 90))),
        ),
        (
            "exp missing".into(),
            real_signed(&without(good.clone(), "exp")),
        ),
        (
            "exp as a string".into(),
            real_signed(&with(good.clone(), "exp", json!((t + 600).to_string()))),
        ),
        (
            "exp null".into(),
            real_signed(&with(good.clone(), "exp", Value::Null)),
        ),
        (
            "nbf in the future".into(),
            real_signed(&with(good.clone(), "nbf", json!(t + 3600))),
        ),
        (
            "nbf as a string".into(),
            real_signed(&with(good.clone(), "nbf", json!("0"))),
        ),
        (
            "iat in the future".into(),
            real_signed(&with(good.clone(), "iat", json!(t + 3600))),
        ),
        (
            "wrong iss".into(),
            real_signed(&with(good.clone(), "iss", json!("https://evil.example"))),
        ),
        (
            "iss with a trailing slash".into(),
            real_signed(&with(
                good.clone(),
                "iss",
                json!(format!("{}/", app.origin())),
            )),
        ),
        (
            "iss as an array".into(),
            real_signed(&with(good.clone(), "iss", json!([app.origin()]))),
        ),
        (
            "iss missing".into(),
            real_signed(&without(good.clone(), "iss")),
        ),
        (
            "wrong aud".into(),
            real_signed(&with(good.clone(), "aud", json!("https://evil.example"))),
        ),
        (
            "aud array without ours".into(),
            real_signed(&with(
                good.clone(),
                "aud",
                json!(["https://evil.example", "x"]),
            )),
        ),
        (
            "aud as an object".into(),
            real_signed(&with(good.clone(), "aud", json!({ "aud": app.origin() }))),
        ),
        (
            "aud missing".into(),
            real_signed(&without(good.clone(), "aud")),
        ),
        (
            "sub missing".into(),
            real_signed(&without(good.clone(), "sub")),
        ),
        (
            "sub empty".into(),
            real_signed(&with(good.clone(), "sub", json!(""))),
        ),
        (
            "sub a number".into(),
            real_signed(&with(good.clone(), "sub", json!(1))),
        ),
        (
            "sub an array".into(),
            real_signed(&with(good.clone(), "sub", json!([a.id]))),
        ),
        // Structure.
        (
            "stripped signature (header.payload.)".into(),
            format!("{}.{}.", parts[0], parts[1]),
        ),
        ("two segments".into(), format!("{}.{}", parts[0], parts[1])),
        ("four segments".into(), format!("{issued}.{}", parts[2])),
        ("padded signature".into(), format!("{issued}=")),
        (
            "B's signature on A's token".into(),
            format!("{}.{}.{}", parts[0], parts[1], b_parts[2]),
        ),
        (
            "A's payload under B's header and signature".into(),
            format!("{}.{}.{}", b_parts[0], parts[1], b_parts[2]),
        ),
        (
            "extended exp, original signature".into(),
            format!(
                "{}.{}.{}",
                parts[0],
                b64(&with(good.clone(), "exp", json!(t + 86_400 * 365))),
                parts[2]
            ),
        ),
        (
            "sub swapped to B, original signature".into(),
            format!(
                "{}.{}.{}",
                b_parts[0],
                b64(&with(claims(app, &b.id), "sub", json!(a.id))),
                b_parts[2]
            ),
        ),
        (
            "signature truncated to 32 bytes".into(),
            format!("{}.{}.{}", parts[0], parts[1], &parts[2][..43]),
        ),
        (
            "trailing garbage after the token".into(),
            format!("{issued} x"),
        ),
        ("token twice".into(), format!("{issued}.{issued}")),
        (
            "the session token".into(),
            a.signed.body["token"].as_str().unwrap().to_string(),
        ),
        (
            "the signed session cookie value".into(),
            a.signed.cookie.split_once('=').unwrap().1.to_string(),
        ),
    ];

    let std_alphabet = issued.replace('-', "+").replace('_', "/");
    if std_alphabet != issued {
        attacks.push(("standard base64 alphabet".into(), std_alphabet));
    }

    let (bait_url, bait_hits) =
        bait_server(json!({ "keys": [attacker.public_jwk()] }).to_string()).await;
    if openssl_ok {
        let mut attacker_jwk = attacker.public_jwk();
        let with_header = |h: Value, k: &Ed25519Key| sign_with_header(k, &h, &good).unwrap();
        attacker_jwk["kid"] = json!("attacker-kid");
        attacks.extend([
            ("jwk header carrying the attacker's key".to_string(), with_header(json!({ "alg": "EdDSA", "kid": "attacker-kid", "jwk": attacker_jwk }), &attacker)),
            ("jwk header with the real kid".to_string(), with_header(json!({ "alg": "EdDSA", "kid": kid, "jwk": attacker_jwk }), &attacker)),
            ("jwk header without kid".to_string(), with_header(json!({ "alg": "EdDSA", "jwk": attacker_jwk }), &attacker)),
            ("jku pointing at the attacker's JWKS".to_string(), with_header(json!({ "alg": "EdDSA", "kid": "attacker-kid", "jku": format!("{bait_url}/jwks.json") }), &attacker)),
            ("jku with the real kid".to_string(), with_header(json!({ "alg": "EdDSA", "kid": kid, "jku": format!("{bait_url}/jwks.json") }), &attacker)),
            ("x5u pointing at the attacker".to_string(), with_header(json!({ "alg": "EdDSA", "kid": "attacker-kid", "x5u": format!("{bait_url}/cert.pem") }), &attacker)),
            ("kid as an array holding the real kid (attacker key)".to_string(), with_header(json!({ "alg": "EdDSA", "kid": [kid] }), &attacker)),
            ("kid as a number".to_string(), with_header(json!({ "alg": "EdDSA", "kid": 0 }), &attacker)),
            // Signed with the real key: only the header rule refuses it.
            ("crit header (real key)".to_string(), with_header(json!({ "alg": "EdDSA", "kid": kid, "crit": ["exp"] }), &real)),
        ]);
    }

    let count = attacks.len();
    for (name, token) in &attacks {
        assert_refused(app, &a, name, token).await;
    }
    assert_eq!(
        bait_hits.load(Ordering::SeqCst),
        0,
        "the server fetched a key URL named by a token header"
    );
    eprintln!(
        "[{:?}] {count} JWT attacks refused on the tasks API",
        app.backend
    );

    // A valid token for A on B's paths: 403 on every route, B's data untouched.
    app.create_task(&b, json!({ "title": "B's task" })).await;
    for (method, path) in [
        (Method::GET, format!("/api/{}/tasks", b.id)),
        (Method::POST, format!("/api/{}/tasks", b.id)),
        (Method::GET, format!("/api/{}/tasks/1", b.id)),
        (Method::PUT, format!("/api/{}/tasks/1", b.id)),
        (Method::DELETE, format!("/api/{}/tasks/1", b.id)),
        (Method::PATCH, format!("/api/{}/tasks/1/complete", b.id)),
    ] {
        let res = app
            .send_json(&a, method.clone(), &path, &json!({ "title": "pwned" }))
            .await;
        assert_eq!(res.status(), 403, "A's token on {method} {path}");
    }
    // Even a server-signed token whose sub is A cannot reach B by a path trick.
    for path in [
        format!("/api/{}/tasks?user_id={}", b.id, a.id),
        format!("/api/{}%2f..%2f{}/tasks", a.id, b.id),
        format!("/api/{}/tasks", b.id.to_uppercase()),
    ] {
        let res = app.send(&a, Method::GET, &path).await;
        assert!(
            matches!(res.status().as_u16(), 403 | 404),
            "A's token on GET {path}: {}",
            res.status()
        );
    }
    assert_eq!(
        task_titles(app, &a).await,
        ["A's only task"],
        "nothing forged was written"
    );
    assert_eq!(task_titles(app, &b).await, ["B's task"]);
}

db_tests!(jwt_attacks_on_the_tasks_api);
