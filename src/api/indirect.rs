//! The indirect channel: a reseller asks a provider to connect; the provider answers.

use leptos::prelude::*;

use crate::error::AppError;
use crate::routes::{url_safe, INDIRECT_PROVIDERS, INDIRECT_RESELLERS};

/// Query parameter naming the partner (by organization id) whose connection just changed.
pub const CHANGED_PARAM: &str = "changed";

/// An indirect reseller asks the provider with this partner id to connect.
#[server(endpoint = "request_indirect_provider")]
pub async fn request_indirect_provider(partner_id: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            crate::server::relationships::indirect::request(&state.db, &viewer, &partner_id)
                .await?;
            let provider =
                crate::server::relationships::indirect::of_reseller(&state.db, &viewer.org_id)
                    .await?
                    .into_iter()
                    .find(|c| c.provider_mspp_id.to_string() == partner_id.trim())
                    .map(|c| c.provider_org_id)
                    .unwrap_or_default();
            leptos_axum::redirect(&format!(
                "{INDIRECT_PROVIDERS}?{CHANGED_PARAM}={}",
                url_safe(&provider)
            ));
            Ok(())
        }
        .await,
    )
}

/// An indirect provider accepts or declines a reseller's request, or ends a connection.
#[server(endpoint = "decide_indirect_reseller")]
pub async fn decide_indirect_reseller(reseller: String, decision: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let decision = decision
                .parse::<crate::server::relationships::indirect::Decision>()
                .map_err(AppError::Invalid)?;
            let state = super::ctx::state()?;
            crate::server::relationships::indirect::decide(&state.db, &viewer, &reseller, decision)
                .await?;
            leptos_axum::redirect(&format!(
                "{INDIRECT_RESELLERS}?{CHANGED_PARAM}={}",
                url_safe(&reseller)
            ));
            Ok(())
        }
        .await,
    )
}
