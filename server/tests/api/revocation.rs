//! Revocation takes effect at once at the UI door (issue 19, review L9): after a
//! sign-out, a revoke, a password change or reset, or the account's deletion, the
//! session's cookies are refused by the next server function call and by
//! `/api/ui/events`, even beside an unexpired UI JWT cookie, and a UI stream already
//! open ends by itself. The apps here re-check sessions only every hour, so a stream
//! can only end through the immediate path (the in-process hook on SQLite, the
//! `session` trigger's NOTIFY on PostgreSQL). REST bearer JWTs stay stateless.

use app::board_dom::stream::SESSION_ENDED;
use serde_json::{json, Value};

use crate::helpers::{set_cookies, Backend, TestApp, TestAppBuilder};

const PASSWORD: &str = "password for tests";

/// Heartbeats (and session re-checks) an hour apart: nothing ends by polling.
fn slow_heartbeat(backend: Backend) -> TestAppBuilder {
    TestApp::builder()
        .backend(backend)
        .env("LIVE_HEARTBEAT_SECS", "3600")
}

/// A browser signed in as `email`, as the board leaves it: the session cookie, the UI
/// JWT cookie the first server function call set beside it, and an open UI stream.
struct Board {
    cookies: String,
    stream: crate::helpers::EventStream,
}

async fn open_board(app: &TestApp, email: &str) -> Board {
    let session = app.sign_in_cookie(email, PASSWORD).await;
    let res = app.call("task_summary", Some(&session), None, &[]).await;
    assert_eq!(res.status(), 200);
    let jwt = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("taskdeck.jwt="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("the UI JWT cookie");
    let cookies = format!("{jwt}; {session}");
    let mut stream = app.ui_events(&cookies).await;
    assert_eq!(stream.status, 200);
    stream.expect("ready").await;
    Board { cookies, stream }
}

/// The board's cookies act no more, and its open stream has ended.
async fn assert_revoked(app: &TestApp, board: &mut Board, how: &str) {
    let end = board.stream.expect("end").await;
    assert_eq!(end.json()["reason"], SESSION_ENDED, "{how}");
    let cookies = Some(board.cookies.as_str());
    let read = app.call("task_summary", cookies, None, &[]).await;
    assert_eq!(read.status(), 401, "{how}: a read through the UI door");
    let write = app
        .call("create_task", cookies, None, &[("title", "after")])
        .await;
    assert_eq!(write.status(), 401, "{how}: a write through the UI door");
    let stream = app.ui_events(&board.cookies).await;
    assert_eq!(stream.status, 401, "{how}: a new UI stream");
}

/// The board's cookies still work (the revocation was someone else's).
async fn assert_alive(app: &TestApp, board: &Board, how: &str) {
    let res = app
        .call("task_summary", Some(&board.cookies), None, &[])
        .await;
    assert_eq!(res.status(), 200, "{how}: the other board still works");
}

fn session_cookie_of(cookies: &str) -> &str {
    cookies
        .split("; ")
        .find(|c| !c.starts_with("taskdeck.jwt="))
        .unwrap()
}

async fn signing_out_ends_its_ui_door_at_once(app: &TestApp) {
    app.sign_up("out@example.com", PASSWORD).await;
    let mut stolen = open_board(app, "out@example.com").await;
    // The owner signs out; a copy of the cookies (a thief's) must stop working too.
    let res = app
        .auth_post("/sign-out", json!({}), Some(&stolen.cookies))
        .await;
    assert_eq!(res.status(), 200);
    assert_revoked(app, &mut stolen, "sign-out").await;
}

async fn revoking_a_device_ends_its_ui_door_at_once(app: &TestApp) {
    let me = app.sign_up("revoke@example.com", PASSWORD).await;
    let laptop = open_board(app, "revoke@example.com").await;
    let mut phone = open_board(app, "revoke@example.com").await;
    let mut tablet = open_board(app, "revoke@example.com").await;

    // One device, by token (Better Auth's revoke-session).
    let sessions: Value = app
        .auth_get("/list-sessions", Some(&me.cookie))
        .await
        .json()
        .await
        .unwrap();
    let phone_token = session_cookie_of(&phone.cookies)
        .split_once('=')
        .unwrap()
        .1
        .split('.')
        .next()
        .unwrap()
        .to_string();
    assert!(sessions
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["token"] == phone_token));
    let res = app
        .auth_post(
            "/revoke-session",
            json!({ "token": phone_token }),
            Some(&laptop.cookies),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_revoked(app, &mut phone, "revoke-session").await;
    assert_alive(app, &tablet, "revoke-session").await;

    // Every other device.
    let res = app
        .auth_post("/revoke-other-sessions", json!({}), Some(&laptop.cookies))
        .await;
    assert_eq!(res.status(), 200);
    assert_revoked(app, &mut tablet, "revoke-other-sessions").await;
    assert_alive(app, &laptop, "revoke-other-sessions").await;
}

async fn a_new_password_ends_the_other_ui_doors_at_once(app: &TestApp) {
    app.sign_up("newpw@example.com", PASSWORD).await;
    let laptop = open_board(app, "newpw@example.com").await;
    let mut phone = open_board(app, "newpw@example.com").await;
    let bearer = app.sign_in_cookie("newpw@example.com", PASSWORD).await;
    let jwt: Value = app
        .auth_get("/token", Some(&bearer))
        .await
        .json()
        .await
        .unwrap();
    let jwt = jwt["token"].as_str().unwrap().to_string();

    let res = app
        .auth_post(
            "/change-password",
            json!({ "currentPassword": PASSWORD, "newPassword": "another password 2" }),
            Some(&laptop.cookies),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_revoked(app, &mut phone, "change-password").await;
    // A REST bearer JWT is stateless: it works until its `exp` (documented).
    let me = app.session(&laptop.cookies).await;
    let user_id = me["user"]["id"].as_str().unwrap();
    let res = app.bearer_get(&jwt, &format!("/api/{user_id}/tasks")).await;
    assert_eq!(res.status(), 200, "a bearer JWT lives until it expires");
}

async fn a_password_reset_ends_every_ui_door_at_once(app: &TestApp) {
    app.sign_up("reset@example.com", PASSWORD).await;
    let mut phone = open_board(app, "reset@example.com").await;
    let res = app
        .auth_post(
            "/request-password-reset",
            json!({ "email": "reset@example.com", "redirectTo": "/reset-password" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let mail = app.wait_for_mail("reset@example.com", "Reset").await;
    let link = mail["link"].as_str().unwrap();
    let res = app.get(&link[link.find("/api/auth/").unwrap()..]).await;
    assert_eq!(res.status(), 302, "the mailed link");
    let location = res.headers()["location"].to_str().unwrap();
    let token = location.split("token=").nth(1).unwrap().to_string();
    let res = app
        .auth_post(
            "/reset-password",
            json!({ "token": token, "newPassword": "a brand new password" }),
            None,
        )
        .await;
    assert_eq!(res.status(), 200, "{link}");
    assert_revoked(app, &mut phone, "reset-password").await;
}

async fn deleting_the_account_ends_its_ui_doors_at_once(app: &TestApp) {
    app.sign_up("gone@example.com", PASSWORD).await;
    let laptop = open_board(app, "gone@example.com").await;
    let mut phone = open_board(app, "gone@example.com").await;
    let res = app
        .auth_post(
            "/delete-user",
            json!({ "password": PASSWORD }),
            Some(&laptop.cookies),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_revoked(app, &mut phone, "delete-user").await;
}

db_tests!(
    with slow_heartbeat;
    signing_out_ends_its_ui_door_at_once,
    revoking_a_device_ends_its_ui_door_at_once,
    a_new_password_ends_the_other_ui_doors_at_once,
    a_password_reset_ends_every_ui_door_at_once,
    deleting_the_account_ends_its_ui_doors_at_once,
);
