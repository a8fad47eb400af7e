//! Tasks: the rules and the queries. Every statement is filtered by the caller's user
//! id in SQL (`WHERE id = $1 AND user_id = $2`), so another user's task and a missing
//! one are indistinguishable: both are [`TaskError::NotFound`].

pub mod model;
mod store;
pub mod undo;

pub use model::{
    FieldErrors, ListQuery, NewTask, Priority, SortKey, SortOrder, StatusFilter, Summary, Task,
    TaskPage, TaskPatch,
};

use crate::storage::{Database, StorageError};

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

pub async fn create(db: &Database, user_id: &str, new: NewTask) -> Result<Task, TaskError> {
    store::create(db, user_id, &new).await
}

pub async fn update(
    db: &Database,
    user_id: &str,
    id: i64,
    patch: TaskPatch,
) -> Result<Task, TaskError> {
    store::update(db, user_id, id, &patch)
        .await?
        .ok_or(TaskError::NotFound)
}

pub async fn toggle(db: &Database, user_id: &str, id: i64) -> Result<Task, TaskError> {
    store::toggle(db, user_id, id)
        .await?
        .ok_or(TaskError::NotFound)
}

/// Deletes the task and answers it as it was, so that the caller can offer "Undo".
pub async fn delete(db: &Database, user_id: &str, id: i64) -> Result<Task, TaskError> {
    store::delete(db, user_id, id)
        .await?
        .ok_or(TaskError::NotFound)
}

/// Puts back a task deleted moments ago, from the token its deletion answered with
/// (see [`undo`]). An expired, forged or foreign token is [`TaskError::NotFound`];
/// restoring twice answers the task as it already is.
pub async fn restore(
    db: &Database,
    secret: &[u8],
    user_id: &str,
    token: &str,
) -> Result<Task, TaskError> {
    let task = undo::open(secret, user_id, token, chrono::Utc::now()).ok_or(TaskError::NotFound)?;
    match store::restore(db, &task).await? {
        Some(restored) => Ok(restored),
        None => get(db, user_id, task.id).await,
    }
}

pub async fn summary(db: &Database, user_id: &str) -> Result<Summary, TaskError> {
    store::summary(db, user_id).await
}
