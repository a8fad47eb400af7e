//! Manual order: each task's `position` is a string, and the tasks sort by it as text.
//! Moving a task writes one row: its new position is a string strictly between its new
//! neighbours' (a fractional index), so no other row is ever renumbered.
//!
//! A position is a 16-digit decimal *head* and an optional base-62 *fraction*, and never
//! ends in `0` (nothing sorts between `x` and `x0`). New tasks go last with the greatest
//! head plus one and the fraction `V`; that step is also written in SQL, in the store's
//! insert, so that it happens inside the insert's own statement. Moving a task between
//! two others takes a head between theirs, or the midpoint of their fractions (a result
//! sorts above the greater one). Every position has a whole head and a fraction.

/// The alphabet, in ASCII (and so text) order.
const DIGITS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// The digits of a head.
pub const HEAD_LEN: usize = 16;
/// The fraction of a position made by [`after`] (the alphabet's middle: room on both sides).
const MIDDLE: u8 = b'V';

fn digit(c: u8) -> usize {
    DIGITS.iter().position(|d| *d == c).unwrap_or(0)
}

/// The position for a task placed after `last` (the greatest position, or none): its head
/// plus one, and the middle fraction.
pub fn after(last: Option<&str>) -> String {
    let head: u64 = last
        .map(|p| p.get(..HEAD_LEN).unwrap_or(p))
        .and_then(|h| h.parse().ok())
        .unwrap_or(0);
    format!(
        "{:0width$}{}",
        head.saturating_add(1),
        MIDDLE as char,
        width = HEAD_LEN
    )
}

/// A position strictly between `low` (none: the very start) and `high` (none: after
/// `low`, as [`after`]), with a whole head. Positions that are not in order (two tasks
/// given the same position by concurrent writers) or not well made give a position
/// after `low`.
pub fn between(low: Option<&str>, high: Option<&str>) -> String {
    let Some(high) = high else {
        return after(low);
    };
    let (Some((hi_head, hi_frac)), Some((lo_head, lo_frac))) =
        (split(high), low.map_or(Some((0, "")), split))
    else {
        return after(low);
    };
    if (lo_head, lo_frac) >= (hi_head, hi_frac) {
        return after(low);
    }
    let (head, fraction) = if hi_head > lo_head + 1 {
        (lo_head + (hi_head - lo_head) / 2, vec![MIDDLE])
    } else if hi_head == lo_head + 1 {
        (lo_head, midpoint(lo_frac.as_bytes(), None))
    } else {
        (
            lo_head,
            midpoint(lo_frac.as_bytes(), Some(hi_frac.as_bytes())),
        )
    };
    let fraction = String::from_utf8(fraction).unwrap_or_else(|_| "V".into());
    format!("{head:0width$}{fraction}", width = HEAD_LEN)
}

/// A position's head (as a number) and fraction, if it is well made.
fn split(p: &str) -> Option<(u64, &str)> {
    let (head, fraction) = (p.get(..HEAD_LEN)?, p.get(HEAD_LEN..)?);
    let well_made = head.bytes().all(|c| c.is_ascii_digit())
        && fraction.bytes().all(|c| DIGITS.contains(&c))
        && !fraction.ends_with('0');
    well_made
        .then(|| head.parse().ok())
        .flatten()
        .map(|h| (h, fraction))
}

/// The string halfway between `a` and `b` (`None`: above everything), `a < b`, neither
/// ending in `0`; the result does not either.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    if let Some(b) = b {
        // Skip the prefix they share (a missing digit of `a` reads as `0`).
        let shared = b
            .iter()
            .enumerate()
            .take_while(|(i, c)| a.get(*i).copied().unwrap_or(b'0') == **c)
            .count();
        if shared > 0 {
            let mut out = b[..shared].to_vec();
            out.extend(midpoint(a.get(shared..).unwrap_or(&[]), Some(&b[shared..])));
            return out;
        }
    }
    let low = a.first().map_or(0, |c| digit(*c));
    let high = b.map_or(DIGITS.len(), |b| b.first().map_or(0, |c| digit(*c)));
    if high - low > 1 {
        return vec![DIGITS[(low + high).div_ceil(2)]];
    }
    // Adjacent first digits: `b`'s first digit alone, if `b` goes on, sorts between;
    // else keep `a`'s first digit and go halfway between the rest of `a` and the top.
    match b {
        Some(b) if b.len() > 1 => vec![b[0]],
        _ => {
            let mut out = vec![DIGITS[low]];
            out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
            out
        }
    }
}

#[cfg(test)]
mod tests;
