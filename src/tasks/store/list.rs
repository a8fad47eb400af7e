//! The list: one page of tasks and its total in one statement, the JSON array built by
//! the database. The query is assembled from fixed fragments chosen by enums; user
//! input only ever travels as bound parameters.

use sqlx::{Postgres, QueryBuilder, Sqlite};

use crate::{storage::Database, with_pool};

use super::{
    super::{
        model::{ListQuery, SortKey, SortOrder, StatusFilter, View, UPCOMING_DAYS},
        TaskError,
    },
    Bind, COLUMNS,
};

/// A backend the dynamic queries are built for: the builders are written once, generic
/// over it, and `with_pool!` picks it from the pool's type.
trait Backend: sqlx::Database {
    /// What the page subquery reads of each task.
    const PAGE_COLUMNS: &'static str;
    /// The start of the aggregate that collects the page into one JSON array, up to
    /// its `ORDER BY`, and its end.
    const JSON_ARRAY: (&'static str, &'static str);
}

/// Each row keeps its JSON in the stored column `"json"` (migration 0009), so the page
/// is a concatenation of texts: no object is built on the read.
impl Backend for Sqlite {
    const PAGE_COLUMNS: &'static str = r#""json""#;
    const JSON_ARRAY: (&'static str, &'static str) = (
        r#"'[' || COALESCE(group_concat("json", ',' ORDER BY "#,
        r#"), '') || ']'"#,
    );
}

impl Backend for Postgres {
    const PAGE_COLUMNS: &'static str = COLUMNS;
    const JSON_ARRAY: (&'static str, &'static str) = (
        r#"COALESCE(json_agg(json_build_object('id', "id", 'user_id', "user_id", 'title', "title", 'description', "description", 'completed', "completed", 'priority', CASE WHEN "priority" <= 0 THEN 'low' WHEN "priority" = 1 THEN 'medium' ELSE 'high' END, 'tags', "tags"::json, 'due_date', "due_date", 'recurrence', "recurrence", 'position', "position", 'created_at', to_char("created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'updated_at', to_char("updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY "#,
        r#"), '[]'::json)::text"#,
    );
}

/// Appends `WHERE …` for a list query.
fn push_filter<'a, DB>(b: &mut QueryBuilder<'a, DB>, user_id: &'a str, query: &'a ListQuery)
where
    DB: sqlx::Database,
    &'a str: Bind<'a, DB>,
    String: Bind<'a, DB>,
    bool: Bind<'a, DB>,
    i16: Bind<'a, DB>,
{
    b.push(r#" WHERE "user_id" = "#).push_bind(user_id);
    let completed = match query.status {
        StatusFilter::All => None,
        StatusFilter::Pending => Some(false),
        StatusFilter::Completed => Some(true),
    };
    if let Some(completed) = completed {
        b.push(r#" AND "completed" = "#).push_bind(completed);
    }
    if let Some(p) = query.priority {
        b.push(r#" AND "priority" = "#).push_bind(p.as_i16());
    }
    // Due dates are `YYYY-MM-DD` text, which compares as the dates do; `completed = false`
    // (not `NOT completed`) lets the planning index (migrations 0007/0008) serve it.
    if query.view != View::All {
        b.push(r#" AND "completed" = "#).push_bind(false);
    }
    match query.view {
        View::All => {}
        View::Today => {
            b.push(r#" AND "due_date" <= "#)
                .push_bind(query.today.to_string());
        }
        View::Upcoming => {
            let last = query.today + chrono::Days::new(UPCOMING_DAYS);
            b.push(r#" AND "due_date" > "#)
                .push_bind(query.today.to_string())
                .push(r#" AND "due_date" <= "#)
                .push_bind(last.to_string());
        }
    }
    if let Some(tag) = &query.tag {
        b.push(r#" AND EXISTS (SELECT 1 FROM "task_tag" tt WHERE tt."task_id" = "task"."id" AND tt."user_id" = "#)
            .push_bind(user_id)
            .push(r#" AND tt."tag" = "#)
            .push_bind(tag.as_str())
            .push(")");
    }
    if let Some(q) = &query.q {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        b.push(r#" AND (LOWER("title") LIKE "#)
            .push_bind(pattern.clone())
            .push(r#" ESCAPE '\' OR LOWER(COALESCE("description", '')) LIKE "#)
            .push_bind(pattern)
            .push(r#" ESCAPE '\')"#);
    }
}

/// The sort keys of a list query, most significant first, each with its direction.
fn order_keys(query: &ListQuery) -> Vec<(&'static str, &'static str)> {
    // The planning views read as a calendar: by day (overdue first), then priority.
    if query.view != View::All {
        return vec![
            (r#""due_date""#, "ASC"),
            (r#""priority""#, "DESC"),
            (r#""id""#, "ASC"),
        ];
    }
    let dir = match query.order {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    match query.sort {
        SortKey::Created => vec![(r#""created_at""#, dir), (r#""id""#, dir)],
        SortKey::Updated => vec![(r#""updated_at""#, dir), (r#""id""#, dir)],
        SortKey::Title => vec![(r#"LOWER("title")"#, dir), (r#""id""#, dir)],
        // Tasks without a due date go last whichever way the dates are sorted.
        SortKey::DueDate => vec![
            (r#"("due_date" IS NULL)"#, "ASC"),
            (r#""due_date""#, dir),
            (r#""id""#, dir),
        ],
        SortKey::Position => vec![(r#""position""#, dir), (r#""id""#, dir)],
        SortKey::Priority => vec![
            (r#""priority""#, dir),
            (r#""created_at""#, "DESC"),
            (r#""id""#, "DESC"),
        ],
    }
}

/// `SELECT total, page`: the page subquery selects the sort keys as `k0`, `k1`, … so
/// that the aggregate can order by them again (a subquery's order does not survive it).
fn list_sql<'a, DB>(user_id: &'a str, query: &'a ListQuery) -> QueryBuilder<'a, DB>
where
    DB: Backend,
    &'a str: Bind<'a, DB>,
    String: Bind<'a, DB>,
    bool: Bind<'a, DB>,
    i16: Bind<'a, DB>,
    i64: Bind<'a, DB>,
{
    let mut b = QueryBuilder::new("SELECT CAST(");
    match counter_column(query) {
        Some(column) => {
            b.push(format_args!(
                r#"COALESCE((SELECT {column} FROM "task_count" WHERE "user_id" = "#
            ))
            .push_bind(user_id)
            .push("), 0)");
        }
        None => {
            b.push(r#"(SELECT COUNT(*) FROM "task""#);
            push_filter(&mut b, user_id, query);
            b.push(")");
        }
    }
    let (array_start, array_end) = DB::JSON_ARRAY;
    b.push(" AS BIGINT), (SELECT ").push(array_start);
    let keys = order_keys(query);
    for (i, (_, dir)) in keys.iter().enumerate() {
        let comma = if i == 0 { "" } else { ", " };
        b.push(format_args!(r#"{comma}"k{i}" {dir}"#));
    }
    b.push(array_end)
        .push(" FROM (SELECT ")
        .push(DB::PAGE_COLUMNS);
    for (i, (expr, _)) in keys.iter().enumerate() {
        b.push(format_args!(r#", {expr} AS "k{i}""#));
    }
    b.push(r#" FROM "task""#);
    push_filter(&mut b, user_id, query);
    b.push(" ORDER BY ");
    for (i, (expr, dir)) in keys.iter().enumerate() {
        let comma = if i == 0 { "" } else { ", " };
        b.push(format_args!("{comma}{expr} {dir}"));
    }
    b.push(" LIMIT ")
        .push_bind(query.limit)
        .push(" OFFSET ")
        .push_bind(query.offset)
        .push(r#") AS "page")"#);
    b
}

/// One page of tasks as a JSON array, and the number of tasks the filter matches.
///
/// The database builds the array (one row, one statement, count included): decoding
/// fifty rows one by one costs more than everything else a list request does, and
/// the REST API sends the text on as it is. The unfiltered (and status-only) total
/// comes from `task_count`, which triggers keep exact, so it costs the same at 100
/// tasks as at 100,000.
pub async fn list_json(
    db: &Database,
    user_id: &str,
    query: &ListQuery,
) -> Result<(String, i64), TaskError> {
    let (total, json): (i64, String) = with_pool!(db, |pool| list_sql(user_id, query)
        .build_query_as()
        .fetch_one(pool)
        .await)?;
    Ok((json, total))
}

/// The `task_count` expression that equals the filter's count, when there is one.
fn counter_column(query: &ListQuery) -> Option<&'static str> {
    if query.priority.is_some()
        || query.tag.is_some()
        || query.q.is_some()
        || query.view != View::All
    {
        return None;
    }
    Some(match query.status {
        StatusFilter::All => r#""total""#,
        StatusFilter::Pending => r#""total" - "completed""#,
        StatusFilter::Completed => r#""completed""#,
    })
}
