//! Reseller relationships and delegated admin privileges as the partner sees them.

use std::collections::HashMap;

use sqlx::Row;

use super::db::Db;
use crate::domain::{RelationshipKind, Service};
use crate::error::AppError;

/// One row of the Customers page, with the details shown when it is expanded. Times are
/// Unix seconds; the page writes them in the viewer's locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSummary {
    pub customer_id: String,
    pub name: String,
    pub domain: String,
    pub country: String,
    pub relationship: RelationshipKind,
    pub established_at: i64,
    /// Every service, with the time this partner was granted DAP for it, if it was.
    pub dap: Vec<(Service, Option<i64>)>,
    pub agreement: Option<AgreementSummary>,
}

impl CustomerSummary {
    pub fn has_dap(&self) -> bool {
        self.dap.iter().any(|(_, granted)| granted.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementSummary {
    pub agreement: String,
    pub version: String,
    pub signer: String,
    pub signer_email: String,
    pub accepted_at: i64,
}

/// One page of a partner's customers, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPage {
    pub total: i64,
    pub customers: Vec<CustomerSummary>,
}

/// The partner's customers with an active relationship, ordered by name, `limit` of them
/// from `offset` on.
pub async fn list_customers(
    db: &Db,
    partner_org_id: &str,
    offset: i64,
    limit: i64,
) -> Result<CustomerPage, AppError> {
    let total: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM relationships
         WHERE partner_org_id = $1 AND removed_at IS NULL",
    )
    .bind(partner_org_id)
    .fetch_one(&db.pool)
    .await?
    .try_get("n")?;
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.domain, c.country, r.kind, r.established_at
         FROM relationships r JOIN customer_orgs c ON c.id = r.customer_org_id
         WHERE r.partner_org_id = $1 AND r.removed_at IS NULL
         ORDER BY lower(c.name), c.id
         LIMIT $2 OFFSET $3",
    )
    .bind(partner_org_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(CustomerPage {
            total,
            customers: Vec::new(),
        });
    }
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;

    let mut dap: HashMap<(String, String), i64> = HashMap::new();
    let sql = format!(
        "SELECT customer_org_id, service, granted_at FROM dap_grants
         WHERE partner_org_id = $1 AND revoked_at IS NULL AND customer_org_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query(&sql).bind(partner_org_id);
    for id in &ids {
        query = query.bind(id);
    }
    for row in query.fetch_all(&db.pool).await? {
        dap.insert(
            (row.try_get("customer_org_id")?, row.try_get("service")?),
            row.try_get("granted_at")?,
        );
    }

    let mut agreements: HashMap<String, AgreementSummary> = HashMap::new();
    let sql = format!(
        "SELECT a.customer_org_id, g.name, g.version, a.signer_first_name, a.signer_last_name,
                a.signer_email, a.accepted_at
         FROM agreement_acceptances a JOIN agreements g ON g.id = a.agreement_id
         WHERE a.customer_org_id IN ({})
         ORDER BY a.accepted_at",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(id);
    }
    for row in query.fetch_all(&db.pool).await? {
        let first: String = row.try_get("signer_first_name")?;
        let last: String = row.try_get("signer_last_name")?;
        agreements.insert(
            row.try_get("customer_org_id")?,
            AgreementSummary {
                agreement: row.try_get("name")?,
                version: row.try_get("version")?,
                signer: format!("{first} {last}"),
                signer_email: row.try_get("signer_email")?,
                accepted_at: row.try_get("accepted_at")?,
            },
        );
    }

    let customers = rows
        .into_iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            let relationship: RelationshipKind = kind.parse().map_err(|_| AppError::Internal)?;
            Ok(CustomerSummary {
                dap: Service::ALL
                    .iter()
                    .map(|s| (*s, dap.get(&(id.clone(), s.code().to_string())).copied()))
                    .collect(),
                agreement: agreements.remove(&id),
                customer_id: id,
                name: row.try_get("name")?,
                domain: row.try_get("domain")?,
                country: row.try_get("country")?,
                relationship,
                established_at: row.try_get("established_at")?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(CustomerPage { total, customers })
}

/// `$first, $first+1, …`: `count` numbered query parameters for an `IN (…)` list.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
