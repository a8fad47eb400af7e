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
    /// The RRULE it repeats by, and the same in words ("every week").
    pub recurrence: Option<String>,
    pub repeats: Option<String>,
    pub created_at: String,
}

/// The board's list as its URL names it (`/?status=pending&sort=due&tag=home`). Values
/// stay the user's strings: the core validates them, and a bad one falls back to the
/// default view instead of an error page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    pub status: Option<String>,
    /// One of [`SORTS`]' keys; or, with `order`, the REST API's own sort key.
    pub sort: Option<String>,
    pub order: Option<String>,
    pub q: Option<String>,
    pub tag: Option<String>,
    pub priority: Option<String>,
    pub limit: Option<String>,
    /// A planning view: `today` or `upcoming` (none: every task).
    #[serde(default)]
    pub view: Option<String>,
    /// The task whose editor is open (`?edit=<id>`): a view parameter, not a filter.
    #[serde(default)]
    pub edit: Option<String>,
}

/// The board's sort choices, in plain words: (URL value, label, core sort, core order).
/// The first is the default and leaves `sort` out of the URL.
pub const SORTS: [(&str, &str, &str, &str); 7] = [
    ("", "Newest first", "created", "desc"),
    ("oldest", "Oldest first", "created", "asc"),
    ("due", "Due soonest", "due_date", "asc"),
    ("priority", "Priority, high first", "priority", "desc"),
    ("title", "Title A–Z", "title", "asc"),
    ("updated", "Recently changed", "updated", "desc"),
    ("mine", "My order", "position", "asc"),
];

/// The [`SORTS`] key of the user's own order, where tasks can be moved.
pub const MY_ORDER: &str = "mine";

impl TaskFilter {
    /// The URL's `sort`, as one of [`SORTS`]' keys ("" for the default).
    pub fn sort_choice(&self) -> &'static str {
        let sort = self.sort.as_deref().unwrap_or("");
        let order = self.order.as_deref().unwrap_or("");
        SORTS
            .iter()
            .find(|(key, _, core, core_order)| {
                *key == sort || (*core == sort && (order.is_empty() || order == *core_order))
            })
            .map_or("", |(key, ..)| key)
    }

    /// The pairs the core's `ListQuery` parses: the plain-words sort translated, and an
    /// explicit `order` (old links, `?sort=title&order=desc`) kept.
    pub fn core_pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs = Vec::new();
        let (sort, order) = match SORTS
            .iter()
            .find(|(key, ..)| Some(*key) == self.sort.as_deref())
        {
            Some((_, _, core, order)) => (Some(*core), Some(*order)),
            None => (self.sort.as_deref(), None),
        };
        if let Some(sort) = sort {
            pairs.push(("sort", sort));
        }
        if let Some(order) = self.order.as_deref().filter(|o| !o.is_empty()).or(order) {
            pairs.push(("order", order));
        }
        for (key, value) in [
            ("status", &self.status),
            ("q", &self.q),
            ("tag", &self.tag),
            ("priority", &self.priority),
            ("limit", &self.limit),
            ("view", &self.view),
        ] {
            if let Some(v) = value.as_deref() {
                pairs.push((key, v));
            }
        }
        pairs
    }

    /// Anything narrowing the list (for the empty state's words).
    pub fn narrows(&self) -> bool {
        [&self.status, &self.q, &self.tag, &self.priority, &self.view]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.is_empty() && v != "all"))
    }
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
            repeats: t.recurrence.as_deref().and_then(|r| {
                taskdeck::tasks::recurrence::Recurrence::parse(r)
                    .ok()
                    .map(|r| r.describe())
            }),
            recurrence: t.recurrence,
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
    pub two_factor_enabled: bool,
    /// Signed up with a password (not only with another account or a passkey).
    pub has_password: bool,
    pub sessions: Vec<SessionInfo>,
    pub trusted_devices: Vec<TrustedDeviceInfo>,
    pub passkeys: Vec<PasskeyInfo>,
}

/// A passkey, as settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: String,
    /// The name given when adding it (or since); Better Auth allows none.
    pub name: Option<String>,
    /// ISO date-time it was added, when known.
    pub added: Option<String>,
}

/// A device that signs in without a second factor, as settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedDeviceInfo {
    pub id: String,
    /// ISO date-time of the code that trusted it, and of the end of the trust.
    pub trusted_at: String,
    pub until: String,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(sort: Option<&str>, order: Option<&str>) -> TaskFilter {
        TaskFilter {
            sort: sort.map(String::from),
            order: order.map(String::from),
            ..TaskFilter::default()
        }
    }

    #[test]
    fn plain_words_sorts_translate_to_the_core_sort_and_order() {
        assert_eq!(
            filter(Some("due"), None).core_pairs(),
            [("sort", "due_date"), ("order", "asc")]
        );
        assert_eq!(
            filter(Some("oldest"), None).core_pairs(),
            [("sort", "created"), ("order", "asc")]
        );
        assert_eq!(filter(None, None).core_pairs(), Vec::<(&str, &str)>::new());
        // Old links name the core's sort and order themselves.
        assert_eq!(
            filter(Some("title"), Some("desc")).core_pairs(),
            [("sort", "title"), ("order", "desc")]
        );
    }

    #[test]
    fn the_select_shows_the_choice_a_url_means() {
        assert_eq!(filter(Some("due_date"), Some("asc")).sort_choice(), "due");
        assert_eq!(filter(Some("title"), None).sort_choice(), "title");
        assert_eq!(filter(Some("created"), Some("asc")).sort_choice(), "oldest");
        assert_eq!(filter(Some("bogus"), None).sort_choice(), "");
    }

    #[test]
    fn other_filters_pass_through_and_the_editor_is_not_one() {
        let f = TaskFilter {
            sort: Some("bogus".into()),
            status: Some("done".into()),
            q: Some("milk".into()),
            edit: Some("4".into()),
            ..TaskFilter::default()
        };
        // An unknown sort goes to the core as it is, for the core to judge.
        assert_eq!(
            f.core_pairs(),
            [("sort", "bogus"), ("status", "done"), ("q", "milk")]
        );
        assert!(f.narrows());
        let everything = TaskFilter {
            status: Some("all".into()),
            q: Some(String::new()),
            ..filter(Some("due"), None)
        };
        assert!(!everything.narrows());
    }
}
