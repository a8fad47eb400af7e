//! Validation of a task as sent (create or update), the same for both doors: each
//! field checked by its own rule, every failure reported by field name.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{FieldErrors, Priority, DESCRIPTION_MAX, TAGS_MAX, TAG_MAX_LEN, TITLE_MAX};
use crate::tasks::recurrence::Recurrence;

/// A validated new task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub due_date: Option<NaiveDate>,
    /// The canonical RRULE (see [`Recurrence`]).
    pub recurrence: Option<String>,
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
    pub recurrence: Option<Option<String>>,
}

const FIELDS: [&str; 7] = [
    "title",
    "description",
    "completed",
    "priority",
    "tags",
    "due_date",
    "recurrence",
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

/// `null` means a one-off task; a string must be a rule [`Recurrence`] accepts, stored
/// in its canonical spelling.
fn recurrence(v: &Value, errors: &mut FieldErrors) -> Option<Option<String>> {
    match v {
        Value::Null => Some(None),
        Value::String(s) => match Recurrence::parse(s) {
            Ok(rule) => Some(Some(rule.as_str().to_string())),
            Err(reason) => {
                errors.add("recurrence", reason);
                None
            }
        },
        _ => {
            errors.add("recurrence", "must be a rule like FREQ=WEEKLY, or null");
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
        let recurrence = body
            .get("recurrence")
            .and_then(|v| recurrence(v, &mut errors));
        match title {
            Some(title) if errors.is_empty() => Ok(NewTask {
                title,
                description: description.flatten(),
                completed: completed.unwrap_or(false),
                priority: priority.unwrap_or_default(),
                tags: tags.unwrap_or_default(),
                due_date: due_date.flatten(),
                recurrence: recurrence.flatten(),
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
            recurrence: body
                .get("recurrence")
                .and_then(|v| recurrence(v, &mut errors)),
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
