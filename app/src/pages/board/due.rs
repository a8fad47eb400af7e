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

const WEEKDAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The heading of a day in the planning views: "Overdue", "Today", "Tomorrow", then
/// "Saturday 5 December".
pub fn day_heading(date: &str, today: &str) -> String {
    let (Some(d), Some(t)) = (days(date), days(today)) else {
        return date.to_string();
    };
    match d - t {
        n if n < 0 => "Overdue".to_string(),
        0 => "Today".to_string(),
        1 => "Tomorrow".to_string(),
        _ => {
            // 1970-01-01 was a Thursday.
            let weekday = WEEKDAYS[d.rem_euclid(7) as usize];
            let mut parts = date.split('-').skip(1).map(|p| p.parse::<usize>().ok());
            match (parts.next().flatten(), parts.next().flatten()) {
                (Some(m @ 1..=12), Some(day)) => format!("{weekday} {day} {}", MONTHS[m - 1]),
                _ => date.to_string(),
            }
        }
    }
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
    fn day_headings() {
        let today = "2026-12-03";
        assert_eq!(day_heading("2026-12-01", today), "Overdue");
        assert_eq!(day_heading(today, today), "Today");
        assert_eq!(day_heading("2026-12-04", today), "Tomorrow");
        assert_eq!(day_heading("2026-12-05", today), "Saturday 5 December");
        assert_eq!(day_heading("2027-01-01", today), "Friday 1 January");
        assert_eq!(day_heading("2028-02-29", today), "Tuesday 29 February");
    }

    #[test]
    fn a_completed_task_is_never_overdue() {
        let due = relative_due("2026-11-24", "2026-11-26", true);
        assert_eq!(due.class, "later");
        assert_eq!(due.text, "was due 2026-11-24");
    }
}
