//! Task domain types and the validation rules for input, shared by the REST API and
//! the server functions (one implementation of the rules, two doors).

mod input;
mod query;
mod quick;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::storage::Ts;

pub use input::{lowercase_tag, normalize_tags, parse_date, tag_is_invalid, NewTask, TaskPatch};
pub use query::{
    parse_time_zone, today_in, ListQuery, SortKey, SortOrder, StatusFilter, View, LIMIT_DEFAULT,
    LIMIT_MAX, TIME_ZONE_REASON, UPCOMING_DAYS,
};

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
    /// The wire name (`low`, `medium`, `high`).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
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
    /// How the task repeats: an RFC 5545 RRULE subset in its canonical spelling (see
    /// [`crate::tasks::recurrence`]); `null` for a one-off task.
    pub recurrence: Option<String>,
    /// Its place in the user's own order (see [`crate::tasks::rank`]): sort by it as text.
    pub position: Option<String>,
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
    pub recurrence: Option<String>,
    pub position: Option<String>,
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
            recurrence: r.recurrence,
            position: r.position,
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
mod tests;
