//! The board's keyboard shortcuts (the `?` dialog lists them): `n` new task, `/`
//! search, `j`/`k` next and previous task, `x` complete, `e` edit, `Delete` or `#`
//! delete, `z` undo a delete, `t`/`u` Today and Upcoming, Alt+↑/↓ move (in "My order"). The selected task is the one
//! with the focus (its completion toggle, named for screen readers by the task's title),
//! so moving the selection is moving the focus, and the row shows it (`:focus-within`).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::board_dom::{attr, class, id};
use crate::islands::swap::dom::{by_id, class as dot, closest, document, find, focus_id, has};

/// The row the focus is in, if any.
fn selected(focused: &Element) -> Option<Element> {
    closest(focused, &dot(class::TASK))
}

/// Every row on the board, in order (not one hidden by a delete under way).
fn rows() -> Vec<Element> {
    let Ok(list) = document().query_selector_all(&dot(class::TASK)) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .filter(|row| !row.class_list().contains(class::HIDDEN))
        .collect()
}

/// Focuses a row's completion toggle: the row is selected.
fn select(row: &Element) -> bool {
    match find::<HtmlElement>(row, &dot(class::CHECK)) {
        Some(check) => {
            let _ = check.focus();
            true
        }
        None => false,
    }
}

/// Clicks `el`, if there is one: whether it was.
fn click(el: Option<HtmlElement>) -> bool {
    el.map(|el| el.click()).is_some()
}

/// Clicks the element under the selected row that matches `selector`.
fn click_in_selected(focused: &Element, selector: &str) -> bool {
    click(selected(focused).and_then(|row| find::<HtmlElement>(&row, selector)))
}

fn step(focused: &Element, by: isize) -> bool {
    let rows = rows();
    let at = selected(focused).and_then(|row| rows.iter().position(|r| *r == row));
    let next = match at {
        Some(i) => i.checked_add_signed(by).filter(|n| *n < rows.len()),
        None if by > 0 => Some(0).filter(|_| !rows.is_empty()),
        None => rows.len().checked_sub(1),
    };
    next.is_some_and(|n| select(&rows[n]))
}

pub fn next(focused: Element) -> bool {
    step(&focused, 1)
}

pub fn previous(focused: Element) -> bool {
    step(&focused, -1)
}

pub fn new_task(_: Element) -> bool {
    focus_id(id::NEW_TITLE);
    true
}

pub fn search(_: Element) -> bool {
    focus_id(id::SEARCH);
    true
}

pub fn complete(focused: Element) -> bool {
    click_in_selected(&focused, &dot(class::CHECK))
}

pub fn edit(focused: Element) -> bool {
    click_in_selected(&focused, &has(attr::OPEN_EDITOR))
}

pub fn delete(focused: Element) -> bool {
    click_in_selected(&focused, &dot(class::DELETE))
}

/// Alt+↑ and Alt+↓: the selected task moves (in the user's own order, where rows
/// have their up and down buttons).
pub fn move_up(focused: Element) -> bool {
    click_in_selected(&focused, &dot(class::MOVE_UP))
}

pub fn move_down(focused: Element) -> bool {
    click_in_selected(&focused, &dot(class::MOVE_DOWN))
}

/// Undoes the last delete while its notice shows.
pub fn undo(_: Element) -> bool {
    let shown = format!("{}:not([hidden]) button[type=submit]", dot(class::TOAST));
    click(by_id(id::TOAST).and_then(|t| find::<HtmlElement>(&t, &shown)))
}

fn follow(tab: &str) -> bool {
    click(by_id(&id::view_tab(tab)).and_then(|a| a.dyn_into::<HtmlElement>().ok()))
}

pub fn today(_: Element) -> bool {
    follow("today")
}

pub fn upcoming(_: Element) -> bool {
    follow("upcoming")
}

/// `?`, and the "Keyboard shortcuts" button: the dialog that lists the shortcuts.
pub fn help(_: Element) -> bool {
    let dialog = by_id(id::SHORTCUTS).and_then(|d| d.dyn_into::<web_sys::HtmlDialogElement>().ok());
    match dialog {
        Some(d) if !d.open() => d.show_modal().is_ok(),
        _ => false,
    }
}
