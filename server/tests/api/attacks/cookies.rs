//! Session cookie tampering: a changed character anywhere in the signed cookie is no
//! session, never someone else's.

use serde_json::Value;
use taskdeck::auth::{sign_cookie_value, HmacKey};

use super::{flip, PASSWORD};
use crate::helpers::TestApp;

async fn tampered_session_cookies_are_no_session(app: &TestApp) {
    let a = app.sign_up("cookie-a@example.com", PASSWORD).await;
    let b = app.sign_up("cookie-b@example.com", PASSWORD).await;
    const NAME: &str = "better-auth.session_token";
    let value_a = a.cookie.split_once('=').unwrap().1.to_string();
    let value_b = b.cookie.split_once('=').unwrap().1.to_string();
    let decoded = |v: &str| percent_decode(v);
    let (token_a, sig_a) = {
        let d = decoded(&value_a);
        let (t, s) = d.rsplit_once('.').unwrap();
        (t.to_string(), s.to_string())
    };
    let (token_b, sig_b) = {
        let d = decoded(&value_b);
        let (t, s) = d.rsplit_once('.').unwrap();
        (t.to_string(), s.to_string())
    };
    let enc = |s: &str| taskdeck::auth::cookie::encode_uri_component(s);
    // Controls: the cookie as set, and the same value unencoded, are live sessions.
    assert_eq!(
        app.session(&a.cookie).await["user"]["id"],
        a.user_id.as_str()
    );
    assert_eq!(
        app.session(&format!("{NAME}={token_a}.{sig_a}")).await["user"]["id"],
        a.user_id.as_str(),
        "an unencoded value is the same cookie"
    );

    let flip_at = |s: &str, i: usize| {
        let mut chars: Vec<char> = s.chars().collect();
        chars[i] = flip(chars[i]);
        chars.into_iter().collect::<String>()
    };
    let sig_len = sig_a.len();
    let mut cases: Vec<(&str, String)> = vec![
        (
            "signature: first char flipped",
            enc(&format!("{token_a}.{}", flip_at(&sig_a, 0))),
        ),
        (
            "signature: middle char flipped",
            enc(&format!("{token_a}.{}", flip_at(&sig_a, sig_len / 2))),
        ),
        (
            "signature: last data char flipped",
            enc(&format!("{token_a}.{}", flip_at(&sig_a, sig_len - 2))),
        ),
        (
            "token: one char flipped",
            enc(&format!("{}.{sig_a}", flip_at(&token_a, 5))),
        ),
        (
            "B's token with A's signature",
            enc(&format!("{token_b}.{sig_a}")),
        ),
        (
            "A's token with B's signature",
            enc(&format!("{token_a}.{sig_b}")),
        ),
        ("missing signature", token_a.clone()),
        ("missing signature, trailing dot", format!("{token_a}.")),
        ("signature only", enc(&format!(".{sig_a}"))),
        ("extra dot at the end", enc(&format!("{token_a}.{sig_a}."))),
        (
            "signature twice",
            enc(&format!("{token_a}.{sig_a}.{sig_a}")),
        ),
        (
            "extra dot inside the token",
            enc(&format!("{}.{}.{sig_a}", &token_a[..10], &token_a[10..])),
        ),
        ("leading dot", enc(&format!(".{token_a}.{sig_a}"))),
        ("double dot", enc(&format!("{token_a}..{sig_a}"))),
        (
            "token upper-cased",
            enc(&format!("{}.{sig_a}", token_a.to_uppercase())),
        ),
        (
            "signature without padding",
            enc(&format!("{token_a}.{}", sig_a.trim_end_matches('='))),
        ),
        (
            "signature with extra padding",
            enc(&format!("{token_a}.{sig_a}=")),
        ),
        (
            "signature base64url instead of base64",
            enc(&format!(
                "{token_a}.{}",
                sig_a.replace('+', "-").replace('/', "_")
            )),
        ),
        ("double percent-encoding", enc(&value_a)),
        (
            "encoded NUL before the dot",
            format!("{token_a}%00.{}", enc(&sig_a)),
        ),
        (
            "encoded NUL after the signature",
            format!("{}%00", enc(&format!("{token_a}.{sig_a}"))),
        ),
        (
            "overlong UTF-8 dot",
            format!("{token_a}%C0%AE{}", enc(&sig_a)),
        ),
        ("invalid UTF-8", format!("{token_a}%FF.{}", enc(&sig_a))),
        (
            "'+' sent as %20",
            format!(
                "{token_a}.{}",
                sig_a
                    .replace('+', "%20")
                    .replace('/', "%2F")
                    .replace('=', "%3D")
            ),
        ),
        ("fullwidth dot", enc(&format!("{token_a}\u{FF0E}{sig_a}"))),
        ("whitespace inside", enc(&format!("{token_a} .{sig_a}"))),
        (
            "truncated percent escape",
            format!(
                "{}%3",
                enc(&format!("{token_a}.{}", sig_a.trim_end_matches('=')))
            ),
        ),
        ("empty value", String::new()),
        (
            "HMAC of the token under an empty secret",
            sign_cookie_value(&token_a, &HmacKey::new(b"")),
        ),
        (
            "HMAC of the token under another secret",
            sign_cookie_value(
                &token_a,
                &HmacKey::new(b"another-secret-0123456789-abcdefghij"),
            ),
        ),
        (
            "signed but invented token",
            sign_cookie_value("invented-token-0000000000000000", &HmacKey::new(b"guess")),
        ),
    ];
    cases.push((
        "signature case-swapped",
        enc(&format!("{token_a}.{}", sig_a.to_lowercase())),
    ));
    // Some transformations are the identity for a given signature (no '+' to replace):
    // those are the genuine cookie, not an attack.
    let genuine = format!("{token_a}.{sig_a}");
    cases.retain(|(_, v)| percent_decode(v) != genuine);
    let mut headers: Vec<(String, String)> = cases
        .into_iter()
        .map(|(name, v)| (name.to_string(), format!("{NAME}={v}")))
        .collect();
    // Cookie-name and header tricks.
    headers.extend([
        (
            "cookie name with a space".into(),
            format!("{NAME} ={value_a}"),
        ),
        (
            "cookie name upper-cased".into(),
            format!("{}={value_a}", NAME.to_uppercase()),
        ),
        (
            "__Secure- name on http".into(),
            format!("__Secure-{NAME}={}", enc(&format!("{token_b}.{sig_a}"))),
        ),
        (
            "forged first, then the real one".into(),
            format!(
                "{NAME}={}; {NAME}={value_a}",
                enc(&format!("{token_b}.{sig_a}"))
            ),
        ),
        (
            "only session_data cookie".into(),
            format!("better-auth.session_data={value_a}"),
        ),
        (
            "quoted value".into(),
            format!("{NAME}=\"{}\"", enc(&format!("{token_b}.{sig_a}"))),
        ),
    ]);
    for (name, header) in &headers {
        let body = app.session(header).await;
        assert_eq!(
            body,
            Value::Null,
            "cookie attack '{name}' ({header}) gave a session"
        );
        // The same forged cookie cannot mint a JWT either.
        let res = app.auth_get("/token", Some(header)).await;
        assert_eq!(res.status(), 401, "cookie attack '{name}' on /token");
    }
    // The raw session token is not a bearer credential for get-session.
    let res = app.bearer_get(&token_a, "/api/auth/get-session").await;
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        Value::Null,
        "unsigned bearer"
    );
    eprintln!(
        "[{:?}] {} tampered cookies refused",
        app.backend,
        headers.len()
    );
    // The genuine sessions are still alive (nothing was revoked by the attempts).
    assert_eq!(
        app.session(&a.cookie).await["user"]["id"],
        a.user_id.as_str()
    );
    assert_eq!(
        app.session(&b.cookie).await["user"]["id"],
        b.user_id.as_str()
    );
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

db_tests!(tampered_session_cookies_are_no_session);
