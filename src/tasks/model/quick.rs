//! A new task from one line of plain words ("pay rent every month !high #home"): what
//! [`quick_add`](crate::tasks::quick_add) understood, laid over the fields a form sent
//! beside the text, then validated by the same rules as every other new task.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{FieldErrors, NewTask};
use crate::tasks::quick_add;

impl NewTask {
    /// Parses `text` as of `today` (the user's date) over `fields`: a token in the text
    /// wins over the same field of the form (whose priority select always sends its
    /// untouched default), and the text's tags are added to the form's. When the words
    /// are all tokens ("tomorrow"), nothing would be left for a title: then they are
    /// the title, taken literally. A title error is reported on `text`, the field the
    /// user typed.
    pub fn from_text(
        text: &str,
        today: NaiveDate,
        fields: &Map<String, Value>,
    ) -> Result<Self, FieldErrors> {
        let mut parsed = quick_add::parse(text, today);
        if parsed.title.trim().is_empty() {
            parsed = quick_add::Parsed {
                title: text.to_string(),
                ..Default::default()
            };
        }
        let mut body = fields.clone();
        body.insert("title".into(), Value::String(parsed.title));
        if let Some(p) = parsed.priority {
            body.insert("priority".into(), p.as_str().into());
        }
        if !parsed.tags.is_empty() {
            let mut tags: Vec<Value> = match body.remove("tags") {
                Some(Value::Array(tags)) => tags,
                _ => Vec::new(),
            };
            tags.extend(parsed.tags.into_iter().map(Value::String));
            body.insert("tags".into(), Value::Array(tags));
        }
        if let Some(due) = parsed.due_date {
            body.insert("due_date".into(), due.to_string().into());
        }
        if let Some(rule) = parsed.recurrence {
            body.insert("recurrence".into(), rule.into());
        }
        NewTask::from_json(&body).map_err(|mut errors| {
            if let Some(reasons) = errors.0.remove("title") {
                for reason in reasons {
                    errors.add("text", format!("the title {reason}"));
                }
            }
            errors
        })
    }
}
