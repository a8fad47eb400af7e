//! The keyboard shortcuts' dialog (`?`, or the button beside the tabs). The shortcuts
//! themselves are the board island's (`islands/board/keys.rs`); without JavaScript
//! there are none, and the button is hidden.

use leptos::prelude::*;

use crate::{
    board_dom::{attr, id},
    islands::swap::attrs,
};

/// (keys, what they do), as the dialog lists them.
pub const SHORTCUTS: [(&str, &str); 11] = [
    ("n", "New task"),
    ("/", "Search"),
    ("j / k", "Select the next / previous task"),
    ("x", "Complete or reopen"),
    ("e", "Edit"),
    ("Delete or #", "Delete"),
    ("z", "Undo the last delete"),
    ("t", "Today"),
    ("u", "Upcoming"),
    (
        "Alt+↑ / Alt+↓",
        "Move the selected task (sorted by “My order”)",
    ),
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
            <p class="muted">"On the selected task, anywhere but in a field."</p>
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
