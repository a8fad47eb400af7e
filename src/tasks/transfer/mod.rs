//! Import and export of tasks as bytes: JSON (the REST shape), our own CSV, and Todoist's
//! CSV export. Nothing here touches the database or judges a task: each input row becomes
//! a JSON object in the REST API's shape, which the task validator then checks like any
//! request body. Only rows that cannot even be read are reported here, by row number.

mod checked;
pub mod csv_format;
pub mod todoist;

pub use checked::{csv_line, new_tasks};

use serde_json::{Map, Value};

/// The import formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    TodoistCsv,
}

/// An input row that could not be read, by its 1-based number (for CSV: the data row number,
/// header excluded, i.e. the first task is row 1; for JSON: the array index + 1). Row 0 is the
/// body as a whole (its shape, the CSV header, too many rows).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub row: usize,
    pub field: Option<String>,
    pub message: String,
}

impl RowError {
    pub(crate) fn new(row: usize, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            row,
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// A bound on the work one request can cause (every row becomes a validation and an insert).
pub const MAX_ROWS: usize = 10_000;

/// The one error for an import over [`MAX_ROWS`]: the rows already read are not reported,
/// since the import is refused whole.
pub(crate) fn too_many() -> RowError {
    RowError::new(0, None, format!("at most {MAX_ROWS} tasks per import"))
}

/// The tasks when every row could be read, else every row's error.
pub(crate) fn finish<T>(tasks: Vec<T>, errors: Vec<RowError>) -> Result<Vec<T>, Vec<RowError>> {
    if errors.is_empty() {
        Ok(tasks)
    } else {
        Err(errors)
    }
}

/// The keys of the JSON export that an import must not take over: the server assigns them.
const SERVER_KEYS: [&str; 4] = ["id", "user_id", "created_at", "updated_at"];

/// Reads a whole import body into JSON objects in the REST shape. JSON: an array of objects (other
/// top-level shapes → one RowError row 0 "expected a JSON array of tasks"). CSV: detects Todoist's
/// export by its header (first column TYPE and a CONTENT column) and delegates to todoist.
pub fn read(format: Format, body: &[u8]) -> Result<Vec<Map<String, Value>>, Vec<RowError>> {
    match detect(format, body) {
        Format::Json => read_json(body),
        Format::Csv => csv_format::read(body),
        Format::TodoistCsv => todoist::read(body),
    }
}

/// Chooses the format from a Content-Type (application/json, text/csv, with parameters).
/// Which CSV it is comes from the header, in [`detect`] (called by [`read`]).
pub fn format_for(content_type: &str) -> Option<Format> {
    let mime = content_type.split(';').next()?.trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/json" => Some(Format::Json),
        m if m.starts_with("application/") && m.ends_with("+json") => Some(Format::Json),
        "text/csv" | "application/csv" | "text/x-csv" | "text/comma-separated-values" => {
            Some(Format::Csv)
        }
        _ => None,
    }
}

/// Refines [`Format::Csv`] into [`Format::TodoistCsv`] when the header is Todoist's, so that
/// a user can upload either file through the same "CSV" door.
pub fn detect(format: Format, body: &[u8]) -> Format {
    if format != Format::Csv {
        return format;
    }
    match csv_reader(body, true).headers() {
        Ok(h) if todoist::is_todoist_header(h) => Format::TodoistCsv,
        _ => Format::Csv,
    }
}

/// A UTF-8 byte order mark, which Excel and other Windows tools put before a CSV or JSON.
pub(crate) fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// A CSV reader with a header line. Line ends may be LF, CRLF or CR (the csv crate's default).
pub(crate) fn csv_reader(body: &[u8], flexible: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(flexible)
        .from_reader(strip_bom(body))
}

/// A CSV record that could not be read, in words a person can act on.
pub(crate) fn record_error(row: usize, error: &csv::Error) -> RowError {
    let message = match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text (save the file as UTF-8)".to_owned(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} columns where the header has {expected_len}"),
        _ => error.to_string(),
    };
    RowError::new(row, None, message)
}

fn read_json(body: &[u8]) -> Result<Vec<Map<String, Value>>, Vec<RowError>> {
    let value: Value = serde_json::from_slice(strip_bom(body))
        .map_err(|e| vec![RowError::new(0, None, format!("invalid JSON: {e}"))])?;
    let Value::Array(items) = value else {
        return Err(vec![RowError::new(
            0,
            None,
            "expected a JSON array of tasks",
        )]);
    };
    if items.len() > MAX_ROWS {
        return Err(vec![too_many()]);
    }
    let mut tasks = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(mut task) => {
                for key in SERVER_KEYS {
                    task.remove(key);
                }
                tasks.push(task);
            }
            other => errors.push(RowError::new(
                i + 1,
                None,
                format!("expected a task object, found {}", kind(&other)),
            )),
        }
    }
    finish(tasks, errors)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn content_types() {
        assert_eq!(format_for("application/json"), Some(Format::Json));
        assert_eq!(
            format_for("Application/JSON; charset=utf-8"),
            Some(Format::Json)
        );
        assert_eq!(format_for("text/csv;charset=UTF-8"), Some(Format::Csv));
        assert_eq!(format_for(" application/csv "), Some(Format::Csv));
        assert_eq!(format_for("text/plain"), None);
        assert_eq!(format_for(""), None);
    }

    #[test]
    fn csv_is_refined_by_its_header() {
        let todoist = b"\xEF\xBB\xBFTYPE,CONTENT,PRIORITY\r\ntask,A,1\r\n";
        assert_eq!(detect(Format::Csv, todoist), Format::TodoistCsv);
        assert_eq!(detect(Format::Csv, b"title,completed\nA,no\n"), Format::Csv);
        assert_eq!(detect(Format::Json, todoist), Format::Json);
        let tasks = read(Format::Csv, todoist).unwrap();
        assert_eq!(tasks[0]["title"], "A");
    }

    #[test]
    fn json_array_of_tasks_drops_server_keys() {
        let body = br#"[{"id": 7, "user_id": 1, "created_at": "x", "updated_at": "y",
            "title": "A", "tags": ["x"], "recurrence": "FREQ=DAILY"}]"#;
        let tasks = read(Format::Json, body).unwrap();
        let expected = json!({"title": "A", "tags": ["x"], "recurrence": "FREQ=DAILY"});
        assert_eq!(Value::Object(tasks[0].clone()), expected);
    }

    #[test]
    fn json_bad_entries_are_numbered() {
        let errors =
            read(Format::Json, br#"[{"title": "A"}, 3, "B", {"title": "C"}]"#).unwrap_err();
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 3]);
        assert_eq!(errors[0].message, "expected a task object, found a number");
    }

    #[test]
    fn json_other_shapes_are_refused_whole() {
        let errors = read(Format::Json, br#"{"title": "A"}"#).unwrap_err();
        assert_eq!(
            errors,
            [RowError::new(0, None, "expected a JSON array of tasks")]
        );
        let errors = read(Format::Json, b"[{").unwrap_err();
        assert_eq!(errors[0].row, 0);
        assert!(errors[0].message.starts_with("invalid JSON"));
        assert_eq!(read(Format::Json, b"\xEF\xBB\xBF[]").unwrap(), []);
    }

    #[test]
    fn json_max_rows() {
        let ok = Value::Array(vec![json!({"title": "t"}); MAX_ROWS]).to_string();
        assert_eq!(read(Format::Json, ok.as_bytes()).unwrap().len(), MAX_ROWS);
        let over = Value::Array(vec![json!({"title": "t"}); MAX_ROWS + 1]).to_string();
        assert_eq!(
            read(Format::Json, over.as_bytes()).unwrap_err(),
            [too_many()]
        );
    }
}
