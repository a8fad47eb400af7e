//! The list itself: one row per task (toggle, title and details, edit, delete), the
//! empty state and the footer. Every control is a form that works without
//! JavaScript; the board's island sends the same forms in place.

use leptos::prelude::*;

use super::{due::relative_due, links::link_with};
use crate::api::{TaskFilter, TaskListing, TaskView};
use crate::limits;

/// How many more tasks "Load more" adds.
const PAGE: i64 = 50;

/// `error`: the code a failed save without JavaScript came back with, for the editor.
#[component]
pub fn TaskList(listing: TaskListing, filter: TaskFilter, error: Option<String>) -> impl IntoView {
    if listing.tasks.is_empty() {
        let narrowed = filter.narrows();
        return view! {
            <div class="empty card">
                <h2>{if narrowed { "Nothing matches" } else { "No tasks yet" }}</h2>
                <p class="muted">
                    {if narrowed {
                        "Try another search or filter."
                    } else {
                        "Add your first task with the box above: a title is all it takes."
                    }}
                </p>
            </div>
        }
        .into_any();
    }
    let shown = listing.tasks.len() as i64;
    let more = (listing.total > shown).then(|| {
        let next = (listing.limit + PAGE).min(200).to_string();
        link_with(&filter, "limit", &next)
    });
    let today = listing.today;
    view! {
        <ul class="task-list" aria-label="Tasks">
            {listing
                .tasks
                .into_iter()
                .map(|task| {
                    let editing = filter.edit.as_deref() == Some(task.id.to_string().as_str());
                    let error = error.clone().filter(|_| editing);
                    view! { <TaskRow task=task today=today.clone() filter=filter.clone() editing=editing error=error /> }
                })
                .collect_view()}
        </ul>
        <p class="muted list-footer">
            {format!("Showing {shown} of {}", listing.total)}
            {more.map(|href| view! { " · " <a href=href data-nav="">"Load more"</a> })}
        </p>
    }
    .into_any()
}

#[component]
fn TaskRow(
    task: TaskView,
    today: String,
    filter: TaskFilter,
    editing: bool,
    error: Option<String>,
) -> impl IntoView {
    let id = task.id;
    let due = task
        .due_date
        .as_deref()
        .map(|d| relative_due(d, &today, task.completed));
    let row_class = format!(
        "task priority-{}{}",
        task.priority,
        if task.completed { " done" } else { "" }
    );
    // Medium is the default: only the exceptions get a label.
    let badge = (task.priority != "medium").then(|| task.priority.clone());
    let tags = task
        .tags
        .iter()
        .map(|t| {
            let href = link_with(&filter, "tag", t);
            view! { <a class="tag" href=href data-nav="">{"#"}{t.clone()}</a> }
        })
        .collect_view();
    view! {
        <li class=row_class id=format!("task-{id}") data-task-id=id>
            <form method="post" action="/api/ui/toggle_task" class="toggle-form" data-enhance="toggle">
                <input type="hidden" name="id" value=id />
                <button
                    type="submit"
                    class="check"
                    id=format!("check-{id}")
                    role="checkbox"
                    aria-checked=if task.completed { "true" } else { "false" }
                    aria-label=format!("Completed: {}", task.title)
                >
                    <span aria-hidden="true" class="check-mark">"✓"</span>
                </button>
            </form>
            <div class="task-body">
                <div class="task-line">
                    <span class="task-title">{task.title.clone()}</span>
                    <span class="task-meta">
                        {badge.map(|p| view! { <span class=format!("badge priority-{p}")>{p.clone()}</span> })}
                        {tags}
                        {due.map(|d| view! { <span class=format!("due due-{}", d.class)>{d.text}</span> })}
                    </span>
                    {(!editing).then(|| {
                        let href = format!("{}#task-{id}", link_with(&filter, "edit", &id.to_string()));
                        view! {
                            <a class="edit-link" id=format!("edit-{id}") href=href data-edit="">
                                "Edit"<span class="visually-hidden">": " {task.title.clone()}</span>
                            </a>
                        }
                    })}
                </div>
                {task.description.clone().map(|d| view! { <p class="task-desc">{d}</p> })}
                {editing.then(|| view! { <EditTask task=task.clone() filter=filter.clone() error=error /> })}
            </div>
            <form method="post" action="/api/ui/delete_task" class="delete-form" data-enhance="delete">
                <input type="hidden" name="id" value=id />
                <button
                    type="submit"
                    class="icon-button danger"
                    id=format!("delete-{id}")
                    aria-label=format!("Delete: {}", task.title)
                >
                    <span aria-hidden="true">"✕"</span>
                </button>
            </form>
        </li>
    }
    .into_any()
}

/// The row's editor, rendered only for the row named by `?edit=<id>` (the edit link),
/// so that fifty rows do not carry fifty hidden forms. Without JavaScript the link is a
/// page load and Save redirects back without `edit`; with it the island fetches this
/// row's editor in place, and Escape or Cancel closes it.
#[component]
fn EditTask(task: TaskView, filter: TaskFilter, error: Option<String>) -> impl IntoView {
    let id = task.id;
    let field = |name: &str| format!("edit-{name}-{id}");
    let priorities = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
        .into_iter()
        .map(|(value, label)| {
            view! { <option value=value selected=value == task.priority>{label}</option> }
        })
        .collect_view();
    let close = format!("{}#task-{id}", link_with(&filter, "edit", ""));
    view! {
        <form method="post" action="/api/ui/update_task" class="edit-form" data-enhance="edit" aria-label=format!("Edit: {}", task.title)>
            <input type="hidden" name="id" value=id />
            <label for=field("title")>"Title"</label>
            <input id=field("title") name="title" type="text" required maxlength=limits::TITLE_MAX value=task.title.clone() autofocus />
            <label for=field("description")>"Description"</label>
            <textarea id=field("description") name="description" maxlength=limits::DESCRIPTION_MAX rows="2">
                {task.description.clone().unwrap_or_default()}
            </textarea>
            <div class="edit-grid">
                <label>"Priority" <select name="priority">{priorities}</select></label>
                <label>"Tags" <input name="tags" type="text" value=task.tags.join(", ") /></label>
                <label>"Due date" <input name="due_date" type="date" value=task.due_date.clone().unwrap_or_default() /></label>
            </div>
            {error.map(|code| view! {
                <p class="form-error" role="alert">{crate::messages::error_message(&code)}</p>
            })}
            <div class="edit-actions">
                <button type="submit" class="button button-primary">"Save"</button>
                <a class="button" href=close data-cancel="">"Cancel"</a>
            </div>
        </form>
    }
    .into_any()
}
