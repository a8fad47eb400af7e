//! The keyboard shortcuts' dialog (`?`, or the button beside the tabs). The shortcuts
//! themselves are the board island's (`islands/board/keys.rs`); without JavaScript
//! there are none, and the button is hidden.

use leptos::prelude::*;

use crate::{
    board_dom::{attr, id},
    islands::swap::attrs,
};

/// (keys, what they do), as the dialog lists them.
pub const SHORTCUTS: [(&str, &str); 10] = [
    ("n", "New task: focus the quick-add box"),
    ("/", "Search"),
    ("j / k", "Select the next / previous task"),
    ("x", "Complete or reopen the selected task"),
    ("e", "Edit the selected task"),
    ("Delete or #", "Delete the selected task"),
    ("z", "Undo the last delete"),
    ("t", "Today"),
    ("u", "Upcoming"),
    ("?", "Show this list"),
];

#[component]
pub fn ShortcutsButton() -> impl IntoView {
    view! {
        <button type="button" class="button shortcuts-button" aria-haspopup="dialog" {..attrs::flag(attr::SHORTCUTS)}>
            "Keyboard shortcuts " <kbd>"?"</kbd>
        </button>
    }
}

#[component]
pub fn ShortcutsDialog() -> impl IntoView {
    view! {
        <dialog id=id::SHORTCUTS class="card shortcuts" aria-labelledby="shortcuts-title">
            <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
            <p class="muted">"They work anywhere on the board, except while you type in a field."</p>
            <dl>
                {SHORTCUTS
                    .iter()
                    .map(|(keys, what)| view! { <dt><kbd>{*keys}</kbd></dt> <dd>{*what}</dd> })
                    .collect_view()}
            </dl>
            <form method="dialog">
                <button type="submit" class="button button-primary">"Close"</button>
            </form>
        </dialog>
    }
}
