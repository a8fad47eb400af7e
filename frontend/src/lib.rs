//! The WASM entry point: hydrates the islands in the server-rendered page.
//!
//! Only `app`'s islands (with the `hydrate` feature) are compiled into the bundle; the
//! pages, the core crate, the server and every database driver stay out of it.

use wasm_bindgen::{closure::Closure, JsCast};

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The islands are exported from `app`: naming the crate keeps them linked in.
    #[allow(unused_imports)]
    use app::islands::*;
    // Panic messages in the console cost kilobytes of formatting code: debug builds only.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    mark_hydrated();
}

/// The loader hydrates each island right after this function returns, in one turn of
/// the event loop; a zero-delay timer fires after that. `body[data-hydrated]` then
/// tells tests (and the time-to-interactive benchmark) that the page is live.
fn mark_hydrated() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let mark = Closure::once_into_js(|| {
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(mark.unchecked_ref(), 0);
}
