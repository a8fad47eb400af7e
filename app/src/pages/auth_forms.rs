//! Sign-in and sign-up: plain HTML forms posting to server functions, so they work
//! the same with JavaScript on or off. Errors come back as `?error=CODE` and are shown
//! in words; the browser checks the same rules as the server before submitting.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{social_providers, SignIn, SignInSocial, SignUp},
    board_dom::class,
    limits,
    messages::error_message,
};
use leptos::server_fn::ServerFn;

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
            <p class=class::ERROR role="alert" id="form-error">
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
    let next_for_passkey = next.clone();
    let next_for_social = next.clone();
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
            <form method="post" action=SignIn::url() class="stack">
                <input type="hidden" name="next" value=next />
                <label for="email">"E-mail"</label>
                // `webauthn`: the browser may offer the user's passkeys right here
                // (conditional UI), as well as saved e-mails.
                <input id="email" name="email" type="email" autocomplete="username webauthn" required value=email autofocus=!email_known />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autofocus=email_known
                    autocomplete="current-password"
                    required
                    minlength=limits::MIN_PASSWORD_LEN
                    maxlength=limits::MAX_PASSWORD_LEN
                />
                <label class="checkbox">
                    <input type="checkbox" name="remember" value="on" checked />
                    "Remember me on this device"
                </label>
                <button type="submit" class="button button-primary">"Sign in"</button>
            </form>
            <PasskeySignIn next=next_for_passkey />
            <SocialSignIn next=next_for_social />
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

/// One "Continue with <provider>" button per configured provider: plain forms, no
/// script needed.
#[component]
fn SocialSignIn(next: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    let providers = Resource::new(|| (), |_| social_providers());
    let next = StoredValue::new(next());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = providers.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="social-sign-in stack">
                        {list.into_iter().map(|p| view! {
                            <form method="post" action=SignInSocial::url()>
                                <input type="hidden" name="provider" value=p.id />
                                <input type="hidden" name="next" value=next.get_value() />
                                <button type="submit" class="button">{format!("Continue with {}", p.name)}</button>
                            </form>
                        }).collect_view()}
                    </div>
                })
            })}
        </Suspense>
    }
}

/// "Sign in with a passkey": with JavaScript, the page's passkey script runs the
/// ceremony on submit; without it, the form lands back here with words that say why
/// it needs JavaScript.
#[component]
fn PasskeySignIn(next: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    view! {
        <form method="get" action="/sign-in" class="passkey-sign-in" data-passkey="sign-in">
            <input type="hidden" name="error" value="PASSKEYS_NEED_JAVASCRIPT" />
            {move || {
                let n = next();
                (!n.is_empty()).then(|| view! { <input type="hidden" name="next" value=n /> })
            }}
            <button type="submit" class="button">"Sign in with a passkey"</button>
        </form>
        <script type="module" src=crate::PASSKEY_SCRIPT_PATH></script>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    let name = form_value("name");
    let email = form_value("email");
    let next = query_value("next");
    let next_for_social = next.clone();
    view! {
        <Title text="Create an account" />
        <section class="auth-card card">
            <h1>"Create your account"</h1>
            <p class="muted">"It takes ten seconds. No credit card, no nonsense."</p>
            <FormError code=error />
            <SocialSignIn next=next_for_social />
            <form method="post" action=SignUp::url() class="stack">
                <input type="hidden" name="next" value=next />
                <label for="name">"Name"</label>
                <input id="name" name="name" type="text" autocomplete="name" required maxlength=limits::NAME_MAX value=name autofocus />
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="email" required value=email />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength=limits::MIN_PASSWORD_LEN
                    maxlength=limits::MAX_PASSWORD_LEN
                    aria-describedby="password-hint"
                />
                <p id="password-hint" class="hint">"8 to 128 characters."</p>
                <button type="submit" class="button button-primary">"Create account"</button>
            </form>
            <p class="muted">"Already have an account? " <a href="/sign-in">"Sign in"</a></p>
        </section>
    }
}
