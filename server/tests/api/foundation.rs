//! The foundation's behaviour over HTTP: probes, the server-rendered shell, 404s,
//! compression, body limits, and the schema on both backends.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, TestApp};

async fn health_reports_up(app: &TestApp) {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn ready_reports_the_database(app: &TestApp) {
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    let expected = match app.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
}

async fn home_page_is_server_rendered(app: &TestApp) {
    let res = app.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = res.text().await.unwrap();
    assert!(html.contains("Taskdeck"), "product name in the header");
    assert!(html.contains("href=\"/sign-in\""), "link to sign in");
    assert!(html.contains("href=\"/sign-up\""), "link to sign up");
    assert!(
        html.contains("/pkg/taskdeck.js"),
        "hydration script is referenced"
    );
    assert!(
        html.contains("/pkg/taskdeck.css"),
        "stylesheet is referenced"
    );
}

async fn unknown_page_is_a_404_page(app: &TestApp) {
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"));
}

async fn unknown_api_path_is_json_404(app: &TestApp) {
    let res = app.get("/api/nothing-here").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "NOT_FOUND");
}

/// gzip, also for a browser that would take Brotli: for a page rendered per request,
/// Brotli's set-up cost more time than its smaller answer saved (see `middleware`).
async fn responses_are_compressed_when_asked(app: &TestApp) {
    for accepted in ["gzip", "gzip, deflate, br, zstd"] {
        let res = app
            .load(
                app.client
                    .get(app.url("/"))
                    .header("accept-encoding", accepted),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], "gzip", "{accepted}");
    }
}

async fn oversized_bodies_are_refused(app: &TestApp) {
    let big = vec![b'x'; app.config.body_limit + 1];
    let res = app
        .client
        .post(app.url("/api/anything"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn schema_has_better_auth_tables(app: &TestApp) {
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    for table in [
        "user",
        "session",
        "account",
        "verification",
        "jwks",
        "task",
        "task_tag",
    ] {
        let sql = format!(r#"SELECT COUNT(*) FROM "{table}""#);
        let count: i64 =
            taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(&sql).fetch_one(pool).await)
                .unwrap_or_else(|e| panic!("table {table}: {e}"));
        assert_eq!(count, 0, "{table} starts empty");
    }
    // Better Auth's camelCase columns exist as such.
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"SELECT "id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt" FROM "user""#
    )
    .fetch_all(pool)
    .await
    .map(|_| ()))
    .unwrap();
    taskdeck::with_pool!(&db, |pool| sqlx::query(
        r#"SELECT "accountId", "providerId", "userId", "password", "issuer" FROM "account""#
    )
    .fetch_all(pool)
    .await
    .map(|_| ()))
    .unwrap();
    db.close().await;
}

async fn migrations_are_idempotent(app: &TestApp) {
    // A second start against the same database (a restart, or a second instance).
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    db.migrate().await.unwrap();
    db.ping().await.unwrap();
    db.close().await;
}

async fn every_response_carries_a_request_id(app: &TestApp) {
    let res = app.get("/healthz").await;
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let other = app.get("/healthz").await.headers()["x-request-id"].clone();
    assert_ne!(other.to_str().unwrap(), id, "ids are per request");
    // A proxy's id is kept, so one id follows the request end to end.
    let res = app
        .client
        .get(app.url("/api/nothing-here"))
        .header("x-request-id", "from-the-proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["x-request-id"], "from-the-proxy-42");
}

db_tests!(
    every_response_carries_a_request_id,
    health_reports_up,
    ready_reports_the_database,
    home_page_is_server_rendered,
    unknown_page_is_a_404_page,
    unknown_api_path_is_json_404,
    responses_are_compressed_when_asked,
    oversized_bodies_are_refused,
    schema_has_better_auth_tables,
    migrations_are_idempotent,
);

/// The real binary, started as production: every log line is one JSON object, the
/// start-up says which rules are in force and names each relaxed protection, and the
/// secret appears nowhere.
#[test]
fn production_logs_json_and_names_its_rules() {
    use std::io::BufRead;

    const SECRET: &str = "json-log-secret-0123456789-abcdefghijkl";
    // No app here: the gate is taken by hand (a server process starting is load too).
    let _shared = crate::helpers::quiet::shared_blocking();
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .current_dir(dir.path())
        .env("APP_ENV", "production")
        .env("BETTER_AUTH_SECRET", SECRET)
        .env("MAIL_OUTBOX", "true")
        .env("RATE_LIMIT", "off")
        .env("DATA_DIR", dir.path())
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(30)) {
        let listening = line.contains("listening on");
        lines.push(line);
        if listening {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let events: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        events.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.contains("listening on"))),
        "{lines:#?}"
    );
    let rules = events
        .iter()
        .find(|e| e["message"] == "configuration rules in force")
        .unwrap_or_else(|| panic!("no start-up rules line: {lines:#?}"));
    assert_eq!(rules["mode"], "Production");
    assert!(
        events.iter().any(|e| e["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("protection relaxed: rate limiting"))),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains(SECRET)));
}

/// `/metrics`: Prometheus text with per-route counts, for this host or the holder of
/// `METRICS_TOKEN`; a client elsewhere (here: forwarded by the same-host proxy) gets the
/// API's 404, token or not, unless the token is right. A request from a trusted proxy
/// is never "this host", with or without `X-Forwarded-For` (review L10: a proxy that
/// adds none would make every client local), so with loopback trusted as a proxy (the
/// default) even this host needs the token; with `TRUSTED_PROXIES=none` it does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_for_this_host_or_the_token() {
    let direct = TestApp::builder()
        .env("TRUSTED_PROXIES", "none")
        .spawn()
        .await;
    assert_eq!(direct.get("/metrics").await.status(), 200, "this host");
    direct.cleanup().await;

    let app = TestApp::builder()
        .env("METRICS_TOKEN", "scrape-me-0123")
        .spawn()
        .await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let unforwarded = app.get("/metrics").await;
    assert_eq!(
        unforwarded.status(),
        404,
        "a trusted proxy without X-Forwarded-For"
    );
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-0123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    for needle in [
        "http_requests_total{",
        r#"route="/healthz""#,
        "http_request_duration_seconds_bucket{",
        "password_hashes_in_flight",
        "db_pool_connections{",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    let remote = |token: Option<&str>| {
        let mut req = app
            .client
            .get(app.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.5");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let res = remote(None).await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["code"],
        "NOT_FOUND"
    );
    assert_eq!(remote(Some("wrong")).await.unwrap().status(), 404);
    assert_eq!(remote(Some("scrape-me-0123")).await.unwrap().status(), 200);
    app.cleanup().await;
}
