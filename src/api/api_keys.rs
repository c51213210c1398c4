//! API keys of the signed-in partner organization: make one (its secret is shown once) and
//! revoke one.

use leptos::prelude::*;

use crate::error::AppError;
use crate::routes::{url_safe, API_KEYS};

/// Query parameter naming the key just revoked.
pub const REVOKED_PARAM: &str = "revoked";
/// Cookie of the key just made: `(key id, secret)` (see `ctx::hand_over`); the page shows
/// it once.
#[cfg(feature = "ssr")]
pub const FRESH_KEY: &str = "accord_fresh_key";

/// Makes an API key (Global admins); the page then shows its secret once.
#[server(endpoint = "create_api_key")]
pub async fn create_api_key(name: String, days: Option<String>) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            let created = crate::server::integrations::api_keys::create(
                &state.db,
                &viewer,
                &name,
                days.as_deref().unwrap_or_default(),
            )
            .await?;
            super::ctx::hand_over(FRESH_KEY, API_KEYS, &created.id, &created.secret)?;
            leptos_axum::redirect(API_KEYS);
            Ok(())
        }
        .await,
    )
}

/// Revokes an API key (Global admins): requests with it are refused at once.
#[server(endpoint = "revoke_api_key")]
pub async fn revoke_api_key(key: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            crate::server::integrations::api_keys::revoke(&state.db, &viewer, &key).await?;
            leptos_axum::redirect(&format!("{API_KEYS}?{REVOKED_PARAM}={}", url_safe(&key)));
            Ok(())
        }
        .await,
    )
}
