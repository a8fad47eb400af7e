//! Reliability under load and under hostile input, on SQLite and PostgreSQL:
//!
//! - 200 concurrent writers: every create is acknowledged with 201 and is there
//!   afterwards, per user, with exact counts; then 200 concurrent mixed writes (toggles
//!   of one row, tag rewrites, deletes) leave every row and the tag index consistent.
//! - A deterministic fuzz loop (fixed seed, printed; `FUZZ_SEED` / `FUZZ_CASES`
//!   override) of malformed bodies, query strings, headers, paths and methods: only
//!   2xx/4xx, and the server still answers afterwards.
//! - Bodies over the limit are 413 (with and without `Content-Length`); a client that
//!   trickles its body is cut by the request timeout instead of holding a connection.

use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant},
};

use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use reqwest::{
    header::{HeaderName, HeaderValue},
    Method, StatusCode,
};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::{list_tasks as list, ApiUser, Backend, Signed, TestApp};

const PASSWORD: &str = "password for tests";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn ids(tasks: &[Value]) -> BTreeSet<i64> {
    tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect()
}

/// `n` users for load tests without paying argon2id for each (half a second per hash
/// in a debug build): one real sign-up, its `user` row copied in SQL under new ids and
/// e-mails, and JWTs with the claims `/api/auth/token` issues, signed as the server
/// signs them: with its own Ed25519 key (recovered from the `jwks` table with the test
/// secret) or, in HS256 mode, with the secret.
async fn many_users(app: &TestApp, prefix: &str, n: usize) -> Vec<ApiUser> {
    let template = app
        .api_user(&format!("{prefix}-template@example.com"))
        .await;
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let hs256 = app.config.auth.jwt_algorithm == taskdeck::config::JwtAlgorithm::Hs256;
    let key = if hs256 {
        None
    } else {
        let rows: Vec<(String, String)> = taskdeck::with_pool!(&db, |pool| sqlx::query_as(
            r#"SELECT "id", "privateKey" FROM "jwks""#
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        Some(
            rows.iter()
                .find_map(|(id, column)| {
                    taskdeck::auth::jwt::Ed25519Key::from_private_key_column(
                        id.clone(),
                        column,
                        app.config.secret_bytes(),
                    )
                    .ok()
                })
                .expect("the server's signing key"),
        )
    };
    let mut users = Vec::new();
    for i in 0..n {
        let id = format!("{prefix}{i}{}", &template.id[..8]);
        let email = format!("{prefix}{i}@example.com");
        taskdeck::with_pool!(&db, |pool| sqlx::query(
            r#"INSERT INTO "user" ("id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt")
               SELECT $1, "name", $2, "emailVerified", "image", "createdAt", "updatedAt" FROM "user" WHERE "id" = $3"#
        )
        .bind(&id)
        .bind(&email)
        .bind(&template.id)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let now = chrono::Utc::now().timestamp();
        let auth = &app.config.auth;
        let claims = json!({ "id": id, "email": email, "name": "Test User", "emailVerified": false, "image": null,
                             "sub": id, "iat": now, "exp": now + 900, "iss": auth.jwt_issuer, "aud": auth.jwt_audience });
        let token = match &key {
            Some(key) => taskdeck::auth::jwt::sign_eddsa(key, &claims),
            None => taskdeck::auth::jwt::sign_hs256(app.config.secret_bytes(), &claims),
        };
        users.push(ApiUser {
            id: id.clone(),
            token,
            signed: Signed {
                email,
                user_id: id,
                cookie: String::new(),
                body: Value::Null,
            },
        });
    }
    db.close().await;
    // The minted tokens open the API exactly like issued ones.
    let (_, total) = list(app, &users[0], "").await;
    assert_eq!(total, 0);
    users
}

/// A client that opens a new connection for every request. When the server answers
/// before reading a body (401, 413, 415) it closes the connection without saying
/// `Connection: close`, so a pooled client fails its *next* request on that connection
/// (hyper `IncompleteMessage`): the known issue pinned by
/// `early_answers_keep_the_connection_usable`. Tests that send such requests use this
/// so that each request is judged on its own.
fn fresh_connections() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Outcome of a spawned request: status and body text, or the transport error.
type Outcome = Result<(StatusCode, String), String>;

fn spawn_send(req: reqwest::RequestBuilder) -> tokio::task::JoinHandle<Outcome> {
    tokio::spawn(async move {
        let res = req.send().await.map_err(|e| format!("transport: {e}"))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| format!("body: {e}"))?;
        Ok((status, text))
    })
}

// ---------------------------------------------------------------------------------------
// 200 concurrent writers
// ---------------------------------------------------------------------------------------

const WRITERS: usize = 20;
const CREATES_PER_WRITER: usize = 10;

async fn two_hundred_concurrent_writers_lose_nothing(app: &TestApp) {
    let users = many_users(app, "writer", WRITERS).await;

    // Phase 1: 20 users x 10 creates, all in flight at once.
    let started = Instant::now();
    let mut handles = Vec::new();
    for (u, who) in users.iter().enumerate() {
        for i in 0..CREATES_PER_WRITER {
            let priority = ["low", "medium", "high"][i % 3];
            let body = json!({
                "title": format!("writer {u} task {i}"),
                "description": format!("written concurrently by {u}"),
                "tags": [format!("w{u}"), "load"],
                "priority": priority,
                "due_date": format!("2027-01-{:02}", i + 1),
            });
            let req = app
                .api(who, Method::POST, &format!("/api/{}/tasks", who.id))
                .json(&body);
            handles.push((u, i, spawn_send(req)));
        }
    }
    let mut acknowledged: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); WRITERS];
    let mut failures = Vec::new();
    for (u, i, handle) in handles {
        match handle.await.unwrap() {
            Ok((StatusCode::CREATED, text)) => {
                let task: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(task["user_id"], users[u].id.as_str());
                assert_eq!(task["title"], format!("writer {u} task {i}"));
                let fresh = acknowledged[u].insert(task["id"].as_i64().unwrap());
                assert!(fresh, "an id was acknowledged twice: {text}");
            }
            Ok((status, text)) => failures.push(format!("writer {u} task {i}: {status} {text}")),
            Err(e) => failures.push(format!("writer {u} task {i}: {e}")),
        }
    }
    eprintln!(
        "[{:?}] 200 concurrent creates in {:?}",
        app.backend,
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of 200 concurrent creates failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let all: BTreeSet<i64> = acknowledged.iter().flatten().copied().collect();
    assert_eq!(all.len(), WRITERS * CREATES_PER_WRITER, "ids are unique");

    // Every acknowledged id is there, per user, with exact counts (list, tag index, GET).
    for (u, who) in users.iter().enumerate() {
        let (tasks, total) = list(app, who, "limit=200").await;
        assert_eq!(total, CREATES_PER_WRITER as i64, "writer {u}: total");
        assert_eq!(ids(&tasks), acknowledged[u], "writer {u}: ids");
        let (tagged, tagged_total) = list(app, who, &format!("tag=w{u}&limit=200")).await;
        assert_eq!(tagged_total, CREATES_PER_WRITER as i64, "writer {u}: tag");
        assert_eq!(ids(&tagged), acknowledged[u]);
        let (_, load_total) = list(app, who, "tag=load").await;
        assert_eq!(
            load_total, CREATES_PER_WRITER as i64,
            "writer {u}: shared tag"
        );
        let first = acknowledged[u].iter().next().unwrap();
        let res = app
            .send(who, Method::GET, &format!("/api/{}/tasks/{first}", who.id))
            .await;
        assert_eq!(res.status(), 200, "writer {u}: GET {first}");
    }

    // Phase 2: 200 concurrent mixed writes. Per user (10 each): 4 toggles of task 0
    // (even: back to pending), 3 rewrites of task 1's tags, 3 deletes (tasks 2-4).
    let started = Instant::now();
    let tag_sets = [
        vec!["alpha", "beta"],
        vec!["gamma"],
        vec!["delta", "alpha", "eps"],
    ];
    let mut handles = Vec::new();
    let mut plans = Vec::new();
    for (u, who) in users.iter().enumerate() {
        let mine: Vec<i64> = acknowledged[u].iter().copied().collect();
        let base = format!("/api/{}/tasks", who.id);
        for _ in 0..4 {
            let req = app.api(who, Method::PATCH, &format!("{base}/{}/complete", mine[0]));
            handles.push((u, "toggle", spawn_send(req)));
        }
        for tags in &tag_sets {
            let req = app
                .api(who, Method::PUT, &format!("{base}/{}", mine[1]))
                .json(&json!({ "tags": tags, "priority": "high" }));
            handles.push((u, "retag", spawn_send(req)));
        }
        for id in &mine[2..5] {
            let req = app.api(who, Method::DELETE, &format!("{base}/{id}"));
            handles.push((u, "delete", spawn_send(req)));
        }
        plans.push(mine);
    }
    assert_eq!(handles.len(), 200);
    let mut failures = Vec::new();
    for (u, what, handle) in handles {
        match handle.await.unwrap() {
            Ok((status, _)) if status.is_success() => {}
            Ok((status, text)) => failures.push(format!("writer {u} {what}: {status} {text}")),
            Err(e) => failures.push(format!("writer {u} {what}: {e}")),
        }
    }
    eprintln!(
        "[{:?}] 200 concurrent mixed writes in {:?}",
        app.backend,
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of 200 concurrent mixed writes failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    for (u, who) in users.iter().enumerate() {
        let mine = &plans[u];
        let (tasks, total) = list(app, who, "limit=200").await;
        let expected: BTreeSet<i64> = mine
            .iter()
            .enumerate()
            .filter(|(k, _)| !(2..5).contains(k))
            .map(|(_, id)| *id)
            .collect();
        assert_eq!(total, 7, "writer {u}: 3 of 10 deleted");
        assert_eq!(ids(&tasks), expected, "writer {u}: the survivors");
        let by_id: BTreeMap<i64, &Value> = tasks
            .iter()
            .map(|t| (t["id"].as_i64().unwrap(), t))
            .collect();
        assert_eq!(
            by_id[&mine[0]]["completed"], false,
            "writer {u}: 4 atomic toggles cancel out"
        );
        let retagged = by_id[&mine[1]];
        let final_tags: Vec<&str> = retagged["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            tag_sets.contains(&final_tags),
            "writer {u}: tags are one of the written sets, not a mix: {final_tags:?}"
        );
        // The tag index agrees with the row: each final tag finds it, the others do not.
        for tag in ["alpha", "beta", "gamma", "delta", "eps"] {
            let (found, _) = list(app, who, &format!("tag={tag}")).await;
            let has = found.iter().any(|t| t["id"] == mine[1]);
            assert_eq!(
                has,
                final_tags.contains(&tag),
                "writer {u}: tag index for {tag} vs row tags {final_tags:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic fuzzing
// ---------------------------------------------------------------------------------------

const DEFAULT_SEED: u64 = 0x7A5C_DEC0_2026;

const DEFAULT_CASES: usize = 600;

const SQL_BITS: &[&str] = &[
    "'",
    "''",
    "\"",
    "';--",
    "' OR 1=1 --",
    "%' OR 1=1 --",
    "'); DROP TABLE task;--",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(3)",
    "$1",
    "?",
    "\\",
    "\\'",
    "/*",
    "*/",
    "%",
    "_",
    "%%",
    "[a-z]",
    "' UNION SELECT * FROM \"user\" --",
    "\u{0}",
    "$$",
    "E'\\x00'",
];

const UNICODE_BITS: &[&str] = &[
    "é",
    "ß",
    "İ",
    "ﬃ",
    "日本語",
    "😀",
    "👩‍👩‍👧‍👦",
    "\u{202E}",
    "\u{200B}",
    "\u{FEFF}",
    "a\u{301}",
    "\u{FFFF}",
    "\u{10FFFF}",
    "\u{1}",
    "\u{7F}",
    "\u{85}",
    "\u{2028}",
    "\r\n",
    "\t",
    "\u{0}",
    "Ω",
    "١٢٣",
];

const PERCENT_BITS: &[&str] = &[
    "%",
    "%%",
    "%zz",
    "%ff",
    "%fe%ff",
    "%00",
    "%c0%af",
    "%e2%80%ae",
    "%2e%2e",
    "%2f",
    "%25",
    "%u0027",
    "%27",
    "%22",
    "%3b",
    "+",
    "&",
    "=",
    "==",
    "&&",
    ";",
    "#",
];

const NUMBER_TEXT: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "1.5",
    "1e3",
    "1e999",
    "-1e999",
    "1e-999",
    "123456789012345678901234567890",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "0.0000000000000000000000000001",
    "4.9e-324",
    "1.7976931348623157e308",
];

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from.choose(rng).unwrap()
}

/// A random string mixing SQL metacharacters, Unicode, controls and long runs.
fn fuzz_string(rng: &mut StdRng) -> String {
    match rng.gen_range(0..10) {
        0 => String::new(),
        1 => " \t\n ".to_string(),
        2 => "x".repeat(rng.gen_range(150..260)),
        3 => "é".repeat(rng.gen_range(180..1100)),
        4 => pick(
            rng,
            &[
                "2026-02-30",
                "0000-00-00",
                "9999-12-31",
                "2026-1-1",
                "+002026-01-01",
                "2026-13-01",
                "2026-12-01T00:00:00Z",
            ],
        )
        .to_string(),
        5 => pick(rng, &["low", "HIGH", " medium ", "high\u{0}", "urgent"]).to_string(),
        _ => {
            let mut s = String::new();
            for _ in 0..rng.gen_range(1..6) {
                match rng.gen_range(0..4) {
                    0 => s.push_str(pick(rng, SQL_BITS)),
                    1 => s.push_str(pick(rng, UNICODE_BITS)),
                    2 => s.push_str(pick(rng, PERCENT_BITS)),
                    _ => {
                        let n = rng.gen_range(1..12);
                        s.extend((0..n).map(|_| rng.gen_range(b' '..=b'~') as char));
                    }
                }
            }
            s
        }
    }
}

/// JSON text for any value, including what `serde_json::Value` cannot hold (huge
/// numbers, lone surrogate escapes, escaped NULs, deep nesting).
fn fuzz_json(rng: &mut StdRng, depth: u32) -> String {
    let choice = if depth > 3 {
        rng.gen_range(0..6)
    } else {
        rng.gen_range(0..9)
    };
    match choice {
        0 => "null".into(),
        1 => pick(rng, &["true", "false"]).into(),
        2 => pick(rng, NUMBER_TEXT).into(),
        3 | 4 => Value::String(fuzz_string(rng)).to_string(),
        5 => pick(
            rng,
            &[
                r#""\ud800""#,
                r#""\udfff\ud800""#,
                r#""\u0000""#,
                r#""a\u0000b""#,
                r#""\uDBFF\uDFFF""#,
            ],
        )
        .into(),
        6 => {
            let n = rng.gen_range(0..5);
            let items: Vec<String> = (0..n).map(|_| fuzz_json(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        7 => {
            let n = rng.gen_range(0..4);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    format!(
                        "{}:{}",
                        Value::String(fuzz_string(rng)),
                        fuzz_json(rng, depth + 1)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        _ => {
            let d = *[20usize, 127, 129, 300, 5000].choose(rng).unwrap();
            let (open, close) = if rng.gen() {
                ("[", "]")
            } else {
                ("{\"a\":", "}")
            };
            format!("{}1{}", open.repeat(d), close.repeat(d))
        }
    }
}

/// A create/update body: mostly an object with the real fields, sometimes garbage.
fn fuzz_body(rng: &mut StdRng) -> Vec<u8> {
    const FIELDS: &[&str] = &[
        "title",
        "description",
        "completed",
        "priority",
        "tags",
        "due_date",
    ];
    match rng.gen_range(0..16) {
        // Valid in shape, hostile in content: these get stored, so odd text reaches
        // the database and comes back through the list filters.
        12..=15 => {
            let mut body = serde_json::Map::new();
            body.insert("title".into(), Value::String(fuzz_string(rng)));
            if rng.gen() {
                body.insert("description".into(), Value::String(fuzz_string(rng)));
            }
            if rng.gen() {
                let n = rng.gen_range(0..4);
                let tags: Vec<Value> = (0..n).map(|_| Value::String(fuzz_string(rng))).collect();
                body.insert("tags".into(), Value::Array(tags));
            }
            if rng.gen() {
                body.insert(
                    "priority".into(),
                    json!(pick(rng, &["low", "medium", "high"])),
                );
            }
            if rng.gen() {
                body.insert("completed".into(), json!(rng.gen::<bool>()));
            }
            if rng.gen() {
                body.insert(
                    "due_date".into(),
                    json!(pick(
                        rng,
                        &[
                            "2026-02-28",
                            "2024-02-29",
                            "9999-12-31",
                            "0001-01-01",
                            "1970-01-01"
                        ]
                    )),
                );
            }
            Value::Object(body).to_string().into_bytes()
        }
        0 => Vec::new(),
        1 => {
            let n = rng.gen_range(1..64);
            (0..n).map(|_| rng.gen()).collect()
        }
        2 => fuzz_json(rng, 0).into_bytes(),
        3 => br#"{"title":"dup","title":"dup2","title":7}"#.to_vec(),
        4 => {
            let mut b = "\u{FEFF}".as_bytes().to_vec();
            b.extend_from_slice(br#"{"title":"bom"}"#);
            b
        }
        5 => br#"{"title":"truncated"#.to_vec(),
        6 => {
            // Invalid UTF-8 inside a string.
            let mut b = br#"{"title":"bad "#.to_vec();
            b.extend_from_slice(&[0xff, 0xfe, 0xc0, 0xaf]);
            b.extend_from_slice(br#""}"#);
            b
        }
        _ => {
            let mut members = Vec::new();
            for field in FIELDS {
                if rng.gen_bool(0.6) {
                    let value = match (*field, rng.gen_range(0..3)) {
                        ("tags", 0) => {
                            let n = rng.gen_range(0..14);
                            let tags: Vec<String> = (0..n)
                                .map(|_| Value::String(fuzz_string(rng)).to_string())
                                .collect();
                            format!("[{}]", tags.join(","))
                        }
                        ("title" | "description", 0 | 1) => {
                            Value::String(fuzz_string(rng)).to_string()
                        }
                        _ => fuzz_json(rng, 1),
                    };
                    members.push(format!("\"{field}\":{value}"));
                }
            }
            if rng.gen_bool(0.2) {
                members.push(format!(
                    "{}:{}",
                    Value::String(fuzz_string(rng)),
                    fuzz_json(rng, 1)
                ));
            }
            members.shuffle(rng);
            format!("{{{}}}", members.join(",")).into_bytes()
        }
    }
}

fn fuzz_query(rng: &mut StdRng) -> String {
    const KEYS: &[&str] = &[
        "status", "sort", "order", "q", "tag", "priority", "limit", "offset", "", "q[]", "%00",
    ];
    let n = rng.gen_range(0..6);
    let mut parts = Vec::new();
    for _ in 0..n {
        let key = pick(rng, KEYS);
        let value = match rng.gen_range(0..6) {
            0 => pick(rng, NUMBER_TEXT).to_string(),
            1 => pick(rng, PERCENT_BITS).to_string(),
            2 => pick(
                rng,
                &[
                    "all",
                    "pending",
                    "completed",
                    "title",
                    "priority",
                    "due_date",
                    "asc",
                    "desc",
                    "high",
                    "200",
                    "0",
                ],
            )
            .to_string(),
            3 => pick(rng, SQL_BITS).to_string(),
            _ => fuzz_string(rng),
        };
        // Some raw, some encoded the way a browser would.
        let value = if rng.gen() {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        } else {
            value
                .chars()
                .filter(|c| !c.is_control() && *c != '#' && *c != ' ')
                .collect()
        };
        parts.push(match rng.gen_range(0..8) {
            0 => key.to_string(),
            1 => format!("{key}=={value}"),
            _ => format!("{key}={value}"),
        });
    }
    parts.join(if rng.gen_bool(0.9) { "&" } else { "&&;" })
}

/// A path segment that should name nothing, or something unusual.
fn fuzz_segment(rng: &mut StdRng) -> String {
    pick(
        rng,
        &[
            "",
            "%00",
            "%ff",
            "%c0%ae%c0%ae",
            "..",
            "%2e%2e",
            "%2f",
            "'%20OR%201=1--",
            "%27);DROP%20TABLE%20task;--",
            "0",
            "-1",
            "+1",
            "1.0",
            "1e3",
            "0x10",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "%E0%A5%A7",
            "%F0%9F%98%80",
            "null",
            "undefined",
            "%20",
            "a%0d%0aX-Injected:%201",
        ],
    )
    .to_string()
}

fn header_value(bytes: &[u8]) -> Option<HeaderValue> {
    HeaderValue::from_bytes(bytes).ok()
}

fn fuzz_authorization(rng: &mut StdRng, good: &str) -> Option<HeaderValue> {
    let text = match rng.gen_range(0..60) {
        0 => return None,
        1 => "Bearer".into(),
        2 => "Bearer ".into(),
        3 => "Basic dXNlcjpwYXNz".into(),
        4 => "Bearer a.b.c".into(),
        5 => format!("Bearer {good}x"),
        6 => format!("Bearer {}", &good[..good.len() / 2]),
        7 => format!("Bearer {good}.{good}"),
        8 => format!("Bearer {}", "A".repeat(rng.gen_range(1000..9000))),
        9 => {
            let mut v = b"Bearer ".to_vec();
            v.extend((0..rng.gen_range(1..40)).map(|_| rng.gen_range(0x80u8..=0xff)));
            return header_value(&v);
        }
        10 => format!("Bearer {}", fuzz_string(rng)),
        11 => format!("bEaReR {good}"),
        _ => format!("Bearer {good}"),
    };
    header_value(text.as_bytes()).or_else(|| header_value(b"Bearer garbage"))
}

fn fuzz_content_type(rng: &mut StdRng) -> Option<HeaderValue> {
    let text: &[u8] = match rng.gen_range(0..40) {
        0 => return None,
        1 => b"text/plain",
        2 => b"application/json; charset=utf-16",
        3 => b"application/vnd.api+json",
        4 => b"APPLICATION/JSON",
        5 => b"application/x-www-form-urlencoded",
        6 => b"multipart/form-data; boundary=x",
        7 => b"application/json\xff\xfe",
        8 => b";;;",
        9 => b"application/",
        _ => b"application/json",
    };
    header_value(text)
}

struct Case {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Vec<u8>>,
}

impl Case {
    fn describe(&self) -> String {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes());
                let v: String = v.chars().take(80).collect();
                format!("{k}: {v}")
            })
            .collect();
        let body = self.body.as_ref().map(|b| {
            let text = String::from_utf8_lossy(b);
            text.chars().take(300).collect::<String>()
        });
        format!(
            "{} {} {:?} body={:?}",
            self.method, self.path, headers, body
        )
    }
}

fn fuzz_case(rng: &mut StdRng, me: &ApiUser, other: &ApiUser, task_ids: &[i64]) -> Case {
    let user = match rng.gen_range(0..20) {
        0 => other.id.clone(),
        1 => fuzz_segment(rng),
        2 => format!("{}%00", me.id),
        _ => me.id.clone(),
    };
    let id = match rng.gen_range(0..3) {
        0 => fuzz_segment(rng),
        _ => task_ids.choose(rng).unwrap().to_string(),
    };
    let (method, path, body) = match rng.gen_range(0..20) {
        0..=5 => (
            Method::POST,
            format!("/api/{user}/tasks"),
            Some(fuzz_body(rng)),
        ),
        6..=10 => (
            Method::PUT,
            format!("/api/{user}/tasks/{id}"),
            Some(fuzz_body(rng)),
        ),
        11..=15 => (
            if rng.gen_bool(0.9) {
                Method::GET
            } else {
                Method::HEAD
            },
            format!("/api/{user}/tasks?{}", fuzz_query(rng)),
            None,
        ),
        16 => (
            Method::PATCH,
            format!("/api/{user}/tasks/{id}/complete"),
            None,
        ),
        17 => (Method::DELETE, format!("/api/{user}/tasks/{id}"), None),
        18 => (
            Method::GET,
            format!(
                "/api/{user}/tasks/{id}{}",
                pick(rng, &["", "/", "/complete", "/x/y"])
            ),
            None,
        ),
        _ => (
            [
                Method::OPTIONS,
                Method::TRACE,
                Method::from_bytes(b"PURGE").unwrap(),
                Method::PATCH,
                Method::POST,
            ]
            .choose(rng)
            .unwrap()
            .clone(),
            format!("/api/{user}/tasks/{id}"),
            Some(fuzz_body(rng)),
        ),
    };
    let mut headers = Vec::new();
    if let Some(auth) = fuzz_authorization(rng, &me.token) {
        headers.push((reqwest::header::AUTHORIZATION, auth));
    }
    if body.is_some() {
        if let Some(ct) = fuzz_content_type(rng) {
            headers.push((reqwest::header::CONTENT_TYPE, ct));
        }
    }
    if rng.gen_bool(0.1) {
        let junk = fuzz_string(rng);
        if let Some(v) = header_value(junk.as_bytes()) {
            headers.push((HeaderName::from_static("x-forwarded-for"), v.clone()));
            headers.push((reqwest::header::ACCEPT, v));
        }
    }
    Case {
        method,
        path,
        headers,
        body,
    }
}

/// Runs in HS256 mode: an Ed25519 verification costs ~15 ms in a debug build, HMAC
/// next to nothing, and the fuzz is about input handling, not the JWT mode (the JWT
/// attacks have their own tests).
async fn bad_input_never_yields_a_5xx(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("JWT_ALGORITHM", "HS256")
        .spawn()
        .await;
    fuzz(&app).await;
    app.cleanup().await;
}

async fn fuzz(app: &TestApp) {
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    eprintln!(
        "[{:?}] fuzz: FUZZ_SEED={seed} FUZZ_CASES={cases}",
        app.backend
    );
    let mut two = many_users(app, "fuzz", 2).await.into_iter();
    let (me, other) = (two.next().unwrap(), two.next().unwrap());
    let mut task_ids = Vec::new();
    for i in 0..3 {
        let t = app
            .create_task(
                &me,
                json!({ "title": format!("seed {i}"), "tags": ["seed"] }),
            )
            .await;
        task_ids.push(t["id"].as_i64().unwrap());
    }
    let foreign = app
        .create_task(&other, json!({ "title": "not yours" }))
        .await;
    task_ids.push(foreign["id"].as_i64().unwrap());

    let client = fresh_connections();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let started = Instant::now();
    for n in 0..cases {
        let case = fuzz_case(&mut rng, &me, &other, &task_ids);
        if std::env::var_os("FUZZ_TRACE").is_some() {
            eprintln!("[{:?}] fuzz #{n}: {}", app.backend, case.describe());
        }
        let url = app.url(&case.path);
        let mut req = client.request(case.method.clone(), &url);
        for (k, v) in &case.headers {
            req = req.header(k.clone(), v.clone());
        }
        if let Some(body) = &case.body {
            req = req.body(body.clone());
        }
        let sent = Instant::now();
        let result = req.send().await;
        if std::env::var_os("FUZZ_TRACE").is_some() {
            eprintln!("[{:?}] fuzz #{n}: {:?}", app.backend, sent.elapsed());
        }
        match result {
            Ok(res) => {
                let status = res.status();
                *by_status.entry(status.as_u16()).or_default() += 1;
                if !(status.is_success() || status.is_client_error()) {
                    let text = res.text().await.unwrap_or_default();
                    failures.push(format!("#{n} {} -> {status} {text}", case.describe()));
                }
            }
            Err(e) => failures.push(format!("#{n} {} -> transport error {e:?}", case.describe())),
        }
    }
    eprintln!(
        "[{:?}] fuzz: {cases} requests in {:?}, statuses {by_status:?}",
        app.backend,
        started.elapsed()
    );
    for f in &failures {
        eprintln!("[{:?}] fuzz failure: {f}", app.backend);
    }
    assert!(
        failures.is_empty(),
        "FUZZ_SEED={seed}: {} of {cases} requests answered neither 2xx nor 4xx; first: {}",
        failures.len(),
        failures[0]
    );
    // Still alive and still correct.
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    let t = app
        .create_task(&me, json!({ "title": "after the fuzz" }))
        .await;
    let (_, total) = list(app, &me, "q=after%20the%20fuzz").await;
    assert_eq!(total, 1, "created {t}");
    let (theirs, _) = list(app, &other, "limit=200").await;
    assert!(
        theirs.iter().all(|t| t["user_id"] == other.id.as_str()),
        "the fuzz never wrote into another user's list"
    );
}

/// U+0000 in every text input (PostgreSQL's `text` cannot store it): must be a 4xx or
/// stored as is, never a 500. Kept apart from the fuzz loop so that a failure names
/// each exact request. Passes on SQLite; on PostgreSQL it is the known bug above.
async fn nul_bytes_are_not_server_errors(app: &TestApp) {
    let me = app.api_user("nul@example.com").await;
    let task = app.create_task(&me, json!({ "title": "plain" })).await;
    let base = format!("/api/{}/tasks", me.id);
    let one = format!("{base}/{}", task["id"]);
    let mut failures = Vec::new();
    let bodies = [
        (
            Method::POST,
            base.clone(),
            json!({ "title": "nul \u{0} title" }),
        ),
        (
            Method::POST,
            base.clone(),
            json!({ "title": "ok", "description": "nul \u{0} description" }),
        ),
        (
            Method::POST,
            base.clone(),
            json!({ "title": "ok", "tags": ["nul\u{0}tag"] }),
        ),
        (
            Method::POST,
            base.clone(),
            json!({ "title": "ok", "due_date": "2026-01-01\u{0}" }),
        ),
        (
            Method::POST,
            base.clone(),
            json!({ "title": "ok", "priority": "high\u{0}" }),
        ),
        (
            Method::PUT,
            one.clone(),
            json!({ "title": "nul \u{0} title" }),
        ),
        (Method::PUT, one.clone(), json!({ "description": "\u{0}" })),
    ];
    for (method, path, body) in bodies {
        let res = app.send_json(&me, method.clone(), &path, &body).await;
        let status = res.status();
        if status.is_server_error() {
            let text = res.text().await.unwrap_or_default();
            failures.push(format!("{method} {path} {body} -> {status} {text}"));
        }
    }
    for query in ["q=%00", "q=a%00b", "tag=%00", "tag=a%00"] {
        let res = app.send(&me, Method::GET, &format!("{base}?{query}")).await;
        let status = res.status();
        if status.is_server_error() {
            let text = res.text().await.unwrap_or_default();
            failures.push(format!("GET {base}?{query} -> {status} {text}"));
        }
    }
    for (path, body) in [
        (
            "/sign-up/email",
            json!({ "name": "nul \u{0} name", "email": "nul-name@example.com", "password": PASSWORD }),
        ),
        ("/update-user", json!({ "name": "nul \u{0} name" })),
    ] {
        let res = app
            .auth_post(path, body.clone(), Some(&me.signed.cookie))
            .await;
        if res.status().is_server_error() {
            failures.push(format!(
                "POST /api/auth{path} {body} -> {} {}",
                res.status(),
                res.text().await.unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "[{:?}] {} requests with NUL answered 5xx:\n{}",
        app.backend,
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// Other control characters, bidi overrides and non-characters are plain text: stored
/// and echoed as sent (after trimming), on both backends.
async fn control_characters_are_plain_text(app: &TestApp) {
    let me = many_users(app, "ctl", 1).await.pop().unwrap();
    for title in [
        "bell \u{7} and \u{1b}[31m escape",
        "rtl \u{202E}txet\u{202C} end",
        "zero\u{200B}width",
        "nonchar \u{FFFF} \u{10FFFF}",
        "line\u{2028}separator",
        "tab\tinside",
    ] {
        let task = app.create_task(&me, json!({ "title": title })).await;
        assert_eq!(task["title"], title);
    }
}

// ---------------------------------------------------------------------------------------
// Body limit and slow clients
// ---------------------------------------------------------------------------------------

/// Sends `head` then `body` over a raw connection and returns the whole response text
/// (until the server closes, or `within` passes).
async fn raw_exchange(app: &TestApp, head: String, body: &[u8], within: Duration) -> String {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (413) and close before reading everything: ignore EPIPE.
    let _ = stream.write_all(body).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if response_complete(&out) {
                        break;
                    }
                }
            }
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a buffered HTTP/1.1 response has its full body (by content-length).
fn response_complete(buf: &[u8]) -> bool {
    let text = String::from_utf8_lossy(buf);
    let Some((head, rest)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())
            .flatten()
    });
    match length {
        Some(n) => rest.len() >= n,
        None => head.contains(" 204 ") || head.contains(" 304 "),
    }
}

fn status_of(response: &str) -> Option<u16> {
    response.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

async fn bodies_over_the_limit_are_413(app: &TestApp) {
    let who = app.api_user("big@example.com").await;
    let limit = app.config.body_limit;
    let client = fresh_connections();
    // A body of exactly the limit is read (and judged on its content: a 422 here).
    let mut at_limit = br#"{"title":""#.to_vec();
    at_limit.resize(limit - 2, b'x');
    at_limit.extend_from_slice(br#""}"#);
    assert_eq!(at_limit.len(), limit);
    let res = client
        .post(app.url(&format!("/api/{}/tasks", who.id)))
        .bearer_auth(&who.token)
        .header("content-type", "application/json")
        .body(at_limit)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST at the limit: {e:?}"));
    assert_eq!(
        res.status(),
        422,
        "a body of exactly the limit is accepted for parsing"
    );

    // One byte more, with Content-Length, on every body-taking route.
    let big = over_the_limit(limit);
    let routes = [
        (Method::POST, format!("/api/{}/tasks", who.id), true),
        (Method::PUT, format!("/api/{}/tasks/1", who.id), true),
        (Method::POST, "/api/auth/sign-up/email".to_string(), false),
        (Method::POST, "/api/auth/sign-in/email".to_string(), false),
        (Method::POST, "/api/auth/update-user".to_string(), false),
        (Method::POST, "/api/ui/create_task".to_string(), false),
    ];
    for (method, path, bearer) in &routes {
        let mut req = client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .body(big.clone());
        if *bearer {
            req = req.bearer_auth(&who.token);
        } else {
            req = req
                .header("cookie", &who.signed.cookie)
                .header("origin", app.origin());
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e:?}"));
        assert_eq!(res.status(), 413, "{method} {path} with Content-Length");
    }
    let (_, total) = list(app, &who, "").await;
    assert_eq!(total, 0, "nothing was created");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

fn over_the_limit(limit: usize) -> Vec<u8> {
    let mut b = br#"{"title":""#.to_vec();
    b.resize(limit + 1 - 2, b'x');
    b.extend_from_slice(br#""}"#);
    b
}

/// The same over-limit body sent chunked (no `Content-Length`): the limit applies while
/// streaming and should answer 413 too. Known issue: the tasks routes answer 400
/// `INVALID_BODY` (`JsonObject` maps every `Bytes` rejection, including
/// `LengthLimitError`, to 400).
async fn chunked_bodies_over_the_limit_are_413(app: &TestApp) {
    let who = app.api_user("chunked@example.com").await;
    let big = over_the_limit(app.config.body_limit);
    let mut wrong = Vec::new();
    for path in [
        format!("/api/{}/tasks", who.id),
        "/api/auth/sign-up/email".to_string(),
        "/api/auth/sign-in/email".to_string(),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            app.addr, who.token
        );
        let mut body = Vec::new();
        for chunk in big.chunks(64 * 1024) {
            body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            body.extend_from_slice(chunk);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        let response = raw_exchange(app, head, &body, Duration::from_secs(10)).await;
        let status = status_of(&response);
        eprintln!(
            "[{:?}] chunked POST {path} over the limit: {status:?} {}",
            app.backend,
            response.split("\r\n\r\n").nth(1).unwrap_or("")
        );
        if status != Some(413) {
            wrong.push(format!(
                "POST {path} (chunked, {} bytes) -> {:?}: {}",
                big.len(),
                status,
                response.split("\r\n\r\n").nth(1).unwrap_or("")
            ));
        }
    }
    let (_, total) = list(app, &who, "").await;
    assert_eq!(total, 0, "nothing was created");
    assert!(
        wrong.is_empty(),
        "[{:?}] not 413:\n{}",
        app.backend,
        wrong.join("\n")
    );
}

/// A client that sends its headers, then trickles its body one byte every 250 ms (a
/// 16-byte body: 4 s) against a 1 s request timeout. Expected: a 408 (or a closed
/// connection) after about a second, never a handler running after the full 4 s.
/// Two targets: sign-up (no credentials needed) and task creation (an HS256 token
/// signed here with the test secret, so no sign-up has to fit in the 1 s budget).
async fn slow_body_is_cut_by_the_timeout(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("REQUEST_TIMEOUT_SECS", "1")
        .env("JWT_ALGORITHM", "HS256")
        .spawn()
        .await;
    let now = chrono::Utc::now().timestamp();
    let token = taskdeck::auth::jwt::sign_hs256(
        app.config.secret_bytes(),
        &json!({ "sub": "slow-user", "iat": now, "exp": now + 600, "iss": app.origin(), "aud": app.origin() }),
    );
    let targets = [
        (
            "/api/auth/sign-up/email".to_string(),
            String::new(),
            br#"{"name":"Slow","email":"slow@example.com","password":"password for tests"}"#
                .to_vec(),
        ),
        (
            "/api/slow-user/tasks".to_string(),
            format!("Authorization: Bearer {token}\r\n"),
            br#"{"title":"slow"}"#.to_vec(),
        ),
    ];
    let addr = app.addr;
    let probes: Vec<_> = targets
        .into_iter()
        .map(|(path, extra, body)| tokio::spawn(trickle(addr, path, extra, body)))
        .collect();
    for probe in probes {
        let (path, outcome, elapsed, text) = probe.await.unwrap();
        eprintln!(
            "[{backend:?}] slow body to {path}: {outcome:?} after {elapsed:?}: {:?}",
            text.lines().next()
        );
        assert!(outcome.is_ok(), "{path}: the slow connection hung for 8 s");
        assert!(
            elapsed < Duration::from_millis(3500),
            "{path}: cut before the body finished trickling (4 s), not after: {elapsed:?}"
        );
        if !text.is_empty() {
            assert_eq!(status_of(&text), Some(408), "{path}: {text}");
        }
    }
    // The half-sent sign-up never happened, and the server is fine.
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let users: i64 = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "user" WHERE "email" = 'slow@example.com'"#
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    db.close().await;
    assert_eq!(users, 0, "the trickled sign-up was not carried out");
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.cleanup().await;
}

/// Sends `head` at once and `body` one byte every 250 ms; returns how the server ended
/// the exchange, after how long, and what it answered.
async fn trickle(
    addr: std::net::SocketAddr,
    path: String,
    extra: String,
    body: Vec<u8>,
) -> (
    String,
    Result<&'static str, tokio::time::error::Elapsed>,
    Duration,
    String,
) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let started = Instant::now();
    wr.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        for b in body.iter().take(16) {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if wr.write_all(&[*b]).await.is_err() {
                return;
            }
        }
        // Keep the write half open: an early EOF would be a different test.
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let mut out = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(8), async {
        let mut buf = [0u8; 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return "closed",
                Ok(n) => {
                    out.extend_from_slice(&buf[..n]);
                    if response_complete(&out) {
                        return "answered";
                    }
                }
            }
        }
    })
    .await;
    let elapsed = started.elapsed();
    writer.abort();
    (
        path,
        outcome,
        elapsed,
        String::from_utf8_lossy(&out).into_owned(),
    )
}

/// Slowloris on the headers: 20 connections send a request line and then one header
/// line every 500 ms. Other clients must be served meanwhile, and the server must
/// close those connections once the head has taken longer than the request timeout
/// (1 s here; a write fails only once the peer's reset has come back, so up to 5 s
/// are allowed for noticing).
async fn slow_headers_do_not_block_others(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .env("REQUEST_TIMEOUT_SECS", "1")
        .spawn()
        .await;
    let mut loris = Vec::new();
    for _ in 0..20 {
        let mut s = TcpStream::connect(app.addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        loris.push(s);
    }
    let started = Instant::now();
    let mut closed_after = None;
    let mut tick = 0u32;
    while started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        tick += 1;
        let mut all_closed = true;
        for s in loris.iter_mut() {
            if s.write_all(format!("X-{tick}: y\r\n").as_bytes())
                .await
                .is_ok()
            {
                all_closed = false;
            }
        }
        let probe = Instant::now();
        assert_eq!(app.get("/healthz").await.status(), 200);
        assert!(
            probe.elapsed() < Duration::from_secs(1),
            "others are served promptly"
        );
        if all_closed {
            closed_after = Some(started.elapsed());
            break;
        }
    }
    let closed_after = closed_after.expect(
        "20 connections trickling header lines were still open after 5 s: \
         the request head must arrive within REQUEST_TIMEOUT_SECS (1 s here)",
    );
    eprintln!(
        "[{backend:?}] slow headers (20 connections): closed by the server after {closed_after:?}"
    );
    drop(loris);
    app.cleanup().await;
}

/// When the server answers before reading a body (here a 401 to an unauthenticated
/// 600 kB POST), it may close the connection; it should then say so with
/// `Connection: close`, or keep the connection usable. Otherwise a keep-alive client
/// (reqwest, browsers' fetch) sends its next request into a closing socket and gets a
/// transport error (hyper `IncompleteMessage`).
async fn early_answers_keep_the_connection_usable(app: &TestApp) {
    let body = vec![b'x'; 600 * 1024];
    let head = format!(
        "POST /api/someone/tasks HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        body.len()
    );
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(head.as_bytes()).await.unwrap();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&body).await;
        wr
    });
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while !response_complete(&out) {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let first = String::from_utf8_lossy(&out).into_owned();
    assert_eq!(status_of(&first), Some(401), "{first}");
    let announced_close = first.split("\r\n\r\n").next().unwrap().lines().any(|l| {
        l.to_ascii_lowercase().starts_with("connection:")
            && l.to_ascii_lowercase().contains("close")
    });
    let wr = tokio::time::timeout(Duration::from_secs(5), writer).await;
    let second_ok = match wr {
        Ok(Ok(mut wr)) => {
            let sent = wr
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .is_ok();
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(3), async {
                while !response_complete(&out) {
                    match rd.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => out.extend_from_slice(&buf[..n]),
                    }
                }
            })
            .await;
            sent && status_of(&String::from_utf8_lossy(&out)) == Some(200)
        }
        _ => false,
    };
    eprintln!(
        "[{:?}] early 401 to a 600 kB body: Connection: close announced: {announced_close}; connection usable afterwards: {second_ok}",
        app.backend
    );
    assert!(
        announced_close || second_ok,
        "the server closed the connection after an early 401 without `Connection: close`: {}",
        first.lines().next().unwrap_or("")
    );
}

db_tests!(
    two_hundred_concurrent_writers_lose_nothing,
    control_characters_are_plain_text,
    bodies_over_the_limit_are_413,
);

mod fuzzing {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_input_never_yields_a_5xx_sqlite() {
        bad_input_never_yields_a_5xx(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_input_never_yields_a_5xx_postgres() {
        if crate::helpers::postgres_available().await {
            bad_input_never_yields_a_5xx(Backend::Postgres).await;
        }
    }
}

mod timeouts {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_body_sqlite() {
        slow_body_is_cut_by_the_timeout(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_body_postgres() {
        if crate::helpers::postgres_available().await {
            slow_body_is_cut_by_the_timeout(Backend::Postgres).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_headers_sqlite() {
        slow_headers_do_not_block_others(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nul_bytes_sqlite() {
        let app = TestApp::spawn(Backend::Sqlite).await;
        nul_bytes_are_not_server_errors(&app).await;
        app.cleanup().await;
    }
}

/// PostgreSQL refusing connections, as while it restarts: every request fails fast
/// with 503 and `Retry-After` (never a hang, never a 500), `/readyz` reports it, and
/// the same process serves again once the database is back.
mod outage {
    use super::*;
    use sqlx::{Connection, Executor, PgConnection};

    async fn admin(sql: String) {
        let mut admin = PgConnection::connect(&crate::helpers::postgres_admin_url())
            .await
            .unwrap();
        admin.execute(sql.as_str()).await.unwrap();
    }

    async fn statuses(app: &TestApp, me: &ApiUser) -> Vec<(String, u16, Value)> {
        let tasks = format!("/api/{}/tasks", me.id);
        let requests = [
            ("GET tasks", app.api(me, Method::GET, &tasks)),
            (
                "POST tasks",
                app.api(me, Method::POST, &tasks)
                    .json(&json!({"title": "during the outage"})),
            ),
            (
                "GET session",
                app.client
                    .get(app.url("/api/auth/get-session"))
                    .header("cookie", &me.signed.cookie),
            ),
            ("GET readyz", app.client.get(app.url("/readyz"))),
        ];
        let mut out = Vec::new();
        for (name, request) in requests {
            let started = Instant::now();
            let res = request.send().await.unwrap();
            let status = res.status().as_u16();
            let retry_after = res.headers().get("retry-after").cloned();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert!(
                started.elapsed() < Duration::from_secs(8),
                "{name} took {:?}: requests must fail fast, not hang",
                started.elapsed()
            );
            if status == 503 && name != "GET readyz" {
                assert_eq!(retry_after.unwrap(), "1", "{name}: Retry-After");
            }
            out.push((name.to_string(), status, body));
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_outage_is_a_fast_503_and_recovers() {
        if !crate::helpers::postgres_available().await {
            return;
        }
        let app = TestApp::spawn(Backend::Postgres).await;
        let me = app.api_user("outage@example.com").await;
        let before = app.create_task(&me, json!({"title": "before"})).await;
        let name = app.pg_database().unwrap().to_string();

        admin(format!(
            r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS false"#
        ))
        .await;
        admin(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await;
        for (what, status, body) in statuses(&app, &me).await {
            assert_eq!(status, 503, "{what} during the outage: {body}");
            if what != "GET readyz" {
                assert_eq!(body["code"], "SERVICE_UNAVAILABLE", "{what}: {body}");
            }
        }

        admin(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS true"#)).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now: Vec<u16> = statuses(&app, &me)
                .await
                .into_iter()
                .map(|(_, s, _)| s)
                .collect();
            if now == [200, 201, 200, 200] {
                break;
            }
            assert!(Instant::now() < deadline, "no recovery: {now:?}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let (tasks, total) = list(&app, &me, "").await;
        assert!(ids(&tasks).contains(&before["id"].as_i64().unwrap()));
        assert!(
            total >= 2,
            "the task from before and the one after: {total}"
        );
        app.cleanup().await;
    }
}

/// Defects these tests found (a 500 on NUL bytes in PostgreSQL text, a 400 for chunked
/// bodies over the limit, connections closed after early answers without saying so),
/// kept as regression tests on the backends that had them.
mod regressions {
    use super::*;

    async fn on(backend: Backend, test: impl AsyncFnOnce(&TestApp)) {
        if backend == Backend::Postgres && !crate::helpers::postgres_available().await {
            return;
        }
        let app = TestApp::spawn(backend).await;
        test(&app).await;
        app.cleanup().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nul_bytes_postgres() {
        on(Backend::Postgres, nul_bytes_are_not_server_errors).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chunked_over_limit_sqlite() {
        on(Backend::Sqlite, chunked_bodies_over_the_limit_are_413).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn chunked_over_limit_postgres() {
        on(Backend::Postgres, chunked_bodies_over_the_limit_are_413).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn early_answer_keep_alive_sqlite() {
        on(Backend::Sqlite, early_answers_keep_the_connection_usable).await;
    }
}
