use super::*;

#[test]
fn new_tasks_go_last_with_a_whole_head() {
    assert_eq!(after(None), "0000000000000001V");
    assert_eq!(after(Some("0000000000000041V")), "0000000000000042V");
    assert_eq!(after(Some("0000000000000041k3")), "0000000000000042V");
    assert!(after(Some("0000000000000009V")).as_str() > "0000000000000009V");
}

#[test]
fn a_midpoint_sorts_strictly_between() {
    let cases = [
        (None, "0000000000000001V"),
        (Some("0000000000000001V"), "0000000000000002V"),
        (Some("0000000000000009V"), "0000000000000010V"),
        (Some("0000000000000042V"), "0000000000000042W"),
        (Some("0000000000000042V"), "0000000000000042V1"),
    ];
    for (low, high) in cases {
        let mid = between(low, Some(high));
        assert!(mid.as_str() > low.unwrap_or(""), "{low:?} < {mid}");
        assert!(mid.as_str() < high, "{mid} < {high}");
        assert!(!mid.ends_with('0'), "{mid}");
    }
    assert_eq!(
        between(Some("0000000000000003V"), None),
        "0000000000000004V"
    );
}

#[test]
fn out_of_order_neighbours_give_a_place_after_the_low_one() {
    let tied = "0000000000000005V";
    assert_eq!(between(Some(tied), Some(tied)), "0000000000000006V");
    assert_eq!(between(Some("x0"), Some("y")), after(Some("x0")));
    assert_eq!(
        between(Some("0000000000000002V"), Some("0000000000000001V")),
        after(Some("0000000000000002V"))
    );
}

/// Many moves to the same spots (the top, the middle, the bottom) keep every position
/// distinct, in order, without a trailing zero, and short.
#[test]
fn repeated_moves_stay_in_order() {
    let mut order: Vec<String> = (0..5).fold(Vec::new(), |mut acc, _| {
        acc.push(after(acc.last().map(String::as_str)));
        acc
    });
    let mut seed = 7u64;
    for round in 0..2000 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let at = match round % 4 {
            0 => 0,
            1 => order.len(),
            2 => 1,
            _ => (seed >> 33) as usize % (order.len() + 1),
        };
        let low = at.checked_sub(1).map(|i| order[i].as_str());
        let high = order.get(at).map(String::as_str);
        let new = between(low, high);
        order.insert(at, new);
    }
    for pair in order.windows(2) {
        assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
    }
    assert!(
        order
            .iter()
            .all(|p| split(p).is_some_and(|(_, f)| !f.is_empty())),
        "{order:?}"
    );
    let longest = order.iter().map(String::len).max().unwrap();
    assert!(longest < 16 + 600, "{longest}");
}
