//! The WASM entry point: sets up the islands' runtime. The page's loader (see
//! `app::shell`) then hydrates each island through its exported function.
//!
//! Only `app`'s islands (with the `hydrate` feature) are compiled into the bundle; the
//! pages, the core crate, the server and every database driver stay out of it.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The islands are exported from `app`: naming the crate keeps them linked in.
    #[allow(unused_imports)]
    use app::islands::*;
    // Panic messages in the console cost kilobytes of formatting code: debug builds only.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
