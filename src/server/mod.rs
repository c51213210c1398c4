//! Everything that runs only on the server: configuration, database, sessions, services
//! and the HTTP stack.

pub mod accounts;
pub mod activity;
pub mod api_keys;
mod assets;
pub mod cli;
pub mod config;
pub mod db;
mod demo;
pub mod fragments;
pub mod handshake;
pub mod http;
pub mod indirect;
pub mod lifecycle;
pub mod limits;
pub mod passwords;
pub mod relationships;
pub mod rest;
pub mod serve;
pub mod sessions;
pub mod users;
pub mod webhooks;

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

/// Starts Accord: configuration, database and migrations, demo data, then the HTTP server.
pub async fn run() -> Result<(), String> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    let config = Config::from_env()?;
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    // The release build always hashes bundle names (`hash-files` in Cargo.toml).
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = true;
    }
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    if config.demo {
        demo::seed_if_empty(&db, &config)
            .await
            .map_err(|e| format!("demo data: {e}"))?;
    }
    assets::precompress(&leptos_options).await;
    let addr = leptos_options.site_addr;
    let state = AppState {
        leptos_options,
        db,
        config: Arc::new(config),
        limits: limits::Limits::default(),
    };
    // The webhook outbox is sent from every instance (each delivery by one of them).
    webhooks::Deliverer::new(state.db.clone(), state.config.webhooks.clone())?.spawn();
    let trusted_proxies = state.config.trusted_proxies.clone();
    let app = http::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Accord is serving on http://{addr}");
    serve::serve(
        listener,
        app,
        serve::ConnectionLimits::default(),
        trusted_proxies,
        shutdown_signal(),
    )
    .await
    .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
