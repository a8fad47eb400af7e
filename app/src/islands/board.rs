//! The board's one island. Everything inside it is server-rendered HTML passed in as
//! children (forms and links that work without JavaScript); the island only listens
//! at its root and, in the browser, sends those forms in place (see `enhance`).

use leptos::prelude::*;

#[island]
pub fn BoardIsland(children: Children) -> impl IntoView {
    // In the browser the body runs at hydration, when the server's HTML is already
    // there: listen at the root straight away (no signals, no effects to ship).
    #[cfg(feature = "hydrate")]
    super::enhance::enhance(ROOT);
    view! { <div id=ROOT class="board-root">{children()}</div> }
}

const ROOT: &str = "board-root";
