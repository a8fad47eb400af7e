//! The list's query: filters, sort and paging, parsed strictly for the REST API (as
//! its document says) and leniently for the UI's forms (blank means default).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{lowercase_tag, FieldErrors, Priority};

/// The planning views: all tasks (filtered and sorted as asked), or the open ones due
/// today and before (overdue first), or due in the seven days after today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    #[default]
    All,
    Today,
    Upcoming,
}

/// How many days after today "Upcoming" shows.
pub const UPCOMING_DAYS: u64 = 7;

/// The calendar date it is in `tz` at `now`: what "today" means to the user.
pub fn today_in(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// Why a `tz` was refused (the list's and quick add's).
pub const TIME_ZONE_REASON: &str = "must be an IANA time zone such as Europe/Paris";

/// An IANA time zone name (`Europe/Paris`), as browsers report it.
pub fn parse_time_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
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
    /// The user's own order (`position`).
    Position,
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
    pub view: View,
    /// The user's time zone (`tz`, UTC by default): it decides what "today" is.
    pub tz: Tz,
    /// Today in [`Self::tz`], taken when the query was parsed.
    pub today: NaiveDate,
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
            view: View::All,
            tz: Tz::UTC,
            today: Utc::now().date_naive(),
        }
    }
}

/// The list's query parameters; any other key is ignored.
const LIST_KEYS: [&str; 10] = [
    "status", "sort", "order", "q", "tag", "priority", "limit", "offset", "view", "tz",
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
                    "position" => q.sort = SortKey::Position,
                    _ => errors.add(
                        "sort",
                        "must be one of created, updated, title, due_date, priority, position",
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
                "view" => match choice {
                    _ if default => q.view = View::All,
                    "all" => q.view = View::All,
                    "today" => q.view = View::Today,
                    "upcoming" => q.view = View::Upcoming,
                    _ => errors.add("view", "must be one of all, today, upcoming"),
                },
                "tz" => match parse_time_zone(value) {
                    _ if value.is_empty() => q.tz = Tz::UTC,
                    Some(tz) => q.tz = tz,
                    None => errors.add("tz", TIME_ZONE_REASON),
                },
                _ => {}
            }
        }
        q.today = today_in(q.tz, Utc::now());
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}
