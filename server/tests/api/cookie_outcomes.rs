//! The same flows through both doors leave the same cookies (issue 23, architecture
//! review 2026-12 §3.4): sign-up, sign-in with and without "remember me", sign-out,
//! confirming two-factor set-up, the sign-in challenge, the second factor with and
//! without "trust this device", a trusted device's sign-in, turning two-factor off, a
//! new name and password changes.
//!
//! Two browsers, one per door (the REST door's JSON at `/api/auth/*`, the UI's server
//! functions at `/api/ui/*`), each with its own user and cookie jar, take the steps
//! side by side. After each step the cookies each answer sets or clears, with their
//! attributes, must be the same at both doors (values differ: tokens and signatures);
//! where Better Auth prescribes the outcome, it is spelled out as well.

use std::collections::BTreeMap;

use reqwest::Response;
use serde_json::{json, Value};
use taskdeck::auth::two_factor::totp::{code_at, secret_from_uri};

use crate::{
    helpers::{set_cookies, Jar, TestApp},
    two_factor::{next_code, now, PASSWORD},
};

/// What one answer does to each cookie it names: `set` or `cleared`, then its
/// attributes as sent, e.g. `set; Max-Age=900; Path=/; HttpOnly; SameSite=Lax`.
type Effects = BTreeMap<String, String>;

fn effects(res: &Response) -> Effects {
    let lines = set_cookies(res);
    let mut out = Effects::new();
    for line in &lines {
        let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
        let (name, value) = pair.split_once('=').expect("name=value");
        let cleared = value.is_empty() && attributes.contains("Max-Age=0");
        let what = if cleared { "cleared" } else { "set" };
        let effect = format!("{what};{attributes}");
        // One line per cookie: a value next to its own deletion is a leak for whatever
        // reads raw headers (Better Auth scrubs such pairs too).
        assert!(
            out.insert(name.to_string(), effect).is_none(),
            "{name} twice in one answer: {lines:#?}"
        );
    }
    out
}

/// The password while it is changed (and changed back).
const NEW_PASSWORD: &str = "an0ther-Passw0rd-for-both-doors";

/// The attributes every cookie here has (http, so no `Secure`).
const TAIL: &str = "Path=/; HttpOnly; SameSite=Lax";

fn set(max_age: Option<u64>) -> String {
    match max_age {
        Some(age) => format!("set; Max-Age={age}; {TAIL}"),
        None => format!("set; {TAIL}"),
    }
}

fn cleared() -> String {
    format!("cleared; Max-Age=0; {TAIL}")
}

const SESSION: &str = "better-auth.session_token";
const DONT_REMEMBER: &str = "better-auth.dont_remember";
const TWO_FACTOR: &str = "better-auth.two_factor";
const TRUST: &str = "better-auth.trust_device";
const JWT: &str = "taskdeck.jwt";
/// The default `JWT_EXPIRES_IN_SECS` and 7-day session, in seconds.
const JWT_AGE: u64 = 900;
const SESSION_AGE: u64 = 604_800;
/// A trusted device's 30 days.
const TRUST_AGE: u64 = 30 * 24 * 3600;

#[derive(Clone, Copy, Debug)]
enum Door {
    Rest,
    Ui,
}

/// One browser talking to one door.
struct Browser {
    door: Door,
    email: String,
    jar: Jar,
    secret: String,
    backup_codes: Vec<String>,
    password_changed: bool,
}

impl Browser {
    fn new(door: Door) -> Self {
        Self {
            door,
            email: format!("{door:?}@example.com").to_lowercase(),
            jar: Jar::default(),
            secret: String::new(),
            backup_codes: Vec::new(),
            password_changed: false,
        }
    }

    /// Posts to the REST path or the server function, whichever this browser's door
    /// has, as a browser does (its cookies, the trusted `Origin`); the jar keeps what
    /// the answer sets.
    async fn post(
        &mut self,
        app: &TestApp,
        rest: (&str, Value),
        ui: (&str, &[(&str, &str)]),
    ) -> Effects {
        let req = match self.door {
            Door::Rest => app
                .client
                .post(app.url(&format!("/api/auth{}", rest.0)))
                .json(&rest.1),
            Door::Ui => app
                .client
                .post(app.url(&format!("/api/ui/{}", ui.0)))
                .header("accept", "application/json")
                .form(ui.1),
        };
        let mut req = req.header("origin", app.origin());
        if !self.jar.0.is_empty() {
            req = req.header("cookie", self.jar.header());
        }
        let res = req.send().await.expect("an answer");
        let status = res.status();
        assert!(
            !status.is_client_error() && !status.is_server_error(),
            "{:?} {} / {}: {status}",
            self.door,
            rest.0,
            ui.0
        );
        self.jar.take(&res);
        effects(&res)
    }

    async fn sign_up(&mut self, app: &TestApp) -> Effects {
        let email = self.email.clone();
        let rest = json!({ "name": "Both Doors", "email": email, "password": PASSWORD });
        let ui = [
            ("name", "Both Doors"),
            ("email", email.as_str()),
            ("password", PASSWORD),
        ];
        self.post(app, ("/sign-up/email", rest), ("sign_up", &ui))
            .await
    }

    async fn sign_in(&mut self, app: &TestApp, remember: bool) -> Effects {
        let email = self.email.clone();
        let rest = json!({ "email": email, "password": PASSWORD, "rememberMe": remember });
        let mut ui = vec![("email", email.as_str()), ("password", PASSWORD)];
        if remember {
            ui.push(("remember", "on"));
        }
        self.post(app, ("/sign-in/email", rest), ("sign_in", &ui))
            .await
    }

    async fn sign_out(&mut self, app: &TestApp) -> Effects {
        self.post(app, ("/sign-out", json!({})), ("sign_out", &[]))
            .await
    }

    /// Starts two-factor set-up (the REST door's `enable`: it sets no cookie, and
    /// hands the secret over in JSON), keeping the secret and the backup codes.
    async fn enable_two_factor(&mut self, app: &TestApp) {
        let res = app
            .auth_post(
                "/two-factor/enable",
                json!({ "password": PASSWORD }),
                Some(&self.jar.header()),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert!(set_cookies(&res).is_empty(), "enable sets no cookie");
        let body: Value = res.json().await.unwrap();
        self.secret = secret_from_uri(body["totpURI"].as_str().unwrap()).unwrap();
        self.backup_codes = serde_json::from_value(body["backupCodes"].clone()).unwrap();
    }

    /// The set-up's first code, signed in: two-factor on, the session renewed.
    async fn confirm_two_factor(&mut self, app: &TestApp) -> Effects {
        let code = code_at(&self.secret, now());
        let rest = ("/two-factor/verify-totp", json!({ "code": code }));
        self.post(
            app,
            rest,
            ("confirm_two_factor", &[("code", code.as_str())]),
        )
        .await
    }

    /// The sign-in's second step with the authenticator's next code.
    async fn verify_totp(&mut self, app: &TestApp) -> Effects {
        let code = next_code(&self.secret);
        let rest = ("/two-factor/verify-totp", json!({ "code": code }));
        self.post(app, rest, ("verify_two_factor", &[("code", code.as_str())]))
            .await
    }

    /// The sign-in's second step with a backup code, trusting this device.
    async fn verify_backup_code_trusting(&mut self, app: &TestApp) -> Effects {
        let code = self.backup_codes.pop().expect("a backup code");
        let rest = json!({ "code": code, "trustDevice": true });
        let ui = [
            ("code", code.as_str()),
            ("method", "backup"),
            ("trust", "on"),
        ];
        self.post(
            app,
            ("/two-factor/verify-backup-code", rest),
            ("verify_two_factor", &ui),
        )
        .await
    }

    async fn rename(&mut self, app: &TestApp) -> Effects {
        let rest = ("/update-user", json!({ "name": "Renamed" }));
        self.post(app, rest, ("update_name", &[("name", "Renamed")]))
            .await
    }

    /// Changes the password (and back, on the next call: each call swaps the two).
    async fn change_password(&mut self, app: &TestApp, revoke_others: bool) -> Effects {
        let (current, new) = if self.password_changed {
            (NEW_PASSWORD, PASSWORD)
        } else {
            (PASSWORD, NEW_PASSWORD)
        };
        self.password_changed = !self.password_changed;
        let rest = json!({
            "currentPassword": current,
            "newPassword": new,
            "revokeOtherSessions": revoke_others,
        });
        let mut ui = vec![("current_password", current), ("new_password", new)];
        if revoke_others {
            ui.push(("revoke_others", "on"));
        }
        self.post(app, ("/change-password", rest), ("change_password", &ui))
            .await
    }

    async fn disable_two_factor(&mut self, app: &TestApp) -> Effects {
        let rest = ("/two-factor/disable", json!({ "password": PASSWORD }));
        self.post(app, rest, ("disable_two_factor", &[("password", PASSWORD)]))
            .await
    }
}

/// Both doors did the same to the cookies at `step`; returns what they did.
fn same(step: &str, rest: Effects, ui: Effects) -> Effects {
    assert_eq!(
        rest, ui,
        "{step}: the REST door (left) and the UI door (right) differ"
    );
    rest
}

/// What `step` did is exactly `want`.
fn expect(step: &str, got: &Effects, want: &[(&str, String)]) {
    let want: Effects = want
        .iter()
        .map(|(name, effect)| (name.to_string(), effect.clone()))
        .collect();
    assert_eq!(got, &want, "{step}");
}

/// Both browsers take step `$name` (a `Browser` method call); their doors must have
/// done the same to the cookies, and, given `$want`, exactly that.
macro_rules! step {
    ($rest:ident, $ui:ident, $name:expr, $method:ident($($arg:expr),*)) => {{
        let rest = $rest.$method($($arg),*).await;
        same($name, rest, $ui.$method($($arg),*).await)
    }};
    ($rest:ident, $ui:ident, $name:expr, $method:ident($($arg:expr),*), $want:expr) => {{
        let done = step!($rest, $ui, $name, $method($($arg),*));
        expect($name, &done, $want);
    }};
}

/// A remembered session: its 7-day cookie and the JWT cookie bound to it.
fn remembered() -> Vec<(&'static str, String)> {
    vec![(SESSION, set(Some(SESSION_AGE))), (JWT, set(Some(JWT_AGE)))]
}

/// Signing out clears the session, its marker, the cookie cache and the JWT cookie.
fn signed_out() -> Vec<(&'static str, String)> {
    vec![
        (SESSION, cleared()),
        ("better-auth.session_data", cleared()),
        (DONT_REMEMBER, cleared()),
        (JWT, cleared()),
    ]
}

async fn both_doors_set_the_same_cookies(app: &TestApp) {
    let (mut rest, mut ui) = (Browser::new(Door::Rest), Browser::new(Door::Ui));
    step!(rest, ui, "sign-up", sign_up(app), &remembered());
    step!(rest, ui, "sign-out", sign_out(app), &signed_out());
    step!(rest, ui, "sign-in", sign_in(app, true), &remembered());
    step!(rest, ui, "sign-out", sign_out(app));

    // Not remembered: a cookie that ends with the browser, and Better Auth's marker.
    let browser_session = [
        (SESSION, set(None)),
        (DONT_REMEMBER, set(None)),
        (JWT, set(Some(JWT_AGE))),
    ];
    step!(
        rest,
        ui,
        "sign-in, remember me off",
        sign_in(app, false),
        &browser_session
    );

    // Set-up renews the session, which stays a "don't remember me" one.
    rest.enable_two_factor(app).await;
    ui.enable_two_factor(app).await;
    step!(
        rest,
        ui,
        "set-up confirmed",
        confirm_two_factor(app),
        &browser_session
    );
    step!(rest, ui, "sign-out", sign_out(app));

    // A password alone is a challenge now: no session, the challenge cookie.
    let challenged = [
        (SESSION, cleared()),
        ("better-auth.session_data", cleared()),
        (TWO_FACTOR, set(Some(600))),
    ];
    step!(
        rest,
        ui,
        "sign-in, challenged",
        sign_in(app, true),
        &challenged
    );
    let mut signed_in = remembered();
    signed_in.push((TWO_FACTOR, cleared()));
    step!(rest, ui, "second factor", verify_totp(app), &signed_in);
    step!(rest, ui, "sign-out", sign_out(app));

    // "Trust this device" after a sign-in without "remember me": as Better Auth's
    // plugin, the marker goes (the session cookie still ends with the browser).
    let mut marked = challenged.to_vec();
    marked.push((DONT_REMEMBER, set(None)));
    step!(
        rest,
        ui,
        "sign-in, not remembered, challenged",
        sign_in(app, false),
        &marked
    );
    let trusted = [
        (SESSION, set(None)),
        (JWT, set(Some(JWT_AGE))),
        (TWO_FACTOR, cleared()),
        (TRUST, set(Some(TRUST_AGE))),
        (DONT_REMEMBER, cleared()),
    ];
    step!(
        rest,
        ui,
        "second factor, trusting",
        verify_backup_code_trusting(app),
        &trusted
    );
    for browser in [&rest, &ui] {
        assert!(
            browser.jar.get(DONT_REMEMBER).is_none(),
            "{:?}",
            browser.door
        );
    }
    step!(rest, ui, "sign-out", sign_out(app));

    // The trusted device signs in with the password alone, its trust renewed.
    let mut renewed = remembered();
    renewed.push((TRUST, set(Some(TRUST_AGE))));
    step!(
        rest,
        ui,
        "sign-in, trusted device",
        sign_in(app, true),
        &renewed
    );

    // Off: a new session in the old one's place, and this device's trust cookie gone.
    let mut off = remembered();
    off.push((TRUST, cleared()));
    step!(rest, ui, "two-factor off", disable_two_factor(app), &off);

    // A new name re-sets the session cookie (as Better Auth's update-user; the UI door
    // once left it alone); a password change that keeps the other sessions leaves the
    // cookies alone; one that revokes them moves this device to a new session.
    let same_session = [(SESSION, set(Some(SESSION_AGE)))];
    step!(rest, ui, "rename", rename(app), &same_session);
    step!(
        rest,
        ui,
        "password, others kept",
        change_password(app, false),
        &[]
    );
    step!(
        rest,
        ui,
        "password, others revoked",
        change_password(app, true),
        &remembered()
    );
    step!(rest, ui, "sign-out, at last", sign_out(app), &signed_out());
}

db_tests!(both_doors_set_the_same_cookies);
