//! The tasks REST API over HTTP, on SQLite and PostgreSQL: CRUD, validation, list
//! filters, sorting and pagination, the isolation matrix, and concurrent writes.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{list_tasks as list, TestApp};

fn titles(tasks: &[Value]) -> Vec<&str> {
    tasks.iter().map(|t| t["title"].as_str().unwrap()).collect()
}

async fn crud_round_trip(app: &TestApp) {
    let ann = app.api_user("ann@example.com").await;
    let res = app.send_json(&ann, Method::POST, &format!("/api/{}/tasks", ann.id), &json!({ "title": "  Write report ", "description": "Q3", "priority": "high", "tags": ["Work"], "due_date": "2026-12-01" })).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let task: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/{}/tasks/{}", ann.id, task["id"]));
    assert_eq!(task["title"], "Write report");
    assert_eq!(task["user_id"], ann.id.as_str());
    assert_eq!(task["completed"], false);
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["work"]));
    assert_eq!(task["due_date"], "2026-12-01");
    assert!(task["created_at"].as_str().unwrap().ends_with('Z'));

    let got: Value = app.get_json(&ann, &location).await;
    assert_eq!(got, task);

    let res = app.send_json(&ann, Method::PUT, &location, &json!({ "title": "Write the report", "completed": true, "description": null, "tags": ["work", "q3"], "due_date": null })).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["title"], "Write the report");
    assert_eq!(updated["completed"], true);
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["due_date"], Value::Null);
    assert_eq!(updated["tags"], json!(["work", "q3"]));
    assert_eq!(updated["priority"], "high", "untouched fields stay");
    assert!(updated["updated_at"].as_str() >= task["updated_at"].as_str());

    let toggled: Value = app
        .send(&ann, Method::PATCH, &format!("{location}/complete"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(toggled["completed"], false);

    let res = app.send(&ann, Method::DELETE, &location).await;
    assert_eq!(res.status(), 204);
    let res = app.send(&ann, Method::GET, &location).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "NOT_FOUND");
    let res = app.send(&ann, Method::DELETE, &location).await;
    assert_eq!(res.status(), 404);
}

async fn validation_and_bad_input(app: &TestApp) {
    let bea = app.api_user("bea@example.com").await;
    let path = format!("/api/{}/tasks", bea.id);
    let cases = [
        (json!({}), vec!["title"]),
        (json!({ "title": "   " }), vec!["title"]),
        (json!({ "title": "x".repeat(201) }), vec!["title"]),
        (
            json!({ "title": "ok", "description": "d".repeat(1001) }),
            vec!["description"],
        ),
        (
            json!({ "title": "ok", "priority": "urgent" }),
            vec!["priority"],
        ),
        (
            json!({ "title": "ok", "due_date": "next week" }),
            vec!["due_date"],
        ),
        (json!({ "title": "ok", "tags": "work" }), vec!["tags"]),
        (
            json!({ "title": "ok", "completed": "yes" }),
            vec!["completed"],
        ),
        (json!({ "title": "ok", "owner": "someone" }), vec!["owner"]),
        (
            json!({ "title": 7, "priority": 1 }),
            vec!["title", "priority"],
        ),
    ];
    for (body, fields) in cases {
        let res = app.send_json(&bea, Method::POST, &path, &body).await;
        assert_eq!(res.status(), 422, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["code"], "VALIDATION_ERROR");
        for f in fields {
            assert!(err["errors"][f].is_array(), "{f} named for {body}: {err}");
        }
    }
    // Malformed JSON, a non-object, the wrong content type.
    let res = app
        .api(&bea, Method::POST, &path)
        .header("content-type", "application/json")
        .body("{\"title\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "INVALID_JSON");
    let res = app
        .send_json(&bea, Method::POST, &path, &json!(["title"]))
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .api(&bea, Method::POST, &path)
        .header("content-type", "text/plain")
        .body("title")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    // Bad list parameters.
    for q in [
        "limit=0",
        "limit=201",
        "offset=-5",
        "status=done",
        "sort=size",
        "order=up",
        "priority=x",
    ] {
        let res = app.send(&bea, Method::GET, &format!("{path}?{q}")).await;
        assert_eq!(res.status(), 422, "{q}");
    }
    // An update with a bad field changes nothing.
    let task = app.create_task(&bea, json!({ "title": "keep me" })).await;
    let one = format!("{path}/{}", task["id"]);
    let res = app
        .send_json(&bea, Method::PUT, &one, &json!({ "title": "" }))
        .await;
    assert_eq!(res.status(), 422);
    let same: Value = app.get_json(&bea, &one).await;
    assert_eq!(same["title"], "keep me");
    // Non-numeric ids name no task.
    let res = app.send(&bea, Method::GET, &format!("{path}/abc")).await;
    assert_eq!(res.status(), 404);
}

async fn filters_sorting_and_pagination(app: &TestApp) {
    let cy = app.api_user("cy@example.com").await;
    let specs = [
        ("Apple pie", "low", vec!["home"], Some("2026-12-03"), false),
        (
            "banana bread",
            "high",
            vec!["home", "baking"],
            Some("2026-12-01"),
            true,
        ),
        ("Cherry tart", "medium", vec!["baking"], None, false),
        ("Date night", "high", vec![], Some("2026-12-02"), true),
        ("Eggs benedict", "medium", vec!["brunch"], None, false),
    ];
    for (title, priority, tags, due, done) in &specs {
        let body = json!({ "title": title, "priority": priority, "tags": tags, "due_date": due, "completed": done, "description": format!("about {}", title.to_lowercase()) });
        app.create_task(&cy, body).await;
        // Distinct creation times for a stable created-order.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (all, total) = list(app, &cy, "").await;
    assert_eq!(total, 5);
    assert_eq!(
        titles(&all),
        [
            "Eggs benedict",
            "Date night",
            "Cherry tart",
            "banana bread",
            "Apple pie"
        ],
        "newest first by default"
    );

    let (pending, total) = list(app, &cy, "status=pending").await;
    assert_eq!((titles(&pending).len(), total), (3, 3));
    assert!(pending.iter().all(|t| t["completed"] == false));
    let (done, _) = list(app, &cy, "status=completed").await;
    assert_eq!(titles(&done), ["Date night", "banana bread"]);

    let (by_title, _) = list(app, &cy, "sort=title&order=asc").await;
    assert_eq!(
        titles(&by_title),
        [
            "Apple pie",
            "banana bread",
            "Cherry tart",
            "Date night",
            "Eggs benedict"
        ],
        "case-insensitive"
    );
    let (by_due, _) = list(app, &cy, "sort=due_date&order=asc").await;
    assert_eq!(
        titles(&by_due)[..3],
        ["banana bread", "Date night", "Apple pie"]
    );
    let (by_due_desc, _) = list(app, &cy, "sort=due_date&order=desc").await;
    assert_eq!(
        titles(&by_due_desc)[..3],
        ["Apple pie", "Date night", "banana bread"],
        "undated last either way"
    );
    let (by_priority, _) = list(app, &cy, "sort=priority&order=desc").await;
    assert!(by_priority[..2].iter().all(|t| t["priority"] == "high"));
    assert_eq!(by_priority[4]["priority"], "low");
    let (created_asc, _) = list(app, &cy, "sort=created&order=asc").await;
    assert_eq!(titles(&created_asc)[0], "Apple pie");

    let (baking, total) = list(app, &cy, "tag=Baking").await;
    assert_eq!(total, 2);
    assert_eq!(titles(&baking), ["Cherry tart", "banana bread"]);
    let (high, _) = list(app, &cy, "priority=high").await;
    assert_eq!(high.len(), 2);
    let (search, _) = list(app, &cy, "q=TART").await;
    assert_eq!(titles(&search), ["Cherry tart"]);
    let (search_desc, _) = list(app, &cy, "q=about%20date").await;
    assert_eq!(
        titles(&search_desc),
        ["Date night"],
        "searches descriptions"
    );
    let (nothing, total) = list(app, &cy, "q=%25").await;
    assert_eq!((nothing.len(), total), (0, 0), "LIKE wildcards are literal");
    let (combo, total) = list(
        app,
        &cy,
        "status=pending&tag=baking&priority=medium&q=cherry",
    )
    .await;
    assert_eq!((titles(&combo), total), (vec!["Cherry tart"], 1));

    let (page1, total) = list(app, &cy, "limit=2&sort=title&order=asc").await;
    let (page2, _) = list(app, &cy, "limit=2&offset=2&sort=title&order=asc").await;
    let (page3, _) = list(app, &cy, "limit=2&offset=4&sort=title&order=asc").await;
    assert_eq!(total, 5, "total is the whole filtered count");
    assert_eq!(titles(&page1), ["Apple pie", "banana bread"]);
    assert_eq!(titles(&page2), ["Cherry tart", "Date night"]);
    assert_eq!(titles(&page3), ["Eggs benedict"]);
}

/// Every endpoint and method, user B against user A's path and ids.
async fn isolation_matrix(app: &TestApp) {
    let a = app.api_user("alice@example.com").await;
    let b = app.api_user("bob@example.com").await;
    let task = app
        .create_task(&a, json!({ "title": "A's secret", "tags": ["private"] }))
        .await;
    let id = task["id"].as_i64().unwrap();
    let a_list = format!("/api/{}/tasks", a.id);
    let a_one = format!("/api/{}/tasks/{id}", a.id);
    let b_one = format!("/api/{}/tasks/{id}", b.id);
    let body = json!({ "title": "pwned", "completed": true });

    // B on A's paths: 403.
    for (method, path, with_body) in [
        (Method::GET, a_list.clone(), false),
        (Method::POST, a_list.clone(), true),
        (Method::GET, a_one.clone(), false),
        (Method::PUT, a_one.clone(), true),
        (Method::DELETE, a_one.clone(), false),
        (Method::PATCH, format!("{a_one}/complete"), false),
    ] {
        let mut req = app.api(&b, method.clone(), &path);
        if with_body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{method} {path}");
    }
    // B on their own path with A's id: 404, never revealing it exists.
    for (method, path, with_body) in [
        (Method::GET, b_one.clone(), false),
        (Method::PUT, b_one.clone(), true),
        (Method::DELETE, b_one.clone(), false),
        (Method::PATCH, format!("{b_one}/complete"), false),
    ] {
        let mut req = app.api(&b, method.clone(), &path);
        if with_body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 404, "{method} {path}");
    }
    // No token, a bad token: 401 everywhere.
    for path in [a_list.clone(), a_one.clone()] {
        let res = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 401);
        let res = app.bearer_get("x.y.z", &path).await;
        assert_eq!(res.status(), 401);
    }
    // B's list does not include it; A's data is unchanged.
    let (b_tasks, b_total) = list(app, &b, "").await;
    assert_eq!((b_tasks.len(), b_total), (0, 0));
    let (b_tagged, _) = list(app, &b, "tag=private").await;
    assert!(b_tagged.is_empty());
    let now: Value = app.get_json(&a, &a_one).await;
    assert_eq!(now, task);
}

async fn concurrent_creates_are_all_kept(app: &TestApp) {
    let dee = app.api_user("dee@example.com").await;
    let path = format!("/api/{}/tasks", dee.id);
    let mut handles = Vec::new();
    for i in 0..100 {
        let req = app
            .api(&dee, Method::POST, &path)
            .json(&json!({ "title": format!("task {i}"), "tags": ["bulk"] }));
        handles.push(tokio::spawn(
            async move { req.send().await.map(|r| r.status()) },
        ));
    }
    for h in handles {
        assert_eq!(h.await.unwrap().unwrap(), StatusCode::CREATED);
    }
    let (tasks, total) = list(app, &dee, "limit=200").await;
    assert_eq!((tasks.len(), total), (100, 100));
    let mut seen: Vec<&str> = titles(&tasks);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 100);
    let (_, tagged) = list(app, &dee, "tag=bulk").await;
    assert_eq!(tagged, 100);
}

async fn deleting_the_account_deletes_its_tasks(app: &TestApp) {
    let eve = app.api_user("eve@example.com").await;
    app.create_task(&eve, json!({ "title": "one" })).await;
    let res = app
        .auth_post(
            "/delete-user",
            json!({ "password": "password for tests" }),
            Some(&eve.signed.cookie),
        )
        .await;
    assert_eq!(res.status(), 200);
    let db = taskdeck::Database::connect(&app.config.database)
        .await
        .unwrap();
    let left: i64 = taskdeck::with_pool!(&db, |pool| sqlx::query_scalar(
        r#"SELECT COUNT(*) FROM "task" WHERE "user_id" = $1"#
    )
    .bind(&eve.id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(left, 0);
    db.close().await;
    // The still-unexpired JWT of a deleted account cannot create tasks.
    let res = app
        .send_json(
            &eve,
            Method::POST,
            &format!("/api/{}/tasks", eve.id),
            &json!({ "title": "ghost" }),
        )
        .await;
    assert_eq!(res.status(), 401);
}

/// The list is JSON the database builds; a single read is serialised by the server.
/// Both must describe every task identically, whatever its fields hold, and the
/// totals (kept by triggers in `task_count`) must follow every kind of write.
async fn list_items_match_single_reads_and_totals_follow_writes(app: &TestApp) {
    let fay = app.api_user("fay@example.com").await;
    let bodies = [
        json!({ "title": "Plain" }),
        json!({ "title": "Quote \" back\\slash ✓ 🎉 <b>", "description": "line one\nline two\ttab \u{1}", "priority": "high", "tags": ["a\"b", "ünï"], "due_date": "2026-02-28", "completed": true }),
        json!({ "title": "Low one", "priority": "low", "tags": [], "description": "  ", "due_date": null }),
        json!({ "title": "日本語のタスク", "priority": "medium", "tags": ["x", "y", "z"], "completed": false, "due_date": "2030-12-31" }),
    ];
    let mut created = Vec::new();
    for body in &bodies {
        created.push(app.create_task(&fay, body.clone()).await);
    }
    let tasks = format!("/api/{}/tasks", fay.id);
    let fay = &fay; // shared by the helper closures below
    let check_items = |items: Vec<Value>| async move {
        for item in items {
            let id = item["id"].as_i64().unwrap();
            let single = app
                .get_json(fay, &format!("/api/{}/tasks/{id}", fay.id))
                .await;
            assert_eq!(item, single, "list item vs single read");
        }
    };
    for sort in ["created", "updated", "title", "due_date", "priority"] {
        for order in ["asc", "desc"] {
            let (items, total) = list(app, fay, &format!("sort={sort}&order={order}")).await;
            assert_eq!((items.len(), total), (4, 4), "{sort} {order}");
            check_items(items).await;
        }
    }
    let (items, _) = list(app, fay, "").await;
    assert_eq!(items.iter().rev().cloned().collect::<Vec<_>>(), created);

    // Totals after every kind of write, against a recount of the full list.
    let expect = |done: usize, all: usize| async move {
        let (_, total) = list(app, fay, "").await;
        let (_, completed) = list(app, fay, "status=completed").await;
        let (_, pending) = list(app, fay, "status=pending").await;
        let (everything, _) = list(app, fay, "limit=200").await;
        let really_done = everything.iter().filter(|t| t["completed"] == true).count();
        assert_eq!((really_done, everything.len()), (done, all));
        assert_eq!(
            (total, completed, pending),
            (all as i64, done as i64, (all - done) as i64)
        );
    };
    expect(1, 4).await;
    let id = |n: usize| created[n]["id"].as_i64().unwrap();
    let send = |method: Method, path: String, body: Option<Value>| async move {
        let mut req = app.api(fay, method, &path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap().status()
    };
    // Each write, its expected status, then (completed, all) afterwards.
    let steps = [
        (
            Method::PATCH,
            format!("{tasks}/{}/complete", id(0)),
            None,
            200,
            (2, 4),
        ),
        (
            Method::PUT,
            format!("{tasks}/{}", id(1)),
            Some(json!({"completed": true})),
            200,
            (2, 4),
        ),
        (
            Method::PUT,
            format!("{tasks}/{}", id(1)),
            Some(json!({"completed": false})),
            200,
            (1, 4),
        ),
        (
            Method::DELETE,
            format!("{tasks}/{}", id(0)),
            None,
            204,
            (0, 3),
        ),
        (
            Method::DELETE,
            format!("{tasks}/{}", id(0)),
            None,
            404,
            (0, 3),
        ),
    ];
    for (method, path, body, status, (done, all)) in steps {
        let what = format!("{method} {path} {body:?}");
        assert_eq!(send(method, path, body).await, status, "{what}");
        expect(done, all).await;
    }
    // Past the end: an empty page, the same total.
    let (empty, total) = list(app, fay, "offset=50").await;
    assert_eq!((empty.len(), total), (0, 3));
}

/// Search, tag, status and priority together, paged: every filter binds its own
/// parameters, the count runs the same filter as the page, and `_` stays literal.
async fn combined_filters_page_and_count_together(app: &TestApp) {
    let gil = app.api_user("gil@example.com").await;
    let hal = app.api_user("hal@example.com").await;
    let specs = [
        ("Annual REPORT", None, vec!["work"], false, "high"),
        (
            "Budget slides",
            Some("Numbers for the Report"),
            vec!["work", "q3"],
            false,
            "medium",
        ),
        ("Cover report_draft", None, vec!["work"], false, "low"),
        ("Draft reportXdraft", None, vec!["work"], false, "medium"),
        ("Errata report", None, vec!["work"], true, "medium"),
        ("Family report", None, vec!["home"], false, "medium"),
        (
            "Garden plan",
            Some("no match"),
            vec!["work"],
            false,
            "medium",
        ),
    ];
    for (title, description, tags, completed, priority) in &specs {
        let body = json!({ "title": title, "description": description, "tags": tags, "completed": completed, "priority": priority });
        app.create_task(&gil, body).await;
    }
    app.create_task(&hal, json!({ "title": "Annual report", "tags": ["work"] }))
        .await;

    let combined = "status=pending&tag=work&q=report&sort=title&order=asc&limit=2";
    let (page1, total1) = list(app, &gil, combined).await;
    let (page2, total2) = list(app, &gil, &format!("{combined}&offset=2")).await;
    let (page3, total3) = list(app, &gil, &format!("{combined}&offset=4")).await;
    assert_eq!(titles(&page1), ["Annual REPORT", "Budget slides"]);
    assert_eq!(titles(&page2), ["Cover report_draft", "Draft reportXdraft"]);
    assert!(page3.is_empty());
    assert_eq!((total1, total2, total3), (4, 4, 4));

    let (low, total) = list(app, &gil, &format!("{combined}&priority=low")).await;
    assert_eq!((titles(&low), total), (vec!["Cover report_draft"], 1));
    let (literal, total) = list(app, &gil, "status=pending&tag=work&q=T_D").await;
    assert_eq!((titles(&literal), total), (vec!["Cover report_draft"], 1));
    let (done, total) = list(app, &gil, "status=completed&tag=work&q=REPORT").await;
    assert_eq!((titles(&done), total), (vec!["Errata report"], 1));
    let (theirs, total) = list(app, &hal, combined).await;
    assert_eq!((titles(&theirs), total), (vec!["Annual report"], 1));
}

db_tests!(
    crud_round_trip,
    validation_and_bad_input,
    filters_sorting_and_pagination,
    isolation_matrix,
    concurrent_creates_are_all_kept,
    deleting_the_account_deletes_its_tasks,
    list_items_match_single_reads_and_totals_follow_writes,
    combined_filters_page_and_count_together,
);
