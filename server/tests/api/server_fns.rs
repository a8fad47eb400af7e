//! The Leptos server functions, called through their HTTP endpoints as the hydrated
//! client does (form-encoded POSTs to `/api/ui/*`): JWT authentication from the cookie
//! or a bearer header, refresh from the session, and per-user isolation.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{session_cookie, set_cookies, ApiUser, TestApp};

fn jwt_cookie(res: &reqwest::Response) -> Option<String> {
    set_cookies(res)
        .into_iter()
        .find(|c| c.starts_with("taskdeck.jwt="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

async fn created(app: &TestApp, who: &ApiUser, title: &str) -> Value {
    let res = app
        .call(
            "create_task",
            Some(&who.signed.cookie),
            None,
            &[("title", title), ("priority", "high"), ("tags", "a, b")],
        )
        .await;
    assert_eq!(res.status(), 200, "create_task");
    res.json().await.unwrap()
}

async fn session_cookie_is_exchanged_for_a_jwt_cookie(app: &TestApp) {
    let who = app.api_user("sf-a@example.com").await;
    // The session cookie alone: the server mints a JWT and sets it as a cookie.
    let res = app
        .call("task_summary", Some(&who.signed.cookie), None, &[])
        .await;
    assert_eq!(res.status(), 200);
    let jwt = jwt_cookie(&res).expect("a JWT cookie is set from the session");
    let cookie_line = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("taskdeck.jwt="))
        .unwrap();
    assert!(
        cookie_line.contains("HttpOnly") && cookie_line.contains("SameSite=Lax"),
        "{cookie_line}"
    );
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        serde_json::json!({ "all": 0, "pending": 0, "completed": 0 })
    );

    // With the JWT cookie beside its session cookie, the JWT is what is verified: no
    // new one is minted.
    let both = format!("{jwt}; {}", who.signed.cookie);
    let task = {
        let res = app
            .call(
                "create_task",
                Some(&both),
                None,
                &[("title", "via jwt cookie"), ("tags", "x")],
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(jwt_cookie(&res), None, "a JWT was minted again");
        res.json::<Value>().await.unwrap()
    };
    // The JWT cookie alone acts for nobody: it belongs to a session, which is gone
    // from this browser (signed out).
    let res = app.call("task_summary", Some(&jwt), None, &[]).await;
    assert_eq!(res.status(), 401);
    assert_eq!(task["title"], "via jwt cookie");
    assert_eq!(task["tags"], serde_json::json!(["x"]));

    // A bearer header works too, and a forged one is refused even with a good cookie.
    let res = app.call("list_tasks", None, Some(&who.token), &[]).await;
    assert_eq!(res.status(), 200);
    let listing: Value = res.json().await.unwrap();
    assert_eq!(listing["total"], 1);
    let res = app
        .call(
            "list_tasks",
            Some(&who.signed.cookie),
            Some("forged.jwt.token"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 401);

    // Nothing at all, or a tampered JWT cookie without a session: 401.
    assert_eq!(app.call("list_tasks", None, None, &[]).await.status(), 401);
    let mut bad = jwt.clone();
    bad.push('x');
    assert_eq!(
        app.call("list_tasks", Some(&bad), None, &[]).await.status(),
        401
    );
}

async fn every_task_function_round_trips(app: &TestApp) {
    let who = app.api_user("sf-b@example.com").await;
    let c = Some(who.signed.cookie.as_str());
    let task = created(app, &who, "first").await;
    let id = task["id"].to_string();
    assert_eq!(task["priority"], "high");
    assert_eq!(task["completed"], false);

    let toggled: Value = app.call_json("toggle_task", c, None, &[("id", &id)]).await;
    assert_eq!(toggled["completed"], true);

    let res = app
        .call(
            "update_task",
            c,
            None,
            &[
                ("id", &id),
                ("title", "renamed"),
                ("description", "words"),
                ("priority", "low"),
                ("tags", ""),
                ("due_date", "2026-12-24"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(
        (
            updated["title"].as_str(),
            updated["priority"].as_str(),
            updated["due_date"].as_str()
        ),
        (Some("renamed"), Some("low"), Some("2026-12-24"))
    );
    assert_eq!(updated["tags"], serde_json::json!([]));

    created(app, &who, "second").await;
    let listing: Value = app
        .call_json("list_tasks", c, None, &[("status", "completed")])
        .await;
    assert_eq!(listing["total"], 1);
    assert_eq!(listing["tasks"][0]["title"], "renamed");
    assert!(listing["today"].as_str().unwrap().len() == 10);
    let listing: Value = app
        .call_json(
            "list_tasks",
            c,
            None,
            &[("sort", "title"), ("order", "asc")],
        )
        .await;
    assert_eq!(listing["tasks"][0]["title"], "renamed");
    assert_eq!(listing["tasks"][1]["title"], "second");
    let summary: Value = app.call_json("task_summary", c, None, &[]).await;
    assert_eq!(
        summary,
        serde_json::json!({ "all": 2, "pending": 1, "completed": 1 })
    );

    // Validation comes back as the REST API's 422, typed, not a 500.
    let res = app.call("create_task", c, None, &[("title", "   ")]).await;
    assert_eq!(res.status(), 422);
    let error: Value = res.json().await.unwrap();
    assert_eq!(
        (error["status"].as_u64(), error["code"].as_str()),
        (Some(422), Some("INVALID_TITLE"))
    );
    assert!(
        error["message"].as_str().unwrap().contains("title"),
        "{error}"
    );
    let res = app
        .call(
            "update_task",
            c,
            None,
            &[("id", &id), ("title", "ok"), ("due_date", "someday")],
        )
        .await;
    assert_eq!(res.status(), 422);

    assert_eq!(
        app.call("delete_task", c, None, &[("id", &id)])
            .await
            .status(),
        200
    );
    let summary: Value = app.call_json("task_summary", c, None, &[]).await;
    assert_eq!(summary["all"], 1);
}

async fn server_functions_are_confined_to_the_caller(app: &TestApp) {
    let a = app.api_user("sf-owner@example.com").await;
    let b = app.api_user("sf-other@example.com").await;
    let task = created(app, &a, "A's task").await;
    let id = task["id"].to_string();
    let bc = Some(b.signed.cookie.as_str());
    for (name, form) in [
        ("toggle_task", vec![("id", id.as_str())]),
        ("delete_task", vec![("id", id.as_str())]),
        ("update_task", vec![("id", id.as_str()), ("title", "pwned")]),
    ] {
        let res = app.call(name, bc, None, &form).await;
        assert_ne!(res.status(), StatusCode::OK, "{name}");
        assert!(res.status().is_client_error(), "{name}: {}", res.status());
    }
    let listing: Value = app.call_json("list_tasks", bc, None, &[]).await;
    assert_eq!(listing["total"], 0);
    // A's task is untouched.
    let now = app.get_json(&a, &format!("/api/{}/tasks/{id}", a.id)).await;
    assert_eq!(now["title"], "A's task");
    assert_eq!(now["completed"], false);
}

async fn form_posts_without_javascript_redirect(app: &TestApp) {
    let who = app.api_user("sf-form@example.com").await;
    // A browser form post (Accept: text/html) is answered with a redirect back.
    let res = app
        .client
        .post(app.url("/api/ui/create_task"))
        .header("accept", "text/html")
        .header("referer", format!("{}/?status=pending", app.base))
        .header("cookie", &who.signed.cookie)
        .header("origin", app.origin())
        .form(&[("title", "from a form")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()["location"],
        format!("{}/?status=pending", app.base).as_str()
    );
    // An invalid one goes back with the error code in the URL.
    let res = app
        .client
        .post(app.url("/api/ui/create_task"))
        .header("accept", "text/html")
        .header("referer", format!("{}/", app.base))
        .header("cookie", &who.signed.cookie)
        .header("origin", app.origin())
        .form(&[("title", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/?error=INVALID_TITLE");
    // Signed out: sent to sign in, then back.
    let res = app
        .client
        .post(app.url("/api/ui/create_task"))
        .header("accept", "text/html")
        .header("referer", format!("{}/", app.base))
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/sign-in?next=%2F");
    // Sign-in by form with a wrong password goes back to the form with the code.
    let res = app
        .client
        .post(app.url("/api/ui/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("email", "sf-form@example.com"),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/sign-in?") && location.contains("error=INVALID_EMAIL_OR_PASSWORD"),
        "{location}"
    );
    // And with the right one, sets both cookies and goes on.
    let res = app
        .client
        .post(app.url("/api/ui/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("email", "sf-form@example.com"),
            ("password", "password for tests"),
            ("next", "/?q=x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/?q=x");
    assert!(session_cookie(&res).is_some());
    assert!(jwt_cookie(&res).is_some());
}

async fn the_board_is_in_the_first_html(app: &TestApp) {
    let who = app.api_user("sf-ssr@example.com").await;
    created(app, &who, "Visible before hydration").await;
    let res = app
        .load(
            app.client
                .get(app.url("/"))
                .header("cookie", &who.signed.cookie)
                .header("origin", app.origin()),
        )
        .await;
    assert_eq!(res.status(), 200);
    // The render asks for its caller once per resource: one JWT is minted and set.
    let minted = set_cookies(&res)
        .iter()
        .filter(|c| c.starts_with("taskdeck.jwt="))
        .count();
    assert_eq!(minted, 1, "{:?}", set_cookies(&res));
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Visible before hydration"),
        "tasks are server-rendered"
    );
    // Islands: the page carries no serialised copy of its data for hydration.
    let resources = html.split("__RESOLVED_RESOURCES=").nth(1).unwrap_or("[]");
    assert!(
        resources.starts_with("[]"),
        "no hydration data in the board's HTML: {}",
        &resources[..resources.len().min(200)]
    );
    assert!(html.contains("<leptos-island"), "the board is an island");

    // Delete without JavaScript: back to the board with the "Undo" form in the page.
    let id = created(app, &who, "Undo me").await["id"].to_string();
    let form = |path: &str| {
        app.client
            .post(app.url(path))
            .header("accept", "text/html")
            .header("referer", format!("{}/?status=pending", app.base))
            .header("cookie", &who.signed.cookie)
            .header("origin", app.origin())
    };
    let res = form("/api/ui/delete_task")
        .form(&[("id", &id)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/?status=pending&deleted="), "{back}");
    let token = back.split("deleted=").nth(1).unwrap().to_string();
    let page = app
        .load(
            app.client
                .get(app.url(&back))
                .header("cookie", &who.signed.cookie),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Deleted “Undo me”."),
        "the notice names the task"
    );
    assert!(page.contains(r#"action="/api/ui/restore_task""#));
    let token = percent_encoding::percent_decode_str(&token)
        .decode_utf8()
        .unwrap()
        .to_string();
    let res = form("/api/ui/restore_task")
        .header("referer", format!("{}{back}", app.base))
        .form(&[("token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/?status=pending");
    let listing: Value = app
        .call_json("list_tasks", Some(&who.signed.cookie), None, &[])
        .await;
    assert_eq!(listing["total"], 2, "restored: {listing}");

    // Signed out, the same URL is the landing page.
    let html = app.get("/").await.text().await.unwrap();
    assert!(!html.contains("Visible before hydration"));
    assert!(html.contains("Create a free account"));
}

/// Undo after delete puts the very task back (id, state, dates, tags), once, for its
/// owner only; a forged or foreign token restores nothing.
async fn undo_restores_the_deleted_task_as_it_was(app: &TestApp) {
    let who = app.api_user("sf-undo@example.com").await;
    let c = Some(who.signed.cookie.as_str());
    let task = created(app, &who, "Pay rent").await;
    let id = task["id"].to_string();
    let done: Value = app.call_json("toggle_task", c, None, &[("id", &id)]).await;
    assert_eq!(done["completed"], true);
    let res = app.call("delete_task", c, None, &[("id", &id)]).await;
    assert_eq!(res.status(), 200);
    let token: String = res.json().await.unwrap();
    let gone: Value = app.call_json("task_summary", c, None, &[]).await;
    assert_eq!(gone["all"], 0);

    // Another user's token check: the token names its owner.
    let other = app.api_user("sf-undo-other@example.com").await;
    let res = app
        .call(
            "restore_task",
            Some(&other.signed.cookie),
            None,
            &[("token", &token)],
        )
        .await;
    assert_eq!(res.status(), 404);
    let forged = token.replacen('.', "x.", 1);
    let res = app
        .call("restore_task", c, None, &[("token", &forged)])
        .await;
    assert_eq!(res.status(), 404);

    let res = app
        .call("restore_task", c, None, &[("token", &token)])
        .await;
    assert_eq!(res.status(), 200);
    let back: Value = res.json().await.unwrap();
    assert_eq!(back, done, "the same id, state, dates and tags");
    // Twice is harmless: the task as it is.
    let again: Value = app
        .call_json("restore_task", c, None, &[("token", &token)])
        .await;
    assert_eq!(again["id"], done["id"]);
    let listing: Value = app.call_json("list_tasks", c, None, &[("tag", "a")]).await;
    assert_eq!(listing["total"], 1, "its tags filter again: {listing}");
    let summary: Value = app.call_json("task_summary", c, None, &[]).await;
    assert_eq!(
        summary,
        serde_json::json!({ "all": 1, "pending": 0, "completed": 1 })
    );
}

db_tests!(
    undo_restores_the_deleted_task_as_it_was,
    session_cookie_is_exchanged_for_a_jwt_cookie,
    every_task_function_round_trips,
    server_functions_are_confined_to_the_caller,
    form_posts_without_javascript_redirect,
    the_board_is_in_the_first_html,
);
