//! The settings that belong to planning: the time zone that decides what "today" is, and
//! export and import of the tasks. Plain forms and links: they work without JavaScript.

use leptos::{prelude::*, server_fn::ServerFn};

use super::auth_forms::query_value;
use crate::{
    api::SetTimeZone,
    board_dom::{class, EXPORT_URL, IMPORT_URL},
};

/// The remembered zone's name ("" when none: the browser's own, or UTC), and every
/// zone's name. Rendered on the server only.
fn zones() -> (String, Vec<&'static str>) {
    #[cfg(feature = "ssr")]
    {
        let current = crate::api::time_zone::remembered()
            .map(|tz| tz.name().to_string())
            .unwrap_or_default();
        (current, crate::api::time_zone::names().collect())
    }
    #[cfg(not(feature = "ssr"))]
    (String::new(), Vec::new())
}

#[component]
pub fn TimeZoneSettings() -> impl IntoView {
    let (current, names) = zones();
    let options = names
        .into_iter()
        .map(|name| view! { <option value=name selected=name == current>{name}</option> })
        .collect_view();
    view! {
        <div class="card settings-card" id="time-zone">
            <h2>"Time zone"</h2>
            <p class="muted">"It decides what “today” is on your board: Today, Upcoming, and dates typed as words."</p>
            <form method="post" action=SetTimeZone::url() class="stack">
                <label for="tz">"Time zone"</label>
                <select id="tz" name="tz">
                    <option value="" selected=current.is_empty()>"This browser’s (UTC without JavaScript)"</option>
                    {options}
                </select>
                <button type="submit" class="button button-primary">"Save time zone"</button>
            </form>
        </div>
    }
}

#[component]
pub fn TransferSettings() -> impl IntoView {
    let imported = query_value("imported")();
    let error = query_value("import_error")();
    view! {
        <div class="card settings-card" id="transfer">
            <h2>"Export and import"</h2>
            {(!imported.is_empty()).then(|| view! {
                <p class="notice" role="status">{format!("Imported {imported} tasks.")}</p>
            })}
            {(!error.is_empty()).then(|| view! {
                <p class=class::ERROR role="alert">"Nothing was imported: " {error.clone()}</p>
            })}
            <p>
                "Export my tasks: "
                <a href=format!("{EXPORT_URL}?format=json") download>"JSON"</a>
                " · "
                <a href=format!("{EXPORT_URL}?format=csv") download>"CSV"</a>
            </p>
            <form method="post" action=IMPORT_URL enctype="multipart/form-data" class="stack">
                <label for="import-file">"Import tasks from a file (this app’s JSON or CSV export, or a Todoist CSV export)"</label>
                <input id="import-file" name="file" type="file" accept=".json,.csv,application/json,text/csv" required />
                <button type="submit" class="button">"Import"</button>
            </form>
        </div>
    }
}
