//! Scale-out: two server instances sharing ONE PostgreSQL database, as behind a load
//! balancer. Both start at once against an empty database (migrations must not race),
//! and whatever one instance issues the other honours: session cookies, JWTs (the JWKS
//! lives in the database, so an instance that never minted a key still verifies), and
//! rate-limit counters (`RATE_LIMIT=on`; storage defaults to the database on PostgreSQL).
//!
//! Live sync too: a write on either instance reaches the event streams on both, once.
//!
//! PostgreSQL only: skipped with a note when it is unreachable and `REQUIRE_POSTGRES`
//! is unset (see `crate::helpers::postgres_available`).

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};

use crate::{
    helpers::{postgres_available, ApiUser, Backend, PgTestDatabase, TestApp},
    live::{json_of, live_app},
};

const PASSWORD: &str = "password for scale-out";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    if !postgres_available().await {
        eprintln!("note: scale-out test skipped (PostgreSQL unreachable, REQUIRE_POSTGRES unset)");
        return;
    }
    let db = PgTestDatabase::create("taskdeck_scale_out").await;
    // The scenario runs in its own task so that the database is dropped even when an
    // assertion fails; the panic is re-raised afterwards.
    let url = db.url.clone();
    let outcome = tokio::spawn(async move { scenario(&url).await }).await;
    db.drop_database().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn scenario(database_url: &str) {
    // --- 1. Both instances start at once against the empty database -------------------
    // The same database, secret and public URL (so the same JWT `iss`/`aud`), rate
    // limiting on; only the data directory (the dev mailbox) differs.
    let instance = TestApp::builder()
        .database_url(database_url)
        .env(
            "BETTER_AUTH_SECRET",
            "scale-out-secret-0123456789-abcdefghij",
        )
        .env("BETTER_AUTH_URL", "http://127.0.0.1:3000")
        .env("RATE_LIMIT", "on");
    let (a, b) = tokio::join!(instance.clone().spawn(), instance.spawn());

    let mut pg = PgConnection::connect(database_url).await.unwrap();
    let migrations: Vec<(i64, bool)> =
        sqlx::query_as(r#"SELECT version, success FROM _sqlx_migrations ORDER BY version"#)
            .fetch_all(&mut pg)
            .await
            .expect("the migrations table exists");
    assert!(!migrations.is_empty(), "migrations ran");
    assert!(
        migrations.iter().all(|(_, ok)| *ok),
        "every migration succeeded: {migrations:?}"
    );
    let mut versions: Vec<i64> = migrations.iter().map(|(v, _)| *v).collect();
    versions.dedup();
    assert_eq!(
        versions.len(),
        migrations.len(),
        "each migration applied once"
    );
    for instance in [&a, &b] {
        let res = instance.get("/readyz").await;
        assert_eq!(res.status(), 200, "{} is ready", instance.base);
    }
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(keys, 0, "no signing key before the first token");

    // --- 2. A session made on A is valid on B -----------------------------------------
    let email = "scale-out@example.com";
    let who = a.sign_up(email, PASSWORD).await;
    let session = b.session(&who.cookie).await;
    assert_eq!(
        session["user"]["id"], who.user_id,
        "B knows A's session: {session}"
    );

    // --- 3. A JWT from A is accepted by B, which has never minted a key ---------------
    let token_a = a.jwt(&who).await;
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(keys, 1, "A minted exactly one key");
    let me_on_b = me(&b, &token_a).await;
    assert_eq!(me_on_b["id"], who.user_id, "B verifies A's JWT: {me_on_b}");
    // The tasks API on B takes A's token too, and sees what A wrote.
    let user = ApiUser {
        id: who.user_id.clone(),
        token: token_a.clone(),
        signed: who.clone(),
    };
    a.create_task(&user, json!({ "title": "written on A" }))
        .await;
    let tasks = b.get_json(&user, &format!("/api/{}/tasks", user.id)).await;
    assert_eq!(
        tasks[0]["title"], "written on A",
        "B reads A's task: {tasks}"
    );

    // B publishes and signs with the same key instead of minting its own.
    let jwks: Value = b.get("/api/auth/jwks").await.json().await.unwrap();
    let kid_a = jwt_kid(&token_a);
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid_a),
        "B's JWKS lists A's key {kid_a}: {jwks}"
    );
    let token_b = b.jwt(&who).await;
    assert_eq!(jwt_kid(&token_b), kid_a, "B signs with the shared key");
    let me_on_a = me(&a, &token_b).await;
    assert_eq!(me_on_a["id"], who.user_id, "A verifies B's JWT");
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(keys, 1, "still one key: B reused A's");

    // --- 4. Rate limits are shared: 3 sign-ins on A, the 4th on B is refused -----------
    for attempt in 1..=3 {
        let res = a.sign_in(email, PASSWORD).await;
        assert_eq!(res.status(), 200, "sign-in {attempt} on A");
    }
    let res = b.sign_in(email, PASSWORD).await;
    assert_eq!(
        res.status(),
        429,
        "the 4th sign-in within 10 s, on B, is rate limited"
    );
    let retry: i64 = res
        .headers()
        .get("x-retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("X-Retry-After");
    assert!((1..=10).contains(&retry), "retry after {retry} s");
    // And back on A, the same shared counter still refuses.
    assert_eq!(a.sign_in(email, PASSWORD).await.status(), 429);
    let counters: i64 = sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "rateLimit" WHERE "key" LIKE '%|/sign-in/email'"#,
    )
    .fetch_one(&mut pg)
    .await
    .unwrap();
    assert_eq!(counters, 1, "one shared counter row for the sign-in path");

    pg.close().await.ok();
    a.cleanup().await;
    b.cleanup().await;
}

/// `/api/me` on `on` with `token`, which must be accepted.
async fn me(on: &TestApp, token: &str) -> Value {
    let res = on.bearer_get(token, "/api/me").await;
    assert_eq!(res.status(), 200, "GET /api/me on {}", on.base);
    res.json().await.unwrap()
}

/// The `kid` in a JWT's header.
fn jwt_kid(token: &str) -> String {
    use base64::Engine as _;
    let header = token.split('.').next().expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("base64url header");
    let header: Value = serde_json::from_slice(&bytes).expect("JSON header");
    header["kid"].as_str().expect("a kid").to_string()
}

/// Two instances on one PostgreSQL database: a write on either reaches the streams on
/// both, exactly once, each instance numbering events its own way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_instance_reaches_streams_on_another() {
    if !postgres_available().await {
        return;
    }
    let db = PgTestDatabase::create("taskdeck_live").await;
    let url = db.url.clone();
    let outcome = tokio::spawn(async move { across_instances(&url).await }).await;
    db.drop_database().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

async fn across_instances(database_url: &str) {
    let instance = live_app(Backend::Postgres)
        .database_url(database_url)
        .env(
            "BETTER_AUTH_SECRET",
            "live-secret-0123456789-abcdefghijklmn",
        )
        .env("BETTER_AUTH_URL", "http://127.0.0.1:3000");
    let a = instance.clone().spawn().await;
    let b = instance.spawn().await;
    let me = a.api_user("everywhere@example.com").await;
    let mut on_a = a.task_events(&me, None).await;
    let mut on_b = b.task_events(&me, None).await;
    on_a.expect("ready").await;
    on_b.expect("ready").await;

    let created = a.create_task(&me, json!({ "title": "written on A" })).await;
    let one = format!("/api/{}/tasks/{}", me.id, created["id"]);
    let res = b
        .send_json(&me, Method::PUT, &one, &json!({ "priority": "high" }))
        .await;
    let updated = json_of(res, 200, "update on B").await;
    // Too large for a NOTIFY payload: control characters escape to six bytes each, and
    // ten tags of 4-byte characters add 1.3 KB.
    let tags: Vec<String> = (0..10).map(|i| format!("{i}{}", "𝄞".repeat(31))).collect();
    let huge = json!({
        "title": "\u{1}".repeat(200),
        "description": "\u{1}".repeat(1000),
        "tags": tags,
    });
    let res = a.send_json(&me, Method::PUT, &one, &huge).await;
    assert_eq!(res.status(), 200);
    let mut last = Vec::new();
    for stream in [&mut on_a, &mut on_b] {
        assert_eq!(stream.expect("created").await.json(), created);
        assert_eq!(stream.expect("updated").await.json(), updated);
        let changed = stream.expect("changed").await;
        assert_eq!(changed.json(), json!({ "id": created["id"] }));
        assert!(
            stream
                .next_within(Duration::from_millis(500))
                .await
                .is_none(),
            "each change arrives once"
        );
        last.push(changed);
    }
    // Ids are each instance's own: one from A means nothing to B.
    let mut crossed = b.task_events(&me, last[0].id.as_deref()).await;
    crossed.expect("reset").await;
    a.cleanup().await;
    b.cleanup().await;
}
