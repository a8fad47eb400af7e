//! Manual order over REST: `POST /api/{user_id}/tasks/{id}/move` with `{"after": id}`
//! (or `null`: first), one row written (see `taskdeck::tasks::rank`).

use axum::{
    extract::{Path, State},
    Json,
};
use serde_json::Value;
use taskdeck::tasks::{self, FieldErrors, Place, TaskError};

use super::{task_id, JsonObject};
use crate::{
    auth::TaskOwner,
    error::ApiError,
    routes::openapi::{
        errors::{BodyErrors, OwnerErrors, TaskLookupErrors},
        schemas as doc,
    },
    state::AppState,
};

/// Move a task
///
/// Puts the task right after another of the caller's tasks (`after`: its id), or first
/// (`after: null`), in the caller's own order (`GET …/tasks?sort=position`). Only the
/// moved task changes (its `position`); a task that is not the caller's is a 404.
#[utoipa::path(
    post,
    path = "/api/{user_id}/tasks/{id}/move",
    tag = "tasks",
    operation_id = "moveTask",
    params(doc::TaskPath),
    request_body(content = doc::MoveTask, content_type = "application/json"),
    responses(
        (status = 200, description = "The task, in its new place", body = doc::Task),
        OwnerErrors,
        TaskLookupErrors,
        BodyErrors,
    ),
    security(("bearer" = [])),
)]
pub async fn move_task(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    Path((_, id)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> Result<Json<tasks::Task>, ApiError> {
    let id = task_id(&id)?;
    let mut errors = FieldErrors::default();
    let after = match body.get("after") {
        Some(Value::Null) => Some(None),
        // JSON Schema's integer is a value: `3.0` is one too.
        Some(v) => v
            .as_i64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
            .map(Some),
        None => None,
    };
    match after {
        None if body.contains_key("after") => errors.add("after", "must be a task id or null"),
        None => errors.add("after", "is required"),
        Some(_) => {}
    }
    for key in body.keys().filter(|k| *k != "after") {
        errors.add(key, "unknown field");
    }
    if !errors.is_empty() {
        return Err(TaskError::Invalid(errors).into());
    }
    let place = Place::After(after.flatten());
    Ok(Json(
        tasks::move_task(&state.db, &state.changes, &user.id, id, place).await?,
    ))
}
