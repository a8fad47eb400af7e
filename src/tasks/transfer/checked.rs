//! An import body judged whole: every row read (see [`super::read`]) and validated as a
//! new task by the same rules as `POST /tasks`, every problem reported by row number, so
//! that a file is imported entirely or not at all.

use super::{read, Format, RowError};
use crate::tasks::model::{FieldErrors, NewTask, Task};

/// How many rows' problems a refusal lists (the first ones): enough to fix a file by.
const ERRORS_SHOWN: usize = 20;

/// The field errors' key for row `row` (row 0: the file as a whole).
fn key(row: usize) -> String {
    if row == 0 {
        "file".to_string()
    } else {
        format!("row {row}")
    }
}

/// The new tasks of an import body, in order, or the problems of its first rows.
pub fn new_tasks(format: Format, body: &[u8]) -> Result<Vec<NewTask>, FieldErrors> {
    let rows = read(format, body).map_err(|errors| {
        let mut out = FieldErrors::default();
        for RowError {
            row,
            field,
            message,
        } in errors.into_iter().take(ERRORS_SHOWN)
        {
            let reason = match field {
                Some(field) => format!("{field}: {message}"),
                None => message,
            };
            out.add(&key(row), reason);
        }
        out
    })?;
    let mut tasks = Vec::with_capacity(rows.len());
    let mut errors = FieldErrors::default();
    let mut bad_rows = 0;
    for (i, mut row) in rows.into_iter().enumerate() {
        // Manual order is not kept yet: a rank from another export is dropped.
        row.remove("position");
        match NewTask::from_json(&row) {
            Ok(task) => tasks.push(task),
            Err(problems) => {
                bad_rows += 1;
                if bad_rows <= ERRORS_SHOWN {
                    for (field, reasons) in problems.0 {
                        for reason in reasons {
                            errors.add(&key(i + 1), format!("{field}: {reason}"));
                        }
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(tasks)
    } else {
        Err(errors)
    }
}

/// A task as a CSV export line.
pub fn csv_line(task: &Task) -> String {
    super::csv_format::task_line(&super::csv_format::ExportRow {
        title: &task.title,
        description: task.description.as_deref(),
        completed: task.completed,
        priority: task.priority.as_str(),
        tags: &task.tags,
        due_date: task.due_date,
        recurrence: task.recurrence.as_deref(),
        position: None,
    })
}
