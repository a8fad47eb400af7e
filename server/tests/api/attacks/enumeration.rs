//! User enumeration: an unknown e-mail and a wrong password answer alike, by status,
//! body, headers and timing.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::PASSWORD;
use crate::helpers::TestApp;

/// Status, body and the headers (minus `date` and `x-request-id`, which differ for
/// every response) of a response.
async fn fingerprint(res: reqwest::Response) -> (u16, Vec<String>, String) {
    let status = res.status().as_u16();
    let mut headers: Vec<String> = res
        .headers()
        .iter()
        .filter(|(k, _)| *k != "date" && *k != "x-request-id")
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
        .collect();
    headers.sort();
    (status, headers, res.text().await.unwrap())
}

async fn enumeration_by_status_and_body(app: &TestApp) {
    app.sign_up("known@example.com", PASSWORD).await;
    // Sign-in: unknown e-mail vs wrong password, in JSON and as form posts, also with
    // a case-and-whitespace variant of the known address.
    for (known_email, unknown_email) in [
        ("known@example.com", "unknown@example.com"),
        (" KNOWN@Example.com ", " UNKNOWN@Example.com "),
    ] {
        let wrong = fingerprint(app.sign_in(known_email, "wrong password!!").await).await;
        let unknown = fingerprint(app.sign_in(unknown_email, "wrong password!!").await).await;
        assert_eq!(wrong, unknown, "sign-in reveals {known_email}");
        assert_eq!(wrong.0, 401);
    }
    let form = |email: &'static str| {
        app.client
            .post(app.url("/api/auth/sign-in/email"))
            .form(&[("email", email), ("password", "wrong password!!")])
            .send()
    };
    let wrong = fingerprint(form("known@example.com").await.unwrap()).await;
    let unknown = fingerprint(form("unknown@example.com").await.unwrap()).await;
    assert_eq!(wrong, unknown, "form sign-in reveals the account");
    // Too-short / too-long passwords: same answer whether or not the account exists.
    for password in ["", &"x".repeat(129)] {
        let known = fingerprint(app.sign_in("known@example.com", password).await).await;
        let unknown = fingerprint(app.sign_in("unknown@example.com", password).await).await;
        assert_eq!(
            known,
            unknown,
            "password length {} reveals the account",
            password.len()
        );
    }
    // Password reset: the same answer for known and unknown addresses.
    let reset = |email: &'static str| {
        app.auth_post(
            "/request-password-reset",
            json!({ "email": email, "redirectTo": "/reset-password" }),
            None,
        )
    };
    let known = fingerprint(reset("known@example.com").await).await;
    let unknown = fingerprint(reset("unknown@example.com").await).await;
    assert_eq!(known, unknown, "request-password-reset reveals the account");
    assert_eq!(known.0, 200);
    // Only the real account got a mail.
    app.wait_for_mail("known@example.com", "Reset").await;
    let mails: Vec<Value> = app.outbox();
    assert!(mails.iter().all(|m| m["to"] != "unknown@example.com"));
    // The server-function twin of the reset form.
    let ui = |email: &'static str| {
        app.client
            .post(app.url("/api/ui/request_password_reset"))
            .header("accept", "application/json")
            .form(&[("email", email)])
            .send()
    };
    let known = fingerprint(ui("known@example.com").await.unwrap()).await;
    let unknown = fingerprint(ui("unknown@example.com").await.unwrap()).await;
    assert_eq!(
        known, unknown,
        "/api/ui/request_password_reset reveals the account"
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    }
}

/// Sign-in latency, unknown e-mail vs wrong password, in 21 back-to-back pairs (after a
/// warm-up): the median of the per-pair differences must stay under 10 % of the larger
/// median. Pairing compares attempts made a few milliseconds apart, so the load of the
/// other tests running beside this one (it varies from second to second) falls on both
/// sides of each difference instead of on whichever side it happened to hit.
async fn enumeration_by_timing(app: &TestApp) {
    const PAIRS: usize = 21;
    app.sign_up("timing@example.com", PASSWORD).await;
    let attempt = |email: &'static str| async move {
        let started = Instant::now();
        let res = app.sign_in(email, "not the password").await;
        let elapsed = started.elapsed();
        assert_eq!(res.status(), 401);
        elapsed
    };
    // Warm-up (first-use costs: connections, statement caches).
    attempt("timing@example.com").await;
    attempt("nobody-here@example.com").await;
    let (mut known, mut unknown, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..PAIRS {
        // Alternate which goes first, so a drift within a pair hits both sides alike.
        let (k, u) = if i % 2 == 0 {
            let k = attempt("timing@example.com").await;
            (k, attempt("nobody-here@example.com").await)
        } else {
            let u = attempt("nobody-here@example.com").await;
            (attempt("timing@example.com").await, u)
        };
        known.push(k);
        unknown.push(u);
        diffs.push(k.as_secs_f64() - u.as_secs_f64());
    }
    diffs.sort_by(f64::total_cmp);
    let diff = diffs[PAIRS / 2].abs();
    let (mk, mu) = (median(known), median(unknown));
    let larger = mk.max(mu).as_secs_f64();
    eprintln!(
        "[{:?}] sign-in timing over {PAIRS} pairs: wrong password median {mk:?}, unknown e-mail median {mu:?}, median pair difference {:.3} ms ({:.1} % of the larger)",
        app.backend,
        diff * 1e3,
        100.0 * diff / larger
    );
    assert!(
        diff < 0.10 * larger,
        "sign-in timing reveals accounts: wrong password {mk:?} vs unknown e-mail {mu:?}, \
         median pair difference {:.3} ms",
        diff * 1e3
    );
}

db_tests!(enumeration_by_status_and_body);

/// SQLite only, to save time: the hashing dominates and is backend-independent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enumeration_by_timing_sqlite() {
    // Alone in the process: see `helpers::quiet`.
    let app = TestApp::builder().alone().spawn().await;
    enumeration_by_timing(&app).await;
    app.cleanup().await;
}
