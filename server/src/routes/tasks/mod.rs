//! The tasks REST API, on the original FastAPI service's paths:
//! `/api/{user_id}/tasks[/{id}[/complete]]`. Every handler takes a [`TaskOwner`]
//! (a verified bearer JWT); `{user_id}` must be its subject (403 otherwise), and every
//! query is filtered by it in SQL, so another user's task is a plain 404.

use axum::{
    body::Bytes,
    extract::{FromRequest, Path, RawQuery, Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{Map, Value};
use taskdeck::{
    problem::Code,
    tasks::{self, ListQuery, NewTask, TaskError, TaskPatch},
};
use utoipa_axum::{router::OpenApiRouter, routes};

mod order;
mod quick;
mod transfer;

pub use transfer::ui_router;

use crate::{
    auth::TaskOwner,
    error::ApiError,
    routes::openapi::{
        errors::{BodyErrors, OwnerErrors, QueryErrors, TaskLookupErrors},
        schemas as doc,
    },
    state::AppState,
};

/// The routes, each with its operation in the document (the path and method come from
/// the handler's `#[utoipa::path]`). One `routes!` per path: utoipa-axum routes every
/// handler of a `routes!` on every path it names.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(quick::quick_add))
        .routes(routes!(transfer::export))
        .routes(routes!(transfer::import))
        .routes(routes!(read, update, remove))
        .routes(routes!(toggle))
        .routes(routes!(order::move_task))
}

/// Task ids are integers; anything else names no task.
fn task_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::Task(TaskError::NotFound))
}

/// The whole body of a tasks request (a JSON object, an upload).
pub(super) async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        // Past the size limit (e.g. a chunked body) is a 413, like Content-Length.
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::Code(Code::PayloadTooLarge)
        } else {
            ApiError::Detailed(Code::InvalidTaskBody, e.body_text())
        }
    })
}

/// A JSON object body: 415 for another content type, 400 for malformed JSON or a
/// non-object; field rules are checked afterwards (422).
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = crate::auth::body::media_type(req.headers()).is_some_and(|v| {
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        });
        if !is_json {
            return Err(ApiError::Code(Code::TaskMediaType));
        }
        let bytes = body_bytes(req, state).await?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::Code(Code::InvalidTaskBody)),
            Err(e) => Err(ApiError::Detailed(
                Code::InvalidJson,
                format!("Malformed JSON: {e}"),
            )),
        }
    }
}

/// List tasks
///
/// One page of the caller's tasks, filtered and sorted. The body is a bare array; the
/// total matching count and the page bounds are in headers.
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks",
    tag = "tasks",
    operation_id = "listTasks",
    params(doc::UserPath, doc::ListParams),
    responses(
        (
            status = 200,
            description = "One page of tasks",
            body = [doc::Task],
            headers(
                ("X-Total-Count" = i64, description = "How many tasks match the filters, on all pages"),
                ("X-Limit" = i64, description = "The page size used"),
                ("X-Offset" = i64, description = "The offset used"),
            ),
        ),
        OwnerErrors,
        QueryErrors,
    ),
    security(("bearer" = [])),
)]
async fn list(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let raw = raw.unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    // Exactly as documented: a blank or unknown enum value is a 422, like any bad value.
    let query = ListQuery::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(TaskError::Invalid)?;
    let page = tasks::list_json(&state.db, &user.id, &query).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("x-total-count", HeaderValue::from(page.total));
    headers.insert("x-limit", HeaderValue::from(page.limit));
    headers.insert("x-offset", HeaderValue::from(page.offset));
    // The body stays a bare array, as the original API returned.
    Ok((headers, page.tasks).into_response())
}

/// Create a task
#[utoipa::path(
    post,
    path = "/api/{user_id}/tasks",
    tag = "tasks",
    operation_id = "createTask",
    params(doc::UserPath),
    request_body(content = doc::NewTask, content_type = "application/json"),
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
async fn create(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let new = NewTask::from_json(&body).map_err(TaskError::Invalid)?;
    let task = tasks::create(&state.db, &state.changes, &user.id, new).await?;
    Ok(created(&user.id, task))
}

/// 201 with the new task and its `Location`.
fn created(user_id: &str, task: tasks::Task) -> Response {
    let location = format!("/api/{}/tasks/{}", encode(user_id), task.id);
    (
        StatusCode::CREATED,
        [(
            header::LOCATION,
            HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/")),
        )],
        Json(task),
    )
        .into_response()
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

/// Get a task
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks/{id}",
    tag = "tasks",
    operation_id = "getTask",
    params(doc::TaskPath),
    responses(
        (status = 200, description = "The task", body = doc::Task),
        OwnerErrors,
        TaskLookupErrors,
    ),
    security(("bearer" = [])),
)]
async fn read(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<tasks::Task>, ApiError> {
    Ok(Json(tasks::get(&state.db, &user.id, task_id(&id)?).await?))
}

/// Update a task
///
/// Changes the fields present in the body and leaves the others alone.
#[utoipa::path(
    put,
    path = "/api/{user_id}/tasks/{id}",
    tag = "tasks",
    operation_id = "updateTask",
    params(doc::TaskPath),
    request_body(content = doc::TaskUpdate, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated task", body = doc::Task),
        OwnerErrors,
        TaskLookupErrors,
        BodyErrors,
    ),
    security(("bearer" = [])),
)]
async fn update(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    Path((_, id)): Path<(String, String)>,
    JsonObject(body): JsonObject,
) -> Result<Json<tasks::Task>, ApiError> {
    let id = task_id(&id)?;
    let patch = TaskPatch::from_json(&body).map_err(TaskError::Invalid)?;
    Ok(Json(
        tasks::update(&state.db, &state.changes, &user.id, id, patch).await?,
    ))
}

/// Delete a task
#[utoipa::path(
    delete,
    path = "/api/{user_id}/tasks/{id}",
    tag = "tasks",
    operation_id = "deleteTask",
    params(doc::TaskPath),
    responses(
        (status = 204, description = "Deleted"),
        OwnerErrors,
        TaskLookupErrors,
    ),
    security(("bearer" = [])),
)]
async fn remove(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    tasks::delete(&state.db, &state.changes, &user.id, task_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Toggle completion
///
/// Flips `completed` and returns the task.
#[utoipa::path(
    patch,
    path = "/api/{user_id}/tasks/{id}/complete",
    tag = "tasks",
    operation_id = "toggleTask",
    params(doc::TaskPath),
    responses(
        (status = 200, description = "The task, with `completed` flipped", body = doc::Task),
        OwnerErrors,
        TaskLookupErrors,
    ),
    security(("bearer" = [])),
)]
async fn toggle(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<tasks::Task>, ApiError> {
    Ok(Json(
        tasks::toggle(&state.db, &state.changes, &user.id, task_id(&id)?).await?,
    ))
}
