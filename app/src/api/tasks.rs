//! The board's server functions: list and count the caller's tasks, and add, toggle,
//! edit, delete and restore them. Every call authenticates with the JWT (bearer, or
//! the cookie bound to the live session, minted afresh from it when missing) and runs
//! the same core rules as the REST API.

use leptos::prelude::*;

use super::{
    error::UiError,
    types::{Summary, TaskFilter, TaskListing, TaskView},
};
#[cfg(feature = "ssr")]
use server::{form_fields, task_error};
#[cfg(feature = "ssr")]
use {
    super::call::{is_form_navigation, request_headers, Call},
    super::url::{referer_path, strip_param, with_param},
    taskdeck::tasks::{self, ListQuery, NewTask, TaskError, TaskPatch},
};

/// One page of the caller's tasks, filtered as the board's URL says.
#[server(prefix = "/api/ui", endpoint = "list_tasks")]
pub async fn list_tasks(#[server(flatten)] filter: TaskFilter) -> Result<TaskListing, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let tz = super::time_zone::chosen();
    let mut pairs = filter.core_pairs();
    pairs.push(("tz", tz.name()));
    let query = ListQuery::from_pairs(pairs).unwrap_or_default();
    let page = tasks::list(&call.db, &user, &query)
        .await
        .map_err(task_error)?;
    Ok(TaskListing {
        tasks: page.tasks.into_iter().map(TaskView::from).collect(),
        total: page.total,
        limit: page.limit,
        today: query.today.to_string(),
    })
}

/// The counts on the status tabs.
#[server(prefix = "/api/ui", endpoint = "task_summary")]
pub async fn task_summary() -> Result<Summary, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let s = tasks::summary(&call.db, &user).await.map_err(task_error)?;
    Ok(Summary {
        all: s.all,
        pending: s.pending,
        completed: s.completed,
    })
}

/// Adds a task from the quick-add box: the title is plain words ("pay rent every
/// month !high #home"), parsed as of the caller's today, over the "More details" fields.
#[server(prefix = "/api/ui", endpoint = "create_task")]
pub async fn create_task(
    title: String,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let fields = form_fields(None, description, priority, tags, due_date, None);
    let today = super::time_zone::today();
    let new = NewTask::from_text(&title, today, &fields)
        .map_err(|e| task_error(TaskError::Invalid(e)))?;
    let task = tasks::create(&call.db, &call.changes, &user, new)
        .await
        .map_err(task_error)?;
    Ok(task.into())
}

#[server(prefix = "/api/ui", endpoint = "toggle_task")]
pub async fn toggle_task(id: i64) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    Ok(tasks::toggle(&call.db, &call.changes, &user, id)
        .await
        .map_err(task_error)?
        .into())
}

#[server(prefix = "/api/ui", endpoint = "update_task")]
pub async fn update_task(
    id: i64,
    title: String,
    description: Option<String>,
    priority: Option<String>,
    tags: Option<String>,
    due_date: Option<String>,
    recurrence: Option<String>,
) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    // The edit form always sends every field; an empty one (which may arrive as
    // absent) means "clear it".
    let fields = form_fields(
        Some(title),
        Some(description.unwrap_or_default()),
        priority,
        Some(tags.unwrap_or_default()),
        Some(due_date.unwrap_or_default()),
        Some(recurrence.unwrap_or_default()),
    );
    let patch = TaskPatch::from_json(&fields).map_err(|e| task_error(TaskError::Invalid(e)))?;
    let task = tasks::update(&call.db, &call.changes, &user, id, patch)
        .await
        .map_err(task_error)?;
    // Without JavaScript: back to the board with the editor closed.
    let headers = request_headers();
    if is_form_navigation(&headers) {
        let back = strip_param(&referer_path(&headers), "edit");
        leptos_axum::redirect(&strip_param(&back, "error"));
    }
    Ok(task.into())
}

/// Deletes a task and answers the token that undoes it (see `taskdeck::tasks::undo`).
/// Without JavaScript the board is shown again with `?deleted=<token>`, which renders
/// the "Undo" form.
#[server(prefix = "/api/ui", endpoint = "delete_task")]
pub async fn delete_task(id: i64) -> Result<String, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let task = tasks::delete(&call.db, &call.changes, &user, id)
        .await
        .map_err(task_error)?;
    let token = tasks::undo::seal(call.secret(), &task, chrono::Utc::now());
    let headers = request_headers();
    if is_form_navigation(&headers) {
        let back = with_param(&referer_path(&headers), "deleted", &token);
        leptos_axum::redirect(&back);
    }
    Ok(token)
}

/// Undoes a deletion: the task comes back as it was (id, dates, state, tags).
#[server(prefix = "/api/ui", endpoint = "restore_task")]
pub async fn restore_task(token: String) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let task = tasks::restore(&call.db, &call.changes, call.secret(), &user, &token)
        .await
        .map_err(task_error)?;
    let headers = request_headers();
    if is_form_navigation(&headers) {
        let back = referer_path(&headers);
        leptos_axum::redirect(&strip_param(&back, "deleted"));
    }
    Ok(task.into())
}

/// The title of the task a `?deleted=<token>` would restore, for the notice the board
/// shows after a delete without JavaScript; `None` for an expired or foreign token.
#[server(prefix = "/api/ui", endpoint = "undo_preview")]
pub async fn undo_preview(token: String) -> Result<Option<String>, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let task = tasks::undo::open(call.secret(), &user, &token, chrono::Utc::now());
    Ok(task.map(|t| t.title))
}

/// Moves a task one place `up` or `down` in the user's own order (the row's arrow
/// buttons, and Alt+↑/↓).
#[server(prefix = "/api/ui", endpoint = "move_task")]
pub async fn move_task(id: i64, direction: String) -> Result<TaskView, UiError> {
    let place = match direction.as_str() {
        "up" => tasks::Place::Up,
        "down" => tasks::Place::Down,
        _ => {
            return Err(super::call::invalid(
                None,
                taskdeck::problem::Code::InvalidBody,
            ))
        }
    };
    moved(id, place).await
}

/// Moves a task right after another (`after`; none: first): a drag and drop.
#[server(prefix = "/api/ui", endpoint = "move_task_after")]
pub async fn move_task_after(id: i64, after: Option<i64>) -> Result<TaskView, UiError> {
    moved(id, tasks::Place::After(after)).await
}

#[cfg(feature = "ssr")]
async fn moved(id: i64, place: tasks::Place) -> Result<TaskView, UiError> {
    let call = Call::enter(None).await?;
    let user = call.user().await?;
    let task = tasks::move_task(&call.db, &call.changes, &user, id, place)
        .await
        .map_err(task_error)?;
    // Without JavaScript: back to the board, at the moved row.
    let headers = request_headers();
    if is_form_navigation(&headers) {
        let back = referer_path(&headers);
        leptos_axum::redirect(&format!("{back}#{}", crate::board_dom::id::row(task.id)));
    }
    Ok(task.into())
}

/// What quick add understands in `text`, as the chips' markup under the box (the
/// island asks as the user pauses typing): nothing is saved.
#[server(prefix = "/api/ui", endpoint = "preview_quick_add")]
pub async fn preview_quick_add(text: String) -> Result<String, UiError> {
    use crate::quick_chips::{chips, chips_html};
    let call = Call::enter(None).await?;
    call.user().await?;
    let today = super::time_zone::today();
    let parsed = taskdeck::tasks::quick_add::parse(&text, today);
    Ok(chips_html(&chips(&parsed, today)))
}

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value};
    use taskdeck::{problem::Problem, tasks::TaskError};

    use super::super::{
        call::{fail, unauthorized},
        error::UiError,
    };
    use crate::messages::error_message;

    pub fn task_error(error: TaskError) -> UiError {
        match &error {
            TaskError::UnknownUser => unauthorized(&Problem::from(&error)),
            TaskError::Invalid(fields) => {
                // The form's words name the field ("Give the task a title"), not the
                // REST API's `title: must not be empty`.
                let field = fields.0.keys().next().map_or("", String::as_str);
                let code = match field {
                    "title" | "text" => "INVALID_TITLE",
                    "description" => "INVALID_DESCRIPTION",
                    "priority" => "INVALID_PRIORITY",
                    "tags" => "INVALID_TAGS",
                    "due_date" => "INVALID_DUE_DATE",
                    "recurrence" => "INVALID_RECURRENCE",
                    _ => "VALIDATION_ERROR",
                };
                let problem = Problem {
                    code: Some(code),
                    message: error_message(code).to_string(),
                    ..Problem::from(&error)
                };
                fail(None, problem)
            }
            _ => fail(None, &error),
        }
    }

    /// A form field left empty means "none" (`null`) to the core's validators.
    fn blank_to_null(value: String) -> Value {
        if value.trim().is_empty() {
            Value::Null
        } else {
            Value::String(value)
        }
    }

    /// Builds the JSON object the core validates from form fields (empty means absent).
    pub fn form_fields(
        title: Option<String>,
        description: Option<String>,
        priority: Option<String>,
        tags: Option<String>,
        due_date: Option<String>,
        recurrence: Option<String>,
    ) -> Map<String, Value> {
        let mut map = Map::new();
        if let Some(t) = title {
            map.insert("title".into(), Value::String(t));
        }
        if let Some(d) = description {
            map.insert("description".into(), blank_to_null(d));
        }
        if let Some(p) = priority.filter(|p| !p.is_empty()) {
            map.insert("priority".into(), Value::String(p));
        }
        if let Some(t) = tags {
            let list: Vec<Value> = t
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect();
            map.insert("tags".into(), Value::Array(list));
        }
        if let Some(d) = due_date {
            map.insert("due_date".into(), blank_to_null(d));
        }
        if let Some(r) = recurrence {
            map.insert("recurrence".into(), blank_to_null(r));
        }
        map
    }
}
