//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the tasks REST API (and
//! `GET /api/me`), generated at compile time by utoipa from the handlers' `#[utoipa::path]`
//! annotations in [`super::tasks`] and from the schema types below.
//!
//! The core crate stays framework-free: the types here mirror what the API reads and
//! writes (`taskdeck::tasks::Task` and friends, the bodies `NewTask::from_json` and
//! `TaskPatch::from_json` accept, and `ApiError`'s JSON). The unit tests below and
//! `server/tests/openapi.rs` keep the mirror honest against the real types and the
//! running API, and `.ci/contract.sh` has an independent fuzzer (Schemathesis) check
//! that the API accepts exactly what the document allows and answers only as it says.

use std::sync::LazyLock;

use axum::{
    http::{header, HeaderValue},
    response::IntoResponse,
    routing::get,
    Router,
};
use utoipa::{
    openapi::{
        schema::{ArrayBuilder, ObjectBuilder, Schema, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        RefOr,
    },
    IntoParams, Modify, OpenApi, ToResponse, ToSchema,
};

use taskdeck::tasks::model::{TAGS_MAX, TAG_MAX_LEN};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(serve))
}

/// The document never changes while the server runs: serialize it once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes")
});

async fn serve() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        DOCUMENT.as_str(),
    )
}

/// The OpenAPI document: paths from the handlers, schemas collected from their use.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Taskdeck API",
        description = "The tasks REST API (on the original FastAPI service's paths) and \
            `GET /api/me`. Every operation needs `Authorization: Bearer <jwt>`: get a JWT from \
            Better Auth's `GET /api/auth/token` (session cookie) or the `set-auth-jwt` header of \
            `GET /api/auth/get-session`. Errors are `{code, message}`, Better Auth's shape; \
            invalid input is a 422 that names each field.",
    ),
    paths(
        super::tasks::list,
        super::tasks::create,
        super::tasks::read,
        super::tasks::update,
        super::tasks::remove,
        super::tasks::toggle,
        super::me::me,
    ),
    components(
        // Referenced only from the shared responses, so not collected from the paths.
        schemas(ErrorBody, ValidationError),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            PayloadTooLarge,
            UnsupportedMediaType,
            Unprocessable,
            InternalError,
            ServiceUnavailable,
        ),
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "tasks", description = "The caller's tasks; another user's task is a 404"),
        (name = "me", description = "Who the bearer token names"),
    ),
)]
pub struct ApiDoc;

/// The `bearer` security scheme every operation names.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // utoipa copies the crate's (unset) license: an empty name is not a license.
        openapi.info.license = None;
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT from Better Auth's jwt plugin (`GET /api/auth/token`, or the \
                         `set-auth-jwt` header of `get-session`): EdDSA by default, HS256 with \
                         `JWT_ALGORITHM=HS256`, or verified against `JWT_JWKS_URL`. Its `sub` is \
                         the `user_id` of the paths.",
                    ))
                    .build(),
            ),
        );
    }
}

// --- schemas ---------------------------------------------------------------------------

/// Priority of a task; sorting by priority orders low < medium < high.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

/// Which tasks a list returns.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum StatusFilter {
    All,
    Pending,
    Completed,
}

/// What a list is sorted by (ties: newest first).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SortKey {
    Created,
    Updated,
    Title,
    DueDate,
    Priority,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

/// A task, as every operation returns it. All keys are always present.
#[derive(ToSchema)]
pub struct Task {
    #[schema(example = 42)]
    pub id: i64,
    /// The owner: the JWT's `sub`.
    pub user_id: String,
    /// Trimmed, 1-200 characters.
    #[schema(min_length = 1, max_length = 200, example = "Buy milk")]
    pub title: String,
    /// `null` when empty.
    #[schema(max_length = 1000, required = true)]
    pub description: Option<String>,
    pub completed: bool,
    pub priority: Priority,
    /// Lower-cased labels, without duplicates.
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
    #[schema(value_type = Option<String>, format = Date, required = true, example = "2026-12-31")]
    pub due_date: Option<String>,
    /// When it was created (UTC, millisecond precision, like JavaScript's `toISOString()`).
    #[schema(value_type = String, format = DateTime, example = "2026-01-02T03:04:05.678Z")]
    pub created_at: String,
    /// When it last changed.
    #[schema(value_type = String, format = DateTime, example = "2026-01-02T03:04:05.678Z")]
    pub updated_at: String,
}

/// A new task. Only `title` is required; unknown keys are refused (422).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Buy milk", "priority": "high", "tags": ["home"], "due_date": "2026-12-31"}))]
pub struct NewTask {
    /// At most 200 characters as sent, at least one of them not white space, no NUL;
    /// stored trimmed.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\u0000\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$"
    )]
    pub title: String,
    /// At most 1000 characters as sent, no NUL; trimmed; empty or `null` means none.
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
    #[schema(nullable = false, default = false)]
    pub completed: Option<bool>,
    #[schema(nullable = false, default = "medium")]
    pub priority: Option<Priority>,
    /// Trimmed, lower-cased and de-duplicated; blank labels are dropped; `null` means none.
    #[schema(schema_with = nullable_tags_schema)]
    pub tags: Option<Vec<String>>,
    /// `YYYY-MM-DD`; `null` means none (an empty string is refused).
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
}

/// A partial update: keys that are present are changed, others left alone (`null` clears
/// `description`, `tags` and `due_date`). Unknown keys are refused (422).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"completed": true, "due_date": null}))]
pub struct TaskUpdate {
    /// At most 200 characters as sent, at least one of them not white space, no NUL;
    /// stored trimmed.
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\u0000\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$"
    )]
    pub title: Option<String>,
    /// At most 1000 characters as sent, no NUL; trimmed; empty or `null` clears it.
    #[schema(max_length = 1000, pattern = r"^[^\u0000]*$")]
    pub description: Option<String>,
    #[schema(nullable = false)]
    pub completed: Option<bool>,
    #[schema(nullable = false)]
    pub priority: Option<Priority>,
    /// Replaces all labels (trimmed, lower-cased, de-duplicated; blank ones dropped);
    /// `null` or `[]` removes them.
    #[schema(schema_with = nullable_tags_schema)]
    pub tags: Option<Vec<String>>,
    /// `YYYY-MM-DD`; `null` clears it (an empty string is refused).
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
}

/// Every error: a stable upper-snake-case `code` and a human `message` (Better Auth's shape).
#[derive(ToSchema)]
pub struct ErrorBody {
    #[schema(example = "NOT_FOUND")]
    pub code: String,
    #[schema(example = "Task not found")]
    pub message: String,
}

/// Invalid input (body fields or list query parameters), every problem at once.
#[derive(ToSchema)]
#[schema(example = json!({
    "code": "VALIDATION_ERROR",
    "message": "title: must not be empty",
    "errors": {"title": ["must not be empty"]}
}))]
pub struct ValidationError {
    /// Always `VALIDATION_ERROR`.
    #[schema(pattern = "^VALIDATION_ERROR$")]
    pub code: String,
    /// One line naming each field and its reasons.
    pub message: String,
    /// Field name → the reasons it was refused.
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// A tag as sent: no comma and no control character (Unicode's `Cc`: U+0000-U+001F and
/// U+007F-U+009F), as `taskdeck::tasks::model::tag_is_invalid` checks.
pub const TAG_PATTERN: &str = r"^[^,\u0000-\u001f\u007f-\u009f]*$";

/// Tags as a task has them: 1-32 characters (after trimming), lower case.
fn tags_schema() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(TAG_MAX_LEN))
                .pattern(Some(TAG_PATTERN)),
        )
        .max_items(Some(TAGS_MAX))
        .description(Some(
            "Lower-cased labels, without duplicates: at most 10, each of 1-32 characters \
             without commas or control characters.",
        ))
}

/// Tags as a request sends them: at most 10 as sent (duplicates and blank ones count),
/// each at most 32 characters as sent (padding counts), without commas or control
/// characters; `null` means none.
fn nullable_tags_schema() -> impl Into<RefOr<Schema>> {
    ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::Array,
            Type::Null,
        ]))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(TAG_MAX_LEN))
                .pattern(Some(TAG_PATTERN)),
        )
        .max_items(Some(TAGS_MAX))
        .description(Some(
            "At most 10 labels as sent (duplicates and blank ones count), each at most 32 \
             characters as sent, without commas or control characters (U+0000-U+001F, \
             U+007F-U+009F). Stored trimmed, lower-cased and de-duplicated; blank labels are \
             dropped.",
        ))
}

// --- parameters ------------------------------------------------------------------------

/// `{user_id}`: the caller's own id (the JWT's `sub`); any other is a 403.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserPath {
    /// The caller's user id (the JWT's `sub`); another user's id is a 403.
    pub user_id: String,
}

/// `{user_id}` and the task `{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TaskPath {
    /// The caller's user id (the JWT's `sub`); another user's id is a 403.
    pub user_id: String,
    /// The task id; an id that is not the caller's (or not an integer) is a 404.
    pub id: i64,
}

/// The list's query. Unknown parameters are ignored; a bad value is a 422 naming it.
/// An enum parameter must be one of its values exactly: an empty (`?sort=`) or unknown
/// one is a 422, not the default.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Which tasks (default `all`).
    #[param(inline, required = false)]
    pub status: StatusFilter,
    /// Sort key (default `created`).
    #[param(inline, required = false)]
    pub sort: SortKey,
    /// Sort direction (default `desc`).
    #[param(inline, required = false)]
    pub order: SortOrder,
    /// Case-insensitive text search in title and description (trimmed; first 200
    /// characters used; no NUL).
    #[param(required = false, pattern = r"^[^\u0000]*$")]
    pub q: String,
    /// Only tasks with this label (trimmed, matched lower-cased; no NUL).
    #[param(required = false, pattern = r"^[^\u0000]*$")]
    pub tag: String,
    /// Only tasks of this priority.
    #[param(inline, required = false)]
    pub priority: Priority,
    /// Page size.
    #[param(required = false, minimum = 1, maximum = 200, default = 50)]
    pub limit: i64,
    /// Tasks to skip.
    #[param(
        required = false,
        minimum = 0,
        maximum = 9223372036854775807_i64,
        default = 0
    )]
    pub offset: i64,
}

// --- shared responses ------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;
    use taskdeck::tasks;

    use super::*;

    fn document() -> Value {
        serde_json::from_str(&DOCUMENT).unwrap()
    }

    fn keys(v: &Value) -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    }

    fn enum_values(doc: &Value, name: &str) -> Vec<Value> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .clone()
    }

    #[test]
    fn task_schema_lists_every_field_of_the_real_type() {
        let task = tasks::Task {
            id: 1,
            user_id: "u".into(),
            title: "t".into(),
            description: None,
            completed: false,
            priority: tasks::Priority::High,
            tags: vec![],
            due_date: None,
            created_at: taskdeck::storage::Ts::now(),
            updated_at: taskdeck::storage::Ts::now(),
        };
        let json = serde_json::to_value(&task).unwrap();
        let doc = document();
        let schema = &doc["components"]["schemas"]["Task"];
        assert_eq!(keys(&schema["properties"]), keys(&json));
        let required: BTreeSet<String> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(required, keys(&json), "every key is always present");
    }

    fn serialized<T: serde::Serialize>(values: &[T]) -> Vec<Value> {
        values
            .iter()
            .map(|v| serde_json::to_value(v).unwrap())
            .collect()
    }

    #[test]
    fn enums_match_the_core_types() {
        use tasks::{Priority as P, SortKey as K, SortOrder as O, StatusFilter as S};
        let doc = document();
        let priorities = serialized(&[P::Low, P::Medium, P::High]);
        assert_eq!(enum_values(&doc, "Priority"), priorities);
        // The list query's enums are inlined into its parameters.
        let list = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"].clone();
        let param = |name: &str| -> Vec<Value> {
            list.as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("parameter {name}"))["schema"]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} is an enum"))
                .clone()
        };
        assert_eq!(
            param("status"),
            serialized(&[S::All, S::Pending, S::Completed])
        );
        assert_eq!(
            param("sort"),
            serialized(&[K::Created, K::Updated, K::Title, K::DueDate, K::Priority])
        );
        assert_eq!(param("order"), serialized(&[O::Asc, O::Desc]));
        assert_eq!(param("priority"), priorities);
    }

    #[test]
    fn limits_match_the_core_rules() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        for name in ["Task", "NewTask", "TaskUpdate"] {
            let p = &schemas[name]["properties"];
            assert_eq!(p["title"]["maxLength"], tasks::model::TITLE_MAX, "{name}");
            assert_eq!(
                p["description"]["maxLength"],
                tasks::model::DESCRIPTION_MAX,
                "{name}"
            );
            assert_eq!(p["tags"]["maxItems"], tasks::model::TAGS_MAX, "{name}");
            assert_eq!(
                p["tags"]["items"]["maxLength"],
                tasks::model::TAG_MAX_LEN,
                "{name}"
            );
        }
        let list = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .clone();
        let limit = list.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["schema"]["maximum"], tasks::model::LIMIT_MAX);
        assert_eq!(limit["schema"]["default"], tasks::model::LIMIT_DEFAULT);
        let offset = list.iter().find(|p| p["name"] == "offset").unwrap();
        assert_eq!(
            offset["schema"]["maximum"],
            i64::MAX,
            "the offsets that parse"
        );
    }

    /// The characters a negated class (`[^...]`, with `\uXXXX`, literal characters and
    /// ranges) leaves out.
    fn negated_class(class: &str) -> impl Fn(char) -> bool {
        let body = class
            .strip_prefix("[^")
            .and_then(|c| c.strip_suffix(']'))
            .unwrap_or_else(|| panic!("{class} is a negated class"));
        let mut chars = Vec::new();
        let mut rest = body;
        while let Some(c) = rest.chars().next() {
            if let Some(hex) = rest.strip_prefix("\\u") {
                chars.push(char::from_u32(u32::from_str_radix(&hex[..4], 16).unwrap()).unwrap());
                rest = &hex[4..];
            } else {
                assert_ne!(c, '\\', "only \\u escapes in {class}");
                chars.push(c);
                rest = &rest[c.len_utf8()..];
            }
            if let Some(after) = rest.strip_prefix('-') {
                chars.push('-');
                rest = after;
            }
        }
        // Pairs around '-' are ranges; everything else is a single character.
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if chars.get(i + 1) == Some(&'-') && i + 2 < chars.len() {
                ranges.push((chars[i], chars[i + 2]));
                i += 3;
            } else {
                ranges.push((chars[i], chars[i]));
                i += 1;
            }
        }
        move |c| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c))
    }

    fn every_char() -> impl Iterator<Item = char> {
        (0..=0x10FFFF).filter_map(char::from_u32)
    }

    /// The body patterns leave out exactly the characters the core's rules refuse.
    #[test]
    fn patterns_match_the_core_rules() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let no_nul = "^[^\\u0000]*$";
        for name in ["NewTask", "TaskUpdate"] {
            let p = &schemas[name]["properties"];
            // Tags: no comma, no control character (`tag_is_invalid`).
            let tag = p["tags"]["items"]["pattern"].as_str().unwrap();
            assert_eq!(tag, TAG_PATTERN, "{name}");
            let class = tag.strip_prefix('^').unwrap().strip_suffix("*$").unwrap();
            let excluded = negated_class(class);
            for c in every_char() {
                let refused = tasks::model::tag_is_invalid(&c.to_string());
                assert_eq!(excluded(c), refused, "{name}: tag character {c:?}");
            }
            assert!(
                p["tags"]["items"].get("minLength").is_none(),
                "blank tags are dropped"
            );
            // Title: no NUL, and something besides the white space `trim` removes.
            let title = p["title"]["pattern"].as_str().unwrap();
            let middle = title
                .strip_prefix("^[^\\u0000]*")
                .and_then(|t| t.strip_suffix("[^\\u0000]*$"))
                .unwrap_or_else(|| panic!("{title}"));
            let blank = negated_class(middle);
            for c in every_char() {
                assert_eq!(
                    blank(c),
                    c == '\0' || c.is_whitespace(),
                    "{name}: title {c:?}"
                );
            }
            assert_eq!(p["description"]["pattern"], no_nul, "{name}");
        }
        let list = doc["paths"]["/api/{user_id}/tasks"]["get"]["parameters"].clone();
        for name in ["q", "tag"] {
            let param = list
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap();
            assert_eq!(param["schema"]["pattern"], no_nul, "{name}");
        }
        assert!(negated_class("[^\\u0000]")('\0'));
    }
}
