//! The site header: product name, navigation, theme toggle.

use leptos::prelude::*;

use super::theme_toggle::ThemeToggle;
use crate::PRODUCT;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="container header-row">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"✓"</span>
                    {PRODUCT}
                </a>
                <nav aria-label="Account" class="header-nav">
                    <a href="/sign-in">"Sign in"</a>
                    <a class="button button-primary" href="/sign-up">"Sign up"</a>
                    <ThemeToggle />
                </nav>
            </div>
        </header>
    }
}
