//! SQL for tasks. Filters are assembled from fixed fragments chosen by enums; user
//! input only ever travels as bound parameters.

use crate::{
    fetch_optional,
    storage::{Database, Ts},
    with_pool,
};

use super::{
    model::{
        ListQuery, NewTask, SortKey, SortOrder, StatusFilter, Summary, Task, TaskPatch, TaskRow,
    },
    TaskError,
};

const COLUMNS: &str = r#""id", "user_id", "title", "description", "completed", "priority", "tags", "due_date", "created_at", "updated_at""#;

/// A bound parameter of a dynamically assembled query.
enum Param {
    Text(String),
    Int(i64),
    Bool(bool),
}

/// Builds `WHERE …` for a list query; `$1` is always the user id.
fn where_clause(query: &ListQuery, params: &mut Vec<Param>) -> String {
    let mut sql = String::from(r#" WHERE "user_id" = $1"#);
    let next = |params: &mut Vec<Param>, p: Param| {
        params.push(p);
        format!("${}", params.len() + 1)
    };
    match query.status {
        StatusFilter::All => {}
        StatusFilter::Pending => {
            sql += &format!(r#" AND "completed" = {}"#, next(params, Param::Bool(false)))
        }
        StatusFilter::Completed => {
            sql += &format!(r#" AND "completed" = {}"#, next(params, Param::Bool(true)))
        }
    }
    if let Some(p) = query.priority {
        sql += &format!(
            r#" AND "priority" = {}"#,
            next(params, Param::Int(p.as_i16().into()))
        );
    }
    if let Some(tag) = &query.tag {
        let n = next(params, Param::Text(tag.clone()));
        sql += &format!(
            r#" AND EXISTS (SELECT 1 FROM "task_tag" tt WHERE tt."task_id" = "task"."id" AND tt."user_id" = $1 AND tt."tag" = {n})"#
        );
    }
    if let Some(q) = &query.q {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let n = next(params, Param::Text(format!("%{escaped}%")));
        sql += &format!(
            r#" AND (LOWER("title") LIKE {n} ESCAPE '\' OR LOWER(COALESCE("description", '')) LIKE {n} ESCAPE '\')"#
        );
    }
    sql
}

/// The sort keys of a list query, most significant first, each with its direction.
fn order_keys(query: &ListQuery) -> Vec<(&'static str, &'static str)> {
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
        SortKey::Priority => vec![
            (r#""priority""#, dir),
            (r#""created_at""#, "DESC"),
            (r#""id""#, "DESC"),
        ],
    }
}

/// How each backend spells the few things portable SQL cannot: a task as a JSON
/// object (over the columns of the page subquery) and the aggregate that collects the
/// page into one array (`{object}` and `{order}` are filled in).
struct JsonDialect {
    object: &'static str,
    array: &'static str,
}

/// Dates are stored as `toISOString()` text on SQLite (see `storage::Ts`), already the
/// form the API sends.
const SQLITE_JSON: JsonDialect = JsonDialect {
    object: r#"json_object('id', "id", 'user_id', "user_id", 'title', "title", 'description', "description", 'completed', CASE WHEN "completed" THEN json('true') ELSE json('false') END, 'priority', CASE WHEN "priority" <= 0 THEN 'low' WHEN "priority" = 1 THEN 'medium' ELSE 'high' END, 'tags', json("tags"), 'due_date', "due_date", 'created_at', "created_at", 'updated_at', "updated_at")"#,
    array: r#"COALESCE(json_group_array({object} ORDER BY {order}), '[]')"#,
};

const POSTGRES_JSON: JsonDialect = JsonDialect {
    object: r#"json_build_object('id', "id", 'user_id', "user_id", 'title', "title", 'description', "description", 'completed', "completed", 'priority', CASE WHEN "priority" <= 0 THEN 'low' WHEN "priority" = 1 THEN 'medium' ELSE 'high' END, 'tags', "tags"::json, 'due_date', "due_date", 'created_at', to_char("created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'updated_at', to_char("updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))"#,
    array: r#"COALESCE(json_agg({object} ORDER BY {order}), '[]'::json)::text"#,
};

/// Binds a list of [`Param`]s in order (a macro: the query type differs per backend).
macro_rules! bind_params {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for p in $params {
            q = match p {
                Param::Text(s) => q.bind(s.clone()),
                Param::Int(i) => q.bind(*i),
                Param::Bool(b) => q.bind(*b),
            };
        }
        q
    }};
}

/// `$1` is always the user id in list queries.
macro_rules! bind_all {
    ($q:expr, $user:expr, $params:expr) => {
        bind_params!($q.bind($user.to_string()), $params)
    };
}

/// Records one tag of a task, for the tag filter.
macro_rules! insert_tag {
    ($tx:expr, $task_id:expr, $user_id:expr, $tag:expr) => {
        sqlx::query(r#"INSERT INTO "task_tag" ("task_id", "user_id", "tag") VALUES ($1, $2, $3)"#)
            .bind($task_id)
            .bind($user_id)
            .bind($tag)
            .execute($tx)
            .await?
    };
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
    let mut params = Vec::new();
    let filter = where_clause(query, &mut params);
    let n = params.len() + 2;
    let dialect = match db {
        Database::Sqlite(_) => &SQLITE_JSON,
        Database::Postgres(_) => &POSTGRES_JSON,
    };
    let keys = order_keys(query);
    let inner_order = keys
        .iter()
        .map(|(expr, dir)| format!("{expr} {dir}"))
        .collect::<Vec<_>>()
        .join(", ");
    let key_columns: String = keys
        .iter()
        .enumerate()
        .map(|(i, (expr, _))| format!(r#", {expr} AS "k{i}""#))
        .collect();
    let outer_order = keys
        .iter()
        .enumerate()
        .map(|(i, (_, dir))| format!(r#""k{i}" {dir}"#))
        .collect::<Vec<_>>()
        .join(", ");
    let array = dialect
        .array
        .replace("{object}", dialect.object)
        .replace("{order}", &outer_order);
    let page = format!(
        r#"SELECT {array} FROM (SELECT {COLUMNS}{key_columns} FROM "task"{filter} ORDER BY {inner_order} LIMIT ${n} OFFSET ${}) AS "page""#,
        n + 1
    );
    let total = match counter_column(query) {
        Some(column) => {
            format!(r#"COALESCE((SELECT {column} FROM "task_count" WHERE "user_id" = $1), 0)"#)
        }
        None => format!(r#"(SELECT COUNT(*) FROM "task"{filter})"#),
    };
    let sql = format!(r#"SELECT CAST({total} AS BIGINT), ({page})"#);
    let (total, json): (i64, String) =
        with_pool!(db, |pool| bind_all!(sqlx::query_as(&sql), user_id, &params)
            .bind(query.limit)
            .bind(query.offset)
            .fetch_one(pool)
            .await)?;
    Ok((json, total))
}

/// The `task_count` expression that equals the filter's count, when there is one.
fn counter_column(query: &ListQuery) -> Option<&'static str> {
    if query.priority.is_some() || query.tag.is_some() || query.q.is_some() {
        return None;
    }
    Some(match query.status {
        StatusFilter::All => r#""total""#,
        StatusFilter::Pending => r#""total" - "completed""#,
        StatusFilter::Completed => r#""completed""#,
    })
}

pub async fn get(db: &Database, user_id: &str, id: i64) -> Result<Option<Task>, TaskError> {
    let sql = format!(r#"SELECT {COLUMNS} FROM "task" WHERE "id" = $1 AND "user_id" = $2"#);
    let row: Option<TaskRow> = fetch_optional!(db, &sql, id, user_id)?;
    Ok(row.map(Task::from))
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

pub async fn create(db: &Database, user_id: &str, new: &NewTask) -> Result<Task, TaskError> {
    let now = Ts::now();
    let sql = format!(
        r#"INSERT INTO "task" ("user_id", "title", "description", "completed", "priority", "tags", "due_date", "created_at", "updated_at")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"#
    );
    let row: TaskRow = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: TaskRow = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(&new.title)
            .bind(&new.description)
            .bind(new.completed)
            .bind(new.priority.as_i16())
            .bind(tags_json(&new.tags))
            .bind(new.due_date.map(|d| d.to_string()))
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        for tag in &new.tags {
            insert_tag!(&mut *tx, row.id, user_id, tag);
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(row)
    })?;
    Ok(row.into())
}

/// Puts a deleted task back exactly as it was: same id, dates, state and tags. `None`
/// when a row with that id exists again (the same undo sent twice).
pub async fn restore(db: &Database, task: &Task) -> Result<Option<Task>, TaskError> {
    let sql = format!(
        r#"INSERT INTO "task" ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT ("id") DO NOTHING RETURNING {COLUMNS}"#
    );
    let row: Option<TaskRow> = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: Option<TaskRow> = sqlx::query_as(&sql)
            .bind(task.id)
            .bind(&task.user_id)
            .bind(&task.title)
            .bind(&task.description)
            .bind(task.completed)
            .bind(task.priority.as_i16())
            .bind(tags_json(&task.tags))
            .bind(task.due_date.map(|d| d.to_string()))
            .bind(task.created_at)
            .bind(task.updated_at)
            .fetch_optional(&mut *tx)
            .await?;
        if row.is_some() {
            for tag in &task.tags {
                insert_tag!(&mut *tx, task.id, &task.user_id, tag);
            }
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(row)
    })?;
    Ok(row.map(Task::from))
}

pub async fn update(
    db: &Database,
    user_id: &str,
    id: i64,
    patch: &TaskPatch,
) -> Result<Option<Task>, TaskError> {
    let mut sets = vec![r#""updated_at" = $3"#.to_string()];
    let mut params: Vec<Param> = Vec::new();
    let mut push = |sets: &mut Vec<String>, column: &str, p: Option<Param>| {
        let placeholder = match p {
            Some(p) => {
                params.push(p);
                format!("${}", params.len() + 3)
            }
            None => "NULL".to_string(),
        };
        sets.push(format!(r#""{column}" = {placeholder}"#));
    };
    if let Some(t) = &patch.title {
        push(&mut sets, "title", Some(Param::Text(t.clone())));
    }
    if let Some(d) = &patch.description {
        push(&mut sets, "description", d.clone().map(Param::Text));
    }
    if let Some(c) = patch.completed {
        push(&mut sets, "completed", Some(Param::Bool(c)));
    }
    if let Some(p) = patch.priority {
        push(&mut sets, "priority", Some(Param::Int(p.as_i16().into())));
    }
    if let Some(tags) = &patch.tags {
        push(&mut sets, "tags", Some(Param::Text(tags_json(tags))));
    }
    if let Some(d) = &patch.due_date {
        push(&mut sets, "due_date", d.map(|d| Param::Text(d.to_string())));
    }
    let sql = format!(
        r#"UPDATE "task" SET {} WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#,
        sets.join(", ")
    );
    let now = Ts::now();
    let row: Option<TaskRow> = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        let q = sqlx::query_as::<_, TaskRow>(&sql)
            .bind(id)
            .bind(user_id)
            .bind(now);
        let row = bind_params!(q, &params).fetch_optional(&mut *tx).await?;
        if let (Some(row), Some(tags)) = (&row, &patch.tags) {
            sqlx::query(r#"DELETE FROM "task_tag" WHERE "task_id" = $1 AND "user_id" = $2"#)
                .bind(row.id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for tag in tags {
                insert_tag!(&mut *tx, row.id, user_id, tag);
            }
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(row)
    })?;
    Ok(row.map(Task::from))
}

pub async fn toggle(db: &Database, user_id: &str, id: i64) -> Result<Option<Task>, TaskError> {
    let sql = format!(
        r#"UPDATE "task" SET "completed" = NOT "completed", "updated_at" = $3 WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#
    );
    let row: Option<TaskRow> = fetch_optional!(db, &sql, id, user_id, Ts::now())?;
    Ok(row.map(Task::from))
}

/// Deletes the task and answers it as it was (for "Undo"), or `None` if there was none.
pub async fn delete(db: &Database, user_id: &str, id: i64) -> Result<Option<Task>, TaskError> {
    let sql =
        format!(r#"DELETE FROM "task" WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#);
    let row: Option<TaskRow> = fetch_optional!(db, &sql, id, user_id)?;
    Ok(row.map(Task::from))
}

pub async fn summary(db: &Database, user_id: &str) -> Result<Summary, TaskError> {
    let row: Option<(i64, i64)> = fetch_optional!(
        db,
        r#"SELECT CAST("total" AS BIGINT), CAST("completed" AS BIGINT) FROM "task_count" WHERE "user_id" = $1"#,
        user_id
    )?;
    let (all, completed) = row.unwrap_or((0, 0));
    Ok(Summary {
        all,
        pending: all - completed,
        completed,
    })
}
