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

#[component]
pub fn StatusTabs(filter: TaskFilter, summary: Summary) -> impl IntoView {
    let current = filter
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "all".into());
    let tabs = [
        ("all", "All", summary.all),
        ("pending", "Pending", summary.pending),
        ("completed", "Completed", summary.completed),
    ];
    view! {
        <nav class="tabs" id=id::TABS aria-label="Filter by status" {..attrs::region()}>
            {tabs
                .into_iter()
                .map(|(key, label, n)| {
                    let href = link_with(&filter, "status", if key == "all" { "" } else { key });
                    let active = current == key;
                    view! {
                        <a
                            href=href
                            class=if active { "tab active" } else { "tab" }
                            aria-current=active.then_some("page")
                            {..attrs::nav()}
                        >
                            {label} " " <span class="count">{n}</span>
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
            <label class="visually-hidden" for="search">"Search tasks"</label>
            <input id="search" name="q" type="search" placeholder="Search" autocomplete="off" value=filter.q.clone().unwrap_or_default() />
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
