//! Planning a week, over HTTP on SQLite and PostgreSQL, a file per behaviour:
//!
//! - `quick_add`: a line of plain words becomes a task, through both doors;
//! - `views`: Today and Upcoming, in the caller's time zone;
//! - `repeating`: completing a repeating task brings its next occurrence, and reopening
//!   takes it back;
//! - `order`: manual order (moves, their checks, many moves to one spot);
//! - `transfer`: export, import into another account, and refusals.

mod order;
mod quick_add;
mod repeating;
mod transfer;
mod views;

use chrono::{Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// Today in `tz`, as the server will see it (a test that runs across midnight there
/// could disagree; the tests use zones and dates far from it where it matters).
fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// The next `weekday` strictly after `day`.
fn next_weekday(day: NaiveDate, weekday: chrono::Weekday) -> NaiveDate {
    (1..=7)
        .map(|n| day + chrono::Days::new(n))
        .find(|d| d.weekday() == weekday)
        .unwrap()
}
