//! Live sync over Server-Sent Events: the caller's task changes as they commit (the hub
//! is `taskdeck::live`). Two doors onto the same stream:
//!
//! - `GET /api/{user_id}/tasks/events`: the REST door, a bearer JWT like every tasks
//!   route (401, then 403 for another user's path). Ends when the token expires.
//! - `GET /api/ui/events`: the UI door, whoever the server functions take the caller to
//!   be (a bearer JWT, else the session cookie with or without its JWT cookie). Tied to
//!   the session: re-checked every heartbeat, the stream ends once it is signed out,
//!   revoked or expired.
//!
//! Both end with an `end` event on graceful shutdown (the hub closes), resume from
//! `Last-Event-ID`, and send a comment line every `LIVE_HEARTBEAT_SECS`.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    extract::State,
    http::{header, request::Parts, HeaderMap, HeaderValue},
    response::{
        sse::{Event as SseEvent, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::get,
    Router,
};
use taskdeck::{
    auth::{bearer_token, jwt::AccessClaims, AuthService, Incoming},
    live::{Event, Kind, Subscription},
};
use tokio::time::{Instant, Interval};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    auth::TaskOwner,
    error::ApiError,
    routes::openapi::{
        errors::{OwnerErrors, StreamErrors},
        schemas as doc,
    },
    state::AppState,
};

/// The REST door, with its operation in the document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(task_events))
}

/// The UI door (undocumented, like the server functions beside it).
pub fn ui_router() -> Router<AppState> {
    Router::new().route(app::board_dom::EVENTS_URL, get(ui_events))
}

/// Stream task changes
///
/// Server-Sent Events, one per committed change to the caller's tasks, made through
/// either door (this API or the web UI) on any instance. Each event has an `id:`; send
/// the last one back as `Last-Event-ID` after a short disconnect to get what was missed.
///
/// Events (`event:` name, then the JSON in `data:`):
/// - `created`, `updated`, `completed`: the task, exactly as the other operations return it
///   (`completed` is a toggle either way; "Undo" of a delete is `created`);
/// - `deleted`: `{"id": N}`;
/// - `changed`: `{"id": N}`, a change too large to carry between instances: `GET` the task;
/// - `ready`: `{"reason": "live"}`, after any replay: the stream is caught up;
/// - `reset`: `{"reason": …}`, changes were missed (too far behind, another instance,
///   a restart): reload the list, then apply what follows;
/// - `end`: `{"reason": "token_expired" | "shutdown"}`, the last event: reconnect (with
///   a fresh token).
///
/// Apply events as upserts by task id. A comment line (`:`) is sent every 15 s.
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks/events",
    tag = "tasks",
    operation_id = "streamTaskEvents",
    params(
        doc::UserPath,
        ("Last-Event-ID" = Option<String>, Header, description = "The `id` of the last event received, to resume after it"),
    ),
    responses(
        (
            status = 200,
            description = "An endless stream of events (`text/event-stream`) until `end`",
            content_type = "text/event-stream",
            body = String,
            example = "event: ready\nid: Vx3kQ9aLp2-0\ndata: {\"reason\":\"live\"}\n\nevent: created\nid: Vx3kQ9aLp2-1\ndata: {\"id\":1,\"user_id\":\"…\",\"title\":\"Buy milk\",…}\n\n",
        ),
        OwnerErrors,
        StreamErrors,
    ),
    security(("bearer" = [])),
)]
async fn task_events(
    State(state): State<AppState>,
    TaskOwner(user): TaskOwner,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let sub = state.changes.subscribe(&user.id, last_event_id(&headers))?;
    let watch = Watch::Until(token_deadline(&user.claims));
    Ok(stream(sub, watch, state.config.live.heartbeat))
}

async fn ui_events(State(state): State<AppState>, parts: Parts) -> Result<Response, ApiError> {
    let incoming = Incoming::new(&parts.method, &parts.headers, &parts.extensions);
    state.auth.check_origin(&incoming, "/ui")?;
    let caller = state.auth.ui_caller(&incoming).await?;
    let watch = if bearer_token(&parts.headers).is_some() {
        Watch::Until(token_deadline(&caller.claims))
    } else {
        // `ui_caller` found this session cookie live (it needs one without a bearer).
        let settings = state.auth.cookie_settings();
        let token = settings
            .session_token(incoming.cookies())
            .ok_or(ApiError::Caller(taskdeck::auth::CallerError::Missing))?;
        Watch::Session {
            auth: state.auth.clone(),
            token,
        }
    };
    let sub = state
        .changes
        .subscribe(&caller.user_id, last_event_id(&parts.headers))?;
    let mut response = stream(sub, watch, state.config.live.heartbeat);
    // As the server functions do: a JWT minted for this caller becomes the UI's cookie.
    if let Some(cookie) = state.auth.minted_jwt_cookie(&caller) {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}

fn last_event_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("last-event-id").and_then(|v| v.to_str().ok())
}

/// When a token's `exp` comes (now, if it has none: verification requires one).
fn token_deadline(claims: &AccessClaims) -> Instant {
    let exp = claims.expires_at().unwrap_or(0);
    let left = exp.saturating_sub(chrono::Utc::now().timestamp()).max(0);
    Instant::now() + Duration::from_secs(left as u64)
}

/// What ends a stream besides shutdown.
enum Watch {
    /// The bearer token's expiry.
    Until(Instant),
    /// The session's end, checked every heartbeat and whenever one of the user's
    /// sessions ends anywhere (`Kind::Recheck`).
    Session {
        auth: Arc<AuthService>,
        token: String,
    },
}

/// A stream's state between events.
struct Live {
    sub: Subscription,
    watch: Watch,
    checks: Interval,
    done: bool,
}

/// The response: the events, comment lines between them, and no buffering by a proxy
/// (`X-Accel-Buffering: no` for nginx, which would otherwise hold the events back).
fn stream(sub: Subscription, watch: Watch, heartbeat: Duration) -> Response {
    let live = Live {
        sub,
        watch,
        checks: tokio::time::interval_at(Instant::now() + heartbeat, heartbeat),
        done: false,
    };
    let events = futures_util::stream::unfold(live, |mut live| async move {
        let event = live.next().await?;
        Some((Ok::<_, Infallible>(event), live))
    });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(heartbeat))
        .into_response();
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

impl Live {
    /// The next event to send, `end` when the stream is over, then `None`.
    async fn next(&mut self) -> Option<SseEvent> {
        if self.done {
            return None;
        }
        let deadline = match self.watch {
            Watch::Until(at) => Some(at),
            Watch::Session { .. } => None,
        };
        let reason = loop {
            let check = tokio::select! {
                event = self.sub.next() => match event {
                    // A session of this user ended: is it this stream's?
                    Some(event) if event.kind == Kind::Recheck => true,
                    Some(event) => return Some(sse(&event)),
                    None => break "shutdown",
                },
                () = sleep_until(deadline) => break "token_expired",
                _ = self.checks.tick(), if deadline.is_none() => true,
            };
            if check && !self.session_live().await {
                break app::board_dom::stream::SESSION_ENDED;
            }
        };
        self.done = true;
        let end = Event::control(Kind::End, String::new(), 0, reason);
        Some(SseEvent::default().event(end.kind.as_str()).data(end.data))
    }

    /// A database error is not a sign-out: the stream goes on until a check succeeds.
    async fn session_live(&self) -> bool {
        let Watch::Session { auth, token } = &self.watch else {
            return true;
        };
        auth.session_is_live(token).await.unwrap_or_else(|error| {
            tracing::debug!(%error, "session check failed; keeping the stream");
            true
        })
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn sse(event: &Event) -> SseEvent {
    SseEvent::default()
        .event(event.kind.as_str())
        .id(&event.id)
        .data(&event.data)
}
