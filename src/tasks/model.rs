//! Task domain types and the validation rules for input, shared by the REST API and
//! the server functions (one implementation of the rules, two doors).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::storage::Ts;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 1000;
pub const TAG_MAX_LEN: usize = 32;
pub const TAGS_MAX: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
}

impl Priority {
    /// Stored as 0/1/2 so that sorting by priority is an index walk.
    pub fn as_i16(self) -> i16 {
        match self {
            Priority::Low => 0,
            Priority::Medium => 1,
            Priority::High => 2,
        }
    }
    pub fn from_i16(v: i16) -> Self {
        match v {
            i16::MIN..=0 => Priority::Low,
            1 => Priority::Medium,
            _ => Priority::High,
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Priority::Low),
            "medium" => Some(Priority::Medium),
            "high" => Some(Priority::High),
            _ => None,
        }
    }
}

/// A task as the API returns it (snake_case, as the original FastAPI service had).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: i64,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub due_date: Option<NaiveDate>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// The row as stored; converted to [`Task`].
#[derive(Debug, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub user_id: String,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub priority: i16,
    pub tags: String,
    pub due_date: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

impl From<TaskRow> for Task {
    fn from(r: TaskRow) -> Self {
        Task {
            id: r.id,
            user_id: r.user_id,
            title: r.title,
            description: r.description,
            completed: r.completed,
            priority: Priority::from_i16(r.priority),
            tags: serde_json::from_str(&r.tags).unwrap_or_default(),
            due_date: r
                .due_date
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Field → reasons; rendered as a 422 that names each invalid field.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, reason: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_default()
            .push(reason.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// One line for humans: `title: must not be empty; due_date: ...`.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A validated new task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub due_date: Option<NaiveDate>,
}

/// A validated partial update: `None` leaves a field alone; `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub completed: Option<bool>,
    pub priority: Option<Priority>,
    pub tags: Option<Vec<String>>,
    pub due_date: Option<Option<NaiveDate>>,
}

const FIELDS: [&str; 6] = [
    "title",
    "description",
    "completed",
    "priority",
    "tags",
    "due_date",
];

fn title(v: &Value, errors: &mut FieldErrors) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => {
            errors.add("title", "must not contain NUL characters");
            None
        }
        // The length as sent, like `description` and each tag (and the OpenAPI document's
        // `maxLength`): padding counts.
        Value::String(s) if s.chars().count() > TITLE_MAX => {
            errors.add("title", format!("must be at most {TITLE_MAX} characters"));
            None
        }
        Value::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                errors.add("title", "must not be empty");
                None
            } else {
                Some(t.to_string())
            }
        }
        _ => {
            errors.add("title", "must be a string");
            None
        }
    }
}

fn description(v: &Value, errors: &mut FieldErrors) -> Option<Option<String>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) if s.contains('\0') => {
            errors.add("description", "must not contain NUL characters");
            None
        }
        Value::String(s) if s.chars().count() > DESCRIPTION_MAX => {
            errors.add(
                "description",
                format!("must be at most {DESCRIPTION_MAX} characters"),
            );
            None
        }
        Value::String(s) => {
            let s = s.trim();
            Some((!s.is_empty()).then(|| s.to_string()))
        }
        _ => {
            errors.add("description", "must be a string or null");
            None
        }
    }
}

fn boolean(field: &str, v: &Value, errors: &mut FieldErrors) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => {
            errors.add(field, "must be true or false");
            None
        }
    }
}

fn priority(v: &Value, errors: &mut FieldErrors) -> Option<Priority> {
    match v.as_str().and_then(Priority::parse) {
        Some(p) => Some(p),
        None => {
            errors.add("priority", "must be one of low, medium, high");
            None
        }
    }
}

/// Lower-cases a tag (or a tag filter) without changing its length in characters:
/// `İ` (U+0130), the one character whose lower case is two characters, becomes `i`.
pub fn lowercase_tag(s: &str) -> String {
    s.replace('\u{130}', "i").to_lowercase()
}

/// Whether a tag, as sent, breaks the rules: more than [`TAG_MAX_LEN`] characters, a
/// comma, or a control character (the OpenAPI document's `maxLength` and `pattern`).
pub fn tag_is_invalid(tag: &str) -> bool {
    tag.chars().count() > TAG_MAX_LEN || tag.contains(',') || tag.chars().any(char::is_control)
}

/// Tags: at most [`TAGS_MAX`] as sent, each checked as sent (see [`tag_is_invalid`]),
/// then trimmed, lower-cased and de-duplicated; blank ones are dropped.
pub fn normalize_tags<'a>(
    raw: impl IntoIterator<Item = &'a str>,
    errors: &mut FieldErrors,
) -> Vec<String> {
    let raw: Vec<&str> = raw.into_iter().collect();
    if raw.len() > TAGS_MAX {
        errors.add("tags", format!("at most {TAGS_MAX} tags"));
    }
    if raw.iter().any(|tag| tag_is_invalid(tag)) {
        errors.add(
            "tags",
            format!(
                "each tag must be at most {TAG_MAX_LEN} characters, without commas or control \
                 characters"
            ),
        );
    }
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        if tag_is_invalid(tag) {
            continue;
        }
        let tag = lowercase_tag(tag.trim());
        if !tag.is_empty() && !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

fn tags(v: &Value, errors: &mut FieldErrors) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Array(items) if items.iter().all(Value::is_string) => Some(normalize_tags(
            items.iter().filter_map(Value::as_str),
            errors,
        )),
        _ => {
            errors.add("tags", "must be a list of strings");
            None
        }
    }
}

/// A date spelled exactly `YYYY-MM-DD` (RFC 3339's full-date, the OpenAPI `date`
/// format): no padding, no other spelling, a real day.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return None;
    }
    NaiveDate::from_ymd_opt(
        s[0..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..10].parse().ok()?,
    )
}

/// `null` means no date; anything else must be a date (an empty string is refused, as
/// the document's `date` format says: the UI's forms send a blank field as `null`).
fn due_date(v: &Value, errors: &mut FieldErrors) -> Option<Option<NaiveDate>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) => match parse_date(s) {
            Some(d) => Some(Some(d)),
            None => {
                errors.add("due_date", "must be a date like 2026-12-31, or null");
                None
            }
        },
        _ => {
            errors.add("due_date", "must be a date string or null");
            None
        }
    }
}

fn unknown_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
    for key in body.keys() {
        if !FIELDS.contains(&key.as_str()) {
            errors.add(key, "unknown field");
        }
    }
}

impl NewTask {
    /// Validates a JSON object into a new task, collecting every problem at once.
    pub fn from_json(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        unknown_fields(body, &mut errors);
        let title = match body.get("title") {
            Some(v) => title(v, &mut errors),
            None => {
                errors.add("title", "is required");
                None
            }
        };
        let description = body
            .get("description")
            .and_then(|v| description(v, &mut errors));
        let completed = body
            .get("completed")
            .and_then(|v| boolean("completed", v, &mut errors));
        let priority = body.get("priority").and_then(|v| priority(v, &mut errors));
        let tags = body.get("tags").and_then(|v| tags(v, &mut errors));
        let due_date = body.get("due_date").and_then(|v| due_date(v, &mut errors));
        match title {
            Some(title) if errors.is_empty() => Ok(NewTask {
                title,
                description: description.flatten(),
                completed: completed.unwrap_or(false),
                priority: priority.unwrap_or_default(),
                tags: tags.unwrap_or_default(),
                due_date: due_date.flatten(),
            }),
            _ => Err(errors),
        }
    }
}

impl TaskPatch {
    pub fn from_json(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        unknown_fields(body, &mut errors);
        let patch = TaskPatch {
            title: body.get("title").and_then(|v| title(v, &mut errors)),
            description: body
                .get("description")
                .and_then(|v| description(v, &mut errors)),
            completed: body
                .get("completed")
                .and_then(|v| boolean("completed", v, &mut errors)),
            priority: body.get("priority").and_then(|v| priority(v, &mut errors)),
            tags: body.get("tags").and_then(|v| tags(v, &mut errors)),
            due_date: body.get("due_date").and_then(|v| due_date(v, &mut errors)),
        };
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == TaskPatch::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    #[default]
    All,
    Pending,
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Created,
    Updated,
    Title,
    DueDate,
    Priority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

pub const LIMIT_DEFAULT: i64 = 50;
pub const LIMIT_MAX: i64 = 200;

/// A validated list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub status: StatusFilter,
    pub sort: SortKey,
    pub order: SortOrder,
    pub q: Option<String>,
    pub tag: Option<String>,
    pub priority: Option<Priority>,
    pub limit: i64,
    pub offset: i64,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            status: StatusFilter::All,
            sort: SortKey::Created,
            order: SortOrder::Desc,
            q: None,
            tag: None,
            priority: None,
            limit: LIMIT_DEFAULT,
            offset: 0,
        }
    }
}

/// The list's query parameters; any other key is ignored.
const LIST_KEYS: [&str; 8] = [
    "status", "sort", "order", "q", "tag", "priority", "limit", "offset",
];

impl ListQuery {
    /// Parses the UI's filter fields: a blank field means its default, and values are
    /// trimmed. Unknown keys are ignored; bad values are reported by name.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FieldErrors> {
        Self::parse(pairs, false)
    }

    /// Parses the REST API's query string as its OpenAPI document describes it: `status`,
    /// `sort`, `order` and `priority` must be one of their values exactly, so a blank or
    /// padded one (`?sort=`) is refused like any unknown one (as the original FastAPI
    /// service refused a value outside an enum). Otherwise as [`Self::from_pairs`].
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, FieldErrors> {
        Self::parse(pairs, true)
    }

    fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        exact: bool,
    ) -> Result<Self, FieldErrors> {
        let mut q = ListQuery::default();
        let mut errors = FieldErrors::default();
        for (key, raw) in pairs {
            if !LIST_KEYS.contains(&key) {
                continue;
            }
            // NUL can never match stored text (and PostgreSQL refuses it outright).
            if raw.contains('\0') {
                errors.add(key, "must not contain NUL characters");
                continue;
            }
            let value = raw.trim();
            // The value of an enum parameter, and whether it asks for the default.
            let choice = if exact { raw } else { value };
            let default = !exact && value.is_empty();
            match key {
                "status" => match choice {
                    _ if default => q.status = StatusFilter::All,
                    "all" => q.status = StatusFilter::All,
                    "pending" => q.status = StatusFilter::Pending,
                    "completed" => q.status = StatusFilter::Completed,
                    _ => errors.add("status", "must be one of all, pending, completed"),
                },
                "sort" => match choice {
                    _ if default => q.sort = SortKey::Created,
                    "created" => q.sort = SortKey::Created,
                    "updated" => q.sort = SortKey::Updated,
                    "title" => q.sort = SortKey::Title,
                    "due_date" => q.sort = SortKey::DueDate,
                    "priority" => q.sort = SortKey::Priority,
                    _ => errors.add(
                        "sort",
                        "must be one of created, updated, title, due_date, priority",
                    ),
                },
                "order" => match choice {
                    _ if default => q.order = SortOrder::Desc,
                    "asc" => q.order = SortOrder::Asc,
                    "desc" => q.order = SortOrder::Desc,
                    _ => errors.add("order", "must be asc or desc"),
                },
                "priority" => match Priority::parse(choice) {
                    _ if default => q.priority = None,
                    Some(p) => q.priority = Some(p),
                    None => errors.add("priority", "must be one of low, medium, high"),
                },
                "q" => q.q = (!value.is_empty()).then(|| value.chars().take(200).collect()),
                "tag" => q.tag = (!value.is_empty()).then(|| lowercase_tag(value)),
                "limit" => match value.parse::<i64>() {
                    Ok(n) if (1..=LIMIT_MAX).contains(&n) => q.limit = n,
                    _ => errors.add("limit", format!("must be an integer from 1 to {LIMIT_MAX}")),
                },
                "offset" => match value.parse::<i64>() {
                    Ok(n) if n >= 0 => q.offset = n,
                    _ => errors.add("offset", "must be a non-negative integer"),
                },
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// Counts for the filter tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Summary {
    pub all: i64,
    pub pending: i64,
    pub completed: i64,
}

/// One page of a list, with the total for the UI. `T` is the tasks: decoded, or the
/// JSON array text the database built (see `tasks::list_json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPage<T = Vec<Task>> {
    pub tasks: T,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let e =
            ListQuery::from_pairs([("limit", "500"), ("offset", "-1"), ("sort", "x")]).unwrap_err();
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
        let t =
            NewTask::from_json(&obj(json!({ "title": "t", "tags": ["İ".repeat(32)] }))).unwrap();
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
}
