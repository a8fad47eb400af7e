//! The board's one island. Everything inside it is server-rendered HTML passed in as
//! children (forms and links that work without JavaScript); in the browser the island
//! runs the [`swap`](super::swap) engine over them with the board's behaviours:
//!
//! - `actions`: add, toggle and delete (optimistic: the row changes at once and is put
//!   back if the server refuses), edit in place, undo;
//! - `notices`: the "Deleted … Undo" notice and errors beside their form;
//! - `live`: what a change made elsewhere says;
//! - `keys`: the keyboard shortcuts (`?` lists them);
//! - `planning`: quick add's chips, the date pickers, the browser's time zone.
//!
//! Every id, class and name the behaviours share with the server's markup is in
//! [`crate::board_dom`].

#[cfg(feature = "hydrate")]
mod actions;
#[cfg(feature = "hydrate")]
mod keys;
#[cfg(feature = "hydrate")]
mod live;
#[cfg(feature = "hydrate")]
mod notices;
#[cfg(feature = "hydrate")]
mod planning;

use leptos::prelude::*;

use crate::board_dom::id;

#[island]
pub fn BoardIsland(children: Children) -> impl IntoView {
    // In the browser the body runs at hydration, when the server's HTML is already
    // there: listen at the root straight away (no signals, no effects to ship).
    #[cfg(feature = "hydrate")]
    super::swap::start(&PAGE);
    view! { <div id=id::ROOT class=id::ROOT>{children()}</div> }
}

/// The board, as the engine runs it.
#[cfg(feature = "hydrate")]
static PAGE: super::swap::Page = {
    use super::swap::{Editor, Form, Page, Reorder, Stream};
    use crate::board_dom::{attr, behaviour, class, stream, EVENTS_URL};
    Page {
        root: id::ROOT,
        busy: id::LIST,
        path: "/",
        sign_in: "/sign-in",
        forms: &[
            (behaviour::FILTER, Form::View),
            (behaviour::ADD, Form::Send(actions::add)),
            (behaviour::TOGGLE, Form::Send(actions::toggle)),
            (behaviour::DELETE, Form::Send(actions::delete)),
            (behaviour::EDIT, Form::Send(actions::edit)),
            (behaviour::RESTORE, Form::Send(actions::restore)),
            (behaviour::MOVE, Form::Send(actions::move_row)),
        ],
        clicks: &[
            (attr::OPEN_EDITOR, actions::open_editor),
            (attr::DISMISS, notices::dismiss),
            (attr::CANCEL, actions::cancel),
            (attr::SHORTCUTS, keys::help),
            (attr::DATE_PICKERS, planning::date_pickers),
        ],
        keys: &[("Escape", actions::cancel)],
        shortcuts: &[
            ("?", keys::help),
            ("n", keys::new_task),
            ("/", keys::search),
            ("j", keys::next),
            ("k", keys::previous),
            ("x", keys::complete),
            ("e", keys::edit),
            ("Delete", keys::delete),
            ("#", keys::delete),
            ("z", keys::undo),
            ("t", keys::today),
            ("u", keys::upcoming),
            ("Alt+ArrowUp", keys::move_up),
            ("Alt+ArrowDown", keys::move_down),
        ],
        typing: &[(behaviour::ADD, planning::typing)],
        reorder: Some(Reorder {
            item: class::TASK,
            handle: class::DRAG_HANDLE,
            dragging: class::DRAGGING,
            dropped: actions::dropped,
        }),
        on_start: Some(planning::remember_time_zone),
        editor: Some(Editor {
            form: class::EDITOR,
            item: class::TASK,
        }),
        stream: Some(Stream {
            url: EVENTS_URL,
            changes: stream::CHANGES,
            on_change: live::announce,
            session_ended: stream::SESSION_ENDED,
        }),
    }
};
