//! Light/dark toggle. Follows the system setting until the user picks one; the choice is
//! remembered in `localStorage` and applied before first paint by the shell's script.
//! The button only works once the page has hydrated, which makes it the end-to-end
//! tests' proof of hydration.

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

fn apply(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item("theme", theme.as_str());
    }
}

#[component]
pub fn ThemeToggle() -> impl IntoView {
    // `None` on the server and until hydration: the label then names no theme.
    let theme = RwSignal::new(None::<Theme>);
    Effect::new(move |_| theme.set(Some(current_theme())));

    let toggle = move |_| {
        let next = theme.get_untracked().unwrap_or_else(current_theme).other();
        apply(next);
        theme.set(Some(next));
    };
    let label = move || match theme.get() {
        Some(t) => format!("Switch to {} theme", t.other().as_str()),
        None => "Switch colour theme".to_string(),
    };

    view! {
        <button
            type="button"
            class="icon-button theme-toggle"
            aria-label=label
            title=label
            data-theme-current=move || theme.get().map(Theme::as_str)
            on:click=toggle
        >
            <span aria-hidden="true" class="icon-sun">"☀"</span>
            <span aria-hidden="true" class="icon-moon">"☾"</span>
        </button>
    }
}
