//! Pieces shared by several pages (server components).

pub mod form;
pub mod layout;
pub mod prose;
pub mod request;
pub mod scripts;
pub mod table;
