//! Two-factor pages: the set-up page (`/settings/two-factor`: QR code, the secret for
//! typing in, backup codes, the first code), and the sign-in's second step
//! (`/sign-in/two-factor`). Server-rendered forms; no JavaScript needed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use super::auth_forms::{form_value, query_value, FormError};
use crate::board_dom::class;
use crate::limits;
use crate::messages::error_message;
use crate::{
    api::{
        get_two_factor, two_factor_email_codes, ConfirmTwoFactor, EnableTwoFactor,
        RegenerateBackupCodes, SendTwoFactorCode, TwoFactorView, VerifyTwoFactor, REVEAL_FIELD,
    },
    use_viewer,
};
use leptos::server_fn::ServerFn;

#[component]
pub fn TwoFactorSetupPage() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <Title text="Two-factor authentication" />
        <Suspense fallback=|| ()>
            {move || viewer.get().map(|v| match v {
                None => view! { <Redirect path="/sign-in?next=/settings/two-factor" /> }.into_any(),
                Some(_) => view! { <Setup /> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Setup() -> impl IntoView {
    // The handle to what the password step left to show once (never the codes).
    let reveal = form_value(REVEAL_FIELD);
    let state = Resource::new(move || reveal.clone(), |r| get_two_factor(Some(r)));
    let error = query_value("error")();
    view! {
        <section class="settings">
            <p><a href="/settings" class="back-link">"← Back to settings"</a></p>
            <h1>"Two-factor authentication"</h1>
            {(!error.is_empty()).then(|| view! { <p class=class::ERROR role="alert">{error_message(&error)}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Err(e) => view! { <p class=class::ERROR role="alert">{e.message}</p> }.into_any(),
                        Ok(view) => setup_view(view).into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn setup_view(state: TwoFactorView) -> impl IntoView {
    match (state.setup, state.pending, state.enabled) {
        (Some(pending), _, _) => view! {
            <div class="card settings-card">
                <h2>"1. Add Taskdeck to your authenticator app"</h2>
                <p>"Scan this code with an app such as Google Authenticator, 1Password or Aegis. It is shown only now."</p>
                <figure class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=pending.qr_svg></figure>
                <p>"Can't scan it? Enter this key in the app instead:"</p>
                <p><code class="secret" id="totp-secret">{pending.secret}</code></p>
            </div>
            <div class="card settings-card">
                <h2>"2. Keep your backup codes"</h2>
                <p>"Each code signs you in once if you lose your phone. Store them somewhere safe: they are shown only now."</p>
                <BackupCodes codes=pending.backup_codes />
            </div>
            <ConfirmCard step="3. " />
        }.into_any(),
        (None, true, _) => view! {
            <div class="card settings-card">
                <h2>"Set-up is waiting for a first code"</h2>
                <p>"For your safety the key and the backup codes were shown once. If the app already has Taskdeck, enter its code below; otherwise start again with your password (a new key)."</p>
                <form method="post" action=EnableTwoFactor::url() class="stack">
                    <label for="restart-2fa-password">"Your password"</label>
                    <input id="restart-2fa-password" name="password" type="password" autocomplete="current-password" required />
                    <button type="submit" class="button">"Start set-up again"</button>
                </form>
            </div>
            <ConfirmCard step="" />
        }.into_any(),
        (None, false, true) => {
            let fresh = state.new_codes;
            view! {
                <div class="card settings-card">
                    <p class="notice" role="status">"Two-factor authentication is on."</p>
                    <h2>"Backup codes"</h2>
                    {if fresh.is_empty() {
                        view! { <p class="muted">{format!("{} unused backup codes left.", state.backup_codes_left)}</p> }.into_any()
                    } else {
                        view! {
                            <p role="status">"Your new backup codes. The old ones no longer work: store these now, they are shown once."</p>
                            <BackupCodes codes=fresh />
                        }.into_any()
                    }}
                    <form method="post" action=RegenerateBackupCodes::url() class="stack">
                        <label for="codes-password">"Your password, to make new codes"</label>
                        <input id="codes-password" name="password" type="password" autocomplete="current-password" required />
                        <button type="submit" class="button">"Make new backup codes"</button>
                    </form>
                </div>
            }.into_any()
        }
        (None, false, false) => view! { <Redirect path="/settings" /> }.into_any(),
    }
}

/// The first code from the app, which turns two-factor on.
#[component]
fn ConfirmCard(step: &'static str) -> impl IntoView {
    view! {
        <div class="card settings-card">
            <h2>{step}"Enter the code the app shows"</h2>
            <form method="post" action=ConfirmTwoFactor::url() class="stack">
                <label for="confirm-code">"Six-digit code"</label>
                <input id="confirm-code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*"
                    autocomplete="one-time-code" required minlength=limits::CODE_MIN_LEN maxlength=limits::CODE_MAX_LEN autofocus />
                <label class="checkbox">
                    <input type="checkbox" name="revoke_others" value="on" checked />
                    "Sign out other devices"
                </label>
                <button type="submit" class="button button-primary">"Turn on two-factor"</button>
            </form>
        </div>
    }
}

#[component]
fn BackupCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <ul class="backup-codes" aria-label="Backup codes">
            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
        </ul>
    }
}

/// The sign-in's second step. `method` picks the form shown first: the app's code,
/// a backup code, or a code by e-mail.
#[component]
pub fn TwoFactorSignInPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    let next = query_value("next")();
    let method = query_value("method")();
    let sent = !query_value("sent")().is_empty();
    let by_mail = method == "otp";
    let email_codes = Resource::new(|| (), |_| two_factor_email_codes());
    let (label, hint) = if by_mail {
        (
            "Code from the e-mail",
            "We sent a six-digit code to your e-mail address. It works for three minutes.",
        )
    } else {
        (
            "Code from your authenticator app",
            "Open your authenticator app and enter the six-digit code for Taskdeck.",
        )
    };
    view! {
        <Title text="Two-factor sign-in" />
        <section class="auth-card card">
            <h1>"One more step"</h1>
            <p class="muted" id="code-hint">{hint}</p>
            {sent.then(|| view! { <p class="notice" role="status">"Code sent. Check your e-mail."</p> })}
            <FormError code=error />
            <form method="post" action=VerifyTwoFactor::url() class="stack">
                <input type="hidden" name="next" value=next.clone() />
                <input type="hidden" name="method" value=if by_mail { "otp" } else { "totp" } />
                <label for="code">{label}</label>
                <input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*"
                    autocomplete="one-time-code" required minlength=limits::CODE_MIN_LEN maxlength=limits::CODE_MAX_LEN autofocus
                    aria-describedby="code-hint" />
                <label class="checkbox">
                    <input type="checkbox" name="trust" value="on" />
                    "Trust this device for 30 days"
                </label>
                <button type="submit" class="button button-primary">"Verify"</button>
            </form>
            <details>
                <summary>"Use a backup code instead"</summary>
                <form method="post" action=VerifyTwoFactor::url() class="stack">
                    <input type="hidden" name="next" value=next.clone() />
                    <input type="hidden" name="method" value="backup" />
                    <label for="backup-code">"Backup code"</label>
                    <input id="backup-code" name="code" type="text" autocomplete="off" required
                        minlength=limits::BACKUP_CODE_MIN_LEN maxlength=limits::BACKUP_CODE_MAX_LEN spellcheck="false" autocapitalize="off" />
                    <button type="submit" class="button">"Use backup code"</button>
                </form>
            </details>
            <Suspense fallback=|| ()>
                {move || {
                    let next = next.clone();
                    Suspend::new(async move {
                        let offered = !by_mail && email_codes.await.unwrap_or(false);
                        offered.then(|| view! {
                            <form method="post" action=SendTwoFactorCode::url() class="inline-form">
                                <input type="hidden" name="next" value=next />
                                <button type="submit" class="link-button">"E-mail me a code instead"</button>
                            </form>
                        })
                    })
                }}
            </Suspense>
            <p class="muted"><a href="/sign-in">"Start over"</a></p>
        </section>
    }
}
