//! Compatibility with existing Better Auth deployments: a database in Better Auth 1.6's
//! shape (no `account.issuer`, no `jwks.alg`/`crv`, scrypt hashes) opens as is, a user
//! who turned two-factor on there still needs it here, and a server in remote-JWKS mode
//! accepts tokens issued by another Better Auth server.

use serde_json::{json, Value};
use sqlx::{Connection, Executor, SqliteConnection};

use taskdeck::auth::{key_envelope::symmetric_encrypt, two_factor::totp::code_at};

use crate::{
    helpers::{session_cookie, ApiUser, Backend, Signed, TestApp},
    two_factor::{challenge, now, verify, PASSWORD},
};

/// Better Auth 1.6's SQLite schema, as its Kysely migrator wrote it.
const BETTER_AUTH_16_SQLITE: &str = r#"
CREATE TABLE "user" ("id" text not null primary key, "name" text not null, "email" text not null unique,
  "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null);
CREATE TABLE "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique,
  "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text,
  "userId" text not null references "user" ("id") on delete cascade);
CREATE TABLE "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null,
  "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text,
  "idToken" text, "accessTokenExpiresAt" date, "refreshTokenExpiresAt" date, "scope" text, "password" text,
  "createdAt" date not null, "updatedAt" date not null);
CREATE TABLE "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null,
  "expiresAt" date not null, "createdAt" date not null, "updatedAt" date not null);
CREATE TABLE "jwks" ("id" text not null primary key, "publicKey" text not null, "privateKey" text not null,
  "createdAt" date not null, "expiresAt" date);
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_better_auth_1_6_database_opens_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ba16.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    // A user written by Better Auth 1.6: dates as ISO text, a scrypt password, Drizzle-
    // style integer-millisecond dates on the account row.
    let hash = taskdeck::auth::password::better_auth_scrypt_hash("legacy password 1").unwrap();
    {
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        conn.execute(BETTER_AUTH_16_SQLITE).await.unwrap();
        sqlx::query(r#"INSERT INTO "user" VALUES ('u16', 'Old Timer', 'old@example.com', 1, NULL, '2025-01-02T03:04:05.678Z', '2025-01-02T03:04:05.678Z')"#)
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") VALUES ('a16', 'u16', 'credential', 'u16', $1, 1735787045678, 1735787045678)"#)
            .bind(&hash)
            .execute(&mut conn)
            .await
            .unwrap();
        // Closed now: a dropped connection closes later, in the background.
        conn.close().await.unwrap();
    }
    // The app opens the prepared file as its database (its own data directory aside).
    let app = TestApp::builder().database_url(&url).spawn().await;
    let res = app.sign_in("OLD@example.com", "legacy password 1").await;
    assert_eq!(res.status(), 200, "a 1.6 user with a scrypt hash signs in");
    let cookie = session_cookie(&res).unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["id"], "u16");
    assert_eq!(body["user"]["emailVerified"], true);
    assert_eq!(body["user"]["createdAt"], "2025-01-02T03:04:05.678Z");

    // A JWT is minted into the 1.6-shaped jwks table (no alg/crv columns) and works.
    let signed = Signed {
        email: "old@example.com".into(),
        user_id: "u16".into(),
        cookie,
        body,
    };
    let old = ApiUser {
        id: "u16".into(),
        token: app.jwt(&signed).await,
        signed,
    };
    app.create_task(&old, json!({ "title": "kept in the old database" }))
        .await;
    // A new sign-up writes a 1.6-shaped account row (no issuer column to fill).
    app.sign_up("new@example.com", "new password 1").await;
    app.cleanup().await;

    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let stored: String =
        sqlx::query_scalar(r#"SELECT "password" FROM "account" WHERE "id" = 'a16'"#)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(stored.starts_with("$argon2id$"), "rehashed on sign-in");
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(keys, 1);
    let issuer_column: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('account') WHERE name = 'issuer'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        issuer_column, 0,
        "the schema was left as Better Auth made it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_jwks_mode_accepts_tokens_from_another_server() {
    // The "auth server": a normal instance issuing EdDSA tokens.
    let issuer = TestApp::spawn(Backend::Sqlite).await;
    let who = issuer
        .sign_up("remote@example.com", "remote password")
        .await;
    let token = issuer.jwt(&who).await;

    // The "API server": verifies against the issuer's JWKS URL, with its origin as iss/aud.
    let api = TestApp::builder()
        .env(
            "BETTER_AUTH_SECRET",
            "another-secret-entirely-0123456789abc",
        )
        .env("JWT_JWKS_URL", format!("{}/api/auth/jwks", issuer.base))
        .env("JWT_ISSUER", issuer.origin())
        .env("JWT_AUDIENCE", issuer.origin())
        .spawn()
        .await;
    let res = api.bearer_get(&token, "/api/me").await;
    assert_eq!(
        res.status(),
        200,
        "fetched the remote JWKS on the unknown kid"
    );
    assert_eq!(
        res.json::<Value>().await.unwrap()["id"],
        who.user_id.as_str()
    );
    // It does not publish keys of its own, and refuses tokens signed elsewhere.
    assert_eq!(api.get("/api/auth/jwks").await.status(), 404);
    let stranger = taskdeck::auth::jwt::Ed25519Key::generate("stranger");
    let now = chrono::Utc::now().timestamp();
    let forged = taskdeck::auth::jwt::sign_eddsa(
        &stranger,
        &json!({ "sub": who.user_id, "iat": now, "exp": now + 60, "iss": issuer.origin(), "aud": issuer.origin() }),
    );
    assert_eq!(api.bearer_get(&forged, "/api/me").await.status(), 401);
    // The issuer's own kid, but signed by another key: refused too.
    let kid = {
        use base64::Engine;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().unwrap())
            .unwrap();
        serde_json::from_slice::<Value>(&header).unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let impostor = taskdeck::auth::jwt::Ed25519Key::generate(kid);
    let forged = taskdeck::auth::jwt::sign_eddsa(
        &impostor,
        &json!({ "sub": who.user_id, "iat": now, "exp": now + 60, "iss": issuer.origin(), "aud": issuer.origin() }),
    );
    assert_eq!(api.bearer_get(&forged, "/api/me").await.status(), 401);
    api.cleanup().await;
    issuer.cleanup().await;
}

/// A SQLite database in Better Auth's shape with the plugin's table, holding a user who
/// turned two-factor on under Better Auth (secret and codes sealed with the shared
/// secret, as `symmetricEncrypt` seals them; the npm fixture test in end2end/ does the
/// same with Better Auth itself writing the rows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_better_auth_user_with_two_factor_needs_the_second_factor() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("ba2fa.db").display()
    );
    let secret = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let hash = taskdeck::auth::password::better_auth_scrypt_hash(PASSWORD).unwrap();
    let key = b"test-secret-0123456789-abcdefghijklmnop";
    let sealed = symmetric_encrypt(secret, key).unwrap();
    let codes = symmetric_encrypt(r#"["aaaaa-bbbbb","ccccc-ddddd"]"#, key).unwrap();
    {
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        // Better Auth 1.6's core tables, and what an older twoFactor plugin added.
        conn.execute(BETTER_AUTH_16_SQLITE).await.unwrap();
        conn.execute(
            r#"ALTER TABLE "user" ADD COLUMN "twoFactorEnabled" integer;
CREATE TABLE "twoFactor" ("id" text not null primary key, "secret" text not null, "backupCodes" text not null,
  "userId" text not null references "user" ("id") on delete cascade);"#,
        )
        .await
        .unwrap();
        sqlx::query(r#"INSERT INTO "user" VALUES ('u2', 'Two Factor', 'tf@example.com', 1, NULL, '2025-01-02T03:04:05.678Z', '2025-01-02T03:04:05.678Z', 1)"#)
            .execute(&mut conn).await.unwrap();
        sqlx::query(r#"INSERT INTO "account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") VALUES ('a2', 'u2', 'credential', 'u2', $1, '2025-01-02T03:04:05.678Z', '2025-01-02T03:04:05.678Z')"#)
            .bind(&hash).execute(&mut conn).await.unwrap();
        sqlx::query(r#"INSERT INTO "twoFactor" VALUES ('t2', $1, $2, 'u2')"#)
            .bind(&sealed)
            .bind(&codes)
            .execute(&mut conn)
            .await
            .unwrap();
        // Closed before the app opens the file (a dropped connection closes later, in
        // the background, and could still hold it while the app switches to WAL).
        conn.close().await.unwrap();
    }
    let app = TestApp::builder().database_url(&url).spawn().await;
    // An older plugin's table (no `verified` column): the row counts as confirmed.
    let first = challenge(&app, "tf@example.com").await;
    let res = verify(
        &app,
        "verify-backup-code",
        json!({ "code": "ccccc-ddddd" }),
        &first,
    )
    .await;
    assert_eq!(res.status(), 200);
    let session = session_cookie(&res).unwrap();
    assert_eq!(
        app.session(&session).await["user"]["twoFactorEnabled"],
        true
    );
    let again = challenge(&app, "tf@example.com").await;
    let res = verify(
        &app,
        "verify-totp",
        json!({ "code": code_at(secret, now()) }),
        &again,
    )
    .await;
    assert_eq!(res.status(), 200);
    app.cleanup().await;
}
