//! Attacks over HTTP, on SQLite and PostgreSQL: forged and tampered JWTs against the
//! tasks API (EdDSA and HS256 modes), tampered session cookies, SQL metacharacters in
//! every text input, cross-origin (CSRF) posts to every state-changing auth endpoint
//! and server function, and user enumeration by status, body and timing.
//!
//! Claim attacks are signed with the server's *real* key (read from the `jwks` table
//! and decrypted with the test secret), so a refusal proves the claim check, not a
//! signature failure. Header-injection tokens (`jwk`, `jku`, `x5u`, `crit`) need a
//! signature over a custom header, made with the `openssl` CLI (Ed25519 raw signing,
//! OpenSSL 3); without it those entries are skipped with a notice.

use std::{
    process::Command,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use reqwest::Method;
use serde_json::{json, Value};
use taskdeck::auth::jwt::{self, Ed25519Key};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{session_cookie, ApiUser, Backend, TestApp};

const PASSWORD: &str = "password for tests";

// ---------------------------------------------------------------------------------------
// Token crafting
// ---------------------------------------------------------------------------------------

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Good claims for `sub` on this app (as the server would issue them).
fn claims(app: &TestApp, sub: &str) -> Value {
    let now = now();
    json!({ "sub": sub, "id": sub, "iat": now, "exp": now + 600, "iss": app.origin(), "aud": app.origin() })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    claims.as_object_mut().unwrap().remove(key);
    claims
}

/// The server's current Ed25519 signing key, recovered from the `jwks` table.
async fn server_key(app: &TestApp) -> Option<Ed25519Key> {
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let rows: Vec<(String, String)> = taskdeck::with_pool!(&db, |pool| sqlx::query_as(
        r#"SELECT "id", "privateKey" FROM "jwks" ORDER BY "createdAt" DESC"#
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    db.close().await;
    rows.iter().find_map(|(id, column)| {
        Ed25519Key::from_private_key_column(id.clone(), column, app.config.secret_bytes()).ok()
    })
}

/// Signs `header.claims` with `key` through `openssl pkeyutl -rawin` (any header).
/// `None` when the CLI is missing or cannot sign Ed25519.
fn sign_with_header(key: &Ed25519Key, header: &Value, claims: &Value) -> Option<String> {
    let jwk: Value = serde_json::from_str(&key.to_private_jwk_json()).unwrap();
    let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str()?).ok()?;
    let mut der = hex_bytes("302e020100300506032b657004220420");
    der.extend_from_slice(&d);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(&der)
    );
    let input = format!("{}.{}", b64(header), b64(claims));
    let dir = tempfile::tempdir().ok()?;
    let (key_path, in_path, sig_path) = (
        dir.path().join("k.pem"),
        dir.path().join("in"),
        dir.path().join("sig"),
    );
    std::fs::write(&key_path, pem).ok()?;
    std::fs::write(&in_path, &input).ok()?;
    let ok = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
        .arg(&key_path)
        .arg("-in")
        .arg(&in_path)
        .arg("-out")
        .arg(&sig_path)
        .output()
        .ok()?
        .status
        .success();
    let sig = std::fs::read(&sig_path).ok()?;
    (ok && sig.len() == 64).then(|| format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A tiny HTTP server that serves `body` and counts the connections it gets: the
/// target of `jku` / `x5u` headers, which must never be fetched.
async fn bait_server(body: String) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let res = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(res.as_bytes()).await;
            });
        }
    });
    (format!("http://{addr}"), hits)
}

/// Sends `token` to list and to create in `victim`'s collection; both must be 401 with
/// Better Auth's `INVALID_TOKEN` and a `WWW-Authenticate: Bearer` challenge.
async fn assert_refused(app: &TestApp, victim: &ApiUser, name: &str, token: &str) {
    let path = format!("/api/{}/tasks", victim.id);
    for (method, body) in [
        (Method::GET, None),
        (
            Method::POST,
            Some(json!({ "title": format!("forged: {name}") })),
        ),
    ] {
        let mut req = app
            .client
            .request(method.clone(), app.url(&path))
            .header("authorization", format!("Bearer {token}"));
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let challenge = res
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string());
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(
            status, 401,
            "attack '{name}' ({method}) was not refused: {body}"
        );
        assert_eq!(body["code"], "INVALID_TOKEN", "attack '{name}' ({method})");
        assert!(
            challenge.is_some_and(|c| c.starts_with("Bearer")),
            "attack '{name}' ({method}): WWW-Authenticate"
        );
    }
}

async fn assert_accepted(app: &TestApp, who: &ApiUser, name: &str, token: &str) {
    let res = app
        .bearer_get(token, &format!("/api/{}/tasks", who.id))
        .await;
    assert_eq!(res.status(), 200, "control '{name}' must be accepted");
}

async fn task_titles(app: &TestApp, who: &ApiUser) -> Vec<String> {
    let tasks = app
        .get_json(who, &format!("/api/{}/tasks?limit=200", who.id))
        .await;
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// JWT attacks, EdDSA mode (the default)
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// JWT attacks, HS256 mode
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Session cookie tampering
// ---------------------------------------------------------------------------------------

fn flip(c: char) -> char {
    match c {
        'A' => 'B',
        'a' => 'b',
        '0' => '1',
        'Z' => 'Y',
        'z' => 'y',
        '9' => '8',
        _ if c.is_ascii_uppercase() => 'A',
        _ if c.is_ascii_lowercase() => 'a',
        _ if c.is_ascii_digit() => '0',
        _ => 'A',
    }
}

async fn tampered_session_cookies_are_no_session(app: &TestApp) {
    let a = app.sign_up("cookie-a@example.com", PASSWORD).await;
    let b = app.sign_up("cookie-b@example.com", PASSWORD).await;
    const NAME: &str = "better-auth.session_token";
    let value_a = a.cookie.split_once('=').unwrap().1.to_string();
    let value_b = b.cookie.split_once('=').unwrap().1.to_string();
    let decoded = |v: &str| percent_decode(v);
    let (token_a, sig_a) = {
        let d = decoded(&value_a);
        let (t, s) = d.rsplit_once('.').unwrap();
        (t.to_string(), s.to_string())
    };
    let (token_b, sig_b) = {
        let d = decoded(&value_b);
        let (t, s) = d.rsplit_once('.').unwrap();
        (t.to_string(), s.to_string())
    };
    let enc = |s: &str| taskdeck::auth::cookie::encode_uri_component(s);
    // Controls: the cookie as set, and the same value unencoded, are live sessions.
    assert_eq!(
        app.session(&a.cookie).await["user"]["id"],
        a.user_id.as_str()
    );
    assert_eq!(
        app.session(&format!("{NAME}={token_a}.{sig_a}")).await["user"]["id"],
        a.user_id.as_str(),
        "an unencoded value is the same cookie"
    );

    let flip_at = |s: &str, i: usize| {
        let mut chars: Vec<char> = s.chars().collect();
        chars[i] = flip(chars[i]);
        chars.into_iter().collect::<String>()
    };
    let sig_len = sig_a.len();
    let mut cases: Vec<(&str, String)> = vec![
        (
            "signature: first char flipped",
            enc(&format!("{token_a}.{}", flip_at(&sig_a, 0))),
        ),
        (
            "signature: middle char flipped",
            enc(&format!("{token_a}.{}", flip_at(&sig_a, sig_len / 2))),
        ),
        (
            "signature: last data char flipped",
            enc(&format!("{token_a}.{}", flip_at(&sig_a, sig_len - 2))),
        ),
        (
            "token: one char flipped",
            enc(&format!("{}.{sig_a}", flip_at(&token_a, 5))),
        ),
        (
            "B's token with A's signature",
            enc(&format!("{token_b}.{sig_a}")),
        ),
        (
            "A's token with B's signature",
            enc(&format!("{token_a}.{sig_b}")),
        ),
        ("missing signature", token_a.clone()),
        ("missing signature, trailing dot", format!("{token_a}.")),
        ("signature only", enc(&format!(".{sig_a}"))),
        ("extra dot at the end", enc(&format!("{token_a}.{sig_a}."))),
        (
            "signature twice",
            enc(&format!("{token_a}.{sig_a}.{sig_a}")),
        ),
        (
            "extra dot inside the token",
            enc(&format!("{}.{}.{sig_a}", &token_a[..10], &token_a[10..])),
        ),
        ("leading dot", enc(&format!(".{token_a}.{sig_a}"))),
        ("double dot", enc(&format!("{token_a}..{sig_a}"))),
        (
            "token upper-cased",
            enc(&format!("{}.{sig_a}", token_a.to_uppercase())),
        ),
        (
            "signature without padding",
            enc(&format!("{token_a}.{}", sig_a.trim_end_matches('='))),
        ),
        (
            "signature with extra padding",
            enc(&format!("{token_a}.{sig_a}=")),
        ),
        (
            "signature base64url instead of base64",
            enc(&format!(
                "{token_a}.{}",
                sig_a.replace('+', "-").replace('/', "_")
            )),
        ),
        ("double percent-encoding", enc(&value_a)),
        (
            "encoded NUL before the dot",
            format!("{token_a}%00.{}", enc(&sig_a)),
        ),
        (
            "encoded NUL after the signature",
            format!("{}%00", enc(&format!("{token_a}.{sig_a}"))),
        ),
        (
            "overlong UTF-8 dot",
            format!("{token_a}%C0%AE{}", enc(&sig_a)),
        ),
        ("invalid UTF-8", format!("{token_a}%FF.{}", enc(&sig_a))),
        (
            "'+' sent as %20",
            format!(
                "{token_a}.{}",
                sig_a
                    .replace('+', "%20")
                    .replace('/', "%2F")
                    .replace('=', "%3D")
            ),
        ),
        ("fullwidth dot", enc(&format!("{token_a}\u{FF0E}{sig_a}"))),
        ("whitespace inside", enc(&format!("{token_a} .{sig_a}"))),
        (
            "truncated percent escape",
            format!(
                "{}%3",
                enc(&format!("{token_a}.{}", sig_a.trim_end_matches('=')))
            ),
        ),
        ("empty value", String::new()),
        (
            "HMAC of the token under an empty secret",
            taskdeck::auth::sign_cookie_value(&token_a, b""),
        ),
        (
            "HMAC of the token under another secret",
            taskdeck::auth::sign_cookie_value(&token_a, b"another-secret-0123456789-abcdefghij"),
        ),
        (
            "signed but invented token",
            taskdeck::auth::sign_cookie_value("invented-token-0000000000000000", b"guess"),
        ),
    ];
    cases.push((
        "signature case-swapped",
        enc(&format!("{token_a}.{}", sig_a.to_lowercase())),
    ));
    // Some transformations are the identity for a given signature (no '+' to replace):
    // those are the genuine cookie, not an attack.
    let genuine = format!("{token_a}.{sig_a}");
    cases.retain(|(_, v)| percent_decode(v) != genuine);
    let mut headers: Vec<(String, String)> = cases
        .into_iter()
        .map(|(name, v)| (name.to_string(), format!("{NAME}={v}")))
        .collect();
    // Cookie-name and header tricks.
    headers.extend([
        (
            "cookie name with a space".into(),
            format!("{NAME} ={value_a}"),
        ),
        (
            "cookie name upper-cased".into(),
            format!("{}={value_a}", NAME.to_uppercase()),
        ),
        (
            "__Secure- name on http".into(),
            format!("__Secure-{NAME}={}", enc(&format!("{token_b}.{sig_a}"))),
        ),
        (
            "forged first, then the real one".into(),
            format!(
                "{NAME}={}; {NAME}={value_a}",
                enc(&format!("{token_b}.{sig_a}"))
            ),
        ),
        (
            "only session_data cookie".into(),
            format!("better-auth.session_data={value_a}"),
        ),
        (
            "quoted value".into(),
            format!("{NAME}=\"{}\"", enc(&format!("{token_b}.{sig_a}"))),
        ),
    ]);
    for (name, header) in &headers {
        let body = app.session(header).await;
        assert_eq!(
            body,
            Value::Null,
            "cookie attack '{name}' ({header}) gave a session"
        );
        // The same forged cookie cannot mint a JWT either.
        let res = app.auth_get("/token", Some(header)).await;
        assert_eq!(res.status(), 401, "cookie attack '{name}' on /token");
    }
    // The raw session token is not a bearer credential for get-session.
    let res = app.bearer_get(&token_a, "/api/auth/get-session").await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        Value::Null,
        "unsigned bearer"
    );
    eprintln!(
        "[{:?}] {} tampered cookies refused",
        app.backend,
        headers.len()
    );
    // The genuine sessions are still alive (nothing was revoked by the attempts).
    assert_eq!(
        app.session(&a.cookie).await["user"]["id"],
        a.user_id.as_str()
    );
    assert_eq!(
        app.session(&b.cookie).await["user"]["id"],
        b.user_id.as_str()
    );
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// SQL metacharacters
// ---------------------------------------------------------------------------------------

const SQL_PAYLOADS: &[&str] = &[
    "'); DROP TABLE task;--",
    "' OR 1=1 --",
    "%' OR 1=1 --",
    "\" OR \"\"=\"",
    "'; DELETE FROM \"user\";--",
    "1); UPDATE \"task\" SET \"user_id\"='x'--",
    "' UNION SELECT \"email\" FROM \"user\"--",
    "\\'; SELECT pg_sleep(5);--",
    "$1 $$ ? :name @p1 %s {0}",
    "_%\\ [a-z] ^$ .*",
    "'||(SELECT 1)||'",
    "/* comment */ -- end",
];

/// A tag-sized (≤ 32 characters, no comma) version of a payload.
fn tag_of(p: &str) -> String {
    p.replace(',', " ")
        .chars()
        .take(32)
        .collect::<String>()
        .trim()
        .to_lowercase()
}

fn enc_q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn sql_metacharacters_are_data(app: &TestApp) {
    let a = app.api_user("sql-a@example.com").await;
    let b = app.api_user("sql-b@example.com").await;
    app.create_task(&b, json!({ "title": "B's private task", "tags": ["b"] }))
        .await;
    let base = format!("/api/{}/tasks", a.id);

    let mut created = Vec::new();
    for p in SQL_PAYLOADS {
        let body = json!({ "title": p, "description": format!("about {p}"), "tags": [tag_of(p)] });
        let task = app.create_task(&a, body).await;
        assert_eq!(task["title"], *p, "title echoed literally");
        assert_eq!(task["description"], format!("about {p}"));
        assert_eq!(task["tags"], json!([tag_of(p)]), "tag echoed literally");
        let got: Value = app.get_json(&a, &format!("{base}/{}", task["id"])).await;
        assert_eq!(got, task, "round trip of {p}");
        created.push(task);
    }
    // Search and tag filters treat the text literally.
    for (p, task) in SQL_PAYLOADS.iter().zip(&created) {
        let res = app
            .send(&a, Method::GET, &format!("{base}?q={}&limit=200", enc_q(p)))
            .await;
        assert_eq!(res.status(), 200, "q={p}");
        let found: Vec<Value> = res.json().await.unwrap();
        assert!(
            found.iter().any(|t| t["id"] == task["id"]),
            "q={p} finds its task"
        );
        let needle = p.to_lowercase();
        for t in &found {
            let hay = format!(
                "{} {}",
                t["title"].as_str().unwrap(),
                t["description"].as_str().unwrap_or("")
            )
            .to_lowercase();
            assert!(hay.contains(&needle), "q={p} matched {t} literally");
        }
        let tag = tag_of(p);
        let res = app
            .send(
                &a,
                Method::GET,
                &format!("{base}?tag={}&limit=200", enc_q(&tag)),
            )
            .await;
        let found: Vec<Value> = res.json().await.unwrap();
        assert!(found.iter().any(|t| t["id"] == task["id"]), "tag={tag}");
        assert!(
            found
                .iter()
                .all(|t| t["tags"].as_array().unwrap().contains(&json!(tag))),
            "tag={tag} is exact"
        );
    }
    // Updates too.
    let first = &created[0];
    let res = app.send_json(&a, Method::PUT, &format!("{base}/{}", first["id"]), &json!({ "title": "Robert'); DROP TABLE \"user\";--", "description": "x' WHERE 1=1; --" })).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["title"], "Robert'); DROP TABLE \"user\";--");
    assert_eq!(updated["description"], "x' WHERE 1=1; --");

    // Enumerated parameters refuse SQL with a 422 naming the field.
    for (key, value) in [
        ("sort", "title; DROP TABLE task"),
        ("sort", "title\" DESC, \"id"),
        ("sort", "(SELECT 1)"),
        ("order", "asc; --"),
        ("order", "desc NULLS FIRST"),
        ("status", "all' OR '1'='1"),
        ("priority", "high' OR 1=1 --"),
        ("limit", "1; DROP TABLE task"),
        ("limit", "1 OR 1=1"),
        ("offset", "0 UNION SELECT 1"),
    ] {
        let res = app
            .send(&a, Method::GET, &format!("{base}?{key}={}", enc_q(value)))
            .await;
        assert_eq!(res.status(), 422, "{key}={value}");
        let err: Value = res.json().await.unwrap();
        assert!(err["errors"][key].is_array(), "{key} named: {err}");
    }
    // SQL in the user_id path segment is just another user's id: 403.
    for uid in [
        "' OR 1=1 --",
        "x' OR 'a'='a",
        "%",
        "*",
        &format!("{}' OR '1'='1", a.id),
    ] {
        let res = app
            .send(&a, Method::GET, &format!("/api/{}/tasks", enc_q(uid)))
            .await;
        assert_eq!(res.status(), 403, "user_id={uid}");
    }
    // Another user finds nothing of A's, whatever the wildcard or quote.
    for q in [
        "%' OR 1=1 --",
        "%",
        "_",
        "' OR '1'='1",
        "') OR ('1'='1",
        "\\",
        "*",
    ] {
        let res = app
            .send(
                &b,
                Method::GET,
                &format!("/api/{}/tasks?q={}", b.id, enc_q(q)),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["x-total-count"], "0", "B's q={q}");
        let res = app
            .send(
                &b,
                Method::GET,
                &format!("/api/{}/tasks?tag={}", b.id, enc_q(q)),
            )
            .await;
        assert_eq!(res.headers()["x-total-count"], "0", "B's tag={q}");
    }
    // The table, the tag index and both users are intact and still work.
    let res = app
        .send(&a, Method::GET, &format!("{base}?limit=200"))
        .await;
    assert_eq!(
        res.headers()["x-total-count"],
        SQL_PAYLOADS.len().to_string().as_str()
    );
    assert_eq!(task_titles(app, &b).await, ["B's private task"]);
    let extra = app
        .create_task(&a, json!({ "title": "after the payloads" }))
        .await;
    let res = app
        .send(&a, Method::DELETE, &format!("{base}/{}", extra["id"]))
        .await;
    assert_eq!(res.status(), 204);

    // Auth inputs: SQL in a name is stored literally; SQL in an e-mail is not a login.
    let name = "Robert'); DROP TABLE \"session\";--";
    let res = app
        .auth_post(
            "/sign-up/email",
            json!({ "name": name, "email": "o'reilly@example.com", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200, "an apostrophe in an e-mail is valid");
    let cookie = session_cookie(&res).unwrap();
    let s = app.session(&cookie).await;
    assert_eq!(s["user"]["name"], name);
    assert_eq!(s["user"]["email"], "o'reilly@example.com");
    for email in [
        "' OR 1=1 --@example.com",
        "sql-a@example.com' --",
        "x@example.com' OR '1'='1",
        "sql-a@example.com\" OR \"\"=\"",
    ] {
        let res = app.sign_in(email, PASSWORD).await;
        assert!(
            matches!(res.status().as_u16(), 400 | 401),
            "sign-in as {email}: {}",
            res.status()
        );
    }
    let res = app.sign_in("o'reilly@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200);
}

// ---------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------

/// Origin / Referer header sets that a browser on another site could send.
fn foreign_origins(trusted: &str) -> Vec<(String, Vec<(&'static str, String)>)> {
    let url = url::Url::parse(trusted).unwrap();
    let host = url.host_str().unwrap().to_string();
    let port = url.port_or_known_default().unwrap();
    let other_scheme = if url.scheme() == "http" {
        "https"
    } else {
        "http"
    };
    vec![
        (
            "evil origin".into(),
            vec![("origin", "https://evil.example".into())],
        ),
        ("Origin: null".into(), vec![("origin", "null".into())]),
        ("no Origin, no Referer".into(), vec![]),
        (
            "foreign Referer only".into(),
            vec![("referer", format!("https://evil.example/{trusted}/"))],
        ),
        (
            "trusted origin as a subdomain prefix".into(),
            vec![("origin", format!("{trusted}.evil.example"))],
        ),
        (
            "trusted origin as userinfo".into(),
            vec![(
                "origin",
                format!("{}://{host}:{port}@evil.example", url.scheme()),
            )],
        ),
        (
            "other scheme".into(),
            vec![("origin", format!("{other_scheme}://{host}:{port}"))],
        ),
        (
            "other port".into(),
            vec![("origin", format!("{}://{host}:{}", url.scheme(), port + 1))],
        ),
        (
            "other host, same port".into(),
            vec![("origin", format!("{}://evil.example:{port}", url.scheme()))],
        ),
        (
            "trusted origin in the query".into(),
            vec![("origin", format!("https://evil.example/?{trusted}"))],
        ),
        (
            "foreign Origin with a trusted Referer".into(),
            vec![
                ("origin", "https://evil.example".into()),
                ("referer", format!("{trusted}/settings")),
            ],
        ),
        (
            "empty Origin and foreign Referer".into(),
            vec![
                ("origin", String::new()),
                ("referer", "https://evil.example/".into()),
            ],
        ),
    ]
}

async fn csrf_on_every_state_changing_auth_endpoint(app: &TestApp) {
    let who = app.sign_up("csrf@example.com", PASSWORD).await;
    let other_session = app.sign_in_cookie("csrf@example.com", PASSWORD).await;
    let token = who.body["token"].as_str().unwrap().to_string();
    let endpoints: Vec<(&str, Value)> = vec![
        ("/sign-out", json!({})),
        ("/update-user", json!({ "name": "pwned" })),
        (
            "/change-password",
            json!({ "currentPassword": PASSWORD, "newPassword": "pwned password 1", "revokeOtherSessions": true }),
        ),
        ("/revoke-sessions", json!({})),
        ("/revoke-other-sessions", json!({})),
        ("/revoke-session", json!({ "token": token })),
        ("/delete-user", json!({ "password": PASSWORD })),
        (
            "/send-verification-email",
            json!({ "email": "csrf@example.com" }),
        ),
    ];
    let origins = foreign_origins(&app.origin());
    let content_types = [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
    ];
    let mut n = 0;
    for (path, body) in &endpoints {
        for (k, (origin_name, headers)) in origins.iter().enumerate() {
            let content_type = content_types[(k + n) % content_types.len()];
            let payload = if content_type == "application/x-www-form-urlencoded" {
                body.as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            enc_q(&v.as_str().map(String::from).unwrap_or(v.to_string()))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            } else {
                body.to_string()
            };
            let mut req = app
                .client
                .post(app.url(&format!("/api/auth{path}")))
                .header("cookie", &who.cookie)
                .header("content-type", content_type)
                .header("sec-fetch-site", "cross-site")
                .body(payload);
            for (h, v) in headers {
                req = req.header(*h, v);
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let err: Value = res.json().await.unwrap_or(Value::Null);
            assert_eq!(
                status, 403,
                "CSRF '{origin_name}' on {path} ({content_type}): {err}"
            );
            assert!(
                matches!(
                    err["code"].as_str(),
                    Some("INVALID_ORIGIN" | "MISSING_OR_NULL_ORIGIN")
                ),
                "CSRF '{origin_name}' on {path}: {err}"
            );
            n += 1;
        }
    }
    eprintln!("[{:?}] {n} cross-origin auth POSTs refused", app.backend);
    // Nothing changed: both sessions live, name and password intact, user not deleted.
    let s = app.session(&who.cookie).await;
    assert_eq!(s["user"]["name"], "Test User");
    assert_eq!(s["user"]["emailVerified"], false);
    assert_ne!(app.session(&other_session).await, Value::Null);
    assert_eq!(
        app.sign_in("csrf@example.com", PASSWORD).await.status(),
        200
    );
    let mails = app.outbox().len();
    // Control: the same request from the trusted origin does work.
    let res = app
        .auth_post(
            "/update-user",
            json!({ "name": "Renamed" }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.session(&who.cookie).await["user"]["name"], "Renamed");
    assert_eq!(app.outbox().len(), mails);
}

/// The Leptos server functions under `/api/ui/*` take the session (or JWT) cookie too,
/// so a cross-site form could drive them: the state-changing ones must refuse a foreign
/// Origin like the auth endpoints do.
async fn csrf_on_state_changing_server_functions(app: &TestApp) {
    let who = app.api_user("csrf-ui@example.com").await;
    let other_session = app.sign_in_cookie("csrf-ui@example.com", PASSWORD).await;
    let task = app.create_task(&who, json!({ "title": "keep me" })).await;
    let id = task["id"].to_string();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("create_task", vec![("title", "csrf task")]),
        ("toggle_task", vec![("id", &id)]),
        ("update_task", vec![("id", &id), ("title", "pwned")]),
        ("delete_task", vec![("id", &id)]),
        ("update_name", vec![("name", "pwned")]),
        ("revoke_other_sessions", vec![]),
        (
            "change_password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "pwned password 1"),
            ],
        ),
        ("delete_account", vec![("password", PASSWORD)]),
        ("sign_out", vec![]),
    ];
    let mut accepted = Vec::new();
    for (name, form) in &calls {
        let res = app
            .client
            .post(app.url(&format!("/api/ui/{name}")))
            .header("cookie", &who.signed.cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if status.is_success() || status.is_redirection() {
            accepted.push(format!(
                "POST /api/ui/{name} (Origin: https://evil.example) -> {status} {text}"
            ));
        }
    }
    // Whatever the statuses, the state must be unchanged.
    let titles = task_titles(app, &who).await;
    let s = app.session(&who.signed.cookie).await;
    let other_alive = app.session(&other_session).await != Value::Null;
    assert!(
        accepted.is_empty()
            && titles == ["keep me"]
            && s["user"]["name"] == "Test User"
            && other_alive,
        "[{:?}] cross-origin server-function calls were carried out:\n{}\n\
         tasks now {titles:?}, name {}, other session alive: {other_alive}",
        app.backend,
        accepted.join("\n"),
        s["user"]["name"]
    );
}

// ---------------------------------------------------------------------------------------
// User enumeration
// ---------------------------------------------------------------------------------------

/// Status, body and the headers (minus `date` and `x-request-id`, which differ for
/// every response) of a response.
async fn fingerprint(res: reqwest::Response) -> (u16, Vec<String>, String) {
    let status = res.status().as_u16();
    let mut headers: Vec<String> = res
        .headers()
        .iter()
        .filter(|(k, _)| *k != "date" && *k != "x-request-id")
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
        .collect();
    headers.sort();
    (status, headers, res.text().await.unwrap())
}

async fn enumeration_by_status_and_body(app: &TestApp) {
    app.sign_up("known@example.com", PASSWORD).await;
    // Sign-in: unknown e-mail vs wrong password, in JSON and as form posts, also with
    // a case-and-whitespace variant of the known address.
    for (known_email, unknown_email) in [
        ("known@example.com", "unknown@example.com"),
        (" KNOWN@Example.com ", " UNKNOWN@Example.com "),
    ] {
        let wrong = fingerprint(app.sign_in(known_email, "wrong password!!").await).await;
        let unknown = fingerprint(app.sign_in(unknown_email, "wrong password!!").await).await;
        assert_eq!(wrong, unknown, "sign-in reveals {known_email}");
        assert_eq!(wrong.0, 401);
    }
    let form = |email: &'static str| {
        app.client
            .post(app.url("/api/auth/sign-in/email"))
            .form(&[("email", email), ("password", "wrong password!!")])
            .send()
    };
    let wrong = fingerprint(form("known@example.com").await.unwrap()).await;
    let unknown = fingerprint(form("unknown@example.com").await.unwrap()).await;
    assert_eq!(wrong, unknown, "form sign-in reveals the account");
    // Too-short / too-long passwords: same answer whether or not the account exists.
    for password in ["", &"x".repeat(129)] {
        let known = fingerprint(app.sign_in("known@example.com", password).await).await;
        let unknown = fingerprint(app.sign_in("unknown@example.com", password).await).await;
        assert_eq!(
            known,
            unknown,
            "password length {} reveals the account",
            password.len()
        );
    }
    // Password reset: the same answer for known and unknown addresses.
    let reset = |email: &'static str| {
        app.auth_post(
            "/request-password-reset",
            json!({ "email": email, "redirectTo": "/reset-password" }),
            None,
        )
    };
    let known = fingerprint(reset("known@example.com").await).await;
    let unknown = fingerprint(reset("unknown@example.com").await).await;
    assert_eq!(known, unknown, "request-password-reset reveals the account");
    assert_eq!(known.0, 200);
    // Only the real account got a mail.
    app.wait_for_mail("known@example.com", "Reset").await;
    let mails: Vec<Value> = app.outbox();
    assert!(mails.iter().all(|m| m["to"] != "unknown@example.com"));
    // The server-function twin of the reset form.
    let ui = |email: &'static str| {
        app.client
            .post(app.url("/api/ui/request_password_reset"))
            .header("accept", "application/json")
            .form(&[("email", email)])
            .send()
    };
    let known = fingerprint(ui("known@example.com").await.unwrap()).await;
    let unknown = fingerprint(ui("unknown@example.com").await.unwrap()).await;
    assert_eq!(
        known, unknown,
        "/api/ui/request_password_reset reveals the account"
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

/// Sign-in latency, unknown e-mail vs wrong password, in 21 back-to-back pairs (after a
/// warm-up): the median of the per-pair differences must stay under 10 % of the larger
/// median. Pairing compares attempts made a few milliseconds apart, so the load of the
/// other tests running beside this one (it varies from second to second) falls on both
/// sides of each difference instead of on whichever side it happened to hit.
async fn enumeration_by_timing(app: &TestApp) {
    const PAIRS: usize = 21;
    app.sign_up("timing@example.com", PASSWORD).await;
    let attempt = |email: &'static str| async move {
        let started = Instant::now();
        let res = app.sign_in(email, "not the password").await;
        let elapsed = started.elapsed();
        assert_eq!(res.status(), 401);
        elapsed
    };
    // Warm-up (first-use costs: connections, statement caches).
    attempt("timing@example.com").await;
    attempt("nobody-here@example.com").await;
    let (mut known, mut unknown, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..PAIRS {
        // Alternate which goes first, so a drift within a pair hits both sides alike.
        let (k, u) = if i % 2 == 0 {
            let k = attempt("timing@example.com").await;
            (k, attempt("nobody-here@example.com").await)
        } else {
            let u = attempt("nobody-here@example.com").await;
            (attempt("timing@example.com").await, u)
        };
        known.push(k);
        unknown.push(u);
        diffs.push(k.as_secs_f64() - u.as_secs_f64());
    }
    diffs.sort_by(f64::total_cmp);
    let diff = diffs[PAIRS / 2].abs();
    let (mk, mu) = (median(known), median(unknown));
    let larger = mk.max(mu).as_secs_f64();
    eprintln!(
        "[{:?}] sign-in timing over {PAIRS} pairs: wrong password median {mk:?}, unknown e-mail median {mu:?}, median pair difference {:.3} ms ({:.1} % of the larger)",
        app.backend,
        diff * 1e3,
        100.0 * diff / larger
    );
    assert!(
        diff < 0.10 * larger,
        "sign-in timing reveals accounts: wrong password {mk:?} vs unknown e-mail {mu:?}, \
         median pair difference {:.3} ms",
        diff * 1e3
    );
}

db_tests!(
    jwt_attacks_on_the_tasks_api,
    tampered_session_cookies_are_no_session,
    sql_metacharacters_are_data,
    csrf_on_every_state_changing_auth_endpoint,
    enumeration_by_status_and_body,
);

mod modes {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jwt_attacks_hs256_sqlite() {
        jwt_attacks_in_hs256_mode(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn jwt_attacks_hs256_postgres() {
        if crate::helpers::postgres_available().await {
            jwt_attacks_in_hs256_mode(Backend::Postgres).await;
        }
    }

    /// SQLite only, to save time: the hashing dominates and is backend-independent.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn enumeration_by_timing_sqlite() {
        // Alone in the process: see `helpers::quiet`.
        let app = TestApp::builder().alone().spawn().await;
        enumeration_by_timing(&app).await;
        app.cleanup().await;
    }
}

/// Defects these tests found, kept as regression tests: server functions once took
/// state-changing calls from any origin.
mod regressions {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn csrf_on_state_changing_server_functions_sqlite() {
        let app = TestApp::spawn(Backend::Sqlite).await;
        csrf_on_state_changing_server_functions(&app).await;
        app.cleanup().await;
    }
}
