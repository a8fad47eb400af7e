//! "Deleted “…”. Undo": a live region present from page load (so screen readers hear
//! it), filled by the island after a delete, or by the server after a delete without
//! JavaScript (`?deleted=<token>`). Undo posts the token back and the task returns as
//! it was.

use leptos::prelude::*;

/// `deleted`: the deleted task's title and its undo token, when the page shows one;
/// `dismiss`: the board's URL without the notice.
#[component]
pub fn UndoToast(deleted: Option<(String, String)>, dismiss: String) -> impl IntoView {
    let shown = deleted.is_some();
    let (title, token) = deleted.unwrap_or_default();
    view! {
        // What changed elsewhere (live sync), for screen readers.
        <p id="live-note" class="visually-hidden" role="status" aria-live="polite"></p>
        <div id="toast" class="toast-region" role="status" aria-live="polite">
            <div class="toast" hidden=!shown>
                <span class="toast-text">{shown.then(|| format!("Deleted “{title}”."))}</span>
                <form method="post" action="/api/ui/restore_task" data-enhance="restore">
                    <input type="hidden" name="token" value=token />
                    <button type="submit" class="link-button">"Undo"</button>
                </form>
                <a href=dismiss class="icon-button toast-close" data-dismiss="" aria-label="Dismiss">
                    <span aria-hidden="true">"✕"</span>
                </a>
            </div>
        </div>
    }
}
