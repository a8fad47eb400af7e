//! Scale-out: two server instances sharing ONE PostgreSQL database, as behind a load
//! balancer. Both start at once against an empty database (migrations must not race),
//! and whatever one instance issues the other honours: session cookies, JWTs (the JWKS
//! lives in the database, so an instance that never minted a key still verifies), and
//! rate-limit counters (`RATE_LIMIT=on`; storage defaults to the database on PostgreSQL).
//!
//! PostgreSQL only: skipped with a note when it is unreachable and `REQUIRE_POSTGRES`
//! is unset (see `common::postgres_available`).

mod common;

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use common::{postgres_available, session_cookie, PgTestDatabase};
use leptos::config::LeptosOptions;
use serde_json::{json, Value};
use server::Application;
use sqlx::{Connection, PgConnection};
use taskdeck::Config;

const SECRET: &str = "scale-out-secret-0123456789-abcdefghij";
const PASSWORD: &str = "password for scale-out";

/// One running instance: its base URL and the task serving it.
struct Instance {
    base: String,
    server: tokio::task::JoinHandle<()>,
    _data_dir: tempfile::TempDir,
}

impl Instance {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

/// The configuration both instances share: same database, same secret, same public URL
/// (so the same JWT `iss`/`aud`), rate limiting on. Only the data directory (the dev
/// mailbox) differs.
fn config(database_url: &str, data_dir: &tempfile::TempDir) -> Config {
    let env: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database_url.to_string()),
        ("BETTER_AUTH_SECRET", SECRET.to_string()),
        ("BETTER_AUTH_URL", "http://127.0.0.1:3000".to_string()),
        ("RATE_LIMIT", "on".to_string()),
        ("DATA_DIR", data_dir.path().display().to_string()),
        ("RUST_LOG", "warn".to_string()),
    ]);
    Config::from_lookup(|k| env.get(k).cloned()).expect("config")
}

fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("taskdeck")
        .site_root("target/site")
        .site_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
}

fn start(app: Application, data_dir: tempfile::TempDir) -> Instance {
    let base = format!("http://{}", app.local_addr());
    let server = tokio::spawn(async move {
        let _ = app.run_until_stopped(std::future::pending()).await;
    });
    Instance {
        base,
        server,
        _data_dir: data_dir,
    }
}

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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");

    // --- 1. Both instances start at once against the empty database -------------------
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (config_a, config_b) = (config(database_url, &dir_a), config(database_url, &dir_b));
    let (built_a, built_b) = tokio::join!(
        Application::build(config_a, leptos_options()),
        Application::build(config_b, leptos_options()),
    );
    let a = start(built_a.expect("instance A starts"), dir_a);
    let b = start(built_b.expect("instance B starts"), dir_b);

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
        let res = client.get(instance.url("/readyz")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{} is ready", instance.base);
    }
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(keys, 0, "no signing key before the first token");

    // --- 2. A session made on A is valid on B -----------------------------------------
    let email = "scale-out@example.com";
    let res = client
        .post(a.url("/api/auth/sign-up/email"))
        .json(&json!({ "name": "Scale Out", "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "sign-up on A");
    let cookie = session_cookie(&res).expect("A sets a session cookie");
    let user: Value = res.json().await.unwrap();
    let user_id = user["user"]["id"].as_str().unwrap().to_string();

    let res = client
        .get(b.url("/api/auth/get-session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.unwrap();
    assert_eq!(
        session["user"]["id"], user_id,
        "B knows A's session: {session}"
    );

    // --- 3. A JWT from A is accepted by B, which has never minted a key ---------------
    let token_a = token(&client, &a, &cookie).await;
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(keys, 1, "A minted exactly one key");
    let who = me(&client, &b, &token_a).await;
    assert_eq!(who["id"], user_id, "B verifies A's JWT: {who}");
    // The tasks API on B takes A's token too, and sees what A wrote.
    let res = client
        .post(a.url(&format!("/api/{user_id}/tasks")))
        .bearer_auth(&token_a)
        .json(&json!({ "title": "written on A" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = client
        .get(b.url(&format!("/api/{user_id}/tasks")))
        .bearer_auth(&token_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let tasks: Value = res.json().await.unwrap();
    assert_eq!(
        tasks[0]["title"], "written on A",
        "B reads A's task: {tasks}"
    );

    // B publishes and signs with the same key instead of minting its own.
    let jwks: Value = client
        .get(b.url("/api/auth/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid_a = jwt_kid(&token_a);
    assert!(
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == kid_a),
        "B's JWKS lists A's key {kid_a}: {jwks}"
    );
    let token_b = token(&client, &b, &cookie).await;
    assert_eq!(jwt_kid(&token_b), kid_a, "B signs with the shared key");
    let who = me(&client, &a, &token_b).await;
    assert_eq!(who["id"], user_id, "A verifies B's JWT");
    let keys: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "jwks""#)
        .fetch_one(&mut pg)
        .await
        .unwrap();
    assert_eq!(keys, 1, "still one key: B reused A's");

    // --- 4. Rate limits are shared: 3 sign-ins on A, the 4th on B is refused -----------
    for attempt in 1..=3 {
        let res = sign_in(&client, &a, email).await;
        assert_eq!(res.status(), 200, "sign-in {attempt} on A");
    }
    let res = sign_in(&client, &b, email).await;
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
    assert_eq!(sign_in(&client, &a, email).await.status(), 429);
    let counters: i64 = sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "rateLimit" WHERE "key" LIKE '%|/sign-in/email'"#,
    )
    .fetch_one(&mut pg)
    .await
    .unwrap();
    assert_eq!(counters, 1, "one shared counter row for the sign-in path");

    pg.close().await.ok();
    a.server.abort();
    b.server.abort();
    let _ = a.server.await;
    let _ = b.server.await;
}

async fn token(client: &reqwest::Client, on: &Instance, cookie: &str) -> String {
    let res = client
        .get(on.url("/api/auth/token"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "GET /api/auth/token on {}", on.base);
    let body: Value = res.json().await.unwrap();
    body["token"].as_str().expect("a token").to_string()
}

async fn me(client: &reqwest::Client, on: &Instance, token: &str) -> Value {
    let res = client
        .get(on.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "GET /api/me on {}", on.base);
    res.json().await.unwrap()
}

async fn sign_in(client: &reqwest::Client, on: &Instance, email: &str) -> reqwest::Response {
    client
        .post(on.url("/api/auth/sign-in/email"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
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
