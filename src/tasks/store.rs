//! SQL for tasks. Filters are assembled from fixed fragments chosen by enums; user
//! input only ever travels as bound parameters.

use crate::{
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

fn order_clause(query: &ListQuery) -> String {
    let dir = match query.order {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    match query.sort {
        SortKey::Created => format!(r#" ORDER BY "created_at" {dir}, "id" {dir}"#),
        SortKey::Updated => format!(r#" ORDER BY "updated_at" {dir}, "id" {dir}"#),
        SortKey::Title => format!(r#" ORDER BY LOWER("title") {dir}, "id" {dir}"#),
        // Tasks without a due date go last whichever way the dates are sorted.
        SortKey::DueDate => {
            format!(r#" ORDER BY ("due_date" IS NULL) ASC, "due_date" {dir}, "id" {dir}"#)
        }
        SortKey::Priority => format!(r#" ORDER BY "priority" {dir}, "created_at" DESC, "id" DESC"#),
    }
}

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

pub async fn list(
    db: &Database,
    user_id: &str,
    query: &ListQuery,
) -> Result<(Vec<Task>, i64), TaskError> {
    let mut params = Vec::new();
    let filter = where_clause(query, &mut params);
    let n = params.len() + 2;
    let select = format!(
        r#"SELECT {COLUMNS} FROM "task"{filter}{} LIMIT ${n} OFFSET ${}"#,
        order_clause(query),
        n + 1
    );
    let count = format!(r#"SELECT COUNT(*) FROM "task"{filter}"#);
    let (rows, total): (Vec<TaskRow>, i64) = with_pool!(db, |pool| {
        let rows = bind_all!(sqlx::query_as::<_, TaskRow>(&select), user_id, &params)
            .bind(query.limit)
            .bind(query.offset)
            .fetch_all(pool)
            .await?;
        let total = bind_all!(sqlx::query_scalar::<_, i64>(&count), user_id, &params)
            .fetch_one(pool)
            .await?;
        Ok::<_, sqlx::Error>((rows, total))
    })?;
    Ok((rows.into_iter().map(Task::from).collect(), total))
}

pub async fn get(db: &Database, user_id: &str, id: i64) -> Result<Option<Task>, TaskError> {
    let sql = format!(r#"SELECT {COLUMNS} FROM "task" WHERE "id" = $1 AND "user_id" = $2"#);
    let row: Option<TaskRow> = with_pool!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
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
    let row: Option<TaskRow> = with_pool!(db, |pool| sqlx::query_as(&sql)
        .bind(id)
        .bind(user_id)
        .bind(Ts::now())
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(Task::from))
}

pub async fn delete(db: &Database, user_id: &str, id: i64) -> Result<bool, TaskError> {
    let done = with_pool!(db, |pool| sqlx::query(
        r#"DELETE FROM "task" WHERE "id" = $1 AND "user_id" = $2"#
    )
    .bind(id)
    .bind(user_id)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

pub async fn summary(db: &Database, user_id: &str) -> Result<Summary, TaskError> {
    let (all, completed): (i64, i64) = with_pool!(db, |pool| {
        sqlx::query_as(
        r#"SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN "completed" THEN 1 ELSE 0 END), 0) AS BIGINT) FROM "task" WHERE "user_id" = $1"#
    )
    .bind(user_id)
    .fetch_one(pool)
    .await
    })?;
    Ok(Summary {
        all,
        pending: all - completed,
        completed,
    })
}
