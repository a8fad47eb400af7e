//! Paths and query strings for the redirects of form posts without JavaScript: where
//! the form was (`Referer`), and the same place with a parameter set or removed.

use http::{header, HeaderMap};

/// `encodeURIComponent`, as the browser's side of these URLs writes it.
pub fn encode(s: &str) -> String {
    taskdeck::auth::cookie::encode_uri_component(s)
}

/// The path (and query) of the page the form was on, from `Referer`; `/` without one.
pub fn referer_path(headers: &HeaderMap) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|| "/".into())
}

/// Replaces (or adds) `key` in a path's query string.
pub fn with_param(path: &str, key: &str, value: &str) -> String {
    let (base, rest) = without(path, key);
    let mut pairs = rest;
    let pair = format!("{key}={}", encode(value));
    pairs.push(&pair);
    format!("{base}?{}", pairs.join("&"))
}

/// Removes `key` from a path's query string (and the `?` when nothing is left).
pub fn strip_param(path: &str, key: &str) -> String {
    match without(path, key) {
        (base, rest) if rest.is_empty() => base.to_string(),
        (base, rest) => format!("{base}?{}", rest.join("&")),
    }
}

/// The path before `?`, and the query's pairs other than `key`.
fn without<'a>(path: &'a str, key: &str) -> (&'a str, Vec<&'a str>) {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let rest = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(key))
        .collect();
    (base, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parameter_is_replaced_not_repeated() {
        assert_eq!(with_param("/", "error", "X"), "/?error=X");
        assert_eq!(
            with_param("/?status=done&error=OLD", "error", "NEW"),
            "/?status=done&error=NEW"
        );
        // A key that only starts like the one replaced is kept.
        assert_eq!(with_param("/?errors=1", "error", "E"), "/?errors=1&error=E");
        assert_eq!(with_param("/p", "next", "/a b?c"), "/p?next=%2Fa%20b%3Fc");
    }

    #[test]
    fn stripping_the_last_parameter_drops_the_question_mark() {
        assert_eq!(strip_param("/?edit=4", "edit"), "/");
        assert_eq!(strip_param("/?edit=4&q=milk", "edit"), "/?q=milk");
        assert_eq!(strip_param("/?q=milk", "edit"), "/?q=milk");
        assert_eq!(strip_param("/settings", "deleted"), "/settings");
    }

    #[test]
    fn the_form_page_comes_from_the_referer_and_defaults_to_home() {
        let mut headers = HeaderMap::new();
        assert_eq!(referer_path(&headers), "/");
        headers.insert(
            header::REFERER,
            "http://localhost:3000/settings?error=X".parse().unwrap(),
        );
        assert_eq!(referer_path(&headers), "/settings?error=X");
        headers.insert(header::REFERER, "not a url".parse().unwrap());
        assert_eq!(referer_path(&headers), "/");
    }
}
