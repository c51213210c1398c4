//! Server functions: each checks who is asking, calls one service and returns its result.

pub mod acceptance;
pub mod auth;
pub mod customers;
pub mod invitations;
#[cfg(feature = "ssr")]
pub(crate) mod ctx;
