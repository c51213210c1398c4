//! What the pages and forms call: each checks who is asking, calls one service and
//! returns its result. Forms post to the server functions here.

pub mod acceptance;
pub mod api_keys;
pub mod auth;
pub(crate) mod ctx;
pub mod indirect;
pub mod invitations;
pub mod lifecycle;
pub mod users;
pub mod webhooks;
