//! The browser entry point: hydrates the islands of a server-rendered page, nothing else.

// The islands are exported from the `accord` crate; linking it keeps their hydration
// functions in this wasm.
pub use accord::islands;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
    // End-to-end tests and `make bench` wait for this marker.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
