//! Tasks: the rules and the queries. Every statement is filtered by the caller's user
//! id in SQL (`WHERE id = $1 AND user_id = $2`), so another user's task and a missing
//! one are indistinguishable: both are [`TaskError::NotFound`].
//!
//! Every write takes the instance's [`Changes`] hub and announces itself there (see
//! [`crate::live`]), so that both doors feed the live streams without a step of their own.

pub mod model;
pub mod quick_add;
pub mod rank;
pub mod recurrence;
mod store;
pub mod transfer;
pub mod undo;

pub use model::{
    FieldErrors, ListQuery, NewTask, Priority, SortKey, SortOrder, StatusFilter, Summary, Task,
    TaskPage, TaskPatch, View,
};

use std::future::Future;

use crate::{
    live::{self, postgres, Change, Changes, Kind},
    problem::{Code, Problem},
    storage::{Database, StorageError},
};
pub use store::Place;
use store::Written;

#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("task not found")]
    NotFound,
    #[error("invalid input: {}", .0.summary())]
    Invalid(FieldErrors),
    /// The token's user no longer exists (deleted while the token was still valid).
    #[error("unknown user")]
    UnknownUser,
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<&TaskError> for Problem {
    fn from(error: &TaskError) -> Self {
        match error {
            TaskError::NotFound => Code::TaskNotFound.into(),
            TaskError::Invalid(fields) => Self {
                errors: serde_json::to_value(fields).ok(),
                ..Self::detailed(Code::InvalidTask, fields.summary())
            },
            TaskError::UnknownUser => Code::DeletedUser.into(),
            TaskError::Storage(e) => e.into(),
        }
    }
}

impl From<sqlx::Error> for TaskError {
    fn from(e: sqlx::Error) -> Self {
        if matches!(&e, sqlx::Error::Database(d) if d.is_foreign_key_violation()) {
            TaskError::UnknownUser
        } else {
            TaskError::Storage(StorageError::Query(e))
        }
    }
}

/// One page of tasks, decoded (the server functions' form).
pub async fn list(db: &Database, user_id: &str, query: &ListQuery) -> Result<TaskPage, TaskError> {
    let page = list_json(db, user_id, query).await?;
    let tasks = serde_json::from_str(&page.tasks)
        .map_err(|e| StorageError::Query(sqlx::Error::Decode(Box::new(e))))?;
    Ok(TaskPage {
        tasks,
        total: page.total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One page of tasks with the array still as JSON text, built by the database: the
/// REST API sends it on without decoding fifty rows and re-encoding them.
pub async fn list_json(
    db: &Database,
    user_id: &str,
    query: &ListQuery,
) -> Result<TaskPage<String>, TaskError> {
    let (tasks, total) = store::list_json(db, user_id, query).await?;
    Ok(TaskPage {
        tasks,
        total,
        limit: query.limit,
        offset: query.offset,
    })
}

pub async fn get(db: &Database, user_id: &str, id: i64) -> Result<Task, TaskError> {
    store::get(db, user_id, id)
        .await?
        .ok_or(TaskError::NotFound)
}

pub async fn create(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    new: NewTask,
) -> Result<Task, TaskError> {
    let write = async { store::create(db, user_id, &new).await.map(Some) };
    announced(db, changes, user_id, Kind::Created, write).await
}

pub async fn update(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    id: i64,
    patch: TaskPatch,
) -> Result<Task, TaskError> {
    let write = store::update(db, user_id, id, &patch);
    announced(db, changes, user_id, Kind::Updated, write).await
}

pub async fn toggle(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    id: i64,
) -> Result<Task, TaskError> {
    let write = store::toggle(db, user_id, id);
    Ok(announced_all(db, changes, user_id, Kind::Completed, write)
        .await?
        .task)
}

/// Deletes the task and answers it as it was, so that the caller can offer "Undo".
pub async fn delete(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    id: i64,
) -> Result<Task, TaskError> {
    let write = store::delete(db, user_id, id);
    announced(db, changes, user_id, Kind::Deleted, write).await
}

/// Puts back a task deleted moments ago, from the token its deletion answered with
/// (see [`undo`]). An expired, forged or foreign token is [`TaskError::NotFound`];
/// restoring twice answers the task as it already is (and announces nothing).
pub async fn restore(
    db: &Database,
    changes: &Changes,
    secret: &[u8],
    user_id: &str,
    token: &str,
) -> Result<Task, TaskError> {
    let task = undo::open(secret, user_id, token, chrono::Utc::now()).ok_or(TaskError::NotFound)?;
    let write = store::restore(db, &task);
    match announced(db, changes, user_id, Kind::Created, write).await {
        Err(TaskError::NotFound) => get(db, user_id, task.id).await,
        done => done,
    }
}

/// A task is what live sync carries: its owner's streams hear of it, as the REST JSON.
impl live::Announced for Task {
    fn owner(&self) -> &str {
        &self.user_id
    }
    fn id(&self) -> i64 {
        self.id
    }
}

/// Runs one write of `user_id`'s tasks and has it announced: on PostgreSQL the store
/// sent `NOTIFY` inside the write's transaction (the listener delivers it, here too,
/// and the answer waits for that);
/// on SQLite it is published here, after the commit, while the user's turn is held so
/// that two concurrent writes cannot be announced in the opposite order they committed.
/// `None` from the write (no such task) is [`TaskError::NotFound`], announced nowhere.
async fn announced(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    kind: Kind,
    write: impl Future<Output = Result<Option<Task>, TaskError>>,
) -> Result<Task, TaskError> {
    let write = async {
        let task = write.await?;
        Ok(task.map(|task| Written {
            task,
            side: Vec::new(),
        }))
    };
    Ok(announced_all(db, changes, user_id, kind, write).await?.task)
}

/// [`announced`] for a write that changed other tasks too: theirs are published
/// first, the write's own last (the one a PostgreSQL writer waits for).
async fn announced_all(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    kind: Kind,
    write: impl Future<Output = Result<Option<Written>, TaskError>>,
) -> Result<Written, TaskError> {
    match db {
        Database::Sqlite(_) => {
            let _turn = changes.turn(user_id).await;
            let written = write.await?.ok_or(TaskError::NotFound)?;
            for (side_kind, task) in &written.side {
                changes.publish(Change::of(*side_kind, task));
            }
            changes.publish(Change::of(kind, &written.task));
            Ok(written)
        }
        Database::Postgres(_) => {
            // Answer only once this instance has delivered the write's own event, so
            // that a stream opened after the answer finds it (in commit order).
            let echo = changes.expect_echo();
            let written = postgres::with_echo(echo.key().to_string(), write).await;
            let written = written?.ok_or(TaskError::NotFound)?;
            echo.wait().await;
            Ok(written)
        }
    }
}

/// Moves a task in the user's own order (one row written: see [`rank`]).
pub async fn move_task(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    id: i64,
    place: Place,
) -> Result<Task, TaskError> {
    let write = store::move_task(db, user_id, id, place);
    announced(db, changes, user_id, Kind::Updated, write).await
}

/// Every task of `user_id`, oldest first, as a stream with bounded memory (see
/// `store::export`).
pub fn export(
    db: &Database,
    user_id: &str,
) -> tokio::sync::mpsc::Receiver<Result<Task, TaskError>> {
    store::export(db, user_id)
}

/// Adds `tasks` in their order, all or none (one transaction); how many were added.
/// Each is announced to the user's live streams.
pub async fn import(
    db: &Database,
    changes: &Changes,
    user_id: &str,
    tasks: Vec<NewTask>,
) -> Result<usize, TaskError> {
    if tasks.is_empty() {
        return Ok(0);
    }
    let write = store::import(db, user_id, &tasks);
    announced_all(db, changes, user_id, Kind::Created, write).await?;
    Ok(tasks.len())
}

pub async fn summary(db: &Database, user_id: &str) -> Result<Summary, TaskError> {
    store::summary(db, user_id).await
}
