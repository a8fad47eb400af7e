//! Sign-in and sign-up: plain HTML forms posting to server functions, so they work
//! the same with JavaScript on or off. Errors come back as `?error=CODE` and are shown
//! in words; the browser checks the same rules as the server before submitting.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The server's error codes, in words.
pub fn error_message(code: &str) -> &'static str {
    match code {
        "INVALID_EMAIL_OR_PASSWORD" => "Wrong e-mail or password. Check both and try again.",
        "INVALID_EMAIL" => "That doesn't look like an e-mail address.",
        "VALIDATION_ERROR" => "Some of that doesn't look right. Check the fields and try again.",
        "INVALID_TITLE" => "Give the task a title (at most 200 characters).",
        "INVALID_DESCRIPTION" => "Keep the description to 1,000 characters.",
        "INVALID_PRIORITY" => "Pick a priority: low, medium or high.",
        "INVALID_TAGS" => {
            "Tags are short words separated by commas (at most 10, each up to 32 characters)."
        }
        "INVALID_DUE_DATE" => "Use a real date for the due date.",
        "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" | "USER_ALREADY_EXISTS" => {
            "An account with this e-mail already exists. Sign in instead?"
        }
        "PASSWORD_TOO_SHORT" => "Use a password of at least 8 characters.",
        "PASSWORD_TOO_LONG" => "Use a password of at most 128 characters.",
        "NAME_REQUIRED" => "Please tell us your name.",
        "TOO_MANY_REQUESTS" => "Too many attempts. Wait a few seconds and try again.",
        "INVALID_ORIGIN" | "MISSING_OR_NULL_ORIGIN" | "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED" => {
            "This form was sent from another site and was refused."
        }
        "UNAUTHORIZED" => "Please sign in to continue.",
        "INVALID_PASSWORD" => "That password is not right.",
        "INVALID_TOKEN" | "TOKEN_EXPIRED" => {
            "This link is invalid or has expired. Ask for a new one."
        }
        "USER_NOT_FOUND" => "There is no account for this link any more.",
        "CREDENTIAL_ACCOUNT_NOT_FOUND" => {
            "This account has no password yet: use “Forgot password”."
        }
        "SESSION_EXPIRED" => "Please sign in again to do this.",
        "PASSWORD_REQUIRED" => "Enter your password to confirm.",
        "SERVICE_UNAVAILABLE" => "We're busy right now. Try again in a moment.",
        "NOT_FOUND" => "That task no longer exists.",
        "INVALID_CODE" => "That code is not right. Check the app and try again.",
        "INVALID_BACKUP_CODE" => "That backup code is not right, or it was used already.",
        "INVALID_TWO_FACTOR_COOKIE" => "Your sign-in took too long. Enter your password again.",
        "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE" => {
            "Too many wrong codes. Sign in again to get a new try."
        }
        "ACCOUNT_TEMPORARILY_LOCKED" => {
            "Too many wrong codes: two-factor sign-in is locked for 15 minutes."
        }
        "OTP_HAS_EXPIRED" => "That code has expired or was used. Ask for a new one.",
        "OTP_NOT_CONFIGURED" => {
            "Codes by e-mail are not available here. Use your app or a backup code."
        }
        "TOTP_NOT_ENABLED" | "TWO_FACTOR_NOT_ENABLED" => {
            "Two-factor authentication is not set up for this account."
        }
        _ => "Something went wrong. Please try again.",
    }
}

/// A field the last failed post of this page's form sent (kept in a one-minute cookie,
/// never in the URL; see `api::call::remember_form`).
pub fn form_value(key: &str) -> String {
    #[cfg(feature = "ssr")]
    return crate::api::call::remembered(key).unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    {
        let _ = key;
        String::new()
    }
}

pub fn query_value(key: &'static str) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(key).unwrap_or_default()
}

#[component]
pub fn FormError(code: Signal<String>) -> impl IntoView {
    view! {
        <Show when=move || !code.get().is_empty()>
            <p class="form-error" role="alert" id="form-error">
                {move || error_message(&code.get())}
            </p>
        </Show>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    let email = form_value("email");
    // Back after a wrong password: the e-mail is there, the password is what to retype.
    let email_known = !email.is_empty();
    let next = query_value("next");
    let next_for_link = next.clone();
    let reset_done = query_value("reset");
    view! {
        <Title text="Sign in" />
        <section class="auth-card card">
            <h1>"Sign in"</h1>
            <p class="muted">"Welcome back. Your tasks are waiting."</p>
            {move || (!reset_done().is_empty()).then(|| view! {
                <p class="notice" role="status">"Your password has been changed. Sign in with the new one."</p>
            })}
            <FormError code=error />
            <form method="post" action="/api/ui/sign_in" class="stack">
                <input type="hidden" name="next" value=next />
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="email" required value=email autofocus=!email_known />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autofocus=email_known
                    autocomplete="current-password"
                    required
                    minlength="8"
                    maxlength="128"
                />
                <label class="checkbox">
                    <input type="checkbox" name="remember" value="on" checked />
                    "Remember me on this device"
                </label>
                <button type="submit" class="button button-primary">"Sign in"</button>
            </form>
            <p class="muted"><a href="/forgot-password">"Forgot your password?"</a></p>
            <p class="muted">
                "New here? "
                <a href=move || {
                    let n = next_for_link();
                    if n.is_empty() { "/sign-up".to_string() } else { format!("/sign-up?next={n}") }
                }>"Create an account"</a>
            </p>
        </section>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    let name = form_value("name");
    let email = form_value("email");
    let next = query_value("next");
    view! {
        <Title text="Create an account" />
        <section class="auth-card card">
            <h1>"Create your account"</h1>
            <p class="muted">"It takes ten seconds. No credit card, no nonsense."</p>
            <FormError code=error />
            <form method="post" action="/api/ui/sign_up" class="stack">
                <input type="hidden" name="next" value=next />
                <label for="name">"Name"</label>
                <input id="name" name="name" type="text" autocomplete="name" required maxlength="100" value=name autofocus />
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="email" required value=email />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength="8"
                    maxlength="128"
                    aria-describedby="password-hint"
                />
                <p id="password-hint" class="hint">"8 to 128 characters."</p>
                <button type="submit" class="button button-primary">"Create account"</button>
            </form>
            <p class="muted">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
}
