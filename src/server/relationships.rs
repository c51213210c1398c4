//! Reseller relationships and delegated admin privileges as the partner sees them.

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
/// from `offset` on: one query, with this partner's DAP per service and the latest
/// agreement acceptance of each customer.
pub async fn list_customers(
    db: &Db,
    partner_org_id: &str,
    offset: i64,
    limit: i64,
) -> Result<CustomerPage, AppError> {
    // One column per service: when this partner was granted DAP for it, if it was.
    let dap_columns: String = Service::ALL
        .iter()
        .map(|s| {
            format!(
                ", (SELECT d.granted_at FROM dap_grants d
                    WHERE d.partner_org_id = r.partner_org_id AND d.customer_org_id = c.id
                      AND d.service = '{}' AND d.revoked_at IS NULL) AS dap_{}",
                s.code(),
                s.code()
            )
        })
        .collect();
    let sql = format!(
        "SELECT c.id, c.name, c.domain, c.country, r.kind, r.established_at,
                COUNT(*) OVER () AS total,
                g.name AS agreement, g.version, a.signer_first_name, a.signer_last_name,
                a.signer_email, a.accepted_at
                {dap_columns}
         FROM relationships r
         JOIN customer_orgs c ON c.id = r.customer_org_id
         LEFT JOIN agreement_acceptances a ON a.id = (
             SELECT a2.id FROM agreement_acceptances a2 WHERE a2.customer_org_id = c.id
             ORDER BY a2.accepted_at DESC, a2.id DESC LIMIT 1)
         LEFT JOIN agreements g ON g.id = a.agreement_id
         WHERE r.partner_org_id = $1 AND r.removed_at IS NULL
         ORDER BY lower(c.name), c.id
         LIMIT $2 OFFSET $3"
    );
    let rows = sqlx::query(&sql)
        .bind(partner_org_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&db.pool)
        .await?;
    let total = match rows.first() {
        Some(first) => first.try_get("total")?,
        // Past the last page (or none at all): count what there is.
        None => sqlx::query(
            "SELECT COUNT(*) AS n FROM relationships
             WHERE partner_org_id = $1 AND removed_at IS NULL",
        )
        .bind(partner_org_id)
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?,
    };
    let customers = rows
        .iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let agreement = match row.try_get::<Option<i64>, _>("accepted_at")? {
                Some(accepted_at) => {
                    let first: String = row.try_get("signer_first_name")?;
                    let last: String = row.try_get("signer_last_name")?;
                    Some(AgreementSummary {
                        agreement: row.try_get("agreement")?,
                        version: row.try_get("version")?,
                        signer: format!("{first} {last}"),
                        signer_email: row.try_get("signer_email")?,
                        accepted_at,
                    })
                }
                None => None,
            };
            Ok(CustomerSummary {
                customer_id: row.try_get("id")?,
                name: row.try_get("name")?,
                domain: row.try_get("domain")?,
                country: row.try_get("country")?,
                relationship: kind.parse().map_err(|_| AppError::Internal)?,
                established_at: row.try_get("established_at")?,
                dap: Service::ALL
                    .iter()
                    .map(|s| Ok((*s, row.try_get(format!("dap_{}", s.code()).as_str())?)))
                    .collect::<Result<_, sqlx::Error>>()?,
                agreement,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(CustomerPage { total, customers })
}
