//! The site header: product name, the signed-in user with sign-out (or the sign-in and
//! sign-up links), and the theme toggle.

use leptos::prelude::*;

use crate::islands::theme_toggle::ThemeToggle;
use crate::{api::SignOut, use_viewer, PRODUCT};
use leptos::server_fn::ServerFn;

#[component]
pub fn Header() -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <header class="site-header">
            <div class="container header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"✓"</span>
                    {PRODUCT}
                </a>
                <nav aria-label="Account" class="header-nav">
                    <Transition fallback=|| ()>
                        {move || {
                            viewer.get().map(|v| match v {
                                Some(user) => view! {
                                    <a class="user-name" href="/settings" title=format!("Settings for {}", user.email)>{user.name.clone()}</a>
                                    // A plain form: signing out reloads the page, with or without JS.
                                    <form method="post" action=SignOut::url() class="inline-form">
                                        <button type="submit" class="button">"Sign out"</button>
                                    </form>
                                }.into_any(),
                                None => view! {
                                    <a href="/sign-in">"Sign in"</a>
                                    <a class="button button-primary" href="/sign-up">"Sign up"</a>
                                }.into_any(),
                            })
                        }}
                    </Transition>
                    <ThemeToggle />
                </nav>
            </div>
        </header>
    }
}
