//! Quick add in plain words: "pay rent every month !high #home" becomes a title, a
//! priority, tags, a due date and a repetition rule. Matching is on whole
//! whitespace-separated words only, so nothing is ever cut out of the middle of a word:
//! a word that merely looks like a token ("today's", "p12", "#") stays in the title, and
//! `"quotes"` or a leading `\` keep words literal. Nothing here panics: numbers are
//! bounded and date arithmetic is checked (an overflowing date stays in the title).

use std::ops::RangeInclusive;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::model::Priority;

/// The model's limits on tags: a tag beyond them stays in the title rather than making
/// the whole line invalid.
const TAGS_MAX: usize = 10;
const TAG_MAX_LEN: usize = 32;

/// What quick add understood in a line of text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    /// The text with the recognised tokens removed, whitespace collapsed, escapes removed.
    pub title: String,
    pub priority: Option<Priority>,
    /// Lower-cased, de-duplicated, in order of appearance, without the '#'.
    pub tags: Vec<String>,
    pub due_date: Option<NaiveDate>,
    /// An RFC 5545 RRULE value (no "RRULE:" prefix), e.g. "FREQ=WEEKLY;BYDAY=MO".
    pub recurrence: Option<String>,
}

/// Reads `text` as of `today` (the user's local date). See the module docs.
pub fn parse(text: &str, today: NaiveDate) -> Parsed {
    let line = Line {
        words: words(text),
        today,
    };
    let mut parsed = Parsed::default();
    // The repetition's first occurrence: the due date unless one is given.
    let mut first = None;
    let mut title = Vec::new();
    let mut i = 0;
    while i < line.words.len() {
        let (n, taken) = match line.found(i) {
            Some((n, found)) => (n, parsed.take(found, &mut first)),
            None => (1, false),
        };
        if !taken {
            let kept = line.words[i..i + n].iter().map(|w| w.raw);
            title.extend(kept.filter(|raw| !raw.is_empty()));
        }
        i += n;
    }
    parsed.title = title.join(" ");
    parsed.due_date = parsed.due_date.or(first);
    parsed
}

/// A token recognised at some word.
enum Found {
    Priority(Priority),
    Tag(String),
    Due(NaiveDate),
    /// The RRULE and its first occurrence (`None` if that overflows).
    Repeat(String, Option<NaiveDate>),
}

impl Parsed {
    /// Records a token, or answers false if its words must stay in the title: a second
    /// date or repetition (the first wins), an eleventh tag. A duplicate tag is dropped.
    fn take(&mut self, found: Found, first: &mut Option<NaiveDate>) -> bool {
        match found {
            Found::Priority(p) => self.priority = Some(p),
            Found::Tag(tag) if self.tags.contains(&tag) => {}
            Found::Tag(tag) if self.tags.len() < TAGS_MAX => self.tags.push(tag),
            Found::Due(date) if self.due_date.is_none() => self.due_date = Some(date),
            Found::Repeat(rule, at) if self.recurrence.is_none() => {
                self.recurrence = Some(rule);
                *first = at;
            }
            _ => return false,
        }
        true
    }
}

/// A word of the line: `raw` as typed (what the title keeps), `stem` without one
/// trailing `,` or `.`, `key` the stem lower-cased (what is matched). A `literal` word
/// (quoted or escaped) is never matched.
struct Word<'a> {
    raw: &'a str,
    stem: &'a str,
    key: String,
    literal: bool,
}

impl<'a> Word<'a> {
    fn new(raw: &'a str, literal: bool) -> Self {
        let stem = raw.strip_suffix([',', '.']).unwrap_or(raw);
        let key = stem.to_lowercase();
        Word {
            raw,
            stem,
            key,
            literal,
        }
    }
}

/// Splits on whitespace; `"…"` (over one word or several) and `\word` become literal.
/// An unclosed quote is an ordinary character.
fn words(text: &str) -> Vec<Word<'_>> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let mut words = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        let close = match part.strip_prefix('"') {
            Some(open) if open.ends_with('"') => Some(i),
            Some(_) => (i + 1..parts.len()).find(|&j| parts[j].ends_with('"')),
            None => None,
        };
        if let Some(j) = close {
            for (k, &p) in parts.iter().enumerate().take(j + 1).skip(i) {
                let p = if k == i { &p[1..] } else { p };
                let p = if k == j {
                    p.strip_suffix('"').unwrap_or(p)
                } else {
                    p
                };
                words.push(Word::new(p, true));
            }
            i = j + 1;
            continue;
        }
        words.push(match part.strip_prefix('\\') {
            Some(rest) if !rest.is_empty() => Word::new(rest, true),
            _ => Word::new(part, false),
        });
        i += 1;
    }
    words
}

struct Line<'a> {
    words: Vec<Word<'a>>,
    today: NaiveDate,
}

impl Line<'_> {
    /// The key of word `i`, if it may be (the end of) a token.
    fn key(&self, i: usize) -> Option<&str> {
        let word = self.words.get(i).filter(|w| !w.literal)?;
        Some(&word.key)
    }

    /// The key of word `i` where a phrase goes on after it: "in 3, days" is no phrase.
    fn inner(&self, i: usize) -> Option<&str> {
        let word = self.words.get(i)?;
        self.key(i).filter(|_| word.raw.len() == word.stem.len())
    }

    /// The token starting at word `i`, and how many words it spans.
    fn found(&self, i: usize) -> Option<(usize, Found)> {
        let key = self.key(i)?;
        let priority = match key {
            "p1" => Some(Priority::High),
            "p2" => Some(Priority::Medium),
            "p3" => Some(Priority::Low),
            _ => key.strip_prefix('!').and_then(Priority::parse),
        };
        if let Some(p) = priority {
            return Some((1, Found::Priority(p)));
        }
        if let Some(tag) = tag(self.words[i].stem) {
            return Some((1, Found::Tag(tag)));
        }
        if let Some(found) = self.repeat(i) {
            return Some(found);
        }
        let (n, date) = match self.inner(i) {
            Some("due") => self.date(i + 1, true),
            Some("on") => self.date(i + 1, false),
            _ => None,
        }
        .map(|(n, date)| (n + 1, date))
        .or_else(|| self.date(i, true))?;
        Some((n, Found::Due(date)))
    }

    /// `every …`, `daily`, `weekly`, `monthly` or `yearly` at word `i`.
    fn repeat(&self, i: usize) -> Option<(usize, Found)> {
        let today = self.today;
        let rule = |n, freq: &str, first| Some((n, Found::Repeat(format!("FREQ={freq}"), first)));
        match self.key(i)? {
            "daily" => return rule(1, "DAILY", Some(today)),
            "weekly" => return rule(1, "WEEKLY", Some(today)),
            "monthly" => return rule(1, "MONTHLY", Some(today)),
            "yearly" => return rule(1, "YEARLY", Some(today)),
            _ if self.inner(i) != Some("every") => return None,
            _ => {}
        }
        let what = self.key(i + 1)?;
        match what {
            "day" => return rule(2, "DAILY", Some(today)),
            "week" => return rule(2, "WEEKLY", Some(today)),
            "month" => return rule(2, "MONTHLY", Some(today)),
            "year" => return rule(2, "YEARLY", Some(today)),
            "weekday" => {
                let first = match today.weekday() {
                    Weekday::Sat | Weekday::Sun => next(today, Weekday::Mon, 1),
                    _ => Some(today),
                };
                return rule(2, "WEEKLY;BYDAY=MO,TU,WE,TH,FR", first);
            }
            _ => {}
        }
        if let Some(day) = weekday(what) {
            let byday =
                ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.num_days_from_monday() as usize];
            return rule(2, &format!("WEEKLY;BYDAY={byday}"), next(today, day, 0));
        }
        let n = number(self.inner(i + 1)?, 2..=365)?;
        let freq = match self.key(i + 2)? {
            "days" => "DAILY",
            "weeks" => "WEEKLY",
            "months" => "MONTHLY",
            _ => return None,
        };
        rule(3, &format!("{freq};INTERVAL={n}"), Some(today))
    }

    /// A date at word `i`: a weekday or YYYY-MM-DD, and if `relative` (not after `on`)
    /// also today, tomorrow, next week or in N days/weeks.
    fn date(&self, i: usize, relative: bool) -> Option<(usize, NaiveDate)> {
        let today = self.today;
        let key = self.key(i)?;
        if let Some(day) = weekday(key) {
            return Some((1, next(today, day, 1)?));
        }
        if let Some(date) = iso_date(key) {
            return Some((1, date));
        }
        if !relative {
            return None;
        }
        match key {
            "today" => return Some((1, today)),
            "tomorrow" => return Some((1, today.checked_add_days(Days::new(1))?)),
            _ => {}
        }
        match self.inner(i)? {
            "next" if self.key(i + 1) == Some("week") => Some((2, next(today, Weekday::Mon, 1)?)),
            "in" => {
                let n = u64::from(number(self.inner(i + 1)?, 1..=3650)?);
                let days = match self.key(i + 2)? {
                    "day" | "days" => n,
                    "week" | "weeks" => n * 7,
                    _ => return None,
                };
                Some((3, today.checked_add_days(Days::new(days))?))
            }
            _ => None,
        }
    }
}

/// `#name`, `name` being 1..=32 letters, digits, `-` or `_`; lower-cased keeping its
/// length (`İ` becomes `i`, as the model's own tag rule does).
fn tag(stem: &str) -> Option<String> {
    let name = stem.strip_prefix('#')?;
    let valid = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let len = name.chars().count();
    let ok = (1..=TAG_MAX_LEN).contains(&len) && name.chars().all(valid);
    ok.then(|| name.replace('\u{130}', "i").to_lowercase())
}

/// A weekday by its name or short form. "wed", "sat" and "sun" are English words ("sat
/// the exam", "enjoy the sun"), so only their full names count.
fn weekday(key: &str) -> Option<Weekday> {
    Some(match key {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" | "thu" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// The first `day` at least `min_ahead` days after `today` (0: today counts).
fn next(today: NaiveDate, day: Weekday, min_ahead: u32) -> Option<NaiveDate> {
    let from = today.weekday().num_days_from_monday();
    let mut ahead = (7 + day.num_days_from_monday() - from) % 7;
    if ahead < min_ahead {
        ahead += 7;
    }
    today.checked_add_days(Days::new(ahead.into()))
}

/// Strictly `YYYY-MM-DD`, and a real date.
fn iso_date(key: &str) -> Option<NaiveDate> {
    let b = key.as_bytes();
    let shape = b.len() == 10
        && (b.iter().enumerate()).all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let (y, m, d) = (key[..4].parse(), key[5..7].parse(), key[8..].parse());
    NaiveDate::from_ymd_opt(y.ok()?, m.ok()?, d.ok()?)
}

/// Plain ASCII digits (no sign) within `range`.
fn number(s: &str, range: RangeInclusive<u32>) -> Option<u32> {
    let n = s
        .parse()
        .ok()
        .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))?;
    range.contains(&n).then_some(n)
}

#[cfg(test)]
mod tests;
