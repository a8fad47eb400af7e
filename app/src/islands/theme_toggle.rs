//! Light/dark toggle. Follows the system setting until the user picks one; the choice is
//! remembered in the `taskdeck.theme` cookie, which the server renders as
//! `<html data-theme>` (no flash of the wrong theme), and in `localStorage`.
//! Without JavaScript it is a form that posts the other theme (`/api/ui/set_theme`);
//! with it, the island applies the change at once, without a page load.

use leptos::{prelude::*, server_fn::ServerFn};
use web_sys::wasm_bindgen::JsCast;

use crate::api::theme::SetTheme;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    fn other(self) -> Self {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The theme in effect in the browser: an explicit choice, else the system preference.
fn current_theme() -> Theme {
    let root = document().document_element();
    match root.and_then(|r| r.get_attribute("data-theme")).as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ => {
            let prefers_dark = window()
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            if prefers_dark {
                Theme::Dark
            } else {
                Theme::Light
            }
        }
    }
}

/// Applies and remembers `theme`, and says on the button what a click does next.
fn apply(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item("theme", theme.as_str());
    }
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = doc.set_cookie(&format!(
            "{}={}; Path=/; Max-Age={}; SameSite=Lax",
            crate::THEME_COOKIE,
            theme.as_str(),
            crate::THEME_COOKIE_MAX_AGE
        ));
    }
    label(theme);
}

fn label(theme: Theme) {
    if let Some(button) = document().get_element_by_id("theme-toggle") {
        let words = format!("Switch to {} theme", theme.other().as_str());
        let _ = button.set_attribute("aria-label", &words);
        let _ = button.set_attribute("title", &words);
        let _ = button.set_attribute("data-theme-current", theme.as_str());
    }
}

/// Plain DOM, no signals: the island's only state is the page's own `data-theme`.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    // The island's body runs in the browser at hydration, over the server's button.
    #[cfg(feature = "hydrate")]
    label(current_theme());
    // Without JavaScript the form posts the theme to switch to; the server only knows
    // an explicit choice (the cookie), so from the system's default it offers dark.
    #[cfg(feature = "ssr")]
    let next = match crate::api::theme::chosen().as_deref() {
        Some("dark") => "light",
        _ => "dark",
    };
    #[cfg(not(feature = "ssr"))]
    let next = "";
    view! {
        <form method="post" action=SetTheme::url() class="inline-form">
            <input type="hidden" name="theme" value=next />
            <button
                type="submit"
                id="theme-toggle"
                class="icon-button theme-toggle"
                aria-label="Switch colour theme"
                title="Switch colour theme"
                on:click=|ev| {
                    ev.prevent_default();
                    apply(current_theme().other())
                }
            >
                <span aria-hidden="true" class="icon-sun">"☀"</span>
                <span aria-hidden="true" class="icon-moon">"☾"</span>
            </button>
        </form>
    }
}
