//! Quick add: the words set priority, tags, due date and repetition, through the REST
//! API (`POST …/tasks/quick`) and the board's server function alike.

use chrono_tz::Tz;
use reqwest::Method;
use serde_json::{json, Value};

use super::{next_weekday, today_in};
use crate::helpers::TestApp;

async fn words_become_fields_over_rest(app: &TestApp) {
    let ann = app.api_user("quick@example.com").await;
    let path = format!("/api/{}/tasks/quick", ann.id);
    let tz: Tz = "Pacific/Kiritimati".parse().unwrap();
    let today = today_in(tz);
    let res = app
        .send_json(
            &ann,
            Method::POST,
            &path,
            &json!({ "text": "pay rent every month !high #Home #bills", "tz": tz.name() }),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("/api/{}/tasks/", ann.id)));
    let task: Value = res.json().await.unwrap();
    assert_eq!(task["title"], "pay rent");
    assert_eq!(task["priority"], "high");
    assert_eq!(task["tags"], json!(["home", "bills"]));
    assert_eq!(task["recurrence"], "FREQ=MONTHLY");
    assert_eq!(
        task["due_date"],
        today.to_string(),
        "a repetition starts today"
    );

    let friday = next_weekday(today_in(Tz::UTC), chrono::Weekday::Fri);
    let task: Value = app
        .send_json(
            &ann,
            Method::POST,
            &path,
            &json!({ "text": "meet at 2 friday p3" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(task["title"], "meet at 2");
    assert_eq!(task["priority"], "low");
    assert_eq!(task["due_date"], friday.to_string(), "UTC without tz");

    // Escapes keep words; words that only look like tokens stay.
    let task: Value = app
        .send_json(
            &ann,
            Method::POST,
            &path,
            &json!({ "text": "read \"tomorrow\" by \\#1 author today's pick" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(task["title"], "read tomorrow by #1 author today's pick");
    assert_eq!(task["due_date"], Value::Null);
    assert_eq!(task["tags"], json!([]));

    // All tokens: taken literally as the title rather than refused.
    let task: Value = app
        .send_json(&ann, Method::POST, &path, &json!({ "text": "tomorrow" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (task["title"].as_str(), &task["due_date"]),
        (Some("tomorrow"), &Value::Null)
    );
}

async fn bad_quick_add_is_a_422_naming_the_field(app: &TestApp) {
    let bea = app.api_user("quick-bad@example.com").await;
    let path = format!("/api/{}/tasks/quick", bea.id);
    for (body, field) in [
        (json!({}), "text"),
        (json!({ "text": 5 }), "text"),
        (json!({ "text": "   " }), "text"),
        (json!({ "text": "x".repeat(201) }), "text"),
        (json!({ "text": "ok", "tz": "Mars/Olympus" }), "tz"),
        (json!({ "text": "ok", "tz": null }), "tz"),
        (json!({ "text": "ok", "title": "no" }), "title"),
    ] {
        let res = app.send_json(&bea, Method::POST, &path, &body).await;
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "VALIDATION_ERROR");
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    let (tasks, total) = crate::helpers::list_tasks(app, &bea, "").await;
    assert_eq!((tasks.len(), total), (0, 0), "nothing was created");
}

/// The board's add box: the words win over the "More details" fields they name, and the
/// form's tags are kept beside the text's.
async fn the_add_box_parses_the_same_words(app: &TestApp) {
    let cat = app.api_user("quick-ui@example.com").await;
    let cookie = format!("{}; taskdeck.tz=Asia/Tokyo", cat.signed.cookie);
    let task = app
        .call_json(
            "create_task",
            Some(&cookie),
            None,
            &[
                ("title", "water plants every weekday !low #garden"),
                ("priority", "medium"),
                ("tags", "home"),
                ("description", "the ferns"),
            ],
        )
        .await;
    assert_eq!(task["title"], "water plants");
    assert_eq!(task["priority"], "low");
    assert_eq!(task["tags"], json!(["home", "garden"]));
    assert_eq!(task["description"], "the ferns");
    assert_eq!(task["recurrence"], "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR");
    assert_eq!(task["repeats"], "every weekday");
    let due = task["due_date"].as_str().unwrap();
    assert!(due >= today_in("Asia/Tokyo".parse().unwrap()).to_string().as_str());

    let chips = app
        .call_json(
            "preview_quick_add",
            Some(&cookie),
            None,
            &[("text", "call mum tomorrow !high #family")],
        )
        .await;
    assert_eq!(
        chips,
        json!(
            r#"<span class="chip">High priority</span><span class="chip">#family</span><span class="chip">Due tomorrow</span>"#
        )
    );
}

db_tests!(
    words_become_fields_over_rest,
    bad_quick_add_is_a_422_naming_the_field,
    the_add_box_parses_the_same_words
);
