//! The task board: add, list, filter, search, sort, toggle, edit and delete tasks.
//!
//! Every control is a form. With JavaScript on, `ActionForm`s call the server
//! functions in place (toggle and delete are optimistic) and the list refetches; with it
//! off, the same forms post and the server redirects back. Filters, sort and search
//! live in the URL, so a view can be bookmarked and survives a reload.

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::api::{
    list_tasks, task_summary, CreateTask, DeleteTask, TaskListing, TaskView, ToggleTask, UpdateTask,
};

const PAGE: i64 = 50;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
fn days(date: &str) -> Option<i64> {
    let mut parts = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// "due today", "due tomorrow", "due in 3 days", "overdue by 2 days", …
pub fn relative_due(due: &str, today: &str) -> (String, bool) {
    match (days(due), days(today)) {
        (Some(d), Some(t)) => {
            let n = d - t;
            let text = match n {
                0 => "due today".to_string(),
                1 => "due tomorrow".to_string(),
                -1 => "overdue by 1 day".to_string(),
                n if n < 0 => format!("overdue by {} days", -n),
                n if n < 14 => format!("due in {n} days"),
                _ => format!("due {due}"),
            };
            (text, n < 0)
        }
        _ => (format!("due {due}"), false),
    }
}

/// The current URL's query with `key` set to `value` (or removed when empty).
fn link_with(query: &leptos_router::params::ParamsMap, key: &str, value: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .clone()
        .into_iter()
        .filter(|(k, _)| k != key && k != "error")
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    if !value.is_empty() {
        pairs.push((key.to_string(), value.to_string()));
    }
    if pairs.is_empty() {
        "/".to_string()
    } else {
        let q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("/?{}", q.join("&"))
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn Board() -> impl IntoView {
    let query = use_query_map();
    let create = ServerAction::<CreateTask>::new();
    let toggle = ServerAction::<ToggleTask>::new();
    let delete = ServerAction::<DeleteTask>::new();
    let update = ServerAction::<UpdateTask>::new();

    let get = move |k: &str| query.read().get(k);
    let tasks = Resource::new(
        move || {
            (
                [
                    get("status"),
                    get("sort"),
                    get("order"),
                    get("q"),
                    get("tag"),
                    get("priority"),
                ],
                get("limit").and_then(|l| l.parse::<i64>().ok()),
                (
                    create.version().get(),
                    toggle.version().get(),
                    delete.version().get(),
                    update.version().get(),
                ),
            )
        },
        |([status, sort, order, q, tag, priority], limit, _)| {
            list_tasks(status, sort, order, q, tag, priority, limit)
        },
    );
    let summary = Resource::new(
        move || {
            (
                create.version().get(),
                toggle.version().get(),
                delete.version().get(),
            )
        },
        |_| task_summary(),
    );

    // The last deleted task, for "Undo".
    let deleted = RwSignal::new(None::<TaskView>);
    let undo = move |_| {
        if let Some(t) = deleted.get_untracked() {
            create.dispatch(CreateTask {
                title: t.title,
                description: t.description,
                priority: Some(t.priority),
                tags: Some(t.tags.join(", ")),
                due_date: t.due_date,
            });
            deleted.set(None);
        }
    };

    // Clear the title box once a task is added.
    let title_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            if let Some(input) = title_input.get() {
                input.set_value("");
            }
        }
    });

    // A call refused for lack of a valid session (it expired, or was revoked on another
    // device): off to sign in, and back here afterwards.
    let navigate = leptos_router::hooks::use_navigate();
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let unauthorized = |e: &crate::api::UiError| e.is_unauthorized();
        let failed = [
            toggle.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(|r| r.err()),
            update.value().get().and_then(|r| r.err()),
            create.value().get().and_then(|r| r.err()),
            tasks.get().and_then(|r| r.err()),
        ];
        if failed.iter().flatten().any(unauthorized) {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.get_untracked()
            );
            let here = if here.ends_with('?') {
                here.trim_end_matches('?').to_string()
            } else {
                here
            };
            navigate(
                &format!("/sign-in?next={}", encode(&here)),
                Default::default(),
            );
        }
    });

    let status = move || get("status").unwrap_or_else(|| "all".into());
    let error = move || get("error");
    let create_error = move || {
        create
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.message)
    };

    view! {
        <Title text="Your tasks" />
        <section class="board">
            <h1 class="visually-hidden">"Your tasks"</h1>
            <ActionForm action=create attr:class="card add-task" attr:aria-label="Add a task">
                <div class="add-row">
                    <label for="new-title" class="visually-hidden">"Task title"</label>
                    <input
                        node_ref=title_input
                        id="new-title"
                        name="title"
                        type="text"
                        placeholder="What needs doing?"
                        required
                        maxlength="200"
                        autocomplete="off"
                    />
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Adding…" } else { "Add task" }}
                    </button>
                </div>
                <details class="add-more">
                    <summary>"More details"</summary>
                    <div class="add-grid">
                        <label>
                            "Description"
                            <textarea name="description" maxlength="1000" rows="2"></textarea>
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
                {move || create_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </ActionForm>
            {move || {
                error().map(|code| view! {
                    <p class="form-error" role="alert">{crate::pages::auth_forms::error_message(&code)}</p>
                })
            }}

            <nav class="tabs" aria-label="Filter by status">
                <Transition fallback=|| ()>
                    {move || {
                        let counts = summary.get().and_then(|r| r.ok()).unwrap_or_default();
                        let q = query.get();
                        [("all", "All", counts.all), ("pending", "Pending", counts.pending), ("completed", "Completed", counts.completed)]
                            .into_iter()
                            .map(|(key, label, n)| {
                                let href = link_with(&q, "status", if key == "all" { "" } else { key });
                                let current = status() == key;
                                view! {
                                    <a href=href class="tab" class:active=current aria-current=if current { Some("page") } else { None }>
                                        {label} " " <span class="count">{n}</span>
                                    </a>
                                }
                            })
                            .collect_view()
                    }}
                </Transition>
            </nav>

            <Form method="GET" action="" attr:class="toolbar" attr:role="search">
                <input type="hidden" name="status" value=move || get("status").unwrap_or_default() />
                <label class="visually-hidden" for="search">"Search tasks"</label>
                <input id="search" name="q" type="search" placeholder="Search" value=move || get("q").unwrap_or_default() />
                <label class="visually-hidden" for="sort">"Sort by"</label>
                <select id="sort" name="sort">
                    {move || {
                        let current = get("sort").unwrap_or_else(|| "created".into());
                        [("created", "Newest"), ("updated", "Recently changed"), ("due_date", "Due date"), ("priority", "Priority"), ("title", "Title")]
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v selected=current == v>{l}</option> })
                            .collect_view()
                    }}
                </select>
                <label class="visually-hidden" for="order">"Order"</label>
                <select id="order" name="order">
                    {move || {
                        let current = get("order").unwrap_or_else(|| "desc".into());
                        [("desc", "Descending"), ("asc", "Ascending")]
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v selected=current == v>{l}</option> })
                            .collect_view()
                    }}
                </select>
                <label class="visually-hidden" for="priority-filter">"Priority"</label>
                <select id="priority-filter" name="priority">
                    {move || {
                        let current = get("priority").unwrap_or_default();
                        [("", "Any priority"), ("high", "High"), ("medium", "Medium"), ("low", "Low")]
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v selected=current == v>{l}</option> })
                            .collect_view()
                    }}
                </select>
                <label class="visually-hidden" for="tag-filter">"Tag"</label>
                <input id="tag-filter" name="tag" type="text" placeholder="Tag" value=move || get("tag").unwrap_or_default() />
                <button type="submit" class="button">"Apply"</button>
            </Form>

            {move || deleted.get().map(|t| view! {
                <div class="toast" role="status">
                    "Deleted “" {t.title} "”. "
                    <button type="button" class="link-button" on:click=undo>"Undo"</button>
                </div>
            })}

            <Transition fallback=|| view! { <p class="muted">"Loading your tasks…"</p> }>
                {move || {
                    tasks.get().map(|result| match result {
                        Err(e) => view! {
                            <p class="form-error" role="alert">"Could not load your tasks: " {e.to_string()}</p>
                        }.into_any(),
                        Ok(listing) => view! {
                            <TaskList listing=listing toggle=toggle delete=delete update=update deleted=deleted query=query />
                        }.into_any(),
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn TaskList(
    listing: TaskListing,
    toggle: ServerAction<ToggleTask>,
    delete: ServerAction<DeleteTask>,
    update: ServerAction<UpdateTask>,
    deleted: RwSignal<Option<TaskView>>,
    query: Memo<leptos_router::params::ParamsMap>,
) -> impl IntoView {
    if listing.tasks.is_empty() {
        let filtered = query.with_untracked(|q| {
            ["q", "tag", "priority", "status"]
                .iter()
                .any(|k| q.get(k).is_some_and(|v| !v.is_empty()))
        });
        return view! {
            <div class="empty card">
                <h2>{if filtered { "Nothing matches" } else { "No tasks yet" }}</h2>
                <p class="muted">
                    {if filtered {
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
        let q = query.get_untracked();
        link_with(&q, "limit", &(listing.limit + PAGE).min(200).to_string())
    });
    let today = listing.today.clone();
    view! {
        <ul class="task-list" aria-label="Tasks">
            {listing
                .tasks
                .into_iter()
                .map(|task| view! { <TaskRow task=task today=today.clone() toggle=toggle delete=delete update=update deleted=deleted /> })
                .collect_view()}
        </ul>
        <p class="muted list-footer">
            {format!("Showing {shown} of {}", listing.total)}
            {more.map(|href| view! { " · " <a href=href>"Load more"</a> })}
        </p>
    }
    .into_any()
}

#[component]
fn TaskRow(
    task: TaskView,
    today: String,
    toggle: ServerAction<ToggleTask>,
    delete: ServerAction<DeleteTask>,
    update: ServerAction<UpdateTask>,
    deleted: RwSignal<Option<TaskView>>,
) -> impl IntoView {
    let id = task.id;
    // Optimistic: flip or hide the row while the server call is in flight.
    let toggling =
        move || toggle.pending().get() && toggle.input().get().is_some_and(|i| i.id == id);
    let deleting =
        move || delete.pending().get() && delete.input().get().is_some_and(|i| i.id == id);
    let completed = task.completed;
    let done = move || completed ^ toggling();
    let due = task.due_date.as_deref().map(|d| relative_due(d, &today));
    let title = task.title.clone();
    let for_undo = task.clone();
    let priority = task.priority.clone();
    let edit_tags = task.tags.join(", ");
    let delete_label = format!("Delete: {}", task.title);
    let edit_title = task.title.clone();
    view! {
        <li class="task" class:done=done class:hidden=deleting data-task-id=id>
            <ActionForm action=toggle attr:class="toggle-form">
                <input type="hidden" name="id" value=id />
                <button
                    type="submit"
                    class="check"
                    role="checkbox"
                    aria-checked=move || if done() { "true" } else { "false" }
                    aria-label=format!("Completed: {title}")
                >
                    <span aria-hidden="true">{move || if done() { "✓" } else { "" }}</span>
                </button>
            </ActionForm>
            <div class="task-body">
                <span class="task-title">{task.title.clone()}</span>
                {task.description.clone().map(|d| view! { <p class="task-desc">{d}</p> })}
                <div class="task-meta">
                    <span class=format!("badge priority-{priority}")>{priority.clone()}</span>
                    {task.tags.iter().map(|t| view! { <a class="tag" href=format!("/?tag={}", encode(t))>{"#"}{t.clone()}</a> }).collect_view()}
                    {due.map(|(text, overdue)| view! { <span class="due" class:overdue=overdue>{text}</span> })}
                </div>
                <details class="edit">
                    <summary>"Edit"</summary>
                    <ActionForm action=update attr:class="edit-form">
                        <input type="hidden" name="id" value=id />
                        <label>"Title" <input name="title" type="text" required maxlength="200" value=edit_title /></label>
                        <label>"Description" <textarea name="description" maxlength="1000" rows="2">{task.description.clone().unwrap_or_default()}</textarea></label>
                        <label>
                            "Priority"
                            <select name="priority">
                                {["low", "medium", "high"].into_iter().map(|p| view! { <option value=p selected=p == task.priority>{p}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Tags" <input name="tags" type="text" value=edit_tags /></label>
                        <label>"Due date" <input name="due_date" type="date" value=task.due_date.clone().unwrap_or_default() /></label>
                        <button type="submit" class="button button-primary">"Save"</button>
                    </ActionForm>
                </details>
            </div>
            <ActionForm action=delete attr:class="delete-form">
                <input type="hidden" name="id" value=id />
                <button
                    type="submit"
                    class="icon-button danger"
                    aria-label=delete_label
                    on:click=move |_| deleted.set(Some(for_undo.clone()))
                >
                    <span aria-hidden="true">"✕"</span>
                </button>
            </ActionForm>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_dates() {
        assert_eq!(relative_due("2026-11-26", "2026-11-26").0, "due today");
        assert_eq!(relative_due("2026-11-27", "2026-11-26").0, "due tomorrow");
        assert_eq!(relative_due("2026-12-01", "2026-11-26").0, "due in 5 days");
        assert_eq!(
            relative_due("2026-11-24", "2026-11-26"),
            ("overdue by 2 days".into(), true)
        );
        assert_eq!(relative_due("2027-03-01", "2026-12-31").0, "due 2027-03-01");
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01"), Some(11017));
    }
}
