//! Data the pages receive from server functions (compiled on both sides).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    /// `low`, `medium` or `high`.
    pub priority: String,
    pub tags: Vec<String>,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub all: i64,
    pub pending: i64,
    pub completed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskListing {
    pub tasks: Vec<TaskView>,
    pub total: i64,
    pub limit: i64,
    /// The server's date (`YYYY-MM-DD`), so that "due tomorrow" renders the same on
    /// the server and after hydration.
    pub today: String,
}

#[cfg(feature = "ssr")]
impl From<taskdeck::tasks::Task> for TaskView {
    fn from(t: taskdeck::tasks::Task) -> Self {
        let priority = serde_json::to_value(t.priority)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_else(|| "medium".into());
        TaskView {
            id: t.id,
            title: t.title,
            description: t.description,
            completed: t.completed,
            priority,
            tags: t.tags,
            due_date: t.due_date.map(|d| d.to_string()),
            created_at: t.created_at.to_iso(),
        }
    }
}
