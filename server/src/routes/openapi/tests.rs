//! The document against the core's real types and rules (the running API is checked by
//! `server/tests/api/openapi/`).

use std::collections::BTreeSet;

use serde_json::Value;
use taskdeck::tasks;

use super::schemas::TAG_PATTERN;

/// The document as served: generated from the documented routes, serialized and read back.
fn document() -> Value {
    let doc = crate::routes::documented().into_openapi();
    serde_json::from_str(&doc.to_pretty_json().unwrap()).unwrap()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn enum_values(doc: &Value, name: &str) -> Vec<Value> {
    doc["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} is an enum"))
        .clone()
}

#[test]
fn task_schema_lists_every_field_of_the_real_type() {
    let task = tasks::Task {
        id: 1,
        user_id: "u".into(),
        title: "t".into(),
        description: None,
        completed: false,
        priority: tasks::Priority::High,
        tags: vec![],
        due_date: None,
        recurrence: None,
        position: Some("0000000000000001V".into()),
        created_at: taskdeck::storage::Ts::now(),
        updated_at: taskdeck::storage::Ts::now(),
    };
    let json = serde_json::to_value(&task).unwrap();
    let doc = document();
    let schema = &doc["components"]["schemas"]["Task"];
    assert_eq!(keys(&schema["properties"]), keys(&json));
    let required: BTreeSet<String> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(required, keys(&json), "every key is always present");
}

fn serialized<T: serde::Serialize>(values: &[T]) -> Vec<Value> {
    values
        .iter()
        .map(|v| serde_json::to_value(v).unwrap())
        .collect()
}

#[test]
fn enums_match_the_core_types() {
    use tasks::{Priority as P, SortKey as K, SortOrder as O, StatusFilter as S};
    let doc = document();
    let priorities = serialized(&[P::Low, P::Medium, P::High]);
    assert_eq!(enum_values(&doc, "Priority"), priorities);
    // The list query's enums are inlined into its parameters.
    let list = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"].clone();
    let param = |name: &str| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("parameter {name}"))["schema"]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .clone()
    };
    assert_eq!(
        param("status"),
        serialized(&[S::All, S::Pending, S::Completed])
    );
    assert_eq!(
        param("sort"),
        serialized(&[
            K::Created,
            K::Updated,
            K::Title,
            K::DueDate,
            K::Priority,
            K::Position
        ])
    );
    assert_eq!(
        param("view"),
        serialized(&[tasks::View::All, tasks::View::Today, tasks::View::Upcoming])
    );
    assert_eq!(param("order"), serialized(&[O::Asc, O::Desc]));
    assert_eq!(param("priority"), priorities);
}

#[test]
fn limits_match_the_core_rules() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    for name in ["Task", "NewTask", "TaskUpdate"] {
        let p = &schemas[name]["properties"];
        assert_eq!(p["title"]["maxLength"], tasks::model::TITLE_MAX, "{name}");
        assert_eq!(
            p["description"]["maxLength"],
            tasks::model::DESCRIPTION_MAX,
            "{name}"
        );
        assert_eq!(p["tags"]["maxItems"], tasks::model::TAGS_MAX, "{name}");
        assert_eq!(
            p["tags"]["items"]["maxLength"],
            tasks::model::TAG_MAX_LEN,
            "{name}"
        );
    }
    let list = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    let limit = list.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["schema"]["maximum"], tasks::model::LIMIT_MAX);
    assert_eq!(limit["schema"]["default"], tasks::model::LIMIT_DEFAULT);
    let offset = list.iter().find(|p| p["name"] == "offset").unwrap();
    assert_eq!(
        offset["schema"]["maximum"],
        i64::MAX,
        "the offsets that parse"
    );
}

/// The characters a negated class (`[^...]`, with `\uXXXX`, literal characters and
/// ranges) leaves out.
fn negated_class(class: &str) -> impl Fn(char) -> bool {
    let body = class
        .strip_prefix("[^")
        .and_then(|c| c.strip_suffix(']'))
        .unwrap_or_else(|| panic!("{class} is a negated class"));
    let mut chars = Vec::new();
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        if let Some(hex) = rest.strip_prefix("\\u") {
            chars.push(char::from_u32(u32::from_str_radix(&hex[..4], 16).unwrap()).unwrap());
            rest = &hex[4..];
        } else {
            assert_ne!(c, '\\', "only \\u escapes in {class}");
            chars.push(c);
            rest = &rest[c.len_utf8()..];
        }
        if let Some(after) = rest.strip_prefix('-') {
            chars.push('-');
            rest = after;
        }
    }
    // Pairs around '-' are ranges; everything else is a single character.
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars.get(i + 1) == Some(&'-') && i + 2 < chars.len() {
            ranges.push((chars[i], chars[i + 2]));
            i += 3;
        } else {
            ranges.push((chars[i], chars[i]));
            i += 1;
        }
    }
    move |c| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))
}

fn every_char() -> impl Iterator<Item = char> {
    (0..=0x10FFFF).filter_map(char::from_u32)
}

/// The body patterns leave out exactly the characters the core's rules refuse.
#[test]
fn patterns_match_the_core_rules() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let no_nul = "^[^\\u0000]*$";
    for name in ["NewTask", "TaskUpdate"] {
        let p = &schemas[name]["properties"];
        // Tags: no comma, no control character (`tag_is_invalid`).
        let tag = p["tags"]["items"]["pattern"].as_str().unwrap();
        assert_eq!(tag, TAG_PATTERN, "{name}");
        let class = tag.strip_prefix('^').unwrap().strip_suffix("*$").unwrap();
        let excluded = negated_class(class);
        for c in every_char() {
            let refused = tasks::model::tag_is_invalid(&c.to_string());
            assert_eq!(excluded(c), refused, "{name}: tag character {c:?}");
        }
        assert!(
            p["tags"]["items"].get("minLength").is_none(),
            "blank tags are dropped"
        );
        // Title: no NUL, and something besides the white space `trim` removes.
        let title = p["title"]["pattern"].as_str().unwrap();
        let middle = title
            .strip_prefix("^[^\\u0000]*")
            .and_then(|t| t.strip_suffix("[^\\u0000]*$"))
            .unwrap_or_else(|| panic!("{title}"));
        let blank = negated_class(middle);
        for c in every_char() {
            assert_eq!(
                blank(c),
                c == '\0' || c.is_whitespace(),
                "{name}: title {c:?}"
            );
        }
        assert_eq!(p["description"]["pattern"], no_nul, "{name}");
    }
    let list = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"].clone();
    for name in ["q", "tag"] {
        let param = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap();
        assert_eq!(param["schema"]["pattern"], no_nul, "{name}");
    }
    assert!(negated_class("[^\\u0000]")('\0'));
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The error sets point at shared responses: every reference resolves, and every shared
/// response is used.
#[test]
fn references_resolve_and_shared_responses_are_used() {
    let doc = document();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    for r in &refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r} is local"));
        assert!(doc.pointer(pointer).is_some(), "{r} resolves");
    }
    let used: BTreeSet<&str> = refs
        .iter()
        .filter_map(|r| r.strip_prefix("#/components/responses/"))
        .collect();
    let shared = keys(&doc["components"]["responses"]);
    assert_eq!(
        shared,
        used.into_iter().map(String::from).collect::<BTreeSet<_>>()
    );
}
