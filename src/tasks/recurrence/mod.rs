//! Repeating tasks: a small, validated subset of RFC 5545 `RRULE` values, the next due
//! date after a completed occurrence, and words for the UI.
//!
//! Our own parser does the validation, because the `rrule` crate's is too lenient for
//! an API (it drops ordinals such as `1MO` for `FREQ=DAILY`, skips empty parts, accepts
//! `COUNT`/`UNTIL` we cannot honour) and its messages are not meant for end users. The
//! `rrule` crate is used for what it is good at: iterating DAILY and WEEKLY rules.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate, NaiveTime, Weekday};
use rrule::{Frequency, NWeekday, RRule, Tz};

/// Longest rule accepted; the longest canonical one is well under 60 characters.
const MAX_LEN: usize = 200;
const FREQ_ERR: &str = "FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY";
const INTERVAL_ERR: &str = "INTERVAL must be a whole number from 1 to 365";
/// Real RFC 5545 parts we recognise but refuse, so the reason can say so.
const UNSUPPORTED: &str =
    "COUNT UNTIL BYSECOND BYMINUTE BYHOUR BYMONTHDAY BYYEARDAY BYWEEKNO BYMONTH BYSETPOS WKST";
/// Monday first: the order of the canonical `BYDAY` list and of bits in `days`.
const DAYS: [(&str, Weekday, &str); 7] = [
    ("MO", Weekday::Mon, "Monday"),
    ("TU", Weekday::Tue, "Tuesday"),
    ("WE", Weekday::Wed, "Wednesday"),
    ("TH", Weekday::Thu, "Thursday"),
    ("FR", Weekday::Fri, "Friday"),
    ("SA", Weekday::Sat, "Saturday"),
    ("SU", Weekday::Sun, "Sunday"),
];
const MON_TO_FRI: u8 = 0b001_1111;
const ALL_DAYS: u8 = 0b111_1111;

/// A validated recurrence rule: the RFC 5545 subset FREQ=DAILY|WEEKLY|MONTHLY|YEARLY,
/// INTERVAL=1..=365, BYDAY=MO,TU,… (plain weekdays, no ordinals; only with WEEKLY).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    /// Only DAILY, WEEKLY, MONTHLY or YEARLY.
    freq: Frequency,
    interval: u16,
    /// Bit `i` set = `DAYS[i]` is in `BYDAY`; 0 = no `BYDAY`.
    days: u8,
    canonical: String,
}

impl Recurrence {
    /// Parses and validates; accepts an optional leading "RRULE:", any case, parts in any
    /// order. `Err` is a short English reason, fit for a 422. An empty string is an error
    /// too (the caller maps "" / null to "no recurrence" itself).
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.chars().count() > MAX_LEN {
            return Err("a recurrence rule must be at most 200 characters".into());
        }
        let upper = s.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
        if body.is_empty() {
            return Err("a recurrence rule must not be empty".into());
        }
        let (mut freq, mut interval, mut days) = (None, None, None);
        for part in body.split(';') {
            let Some((name, value)) = part.split_once('=') else {
                return Err(if part.is_empty() {
                    "empty part (a stray ';')".into()
                } else {
                    format!("part {part} is not NAME=VALUE")
                });
            };
            match name {
                "FREQ" => set_once(&mut freq, name, parse_freq(value)?)?,
                "INTERVAL" => set_once(&mut interval, name, parse_interval(value)?)?,
                "BYDAY" => set_once(&mut days, name, parse_days(value)?)?,
                _ if UNSUPPORTED.split(' ').any(|n| n == name) => {
                    return Err(format!("{name} is not supported"))
                }
                "" => return Err(format!("part {part} has no name")),
                _ => return Err(format!("unknown part {name}")),
            }
        }
        let freq = freq.ok_or("FREQ is required")?;
        let interval = interval.unwrap_or(1);
        let days = days.unwrap_or(0);
        if days != 0 && freq != Frequency::Weekly {
            return Err("BYDAY is only supported with FREQ=WEEKLY".into());
        }
        let mut canonical = format!("FREQ={freq}");
        if interval > 1 {
            canonical.push_str(&format!(";INTERVAL={interval}"));
        }
        if days != 0 {
            let codes: Vec<&str> = selected(days).map(|(code, _, _)| code).collect();
            canonical.push_str(";BYDAY=");
            canonical.push_str(&codes.join(","));
        }
        Ok(Self {
            freq,
            interval,
            days,
            canonical,
        })
    }

    /// The canonical spelling stored and answered: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"
    /// (FREQ first, INTERVAL only when > 1, BYDAY in Monday-first order, de-duplicated).
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The next due date strictly after `after` (the completed occurrence's due date, or
    /// today when it had none). `None` when there is none a due date can hold: `after` or
    /// the result outside years 0000..=9999 (the four-digit dates the API accepts; the
    /// `rrule` crate also panics near chrono's extreme dates, so it must not see them).
    ///
    /// DAILY and WEEKLY go through `rrule`'s iterator with DTSTART = `after` at 00:00 UTC,
    /// so weeks are counted RFC 5545's way (WKST=MO): candidates are the rest of the week
    /// holding `after`, then every Nth week from it (no BYDAY = `after`'s weekday). For
    /// `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR` that gives Mon → Fri of the same week and
    /// Fri → Mon 10 days later; when `after` is not one of the rule's days, the rest of
    /// its own week still counts (Wed → Fri, Sat → Mon 9 days later).
    ///
    /// MONTHLY and YEARLY (never with BYDAY) are done here: RFC 5545, and so `rrule`,
    /// skips months lacking the start day (Jan 31 → Mar 31, Feb 29 → the next leap
    /// year), while people expect "every month" from Jan 31 to fall due on Feb 28/29.
    /// chrono's `checked_add_months` clamps to the month's last day. Only the previous
    /// due date is known, so a clamped day stays clamped (Feb 28 → Mar 28).
    pub fn next_after(&self, after: NaiveDate) -> Option<NaiveDate> {
        if !storable(after) {
            return None;
        }
        let months = |n: u16| after.checked_add_months(Months::new(u32::from(n)));
        let next = match self.freq {
            Frequency::Monthly => months(self.interval)?,
            Frequency::Yearly => months(self.interval.checked_mul(12)?)?,
            _ => self.next_by_rrule(after)?,
        };
        (next > after && storable(next)).then_some(next)
    }

    fn next_by_rrule(&self, after: NaiveDate) -> Option<NaiveDate> {
        let mut rule = RRule::new(self.freq).interval(self.interval);
        if self.days != 0 {
            rule = rule.by_weekday(selected(self.days).map(|d| NWeekday::Every(d.1)).collect());
        }
        let start = after
            .and_time(NaiveTime::MIN)
            .and_utc()
            .with_timezone(&Tz::UTC);
        let set = rule.build(start).ok()?.limit();
        // The first occurrence may be DTSTART itself; the one after it is always later.
        let mut dates = set.into_iter().take(2).map(|dt| dt.date_naive());
        dates.find(|d| *d > after)
    }

    /// Words for the UI: "every day", "every 2 weeks", "every weekday", "every Monday",
    /// "every Monday and Friday", "every 2 weeks on Monday", "every month", "every year".
    pub fn describe(&self) -> String {
        let unit = match self.freq {
            Frequency::Yearly => "year",
            Frequency::Monthly => "month",
            Frequency::Weekly => "week",
            _ => "day",
        };
        let every = match self.interval {
            1 => format!("every {unit}"),
            n => format!("every {n} {unit}s"),
        };
        let names: Vec<&str> = selected(self.days).map(|(_, _, name)| name).collect();
        match (self.interval, self.days) {
            (_, 0) => every,
            (1, ALL_DAYS) => "every day".into(),
            (1, MON_TO_FRI) => "every weekday".into(),
            (1, _) => format!("every {}", join_and(&names)),
            (_, MON_TO_FRI) => format!("{every} on weekdays"),
            _ => format!("{every} on {}", join_and(&names)),
        }
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Due dates are written with four-digit years, so nothing outside them is a due date.
fn storable(d: NaiveDate) -> bool {
    (0..=9999).contains(&d.year())
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{name} is given more than once"));
    }
    *slot = Some(value);
    Ok(())
}

fn parse_freq(value: &str) -> Result<Frequency, String> {
    match value {
        "DAILY" => Ok(Frequency::Daily),
        "WEEKLY" => Ok(Frequency::Weekly),
        "MONTHLY" => Ok(Frequency::Monthly),
        "YEARLY" => Ok(Frequency::Yearly),
        _ => Err(FREQ_ERR.into()),
    }
}

/// Digits only: `u16::from_str` would also take a leading `+`.
fn parse_interval(value: &str) -> Result<u16, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(INTERVAL_ERR.into());
    }
    match value.parse::<u16>() {
        Ok(n) if (1..=365).contains(&n) => Ok(n),
        _ => Err(INTERVAL_ERR.into()),
    }
}

fn parse_days(value: &str) -> Result<u8, String> {
    let mut days = 0u8;
    for code in value.split(',') {
        if code.starts_with(|c: char| c == '+' || c == '-' || c.is_ascii_digit()) {
            return Err("BYDAY ordinals like 1MO are not supported".into());
        }
        if code.is_empty() {
            return Err("BYDAY must list weekdays like MO,WE,FR".into());
        }
        let Some(i) = DAYS.iter().position(|d| d.0 == code) else {
            return Err(format!(
                "BYDAY: {code} is not a weekday (MO, TU, WE, TH, FR, SA, SU)"
            ));
        };
        days |= 1 << i;
    }
    Ok(days)
}

/// The days whose bits are set, Monday first.
fn selected(days: u8) -> impl Iterator<Item = (&'static str, Weekday, &'static str)> {
    DAYS.into_iter()
        .enumerate()
        .filter(move |(i, _)| days & (1 << i) != 0)
        .map(|(_, d)| d)
}

/// "A", "A and B", "A, B and C".
fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests;
