//! After the handshake: the partner removes a customer relationship; the customer removes a
//! partner's delegated admin roles.

use leptos::prelude::*;

use crate::domain::Problem;
use crate::error::AppError;
use crate::routes::{account_page, partners_page, url_safe};

/// Query parameter of the Partner relationships page naming the partner whose roles were
/// just removed (the page looks the partner up; nothing of it is shown unless it is one of
/// the organization's partners).
pub const ROLES_REMOVED_PARAM: &str = "removed";

/// Remove customer relationship (partner Global admin, after the attestation). Answers with
/// the customer's Account page, which then says the relationship was removed.
#[server(endpoint = "remove_customer_relationship")]
pub async fn remove_customer_relationship(
    customer: String,
    attest: Option<String>,
) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            let state = super::ctx::state()?;
            crate::server::relationships::lifecycle::remove_relationship(
                &state.db,
                &viewer,
                &customer,
                attest.is_some(),
            )
            .await?;
            leptos_axum::redirect(&account_page(&customer));
            Ok(())
        }
        .await,
    )
}

/// Remove roles (customer Global admin): ends a partner's delegated admin privileges for
/// every service; the relationship stays.
#[server(endpoint = "remove_partner_roles")]
pub async fn remove_partner_roles(partner: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let viewer = super::ctx::viewer()
                .await?
                .ok_or(AppError::Unauthenticated)?;
            if viewer.customer_role().is_none() {
                return Err(AppError::Forbidden(Problem::CustomerOnly));
            }
            let state = super::ctx::state()?;
            crate::server::relationships::lifecycle::remove_roles(&state.db, &viewer, &partner)
                .await?;
            leptos_axum::redirect(&format!(
                "{}?{ROLES_REMOVED_PARAM}={}",
                partners_page(viewer.cloud),
                url_safe(&partner)
            ));
            Ok(())
        }
        .await,
    )
}
