//! The only code that runs in the browser. Pages are rendered on the server and work
//! without JavaScript; an island adds what a page cannot do by itself. Both islands take
//! no props: everything they show is already in the server-rendered HTML (translated), so
//! the browser bundle carries no page text and no JSON decoder.

mod draft;
mod enhance;

pub use draft::DraftEditor;
pub use enhance::Enhance;
