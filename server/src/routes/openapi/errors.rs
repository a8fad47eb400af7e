//! The error responses of the tasks API, declared once. Each status has one shared
//! response (`#/components/responses/...`, registered by [`super::ApiDoc`]), and the
//! handlers name them by *why* they can happen, in sets that derive `IntoResponses`:
//!
//! | set                  | statuses           | operations                                 |
//! | -------------------- | ------------------ | ------------------------------------------ |
//! | [`TokenErrors`]      | 401                | `GET /api/me`                              |
//! | [`OwnerErrors`]      | 401, 403, 500, 503 | every `/api/{user_id}/...` operation       |
//! | [`TaskLookupErrors`] | 404                | the operations on one task (`.../{id}...`) |
//! | [`BodyErrors`]       | 400, 413, 415, 422 | the operations with a JSON body            |
//! | [`UploadErrors`]     | 413, 415, 422      | the import                                 |
//! | [`QueryErrors`]      | 422                | the list and the export (their parameters) |
//! | [`StreamErrors`]     | 429                | the event stream (streams per user capped) |
//!
//! An operation's responses are its successes plus the sets that apply (the same status
//! in two sets is the same shared response). The sets only document: nothing constructs
//! them, the real answers are `ApiError`'s, and `server/tests/api/openapi/` checks that
//! every status the API answers with is documented, and nothing more. The only 429 is
//! the event stream's cap: rate limits apply to the `/api/auth` endpoints alone.

use utoipa::{IntoResponses, ToResponse};

use super::schemas::{ErrorBody, ValidationError};

// --- the sets the handlers name ------------------------------------------------------------

/// The bearer token alone (`GET /api/me`).
#[derive(IntoResponses)]
pub enum TokenErrors {
    #[response(status = 401)]
    Token(#[ref_response] Unauthorized),
}

/// Every `/api/{user_id}/...` operation: the token, whose collection `{user_id}` names,
/// and the database behind it.
#[derive(IntoResponses)]
pub enum OwnerErrors {
    #[response(status = 401)]
    Token(#[ref_response] Unauthorized),
    #[response(status = 403)]
    NotOwner(#[ref_response] Forbidden),
    #[response(status = 500)]
    Internal(#[ref_response] InternalError),
    #[response(status = 503)]
    Unavailable(#[ref_response] ServiceUnavailable),
}

/// The operations on one task (`/api/{user_id}/tasks/{id}...`).
#[derive(IntoResponses)]
pub enum TaskLookupErrors {
    #[response(status = 404)]
    NoSuchTask(#[ref_response] NotFound),
}

/// The operations that read a JSON body (create, update).
#[derive(IntoResponses)]
pub enum BodyErrors {
    #[response(status = 400)]
    Malformed(#[ref_response] BadRequest),
    #[response(status = 413)]
    TooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    NotJson(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    InvalidFields(#[ref_response] Unprocessable),
}

/// An upload of tasks (the import): its size, its type (JSON or CSV) and its rows; a
/// body that cannot be read is a 422 naming the file, never a 400.
#[derive(IntoResponses)]
pub enum UploadErrors {
    #[response(status = 413)]
    TooLarge(#[ref_response] PayloadTooLarge),
    #[response(status = 415)]
    NotJson(#[ref_response] UnsupportedMediaType),
    #[response(status = 422)]
    InvalidRows(#[ref_response] Unprocessable),
}

/// The list, whose query parameters are checked (a bad value is a 422 naming it).
#[derive(IntoResponses)]
pub enum QueryErrors {
    #[response(status = 422)]
    InvalidParameters(#[ref_response] Unprocessable),
}

/// The event stream: one user may keep only so many open (`LIVE_MAX_STREAMS_PER_USER`).
#[derive(IntoResponses)]
pub enum StreamErrors {
    #[response(status = 429)]
    TooMany(#[ref_response] TooManyStreams),
}

// --- the shared responses (`#/components/responses/...`) ------------------------------------

/// Malformed JSON (`INVALID_JSON`) or a body that is not a JSON object (`INVALID_BODY`).
#[derive(ToResponse)]
#[response(example = json!({"code": "INVALID_JSON", "message": "Malformed JSON: EOF while parsing an object at line 1 column 1"}))]
pub struct BadRequest(pub ErrorBody);

/// No bearer token (`MISSING_TOKEN`), an invalid or expired one (`INVALID_TOKEN`), or its
/// account no longer exists (`INVALID_TOKEN`).
#[derive(ToResponse)]
#[response(
    headers(("WWW-Authenticate" = String, description = "`Bearer`, or `Bearer error=\"invalid_token\"`")),
    example = json!({"code": "MISSING_TOKEN", "message": "Authentication required: send Authorization: Bearer <jwt>"})
)]
pub struct Unauthorized(pub ErrorBody);

/// `{user_id}` is not the token's subject.
#[derive(ToResponse)]
#[response(example = json!({"code": "FORBIDDEN", "message": "You can only access your own tasks"}))]
pub struct Forbidden(pub ErrorBody);

/// No such task among the caller's (a foreign task is indistinguishable from a missing one).
#[derive(ToResponse)]
#[response(example = json!({"code": "NOT_FOUND", "message": "Task not found"}))]
pub struct NotFound(pub ErrorBody);

/// The body is larger than `BODY_LIMIT_BYTES` (1 MiB by default); plain-text body.
#[derive(ToResponse)]
pub struct PayloadTooLarge;

/// The body is not `application/json` (or `application/*+json`).
#[derive(ToResponse)]
#[response(example = json!({"code": "UNSUPPORTED_MEDIA_TYPE", "message": "Send the body as application/json"}))]
pub struct UnsupportedMediaType(pub ErrorBody);

/// Invalid fields, each named in `errors`.
#[derive(ToResponse)]
pub struct Unprocessable(pub ValidationError);

/// The caller already has `LIVE_MAX_STREAMS_PER_USER` event streams open on this instance
/// (`TOO_MANY_STREAMS`): close one first.
#[derive(ToResponse)]
#[response(example = json!({"code": "TOO_MANY_STREAMS", "message": "At most 8 event streams may be open per user. Close one first."}))]
pub struct TooManyStreams(pub ErrorBody);

/// An internal failure (logged on the server; the message is generic).
#[derive(ToResponse)]
#[response(example = json!({"code": "INTERNAL_SERVER_ERROR", "message": "Something went wrong on our side. Please try again."}))]
pub struct InternalError(pub ErrorBody);

/// The database is unreachable for the moment (`SERVICE_UNAVAILABLE`): retry after
/// `Retry-After` seconds; nothing was changed.
#[derive(ToResponse)]
#[response(
    headers(("Retry-After" = String, description = "Seconds to wait before retrying (`1`)")),
    example = json!({"code": "SERVICE_UNAVAILABLE", "message": "The service is temporarily unavailable. Please try again shortly."})
)]
pub struct ServiceUnavailable(pub ErrorBody);
