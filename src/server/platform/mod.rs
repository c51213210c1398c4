//! What every capability stands on: configuration, the database and its migrations, the
//! HTTP stack, the connection loop, rate limits, caches and the background jobs. Nothing in
//! here knows a capability: they are handed in by the composition root (`server::router`,
//! `server::run`).

pub mod assets;
pub mod config;
pub mod db;
pub mod fragments;
pub mod http;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod serve;
pub mod session_store;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

pub use config::{Config, PartnerSignUpMode};
pub use db::Db;

/// What every request handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub limits: limits::Limits,
}
