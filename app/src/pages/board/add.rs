//! The quick-add box: a title is enough (Enter adds it), and plain words in it set the
//! rest ("pay rent every month !high #home": see `taskdeck::tasks::quick_add`), parsed
//! on the server; priority, tags, due date and a description also hide behind "More
//! details". Focused when the board opens, and (with JavaScript) still focused and
//! empty after each add, so tasks can be typed in a row; the chips under it say what
//! the words were understood as.
//!
//! The due date under "More details" is sent as a text field (`YYYY-MM-DD`), which the
//! island turns into a date picker when the section is opened: Chromium builds a date
//! input's parts (its locale's date format, the calendar icon as an SVG document) as
//! the page is parsed, about 7 ms of a cold board load's 70 ms of main-thread CPU, for
//! a section most adds never open (bench/README.md, eighth round). Without JavaScript
//! the text field takes the same `YYYY-MM-DD` the picker sends.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    api::{CreateTask, PreviewQuickAdd},
    board_dom::{attr, behaviour, field, id},
    islands::swap::attrs,
    limits,
};

/// Whether the request named no time zone (then the island sends the browser's).
fn time_zone_unknown() -> bool {
    #[cfg(feature = "ssr")]
    return crate::api::time_zone::remembered().is_none();
    #[cfg(not(feature = "ssr"))]
    false
}

#[component]
pub fn AddTask() -> impl IntoView {
    let no_tz = attrs::value(
        attr::NO_TIME_ZONE,
        if time_zone_unknown() { "1" } else { "0" },
    );
    view! {
        <form method="post" action=CreateTask::url() class="card add-task" aria-label="Add a task" {..(attrs::behaviour(behaviour::ADD), attrs::value(attr::PREVIEW_URL, PreviewQuickAdd::url()), no_tz)}>
            <div class="add-row">
                <label for=id::NEW_TITLE class="visually-hidden">"Task title"</label>
                <input
                    id=id::NEW_TITLE
                    name=field::TITLE
                    type="text"
                    placeholder="What needs doing? Try: pay rent every month !high #home"
                    required
                    maxlength=limits::TITLE_MAX
                    autocomplete="off"
                    aria-describedby=id::QUICK_CHIPS
                    autofocus
                />
                <button type="submit" class="button button-primary">"Add task"</button>
            </div>
            <p id=id::QUICK_CHIPS class="quick-chips" aria-live="polite"></p>
            <details class="add-more">
                <summary {..attrs::flag(attr::DATE_PICKERS)}>"More details"</summary>
                <div class="add-grid">
                    <label>
                        "Description"
                        <textarea name="description" maxlength=limits::DESCRIPTION_MAX rows="2"></textarea>
                    </label>
                    <label>
                        "Priority"
                        <select name="priority">
                            <option value="low">"Low"</option>
                            <option value="medium" selected>"Medium"</option>
                            <option value="high">"High"</option>
                        </select>
                    </label>
                    <label>
                        "Tags (comma-separated)"
                        <input name="tags" type="text" placeholder="home, errands" />
                    </label>
                    <label>
                        "Due date"
                        <input
                            name="due_date"
                            type="text"
                            placeholder="YYYY-MM-DD"
                            pattern=r"\d{4}-\d{2}-\d{2}"
                            title="A date, as YYYY-MM-DD"
                            autocomplete="off"
                            {..attrs::flag(attr::DATE_PICKER)}
                        />
                    </label>
                </div>
            </details>
        </form>
    }
}
