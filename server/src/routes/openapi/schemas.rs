//! The schemas and parameters of the tasks API: what it reads and writes, mirrored for
//! the document. A leaf module (utoipa and the core's limits only): the handlers
//! ([`crate::routes::tasks`]) name these types in their `#[utoipa::path]` annotations,
//! [`super::errors`] builds the error responses on [`ErrorBody`] and [`ValidationError`],
//! and the document ([`super::ApiDoc`]) lists those two, the only ones no operation names
//! directly.
//!
//! The core crate stays framework-free: these types mirror `taskdeck::tasks::Task` and
//! friends, the bodies `NewTask::from_json` and `TaskPatch::from_json` accept, and
//! `ApiError`'s JSON. The unit tests in `super::tests` and `server/tests/api/openapi/` keep
//! the mirror honest against the real types and the running API.

use utoipa::{
    openapi::{
        schema::{ArrayBuilder, ObjectBuilder, Schema, Type},
        RefOr,
    },
    IntoParams, ToSchema,
};

use taskdeck::tasks::model::{TAGS_MAX, TAG_MAX_LEN};

// --- bodies ----------------------------------------------------------------------------

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
    /// The caller's own order (see `…/move`).
    Position,
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
    /// How it repeats, in its canonical spelling; `null` for a one-off task.
    #[schema(
        required = true,
        max_length = 200,
        pattern = r"^(RRULE:)?FREQ=((DAILY|MONTHLY|YEARLY)(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?|WEEKLY(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?)$",
        example = "FREQ=WEEKLY;BYDAY=MO"
    )]
    pub recurrence: Option<String>,
    /// Its place in the caller's own order: tasks sort by it as text (`sort=position`).
    /// Set by `…/move`, never sent.
    #[schema(
        pattern = r"^[0-9]{16}[0-9A-Za-z]*[1-9A-Za-z]$",
        example = "0000000000000042V"
    )]
    pub position: String,
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
    /// How it repeats (`FREQ` first, then an `INTERVAL` of 1-365, then, weekly only,
    /// `BYDAY` weekdays); `null` means a one-off task.
    /// Completing a repeating task creates its next open occurrence.
    #[schema(
        max_length = 200,
        pattern = r"^(RRULE:)?FREQ=((DAILY|MONTHLY|YEARLY)(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?|WEEKLY(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?)$"
    )]
    pub recurrence: Option<String>,
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
    /// How it repeats; `null` makes it a one-off task.
    #[schema(
        max_length = 200,
        pattern = r"^(RRULE:)?FREQ=((DAILY|MONTHLY|YEARLY)(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?|WEEKLY(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?)$"
    )]
    pub recurrence: Option<String>,
}

/// One line of plain words to make a task from (`POST …/tasks/quick`). Unknown keys
/// are refused (422).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "pay rent every month !high #home", "tz": "Europe/Paris"}))]
pub struct QuickAdd {
    /// The words: the title with tokens among them, checked as a title is (at most 200
    /// characters, at least one not white space, no NUL). When the words are all
    /// tokens, they are taken literally as the title.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\u0000\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$"
    )]
    pub text: String,
    /// The caller's IANA time zone (default `UTC`): it decides what "today" is.
    #[schema(schema_with = time_zone_schema)]
    pub tz: Option<String>,
}

/// Where a task goes in the caller's own order.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"after": 42}))]
pub struct MoveTask {
    /// The id of the task it goes right after; `null`: first.
    #[schema(required = true)]
    pub after: Option<i64>,
}

/// How many tasks an import added.
#[derive(ToSchema)]
pub struct Imported {
    #[schema(minimum = 0, example = 12)]
    pub imported: i64,
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

/// The RFC 5545 RRULE subset a task repeats by, as `taskdeck::tasks::recurrence`
/// accepts it: `FREQ` first, then an `INTERVAL` of 1-365, then (weekly only) `BYDAY`
/// weekdays; answers use this spelling, without `INTERVAL=1`.
pub const RECURRENCE_PATTERN: &str = r"^(RRULE:)?FREQ=((DAILY|MONTHLY|YEARLY)(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?|WEEKLY(;INTERVAL=([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5]))?(;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*)?)$";

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
    /// A planning view (default `all`): `today` is the open tasks due today or before
    /// (overdue first), `upcoming` those due in the seven days after today; both are
    /// sorted by due date, then priority, whatever `sort` says.
    #[param(inline, required = false)]
    pub view: View,
    /// The caller's IANA time zone (default `UTC`): it decides what "today" is.
    #[param(required = false, schema_with = time_zone_schema)]
    pub tz: String,
}

/// The planning views of a list.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum View {
    All,
    Today,
    Upcoming,
}

/// Every IANA time zone name the server knows (chrono-tz's database).
fn time_zone_schema() -> impl Into<RefOr<Schema>> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
        .description(Some("An IANA time zone name, such as `Europe/Paris`."))
}

/// The export's query.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `json` (the default) or `csv`.
    #[param(inline, required = false)]
    pub format: ExportFormat,
}

/// The export's file formats.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
}
