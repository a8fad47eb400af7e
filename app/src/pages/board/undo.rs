//! "Deleted “…”. Undo": a live region present from page load (so screen readers hear
//! it), filled by the island after a delete, or by the server after a delete without
//! JavaScript (`?deleted=<token>`). Undo posts the token back and the task returns as
//! it was.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    api::RestoreTask,
    board_dom::{attr, behaviour, class, field, id},
    islands::swap::attrs,
};

/// `deleted`: the deleted task's title and its undo token, when the page shows one;
/// `dismiss`: the board's URL without the notice.
#[component]
pub fn UndoToast(deleted: Option<(String, String)>, dismiss: String) -> impl IntoView {
    let shown = deleted.is_some();
    let (title, token) = deleted.unwrap_or_default();
    view! {
        // What changed elsewhere (live sync), for screen readers.
        <p id=id::LIVE_NOTE class="visually-hidden" role="status" aria-live="polite"></p>
        <div id=id::TOAST class="toast-region" role="status" aria-live="polite">
            <div class=class::TOAST hidden=!shown>
                <span class=class::TOAST_TEXT>{shown.then(|| format!("Deleted “{title}”."))}</span>
                <form method="post" action=RestoreTask::url() {..attrs::behaviour(behaviour::RESTORE)}>
                    <input type="hidden" name=field::TOKEN value=token />
                    <button type="submit" class="link-button">"Undo"</button>
                </form>
                <a href=dismiss class="icon-button toast-close" aria-label="Dismiss" {..attrs::flag(attr::DISMISS)}>
                    <span aria-hidden="true">"✕"</span>
                </a>
            </div>
        </div>
    }
}
