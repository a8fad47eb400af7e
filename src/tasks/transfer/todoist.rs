//! Todoist's CSV export ("Export as template" / backup): a header `TYPE,CONTENT,DESCRIPTION,
//! PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE` (newer files add DURATION,
//! DURATION_UNIT, DEADLINE, DEADLINE_LANG), then rows of TYPE `task`, `note` (a comment on the
//! task above), `section` and blank separators. Columns are found by name, so order, letter
//! case and extra columns do not matter. Mapped so that what a Taskdeck task can hold is kept:
//! - CONTENT → title, its inline `@label` words moved to tags;
//! - DESCRIPTION → description, each following `note` appended as a paragraph (while it fits);
//! - PRIORITY is the API scale (4 = p1, most urgent; 1 = p4, "no priority"): 4 → high,
//!   3 and 2 → medium, 1 → low, so p1 stays on top and untouched tasks go to the bottom;
//! - DATE: an ISO date (maybe with a time) → due_date, else DEADLINE's; simple English
//!   repeats (`every day`, `every 2 weeks`, `every mon, fri`) → an RRULE; other phrases
//!   (`tomorrow`, `daily`, `every! 3 days`, other languages) are left out.
//!
//! Subtasks (INDENT > 1) become plain tasks; sections, authors and assignees are dropped.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{csv_reader, finish, record_error, too_many, RowError, MAX_ROWS};
use crate::tasks::model::DESCRIPTION_MAX;

/// Whether a CSV header is Todoist's: first column TYPE and a CONTENT column.
pub fn is_todoist_header(headers: &csv::StringRecord) -> bool {
    let names = names(headers);
    names.first().is_some_and(|h| h == "TYPE") && names.iter().any(|h| h == "CONTENT")
}

/// Header cells compared without case, blanks or a byte order mark left on the first one.
fn names(headers: &csv::StringRecord) -> Vec<String> {
    let name = |h: &str| h.trim_start_matches('\u{feff}').trim().to_ascii_uppercase();
    headers.iter().map(name).collect()
}

/// Reads Todoist's export. Row numbers count every data row (sections, notes and blank
/// separators too), the way the file is laid out.
pub fn read(body: &[u8]) -> Result<Vec<Map<String, Value>>, Vec<RowError>> {
    let mut reader = csv_reader(body, true);
    let names = names(reader.headers().map_err(|e| vec![record_error(0, &e)])?);
    if !names.iter().any(|h| h == "TYPE") || !names.iter().any(|h| h == "CONTENT") {
        let message = "not a Todoist export: the header has no TYPE and CONTENT columns";
        return Err(vec![RowError::new(0, None, message)]);
    }
    let (mut tasks, mut errors) = (Vec::new(), Vec::new());
    // The task a note row belongs to: the last task read, until another kind of row.
    let mut last: Option<usize> = None;
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(record_error(row, &e));
                last = None;
                continue;
            }
        };
        // A cell by column name; a missing column or a short row reads as empty.
        let cell = |column: &str| {
            let at = names.iter().position(|h| h == column);
            at.and_then(|i| record.get(i)).unwrap_or("").trim()
        };
        match cell("TYPE").to_ascii_lowercase().as_str() {
            "task" if tasks.len() + errors.len() == MAX_ROWS => return Err(vec![too_many()]),
            "task" => {
                last = None;
                match task(row, &cell) {
                    Ok(t) => {
                        tasks.push(t);
                        last = Some(tasks.len() - 1);
                    }
                    Err(e) => errors.push(e),
                }
            }
            "note" => {
                if let Some(t) = last {
                    append_note(&mut tasks[t], cell("CONTENT"));
                }
            }
            "" => {}
            _ => last = None,
        }
    }
    finish(tasks, errors)
}

fn task<'r>(row: usize, cell: &impl Fn(&str) -> &'r str) -> Result<Map<String, Value>, RowError> {
    let priority = match cell("PRIORITY") {
        "" => None,
        "4" => Some("high"),
        "3" | "2" => Some("medium"),
        "1" => Some("low"),
        other => {
            let message = format!("Todoist's PRIORITY must be 1 to 4, found {other:?}");
            return Err(RowError::new(row, Some("priority"), message));
        }
    };
    let (title, tags) = split_labels(cell("CONTENT"));
    let description = Some(cell("DESCRIPTION")).filter(|d| !d.is_empty());
    let date = cell("DATE");
    let due = iso_date(date).or_else(|| iso_date(cell("DEADLINE")));
    let mut task = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            task.insert(key.to_owned(), v);
        }
    };
    put("title", Some(title.into()));
    put("tags", (!tags.is_empty()).then(|| tags.into()));
    put("description", description.map(Value::from));
    put("priority", priority.map(Value::from));
    put("due_date", due.map(Value::from));
    put("recurrence", recurrence(date).map(Value::from));
    Ok(task)
}

/// Todoist writes a task's labels into its content as `@label` words. A content of labels
/// only keeps its text as the title, since a title cannot be empty.
fn split_labels(content: &str) -> (String, Vec<String>) {
    let (labels, words): (Vec<&str>, Vec<&str>) = content
        .split_whitespace()
        .partition(|w| w.len() > 1 && w.starts_with('@'));
    let tags = labels.iter().map(|l| l[1..].to_owned()).collect();
    let title = if words.is_empty() {
        content.to_owned()
    } else {
        words.join(" ")
    };
    (title, tags)
}

/// A comment becomes a paragraph of the description, unless that would exceed what a
/// description may hold: a dropped note is better than a task refused by the validator.
fn append_note(task: &mut Map<String, Value>, note: &str) {
    if note.is_empty() {
        return;
    }
    let description = match task.get("description").and_then(Value::as_str) {
        Some(d) => format!("{d}\n\n{note}"),
        None => note.to_owned(),
    };
    if description.chars().count() <= DESCRIPTION_MAX {
        task.insert("description".into(), description.into());
    }
}

/// `YYYY-MM-DD` at the start of a date, alone or followed by a time (` 14:00`, `T14:00:00`).
fn iso_date(s: &str) -> Option<String> {
    let (day, rest) = (s.get(..10)?, &s[10..]);
    let shaped = day.bytes().enumerate().all(|(i, c)| match i {
        4 | 7 => c == b'-',
        _ => c.is_ascii_digit(),
    });
    if !shaped || !(rest.is_empty() || rest.starts_with([' ', 'T'])) {
        return None;
    }
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// Simple English repeats as an RFC 5545 RRULE; anything else is `None`. A time of day
/// (`every day at 9am`) is dropped, since Taskdeck's dates have none.
fn recurrence(date: &str) -> Option<String> {
    let lower = date.to_lowercase();
    let phrase = lower.strip_prefix("every ")?.split(" at ").next()?.trim();
    let (interval, unit) = match phrase.split_once(' ') {
        Some(("other", unit)) => (2, unit.trim()),
        Some((n, unit)) => match n.parse::<u32>() {
            Ok(n) if n >= 1 => (n, unit.trim()),
            _ => (1, phrase),
        },
        None => (1, phrase),
    };
    let every = match interval {
        1 => String::new(),
        n => format!(";INTERVAL={n}"),
    };
    let freq = match unit.strip_suffix('s').unwrap_or(unit) {
        "day" => "DAILY",
        "week" => "WEEKLY",
        "month" => "MONTHLY",
        "year" => "YEARLY",
        _ => "",
    };
    if !freq.is_empty() {
        return Some(format!("FREQ={freq}{every}"));
    }
    let days = match unit {
        "weekday" | "workday" => "MO,TU,WE,TH,FR".to_owned(),
        "weekend" => "SA,SU".to_owned(),
        list => list
            .split(',')
            .flat_map(|part| part.split(" and "))
            .map(|d| weekday(d.trim()))
            .collect::<Option<Vec<_>>>()?
            .join(","),
    };
    Some(format!("FREQ=WEEKLY{every};BYDAY={days}"))
}

/// A weekday's RRULE code from its English name or an abbreviation of 3 letters or more.
fn weekday(name: &str) -> Option<&'static str> {
    const DAYS: &str = "monday tuesday wednesday thursday friday saturday sunday";
    const CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    let i = DAYS
        .split(' ')
        .position(|d| name.len() >= 3 && d.starts_with(name))?;
    Some(CODES[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLE: &str = "\
TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DURATION,DURATION_UNIT
task,Pay rent @home,,4,1,Ann (12345),,every month,en,Europe/Paris,,
note,Bank transfer,,,,Ann (12345),,,en,Europe/Paris,,
,,,,,,,,,,,
section,Errands,,,,,,,,,,
task,Buy milk,2% please,1,1,Ann (12345),,2026-12-05,en,Europe/Paris,,
";

    fn values(tasks: Vec<Map<String, Value>>) -> Value {
        Value::Array(tasks.into_iter().map(Value::Object).collect())
    }

    #[test]
    fn sample_export() {
        let tasks = read(SAMPLE.as_bytes()).unwrap();
        assert_eq!(
            values(tasks),
            json!([
                {"title": "Pay rent", "tags": ["home"], "priority": "high",
                 "recurrence": "FREQ=MONTHLY", "description": "Bank transfer"},
                {"title": "Buy milk", "description": "2% please", "priority": "low",
                 "due_date": "2026-12-05"}
            ])
        );
    }

    #[test]
    fn bom_crlf_extra_and_short_columns() {
        let body = "\u{feff}TYPE,CONTENT,DESCRIPTION,PRIORITY,DATE,DEADLINE,DEADLINE_LANG,X\r\n\
            task,\"Call, \"\"Bob\"\" @phone @Work\",\"two\r\nlines\",3,2026-03-01 09:00,,en,?\r\n\
            task,Taxes,,2,tomorrow,2026-04-15,en\r\n\
            note,a comment,,,,,,\r\n\
            meta,view_style=list\r\n\
            note,dropped: no task above,,,,,,\r\n";
        let header = csv_reader(body.as_bytes(), true).headers().unwrap().clone();
        assert!(is_todoist_header(&header));
        let h = |cells: &[&str]| csv::StringRecord::from(cells.to_vec());
        assert!(is_todoist_header(&h(&["type", "content"])));
        assert!(!is_todoist_header(&h(&["CONTENT", "TYPE"])));
        assert_eq!(read(b"title\nA\n").unwrap_err()[0].row, 0);
        let tasks = read(body.as_bytes()).unwrap();
        assert_eq!(
            values(tasks),
            json!([
                {"title": "Call, \"Bob\"", "tags": ["phone", "Work"],
                 "description": "two\r\nlines", "priority": "medium", "due_date": "2026-03-01"},
                {"title": "Taxes", "priority": "medium", "due_date": "2026-04-15",
                 "description": "a comment"}
            ])
        );
    }

    #[test]
    fn priorities_and_bad_priority_row() {
        let body = b"TYPE,CONTENT,PRIORITY\ntask,a,4\ntask,b,3\ntask,c,2\ntask,d,1\ntask,e,\n";
        let tasks = read(body).unwrap();
        let got: Vec<Value> = tasks
            .iter()
            .map(|t| t.get("priority").cloned().into())
            .collect();
        assert_eq!(
            Value::from(got),
            json!(["high", "medium", "medium", "low", null])
        );
        let errors = read(b"TYPE,CONTENT,PRIORITY\nsection,s,\ntask,a,p1\n").unwrap_err();
        assert_eq!(
            (errors[0].row, errors[0].field.as_deref()),
            (2, Some("priority"))
        );
    }

    #[test]
    fn repeats_and_dates() {
        let cases = "every day|FREQ=DAILY
Every Week|FREQ=WEEKLY
every year|FREQ=YEARLY
every 3 days|FREQ=DAILY;INTERVAL=3
every other month|FREQ=MONTHLY;INTERVAL=2
every weekday|FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
every monday|FREQ=WEEKLY;BYDAY=MO
every mon, fri at 9am|FREQ=WEEKLY;BYDAY=MO,FR
every tues and thu|FREQ=WEEKLY;BYDAY=TU,TH
every other sunday|FREQ=WEEKLY;INTERVAL=2;BYDAY=SU
every! 3 days|
every 0 days|
every last day|
every mo|
tous les jours|
2026-12-05|";
        for (date, rule) in cases.lines().filter_map(|l| l.split_once('|')) {
            assert_eq!(recurrence(date).unwrap_or_default(), rule, "{date}");
        }
        assert_eq!(iso_date("2026-12-05T10:00:00Z").unwrap(), "2026-12-05");
        for bad in [
            "2026-02-30",
            "2026-12-051",
            "5 Dec 2026",
            "2026-12-é",
            "tomorrow",
        ] {
            assert_eq!(iso_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn labels_and_long_notes() {
        let (title, tags) = split_labels("@a @b");
        assert_eq!(
            (title.as_str(), tags.join(" ")),
            ("@a @b", "a b".to_owned())
        );
        assert_eq!(
            split_labels("mail ann@x.org @ now").0,
            "mail ann@x.org @ now"
        );
        let long = "n".repeat(DESCRIPTION_MAX);
        let body = format!("TYPE,CONTENT\ntask,A\nnote,short\nnote,{long}\n");
        assert_eq!(read(body.as_bytes()).unwrap()[0]["description"], "short");
    }

    #[test]
    fn max_rows() {
        let mut body = String::from("TYPE,CONTENT\n");
        body.push_str(&"task,t\nnote,n\n".repeat(MAX_ROWS));
        assert_eq!(read(body.as_bytes()).unwrap().len(), MAX_ROWS);
        body.push_str("task,one too many\n");
        assert_eq!(read(body.as_bytes()).unwrap_err(), [too_many()]);
    }
}
