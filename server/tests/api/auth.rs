//! Better Auth compatibility over HTTP: endpoints, status codes, error codes, cookies,
//! JWTs, password hashes, origin checks and rate limits, on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{json, Value};
use taskdeck::auth::{
    jwt::{self, parse_jwks, Validation, VerifyKey},
    verify_cookie_value,
};

use crate::helpers::{session_cookie, set_cookies, Backend, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn error_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn sign_up_sets_a_signed_session_cookie(app: &TestApp) {
    let res = app
        .auth_post(
            "/sign-up/email",
            json!({ "name": "Ada", "email": "Ada@Example.com", "password": PASSWORD }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookies = set_cookies(&res);
    let body: Value = res.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 32);
    let user = &body["user"];
    assert_eq!(user["email"], "ada@example.com", "stored lower-cased");
    assert_eq!(user["name"], "Ada");
    assert_eq!(user["emailVerified"], false);
    assert_eq!(user["image"], Value::Null);
    let created = user["createdAt"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && created.len() == 24,
        "toISOString form: {created}"
    );

    let cookie = cookies
        .iter()
        .find(|c| c.starts_with("better-auth.session_token="))
        .expect("session cookie");
    assert!(
        cookie.ends_with("; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"),
        "attributes in Better Auth's order: {cookie}"
    );
    let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
    assert_eq!(
        verify_cookie_value(value, app.config.secret_bytes()).as_deref(),
        Some(token),
        "cookie = token.HMAC(secret)"
    );
}

async fn sign_up_errors(app: &TestApp) {
    app.sign_up("taken@example.com", PASSWORD).await;
    let (status, body) = error_of(
        app.auth_post(
            "/sign-up/email",
            json!({ "name": "X", "email": "TAKEN@example.com", "password": PASSWORD }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["code"], "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");

    let cases = [
        (
            json!({ "name": "X", "email": "not-an-email", "password": PASSWORD }),
            "VALIDATION_ERROR",
        ),
        (
            json!({ "name": "X", "email": "a@b.co", "password": "short" }),
            "PASSWORD_TOO_SHORT",
        ),
        (
            json!({ "name": "X", "email": "a@b.co", "password": "x".repeat(129) }),
            "PASSWORD_TOO_LONG",
        ),
        (
            json!({ "email": "a@b.co", "password": PASSWORD }),
            "VALIDATION_ERROR",
        ),
        (
            json!({ "name": 5, "email": "a@b.co", "password": PASSWORD }),
            "VALIDATION_ERROR",
        ),
    ];
    for (body, code) in cases {
        let (status, err) =
            error_of(app.auth_post("/sign-up/email", body.clone(), None).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(err["code"], code, "{body}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, err) = error_of(
        app.auth_post(
            "/sign-up/email",
            json!({ "name": "X", "email": "nope", "password": PASSWORD }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(err["message"], "[body.email] Invalid email address");

    let res = app
        .client
        .post(app.url("/api/auth/sign-up/email"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let (status, err) = error_of(res).await;
    assert_eq!(status, 415);
    assert_eq!(err["code"], "UNSUPPORTED_MEDIA_TYPE");
}

async fn sign_in_success_and_failures_look_alike(app: &TestApp) {
    app.sign_up("bob@example.com", PASSWORD).await;
    let res = app.sign_in("BOB@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["redirect"], false);
    assert_eq!(body["user"]["email"], "bob@example.com");
    assert_eq!(body["token"].as_str().unwrap().len(), 32);

    let wrong = error_of(app.sign_in("bob@example.com", "wrong password!").await).await;
    let unknown = error_of(app.sign_in("nobody@example.com", PASSWORD).await).await;
    assert_eq!(wrong, unknown, "no user enumeration");
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong.1["code"], "INVALID_EMAIL_OR_PASSWORD");

    let (status, err) = error_of(app.sign_in("bob-at-example", PASSWORD).await).await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], "INVALID_EMAIL");
}

async fn sign_in_accepts_form_posts(app: &TestApp) {
    app.sign_up("form@example.com", PASSWORD).await;
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .form(&[
            ("email", "form@example.com"),
            ("password", PASSWORD),
            ("rememberMe", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_some());
}

async fn get_session_lifecycle(app: &TestApp) {
    // Signed out: 200 null, never cached.
    let res = app.auth_get("/get-session", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    let who = app.sign_up("carol@example.com", PASSWORD).await;
    let res = app.auth_get("/get-session", Some(&who.cookie)).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("set-auth-jwt"));
    assert_eq!(
        res.headers()["access-control-expose-headers"],
        "set-auth-jwt"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["id"], who.user_id.as_str());
    assert_eq!(body["session"]["userId"], who.user_id.as_str());
    assert_eq!(body["session"]["token"], who.body["token"]);
    let expires = body["session"]["expiresAt"].as_str().unwrap();
    assert!(expires.ends_with('Z'));

    // A tampered cookie is no session.
    let mut forged = who.cookie.clone();
    forged.insert("better-auth.session_token=".len(), 'x');
    let res = app.auth_get("/get-session", Some(&forged)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // Sign-out deletes the session and expires the cookies.
    let res = app
        .auth_post("/sign-out", json!({}), Some(&who.cookie))
        .await;
    assert_eq!(res.status(), 200);
    let expired = set_cookies(&res);
    assert!(expired
        .iter()
        .any(|c| c.starts_with("better-auth.session_token=;") && c.contains("Max-Age=0")));
    assert!(expired
        .iter()
        .any(|c| c.starts_with("better-auth.session_data=;")));
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "success": true })
    );
    let res = app.auth_get("/get-session", Some(&who.cookie)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // POST get-session is Better Auth's 405 unless deferred refresh is on.
    let res = app.auth_post("/get-session", json!({}), None).await;
    let (status, err) = error_of(res).await;
    assert_eq!(status, 405);
    assert_eq!(err["code"], "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED");
}

async fn remember_me_false_gives_a_browser_session_cookie(app: &TestApp) {
    app.sign_up("dan@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/sign-in/email",
            json!({ "email": "dan@example.com", "password": PASSWORD, "rememberMe": false }),
            None,
        )
        .await;
    let cookies = set_cookies(&res);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("better-auth.session_token="))
        .unwrap();
    assert!(!session.contains("Max-Age"), "no Max-Age: {session}");
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("better-auth.dont_remember=")));
    let body: Value = res.json().await.unwrap();
    let _ = body;
}

async fn session_endpoints_require_a_session(app: &TestApp) {
    for path in ["/list-sessions", "/token"] {
        let (status, err) = error_of(app.auth_get(path, None).await).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(err["code"], "UNAUTHORIZED");
    }
    for path in [
        "/revoke-sessions",
        "/revoke-other-sessions",
        "/update-user",
        "/change-password",
        "/delete-user",
    ] {
        let (status, err) = error_of(app.auth_post(path, json!({}), None).await).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(err["code"], "UNAUTHORIZED", "{path}");
    }
}

async fn list_and_revoke_sessions(app: &TestApp) {
    let a = app.sign_up("erin@example.com", PASSWORD).await;
    let second = app.sign_in_cookie("erin@example.com", PASSWORD).await;
    let third = app.sign_in_cookie("erin@example.com", PASSWORD).await;

    let list: Vec<Value> = app
        .auth_get("/list-sessions", Some(&a.cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 3);
    assert!(list.iter().all(|s| s["userId"] == a.user_id.as_str()));

    // Revoke the second one by its token.
    let second_token = list
        .iter()
        .map(|s| s["token"].as_str().unwrap().to_string())
        .find(|t| second.contains(t.as_str()))
        .unwrap();
    let res = app
        .auth_post(
            "/revoke-session",
            json!({ "token": second_token }),
            Some(&a.cookie),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true })
    );
    let res = app.auth_get("/get-session", Some(&second)).await;
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);

    // Another user cannot revoke erin's session.
    let mallory = app.sign_up("mallory@example.com", PASSWORD).await;
    let erin_token = a.body["token"].as_str().unwrap();
    app.auth_post(
        "/revoke-session",
        json!({ "token": erin_token }),
        Some(&mallory.cookie),
    )
    .await;
    let res = app.auth_get("/get-session", Some(&a.cookie)).await;
    assert_ne!(res.json::<Value>().await.unwrap(), Value::Null);

    // Revoke the others: the current one survives, the third does not.
    app.auth_post("/revoke-other-sessions", json!({}), Some(&a.cookie))
        .await;
    assert_ne!(app.session(&a.cookie).await, Value::Null);
    assert_eq!(app.session(&third).await, Value::Null);

    app.auth_post("/revoke-sessions", json!({}), Some(&a.cookie))
        .await;
    assert_eq!(app.session(&a.cookie).await, Value::Null);
}

async fn update_user_and_change_password(app: &TestApp) {
    let who = app.sign_up("fay@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/update-user",
            json!({ "name": "Fay Q" }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true })
    );
    let s: Value = app.session(&who.cookie).await;
    assert_eq!(s["user"]["name"], "Fay Q");

    let (status, err) = error_of(
        app.auth_post(
            "/update-user",
            json!({ "email": "x@y.z" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("EMAIL_CAN_NOT_BE_UPDATED"))
    );
    let (status, err) = error_of(
        app.auth_post("/update-user", json!({}), Some(&who.cookie))
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["message"], "No fields to update");

    let (status, err) = error_of(
        app.auth_post(
            "/change-password",
            json!({ "currentPassword": "wrong password", "newPassword": "new password 1" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], "INVALID_PASSWORD");

    let other = app.sign_in_cookie("fay@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/change-password",
            json!({ "currentPassword": PASSWORD, "newPassword": "new password 1", "revokeOtherSessions": true }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let fresh = session_cookie(&res).expect("a new session cookie");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token"].as_str().unwrap().len(), 32);
    assert_eq!(app.session(&other).await, Value::Null);
    assert_ne!(app.session(&fresh).await, Value::Null);
    assert_eq!(app.sign_in("fay@example.com", PASSWORD).await.status(), 401);
    assert_eq!(
        app.sign_in("fay@example.com", "new password 1")
            .await
            .status(),
        200
    );
}

async fn delete_user_removes_everything(app: &TestApp) {
    let who = app.sign_up("gus@example.com", PASSWORD).await;
    let (status, err) = error_of(
        app.auth_post(
            "/delete-user",
            json!({ "password": "nope nope" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("INVALID_PASSWORD"))
    );
    let res = app
        .auth_post(
            "/delete-user",
            json!({ "password": PASSWORD }),
            Some(&who.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "success": true, "message": "User deleted" })
    );
    assert_eq!(app.sign_in("gus@example.com", PASSWORD).await.status(), 401);
    assert_eq!(app.session(&who.cookie).await, Value::Null);
}

async fn password_reset_by_mail(app: &TestApp) {
    app.sign_up("hal@example.com", PASSWORD).await;
    let res = app
        .auth_post(
            "/request-password-reset",
            json!({ "email": "hal@example.com", "redirectTo": "/reset-password" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], true);
    app.wait_for_mail("hal@example.com", "Reset").await;
    // Unknown address: the same answer, no mail.
    let before = app.outbox().len();
    let res = app
        .auth_post(
            "/request-password-reset",
            json!({ "email": "ghost@example.com" }),
            None,
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], true);
    // Time for a mail to be written, were one on its way.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.outbox().len(), before);

    let mail = app.wait_for_mail("hal@example.com", "Reset").await;
    let link = mail["link"].as_str().unwrap();
    let path = &link[link.find("/api/auth/").unwrap()..];
    let res = app.get(path).await;
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/reset-password?token="), "{location}");
    let token = location.split("token=").nth(1).unwrap().to_string();

    let (status, err) = error_of(
        app.auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "short" }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("PASSWORD_TOO_SHORT"))
    );
    let res = app
        .auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "brand new secret" }),
            None,
        )
        .await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true })
    );
    assert_eq!(
        app.sign_in("hal@example.com", "brand new secret")
            .await
            .status(),
        200
    );
    assert_eq!(app.sign_in("hal@example.com", PASSWORD).await.status(), 401);

    // Single use.
    let (status, err) = error_of(
        app.auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "another secret!" }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("INVALID_TOKEN"))
    );
    let res = app.get(path).await;
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .ends_with("error=INVALID_TOKEN"));

    // Untrusted redirect targets are refused.
    let (status, err) = error_of(
        app.auth_post(
            "/request-password-reset",
            json!({ "email": "hal@example.com", "redirectTo": "https://evil.example" }),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("INVALID_REDIRECT_URL"))
    );
}

async fn email_verification_by_mail(app: &TestApp) {
    let who = app.sign_up("ivy@example.com", PASSWORD).await;
    let token = app.verification_token("ivy@example.com").await;
    let res = app
        .auth_get(&format!("/verify-email?token={token}"), None)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "status": true, "user": null })
    );
    let s: Value = app.session(&who.cookie).await;
    assert_eq!(s["user"]["emailVerified"], true);

    let (status, err) = error_of(app.auth_get("/verify-email?token=garbage", None).await).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (401, Some("INVALID_TOKEN"))
    );
    let (status, err) = error_of(
        app.auth_post(
            "/send-verification-email",
            json!({ "email": "ivy@example.com" }),
            Some(&who.cookie),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (400, Some("EMAIL_ALREADY_VERIFIED"))
    );
}

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

async fn better_auth_scrypt_hashes_sign_in_and_are_upgraded(app: &TestApp) {
    // A user as Better Auth (scrypt) would have written them.
    let who = app.sign_up("legacy@example.com", PASSWORD).await;
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let scrypt = taskdeck::auth::password::better_auth_scrypt_hash("legacy password").unwrap();
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"UPDATE "account" SET "password" = $1 WHERE "userId" = $2"#
    )
    .bind(&scrypt)
    .bind(&who.user_id)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        app.sign_in("legacy@example.com", "wrong password")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in("legacy@example.com", "legacy password")
            .await
            .status(),
        200
    );
    let stored: String = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT "password" FROM "account" WHERE "userId" = $1"#
    )
    .bind(&who.user_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(
        stored.starts_with(&format!(
            "$argon2id$v=19${}$",
            taskdeck::auth::password::HashParams::DEFAULT
        )),
        "rehashed: {stored}"
    );
    assert_eq!(
        app.sign_in("legacy@example.com", "legacy password")
            .await
            .status(),
        200
    );
    db.close().await;
}

async fn origin_checks_on_cookie_posts(app: &TestApp) {
    let who = app.sign_up("lou@example.com", PASSWORD).await;
    let post = |origin: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url("/api/auth/sign-out"))
            .header("cookie", &who.cookie)
            .json(&json!({}));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let (status, err) = error_of(post(None).await.unwrap()).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("MISSING_OR_NULL_ORIGIN"))
    );
    let (status, err) = error_of(post(Some("null")).await.unwrap()).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("MISSING_OR_NULL_ORIGIN"))
    );
    let (status, err) = error_of(post(Some("https://evil.example")).await.unwrap()).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("INVALID_ORIGIN"))
    );
    // The session survived the refused attempts.
    assert_ne!(app.session(&who.cookie).await, Value::Null);

    // Cross-site form navigation cannot sign anyone in.
    let res = app
        .client
        .post(app.url("/api/auth/sign-in/email"))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .header("origin", "https://evil.example")
        .form(&[("email", "lou@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, err) = error_of(res).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (403, Some("CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"))
    );
}

async fn unknown_auth_paths_are_empty_404s(app: &TestApp) {
    for (method, path) in [
        ("GET", "/nope"),
        ("GET", "/sign-in/email"),
        ("POST", "/ok"),
        ("GET", "/get-session/"),
    ] {
        let res = app
            .client
            .request(
                method.parse().unwrap(),
                app.url(&format!("/api/auth{path}")),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
        assert!(res.text().await.unwrap().is_empty(), "{method} {path}");
    }
    let res = app.auth_get("/ok", None).await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({ "ok": true }));
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
        &VerifyKey::Hs256(app.config.secret_bytes()),
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

async fn rate_limit_blocks_the_fourth_sign_in(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("RATE_LIMIT", "on")
        .spawn()
        .await;
    for _ in 0..3 {
        assert_eq!(app.sign_in("who@example.com", PASSWORD).await.status(), 401);
    }
    let res = app.sign_in("who@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429);
    let retry: i64 = res.headers()["x-retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "message": "Too many requests. Please try again later." })
    );
    // Other endpoints are unaffected.
    assert_eq!(app.auth_get("/ok", None).await.status(), 200);
    app.cleanup().await;
}

db_tests!(
    sign_up_sets_a_signed_session_cookie,
    sign_up_errors,
    sign_in_success_and_failures_look_alike,
    sign_in_accepts_form_posts,
    get_session_lifecycle,
    remember_me_false_gives_a_browser_session_cookie,
    session_endpoints_require_a_session,
    list_and_revoke_sessions,
    update_user_and_change_password,
    delete_user_removes_everything,
    password_reset_by_mail,
    email_verification_by_mail,
    jwt_verifies_against_the_published_jwks,
    bearer_attacks_are_refused,
    better_auth_scrypt_hashes_sign_in_and_are_upgraded,
    origin_checks_on_cookie_posts,
    unknown_auth_paths_are_empty_404s,
);

mod modes {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hs256_sqlite() {
        hs256_mode_signs_with_the_shared_secret(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hs256_postgres() {
        if crate::helpers::postgres_available().await {
            hs256_mode_signs_with_the_shared_secret(Backend::Postgres).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limit_sqlite_memory() {
        rate_limit_blocks_the_fourth_sign_in(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limit_postgres_database() {
        if crate::helpers::postgres_available().await {
            rate_limit_blocks_the_fourth_sign_in(Backend::Postgres).await;
        }
    }
}
