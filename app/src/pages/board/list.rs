//! The list itself: one row per task (toggle, title and details, edit, delete), the
//! empty state and the footer. Every control is a form that works without
//! JavaScript; the board's island sends the same forms in place.

use leptos::{prelude::*, server_fn::ServerFn};

use super::{
    due::{day_heading, relative_due},
    links::link_with,
};
use crate::{
    api::{
        DeleteTask, MoveTask, MoveTaskAfter, TaskFilter, TaskListing, TaskView, ToggleTask,
        UpdateTask, MY_ORDER,
    },
    board_dom::{attr, behaviour, class, field, id},
    islands::swap::attrs,
    limits,
};

/// How many more tasks "Load more" adds.
const PAGE: i64 = 50;

/// The planning views' rows under a heading per day, in the list's order (by due
/// date): "Overdue", then "Today", then each later day.
fn by_day(tasks: Vec<TaskView>, today: &str) -> Vec<(Option<String>, Vec<TaskView>)> {
    let mut groups: Vec<(Option<String>, Vec<TaskView>)> = Vec::new();
    for task in tasks {
        let heading = day_heading(task.due_date.as_deref().unwrap_or(today), today);
        match groups.last_mut() {
            Some((Some(last), rows)) if *last == heading => rows.push(task),
            _ => groups.push((Some(heading), vec![task])),
        }
    }
    groups
}

/// `error`: the code a failed save without JavaScript came back with, for the editor.
#[component]
pub fn TaskList(listing: TaskListing, filter: TaskFilter, error: Option<String>) -> impl IntoView {
    if listing.tasks.is_empty() {
        let (heading, hint) = match filter.view.as_deref() {
            Some("today") => (
                "Nothing due today",
                "Nothing overdue either. Plan ahead in Upcoming, or give a task a date.",
            ),
            Some("upcoming") => (
                "Nothing in the next seven days",
                "Type a date with a task (“call mum friday”) to see it here.",
            ),
            _ if filter.narrows() => ("Nothing matches", "Try another search or filter."),
            _ => (
                "No tasks yet",
                "Add your first task with the box above: a title is all it takes.",
            ),
        };
        return view! {
            <div class="empty card">
                <h2>{heading}</h2>
                <p class="muted">{hint}</p>
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
    let planning = matches!(filter.view.as_deref(), Some("today" | "upcoming"));
    let groups = if planning {
        by_day(listing.tasks, &today)
    } else {
        vec![(None, listing.tasks)]
    };
    let rows = move |tasks: Vec<TaskView>, label: &str| {
        view! {
            <ul class="task-list" aria-label=label.to_string()>
                {tasks
                    .into_iter()
                    .map(|task| {
                        let editing = filter.edit.as_deref() == Some(task.id.to_string().as_str());
                        let error = error.clone().filter(|_| editing);
                        view! { <TaskRow task=task today=today.clone() filter=filter.clone() editing=editing error=error /> }
                    })
                    .collect_view()}
            </ul>
        }
    };
    view! {
        {groups
            .into_iter()
            .map(|(heading, tasks)| match heading {
                Some(heading) => view! {
                    <h2 class="day-heading">{heading.clone()}</h2>
                    {rows(tasks, &heading)}
                }
                .into_any(),
                None => rows(tasks, "Tasks").into_any(),
            })
            .collect_view()}
        <p class="muted list-footer">
            {format!("Showing {shown} of {}", listing.total)}
            {more.map(|href| view! { " · " <a {..attrs::nav()} href=href>"Load more"</a> })}
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
        "{} priority-{}{}",
        class::TASK,
        task.priority,
        if task.completed {
            format!(" {}", class::DONE)
        } else {
            String::new()
        }
    );
    // Medium is the default: only the exceptions get a label.
    let badge = (task.priority != "medium").then(|| task.priority.clone());
    let tags = task
        .tags
        .iter()
        .map(|t| {
            let href = link_with(&filter, "tag", t);
            view! { <a class="tag" {..attrs::nav()} href=href>{"#"}{t.clone()}</a> }
        })
        .collect_view();
    view! {
        <li class=row_class id=id::row(id) data-task-id=id>
            <form method="post" action=ToggleTask::url() class="toggle-form" {..attrs::behaviour(behaviour::TOGGLE)}>
                <input type="hidden" name="id" value=id />
                <button
                    type="submit"
                    class=class::CHECK
                    id=format!("check-{id}")
                    role="checkbox"
                    aria-checked=if task.completed { "true" } else { "false" }
                    aria-label=format!("Completed: {}", task.title)
                >
                    <span aria-hidden="true" class="check-mark">"✓"</span>
                </button>
            </form>
            <div class=class::BODY>
                <div class="task-line">
                    <span class=class::TITLE>{task.title.clone()}</span>
                    <span class="task-meta">
                        {badge.map(|p| view! { <span class=format!("badge priority-{p}")>{p.clone()}</span> })}
                        {tags}
                        {due.map(|d| view! { <span class=format!("due due-{}", d.class)>{d.text}</span> })}
                        {task.repeats.clone().map(|r| view! {
                            <span class="repeats" title="Repeats"><span aria-hidden="true">"↻ "</span>{r}</span>
                        })}
                    </span>
                    {(!editing).then(|| {
                        let href = format!("{}#{}", link_with(&filter, "edit", &id.to_string()), id::row(id));
                        view! {
                            <a class="edit-link" {..attrs::flag(attr::OPEN_EDITOR)} id=id::edit_link(id) href=href>
                                "Edit"<span class="visually-hidden">": " {task.title.clone()}</span>
                            </a>
                        }
                    })}
                </div>
                {task.description.clone().map(|d| view! { <p class="task-desc">{d}</p> })}
                {editing.then(|| view! { <EditTask task=task.clone() filter=filter.clone() error=error /> })}
            </div>
            {(filter.sort_choice() == MY_ORDER).then(|| view! { <MoveButtons id=id title=task.title.clone() /> })}
            <form method="post" action=DeleteTask::url() class="delete-form" {..attrs::behaviour(behaviour::DELETE)}>
                <input type="hidden" name="id" value=id />
                <button
                    type="submit"
                    class=format!("icon-button danger {}", class::DELETE)
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

/// In the user's own order: a handle to drag the row by, and up and down buttons (plain
/// forms without JavaScript; Alt+↑/↓ press them).
#[component]
fn MoveButtons(id: i64, title: String) -> impl IntoView {
    let button = move |direction: &'static str,
                       class: &'static str,
                       label: &'static str,
                       arrow: &'static str| {
        view! {
            <form method="post" action=MoveTask::url() class="move-form" {..attrs::behaviour(behaviour::MOVE)}>
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="direction" value=direction />
                <button type="submit" class=format!("icon-button {class}") aria-label=format!("{label}: {title}")>
                    <span aria-hidden="true">{arrow}</span>
                </button>
            </form>
        }
    };
    view! {
        <div class="move" {..attrs::value(attr::DROP_URL, MoveTaskAfter::url())}>
            <span class=class::DRAG_HANDLE aria-hidden="true" title="Drag to move">"⠿"</span>
            {button("up", class::MOVE_UP, "Move up", "↑")}
            {button("down", class::MOVE_DOWN, "Move down", "↓")}
        </div>
    }
}

/// The editor's repetition choices: none, the common rules, and the task's own rule
/// when it is another one (set by quick add or the API), so that saving keeps it.
fn repeat_options(current: Option<&str>, words: Option<&str>) -> impl IntoView {
    let mut options: Vec<(String, String)> = limits::REPEAT_CHOICES
        .iter()
        .map(|(rule, label)| (rule.to_string(), label.to_string()))
        .collect();
    if let Some(rule) = current.filter(|r| !options.iter().any(|(o, _)| o == r)) {
        options.push((rule.to_string(), words.unwrap_or(rule).to_string()));
    }
    let current = current.unwrap_or_default().to_string();
    options
        .into_iter()
        .map(|(rule, label)| {
            let selected = rule == current;
            view! { <option value=rule selected=selected>{label}</option> }
        })
        .collect_view()
}

/// The row's editor, rendered only for the row named by `?edit=<id>` (the edit link),
/// so that fifty rows do not carry fifty hidden forms. Without JavaScript the link is a
/// page load and Save redirects back without `edit`; with it the island fetches this
/// row's editor in place, and Escape or Cancel closes it.
#[component]
fn EditTask(task: TaskView, filter: TaskFilter, error: Option<String>) -> impl IntoView {
    let id = task.id;
    let field_id = |name: &str| id::edit_field(name, id);
    let priorities = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
        .into_iter()
        .map(|(value, label)| {
            view! { <option value=value selected=value == task.priority>{label}</option> }
        })
        .collect_view();
    let close = format!("{}#{}", link_with(&filter, "edit", ""), id::row(id));
    view! {
        <form method="post" action=UpdateTask::url() class=class::EDITOR aria-label=format!("Edit: {}", task.title) {..attrs::behaviour(behaviour::EDIT)}>
            <input type="hidden" name="id" value=id />
            <label for=field_id(field::TITLE)>"Title"</label>
            <input id=field_id(field::TITLE) name=field::TITLE type="text" required maxlength=limits::TITLE_MAX value=task.title.clone() autofocus />
            <label for=field_id("description")>"Description"</label>
            <textarea id=field_id("description") name="description" maxlength=limits::DESCRIPTION_MAX rows="2">
                {task.description.clone().unwrap_or_default()}
            </textarea>
            <div class="edit-grid">
                <label>"Priority" <select name="priority">{priorities}</select></label>
                <label>"Tags" <input name="tags" type="text" value=task.tags.join(", ") /></label>
                <label>"Due date" <input name="due_date" type="date" value=task.due_date.clone().unwrap_or_default() /></label>
                <label>"Repeats" <select name="recurrence">{repeat_options(task.recurrence.as_deref(), task.repeats.as_deref())}</select></label>
            </div>
            {error.map(|code| view! {
                <p class=class::ERROR role="alert">{crate::messages::error_message(&code)}</p>
            })}
            <div class="edit-actions">
                <button type="submit" class="button button-primary">"Save"</button>
                <a class="button" {..attrs::flag(attr::CANCEL)} href=close>"Cancel"</a>
            </div>
        </form>
    }
    .into_any()
}
