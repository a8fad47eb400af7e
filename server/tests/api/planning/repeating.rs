//! Repeating tasks: `recurrence` is validated and stored canonically; completing a
//! repeating task creates its next open occurrence in the same write (announced on the
//! live stream too), and reopening it takes that occurrence back.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{list_tasks, TestApp};
use crate::tasks::titles;

async fn completing_brings_the_next_occurrence_and_reopening_takes_it_back(app: &TestApp) {
    let ann = app.api_user("repeat@example.com").await;
    let task = app
        .create_task(&ann, json!({ "title": "Pay rent", "due_date": "2027-01-31", "recurrence": "rrule:freq=monthly", "tags": ["home"], "priority": "high" }))
        .await;
    assert_eq!(
        task["recurrence"], "FREQ=MONTHLY",
        "stored in its canonical spelling"
    );
    let path = format!("/api/{}/tasks/{}", ann.id, task["id"]);

    let mut events = app.task_events(&ann, None).await;
    events.expect("ready").await;

    let done: Value = app
        .send(&ann, Method::PATCH, &format!("{path}/complete"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["completed"], true);
    let created = events.expect("created").await.json();
    assert_eq!(events.expect("completed").await.json()["id"], task["id"]);

    let (open, _) = list_tasks(app, &ann, "status=pending").await;
    assert_eq!(open.len(), 1);
    let next = &open[0];
    assert_eq!(next["id"], created["id"]);
    assert_eq!(next["title"], "Pay rent");
    assert_eq!(
        next["due_date"], "2027-02-28",
        "a month after Jan 31 is the month's last day"
    );
    assert_eq!(next["recurrence"], "FREQ=MONTHLY");
    assert_eq!(next["tags"], json!(["home"]));
    assert_eq!(next["priority"], "high");

    // Undo the completion: the occurrence it created goes again.
    let reopened: Value = app
        .send(&ann, Method::PATCH, &format!("{path}/complete"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reopened["completed"], false);
    assert_eq!(events.expect("deleted").await.json()["id"], created["id"]);
    let (all, total) = list_tasks(app, &ann, "").await;
    assert_eq!((titles(&all), total), (vec!["Pay rent"], 1));

    // Completing the occurrence itself carries on from its own date.
    app.send(&ann, Method::PATCH, &format!("{path}/complete"))
        .await;
    let (open, _) = list_tasks(app, &ann, "status=pending").await;
    let second = format!("/api/{}/tasks/{}", ann.id, open[0]["id"]);
    app.send(&ann, Method::PATCH, &format!("{second}/complete"))
        .await;
    let (open, _) = list_tasks(app, &ann, "status=pending").await;
    assert_eq!(open[0]["due_date"], "2027-03-28");
    // Reopening the first no longer touches the second's completed occurrence.
    app.send(&ann, Method::PATCH, &format!("{path}/complete"))
        .await;
    let (_, total) = list_tasks(app, &ann, "").await;
    assert_eq!(total, 3);
}

async fn the_board_completes_a_weekly_task(app: &TestApp) {
    let bea = app.api_user("repeat-ui@example.com").await;
    let task = app
        .create_task(&bea, json!({ "title": "Team sync", "due_date": "2027-03-05", "recurrence": "FREQ=WEEKLY;BYDAY=FR,MO" }))
        .await;
    let cookie = bea.signed.cookie.clone();
    let done = app
        .call_json(
            "toggle_task",
            Some(&cookie),
            None,
            &[("id", &task["id"].to_string())],
        )
        .await;
    assert_eq!(done["completed"], true);
    let (open, _) = list_tasks(app, &bea, "status=pending").await;
    assert_eq!(open[0]["due_date"], "2027-03-08", "Friday's next is Monday");
    assert_eq!(open[0]["recurrence"], "FREQ=WEEKLY;BYDAY=MO,FR");
}

async fn recurrence_is_validated_and_can_be_cleared(app: &TestApp) {
    let cat = app.api_user("repeat-bad@example.com").await;
    let path = format!("/api/{}/tasks", cat.id);
    for rule in [
        "",
        "FREQ=HOURLY",
        "FREQ=DAILY;COUNT=3",
        "FREQ=MONTHLY;BYDAY=MO",
        "FREQ=DAILY;INTERVAL=0",
        "every day",
    ] {
        let res = app
            .send_json(
                &cat,
                Method::POST,
                &path,
                &json!({ "title": "x", "recurrence": rule }),
            )
            .await;
        assert_eq!(res.status(), 422, "{rule:?}");
        let problem: Value = res.json().await.unwrap();
        assert!(
            problem["errors"]["recurrence"].is_array(),
            "{rule:?}: {problem}"
        );
    }
    let task = app
        .create_task(
            &cat,
            json!({ "title": "x", "recurrence": "FREQ=DAILY;INTERVAL=2" }),
        )
        .await;
    let one = format!("{path}/{}", task["id"]);
    let cleared: Value = app
        .send_json(&cat, Method::PUT, &one, &json!({ "recurrence": null }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["recurrence"], Value::Null);
    // A one-off task completes without a successor.
    app.send(&cat, Method::PATCH, &format!("{one}/complete"))
        .await;
    let (_, total) = list_tasks(app, &cat, "").await;
    assert_eq!(total, 1);
}

db_tests!(
    completing_brings_the_next_occurrence_and_reopening_takes_it_back,
    the_board_completes_a_weekly_task,
    recurrence_is_validated_and_can_be_cleared
);
