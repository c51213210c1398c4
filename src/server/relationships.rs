//! Reseller relationships and delegated admin privileges as the partner sees them.

use std::collections::HashMap;

use sqlx::Row;

use super::db::Db;
use crate::api::customers::{AgreementSummary, CustomerSummary, ServiceDap};
use crate::domain::{RelationshipKind, Service};
use crate::error::AppError;

/// Calendar date (UTC) of a Unix timestamp, as `YYYY-MM-DD`.
pub fn date(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

pub async fn list_customers(
    db: &Db,
    partner_org_id: &str,
) -> Result<Vec<CustomerSummary>, AppError> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.domain, c.country, r.kind, r.established_at
         FROM relationships r JOIN customer_orgs c ON c.id = r.customer_org_id
         WHERE r.partner_org_id = $1 AND r.removed_at IS NULL
         ORDER BY lower(c.name), c.id",
    )
    .bind(partner_org_id)
    .fetch_all(&db.pool)
    .await?;

    let mut dap: HashMap<(String, String), i64> = HashMap::new();
    for row in sqlx::query(
        "SELECT customer_org_id, service, granted_at FROM dap_grants
         WHERE partner_org_id = $1 AND revoked_at IS NULL",
    )
    .bind(partner_org_id)
    .fetch_all(&db.pool)
    .await?
    {
        dap.insert(
            (row.try_get("customer_org_id")?, row.try_get("service")?),
            row.try_get("granted_at")?,
        );
    }

    let mut agreements: HashMap<String, AgreementSummary> = HashMap::new();
    for row in sqlx::query(
        "SELECT a.customer_org_id, g.name, g.version, a.signer_first_name, a.signer_last_name,
                a.signer_email, a.accepted_at
         FROM agreement_acceptances a
         JOIN agreements g ON g.id = a.agreement_id
         JOIN relationships r ON r.customer_org_id = a.customer_org_id
         WHERE r.partner_org_id = $1 AND r.removed_at IS NULL
         ORDER BY a.accepted_at",
    )
    .bind(partner_org_id)
    .fetch_all(&db.pool)
    .await?
    {
        let first: String = row.try_get("signer_first_name")?;
        let last: String = row.try_get("signer_last_name")?;
        agreements.insert(
            row.try_get("customer_org_id")?,
            AgreementSummary {
                agreement: row.try_get("name")?,
                version: row.try_get("version")?,
                signer: format!("{first} {last}"),
                signer_email: row.try_get("signer_email")?,
                accepted_on: date(row.try_get("accepted_at")?),
            },
        );
    }

    rows.into_iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            let kind: RelationshipKind = kind.parse().map_err(|_| AppError::Internal)?;
            Ok(CustomerSummary {
                dap: Service::ALL
                    .iter()
                    .map(|s| ServiceDap {
                        service: s.label().to_string(),
                        granted_on: dap
                            .get(&(id.clone(), s.code().to_string()))
                            .map(|t| date(*t)),
                    })
                    .collect(),
                agreement: agreements.remove(&id),
                customer_id: id,
                name: row.try_get("name")?,
                domain: row.try_get("domain")?,
                country: row.try_get("country")?,
                relationship: kind.label().to_string(),
                established_on: date(row.try_get("established_at")?),
            })
        })
        .collect()
}
