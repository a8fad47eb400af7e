//! Server-side rendering under clients that hang up: a render whose client goes away
//! mid-page must finish (or stop) quietly. Dropping the handler used to dispose the
//! page's reactive owner while Leptos' render tasks still read its signals, and the
//! server panicked ("reactive value already disposed") a few times per thousand
//! abandoned requests.

mod common;

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use common::{Backend, TestApp};
use serde_json::json;

/// Panics anywhere in this test binary (the hook is process-wide; this file holds one
/// test so that nothing else can add to it).
static PANICS: AtomicUsize = AtomicUsize::new(0);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_hanging_up_mid_render_cause_no_panic() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));

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
