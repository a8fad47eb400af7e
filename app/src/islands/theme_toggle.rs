//! Light/dark toggle. Follows the system setting until the user picks one; the choice is
//! remembered in `localStorage` and applied before first paint by the shell's script.
//! An island: the button only works once the WASM has loaded (it is on every page).

use leptos::prelude::*;

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
    view! {
        <button
            type="button"
            id="theme-toggle"
            class="icon-button theme-toggle"
            aria-label="Switch colour theme"
            title="Switch colour theme"
            on:click=|_| apply(current_theme().other())
        >
            <span aria-hidden="true" class="icon-sun">"☀"</span>
            <span aria-hidden="true" class="icon-moon">"☾"</span>
        </button>
    }
}
