//! Live sync (issue 14): the per-user change stream at both doors, over real HTTP.
//! Two streams of one user see every change from either door in order, with the task
//! as the REST API returns it; another user sees none of it; strangers are refused
//! (401 / 403); `Last-Event-ID` resumes and a stale id resets; the cap per user; the
//! stream ends on sign-out, token expiry and graceful shutdown. (Across two instances
//! on PostgreSQL: `scale_out.rs`.)
//!
//! The apps here send heartbeats (and re-check sessions) every second and allow three
//! streams per user, so that the tests are quick.

use std::time::Duration;

use app::board_dom::{stream::SESSION_ENDED, EVENTS_URL};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{Backend, SseEvent, TestApp, TestAppBuilder};

const CAP: usize = 3;

pub fn live_app(backend: Backend) -> TestAppBuilder {
    TestApp::builder()
        .backend(backend)
        .env("LIVE_HEARTBEAT_SECS", "1")
        .env("LIVE_MAX_STREAMS_PER_USER", CAP.to_string())
}

db_tests!(
    with live_app;
    two_streams_of_a_user_see_every_change_in_order,
    server_functions_and_undo_reach_both_doors,
    strangers_are_refused,
    last_event_id_resumes_and_a_stale_one_resets,
    streams_are_capped_per_user,
    signing_out_ends_the_ui_stream,
    concurrent_writes_arrive_in_commit_order,
);

/// The sequence number of an event id (`<tag>-<n>`).
fn seq(event: &SseEvent) -> u64 {
    let id = event.id.as_deref().expect("an id");
    id.rsplit_once('-').unwrap().1.parse().unwrap()
}

pub async fn json_of(res: reqwest::Response, status: u16, what: &str) -> Value {
    assert_eq!(res.status(), status, "{what}");
    res.json().await.unwrap()
}

async fn two_streams_of_a_user_see_every_change_in_order(app: &TestApp) {
    let me = app.api_user("live@example.com").await;
    let other = app.api_user("other@example.com").await;
    let mut a = app.task_events(&me, None).await;
    let mut b = app.task_events(&me, None).await;
    let mut theirs = app.task_events(&other, None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["content-type"], "text/event-stream");
    for stream in [&mut a, &mut b, &mut theirs] {
        stream.expect("ready").await;
    }

    let tasks = format!("/api/{}/tasks", me.id);
    let created = app
        .create_task(&me, json!({ "title": "Buy milk", "tags": ["home"] }))
        .await;
    let one = format!("{tasks}/{}", created["id"]);
    let res = app
        .send_json(&me, Method::PUT, &one, &json!({ "title": "Buy oat milk" }))
        .await;
    let updated = json_of(res, 200, "update").await;
    let res = app
        .send(&me, Method::PATCH, &format!("{one}/complete"))
        .await;
    let completed = json_of(res, 200, "toggle").await;
    assert_eq!(app.send(&me, Method::DELETE, &one).await.status(), 204);

    for stream in [&mut a, &mut b] {
        let events = [
            stream.expect("created").await,
            stream.expect("updated").await,
            stream.expect("completed").await,
            stream.expect("deleted").await,
        ];
        assert_eq!(events[0].json(), created, "the REST JSON, field for field");
        assert_eq!(events[1].json(), updated);
        assert_eq!(events[2].json(), completed);
        assert_eq!(events[2].json()["completed"], true);
        assert_eq!(events[3].json(), json!({ "id": created["id"] }));
        let numbers: Vec<u64> = events.iter().map(seq).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    }
    // The other user saw none of it: the first thing they get is their own change.
    app.create_task(&other, json!({ "title": "theirs" })).await;
    assert_eq!(theirs.expect("created").await.json()["title"], "theirs");
    assert!(a.next_within(Duration::from_millis(300)).await.is_none());
}

async fn server_functions_and_undo_reach_both_doors(app: &TestApp) {
    let me = app.api_user("board@example.com").await;
    let cookie = me.signed.cookie.clone();
    let mut rest = app.task_events(&me, None).await;
    let mut ui = app.ui_events(&cookie).await;
    assert_eq!(ui.status, 200);
    assert!(
        ui.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("taskdeck.jwt=")),
        "the UI door mints the JWT cookie like the server functions"
    );
    rest.expect("ready").await;
    ui.expect("ready").await;

    let form = [("title", "From the board"), ("tags", "home, work")];
    let view = app
        .call_json("create_task", Some(&cookie), None, &form)
        .await;
    let id = view["id"].as_i64().expect("an id").to_string();
    let stored = app
        .get_json(&me, &format!("/api/{}/tasks/{id}", me.id))
        .await;
    app.call_json("toggle_task", Some(&cookie), None, &[("id", &id)])
        .await;
    let token = app
        .call_json("delete_task", Some(&cookie), None, &[("id", &id)])
        .await;
    let token = token.as_str().expect("an undo token");
    app.call_json("restore_task", Some(&cookie), None, &[("token", token)])
        .await;
    // A REST write reaches the UI door too.
    app.create_task(&me, json!({ "title": "From the API" }))
        .await;

    for stream in [&mut rest, &mut ui] {
        assert_eq!(stream.expect("created").await.json(), stored);
        assert_eq!(stream.expect("completed").await.json()["completed"], true);
        assert_eq!(stream.expect("deleted").await.json()["id"], stored["id"]);
        let restored = stream.expect("created").await.json();
        assert_eq!(
            (&restored["id"], &restored["completed"]),
            (&stored["id"], &json!(true))
        );
        assert_eq!(
            stream.expect("created").await.json()["title"],
            "From the API"
        );
    }
}

async fn strangers_are_refused(app: &TestApp) {
    let me = app.api_user("me@example.com").await;
    let other = app.api_user("them@example.com").await;
    let path = app.url(&format!("/api/{}/tasks/events", me.id));
    let res = app.client.get(&path).send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(json_of(res, 401, "no token").await["code"], "MISSING_TOKEN");
    let res = app
        .client
        .get(&path)
        .bearer_auth("x.y.z")
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(res, 401, "bad token").await["code"],
        "INVALID_TOKEN"
    );
    let res = app
        .client
        .get(&path)
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(res, 403, "another's path").await["code"],
        "FORBIDDEN"
    );

    let ui = app.url(EVENTS_URL);
    let res = app.client.get(&ui).send().await.unwrap();
    json_of(res, 401, "UI door, no cookie").await;
    let forged = "better-auth.session_token=forged.signature";
    let res = app
        .client
        .get(&ui)
        .header("cookie", forged)
        .send()
        .await
        .unwrap();
    json_of(res, 401, "UI door, forged cookie").await;
}

async fn last_event_id_resumes_and_a_stale_one_resets(app: &TestApp) {
    let me = app.api_user("resume@example.com").await;
    let mut stream = app.task_events(&me, None).await;
    let ready = stream.expect("ready").await;
    app.create_task(&me, json!({ "title": "one" })).await;
    let first = stream.expect("created").await;
    drop(stream);

    let second = app.create_task(&me, json!({ "title": "two" })).await;
    let one = format!("/api/{}/tasks/{}/complete", me.id, second["id"]);
    app.send(&me, Method::PATCH, &one).await;
    let mut resumed = app.task_events(&me, first.id.as_deref()).await;
    assert_eq!(resumed.expect("created").await.json(), second);
    assert_eq!(resumed.expect("completed").await.json()["id"], second["id"]);
    let caught_up = resumed.expect("ready").await;
    assert_eq!(seq(&caught_up), seq(&first) + 2);
    drop(resumed);

    // An id from elsewhere (another instance, a restart): reload.
    let mut elsewhere = app.task_events(&me, Some("AbCdEfGhIj-3")).await;
    let reset = elsewhere.expect("reset").await;
    assert_eq!(reset.json()["reason"], "too_far_behind");
    assert_eq!(reset.id, caught_up.id, "a reset says where to resume from");
    elsewhere.expect("ready").await;
    drop(elsewhere);

    // Away for more changes than the server keeps: reload too.
    for _ in 0..taskdeck::live::RING_CAPACITY {
        app.send(&me, Method::PATCH, &one).await;
    }
    let mut late = app.task_events(&me, ready.id.as_deref()).await;
    let reset = late.expect("reset").await;
    late.expect("ready").await;
    drop(late);
    let mut fresh = app.task_events(&me, reset.id.as_deref()).await;
    fresh.expect("ready").await;
}

async fn streams_are_capped_per_user(app: &TestApp) {
    let me = app.api_user("many@example.com").await;
    let mut open = Vec::new();
    for _ in 0..CAP {
        let mut stream = app.task_events(&me, None).await;
        stream.expect("ready").await;
        open.push(stream);
    }
    let refused = app.task_events(&me, None).await;
    assert_eq!(refused.status, 429);
    let body = refused.json_body().await;
    assert_eq!(body["code"], "TOO_MANY_STREAMS", "{body}");
    let mut other = app
        .task_events(&app.api_user("few@example.com").await, None)
        .await;
    other.expect("ready").await;

    // A closed stream frees its place once the server notices (its next heartbeat).
    drop(open.pop());
    let mut admitted = false;
    for _ in 0..40 {
        let mut stream = app.task_events(&me, None).await;
        if stream.status == 200 {
            stream.expect("ready").await;
            admitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(admitted, "a place was freed");
}

async fn signing_out_ends_the_ui_stream(app: &TestApp) {
    let me = app
        .sign_up("leaving@example.com", "password for tests")
        .await;
    let mut ui = app.ui_events(&me.cookie).await;
    ui.expect("ready").await;
    let res = app
        .auth_post("/sign-out", json!({}), Some(&me.cookie))
        .await;
    assert_eq!(res.status(), 200);
    let end = ui.expect("end").await;
    assert_eq!(end.json()["reason"], SESSION_ENDED);
    assert!(ui.ended_within(Duration::from_secs(5)).await);
    assert_eq!(app.ui_events(&me.cookie).await.status, 401);
}

async fn concurrent_writes_arrive_in_commit_order(app: &TestApp) {
    let me = app.api_user("racing@example.com").await;
    let task = app.create_task(&me, json!({ "title": "flip" })).await;
    let mut stream = app.task_events(&me, None).await;
    stream.expect("ready").await;
    let url = app.url(&format!("/api/{}/tasks/{}/complete", me.id, task["id"]));
    let writers: Vec<_> = (0..20)
        .map(|_| {
            let req = app.client.patch(&url).bearer_auth(&me.token);
            tokio::spawn(async move { req.send().await.unwrap().status() })
        })
        .collect();
    for writer in writers {
        assert_eq!(writer.await.unwrap(), 200);
    }
    // Each toggle flips the stored value: in commit order, the events alternate.
    for n in 0..20 {
        let event = stream.expect("completed").await;
        assert_eq!(event.json()["completed"], n % 2 == 0, "event {n}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_stream_ends_when_the_token_expires() {
    let app = live_app(Backend::Sqlite)
        .env("JWT_EXPIRES_IN_SECS", "2")
        .spawn()
        .await;
    let me = app.api_user("expiring@example.com").await;
    let mut stream = app.task_events(&me, None).await;
    stream.expect("ready").await;
    let end = stream.expect("end").await;
    assert_eq!(
        (end.json()["reason"].as_str(), end.id),
        (Some("token_expired"), None)
    );
    assert!(stream.ended_within(Duration::from_secs(5)).await);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_ends_the_streams() {
    let mut app = live_app(Backend::Sqlite).spawn().await;
    let me = app.api_user("staying@example.com").await;
    let mut rest = app.task_events(&me, None).await;
    let mut ui = app.ui_events(&me.signed.cookie).await;
    rest.expect("ready").await;
    ui.expect("ready").await;
    assert!(
        app.stop(Duration::from_secs(10)).await,
        "the drain does not wait for open streams"
    );
    for stream in [&mut rest, &mut ui] {
        assert_eq!(stream.expect("end").await.json()["reason"], "shutdown");
        assert!(stream.ended_within(Duration::from_secs(5)).await);
    }
    app.cleanup().await;
}
