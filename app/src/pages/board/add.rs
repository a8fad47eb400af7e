//! The quick-add box: a title is enough (Enter adds it); priority, tags, due date and
//! a description hide behind "More details". Focused when the board opens, and (with
//! JavaScript) still focused and empty after each add, so tasks can be typed in a row.

use leptos::{prelude::*, server_fn::ServerFn};

use crate::{
    api::CreateTask,
    board_dom::{behaviour, field, id},
    islands::swap::attrs,
    limits,
};

#[component]
pub fn AddTask() -> impl IntoView {
    view! {
        <form method="post" action=CreateTask::url() class="card add-task" aria-label="Add a task" {..attrs::behaviour(behaviour::ADD)}>
            <div class="add-row">
                <label for=id::NEW_TITLE class="visually-hidden">"Task title"</label>
                <input
                    id=id::NEW_TITLE
                    name=field::TITLE
                    type="text"
                    placeholder="What needs doing?"
                    required
                    maxlength=limits::TITLE_MAX
                    autocomplete="off"
                    autofocus
                />
                <button type="submit" class="button button-primary">"Add task"</button>
            </div>
            <details class="add-more">
                <summary>"More details"</summary>
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
                    <label>"Due date" <input name="due_date" type="date" /></label>
                </div>
            </details>
        </form>
    }
}
