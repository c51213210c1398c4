//! Server functions: each checks who is asking, calls one service and returns its result.

pub mod acceptance;
pub mod auth;
#[cfg(feature = "ssr")]
pub(crate) mod ctx;
pub mod customers;
pub mod invitations;
