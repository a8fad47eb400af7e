//! SQL for tasks. Filters are assembled from fixed fragments chosen by enums; user
//! input only ever travels as bound parameters.

use std::sync::LazyLock;

use sqlx::{Encode, Postgres, QueryBuilder, Type};

use crate::{
    exec, fetch_all, fetch_optional, fetch_returning,
    live::{postgres::Announce, Kind},
    storage::{Database, Ts},
    with_pool,
};

use super::{
    model::{NewTask, Summary, Task, TaskPatch, TaskRow},
    recurrence::Recurrence,
    TaskError,
};

/// A write's task, and the other tasks it changed on the way (with what happened to
/// them), to be announced before it.
#[derive(Debug)]
pub struct Written {
    pub task: Task,
    pub side: Vec<(Kind, Task)>,
}

/// Inserts one task's row with `$sql` (the backend's [`Insert`] statement) on any
/// executor; evaluates to `Result<TaskRow, sqlx::Error>`.
macro_rules! insert_row {
    (on $exec:expr, $sql:expr, $user_id:expr, $new:expr, $repeat_of:expr, $now:expr) => {{
        let new: &NewTask = $new;
        let row: Result<Option<TaskRow>, sqlx::Error> = $crate::fetch_returning!(
            on $exec,
            $sql,
            $user_id,
            &new.title,
            &new.description,
            new.completed,
            new.priority.as_i16(),
            tags_json(&new.tags),
            new.due_date.map(|d| d.to_string()),
            &new.recurrence,
            $now,
            $now,
            $repeat_of,
        );
        row.and_then(|row| row.ok_or(sqlx::Error::RowNotFound))
    }};
}

/// Inserts one task and its tags inside the transaction `$tx`; evaluates to the
/// [`Task`]. A macro, not a function: it is expanded once per backend.
macro_rules! insert_task {
    ($tx:ident, $user_id:expr, $new:expr, $repeat_of:expr, $now:expr) => {{
        let new: &NewTask = $new;
        let row = insert_row!(on &mut *$tx, Insert::insert(&*$tx), $user_id, new, $repeat_of, $now)?;
        for tag in &new.tags {
            exec!(on &mut *$tx, INSERT_TAG, row.id, $user_id, tag)?;
        }
        Task::from(row)
    }};
}

mod list;
mod order;
mod transfer;

pub use list::list_json;
pub use order::{move_task, Place};
pub use transfer::{export, import};

const COLUMNS: &str = r#""id", "user_id", "title", "description", "completed", "priority", "tags", "due_date", "recurrence", "position", "created_at", "updated_at""#;

static SELECT_ONE: LazyLock<String> =
    LazyLock::new(|| format!(r#"SELECT {COLUMNS} FROM "task" WHERE "id" = $1 AND "user_id" = $2"#));

/// The insert, per backend: the new task goes last in the user's own order, its
/// position computed inside the statement (see [`super::rank::after`], which this
/// mirrors: the greatest position's 16-digit head plus one, then `V`).
fn insert_sql(position: &str) -> String {
    format!(
        r#"INSERT INTO "task" ("user_id", "title", "description", "completed", "priority", "tags", "due_date", "recurrence", "created_at", "updated_at", "repeat_of", "position")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, (SELECT {position} || 'V' FROM "task" WHERE "user_id" = $1)) RETURNING {COLUMNS}"#
    )
}

static INSERT_SQLITE: LazyLock<String> = LazyLock::new(|| {
    insert_sql(
        r#"printf('%016d', COALESCE(CAST(substr(MAX("position"), 1, 16) AS INTEGER), 0) + 1)"#,
    )
});

static INSERT_POSTGRES: LazyLock<String> = LazyLock::new(|| {
    insert_sql(r#"lpad((COALESCE(substr(MAX("position"), 1, 16)::bigint, 0) + 1)::text, 16, '0')"#)
});

/// The insert statement for the connection's backend.
trait Insert {
    fn insert(&self) -> &'static str;
}

impl Insert for sqlx::SqliteConnection {
    fn insert(&self) -> &'static str {
        INSERT_SQLITE.as_str()
    }
}

impl Insert for sqlx::PgConnection {
    fn insert(&self) -> &'static str {
        INSERT_POSTGRES.as_str()
    }
}

static RESTORE: LazyLock<String> = LazyLock::new(|| {
    format!(
        r#"INSERT INTO "task" ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT ("id") DO NOTHING RETURNING {COLUMNS}"#
    )
});

static TOGGLE: LazyLock<String> = LazyLock::new(|| {
    format!(
        r#"UPDATE "task" SET "completed" = NOT "completed", "updated_at" = $3 WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#
    )
});

/// The open occurrence a completion inserted (see [`toggle`]).
static DELETE_OCCURRENCE: LazyLock<String> = LazyLock::new(|| {
    format!(
        r#"DELETE FROM "task" WHERE "repeat_of" = $1 AND "user_id" = $2 AND NOT "completed" RETURNING {COLUMNS}"#
    )
});

static DELETE: LazyLock<String> = LazyLock::new(|| {
    format!(r#"DELETE FROM "task" WHERE "id" = $1 AND "user_id" = $2 RETURNING {COLUMNS}"#)
});

/// Records one tag of a task, for the tag filter.
const INSERT_TAG: &str =
    r#"INSERT INTO "task_tag" ("task_id", "user_id", "tag") VALUES ($1, $2, $3)"#;

const DELETE_TAGS: &str = r#"DELETE FROM "task_tag" WHERE "task_id" = $1 AND "user_id" = $2"#;

/// `T` can be bound as a parameter on `DB`: shortens the builders' bounds.
trait Bind<'a, DB: sqlx::Database>: 'a + Encode<'a, DB> + Type<DB> {}

impl<'a, DB: sqlx::Database, T: 'a + Encode<'a, DB> + Type<DB>> Bind<'a, DB> for T {}

pub async fn get(db: &Database, user_id: &str, id: i64) -> Result<Option<Task>, TaskError> {
    let row: Option<TaskRow> = fetch_optional!(db, SELECT_ONE.as_str(), id, user_id)?;
    Ok(row.map(Task::from))
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

pub async fn create(db: &Database, user_id: &str, new: &NewTask) -> Result<Task, TaskError> {
    let now = Ts::now();
    let task: Task = match db {
        // Without tags, one statement, as in `delete`: on SQLite its own transaction,
        // the hub told after it (`tasks::announced`), no BEGIN and COMMIT round trips
        // while the user's turn is held.
        Database::Sqlite(pool) if new.tags.is_empty() => Task::from(insert_row!(
            on pool,
            INSERT_SQLITE.as_str(),
            user_id,
            new,
            None::<i64>,
            now
        )?),
        _ => with_pool!(db, |pool| {
            let mut tx = pool.begin().await?;
            let task = insert_task!(tx, user_id, new, None::<i64>, now);
            tx.announce(Kind::Created, &task).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(task)
        })?,
    };
    Ok(task)
}

/// Puts a deleted task back exactly as it was: same id, dates, state and tags. `None`
/// when a row with that id exists again (the same undo sent twice).
pub async fn restore(db: &Database, task: &Task) -> Result<Option<Task>, TaskError> {
    let restored: Option<Task> = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: Option<TaskRow> = fetch_optional!(
            on &mut *tx,
            RESTORE.as_str(),
            task.id,
            &task.user_id,
            &task.title,
            &task.description,
            task.completed,
            task.priority.as_i16(),
            tags_json(&task.tags),
            task.due_date.map(|d| d.to_string()),
            &task.recurrence,
            &task.position,
            task.created_at,
            task.updated_at,
        )?;
        let restored = row.map(Task::from);
        if let Some(restored) = &restored {
            for tag in &task.tags {
                exec!(on &mut *tx, INSERT_TAG, task.id, &task.user_id, tag)?;
            }
            tx.announce(Kind::Created, restored).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(restored)
    })?;
    Ok(restored)
}

/// `UPDATE … SET` with only the fields the patch names (a `None` inside clears one).
fn update_sql<'a, DB>(
    user_id: &'a str,
    id: i64,
    patch: &'a TaskPatch,
    now: Ts,
) -> QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    &'a str: Bind<'a, DB>,
    Option<&'a str>: Bind<'a, DB>,
    Option<String>: Bind<'a, DB>,
    String: Bind<'a, DB>,
    bool: Bind<'a, DB>,
    i16: Bind<'a, DB>,
    i64: Bind<'a, DB>,
    Ts: Bind<'a, DB>,
{
    let mut b = QueryBuilder::new(r#"UPDATE "task" SET "updated_at" = "#);
    b.push_bind(now);
    if let Some(title) = &patch.title {
        b.push(r#", "title" = "#).push_bind(title.as_str());
    }
    if let Some(description) = &patch.description {
        b.push(r#", "description" = "#)
            .push_bind(description.as_deref());
    }
    if let Some(completed) = patch.completed {
        b.push(r#", "completed" = "#).push_bind(completed);
    }
    if let Some(priority) = patch.priority {
        b.push(r#", "priority" = "#).push_bind(priority.as_i16());
    }
    if let Some(tags) = &patch.tags {
        b.push(r#", "tags" = "#).push_bind(tags_json(tags));
    }
    if let Some(due_date) = &patch.due_date {
        b.push(r#", "due_date" = "#)
            .push_bind(due_date.map(|d| d.to_string()));
    }
    if let Some(recurrence) = &patch.recurrence {
        b.push(r#", "recurrence" = "#)
            .push_bind(recurrence.as_deref());
    }
    b.push(r#" WHERE "id" = "#)
        .push_bind(id)
        .push(r#" AND "user_id" = "#)
        .push_bind(user_id)
        .push(" RETURNING ")
        .push(COLUMNS);
    b
}

pub async fn update(
    db: &Database,
    user_id: &str,
    id: i64,
    patch: &TaskPatch,
) -> Result<Option<Task>, TaskError> {
    let now = Ts::now();
    let task: Option<Task> = match db {
        // Without tags, one statement as in `create` (stepped to its end: `fetch_returning!`).
        Database::Sqlite(pool) if patch.tags.is_none() => update_sql(user_id, id, patch, now)
            .build_query_as::<TaskRow>()
            .fetch_all(pool)
            .await?
            .into_iter()
            .next()
            .map(Task::from),
        _ => with_pool!(db, |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<TaskRow> = update_sql(user_id, id, patch, now)
                .build_query_as()
                .fetch_optional(&mut *tx)
                .await?;
            if let (Some(row), Some(tags)) = (&row, &patch.tags) {
                exec!(on &mut *tx, DELETE_TAGS, row.id, user_id)?;
                for tag in tags {
                    exec!(on &mut *tx, INSERT_TAG, row.id, user_id, tag)?;
                }
            }
            let task = row.map(Task::from);
            if let Some(task) = &task {
                tx.announce(Kind::Updated, task).await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(task)
        })?,
    };
    Ok(task)
}

/// Completes or reopens a task. Completing a repeating one inserts its next open
/// occurrence in the same transaction; reopening it removes that occurrence again while
/// it is still open (the "undo" of a completion). The extra changes come in `side`.
pub async fn toggle(db: &Database, user_id: &str, id: i64) -> Result<Option<Written>, TaskError> {
    let now = Ts::now();
    let written: Option<Written> = with_pool!(db, |pool| {
        let mut tx = pool.begin().await?;
        let row: Option<TaskRow> = fetch_optional!(on &mut *tx, TOGGLE.as_str(), id, user_id, now)?;
        let Some(task) = row.map(Task::from) else {
            return Ok(None);
        };
        let mut side = Vec::new();
        if task.completed {
            if let Some(next) = next_occurrence(&task, now) {
                side.push((
                    Kind::Created,
                    insert_task!(tx, user_id, &next, Some(task.id), now),
                ));
            }
        } else if task.recurrence.is_some() {
            let rows: Vec<TaskRow> =
                fetch_all!(on &mut *tx, DELETE_OCCURRENCE.as_str(), task.id, user_id)?;
            side.extend(rows.into_iter().map(|r| (Kind::Deleted, Task::from(r))));
        }
        for (kind, other) in &side {
            tx.announce_side(*kind, other).await?;
        }
        tx.announce(Kind::Completed, &task).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(Some(Written { task, side }))
    })?;
    Ok(written)
}

/// The next open occurrence of a repeating task just completed: the same task, due on
/// the rule's next date after this one's (after today when it had none).
fn next_occurrence(done: &Task, now: Ts) -> Option<NewTask> {
    let rule = Recurrence::parse(done.recurrence.as_deref()?).ok()?;
    let after = done.due_date.unwrap_or_else(|| now.0.date_naive());
    Some(NewTask {
        title: done.title.clone(),
        description: done.description.clone(),
        completed: false,
        priority: done.priority,
        tags: done.tags.clone(),
        due_date: Some(rule.next_after(after)?),
        recurrence: Some(rule.as_str().to_string()),
    })
}

/// Deletes the task and answers it as it was (for "Undo"), or `None` if there was none.
pub async fn delete(db: &Database, user_id: &str, id: i64) -> Result<Option<Task>, TaskError> {
    let row: Option<TaskRow> = match db {
        Database::Sqlite(pool) => fetch_returning!(on pool, DELETE.as_str(), id, user_id)?,
        Database::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            let row = fetch_optional!(on &mut *tx, DELETE.as_str(), id, user_id)?;
            return Ok(finish(tx, Kind::Deleted, row).await?);
        }
    };
    Ok(row.map(Task::from))
}

/// Ends a one-statement write on PostgreSQL: announces its row, if any, and commits.
async fn finish(
    mut tx: sqlx::Transaction<'_, Postgres>,
    kind: Kind,
    row: Option<TaskRow>,
) -> Result<Option<Task>, sqlx::Error> {
    let task = row.map(Task::from);
    if let Some(task) = &task {
        tx.announce(kind, task).await?;
    }
    tx.commit().await?;
    Ok(task)
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
