//! Everything that runs only on the server, in rooms by capability:
//!
//! - `platform`: configuration, database, HTTP stack, connection loop, rate limits, caches
//!   and background jobs; it knows no capability;
//! - `events`: the seam that records what happened (activity entry, webhook and mail
//!   outboxes) in the transaction of the change;
//! - `identity`, `relationships`, `handshake`, `activity`, `integrations`: the capabilities,
//!   each with its own SQL;
//! - this module, `cli` and `demo`: the composition root that wires them together.
//!
//! What may import what: `platform` imports nothing of the server; `events` only `platform`;
//! a capability imports `platform`, `events` and the capabilities before it in the order
//! identity → relationships → handshake → activity → integrations, never one after it.

pub mod activity;
pub mod cli;
mod demo;
pub mod events;
pub mod handshake;
pub mod identity;
pub mod integrations;
pub mod platform;
pub mod relationships;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::{middleware, Router};
use tower_sessions::session_store::ExpiredDeletion;

use integrations::{rest, webhooks};
use platform::http;
pub use platform::{AppState, Config, Db, PartnerSignUpMode};

/// The whole HTTP application: the platform's pages and stack, with the capabilities' routes
/// and the sign-in guard of the partner pages.
pub fn router(state: AppState) -> Router {
    let app = http::pages(&state)
        .route("/activity.csv", get(activity::export::download))
        .merge(rest::routes(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            identity::guard::require_sign_in,
        ));
    let api = http::Api {
        prefix: "/v1",
        refusal: rest::refusal,
    };
    http::stack(app, state, api)
}

/// Starts Accord: configuration, database and migrations, demo data, the background jobs,
/// then the HTTP server until a shutdown signal, then stops the jobs.
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
    let filled = relationships::listing::fill_sort_keys(&db)
        .await
        .map_err(|e| format!("customer sort keys: {e}"))?;
    if filled > 0 {
        tracing::info!(
            filled,
            "sort keys written for the relationships of an earlier version"
        );
    }
    if config.demo {
        demo::seed_if_empty(&db, &config)
            .await
            .map_err(|e| format!("demo data: {e}"))?;
    }
    platform::assets::precompress(&leptos_options).await;
    let addr = leptos_options.site_addr;
    let state = AppState {
        leptos_options,
        db,
        config: Arc::new(config),
        limits: platform::limits::Limits::default(),
    };
    let jobs = start_jobs(&state)?;
    let proxies = platform::serve::Proxies {
        trusted: state.config.trusted_proxies.clone(),
        header: state.config.forwarded_header,
    };
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Accord is serving on http://{addr}");
    let served = platform::serve::serve(
        listener,
        app,
        platform::serve::ConnectionLimits::default(),
        proxies,
        shutdown_signal(),
    )
    .await
    .map_err(|e| e.to_string());
    jobs.stop().await;
    served
}

/// Every background job of an instance.
fn start_jobs(state: &AppState) -> Result<platform::jobs::Jobs, String> {
    let mut jobs = platform::jobs::Jobs::default();
    // The webhook outbox is sent from every instance (each delivery by one of them).
    let deliverer = webhooks::Deliverer::new(state.db.clone(), state.config.webhooks.clone())?;
    jobs.start("webhook deliveries", deliverer.run());
    // So is the mail outbox (each mail by one of them).
    let postman = platform::mail::Postman::new(state.db.clone(), state.config.mail.clone())?;
    jobs.start("mail", postman.run());
    let sessions = state.db.sessions.clone();
    jobs.start("expired sessions", async move {
        if let Err(e) = sessions
            .continuously_delete_expired(Duration::from_secs(3600))
            .await
        {
            tracing::warn!(error = %e, "deleting expired sessions stopped");
        }
    });
    let (limits, db) = (state.limits.clone(), state.db.clone());
    jobs.every("pruning", Duration::from_secs(300), move || {
        let (limits, db) = (limits.clone(), db.clone());
        async move {
            limits.shrink();
            if let Err(e) = identity::guesses::prune(&db).await {
                tracing::warn!(error = %e, "pruning sign-in counts failed");
            }
            match platform::mail::prune(&db, platform::db::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(mails = n, "old mails removed from the outbox"),
                Err(e) => tracing::warn!(error = %e, "pruning the mail outbox failed"),
            }
        }
    });
    Ok(jobs)
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
