//! Partner side of the handshake: the reseller-relationship request and its link.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The draft email and link of a reseller-relationship request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDraft {
    pub url: String,
    pub dap: bool,
    pub subject: String,
    pub body: String,
}

/// Builds the partner's reusable invitation link and the draft email holding it.
#[server(endpoint = "relationship_request")]
pub async fn relationship_request(dap: bool) -> Result<RequestDraft, AppError> {
    super::ctx::reply(
        async move {
            use crate::server::handshake;
            let (viewer, role) = super::ctx::partner().await?;
            if !role.can_invite() {
                return Err(AppError::forbidden(
                    "Only Global admins and Admin agents can request reseller relationships.",
                ));
            }
            let state = super::ctx::state()?;
            let partner = handshake::partner(&state.db, &viewer.org_id)
                .await?
                .ok_or(AppError::Internal)?;
            let url = handshake::invitation_link(
                &partner,
                &state.config.secret_key,
                &state.config.public_url,
                dap,
            )?;
            let (subject, body) =
                crate::domain::invitation_email(&partner.name, &viewer.name, &url, dap);
            Ok(RequestDraft {
                url,
                dap,
                subject,
                body,
            })
        }
        .await,
    )
}

/// Replaces the partner's link secret: every earlier invitation link stops working.
#[server(endpoint = "rotate_invitation_link")]
pub async fn rotate_invitation_link() -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, role) = super::ctx::partner().await?;
            if !role.can_administer() {
                return Err(AppError::forbidden(
                    "Only Global admins can replace the invitation link.",
                ));
            }
            crate::server::handshake::rotate_link_secret(&super::ctx::state()?.db, &viewer).await
        }
        .await,
    )
}
