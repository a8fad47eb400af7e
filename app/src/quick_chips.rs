//! What quick add understood, in the words the chips under the add box show, and as
//! their markup (the island puts it in place as it is).

use chrono::NaiveDate;
use taskdeck::tasks::{quick_add::Parsed, recurrence::Recurrence, Priority};

/// One chip per recognised part, in a fixed order: priority, tags, date, repetition.
pub fn chips(parsed: &Parsed, today: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    match parsed.priority {
        Some(Priority::High) => out.push("High priority".to_string()),
        Some(Priority::Medium) => out.push("Medium priority".to_string()),
        Some(Priority::Low) => out.push("Low priority".to_string()),
        None => {}
    }
    out.extend(parsed.tags.iter().map(|t| format!("#{t}")));
    if let Some(due) = parsed.due_date {
        out.push(match (due - today).num_days() {
            0 => "Due today".to_string(),
            1 => "Due tomorrow".to_string(),
            _ => format!("Due {}", due.format("%a %-d %b %Y")),
        });
    }
    if let Some(rule) = parsed.recurrence.as_deref() {
        if let Ok(rule) = Recurrence::parse(rule) {
            out.push(format!("Repeats {}", rule.describe()));
        }
    }
    out
}

/// The chips as `<span class="chip">` elements, their words escaped.
pub fn chips_html(chips: &[String]) -> String {
    chips
        .iter()
        .map(|chip| {
            let words = chip
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!(r#"<span class="chip">{words}</span>"#)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_becomes_a_chip_in_order() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let parsed = taskdeck::tasks::quick_add::parse("pay rent !high #home every month", today);
        assert_eq!(
            chips(&parsed, today),
            ["High priority", "#home", "Due today", "Repeats every month"]
        );
        let parsed = taskdeck::tasks::quick_add::parse("call mum 2026-12-25", today);
        assert_eq!(chips(&parsed, today), ["Due Fri 25 Dec 2026"]);
        assert!(chips(
            &taskdeck::tasks::quick_add::parse("just words", today),
            today
        )
        .is_empty());
    }
}
