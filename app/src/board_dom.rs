//! The board's side of the contract between the server's markup (`pages/board/`) and
//! the board island (`islands/board/`): every id, class, field name and behaviour name
//! that both read or write. Each side names them from here, so that renaming one on one
//! side is a compile error on the other rather than a silent break in the browser.
//!
//! The swap engine's own attributes (`data-swap`, `data-nav`, `data-enhance`, …) are in
//! [`crate::islands::swap::attrs`].

/// The UI's live change stream (served by `server/src/routes/live.rs`, opened by the
/// board island).
pub const EVENTS_URL: &str = "/api/ui/events";

/// The UI's export download (`?format=json|csv`) and import form (a file upload),
/// served by `server/src/routes/tasks/transfer.rs`, linked from settings.
pub const EXPORT_URL: &str = "/api/ui/export";
pub const IMPORT_URL: &str = "/api/ui/import";

/// What the board listens for on [`EVENTS_URL`].
pub mod stream {
    pub const CREATED: &str = "created";
    pub const UPDATED: &str = "updated";
    /// Toggled, either way.
    pub const COMPLETED: &str = "completed";
    pub const DELETED: &str = "deleted";
    pub const CHANGED: &str = "changed";
    /// Changes were missed: reload.
    pub const RESET: &str = "reset";
    /// The events that change the board (the core's `live::Kind` names; pinned by a
    /// test).
    pub const CHANGES: &[&str] = &[CREATED, UPDATED, COMPLETED, DELETED, CHANGED, RESET];
    /// The `end` event's reason when the stream's session ended (signed out, revoked):
    /// the board goes to sign in instead of reconnecting.
    pub const SESSION_ENDED: &str = "session_ended";
}

/// Element ids.
pub mod id {
    use std::fmt::Display;

    /// The island's root: the engine listens here and marks it live.
    pub const ROOT: &str = "board-root";
    /// The list region, dimmed (`aria-busy`) while a refresh is under way.
    pub const LIST: &str = "board-list";
    pub const TABS: &str = "board-tabs";
    pub const FILTER: &str = "board-filter";
    /// The quick-add box's title field: focus goes here when the last row is deleted.
    pub const NEW_TITLE: &str = "new-title";
    /// The region holding the "Deleted … Undo" notice.
    pub const TOAST: &str = "toast";
    /// The polite live region that says what changed elsewhere.
    pub const LIVE_NOTE: &str = "live-note";

    /// The quick-add box's chips: what the words typed there were understood as.
    pub const QUICK_CHIPS: &str = "quick-chips";
    /// The keyboard shortcuts' dialog.
    pub const SHORTCUTS: &str = "shortcuts";
    /// The search field (`/` focuses it).
    pub const SEARCH: &str = "search";

    const ROW: &str = "task-";
    /// A row's "Edit" link (`edit-<id>`) and its editor's fields (`edit-<name>-<id>`).
    const EDIT: &str = "edit-";

    /// A task's row.
    pub fn row(task: impl Display) -> String {
        format!("{ROW}{task}")
    }

    /// The task id of a row's id.
    pub fn task_of_row(row: &str) -> Option<&str> {
        row.strip_prefix(ROW)
    }

    /// The tab of a planning view (`today`, `upcoming`): `t` and `u` follow it.
    pub fn view_tab(view: &str) -> String {
        format!("view-{view}")
    }

    /// A row's "Edit" link.
    pub fn edit_link(task: impl Display) -> String {
        format!("{EDIT}{task}")
    }

    /// The task id of an "Edit" link's id.
    pub fn task_of_edit_link(link: &str) -> Option<&str> {
        link.strip_prefix(EDIT)
    }

    /// A field of a row's editor (`name`: `title`, `description`).
    pub fn edit_field(name: &str, task: impl Display) -> String {
        format!("{EDIT}{name}-{task}")
    }
}

/// Class names.
pub mod class {
    /// A task's row (`li`).
    pub const TASK: &str = "task";
    /// On a completed task's row.
    pub const DONE: &str = "done";
    /// A row's completion toggle (`role=checkbox`).
    pub const CHECK: &str = "check";
    pub const TITLE: &str = "task-title";
    /// The part of a row where its errors show.
    pub const BODY: &str = "task-body";
    /// A row's editor (a form).
    pub const EDITOR: &str = "edit-form";
    /// Hides a row deleted optimistically until the server confirms.
    pub const HIDDEN: &str = "hidden";
    /// The undo notice inside [`super::id::TOAST`], and its words.
    pub const TOAST: &str = "toast";
    pub const TOAST_TEXT: &str = "toast-text";
    /// The handle a row is dragged by, in the user's own order.
    pub const DRAG_HANDLE: &str = "drag-handle";
    /// On a row while it is dragged.
    pub const DRAGGING: &str = "dragging";
    /// A row's up and down buttons (in the user's own order).
    pub const MOVE_UP: &str = "move-up";
    pub const MOVE_DOWN: &str = "move-down";
    /// A row's delete button.
    pub const DELETE: &str = "delete-button";
    /// An error shown beside a form (`role=alert`), on every page.
    pub const ERROR: &str = "form-error";
}

/// Form field names the island reads.
pub mod field {
    /// A task's title (the quick-add box keeps what was typed if the add fails).
    pub const TITLE: &str = "title";
    /// The undo token the notice posts back.
    pub const TOKEN: &str = "token";
}

/// The board's behaviours, by the name a form carries in `data-enhance`.
pub mod behaviour {
    /// The search, sort and filter bar (a GET form: the view itself).
    pub const FILTER: &str = "filter";
    pub const ADD: &str = "add";
    pub const TOGGLE: &str = "toggle";
    pub const DELETE: &str = "delete";
    pub const EDIT: &str = "edit";
    pub const RESTORE: &str = "restore";
    /// A row's up and down buttons.
    pub const MOVE: &str = "move";
}

/// Attributes that mark links and buttons the board handles on click.
pub mod attr {
    /// A row's "Edit" link: its editor is fetched in place.
    pub const OPEN_EDITOR: &str = "data-edit";
    /// An editor's "Cancel" link.
    pub const CANCEL: &str = "data-cancel";
    /// The undo notice's close button.
    pub const DISMISS: &str = "data-dismiss";
    /// On the add form: the URL that previews what quick add understands (the server
    /// function's, given by the markup so that the bundle carries no server-function
    /// types).
    pub const PREVIEW_URL: &str = "data-preview";
    /// On the add form: `1` when the request carried no time zone cookie (the island
    /// then remembers the browser's), else `0`.
    pub const NO_TIME_ZONE: &str = "data-no-tz";
    /// On a row's move buttons: the URL a dropped row is placed through.
    pub const DROP_URL: &str = "data-drop";
    /// The button that opens the keyboard shortcuts' dialog.
    pub const SHORTCUTS: &str = "data-shortcuts";
    /// On the `summary` of a section whose date fields are sent as text fields: opening
    /// it turns them into date pickers (see `pages/board/add.rs`).
    pub const DATE_PICKERS: &str = "data-date-pickers";
    /// On such a text field: the date picker it becomes.
    pub const DATE_PICKER: &str = "data-date-picker";
}

#[cfg(test)]
mod tests {
    use super::id;

    #[cfg(feature = "ssr")]
    #[test]
    fn the_board_listens_for_every_change_the_core_sends() {
        use taskdeck::live::Kind;
        let sent = [
            Kind::Created,
            Kind::Updated,
            Kind::Completed,
            Kind::Deleted,
            Kind::Changed,
            Kind::Reset,
        ]
        .map(Kind::as_str);
        assert_eq!(super::stream::CHANGES, sent);
    }

    #[test]
    fn row_and_link_ids_carry_the_task_id_both_ways() {
        assert_eq!(id::row(7), "task-7");
        assert_eq!(id::task_of_row("task-7"), Some("7"));
        assert_eq!(id::edit_link(7), "edit-7");
        assert_eq!(id::task_of_edit_link("edit-7"), Some("7"));
        assert_eq!(id::edit_field("title", 7), "edit-title-7");
        assert_eq!(id::task_of_row("edit-7"), None);
    }
}
