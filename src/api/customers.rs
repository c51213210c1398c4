//! The partner's Customers page.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One row of the Customers page, with the details shown when it is expanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub customer_id: String,
    pub name: String,
    pub domain: String,
    pub country: String,
    pub relationship: String,
    pub established_on: String,
    pub dap: Vec<ServiceDap>,
    pub agreement: Option<AgreementSummary>,
}

/// Delegated admin privileges of this partner for one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDap {
    pub service: String,
    pub granted_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementSummary {
    pub agreement: String,
    pub version: String,
    pub signer: String,
    pub signer_email: String,
    pub accepted_on: String,
}

/// The signed-in partner's customers with an active relationship.
#[server(endpoint = "list_customers")]
pub async fn list_customers() -> Result<Vec<CustomerSummary>, AppError> {
    super::ctx::reply(
        async move {
            let (viewer, _) = super::ctx::partner().await?;
            crate::server::relationships::list_customers(&super::ctx::state()?.db, &viewer.org_id)
                .await
        }
        .await,
    )
}
