use super::*;
use rrule::Unvalidated;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rule(s: &str) -> Recurrence {
    Recurrence::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Rows of "input => expected", so that rustfmt keeps one case per line.
fn rows<'a>(table: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    table
        .iter()
        .map(|row| row.split_once(" => ").expect(row))
        .collect()
}

#[test]
fn parse_accepts_and_canonicalises() {
    for (input, canonical) in rows(&[
        "FREQ=DAILY => FREQ=DAILY",
        "freq=daily => FREQ=DAILY",
        "  RRULE:FREQ=MONTHLY   => FREQ=MONTHLY",
        "rrule:freq=weekly;interval=2;byday=fr,mo => FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
        "BYDAY=MO,FR;INTERVAL=2;FREQ=WEEKLY => FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
        "FREQ=DAILY;INTERVAL=1 => FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=007 => FREQ=DAILY;INTERVAL=7",
        "INTERVAL=365;FREQ=YEARLY => FREQ=YEARLY;INTERVAL=365",
        "FREQ=WEEKLY;BYDAY=SU,MO,MO,su => FREQ=WEEKLY;BYDAY=MO,SU",
        "FREQ=WEEKLY;BYDAY=FR,TH,WE,TU,MO => FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    ]) {
        let r = rule(input);
        assert_eq!(r.as_str(), canonical, "{input}");
        assert_eq!(r.to_string(), canonical, "{input}");
        assert_eq!(rule(canonical), r, "{input}: round trip");
    }
}

#[test]
fn parse_rejects_with_reasons() {
    let long = format!("FREQ=DAILY{} => ", ";INTERVAL=1".repeat(20));
    let long = long + "a recurrence rule must be at most 200 characters";
    for (input, reason) in rows(&[
        " => a recurrence rule must not be empty",
        "    => a recurrence rule must not be empty",
        "RRULE: => a recurrence rule must not be empty",
        &long,
        "INTERVAL=2 => FREQ is required",
        "FREQ=HOURLY => FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY",
        "FREQ= => FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY",
        "FREQ=DAILY;FREQ=WEEKLY => FREQ is given more than once",
        "FREQ=DAILY;INTERVAL=2;INTERVAL=2 => INTERVAL is given more than once",
        "FREQ=DAILY; => empty part (a stray ';')",
        "FREQ => part FREQ is not NAME=VALUE",
        "FREQ=DAILY;=3 => part =3 has no name",
        "FREQ=DAILY;UNTIL=20301231 => UNTIL is not supported",
        "FREQ=DAILY;COUNT=3 => COUNT is not supported",
        "FREQ=MONTHLY;BYMONTHDAY=31 => BYMONTHDAY is not supported",
        "FREQ=WEEKLY;WKST=SU => WKST is not supported",
        "FREQ=DAILY;X-FOO=1 => unknown part X-FOO",
        "FREQ=DAILY;INTERVAL=0 => INTERVAL must be a whole number from 1 to 365",
        "FREQ=DAILY;INTERVAL=366 => INTERVAL must be a whole number from 1 to 365",
        "FREQ=DAILY;INTERVAL=+2 => INTERVAL must be a whole number from 1 to 365",
        "FREQ=DAILY;INTERVAL=-1 => INTERVAL must be a whole number from 1 to 365",
        "FREQ=DAILY;INTERVAL=1.5 => INTERVAL must be a whole number from 1 to 365",
        "FREQ=DAILY;INTERVAL=99999999999 => INTERVAL must be a whole number from 1 to 365",
        "FREQ=DAILY;INTERVAL= => INTERVAL must be a whole number from 1 to 365",
        "FREQ=MONTHLY;BYDAY=MO => BYDAY is only supported with FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=1MO => BYDAY ordinals like 1MO are not supported",
        "FREQ=WEEKLY;BYDAY=MO,-1FR => BYDAY ordinals like 1MO are not supported",
        "FREQ=WEEKLY;BYDAY=MO,,FR => BYDAY must list weekdays like MO,WE,FR",
        "FREQ=WEEKLY;BYDAY= => BYDAY must list weekdays like MO,WE,FR",
        "FREQ=WEEKLY;BYDAY=MON => BYDAY: MON is not a weekday (MO, TU, WE, TH, FR, SA, SU)",
    ]) {
        assert_eq!(Recurrence::parse(input).unwrap_err(), reason, "{input:?}");
    }
}

/// Garbage in (random parts, and valid rules with bytes cut or spliced in): never a
/// panic; every answer is a reason, or a rule that round-trips and computes dates.
#[test]
fn garbage_never_panics() {
    let pieces: Vec<&str> = "FREQ=DAILY|FREQ=WEEKLY|FREQ=YEARLY|INTERVAL=2|INTERVAL=365|\
        BYDAY=MO|BYDAY=SA,SU|FREQ|=|;|,|1MO|é|💥|RRULE:| |\0|-"
        .split('|')
        .collect();
    let edges = [NaiveDate::MIN, NaiveDate::MAX, date("0000-01-01")];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut accepted = 0;
    for _ in 0..20_000 {
        let mut s = String::new();
        for _ in 0..next(5) + 1 {
            s.push_str(pieces[next(pieces.len())]);
            s.push(';');
        }
        s.pop();
        if next(2) == 0 {
            let at = next(s.len() + 1);
            if s.is_char_boundary(at) {
                s.insert_str(at, pieces[next(pieces.len())]);
            }
        }
        match Recurrence::parse(&s) {
            Ok(r) => {
                accepted += 1;
                assert_eq!(rule(r.as_str()), r, "{s:?}");
                assert!(r.describe().starts_with("every "), "{s:?}");
                for d in edges {
                    assert!(r.next_after(d).is_none_or(|n| n > d), "{s:?} {d}");
                }
            }
            Err(reason) => assert!(!reason.is_empty(), "{s:?}"),
        }
    }
    assert!(accepted > 100, "only {accepted} valid rules generated");
}

/// Our canonical spelling means the same to the `rrule` crate's own parser.
#[test]
fn canonical_forms_agree_with_rrule_parser() {
    for s in [
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
    ] {
        let theirs: RRule<Unvalidated> = rule(s).as_str().parse().unwrap();
        assert_eq!(theirs.to_string(), s);
    }
}

#[test]
fn next_after_table() {
    for (input, next) in rows(&[
        "FREQ=DAILY 2026-03-04 => 2026-03-05",
        "FREQ=DAILY 2026-12-31 => 2027-01-01",
        "FREQ=DAILY;INTERVAL=3 2026-03-30 => 2026-04-02",
        "FREQ=WEEKLY 2026-03-04 => 2026-03-11",
        "FREQ=WEEKLY 2026-12-28 => 2027-01-04",
        "FREQ=WEEKLY;INTERVAL=2 2026-03-04 => 2026-03-18",
        // 2026-03-04 is a Wednesday.
        "FREQ=WEEKLY;BYDAY=MO,WE,FR 2026-03-04 => 2026-03-06",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR 2026-03-06 => 2026-03-09",
        "FREQ=WEEKLY;BYDAY=SU 2026-03-08 => 2026-03-15",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR 2026-03-06 => 2026-03-09",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR 2026-03-07 => 2026-03-09",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR 2026-12-31 => 2027-01-01",
        // Every 2 weeks on MO,FR: the week holding `after` is week 0 (see next_after).
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR 2026-03-02 => 2026-03-06",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR 2026-03-06 => 2026-03-16",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR 2026-03-04 => 2026-03-06",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR 2026-03-07 => 2026-03-16",
        // Month ends clamp instead of skipping; a clamped day then stays clamped.
        "FREQ=MONTHLY 2027-01-31 => 2027-02-28",
        "FREQ=MONTHLY 2028-01-31 => 2028-02-29",
        "FREQ=MONTHLY 2027-02-28 => 2027-03-28",
        "FREQ=MONTHLY 2026-12-15 => 2027-01-15",
        "FREQ=MONTHLY;INTERVAL=2 2026-11-30 => 2027-01-30",
        "FREQ=MONTHLY;INTERVAL=2 2026-12-31 => 2027-02-28",
        "FREQ=YEARLY 2026-03-04 => 2027-03-04",
        "FREQ=YEARLY 2028-02-29 => 2029-02-28",
        "FREQ=YEARLY;INTERVAL=4 2028-02-29 => 2032-02-29",
        "FREQ=YEARLY;INTERVAL=365 2026-12-31 => 2391-12-31",
        "FREQ=WEEKLY;BYDAY=MO,SU 0000-01-01 => 0000-01-02",
        // None: the next date would not have a four-digit year.
        "FREQ=DAILY 9999-12-31 => none",
        "FREQ=WEEKLY;BYDAY=MO 9999-12-31 => none",
        "FREQ=MONTHLY 9999-12-15 => none",
        "FREQ=YEARLY;INTERVAL=365 9700-01-01 => none",
    ]) {
        let (r, after) = input.split_once(' ').unwrap();
        let expected = (next != "none").then(|| date(next));
        assert_eq!(rule(r).next_after(date(after)), expected, "{input}");
    }
    assert_eq!(rule("FREQ=DAILY").next_after(NaiveDate::MAX), None);
    let sundays = rule("FREQ=WEEKLY;BYDAY=SU");
    assert_eq!(sundays.next_after(NaiveDate::MIN), None);
}

#[test]
fn describe_table() {
    for (r, words) in rows(&[
        "FREQ=DAILY => every day",
        "FREQ=DAILY;INTERVAL=3 => every 3 days",
        "FREQ=WEEKLY => every week",
        "FREQ=WEEKLY;INTERVAL=2 => every 2 weeks",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR => every weekday",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU => every day",
        "FREQ=WEEKLY;BYDAY=MO => every Monday",
        "FREQ=WEEKLY;BYDAY=FR,MO => every Monday and Friday",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR => every Monday, Wednesday and Friday",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR => every 2 weeks on Monday and Friday",
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR => every 3 weeks on weekdays",
        "FREQ=MONTHLY => every month",
        "FREQ=MONTHLY;INTERVAL=6 => every 6 months",
        "FREQ=YEARLY => every year",
    ]) {
        assert_eq!(rule(r).describe(), words, "{r}");
    }
}
