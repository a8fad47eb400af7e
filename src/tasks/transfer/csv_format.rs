//! Taskdeck's own CSV: one task per line, columns named as the REST API's keys, so that a
//! file exported here and edited in a spreadsheet comes back as the same tasks.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{csv_reader, finish, record_error, too_many, RowError, MAX_ROWS};

/// The columns, in the order an export writes them (an import takes any order).
pub const HEADER: [&str; 8] = [
    "title",
    "description",
    "completed",
    "priority",
    "tags",
    "due_date",
    "recurrence",
    "position",
];

/// One task as written. Borrowed, so that an export streams rows without copying tasks.
#[derive(Debug, Clone, Copy)]
pub struct ExportRow<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub completed: bool,
    pub priority: &'a str,
    pub tags: &'a [String],
    pub due_date: Option<NaiveDate>,
    pub recurrence: Option<&'a str>,
    pub position: Option<&'a str>,
}

/// The header line, with its trailing "\n".
pub fn header_line() -> String {
    line(&HEADER)
}

/// One task's line, with its trailing "\n" (a quoted cell may hold line breaks of its own).
/// Tags are joined by "," (a tag cannot contain a comma, so the split on import is exact);
/// `None` is an empty cell.
pub fn task_line(t: &ExportRow<'_>) -> String {
    let due = t.due_date.map(|d| d.format("%Y-%m-%d").to_string());
    let tags = t.tags.join(",");
    line(&[
        t.title,
        t.description.unwrap_or(""),
        if t.completed { "true" } else { "false" },
        t.priority,
        &tags,
        due.as_deref().unwrap_or(""),
        t.recurrence.unwrap_or(""),
        t.position.unwrap_or(""),
    ])
}

/// The csv crate's quoting (only where needed, `"` doubled), LF line ends.
fn line(cells: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells)
        .expect("writing to memory cannot fail");
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the cells are UTF-8")
}

/// Reads our CSV. The header is required and names the columns, in any order and any letter
/// case; an unknown column is refused (a misspelt one would otherwise drop its data without
/// a word) and `title` must be there. An empty cell leaves its key out, so the validator's
/// default applies. Rows whose every cell is empty (a spreadsheet's trailing rows) are skipped.
pub fn read(body: &[u8]) -> Result<Vec<Map<String, Value>>, Vec<RowError>> {
    let mut reader = csv_reader(body, false);
    let columns = columns(&mut reader)?;
    let mut tasks = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let result = match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(r) => task(row, &columns, &r),
            Err(e) => Err(record_error(row, &e)),
        };
        if tasks.len() + errors.len() == MAX_ROWS {
            return Err(vec![too_many()]);
        }
        match result {
            Ok(t) => tasks.push(t),
            Err(e) => errors.push(e),
        }
    }
    finish(tasks, errors)
}

/// The column name of each position in the header, every problem reported at once.
fn columns(reader: &mut csv::Reader<&[u8]>) -> Result<Vec<&'static str>, Vec<RowError>> {
    let headers = reader.headers().map_err(|e| vec![record_error(0, &e)])?;
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for name in headers.iter() {
        let name = name.trim().to_lowercase();
        match HEADER.into_iter().find(|h| *h == name) {
            Some(h) if columns.contains(&h) => {
                errors.push(RowError::new(0, Some(h), "column appears twice"));
            }
            Some(h) => columns.push(h),
            None if name.is_empty() => {
                errors.push(RowError::new(0, None, "a column of the header has no name"));
            }
            None => {
                let message = format!("unknown column; the columns are {}", HEADER.join(", "));
                errors.push(RowError::new(0, Some(&name), message));
            }
        }
    }
    if errors.is_empty() && !columns.contains(&"title") {
        errors.push(RowError::new(
            0,
            Some("title"),
            "the header has no title column",
        ));
    }
    finish(columns, errors)
}

fn task(
    row: usize,
    columns: &[&'static str],
    record: &csv::StringRecord,
) -> Result<Map<String, Value>, RowError> {
    let mut task = Map::new();
    for (&column, cell) in columns.iter().zip(record.iter()) {
        let trimmed = cell.trim();
        if trimmed.is_empty() {
            continue;
        }
        let value = match column {
            "title" | "description" => Value::from(cell),
            "completed" => Value::Bool(boolean(trimmed).ok_or_else(|| {
                RowError::new(row, Some(column), "must be true/false, 1/0 or yes/no")
            })?),
            "priority" => Value::from(trimmed.to_lowercase()),
            "tags" => trimmed
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(Value::from)
                .collect(),
            _ => Value::from(trimmed),
        };
        task.insert(column.to_owned(), value);
    }
    Ok(task)
}

/// Spreadsheets write booleans in several ways; these are the unambiguous ones.
fn boolean(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row<'a>(title: &'a str, description: Option<&'a str>, tags: &'a [String]) -> ExportRow<'a> {
        ExportRow {
            title,
            description,
            completed: false,
            priority: "medium",
            tags,
            due_date: None,
            recurrence: None,
            position: None,
        }
    }

    #[test]
    fn header_and_line_shape() {
        assert_eq!(
            header_line(),
            "title,description,completed,priority,tags,due_date,recurrence,position\n"
        );
        let tags = ["a".to_owned(), "b c".to_owned()];
        assert_eq!(
            task_line(&row("x", None, &tags)),
            "x,,false,medium,\"a,b c\",,,\n"
        );
    }

    #[test]
    fn round_trip() {
        let tags = vec!["home".to_owned(), "étage 2".to_owned(), "a;b".to_owned()];
        let rows = [
            ExportRow {
                title: "Say \"hi\", then leave",
                description: Some("line one\nline two\r\nthree, with \"quotes\""),
                completed: true,
                priority: "high",
                tags: &tags,
                due_date: NaiveDate::from_ymd_opt(2026, 12, 5),
                recurrence: Some("FREQ=WEEKLY;BYDAY=MO,WE"),
                position: Some("a0V"),
            },
            row("Ünïcödé 日本語 🎉", Some("naïve café"), &[]),
            row("=1+2", None, &[]),
        ];
        let mut body = header_line();
        for r in &rows {
            body.push_str(&task_line(r));
        }
        let tasks = read(body.as_bytes()).unwrap();
        assert_eq!(
            Value::Array(tasks.into_iter().map(Value::Object).collect()),
            json!([
                {
                    "title": "Say \"hi\", then leave",
                    "description": "line one\nline two\r\nthree, with \"quotes\"",
                    "completed": true, "priority": "high", "tags": ["home", "étage 2", "a;b"],
                    "due_date": "2026-12-05", "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE",
                    "position": "a0V"
                },
                {"title": "Ünïcödé 日本語 🎉", "description": "naïve café", "completed": false,
                 "priority": "medium"},
                {"title": "=1+2", "completed": false, "priority": "medium"}
            ])
        );
    }

    #[test]
    fn columns_in_any_order_and_case() {
        let body = b"Priority,TAGS,title\nHigh,\" a , b,\",Walk\n";
        let tasks = read(body).unwrap();
        assert_eq!(
            Value::Object(tasks[0].clone()),
            json!({"priority": "high", "tags": ["a", "b"], "title": "Walk"})
        );
    }

    #[test]
    fn unknown_missing_and_twice_columns_are_refused() {
        let errors = read(b"title,colour,size\nA,red,L\n").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.row, e.field.as_deref())).collect();
        assert_eq!(fields, [(0, Some("colour")), (0, Some("size"))]);
        let errors = read(b"description\nx\n").unwrap_err();
        assert_eq!(errors[0].field.as_deref(), Some("title"));
        assert!(read(b"").is_err());
        let errors = read(b"title,Title\nA,B\n").unwrap_err();
        assert_eq!(errors[0].message, "column appears twice");
        assert_eq!(read(b"title,\nA,\n").unwrap_err()[0].field, None);
    }

    #[test]
    fn bad_completed_names_row_and_field() {
        let body = b"title,completed\nA,yes\nB,0\nC,maybe\nD,TRUE\n";
        let errors = read(body).unwrap_err();
        assert_eq!(
            errors,
            [RowError::new(
                3,
                Some("completed"),
                "must be true/false, 1/0 or yes/no"
            )]
        );
    }

    #[test]
    fn ragged_row_and_bad_utf8_are_row_errors() {
        let errors = read(b"title,completed\nA,no\nB\nC,no,extra\n\xFF\xFE,no\n").unwrap_err();
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [2, 3, 4]);
        assert_eq!(errors[0].message, "has 1 columns where the header has 2");
        assert!(errors[2].message.contains("UTF-8"));
    }

    #[test]
    fn bom_crlf_and_blank_rows() {
        let body = b"\xEF\xBB\xBFtitle,due_date\r\nA,2026-01-02\r\n,\r\n\r\nB,\r\n";
        let tasks = read(body).unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0]["due_date"], "2026-01-02");
        assert!(!tasks[1].contains_key("due_date"));
    }

    #[test]
    fn max_rows() {
        let mut body = String::from("title\n");
        body.push_str(&"t\n".repeat(MAX_ROWS));
        assert_eq!(read(body.as_bytes()).unwrap().len(), MAX_ROWS);
        body.push_str("one too many\n");
        assert_eq!(read(body.as_bytes()).unwrap_err(), [too_many()]);
    }
}
