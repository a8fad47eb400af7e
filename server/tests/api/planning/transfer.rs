//! Export and import: a round trip into another account keeps every field, in order, as
//! JSON and as CSV; a Todoist export imports; a bad file imports nothing and says which
//! rows are wrong.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{list_tasks, ApiUser, TestApp};
use crate::tasks::titles;

/// The fields an export carries over (not the ids, owner or dates the server sets).
fn portable(tasks: &[Value]) -> Vec<Value> {
    tasks
        .iter()
        .map(|t| {
            json!([
                t["title"],
                t["description"],
                t["completed"],
                t["priority"],
                t["tags"],
                t["due_date"],
                t["recurrence"]
            ])
        })
        .collect()
}

async fn export(app: &TestApp, who: &ApiUser, format: &str) -> (String, String) {
    let res = app
        .send(
            who,
            Method::GET,
            &format!("/api/{}/tasks/export?format={format}", who.id),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let kind = res.headers()["content-type"].to_str().unwrap().to_string();
    (kind, res.text().await.unwrap())
}

async fn import(app: &TestApp, who: &ApiUser, kind: &str, body: String) -> reqwest::Response {
    app.api(who, Method::POST, &format!("/api/{}/tasks/import", who.id))
        .header("content-type", kind)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn a_round_trip_into_another_account_keeps_every_field(app: &TestApp) {
    let ann = app.api_user("export@example.com").await;
    for body in [
        json!({ "title": "Pay rent", "description": "by transfer, \"quoted\"\nand two lines", "priority": "high", "tags": ["home", "bills"], "due_date": "2027-01-31", "recurrence": "FREQ=MONTHLY" }),
        json!({ "title": "Café, croissant", "completed": true, "priority": "low" }),
        json!({ "title": "=1+2 stays text", "tags": ["x"] }),
    ] {
        app.create_task(&ann, body).await;
    }
    let (mine, _) = list_tasks(app, &ann, "sort=created&order=asc").await;

    for (format, kind) in [("json", "application/json"), ("csv", "text/csv")] {
        let (content_type, file) = export(app, &ann, format).await;
        assert!(content_type.starts_with(kind), "{content_type}");
        let other = app.api_user(&format!("import-{format}@example.com")).await;
        let res = import(app, &other, kind, file).await;
        assert_eq!(res.status(), 200, "{format}");
        assert_eq!(res.json::<Value>().await.unwrap(), json!({ "imported": 3 }));
        let (theirs, _) = list_tasks(app, &other, "sort=created&order=asc").await;
        assert_eq!(portable(&theirs), portable(&mine), "{format}");
        assert!(theirs.iter().all(|t| t["user_id"] == other.id.as_str()));
    }
}

async fn a_todoist_export_imports(app: &TestApp) {
    let bea = app.api_user("todoist@example.com").await;
    let file = "TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DURATION,DURATION_UNIT\r\n\
task,Pay rent @home,,4,1,Ann (12345),,every month,en,Europe/Paris,,\r\n\
note,Bank transfer,,,,Ann (12345),,,en,Europe/Paris,,\r\n\
,,,,,,,,,,,\r\n\
section,Errands,,,,,,,,,,\r\n\
task,Buy milk,2% please,1,1,Ann (12345),,2026-12-05,en,Europe/Paris,,\r\n";
    let res = import(app, &bea, "text/csv", format!("\u{feff}{file}")).await;
    assert_eq!(res.status(), 200);
    let (tasks, _) = list_tasks(app, &bea, "sort=created&order=asc").await;
    assert_eq!(titles(&tasks), ["Pay rent", "Buy milk"]);
    assert_eq!(tasks[0]["tags"], json!(["home"]));
    assert_eq!(tasks[0]["priority"], "high");
    assert_eq!(tasks[0]["recurrence"], "FREQ=MONTHLY");
    assert_eq!(tasks[0]["description"], "Bank transfer");
    assert_eq!(tasks[1]["due_date"], "2026-12-05");
    assert_eq!(tasks[1]["priority"], "low");
}

async fn a_bad_file_imports_nothing_and_names_its_rows(app: &TestApp) {
    let cat = app.api_user("import-bad@example.com").await;
    let csv =
        "title,priority,completed\nfine,low,no\n,high,no\nalso fine,urgent,maybe\n".to_string();
    let res = import(app, &cat, "text/csv", csv).await;
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "VALIDATION_ERROR");
    let errors = problem["errors"].as_object().unwrap();
    assert!(errors.contains_key("row 3"), "{problem}");
    assert!(!errors.contains_key("row 1"), "{problem}");

    // A row that is not even a task is named first; then rows that break a rule.
    for (body, row) in [
        (json!([{ "title": "ok" }, { "title": "" }, 7]), "row 3"),
        (json!([{ "title": "ok" }, { "title": "" }]), "row 2"),
    ] {
        let res = import(app, &cat, "application/json", body.to_string()).await;
        assert_eq!(res.status(), 422);
        let problem: Value = res.json().await.unwrap();
        assert!(problem["errors"][row].is_array(), "{problem}");
    }

    let res = import(app, &cat, "text/plain", "title\nx\n".into()).await;
    assert_eq!(res.status(), 415);
    let res = import(app, &cat, "text/csv", "owner\nx\n".into()).await;
    assert_eq!(res.status(), 422);
    let res = import(app, &cat, "application/json", "{\"title\": \"x\"}".into()).await;
    assert_eq!(res.status(), 422);

    let (_, total) = list_tasks(app, &cat, "").await;
    assert_eq!(total, 0, "all or nothing");
    let res = app
        .send(
            &cat,
            Method::GET,
            &format!("/api/{}/tasks/export?format=xml", cat.id),
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .send(
            &cat,
            Method::GET,
            &format!("/api/{}/tasks/export?format=csv&format=null", cat.id),
        )
        .await;
    assert_eq!(res.status(), 422, "the last one given counts");
}

/// Settings' "Export my tasks" links and its import form (a file upload that works
/// without JavaScript), through the UI door with the session cookie.
async fn the_settings_page_exports_and_imports(app: &TestApp) {
    let eve = app.api_user("ui-export@example.com").await;
    for title in ["one", "two"] {
        app.create_task(&eve, json!({ "title": title, "tags": ["x"] }))
            .await;
    }
    let res = app
        .client
        .get(app.url("/api/ui/export?format=csv"))
        .header("cookie", &eve.signed.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("taskdeck-tasks.csv"));
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");

    let fay = app.api_user("ui-import@example.com").await;
    let upload = |file: &str| {
        let body = format!(
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"download\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n{file}\r\n--XyZ--\r\n"
        );
        app.client
            .post(app.url("/api/ui/import"))
            .header("cookie", &fay.signed.cookie)
            .header("origin", app.origin())
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
    };
    // A name that says nothing: the content says CSV.
    let res = upload(&csv).await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/settings?imported=2#transfer");
    let res = upload("title\n\n,\n").await.unwrap();
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/settings?import_error="), "{to}");
    let (tasks, _) = list_tasks(app, &fay, "sort=created&order=asc").await;
    assert_eq!(titles(&tasks), ["one", "two"]);
    assert_eq!(tasks[0]["tags"], json!(["x"]));
}

db_tests!(
    a_round_trip_into_another_account_keeps_every_field,
    a_todoist_export_imports,
    a_bad_file_imports_nothing_and_names_its_rows,
    the_settings_page_exports_and_imports
);
