//! Listing: filters, sorting and pagination, alone and combined; list items are the
//! single reads' JSON, field for field, and totals follow writes.

use reqwest::Method;
use serde_json::{json, Value};

use super::titles;
use crate::helpers::{list_tasks as list, TestApp};

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
    filters_sorting_and_pagination,
    list_items_match_single_reads_and_totals_follow_writes,
    combined_filters_page_and_count_together,
);
