//! The board in the browser: the same forms and links as without JavaScript, sent with
//! `fetch` instead of a page load, and the parts of the page that changed swapped in
//! from the server's fresh HTML (`[data-swap]` regions, matched by id). So the list
//! never blanks, scroll and focus stay where they were, and the rows are rendered by
//! one piece of code: the server's.
//!
//! Toggle and delete are optimistic (the row changes at once and is put back if the
//! server refuses); adding clears the box at once so the next task can be typed.
//! Answers are read with the browser's own `JSON.parse`: no serde in the bundle.

use std::cell::Cell;

use js_sys::{Reflect, JSON};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    Document, DomParser, Element, Event, EventTarget, FormData, Headers, HtmlElement,
    HtmlFormElement, HtmlInputElement, KeyboardEvent, MouseEvent, RequestInit, Response,
    SupportedType, UrlSearchParams, Window,
};

const TRY_AGAIN: &str = "Something went wrong. Please try again.";
const OFFLINE: &str = "Could not reach the server. Check your connection and try again.";
/// How long the "Undo" notice stays.
const TOAST_MS: i32 = 8_000;
/// Search-as-you-type waits for a pause this long.
const TYPING_MS: i32 = 300;

thread_local! {
    /// The newest refresh; an older one that answers late is dropped.
    static LATEST: Cell<u32> = const { Cell::new(0) };
    /// The newest undo notice, so that an old timer does not hide a new one.
    static TOAST: Cell<u32> = const { Cell::new(0) };
    /// The pending search-as-you-type timer.
    static TYPING: Cell<i32> = const { Cell::new(0) };
}

fn window() -> Window {
    web_sys::window().expect("a window")
}

fn document() -> Document {
    window().document().expect("a document")
}

fn by_id(id: &str) -> Option<Element> {
    document().get_element_by_id(id)
}

/// Starts listening at the island's root, the element with id `root` (events bubble
/// up from every form and link).
pub fn enhance(root: &str) {
    let Some(root) = by_id(root) else { return };
    let _ = root.class_list().add_1("enhanced");
    listen(&root, "submit", on_submit);
    listen(&root, "click", on_click);
    listen(&root, "change", on_change);
    listen(&root, "input", on_input);
    listen(&root, "keydown", on_keydown);
    listen(&window(), "popstate", |_| {
        spawn_local(refresh(here(), Nav::Stay))
    });
}

fn listen(target: &EventTarget, name: &str, handler: fn(Event)) {
    let callback = Closure::<dyn Fn(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
    // Listeners live as long as the page.
    callback.forget();
}

fn here() -> String {
    let location = window().location();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    let search = location.search().unwrap_or_default();
    format!("{path}{search}")
}

fn target_element(ev: &Event) -> Option<Element> {
    ev.target()?.dyn_into::<Element>().ok()
}

fn closest<T: JsCast>(el: &Element, selector: &str) -> Option<T> {
    el.closest(selector).ok().flatten()?.dyn_into::<T>().ok()
}

// --- events ---------------------------------------------------------------------------

fn on_submit(ev: Event) {
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let Some(kind) = form.get_attribute("data-enhance") else {
        return;
    };
    ev.prevent_default();
    match kind.as_str() {
        "filter" => spawn_local(refresh(filter_url(&form), Nav::Push)),
        "add" => add(form),
        "toggle" => toggle(form),
        "delete" => delete(form),
        "edit" => edit(form),
        "restore" => restore(form),
        _ => {}
    }
}

fn on_click(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    let plain = ev.dyn_ref::<MouseEvent>().is_none_or(|m| {
        m.button() == 0 && !(m.ctrl_key() || m.meta_key() || m.shift_key() || m.alt_key())
    });
    if !plain {
        return;
    }
    let href = |link: &Element| link.get_attribute("href").unwrap_or_else(|| "/".into());
    if let Some(link) = closest::<Element>(&el, "a[data-nav]") {
        ev.prevent_default();
        spawn_local(refresh(href(&link), Nav::Push));
    } else if let Some(link) = closest::<Element>(&el, "a[data-edit]") {
        // The row's editor, fetched in place; the URL stays the board's.
        ev.prevent_default();
        let field = format!("edit-title-{}", link.id().trim_start_matches("edit-"));
        spawn_local(async move {
            refresh(href(&link), Nav::Stay).await;
            focus_id(&field);
        });
    } else if closest::<Element>(&el, "[data-dismiss]").is_some() {
        ev.prevent_default();
        hide_toast();
    } else if let Some(form) = closest::<Element>(&el, "a[data-cancel]")
        .and_then(|a| closest::<Element>(&a, "form.edit-form"))
    {
        ev.prevent_default();
        spawn_local(close_editor(form));
    }
}

/// A changed select in the filter bar applies at once.
fn on_change(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    if el.tag_name() == "SELECT" {
        if let Some(form) = closest::<HtmlFormElement>(&el, "form[data-enhance=filter]") {
            spawn_local(refresh(filter_url(&form), Nav::Push));
        }
    }
}

/// Typing in the search or tag box applies after a short pause.
fn on_input(ev: Event) {
    let Some(el) = target_element(&ev) else {
        return;
    };
    if el.tag_name() != "INPUT" {
        return;
    }
    let Some(form) = closest::<HtmlFormElement>(&el, "form[data-enhance=filter]") else {
        return;
    };
    let win = window();
    TYPING.with(|t| win.clear_timeout_with_handle(t.get()));
    let later =
        Closure::once_into_js(move || spawn_local(refresh(filter_url(&form), Nav::Replace)));
    let id = win
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), TYPING_MS)
        .unwrap_or(0);
    TYPING.with(|t| t.set(id));
}

/// Escape in an open editor closes it and puts the fields back.
fn on_keydown(ev: Event) {
    let Some(key) = ev.dyn_ref::<KeyboardEvent>().map(KeyboardEvent::key) else {
        return;
    };
    if key != "Escape" {
        return;
    }
    if let Some(form) = target_element(&ev).and_then(|el| closest::<Element>(&el, "form.edit-form"))
    {
        ev.prevent_default();
        spawn_local(close_editor(form));
    }
}

// --- the board's actions ----------------------------------------------------------------

fn add(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let title = form
        .query_selector("input[name=title]")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok());
    let typed = title
        .as_ref()
        .map(HtmlInputElement::value)
        .unwrap_or_default();
    // Empty at once and keep the focus: the next task can be typed while this one saves.
    form.reset();
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => {
                clear_error(&form);
                refresh(here(), Nav::Stay).await;
            }
            Err(message) => {
                if let Some(title) = title.filter(|t| t.value().is_empty()) {
                    title.set_value(&typed);
                }
                show_error(&form, &message);
            }
        }
    });
}

fn toggle(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = closest::<Element>(&form, "li.task") else {
        return;
    };
    let flip = {
        let row = row.clone();
        move || {
            let done = row.class_list().toggle("done").unwrap_or(false);
            if let Ok(Some(check)) = row.query_selector(".check") {
                let _ = check.set_attribute("aria-checked", if done { "true" } else { "false" });
            }
        }
    };
    flip();
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => refresh(here(), Nav::Stay).await,
            Err(message) => {
                flip();
                row_error(&row, &message);
            }
        }
    });
}

fn delete(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    let Some(row) = closest::<Element>(&form, "li.task") else {
        return;
    };
    let title = row
        .query_selector(".task-title")
        .ok()
        .flatten()
        .and_then(|t| t.text_content())
        .unwrap_or_default();
    // Focus moves to the next row (or the previous one), never to the page's top.
    let neighbour = row
        .next_element_sibling()
        .or_else(|| row.previous_element_sibling())
        .and_then(|n| n.query_selector(".check").ok().flatten())
        .and_then(|c| c.dyn_into::<HtmlElement>().ok());
    let _ = row.class_list().add_1("hidden");
    match neighbour {
        Some(n) => {
            let _ = n.focus();
        }
        None => focus_id("new-title"),
    }
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(answer) => {
                let token = JSON::parse(&answer)
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                show_toast(&title, &token);
                refresh(here(), Nav::Stay).await;
            }
            Err(message) => {
                let _ = row.class_list().remove_1("hidden");
                row_error(&row, &message);
            }
        }
    });
}

fn edit(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => close_editor(form.into()).await,
            Err(message) => show_error(&form, &message),
        }
    });
}

fn restore(form: HtmlFormElement) {
    let Some(body) = form_body(&form) else { return };
    spawn_local(async move {
        match post(&form.action(), &body).await {
            Ok(_) => {
                hide_toast();
                refresh(here(), Nav::Stay).await;
            }
            Err(message) => show_error(&form, &message),
        }
    });
}

/// Closes an editor: the row comes back as the server renders it now, and focus
/// returns to its Edit link.
async fn close_editor(form: Element) {
    let _ = form.set_attribute("data-closing", "");
    // Focus in the editor would keep its region from being swapped (see `swap`).
    if let Some(a) = document()
        .active_element()
        .and_then(|a| a.dyn_into::<HtmlElement>().ok())
    {
        let _ = a.blur();
    }
    let row = closest::<Element>(&form, "li.task").map(|r| r.id());
    refresh(here(), Nav::Stay).await;
    if let Some(row) = row {
        focus_id(&row.replace("task-", "edit-"));
    }
}

fn focus_id(id: &str) {
    if let Some(el) = by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

// --- the undo notice ----------------------------------------------------------------------

fn toast() -> Option<Element> {
    document().query_selector("#toast .toast").ok().flatten()
}

fn show_toast(title: &str, token: &str) {
    let Some(toast) = toast() else { return };
    if let Ok(Some(text)) = toast.query_selector(".toast-text") {
        text.set_text_content(Some(&format!("Deleted “{title}”.")));
    }
    if let Some(input) = toast
        .query_selector("input[name=token]")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
    {
        input.set_value(token);
    }
    if let Ok(Some(error)) = toast.query_selector(".form-error") {
        error.remove();
    }
    let _ = toast.remove_attribute("hidden");
    let shown = TOAST.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    let later = Closure::once_into_js(move || {
        if TOAST.with(Cell::get) == shown {
            hide_toast();
        }
    });
    let _ = window()
        .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), TOAST_MS);
}

fn hide_toast() {
    if let Some(toast) = toast() {
        let _ = toast.set_attribute("hidden", "");
    }
}

// --- errors -------------------------------------------------------------------------------

/// Shows `message` at the end of `container` (one message at a time).
fn show_error(container: &Element, message: &str) {
    let existing = container
        .query_selector(":scope > .form-error")
        .ok()
        .flatten();
    let p = match existing {
        Some(p) => p,
        None => {
            let Ok(p) = document().create_element("p") else {
                return;
            };
            p.set_class_name("form-error");
            let _ = p.set_attribute("role", "alert");
            let _ = container.append_child(&p);
            p
        }
    };
    p.set_text_content(Some(message));
}

fn clear_error(container: &Element) {
    if let Ok(Some(p)) = container.query_selector(":scope > .form-error") {
        p.remove();
    }
}

fn row_error(row: &Element, message: &str) {
    if let Ok(Some(body)) = row.query_selector(".task-body") {
        show_error(&body, message);
    }
}

// --- talking to the server ------------------------------------------------------------------

/// The form's fields as the browser would post them.
fn form_body(form: &HtmlFormElement) -> Option<UrlSearchParams> {
    let data = FormData::new_with_form(form).ok()?;
    UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
}

/// The filter form's URL, leaving out empty fields.
fn filter_url(form: &HtmlFormElement) -> String {
    let out = UrlSearchParams::new().expect("URLSearchParams");
    if let Some(fields) = form_body(form) {
        let entries = js_sys::try_iter(&fields).ok().flatten();
        for entry in entries.into_iter().flatten().flatten() {
            let pair = js_sys::Array::from(&entry);
            let (key, value) = (pair.get(0).as_string(), pair.get(1).as_string());
            if let (Some(key), Some(value)) = (key, value.filter(|v| !v.trim().is_empty())) {
                out.append(&key, &value);
            }
        }
    }
    let query = String::from(out.to_string());
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

async fn fetch(url: &str, init: &RequestInit) -> Result<Response, JsValue> {
    JsFuture::from(window().fetch_with_str_and_init(url, init))
        .await?
        .dyn_into()
}

async fn text_of(response: &Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Off to sign in (and back here afterwards): the session ended meanwhile.
fn sign_in_again() {
    let next = String::from(js_sys::encode_uri_component(&here()));
    let _ = window()
        .location()
        .set_href(&format!("/sign-in?next={next}"));
}

/// Posts a form's fields to its server function; the answer's JSON text, or the words
/// of its error.
async fn post(action: &str, body: &UrlSearchParams) -> Result<String, String> {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Accept", "application/json");
        init.set_headers(&headers);
    }
    let response = fetch(action, &init)
        .await
        .map_err(|_| OFFLINE.to_string())?;
    let text = text_of(&response).await;
    if response.ok() {
        return Ok(text);
    }
    if response.status() == 401 {
        sign_in_again();
    }
    let message = JSON::parse(&text)
        .ok()
        .and_then(|v| Reflect::get(&v, &JsValue::from_str("message")).ok())
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| TRY_AGAIN.to_string());
    Err(message)
}

enum Nav {
    /// The same URL (after an action, or on back/forward).
    Stay,
    /// A new view: a history entry.
    Push,
    /// Typing in the search box: the URL follows without a history entry per key.
    Replace,
}

/// Fetches `url`'s page and swaps in its `[data-swap]` regions. The list is dimmed
/// (`aria-busy`) meanwhile, never emptied.
async fn refresh(url: String, nav: Nav) {
    let mine = LATEST.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    let busy = by_id("board-list");
    if let Some(b) = &busy {
        let _ = b.set_attribute("aria-busy", "true");
    }
    let init = RequestInit::new();
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Accept", "text/html");
        init.set_headers(&headers);
    }
    let response = fetch(&url, &init).await;
    let html = match &response {
        Ok(r) if r.ok() => Some(text_of(r).await),
        _ => None,
    };
    if LATEST.with(Cell::get) != mine {
        return;
    }
    if let Some(b) = by_id("board-list") {
        let _ = b.remove_attribute("aria-busy");
    }
    let Some(html) = html else {
        // Offline or failing: an ordinary page load shows what the server says.
        let _ = window().location().set_href(&url);
        return;
    };
    // Redirected away from the board (signed out meanwhile): follow.
    if let Ok(r) = &response {
        let elsewhere = web_sys::Url::new(&r.url()).is_ok_and(|u| u.pathname() != "/");
        if r.redirected() && elsewhere {
            let _ = window().location().set_href(&r.url());
            return;
        }
    }
    if let Ok(history) = window().history() {
        let _ = match nav {
            Nav::Stay => Ok(()),
            Nav::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
            Nav::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        };
    }
    swap(&html);
}

/// Replaces each `[data-swap]` region with the fresh one of the same id, except one
/// the user is typing in. Open editors and the focused control survive the swap.
fn swap(html: &str) {
    let Ok(parser) = DomParser::new() else { return };
    let Ok(fresh) = parser.parse_from_string(html, SupportedType::TextHtml) else {
        return;
    };
    let doc = document();
    let active = doc.active_element();
    let focused = active.as_ref().map(Element::id).filter(|id| !id.is_empty());
    let typing = active
        .as_ref()
        .is_some_and(|a| matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
    let Ok(regions) = fresh.query_selector_all("[data-swap]") else {
        return;
    };
    for i in 0..regions.length() {
        let Some(new) = regions.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(old) = doc.get_element_by_id(&new.id()) else {
            continue;
        };
        if typing && old.contains(active.as_ref().map(|a| a.unchecked_ref())) {
            continue;
        }
        keep_open_editors(&old, &new);
        let _ = old.replace_with_with_node_1(&new);
    }
    doc.set_title(&fresh.title());
    let lost = doc.active_element().is_none_or(|a| a.tag_name() == "BODY");
    if let (true, Some(id)) = (lost, focused) {
        focus_id(&id);
    }
}

/// A row being edited stays as it is, with what was typed, in the new list.
fn keep_open_editors(old: &Element, new: &Element) {
    let Ok(open) = old.query_selector_all("li.task form.edit-form:not([data-closing])") else {
        return;
    };
    for i in 0..open.length() {
        let Some(row) = open
            .item(i)
            .and_then(|n| n.dyn_into::<Element>().ok())
            .and_then(|form| closest::<Element>(&form, "li.task"))
        else {
            continue;
        };
        if let Ok(Some(replaced)) = new.query_selector(&format!("#{}", row.id())) {
            let _ = replaced.replace_with_with_node_1(&row);
        }
    }
}
