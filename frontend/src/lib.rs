//! The browser entry point: hydrates the islands of a server-rendered page, nothing else.

// The islands are exported from the `accord` crate; linking it keeps their hydration
// functions in this wasm.
pub use accord::islands;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // The page's script hydrates the islands next and then marks `<body data-hydrated>`.
    leptos::mount::hydrate_islands();
}
