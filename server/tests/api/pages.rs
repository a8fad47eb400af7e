//! Server-side rendering under clients that hang up: a render whose client goes away
//! mid-page must finish (or stop) quietly. Dropping the handler used to dispose the
//! page's reactive owner while Leptos' render tasks still read its signals, and the
//! server panicked ("reactive value already disposed") a few times per thousand
//! abandoned requests. And renders beside apps starting in the same process: Leptos'
//! route list is generated once per process, so a start no longer parks them. And
//! board loads that reuse the database's connections instead of opening new ones. And
//! the point every page asks to be drawn at.

use std::{
    cell::Cell,
    collections::BTreeSet,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::helpers::{Backend, TestApp};

/// Panics on this test's threads. The panic hook is process-wide and the other tests of
/// the binary run beside this one, so the hook counts only the threads marked below:
/// the test's own and its runtime's, where the server serves and renders its pages.
static PANICS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

/// What `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]` would run, with
/// every thread of the runtime (workers and blocking pool) marked for the panic count.
#[test]
fn clients_hanging_up_mid_render_cause_no_panic() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if COUNTED.get() {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        default_hook(info);
    }));
    COUNTED.set(true);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(|| COUNTED.set(true))
        .build()
        .expect("a runtime")
        .block_on(hang_ups());
    COUNTED.set(false);
}

async fn hang_ups() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let me = app.api_user("pages@example.com").await;
    for i in 0..50 {
        app.create_task(
            &me,
            json!({ "title": format!("Task number {i}"), "tags": ["t"] }),
        )
        .await;
    }
    let board = || {
        app.client
            .get(app.url("/"))
            .header("cookie", &me.signed.cookie)
    };
    let html = board().send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Task number 49"),
        "the board renders the tasks"
    );

    // 400 page loads in waves of 20, each abandoned after 0-39 ms: before, during or
    // after its render, on a connection that is then dropped.
    for wave in 0..20u64 {
        let loads: Vec<_> = (0..20u64)
            .map(|i| {
                let request = board();
                let patience = Duration::from_millis((wave * 20 + i) % 40);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(patience, async move {
                        let response = request.send().await?;
                        response.bytes().await
                    })
                    .await;
                })
            })
            .collect();
        for load in loads {
            load.await.unwrap();
        }
    }
    // Renders detached from their clients finish in the background.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "the server panicked while clients hung up (see the messages above)"
    );
    let html = board().send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Task number 0"), "and it still renders");
    app.cleanup().await;
}

/// Apps started while another app of the process renders pages, then pages from each.
/// Generating Leptos' route list raises a process-wide flag that parks every resource
/// load meanwhile (issue 12); when each app generated its own, a start beside a render
/// hung that render until the timeouts. Now the list is generated once per process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_starting_beside_renders_do_not_hang_them() {
    const PATIENCE: Duration = Duration::from_secs(10);
    let first = TestApp::spawn(Backend::Sqlite).await;
    let renders = tokio::spawn({
        let (client, url) = (first.client.clone(), first.url("/sign-in"));
        async move {
            for _ in 0..30 {
                let load = async { client.get(&url).send().await?.text().await };
                let page = tokio::time::timeout(PATIENCE, load).await;
                let page = page.expect("a render beside app starts hung").unwrap();
                assert!(page.contains("</html>"), "a whole page: {page}");
            }
        }
    });
    let mut apps = vec![first];
    for _ in 0..3 {
        apps.push(TestApp::spawn(Backend::Sqlite).await);
    }
    renders.await.unwrap();
    for app in &apps {
        let page = tokio::time::timeout(PATIENCE, app.get("/sign-in")).await;
        let page = page.expect("a render of a later app hung");
        assert_eq!(page.status(), 200);
    }
    for app in apps {
        app.cleanup().await;
    }
}

/// The backends of this app's database other than the asking connection's own.
async fn backend_pids(app: &TestApp) -> BTreeSet<i32> {
    let mut conn = PgConnection::connect(&app.database_url()).await.unwrap();
    let pids: Vec<i32> = sqlx::query_scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    pids.into_iter().collect()
}

/// Board loads one after another reuse the pool's connections. Suspense walks its
/// children once before rendering them; the board's data used to be fetched in a
/// closure, so that walk started a fetch of its own and dropped it mid-flight, and sqlx
/// closed the connection whose check it had interrupted: a new database connection
/// (here a new PostgreSQL backend; on SQLite a thread, three files and the schema read
/// again) for nearly every page load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_loads_reuse_the_database_connections() {
    if !crate::helpers::postgres_available().await {
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    let me = app.api_user("connections@example.com").await;
    app.create_task(&me, json!({ "title": "Water the plants" }))
        .await;
    let board = || async {
        let page = app
            .client
            .get(app.url("/"))
            .header("cookie", &me.signed.cookie);
        let html = page.send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Water the plants"), "the board renders");
    };
    // The first loads open what a render needs at once.
    for _ in 0..3 {
        board().await;
    }
    let before = backend_pids(&app).await;
    let mut seen = before.clone();
    for _ in 0..10 {
        board().await;
        seen.extend(backend_pids(&app).await);
    }
    // One more is the pool growing: a connection is handed back to it by a task of its
    // own after each use, and the next load may ask before that task has run.
    let opened: Vec<_> = seen.difference(&before).collect();
    assert!(
        opened.len() <= 1,
        "ten board loads opened {} new database connections (backends {opened:?})",
        opened.len()
    );
    app.cleanup().await;
}

/// Every page asks Chromium to draw it once it is all parsed (`<link rel="expect"
/// blocking="render">`, see `app::shell`), naming the page's last element. A name that
/// is missing, or not last, would draw the page later or earlier than meant.
#[tokio::test]
async fn every_page_is_drawn_once_parsed_to_its_last_element() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let me = app.api_user("drawn@example.com").await;
    for (path, cookie) in [
        ("/", Some(&me.signed.cookie)),
        ("/settings", Some(&me.signed.cookie)),
        ("/sign-in", None),
        ("/sign-up", None),
    ] {
        let mut page = app.client.get(app.url(path));
        if let Some(cookie) = cookie {
            page = page.header("cookie", cookie);
        }
        let html = page.send().await.unwrap().text().await.unwrap();
        // The expect link, as a whole tag, and the id it names.
        let tag = html
            .find(r#"<link rel="expect""#)
            .and_then(|i| html[i..].split_once('>').map(|(tag, _)| tag))
            .unwrap_or_else(|| panic!("{path}: no expect link"));
        assert!(
            tag.contains(r#"blocking="render""#),
            "{path}: the expect link blocks rendering: {tag}"
        );
        let id = tag
            .split_once(r##"href="#"##)
            .and_then(|(_, rest)| rest.split('"').next())
            .unwrap_or_else(|| panic!("{path}: the expect link names no element: {tag}"));
        let last = format!(r#"<div id="{id}" hidden></div>"#);
        let marker = html
            .find(&last)
            .unwrap_or_else(|| panic!("{path}: no element #{id}"));
        let after = &html[marker..html.find("</body>").unwrap()];
        assert_eq!(after, last, "{path}: #{id} is the body's last element");
    }
    app.cleanup().await;
}
