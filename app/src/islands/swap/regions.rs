//! Refreshing the page: its fresh HTML fetched, and each region marked
//! [`attrs::REGION`] replaced by its new copy of the same id. The rest of the page (and
//! so scroll, focus and whatever the user is typing) stays as it is.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DomParser, Element, RequestInit, SupportedType};

use super::{
    attrs,
    dom::{class, closest, document, focus_id, has, window},
    http::{fetch, text_of},
    page::Editor,
    state::{self, page, Busy},
};

pub enum Nav {
    /// The same URL (after an action, or on back/forward).
    Stay,
    /// A new view: a history entry.
    Push,
    /// Typing in a view form: the URL follows without a history entry per key.
    Replace,
    /// A change from elsewhere (live sync): the same URL; given up, not retried as a
    /// page load, if it fails or if the user acted meanwhile.
    Background,
}

/// Fetches `url`'s page and swaps in its regions. The page's busy region is dimmed
/// (`aria-busy`, see [`Busy`]) meanwhile, never emptied.
pub async fn refresh(url: String, nav: Nav) {
    let _busy = Busy::start();
    let background = matches!(nav, Nav::Background);
    // A background refresh never supersedes the user's: it takes no number of its own,
    // and is dropped if one of theirs starts after it.
    let mine = state::with(|s| {
        if !background {
            s.latest += 1;
        }
        s.latest
    });
    let page = page();
    let response = fetch(&url, &RequestInit::new(), "text/html").await;
    let html = match &response {
        Ok(r) if r.ok() => Some(text_of(r).await),
        _ => None,
    };
    // Superseded; or a post is under way (it may have changed what this shows, and
    // refreshes by itself when done); or (in the background) the user did something
    // meanwhile, which refreshes by itself too. A dragged item is never swapped away
    // under the pointer: the refresh is owed until it lands.
    let (latest, busy, posting) = state::with(|s| (s.latest, s.busy, s.posting));
    if latest != mine || posting > 0 || (background && busy > 1) {
        return;
    }
    if state::with(|s| s.dragging.is_some()) {
        state::with(|s| s.owed_refresh = true);
        return;
    }
    let Some(html) = html else {
        if background {
            return;
        }
        // Offline or failing: an ordinary page load shows what the server says.
        let _ = window().location().set_href(&url);
        return;
    };
    // Redirected away from the page (signed out meanwhile): follow.
    if let Ok(r) = &response {
        let elsewhere = web_sys::Url::new(&r.url()).is_ok_and(|u| u.pathname() != page.path);
        if r.redirected() && elsewhere {
            let _ = window().location().set_href(&r.url());
            return;
        }
    }
    if let Ok(history) = window().history() {
        let _ = match nav {
            Nav::Stay | Nav::Background => Ok(()),
            Nav::Push => history.push_state_with_url(&JsValue::NULL, "", Some(&url)),
            Nav::Replace => history.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        };
    }
    swap(&html, page.editor.as_ref());
    state::show_busy();
}

/// Replaces each region with the fresh one of the same id, except one the user is
/// typing in. Open editors and the focused control survive the swap.
fn swap(html: &str, editor: Option<&Editor>) {
    let Ok(parser) = DomParser::new() else { return };
    let Ok(fresh) = parser.parse_from_string(html, SupportedType::TextHtml) else {
        return;
    };
    let doc = document();
    let active = doc.active_element();
    let focused = active.as_ref().map(Element::id).filter(|id| !id.is_empty());
    // Typing in an editor does not hold its region back: the editor's item is carried
    // into the new region whole (`keep_open_editors`), so a change from elsewhere shows
    // around it. Typing anywhere else (a search box) keeps that region as it is.
    let in_editor =
        |el: &Element| editor.is_some_and(|e| closest::<Element>(el, &class(e.form)).is_some());
    let typing = active.as_ref().is_some_and(|a| {
        matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") && !in_editor(a)
    });
    let Ok(regions) = fresh.query_selector_all(&has(attrs::REGION)) else {
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
            // Not under the user's fingers; but its hidden fields (a view form's
            // status, after a tab click) follow the new view.
            sync_hidden_fields(&old, &new);
            continue;
        }
        if let Some(editor) = editor {
            keep_open_editors(editor, &old, &new);
        }
        let _ = old.replace_with_with_node_1(&new);
    }
    doc.set_title(&fresh.title());
    let lost = doc.active_element().is_none_or(|a| a.tag_name() == "BODY");
    if let (true, Some(id)) = (lost, focused) {
        focus_id(&id);
    }
}

/// Replaces `old`'s hidden inputs with `new`'s.
fn sync_hidden_fields(old: &Element, new: &Element) {
    let hidden = "input[type=hidden]";
    if let Ok(stale) = old.query_selector_all(hidden) {
        for i in 0..stale.length() {
            if let Some(el) = stale.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                el.remove();
            }
        }
    }
    if let Ok(fresh) = new.query_selector_all(hidden) {
        for i in 0..fresh.length() {
            if let Some(node) = fresh.item(i) {
                let _ = old.prepend_with_node_1(&node);
            }
        }
    }
}

/// An item being edited stays as it is, with what was typed, in the new region.
fn keep_open_editors(editor: &Editor, old: &Element, new: &Element) {
    let item = class(editor.item);
    let open = format!("{item} {}:not({})", class(editor.form), has(attrs::CLOSING));
    let Ok(open) = old.query_selector_all(&open) else {
        return;
    };
    for i in 0..open.length() {
        let Some(row) = open
            .item(i)
            .and_then(|n| n.dyn_into::<Element>().ok())
            .and_then(|form| closest::<Element>(&form, &item))
        else {
            continue;
        };
        if let Ok(Some(replaced)) = new.query_selector(&format!("#{}", row.id())) {
            let _ = replaced.replace_with_with_node_1(&row);
        }
    }
}
