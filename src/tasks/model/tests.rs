use super::*;
use serde_json::json;
use serde_json::{Map, Value};

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn new_task_rules() {
    let t = NewTask::from_json(&obj(
        json!({ "title": "  Buy milk  ", "tags": ["Home", "home", " errands "] }),
    ))
    .unwrap();
    assert_eq!(t.title, "Buy milk");
    assert_eq!(t.tags, vec!["home", "errands"]);
    assert_eq!(t.priority, Priority::Medium);
    let e = NewTask::from_json(&obj(json!({ "title": " ", "description": 5, "priority": "urgent", "due_date": "tomorrow", "extra": 1 }))).unwrap_err();
    for f in ["title", "description", "priority", "due_date", "extra"] {
        assert!(e.0.contains_key(f), "{f} in {e:?}");
    }
    let e = NewTask::from_json(&obj(json!({ "title": "x".repeat(201) }))).unwrap_err();
    assert!(e.0.contains_key("title"));
    assert!(NewTask::from_json(&obj(json!({})))
        .unwrap_err()
        .0
        .contains_key("title"));
}

#[test]
fn list_query_rules() {
    let q = ListQuery::from_pairs([
        ("status", "pending"),
        ("sort", "due_date"),
        ("order", "asc"),
        ("limit", "10"),
    ])
    .unwrap();
    assert_eq!(
        (q.status, q.sort, q.order, q.limit),
        (StatusFilter::Pending, SortKey::DueDate, SortOrder::Asc, 10)
    );
    let e = ListQuery::from_pairs([("limit", "500"), ("offset", "-1"), ("sort", "x")]).unwrap_err();
    assert_eq!(e.0.len(), 3);
    // Unknown keys are ignored, whatever they hold.
    assert_eq!(
        ListQuery::from_query([("x", "\0"), ("", "y")]).unwrap(),
        ListQuery::default()
    );
}

#[test]
fn the_forms_read_blank_as_default_and_the_api_refuses_it() {
    let blank = [
        ("status", ""),
        ("sort", " "),
        ("order", ""),
        ("priority", ""),
    ];
    assert_eq!(ListQuery::from_pairs(blank).unwrap(), ListQuery::default());
    let padded = ListQuery::from_pairs([("sort", " title "), ("order", "asc ")]).unwrap();
    assert_eq!(
        (padded.sort, padded.order),
        (SortKey::Title, SortOrder::Asc)
    );

    let e = ListQuery::from_query(blank).unwrap_err();
    assert_eq!(
        e.0.keys().collect::<Vec<_>>(),
        ["order", "priority", "sort", "status"]
    );
    for (key, value) in [
        ("sort", " title"),
        ("sort", "Title"),
        ("order", "asc "),
        ("status", "\tall"),
        ("priority", "HIGH"),
    ] {
        let e = ListQuery::from_query([(key, value)]).unwrap_err();
        assert!(e.0.contains_key(key), "{key}={value:?}");
    }
    let q = ListQuery::from_query([
        ("status", "completed"),
        ("sort", "priority"),
        ("order", "asc"),
        ("priority", "low"),
        ("q", "  milk "),
        ("tag", " HOME "),
        ("limit", "5"),
        ("offset", "9223372036854775807"),
    ])
    .unwrap();
    assert_eq!(
        q,
        ListQuery {
            status: StatusFilter::Completed,
            sort: SortKey::Priority,
            order: SortOrder::Asc,
            q: Some("milk".into()),
            tag: Some("home".into()),
            priority: Some(Priority::Low),
            limit: 5,
            offset: i64::MAX,
            ..ListQuery::default()
        }
    );
}

fn tag_errors(tags: Value) -> Option<Vec<String>> {
    NewTask::from_json(&obj(json!({ "title": "t", "tags": tags })))
        .err()
        .map(|e| e.0["tags"].clone())
}

#[test]
fn tags_are_checked_as_sent() {
    let t = NewTask::from_json(&obj(
        json!({ "title": "t", "tags": ["", "  ", " Home ", "HOME", &"x".repeat(32)] }),
    ))
    .unwrap();
    assert_eq!(t.tags, vec!["home".to_string(), "x".repeat(32)]);
    // Eleven as sent is too many, even when fewer remain after normalising.
    assert!(tag_errors(json!(vec!["a"; 11])).is_some());
    assert!(tag_errors(json!(["", "", "", "", "", "", "", "", "", "", "a"])).is_some());
    assert!(tag_errors(json!(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])).is_none());
    for bad in [
        format!(" {}", "x".repeat(32)),
        "x".repeat(33),
        "a,b".into(),
        "tab\t".into(),
        "\nnew".into(),
        "nul\0".into(),
        "c1\u{85}".into(),
        "del\u{7f}".into(),
    ] {
        assert!(tag_errors(json!([bad])).is_some(), "{bad:?}");
    }
    // Lower-casing never makes a tag longer: İ becomes i.
    let t = NewTask::from_json(&obj(json!({ "title": "t", "tags": ["İ".repeat(32)] }))).unwrap();
    assert_eq!(t.tags, vec!["i".repeat(32)]);
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let s = c.to_string();
        assert_eq!(lowercase_tag(&s).chars().count(), 1, "{c:?}");
    }
    assert_eq!(lowercase_tag("ΟΔΟΣ"), "ΟΔΟΣ".to_lowercase());
}

#[test]
fn titles_are_measured_as_sent() {
    assert!(NewTask::from_json(&obj(json!({ "title": "x".repeat(200) }))).is_ok());
    let padded = format!(" {} ", "x".repeat(199));
    assert!(NewTask::from_json(&obj(json!({ "title": padded })))
        .unwrap_err()
        .0
        .contains_key("title"));
    for blank in ["", " ", "\u{3000}\t\n"] {
        assert!(NewTask::from_json(&obj(json!({ "title": blank }))).is_err());
    }
}

#[test]
fn due_dates_are_exactly_yyyy_mm_dd_or_null() {
    for good in ["2026-12-31", "2024-02-29", "0001-01-01", "9999-12-31"] {
        let t = NewTask::from_json(&obj(json!({ "title": "t", "due_date": good }))).unwrap();
        assert_eq!(t.due_date.unwrap().to_string(), good);
    }
    let none = TaskPatch::from_json(&obj(json!({ "due_date": null }))).unwrap();
    assert_eq!(none.due_date, Some(None));
    for bad in [
        "",
        " ",
        " 2026-12-31",
        "2026-12-31 ",
        "2026-1-31",
        "+2026-12-31",
        "2023-02-29",
        "2026-13-01",
        "20261-12-31",
        "2026/12/31",
    ] {
        for e in [
            NewTask::from_json(&obj(json!({ "title": "t", "due_date": bad }))).unwrap_err(),
            TaskPatch::from_json(&obj(json!({ "due_date": bad }))).unwrap_err(),
        ] {
            assert!(e.0.contains_key("due_date"), "{bad:?}");
        }
    }
}

/// "Today" is the user's: at one instant either side of midnight UTC, zones a day apart
/// see different dates, and quick add's words follow them.
#[test]
fn today_is_the_users_on_both_sides_of_midnight() {
    use chrono::{NaiveDate, TimeZone, Utc};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let zone = |name: &str| parse_time_zone(name).unwrap();
    let cases = [
        // (UTC instant, zone, its date)
        (
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap(),
            "UTC",
            day(2026, 12, 31),
        ),
        (
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap(),
            "Europe/Paris",
            day(2027, 1, 1),
        ),
        (
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap(),
            "America/New_York",
            day(2026, 12, 31),
        ),
        (
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 30, 0).unwrap(),
            "America/Los_Angeles",
            day(2026, 12, 31),
        ),
        (
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 30, 0).unwrap(),
            "Pacific/Kiritimati",
            day(2027, 1, 1),
        ),
        (
            Utc.with_ymd_and_hms(2028, 2, 28, 20, 0, 0).unwrap(),
            "Asia/Tokyo",
            day(2028, 2, 29),
        ),
    ];
    for (now, name, expected) in cases {
        assert_eq!(today_in(zone(name), now), expected, "{name} at {now}");
    }
    // "tomorrow" typed at 23:30 UTC on New Year's Eve: in Paris it is already 2027.
    let now = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
    let due = |name: &str| {
        crate::tasks::quick_add::parse("party tomorrow", today_in(zone(name), now)).due_date
    };
    assert_eq!(due("UTC"), Some(day(2027, 1, 1)));
    assert_eq!(due("Europe/Paris"), Some(day(2027, 1, 2)));
    assert!(parse_time_zone("Mars/Olympus").is_none());
}
