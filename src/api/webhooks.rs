//! Webhooks of the signed-in partner organization: register an endpoint, send it a test
//! event, remove it.

use leptos::prelude::*;

use crate::error::AppError;
use crate::routes::{url_safe, webhook_page, WEBHOOKS};

/// Query parameter saying the page follows a change (`created`, `tested`).
pub const DONE_PARAM: &str = "done";
/// Query parameter naming the endpoint just removed.
pub const REMOVED_PARAM: &str = "removed";

/// Registers an endpoint (Global admins) for the events whose boxes are ticked.
#[server(endpoint = "create_webhook")]
#[allow(clippy::too_many_arguments)]
pub async fn create_webhook(
    url: String,
    relationship_established: Option<String>,
    invitation_declined: Option<String>,
    relationship_removed: Option<String>,
    dap_granted: Option<String>,
    dap_removed: Option<String>,
) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            let ticked = [
                ("relationship.established", relationship_established),
                ("invitation.declined", invitation_declined),
                ("relationship.removed", relationship_removed),
                ("dap.granted", dap_granted),
                ("dap.removed", dap_removed),
            ];
            let events: Vec<&str> = ticked
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(e, _)| *e)
                .collect();
            let id = crate::server::integrations::webhooks::create(
                &state.db,
                &state.config.webhooks,
                &viewer,
                &url,
                &events,
            )
            .await?;
            leptos_axum::redirect(&format!("{}?{DONE_PARAM}=created", webhook_page(&id)));
            Ok(())
        }
        .await,
    )
}

/// Queues a `webhook.test` event for the endpoint (Global admins).
#[server(endpoint = "send_test_webhook")]
pub async fn send_test_webhook(webhook: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            crate::server::integrations::webhooks::send_test(&state.db, &viewer, &webhook).await?;
            leptos_axum::redirect(&format!("{}?{DONE_PARAM}=tested", webhook_page(&webhook)));
            Ok(())
        }
        .await,
    )
}

/// Removes the endpoint (Global admins, confirmed): nothing more is sent to it.
#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(webhook: String, confirm: Option<String>) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            crate::server::integrations::webhooks::remove(
                &state.db,
                &viewer,
                &webhook,
                confirm.is_some(),
            )
            .await?;
            leptos_axum::redirect(&format!(
                "{WEBHOOKS}?{REMOVED_PARAM}={}",
                url_safe(&webhook)
            ));
            Ok(())
        }
        .await,
    )
}
