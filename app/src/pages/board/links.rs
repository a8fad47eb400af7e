//! The board's URLs: the filter in the query string, never an empty parameter, and
//! never the one-off `error` or `deleted` notices carried over to the next view.

use crate::api::TaskFilter;

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The board's URL for `filter` with `key` set to `value` (removed when empty).
pub fn link_with(filter: &TaskFilter, key: &str, value: &str) -> String {
    let current = [
        ("status", &filter.status),
        ("q", &filter.q),
        ("tag", &filter.tag),
        ("priority", &filter.priority),
        ("sort", &filter.sort),
        ("order", &filter.order),
        ("limit", &filter.limit),
        ("view", &filter.view),
    ];
    let mut pairs: Vec<String> = current
        .iter()
        .filter(|(k, _)| *k != key)
        .filter_map(|(k, v)| {
            // "all" is the default status: the URL leaves it out.
            let default = |v: &str| v.is_empty() || (*k == "status" && v == "all");
            v.as_deref()
                .filter(|v| !default(v))
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    if !value.is_empty() {
        pairs.push(format!("{key}={}", encode(value)));
    }
    if pairs.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", pairs.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_other_filters_and_drop_empty_ones() {
        let filter = TaskFilter {
            status: Some("pending".into()),
            q: Some(String::new()),
            tag: Some("home".into()),
            ..TaskFilter::default()
        };
        assert_eq!(
            link_with(&filter, "tag", "a b"),
            "/?status=pending&tag=a%20b"
        );
        assert_eq!(link_with(&filter, "status", ""), "/?tag=home");
        assert_eq!(link_with(&TaskFilter::default(), "status", ""), "/");
    }
}
