//! Quick add over REST: `POST /api/{user_id}/tasks/quick` with one line of plain words
//! (`{"text": "pay rent every month !high #home"}`), parsed on the server exactly as the
//! board's add box is.

use axum::{extract::State, response::Response};
use serde_json::Value;
use taskdeck::tasks::{self, model, FieldErrors, NewTask, TaskError};

use super::{created, JsonObject};
use crate::{
    auth::TaskOwner,
    error::ApiError,
    routes::openapi::{
        errors::{BodyErrors, OwnerErrors},
        schemas as doc,
    },
    state::AppState,
};

/// Quick add
///
/// Creates a task from one line of plain words: `!high` `!medium` `!low` (or `p1`-`p3`),
/// `#tag`, a date (`today`, `tomorrow`, a weekday, `next week`, `in 3 days`,
/// `2026-12-31`) and a repetition (`every day`, `every weekday`, `every monday`, `every
/// 2 weeks`, …) leave the title; quote a word (`"today"`) or put a backslash before it
/// (`\#1`) to keep it. `tz` decides what "today" is (default UTC).
#[utoipa::path(
    post,
    path = "/api/{user_id}/tasks/quick",
    tag = "tasks",
    operation_id = "quickAddTask",
    params(doc::UserPath),
    request_body(content = doc::QuickAdd, content_type = "application/json"),
    responses(
        (
            status = 201,
            description = "Created",
            body = doc::Task,
            headers(("Location" = String, description = "The new task's URL: `/api/{user_id}/tasks/{id}`")),
        ),
        OwnerErrors,
        BodyErrors,
    ),
    security(("bearer" = [])),
)]
pub async fn quick_add(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    JsonObject(mut body): JsonObject,
) -> Result<Response, ApiError> {
    let mut errors = FieldErrors::default();
    let text = match body.remove("text") {
        Some(Value::String(text)) => text,
        Some(_) => {
            errors.add("text", "must be a string");
            String::new()
        }
        None => {
            errors.add("text", "is required");
            String::new()
        }
    };
    let tz = match body.remove("tz") {
        None => Some(chrono_tz::Tz::UTC),
        Some(Value::String(name)) => model::parse_time_zone(&name),
        Some(_) => None,
    };
    if tz.is_none() {
        errors.add("tz", model::TIME_ZONE_REASON);
    }
    for key in body.keys() {
        errors.add(key, "unknown field");
    }
    if !errors.is_empty() {
        return Err(TaskError::Invalid(errors).into());
    }
    let today = model::today_in(tz.unwrap_or_default(), chrono::Utc::now());
    let new = NewTask::from_text(&text, today, &body).map_err(TaskError::Invalid)?;
    let task = tasks::create(&state.db, &state.changes, &user.id, new).await?;
    Ok(created(&user.id, task))
}
