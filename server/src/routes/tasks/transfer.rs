//! Export and import, through both doors:
//!
//! - REST: `GET /api/{user_id}/tasks/export[?format=csv]` and `POST
//!   /api/{user_id}/tasks/import` (JSON, our CSV or a Todoist CSV export) → `{"imported": n}`.
//! - UI (settings, with or without JavaScript): `GET /api/ui/export?format=…` as a download,
//!   and `POST /api/ui/import`, a file form (`multipart/form-data`) that comes back to
//!   settings with the outcome in words.
//!
//! Exports stream: the tasks are read and written a batch at a time, so a user with
//! 100,000 tasks costs the server a few hundred of them in memory. Imports are all or
//! nothing, in one transaction.

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Multipart, RawQuery, Request, State},
    http::{header, request::Parts, HeaderValue},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use taskdeck::{
    auth::Incoming,
    problem::Code,
    tasks::{self, transfer, TaskError},
};
use tokio::sync::mpsc;

use crate::{
    auth::TaskOwner,
    error::ApiError,
    routes::openapi::{
        errors::{OwnerErrors, QueryErrors, UploadErrors},
        schemas as doc,
    },
    state::AppState,
};

/// The UI door's routes (undocumented, like the server functions beside them).
pub fn ui_router() -> Router<AppState> {
    Router::new()
        .route(app::board_dom::EXPORT_URL, get(ui_export))
        .route(app::board_dom::IMPORT_URL, post(ui_import))
}

/// Whether the query asks for CSV: `format` is `json` (the default) or `csv`, the last
/// one given winning as in the list's query; anything else is a 422 naming it.
fn export_format(raw: Option<&str>) -> Result<bool, ApiError> {
    let format = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == "format")
        .map(|(_, value)| value.into_owned())
        .last();
    match format.as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => {
            let mut errors = tasks::FieldErrors::default();
            errors.add("format", "must be json or csv");
            Err(TaskError::Invalid(errors).into())
        }
    }
}

/// Export tasks
///
/// Every task of the caller, oldest first: a JSON array of tasks as the other operations
/// return them (the default), or CSV (`?format=csv`) with a header row (`title,
/// description, completed, priority, tags, due_date, recurrence, position`; tags joined
/// by commas). Streamed; either form can be sent back to `…/tasks/import`.
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks/export",
    tag = "tasks",
    operation_id = "exportTasks",
    params(doc::UserPath, doc::ExportParams),
    responses(
        (
            status = 200,
            description = "Every task",
            content(
                ([doc::Task] = "application/json"),
                (String = "text/csv"),
            ),
            headers(("Content-Disposition" = String, description = "`attachment` with a file name")),
        ),
        OwnerErrors,
        QueryErrors,
    ),
    security(("bearer" = [])),
)]
pub async fn export(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let csv = export_format(query.as_deref())?;
    Ok(download(tasks::export(&state.db, &user.id), csv))
}

/// The export as a streamed download.
fn download(rows: mpsc::Receiver<Result<tasks::Task, TaskError>>, csv: bool) -> Response {
    let (content_type, file) = if csv {
        ("text/csv; charset=utf-8", "taskdeck-tasks.csv")
    } else {
        ("application/json", "taskdeck-tasks.json")
    };
    // Fused: the body may be polled again after its end.
    let body = Body::from_stream(futures_util::StreamExt::fuse(chunks(rows, csv)));
    let disposition = format!("attachment; filename=\"{file}\"");
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        body,
    )
        .into_response()
}

/// Up to this many tasks are written per chunk of the body.
const CHUNK_TASKS: usize = 128;

/// The body, a batch of tasks per chunk: the opening (`[` or the CSV header), the tasks,
/// and the close. A read failure ends the body with an error, so the client sees a
/// broken transfer rather than a file that looks complete.
fn chunks(
    rows: mpsc::Receiver<Result<tasks::Task, TaskError>>,
    csv: bool,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    struct Walk {
        rows: mpsc::Receiver<Result<tasks::Task, TaskError>>,
        started: bool,
        first: bool,
        done: bool,
    }
    let walk = Walk {
        rows,
        started: false,
        first: true,
        done: false,
    };
    futures_util::stream::unfold(walk, move |mut walk| async move {
        if walk.done {
            return None;
        }
        let mut out = String::new();
        if !walk.started {
            walk.started = true;
            out.push_str(&if csv {
                transfer::csv_format::header_line()
            } else {
                "[".to_string()
            });
        }
        let mut batch = Vec::with_capacity(CHUNK_TASKS);
        if walk.rows.recv_many(&mut batch, CHUNK_TASKS).await == 0 {
            walk.done = true;
            if !csv {
                out.push_str("]\n");
            }
            return Some((Ok(Bytes::from(out)), walk));
        }
        for row in batch {
            let task = match row {
                Ok(task) => task,
                Err(error) => {
                    tracing::error!(%error, "export failed part-way");
                    walk.done = true;
                    return Some((Err(std::io::Error::other("export failed")), walk));
                }
            };
            if csv {
                out.push_str(&transfer::csv_line(&task));
            } else {
                if !walk.first {
                    out.push(',');
                }
                walk.first = false;
                out.push_str(&serde_json::to_string(&task).unwrap_or_default());
            }
        }
        Some((Ok(Bytes::from(out)), walk))
    })
}

/// Import tasks
///
/// Adds the tasks of a file, in its order, all or none: a JSON array of tasks (the
/// export's, or new-task objects; `id`, `user_id`, `created_at` and `updated_at` are
/// ignored), or CSV sent as `text/csv`: the export's, or a Todoist CSV export (tasks,
/// with notes added to their description, `@labels` as tags, priorities and dates).
/// At most 10,000 tasks; a refusal (422) names each bad row as `row N`.
#[utoipa::path(
    post,
    path = "/api/{user_id}/tasks/import",
    tag = "tasks",
    operation_id = "importTasks",
    params(doc::UserPath),
    request_body(
        content = [doc::NewTask],
        content_type = "application/json",
        description = "The tasks, as a JSON array (or CSV sent as `text/csv`)",
    ),
    responses(
        (status = 200, description = "Imported", body = doc::Imported),
        OwnerErrors,
        UploadErrors,
    ),
    security(("bearer" = [])),
)]
pub async fn import(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    request: Request,
) -> Result<Json<serde_json::Value>, ApiError> {
    let format = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(transfer::format_for)
        .ok_or(ApiError::Detailed(
            Code::TaskMediaType,
            "Send the tasks as application/json or text/csv".into(),
        ))?;
    let body = super::body_bytes(request, &state).await?;
    let imported = import_body(&state, &user.id, format, &body).await?;
    Ok(Json(serde_json::json!({ "imported": imported })))
}

async fn import_body(
    state: &AppState,
    user_id: &str,
    format: transfer::Format,
    body: &[u8],
) -> Result<usize, ApiError> {
    let new = transfer::new_tasks(format, body).map_err(TaskError::Invalid)?;
    Ok(tasks::import(&state.db, &state.changes, user_id, new).await?)
}

/// The UI door's download (the settings page's "Export my tasks" links).
async fn ui_export(State(state): State<AppState>, parts: Parts) -> Result<Response, ApiError> {
    let incoming = Incoming::new(&parts.method, &parts.headers, &parts.extensions);
    let caller = state.auth.ui_caller(&incoming).await?;
    let csv = export_format(parts.uri.query())?;
    Ok(download(tasks::export(&state.db, &caller.user_id), csv))
}

/// The settings page's import form: back to settings with `?imported=N`, or with
/// `?import_error=` and the problems in words.
async fn ui_import(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let incoming = Incoming::new(&parts.method, &parts.headers, &parts.extensions);
    state.auth.check_origin(&incoming, "/ui")?;
    let caller = state.auth.ui_caller(&incoming).await?;
    let request = Request::from_parts(parts, body);
    let outcome = match read_file(request, &state).await {
        Ok((format, bytes)) => import_body(&state, &caller.user_id, format, &bytes).await,
        Err(e) => Err(e),
    };
    let to = match outcome {
        Ok(n) => format!("/settings?imported={n}#transfer"),
        Err(e) => {
            let problem = e.problem();
            let words: String = problem.message.chars().take(600).collect();
            let words: String = url::form_urlencoded::byte_serialize(words.as_bytes()).collect();
            format!("/settings?import_error={words}#transfer")
        }
    };
    Ok(Redirect::to(&to).into_response())
}

/// The uploaded file of the import form: its format from its name or type.
async fn read_file(
    request: Request,
    state: &AppState,
) -> Result<(transfer::Format, Bytes), ApiError> {
    let bad = |why: &str| ApiError::Detailed(Code::InvalidTaskBody, why.to_string());
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|_| bad("Choose a file to import."))?;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| bad("The upload was cut short."))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_ascii_lowercase();
        let kind = field.content_type().unwrap_or_default().to_string();
        let format = if name.ends_with(".csv") {
            Some(transfer::Format::Csv)
        } else if name.ends_with(".json") {
            Some(transfer::Format::Json)
        } else {
            transfer::format_for(&kind)
        };
        let bytes = field
            .bytes()
            .await
            .map_err(|_| bad("The file is too large to import."))?;
        if bytes.is_empty() {
            return Err(bad("Choose a file to import."));
        }
        // A file without a telling name or type: JSON starts with `[`, anything else is
        // read as CSV (whose header then says whether it is ours or Todoist's).
        let sniffed = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => transfer::Format::Json,
            _ => transfer::Format::Csv,
        };
        return Ok((format.unwrap_or(sniffed), bytes));
    }
    Err(bad("Choose a file to import."))
}
