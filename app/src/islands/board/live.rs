//! What a change made elsewhere says: announced in the board's polite live region
//! (the engine's stream has already refreshed the list). The tab's own changes, echoed
//! back on the stream, are not news.

use web_sys::Event;

use crate::board_dom::{
    id,
    stream::{COMPLETED, CREATED, DELETED, UPDATED},
};
use crate::islands::swap::{dom::by_id, stream::field};

pub fn announce(ev: &Event, echo: bool) {
    if echo {
        return;
    }
    let words = match (ev.type_().as_str(), field(ev, "title")) {
        (CREATED, Some(t)) => format!("“{t}” was added elsewhere."),
        (COMPLETED, Some(t)) => format!("“{t}” was updated elsewhere."),
        (UPDATED, Some(t)) => format!("“{t}” was edited elsewhere."),
        (DELETED, _) => "A task was deleted elsewhere.".to_string(),
        _ => "Your tasks changed elsewhere.".to_string(),
    };
    if let Some(note) = by_id(id::LIVE_NOTE) {
        note.set_text_content(Some(&words));
    }
}
