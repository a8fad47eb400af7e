//! Due dates in words ("due today", "overdue by 2 days"), computed from plain
//! `YYYY-MM-DD` strings so that the server's rendering needs no date library.

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
fn days(date: &str) -> Option<i64> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// How a due date looks on a row: its words and the class that colours it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub text: String,
    /// `overdue`, `today` or `later`; a completed task is never overdue.
    pub class: &'static str,
}

/// "due today", "due tomorrow", "due in 3 days", "overdue by 2 days", …
pub fn relative_due(due: &str, today: &str, completed: bool) -> Due {
    let Some(n) = days(due).zip(days(today)).map(|(d, t)| d - t) else {
        return Due {
            text: format!("due {due}"),
            class: "later",
        };
    };
    let text = match n {
        _ if completed => format!("was due {due}"),
        0 => "due today".to_string(),
        1 => "due tomorrow".to_string(),
        -1 => "overdue by 1 day".to_string(),
        n if n < 0 => format!("overdue by {} days", -n),
        n if n < 14 => format!("due in {n} days"),
        _ => format!("due {due}"),
    };
    let class = match n {
        _ if completed => "later",
        0 => "today",
        n if n < 0 => "overdue",
        _ => "later",
    };
    Due { text, class }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_dates() {
        let words = |due, today| relative_due(due, today, false).text;
        assert_eq!(words("2026-11-26", "2026-11-26"), "due today");
        assert_eq!(words("2026-11-27", "2026-11-26"), "due tomorrow");
        assert_eq!(words("2026-12-01", "2026-11-26"), "due in 5 days");
        assert_eq!(words("2027-03-01", "2026-12-31"), "due 2027-03-01");
        assert_eq!(
            relative_due("2026-11-24", "2026-11-26", false),
            Due {
                text: "overdue by 2 days".into(),
                class: "overdue"
            }
        );
        assert_eq!(
            relative_due("2026-11-26", "2026-11-26", false).class,
            "today"
        );
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01"), Some(11017));
    }

    #[test]
    fn a_completed_task_is_never_overdue() {
        let due = relative_due("2026-11-24", "2026-11-26", true);
        assert_eq!(due.class, "later");
        assert_eq!(due.text, "was due 2026-11-24");
    }
}
