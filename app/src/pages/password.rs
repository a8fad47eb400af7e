//! Forgot / reset password and the e-mail verification landing page, for the links the
//! mailer sends. Plain forms: they work with or without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use super::auth_forms::{query_value, FormError};
use crate::{
    api::{RequestPasswordReset, ResetPassword},
    limits,
};
use leptos::server_fn::ServerFn;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    let sent = query_value("sent");
    view! {
        <Title text="Forgot password" />
        <section class="auth-card card">
            <h1>"Forgot your password?"</h1>
            {move || if sent().is_empty() {
                view! {
                    <p class="muted">"Enter your e-mail and we'll send you a link to choose a new one."</p>
                    <FormError code=error />
                    <form method="post" action=RequestPasswordReset::url() class="stack">
                        <label for="email">"E-mail"</label>
                        <input id="email" name="email" type="email" autocomplete="email" required />
                        <button type="submit" class="button button-primary">"Send reset link"</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <p class="notice" role="status">
                        "If an account exists for that address, a reset link is on its way. It works for one hour."
                    </p>
                }.into_any()
            }}
            <p class="muted"><a href="/sign-in">"Back to sign in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    let token = query_value("token");
    view! {
        <Title text="Choose a new password" />
        <section class="auth-card card">
            <h1>"Choose a new password"</h1>
            <FormError code=error />
            {move || if token().is_empty() {
                view! { <p>"This page needs the link from the reset e-mail. " <a href="/forgot-password">"Ask for one"</a></p> }.into_any()
            } else {
                view! {
                    <form method="post" action=ResetPassword::url() class="stack">
                        <input type="hidden" name="token" value=token() />
                        <label for="password">"New password"</label>
                        <input id="password" name="password" type="password" autocomplete="new-password" required minlength=limits::MIN_PASSWORD_LEN maxlength=limits::MAX_PASSWORD_LEN />
                        <button type="submit" class="button button-primary">"Save new password"</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let error = Signal::derive(query_value("error"));
    view! {
        <Title text="E-mail verification" />
        <section class="auth-card card">
            <h1>"E-mail verification"</h1>
            {move || if error.get().is_empty() {
                view! { <p class="notice" role="status">"Thank you: your e-mail address is verified."</p> }.into_any()
            } else {
                view! { <FormError code=error /> }.into_any()
            }}
            <p><a class="button" href="/">"Go to your tasks"</a></p>
        </section>
    }
}
