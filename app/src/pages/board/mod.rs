//! The task board (`/` when signed in): add, list, filter, search, sort, toggle, edit
//! and delete tasks.
//!
//! Rendered on the server only, from the URL: every control is a form or a link, so
//! the board works with JavaScript off. With it on, the [`BoardIsland`] around the
//! board sends the same forms with `fetch` and swaps in the parts that changed, so the
//! list stays on screen, scrolled and focused where it was.

mod add;
mod due;
mod filters;
mod links;
mod list;
mod shortcuts;
mod undo;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{hooks::use_query_map, params::ParamsMap};

use crate::{
    api::{list_tasks, task_summary, undo_preview, TaskFilter},
    board_dom::{class, id},
    islands::{board::BoardIsland, swap::attrs},
};
use add::AddTask;
use filters::{StatusTabs, Toolbar};
use links::link_with;
use list::TaskList;
use shortcuts::{ShortcutsButton, ShortcutsDialog};
use undo::UndoToast;

pub use due::{relative_due, Due};
pub use links::encode;

fn filter_of(query: &ParamsMap) -> TaskFilter {
    TaskFilter {
        status: query.get("status"),
        sort: query.get("sort"),
        order: query.get("order"),
        q: query.get("q"),
        tag: query.get("tag"),
        priority: query.get("priority"),
        limit: query.get("limit"),
        view: query.get("view"),
        edit: query.get("edit"),
    }
}

/// A form without JavaScript sends every field, empty ones too: send the browser on to
/// the same view without them, so the URL stays clean and bookmarkable.
fn redirect_if_untidy(query: &ParamsMap, filter: &TaskFilter) {
    let untidy = query.clone().into_iter().any(|(_, v)| v.is_empty());
    if untidy {
        #[cfg(feature = "ssr")]
        leptos_axum::redirect(&link_with(filter, "", ""));
    }
    #[cfg(not(feature = "ssr"))]
    let _ = filter;
}

/// The list, the tab counts and, after a delete without JavaScript, the deleted task's
/// title with its undo token.
async fn board_data(
    filter: TaskFilter,
    deleted: Option<String>,
) -> (
    Result<crate::api::TaskListing, crate::api::UiError>,
    crate::api::Summary,
    Option<(String, String)>,
) {
    let listing = list_tasks(filter).await;
    let summary = task_summary().await.unwrap_or_default();
    let deleted = match deleted {
        Some(token) => undo_preview(token.clone())
            .await
            .ok()
            .flatten()
            .map(|title| (title, token)),
        None => None,
    };
    (listing, summary, deleted)
}

#[component]
pub fn Board() -> impl IntoView {
    let query = use_query_map();
    let filter = filter_of(&query.read_untracked());
    redirect_if_untidy(&query.read_untracked(), &filter);
    let error = query.read_untracked().get("error");
    let deleted_token = query.read_untracked().get("deleted");
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading your tasks…"</p> }>
            // Server-only, so no Resource (nothing to hand to the browser): the data is
            // awaited right here. One Suspend, not one per call of a closure: Suspense
            // polls its children once before rendering them, and a second Suspend would
            // drop the first mid-flight, with the session read it had begun (sqlx then
            // closed that database connection: a new one for every board load).
            {
                let error_for_editor = error.clone().filter(|_| filter.edit.is_some());
                Suspend::new(async move {
                    let (listing, summary, deleted) = board_data(filter.clone(), deleted_token).await;
                    let dismiss = link_with(&filter, "", "");
                    let title = if summary.pending > 0 {
                        format!("({}) Your tasks", summary.pending)
                    } else {
                        "Your tasks".to_string()
                    };
                    view! {
                        <Title text=title />
                        <BoardIsland>
                            <section class="board">
                                <h1 class="visually-hidden">"Your tasks"</h1>
                                <AddTask />
                                <div class="tabs-row">
                                    <StatusTabs filter=filter.clone() summary=summary />
                                    <ShortcutsButton />
                                </div>
                                <Toolbar filter=filter.clone() />
                                <div id=id::LIST class="list-region" {..attrs::region()}>
                                    // An editor's error shows in the editor (see `list`).
                                    {error.filter(|_| filter.edit.is_none()).map(|code| view! {
                                        <p class=class::ERROR role="alert">{crate::messages::error_message(&code)}</p>
                                    })}
                                    {match listing {
                                        Ok(listing) => view! { <TaskList listing=listing filter=filter.clone() error=error_for_editor.clone() /> }.into_any(),
                                        Err(e) => view! {
                                            <p class=class::ERROR role="alert">"Could not load your tasks: " {e.message}</p>
                                        }.into_any(),
                                    }}
                                </div>
                                <UndoToast deleted=deleted dismiss=dismiss />
                                <ShortcutsDialog />
                            </section>
                        </BoardIsland>
                    }
                })
            }
        </Suspense>
    }
}
