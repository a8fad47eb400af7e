//! Drag to reorder, with a mouse, a pen or a finger (Pointer Events): pressing an item's
//! handle picks the item up, moving over its siblings moves it among them in the page,
//! and letting go tells the page where it landed (after which item), once, if it moved.
//! A cancelled pointer puts it back.

use wasm_bindgen::JsCast;
use web_sys::{Element, Event, PointerEvent};

use wasm_bindgen_futures::spawn_local;

use super::{
    dom::{class, closest, document, here, listen},
    regions::{refresh, Nav},
    state::{self, page},
};

/// A page's reorderable items.
pub struct Reorder {
    /// The class of the items (siblings in one parent).
    pub item: &'static str,
    /// The class of the handle inside an item that starts a drag.
    pub handle: &'static str,
    /// On the item while it is dragged.
    pub dragging: &'static str,
    /// Told where a moved item landed: the item and the item now before it (none: first).
    pub dropped: fn(Element, Option<Element>),
}

pub fn listen_for_drags(root: &Element) {
    listen(root, "pointerdown", on_down);
    listen(&document(), "pointermove", on_move);
    listen(&document(), "pointerup", |_| finish(true));
    listen(&document(), "pointercancel", |_| finish(false));
}

fn on_down(ev: Event) {
    let Some(reorder) = page().reorder.as_ref() else {
        return;
    };
    let Some(pointer) = ev.dyn_ref::<PointerEvent>() else {
        return;
    };
    if pointer.button() != 0 {
        return;
    }
    let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
    let handle = target.and_then(|t| closest::<Element>(&t, &class(reorder.handle)));
    let Some(item) = handle.and_then(|h| closest::<Element>(&h, &class(reorder.item))) else {
        return;
    };
    ev.prevent_default();
    let _ = item.class_list().add_1(reorder.dragging);
    let was_before = item.next_element_sibling();
    state::with(|s| s.dragging = Some((item, was_before)));
}

fn on_move(ev: Event) {
    let Some(reorder) = page().reorder.as_ref() else {
        return;
    };
    let Some(pointer) = ev.dyn_ref::<PointerEvent>() else {
        return;
    };
    let Some(item) = state::with(|s| s.dragging.as_ref().map(|(item, _)| item.clone())) else {
        return;
    };
    ev.prevent_default();
    let (x, y) = (pointer.client_x() as f32, pointer.client_y() as f32);
    let over = document()
        .element_from_point(x, y)
        .and_then(|el| closest::<Element>(&el, &class(reorder.item)));
    let Some(over) = over.filter(|o| *o != item && o.parent_element() == item.parent_element())
    else {
        return;
    };
    let rect = over.get_bounding_client_rect();
    let below_middle = f64::from(y) > rect.top() + rect.height() / 2.0;
    let reference = if below_middle {
        over.next_element_sibling()
    } else {
        Some(over.clone())
    };
    if let Some(parent) = item.parent_element() {
        let _ = parent.insert_before(&item, reference.as_ref().map(|r| r.unchecked_ref()));
    }
}

/// Ends a drag: dropped where it is (`keep`), or put back. A refresh held back during
/// the drag comes now, unless the drop's own post brings one.
fn finish(keep: bool) {
    let Some((item, was_before)) = state::with(|s| s.dragging.take()) else {
        return;
    };
    let owed = state::with(|s| std::mem::take(&mut s.owed_refresh));
    let Some(reorder) = page().reorder.as_ref() else {
        return;
    };
    let _ = item.class_list().remove_1(reorder.dragging);
    let moved = item.next_element_sibling() != was_before;
    if moved && keep {
        (reorder.dropped)(item.clone(), item.previous_element_sibling());
        return;
    }
    if let (true, Some(parent)) = (moved, item.parent_element()) {
        let _ = parent.insert_before(&item, was_before.as_ref().map(|r| r.unchecked_ref()));
    }
    if owed {
        spawn_local(refresh(here(), Nav::Stay));
    }
}
