use super::*;

const SUN: &str = "2026-03-01";
const MON: &str = "2026-03-02";
const WED: &str = "2026-03-04";
const SAT: &str = "2026-03-07";
const WEEKDAYS: &str = "WEEKLY;BYDAY=MO,TU,WE,TH,FR";

/// (input, today, title, priority, tags, due, rule): "" is none, title "=" is the input
/// unchanged; tags comma-separated; due "+N" is N days after today; rule without "FREQ=".
#[rustfmt::skip]
const CASES: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    ("buy milk", MON, "=", "", "", "", ""),
    ("", MON, "", "", "", "", ""),
    (" \t ", MON, "", "", "", "", ""),
    ("  lots   of\tspace ", MON, "lots of space", "", "", "", ""),
    ("today #home p1", MON, "", "high", "home", "+0", ""),
    // Priorities: last wins; look-alikes stay.
    ("x !high", MON, "x", "high", "", "", ""),
    ("!Medium x", MON, "x", "medium", "", "", ""),
    ("x !LOW", MON, "x", "low", "", "", ""),
    ("P1 x p2", MON, "x", "medium", "", "", ""),
    ("x p3", MON, "x", "low", "", "", ""),
    ("x p1 !low", MON, "x", "low", "", "", ""),
    ("p12 !urgent p0 !h ! x", MON, "=", "", "", "", ""),
    // Tags.
    ("#Home x #work.", MON, "x", "", "home,work", "", ""),
    ("#a #A #b a", MON, "a", "", "a,b", "", ""),
    ("#café crème", MON, "crème", "", "café", "", ""),
    ("#İstanbul trip", MON, "trip", "", "istanbul", "", ""),
    ("#", MON, "=", "", "", "", ""),
    ("# x #-a_1 ##b #a!b", MON, "# x ##b #a!b", "", "-a_1", "", ""),
    ("#abcdefghijklmnopqrstuvwxyz-_4567", MON, "", "", "abcdefghijklmnopqrstuvwxyz-_4567", "", ""),
    ("#abcdefghijklmnopqrstuvwxyz-_45678", MON, "=", "", "", "", ""),
    ("#a #b #c #d #e #f #g #h #i #j #k x", MON, "#k x", "", "a,b,c,d,e,f,g,h,i,j", "", ""),
    ("#a #b #c #d #e #f #g #h #i #j #A", MON, "", "", "a,b,c,d,e,f,g,h,i,j", "", ""),
    // Dates: first wins; later ones stay, with their `on`.
    ("meet at 2 tomorrow", MON, "meet at 2", "", "", "+1", ""),
    ("call bob TOMORROW, then", MON, "call bob then", "", "", "+1", ""),
    ("x Today.", MON, "x", "", "", "+0", ""),
    ("today's plan", MON, "=", "", "", "", ""),
    ("x tomorrow friday", MON, "x friday", "", "", "+1", ""),
    ("x tomorrow on friday", MON, "x on friday", "", "", "+1", ""),
    ("gym monday", MON, "gym", "", "", "+7", ""),
    ("gym mon", SUN, "gym", "", "", "+1", ""),
    ("gym on Friday", MON, "gym", "", "", "+4", ""),
    ("gym sunday", SAT, "gym", "", "", "+1", ""),
    ("enjoy the sun", SAT, "=", "", "", "", ""),
    ("sat the exam", MON, "=", "", "", "", ""),
    ("gym thurs", MON, "gym", "", "", "+3", ""),
    ("x next week", SUN, "x", "", "", "+1", ""),
    ("x next week", MON, "x", "", "", "+7", ""),
    ("x next weekend", MON, "=", "", "", "", ""),
    ("x in 3 days", "2026-12-30", "x", "", "", "2027-01-02", ""),
    ("x in 1 day", "2028-02-28", "x", "", "", "2028-02-29", ""),
    ("x in 2 weeks", "2026-03-20", "x", "", "", "2026-04-03", ""),
    ("x in 3650 days", MON, "x", "", "", "+3650", ""),
    ("in 0 days in 3651 days in 3, days", MON, "=", "", "", "", ""),
    ("in 99999999999999999999 days in +3 days", MON, "=", "", "", "", ""),
    ("x 2028-02-29", MON, "x", "", "", "2028-02-29", ""),
    ("x 2027-02-29 2026-02-30 2026-3-05", MON, "=", "", "", "", ""),
    ("x due 2026-04-30", MON, "x", "", "", "2026-04-30", ""),
    ("x on 2026-12-31.", MON, "x", "", "", "2026-12-31", ""),
    ("pay dues due tomorrow", MON, "pay dues", "", "", "+1", ""),
    ("meet on today", MON, "meet on", "", "", "+0", ""),
    // Escapes.
    ("call \"today\" show", MON, "call today show", "", "", "", ""),
    ("watch \"next week\" #tv", MON, "watch next week", "", "tv", "", ""),
    ("\\today \\#tag \\p1 x", MON, "today #tag p1 x", "", "", "", ""),
    ("say \"hi there", MON, "=", "", "", "", ""),
    ("\"\" x \\", MON, "x \\", "", "", "", ""),
    // Repetition: the first occurrence is the due date unless one is given.
    ("pay rent every month !high #home", MON, "pay rent", "high", "home", "+0", "MONTHLY"),
    ("water every day", WED, "water", "", "", "+0", "DAILY"),
    ("Daily standup", MON, "standup", "", "", "+0", "DAILY"),
    ("weekly review", MON, "review", "", "", "+0", "WEEKLY"),
    ("x monthly", MON, "x", "", "", "+0", "MONTHLY"),
    ("x yearly", MON, "x", "", "", "+0", "YEARLY"),
    ("x every week", MON, "x", "", "", "+0", "WEEKLY"),
    ("x EVERY year", MON, "x", "", "", "+0", "YEARLY"),
    ("standup every weekday", SAT, "standup", "", "", "+2", WEEKDAYS),
    ("standup every weekday", WED, "standup", "", "", "+0", WEEKDAYS),
    ("bins every tuesday", MON, "bins", "", "", "+1", "WEEKLY;BYDAY=TU"),
    ("gym every mon", MON, "gym", "", "", "+0", "WEEKLY;BYDAY=MO"),
    ("x every 2 weeks", MON, "x", "", "", "+0", "WEEKLY;INTERVAL=2"),
    ("x every 365 months", MON, "x", "", "", "+0", "MONTHLY;INTERVAL=365"),
    ("x every 1 days every 366 days", MON, "=", "", "", "", ""),
    ("every", MON, "=", "", "", "", ""),
    ("every blah tomorrow", MON, "every blah", "", "", "+1", ""),
    ("standup every weekday 2026-04-01", MON, "standup", "", "", "2026-04-01", WEEKDAYS),
    ("daily every monday", MON, "every monday", "", "", "+0", "DAILY"),
];

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn table() {
    for &(input, today, title, priority, tags, due, rule) in CASES {
        let today = date(today);
        let due = match due.strip_prefix('+') {
            _ if due.is_empty() => None,
            Some(n) => today.checked_add_days(Days::new(n.parse().unwrap())),
            None => Some(date(due)),
        };
        let expected = Parsed {
            title: if title == "=" { input } else { title }.into(),
            priority: Priority::parse(priority),
            tags: tags
                .split(',')
                .filter(|t| !t.is_empty())
                .map(Into::into)
                .collect(),
            due_date: due,
            recurrence: (!rule.is_empty()).then(|| format!("FREQ={rule}")),
        };
        assert_eq!(parse(input, today), expected, "{input:?} on {today}");
    }
}

/// At the ends of the calendar, a date that would overflow stays in the title.
#[test]
fn never_panics() {
    let max = parse("x tomorrow in 2 days next week friday", NaiveDate::MAX);
    assert_eq!(max.title, "x tomorrow in 2 days next week friday");
    assert_eq!(max.due_date, None);
    let lines = [
        "every weekday",
        "every sun",
        "\"",
        "\\",
        "#\u{0} ÿ🙂 #🙂 \"a \\\" b\"",
    ];
    for line in lines {
        for today in [NaiveDate::MIN, NaiveDate::MAX] {
            parse(line, today);
        }
    }
}
