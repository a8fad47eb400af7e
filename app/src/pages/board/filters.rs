//! Which tasks the board shows: the status tabs (with counts) and the search, sort and
//! filter bar. All of it lives in the URL, so a view can be bookmarked; with
//! JavaScript the island applies a change as it is made, without it "Apply" does.

use leptos::prelude::*;

use super::links::link_with;
use crate::{
    api::{Summary, TaskFilter, SORTS},
    board_dom::{behaviour, id},
    islands::swap::attrs,
};

/// The status tabs (with counts) and the planning views, Today and Upcoming. A view
/// tab replaces the status, and a status tab leaves the view.
#[component]
pub fn StatusTabs(filter: TaskFilter, summary: Summary) -> impl IntoView {
    let view = filter.view.clone().filter(|v| !v.is_empty());
    let status = filter
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "all".into());
    let tabs = [
        ("status", "all", "All", Some(summary.all)),
        ("status", "pending", "Pending", Some(summary.pending)),
        ("status", "completed", "Completed", Some(summary.completed)),
        ("view", "today", "Today", None),
        ("view", "upcoming", "Upcoming", None),
    ];
    view! {
        <nav class="tabs" id=id::TABS aria-label="Filter by status or plan" {..attrs::region()}>
            {tabs
                .into_iter()
                .map(|(key, value, label, n)| {
                    let (href, active) = if key == "view" {
                        let other = TaskFilter { status: None, ..filter.clone() };
                        (link_with(&other, "view", value), view.as_deref() == Some(value))
                    } else {
                        let other = TaskFilter { view: None, ..filter.clone() };
                        let value_in_url = if value == "all" { "" } else { value };
                        (link_with(&other, "status", value_in_url), view.is_none() && status == value)
                    };
                    view! {
                        <a
                            href=href
                            class=if active { "tab active" } else { "tab" }
                            aria-current=active.then_some("page")
                            id=(key == "view").then(|| id::view_tab(value))
                            {..attrs::nav()}
                        >
                            {label}
                            {n.map(|n| view! { " " <span class="count">{n}</span> })}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
pub fn Toolbar(filter: TaskFilter) -> impl IntoView {
    let sort = filter.sort_choice();
    let priority = filter.priority.clone().unwrap_or_default();
    let sorts = SORTS
        .iter()
        .map(|(value, label, ..)| view! { <option value=*value selected=*value == sort>{*label}</option> })
        .collect_view();
    let priorities = [
        ("", "Any priority"),
        ("high", "High"),
        ("medium", "Medium"),
        ("low", "Low"),
    ]
    .into_iter()
    .map(|(value, label)| view! { <option value=value selected=value == priority>{label}</option> })
    .collect_view();
    view! {
        <form method="get" action="/" class="toolbar" id=id::FILTER role="search" {..(attrs::region(), attrs::behaviour(behaviour::FILTER))}>
            {filter
                .status
                .clone()
                .filter(|s| !s.is_empty())
                .map(|s| view! { <input type="hidden" name="status" value=s /> })}
            {filter
                .view
                .clone()
                .filter(|v| !v.is_empty())
                .map(|v| view! { <input type="hidden" name="view" value=v /> })}
            <label class="visually-hidden" for=id::SEARCH>"Search tasks"</label>
            <input id=id::SEARCH name="q" type="search" placeholder="Search" autocomplete="off" value=filter.q.clone().unwrap_or_default() />
            <label class="visually-hidden" for="sort">"Sort"</label>
            <select id="sort" name="sort">{sorts}</select>
            <label class="visually-hidden" for="priority-filter">"Priority"</label>
            <select id="priority-filter" name="priority">{priorities}</select>
            <label class="visually-hidden" for="tag-filter">"Tag"</label>
            <input id="tag-filter" name="tag" type="text" placeholder="Tag" value=filter.tag.clone().unwrap_or_default() />
            <button type="submit" class="button apply">"Apply"</button>
        </form>
    }
}
