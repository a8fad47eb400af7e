//! Today and Upcoming: open tasks due today or before (overdue first), and those due in
//! the seven days after today, both by date then priority; "today" is the caller's.

use chrono::Days;
use chrono_tz::Tz;
use serde_json::json;

use super::today_in;
use crate::helpers::{list_tasks, TestApp};
use crate::tasks::titles;

async fn today_and_upcoming_in_the_callers_zone(app: &TestApp) {
    let ann = app.api_user("views@example.com").await;
    // Two zones exactly a day apart (UTC+14, UTC-10): "today" in one is "tomorrow" in the other.
    let (east, west): (Tz, Tz) = (
        "Pacific/Kiritimati".parse().unwrap(),
        "Pacific/Honolulu".parse().unwrap(),
    );
    let today = today_in(east);
    let day = |n: i64| {
        if n >= 0 {
            today + Days::new(n as u64)
        } else {
            today - Days::new((-n) as u64)
        }
        .to_string()
    };
    for (title, due, priority, completed) in [
        ("old", Some(day(-3)), "low", false),
        ("yesterday", Some(day(-1)), "high", false),
        ("today low", Some(day(0)), "low", false),
        ("today high", Some(day(0)), "high", false),
        ("done today", Some(day(0)), "high", true),
        ("tomorrow", Some(day(1)), "medium", false),
        ("in a week", Some(day(7)), "medium", false),
        ("in eight days", Some(day(8)), "medium", false),
        ("someday", None, "medium", false),
    ] {
        app.create_task(&ann, json!({ "title": title, "due_date": due, "priority": priority, "completed": completed }))
            .await;
    }

    let (tasks, total) = list_tasks(app, &ann, &format!("view=today&tz={}", east.name())).await;
    assert_eq!(
        titles(&tasks),
        ["old", "yesterday", "today high", "today low"]
    );
    assert_eq!(total, 4);

    let (tasks, total) = list_tasks(app, &ann, &format!("view=upcoming&tz={}", east.name())).await;
    assert_eq!(titles(&tasks), ["tomorrow", "in a week"]);
    assert_eq!(total, 2);

    // A day behind, "today" there is the day before: nothing is due today yet, and
    // what is due in the east's today is upcoming.
    let (tasks, _) = list_tasks(app, &ann, &format!("view=today&tz={}", west.name())).await;
    assert_eq!(titles(&tasks), ["old", "yesterday"]);
    let (tasks, _) = list_tasks(app, &ann, &format!("view=upcoming&tz={}", west.name())).await;
    assert_eq!(titles(&tasks), ["today high", "today low", "tomorrow"]);

    // Other filters still apply inside a view.
    let (tasks, _) = list_tasks(
        app,
        &ann,
        &format!("view=today&tz={}&priority=high", east.name()),
    )
    .await;
    assert_eq!(titles(&tasks), ["yesterday", "today high"]);
}

async fn bad_view_or_zone_is_a_422(app: &TestApp) {
    let bea = app.api_user("views-bad@example.com").await;
    for (query, field) in [
        ("view=tomorrow", "view"),
        ("view=", "view"),
        ("tz=Mars/Olympus", "tz"),
    ] {
        let res = app
            .send(
                &bea,
                reqwest::Method::GET,
                &format!("/api/{}/tasks?{query}", bea.id),
            )
            .await;
        assert_eq!(res.status(), 422, "{query}");
        let problem: serde_json::Value = res.json().await.unwrap();
        assert!(problem["errors"][field].is_array(), "{query}: {problem}");
    }
}

db_tests!(
    today_and_upcoming_in_the_callers_zone,
    bad_view_or_zone_is_a_422
);
