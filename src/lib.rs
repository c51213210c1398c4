//! Accord: the reseller-relationship handshake between cloud partners and their customers.
//!
//! Pages are server components: `pages` and `components` render HTML on the server in the
//! viewer's language (`i18n`), reading through `api` (checks and server functions) into
//! `server` (database and services). `domain` holds the rules, pure and shared. Only
//! `islands` runs in the browser, hydrated by the small `frontend` crate.

// Page views nest deeply typed frames (error pages inside portal frames inside suspense).
#![recursion_limit = "256"]

pub mod domain;
pub mod islands;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod app;
#[cfg(feature = "ssr")]
pub mod components;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
