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

/// The settings page's view of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    pub sessions: Vec<SessionInfo>,
}

/// One active session, as the settings page lists it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    /// "Chrome on Linux", from the user agent.
    pub device: String,
    pub ip: String,
    /// ISO date-time of the last refresh (or creation).
    pub last_seen: String,
    pub current: bool,
}

/// A short, human name for a user agent.
pub fn describe_user_agent(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
        ("node", "Node.js"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_string(),
        (None, Some(o)) => o.to_string(),
        (None, None) if ua.is_empty() => "Unknown device".to_string(),
        (None, None) => ua.chars().take(40).collect(),
    }
}
