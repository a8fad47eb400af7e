//! The fuzz loop's inputs: strings with SQL, Unicode, percent-encoding and numbers in
//! text, and from them JSON and raw bodies, query strings, path segments and headers.

use rand::{rngs::StdRng, seq::SliceRandom, Rng};
use reqwest::header::HeaderValue;
use serde_json::{json, Value};

const SQL_BITS: &[&str] = &[
    "'",
    "''",
    "\"",
    "';--",
    "' OR 1=1 --",
    "%' OR 1=1 --",
    "'); DROP TABLE task;--",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(3)",
    "$1",
    "?",
    "\\",
    "\\'",
    "/*",
    "*/",
    "%",
    "_",
    "%%",
    "[a-z]",
    "' UNION SELECT * FROM \"user\" --",
    "\u{0}",
    "$$",
    "E'\\x00'",
];

const UNICODE_BITS: &[&str] = &[
    "é",
    "ß",
    "İ",
    "ﬃ",
    "日本語",
    "😀",
    "👩‍👩‍👧‍👦",
    "\u{202E}",
    "\u{200B}",
    "\u{FEFF}",
    "a\u{301}",
    "\u{FFFF}",
    "\u{10FFFF}",
    "\u{1}",
    "\u{7F}",
    "\u{85}",
    "\u{2028}",
    "\r\n",
    "\t",
    "\u{0}",
    "Ω",
    "١٢٣",
];

const PERCENT_BITS: &[&str] = &[
    "%",
    "%%",
    "%zz",
    "%ff",
    "%fe%ff",
    "%00",
    "%c0%af",
    "%e2%80%ae",
    "%2e%2e",
    "%2f",
    "%25",
    "%u0027",
    "%27",
    "%22",
    "%3b",
    "+",
    "&",
    "=",
    "==",
    "&&",
    ";",
    "#",
];

const NUMBER_TEXT: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "1.5",
    "1e3",
    "1e999",
    "-1e999",
    "1e-999",
    "123456789012345678901234567890",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "0.0000000000000000000000000001",
    "4.9e-324",
    "1.7976931348623157e308",
];

pub(super) fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from.choose(rng).unwrap()
}

/// A random string mixing SQL metacharacters, Unicode, controls and long runs.
pub(super) fn fuzz_string(rng: &mut StdRng) -> String {
    match rng.gen_range(0..10) {
        0 => String::new(),
        1 => " \t\n ".to_string(),
        2 => "x".repeat(rng.gen_range(150..260)),
        3 => "é".repeat(rng.gen_range(180..1100)),
        4 => pick(
            rng,
            &[
                "2026-02-30",
                "0000-00-00",
                "9999-12-31",
                "2026-1-1",
                "+002026-01-01",
                "2026-13-01",
                "2026-12-01T00:00:00Z",
            ],
        )
        .to_string(),
        5 => pick(rng, &["low", "HIGH", " medium ", "high\u{0}", "urgent"]).to_string(),
        _ => {
            let mut s = String::new();
            for _ in 0..rng.gen_range(1..6) {
                match rng.gen_range(0..4) {
                    0 => s.push_str(pick(rng, SQL_BITS)),
                    1 => s.push_str(pick(rng, UNICODE_BITS)),
                    2 => s.push_str(pick(rng, PERCENT_BITS)),
                    _ => {
                        let n = rng.gen_range(1..12);
                        s.extend((0..n).map(|_| rng.gen_range(b' '..=b'~') as char));
                    }
                }
            }
            s
        }
    }
}

/// JSON text for any value, including what `serde_json::Value` cannot hold (huge
/// numbers, lone surrogate escapes, escaped NULs, deep nesting).
fn fuzz_json(rng: &mut StdRng, depth: u32) -> String {
    let choice = if depth > 3 {
        rng.gen_range(0..6)
    } else {
        rng.gen_range(0..9)
    };
    match choice {
        0 => "null".into(),
        1 => pick(rng, &["true", "false"]).into(),
        2 => pick(rng, NUMBER_TEXT).into(),
        3 | 4 => Value::String(fuzz_string(rng)).to_string(),
        5 => pick(
            rng,
            &[
                r#""\ud800""#,
                r#""\udfff\ud800""#,
                r#""\u0000""#,
                r#""a\u0000b""#,
                r#""\uDBFF\uDFFF""#,
            ],
        )
        .into(),
        6 => {
            let n = rng.gen_range(0..5);
            let items: Vec<String> = (0..n).map(|_| fuzz_json(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
        7 => {
            let n = rng.gen_range(0..4);
            let items: Vec<String> = (0..n)
                .map(|_| {
                    format!(
                        "{}:{}",
                        Value::String(fuzz_string(rng)),
                        fuzz_json(rng, depth + 1)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        _ => {
            let d = *[20usize, 127, 129, 300, 5000].choose(rng).unwrap();
            let (open, close) = if rng.gen() {
                ("[", "]")
            } else {
                ("{\"a\":", "}")
            };
            format!("{}1{}", open.repeat(d), close.repeat(d))
        }
    }
}

/// A create/update body: mostly an object with the real fields, sometimes garbage.
pub(super) fn fuzz_body(rng: &mut StdRng) -> Vec<u8> {
    const FIELDS: &[&str] = &[
        "title",
        "description",
        "completed",
        "priority",
        "tags",
        "due_date",
    ];
    match rng.gen_range(0..16) {
        // Valid in shape, hostile in content: these get stored, so odd text reaches
        // the database and comes back through the list filters.
        12..=15 => {
            let mut body = serde_json::Map::new();
            body.insert("title".into(), Value::String(fuzz_string(rng)));
            if rng.gen() {
                body.insert("description".into(), Value::String(fuzz_string(rng)));
            }
            if rng.gen() {
                let n = rng.gen_range(0..4);
                let tags: Vec<Value> = (0..n).map(|_| Value::String(fuzz_string(rng))).collect();
                body.insert("tags".into(), Value::Array(tags));
            }
            if rng.gen() {
                body.insert(
                    "priority".into(),
                    json!(pick(rng, &["low", "medium", "high"])),
                );
            }
            if rng.gen() {
                body.insert("completed".into(), json!(rng.gen::<bool>()));
            }
            if rng.gen() {
                body.insert(
                    "due_date".into(),
                    json!(pick(
                        rng,
                        &[
                            "2026-02-28",
                            "2024-02-29",
                            "9999-12-31",
                            "0001-01-01",
                            "1970-01-01"
                        ]
                    )),
                );
            }
            Value::Object(body).to_string().into_bytes()
        }
        0 => Vec::new(),
        1 => {
            let n = rng.gen_range(1..64);
            (0..n).map(|_| rng.gen()).collect()
        }
        2 => fuzz_json(rng, 0).into_bytes(),
        3 => br#"{"title":"dup","title":"dup2","title":7}"#.to_vec(),
        4 => {
            let mut b = "\u{FEFF}".as_bytes().to_vec();
            b.extend_from_slice(br#"{"title":"bom"}"#);
            b
        }
        5 => br#"{"title":"truncated"#.to_vec(),
        6 => {
            // Invalid UTF-8 inside a string.
            let mut b = br#"{"title":"bad "#.to_vec();
            b.extend_from_slice(&[0xff, 0xfe, 0xc0, 0xaf]);
            b.extend_from_slice(br#""}"#);
            b
        }
        _ => {
            let mut members = Vec::new();
            for field in FIELDS {
                if rng.gen_bool(0.6) {
                    let value = match (*field, rng.gen_range(0..3)) {
                        ("tags", 0) => {
                            let n = rng.gen_range(0..14);
                            let tags: Vec<String> = (0..n)
                                .map(|_| Value::String(fuzz_string(rng)).to_string())
                                .collect();
                            format!("[{}]", tags.join(","))
                        }
                        ("title" | "description", 0 | 1) => {
                            Value::String(fuzz_string(rng)).to_string()
                        }
                        _ => fuzz_json(rng, 1),
                    };
                    members.push(format!("\"{field}\":{value}"));
                }
            }
            if rng.gen_bool(0.2) {
                members.push(format!(
                    "{}:{}",
                    Value::String(fuzz_string(rng)),
                    fuzz_json(rng, 1)
                ));
            }
            members.shuffle(rng);
            format!("{{{}}}", members.join(",")).into_bytes()
        }
    }
}

pub(super) fn fuzz_query(rng: &mut StdRng) -> String {
    const KEYS: &[&str] = &[
        "status", "sort", "order", "q", "tag", "priority", "limit", "offset", "", "q[]", "%00",
    ];
    let n = rng.gen_range(0..6);
    let mut parts = Vec::new();
    for _ in 0..n {
        let key = pick(rng, KEYS);
        let value = match rng.gen_range(0..6) {
            0 => pick(rng, NUMBER_TEXT).to_string(),
            1 => pick(rng, PERCENT_BITS).to_string(),
            2 => pick(
                rng,
                &[
                    "all",
                    "pending",
                    "completed",
                    "title",
                    "priority",
                    "due_date",
                    "asc",
                    "desc",
                    "high",
                    "200",
                    "0",
                ],
            )
            .to_string(),
            3 => pick(rng, SQL_BITS).to_string(),
            _ => fuzz_string(rng),
        };
        // Some raw, some encoded the way a browser would.
        let value = if rng.gen() {
            url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        } else {
            value
                .chars()
                .filter(|c| !c.is_control() && *c != '#' && *c != ' ')
                .collect()
        };
        parts.push(match rng.gen_range(0..8) {
            0 => key.to_string(),
            1 => format!("{key}=={value}"),
            _ => format!("{key}={value}"),
        });
    }
    parts.join(if rng.gen_bool(0.9) { "&" } else { "&&;" })
}

/// A path segment that should name nothing, or something unusual.
pub(super) fn fuzz_segment(rng: &mut StdRng) -> String {
    pick(
        rng,
        &[
            "",
            "%00",
            "%ff",
            "%c0%ae%c0%ae",
            "..",
            "%2e%2e",
            "%2f",
            "'%20OR%201=1--",
            "%27);DROP%20TABLE%20task;--",
            "0",
            "-1",
            "+1",
            "1.0",
            "1e3",
            "0x10",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "%E0%A5%A7",
            "%F0%9F%98%80",
            "null",
            "undefined",
            "%20",
            "a%0d%0aX-Injected:%201",
        ],
    )
    .to_string()
}

pub(super) fn header_value(bytes: &[u8]) -> Option<HeaderValue> {
    HeaderValue::from_bytes(bytes).ok()
}

pub(super) fn fuzz_authorization(rng: &mut StdRng, good: &str) -> Option<HeaderValue> {
    let text = match rng.gen_range(0..60) {
        0 => return None,
        1 => "Bearer".into(),
        2 => "Bearer ".into(),
        3 => "Basic dXNlcjpwYXNz".into(),
        4 => "Bearer a.b.c".into(),
        5 => format!("Bearer {good}x"),
        6 => format!("Bearer {}", &good[..good.len() / 2]),
        7 => format!("Bearer {good}.{good}"),
        8 => format!("Bearer {}", "A".repeat(rng.gen_range(1000..9000))),
        9 => {
            let mut v = b"Bearer ".to_vec();
            v.extend((0..rng.gen_range(1..40)).map(|_| rng.gen_range(0x80u8..=0xff)));
            return header_value(&v);
        }
        10 => format!("Bearer {}", fuzz_string(rng)),
        11 => format!("bEaReR {good}"),
        _ => format!("Bearer {good}"),
    };
    header_value(text.as_bytes()).or_else(|| header_value(b"Bearer garbage"))
}

pub(super) fn fuzz_content_type(rng: &mut StdRng) -> Option<HeaderValue> {
    let text: &[u8] = match rng.gen_range(0..40) {
        0 => return None,
        1 => b"text/plain",
        2 => b"application/json; charset=utf-16",
        3 => b"application/vnd.api+json",
        4 => b"APPLICATION/JSON",
        5 => b"application/x-www-form-urlencoded",
        6 => b"multipart/form-data; boundary=x",
        7 => b"application/json\xff\xfe",
        8 => b";;;",
        9 => b"application/",
        _ => b"application/json",
    };
    header_value(text)
}
