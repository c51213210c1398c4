//! Reseller relationships and delegated admin privileges as the partner sees them.

use sqlx::Row;

use crate::domain::{RelationshipKind, Service};
use crate::error::AppError;
use crate::server::platform::db::{Db, Dialect};

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
    /// When the partner removed the relationship (only on the Account page of a former
    /// customer; Customers lists active relationships only).
    pub removed_at: Option<i64>,
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

/// One customer of the partner for its Account page: the active relationship, or else the
/// latest removed one (so the page can say it was removed); `None` when this partner never
/// had a relationship with the organization.
pub async fn customer_of_partner(
    db: &Db,
    partner_org_id: &str,
    customer_org_id: &str,
) -> Result<Option<CustomerSummary>, AppError> {
    // Its active relationship, else the latest removed one.
    let keys = "SELECT r.* FROM relationships r
                WHERE r.partner_org_id = $1 AND r.customer_org_id = $2
                ORDER BY CASE WHEN r.removed_at IS NULL THEN 0 ELSE 1 END, r.removed_at DESC
                LIMIT 1";
    let row = sqlx::query(&format!(
        "SELECT {} AS page",
        customers_sql(db.dialect, keys)
    ))
    .bind(partner_org_id)
    .bind(customer_org_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(decode_customers(row.try_get("page")?)?.pop())
}

/// The customers of a JSON array written by [`customers_sql`], in its order.
pub(super) fn decode_customers(page: Option<String>) -> Result<Vec<CustomerSummary>, AppError> {
    let mut rows: Vec<CustomerJson> = match page {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            tracing::error!(error = %e, "the Customers query answered malformed JSON");
            AppError::Internal
        })?,
        None => Vec::new(),
    };
    // The aggregate keeps the inner order on both databases, but the row number says it.
    rows.sort_by_key(|r| r.n);
    let customers = rows
        .into_iter()
        .map(|r| {
            let agreement = match (r.accepted_at, r.agreement, r.version, r.signer_email) {
                (Some(accepted_at), Some(agreement), Some(version), Some(signer_email)) => {
                    Some(AgreementSummary {
                        agreement,
                        version,
                        signer: crate::domain::full_name(
                            &r.signer_first_name.unwrap_or_default(),
                            &r.signer_last_name.unwrap_or_default(),
                        ),
                        signer_email,
                        accepted_at,
                    })
                }
                _ => None,
            };
            Ok(CustomerSummary {
                relationship: r.kind.parse().map_err(|_| {
                    tracing::error!(kind = r.kind, "stored relationship kind is not valid");
                    AppError::Internal
                })?,
                customer_id: r.id,
                name: r.name,
                domain: r.domain,
                country: r.country,
                established_at: r.established_at,
                removed_at: r.removed_at,
                dap: Service::ALL
                    .iter()
                    .map(|s| (*s, r.dap.get(s.code()).copied().flatten()))
                    .collect(),
                agreement,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(customers)
}

/// One customer of the page as the Customers query writes it in JSON.
#[derive(serde::Deserialize)]
struct CustomerJson {
    n: i64,
    id: String,
    name: String,
    domain: String,
    country: String,
    kind: String,
    established_at: i64,
    removed_at: Option<i64>,
    /// Service code → when this partner was granted DAP for it, if it was.
    dap: std::collections::HashMap<String, Option<i64>>,
    agreement: Option<String>,
    version: Option<String>,
    signer_first_name: Option<String>,
    signer_last_name: Option<String>,
    signer_email: Option<String>,
    accepted_at: Option<i64>,
}

/// The customers query of a dialect, for the relationships `keys` selects (a subquery of
/// `relationships r` rows, at most a page of them): each with its customer, this partner's
/// DAP per service and the customer's latest agreement acceptance, looked up for those rows
/// only, as one JSON array in the listing order (`n`) aggregated by each database's own
/// functions.
pub(super) fn customers_sql(dialect: Dialect, keys: &str) -> String {
    let (object, aggregate) = match dialect {
        Dialect::Sqlite => ("json_object", "json_group_array"),
        Dialect::Postgres => ("json_build_object", "json_agg"),
    };
    // Per service: when this partner was granted DAP for it, if it was.
    let dap_columns: String = Service::ALL
        .iter()
        .map(|s| {
            format!(
                ", (SELECT d.granted_at FROM dap_grants d
                    WHERE d.partner_org_id = k.partner_org_id AND d.customer_org_id = k.customer_org_id
                      AND d.service = '{}' AND d.revoked_at IS NULL) AS dap_{}",
                s.code(),
                s.code()
            )
        })
        .collect();
    let dap_fields: Vec<String> = Service::ALL
        .iter()
        .map(|s| format!("'{0}', p.dap_{0}", s.code()))
        .collect();
    let dap_object = format!("{object}({})", dap_fields.join(", "));
    let aggregated = format!(
        "{aggregate}({object}(
            'n', p.n, 'id', p.id, 'name', p.name, 'domain', p.domain, 'country', p.country,
            'kind', p.kind, 'established_at', p.established_at, 'removed_at', p.removed_at,
            'dap', {dap_object},
            'agreement', p.agreement, 'version', p.version,
            'signer_first_name', p.signer_first_name, 'signer_last_name', p.signer_last_name,
            'signer_email', p.signer_email, 'accepted_at', p.accepted_at){order})",
        order = match dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " ORDER BY p.n",
        }
    );
    let page = match dialect {
        Dialect::Sqlite => aggregated,
        Dialect::Postgres => format!("CAST({aggregated} AS TEXT)"),
    };
    format!(
        "(SELECT {page} FROM (
              SELECT ROW_NUMBER() OVER (ORDER BY k.sort_key, k.customer_org_id) AS n,
                     c.id, c.name, c.domain, c.country, k.kind, k.established_at, k.removed_at,
                     g.name AS agreement, g.version, a.signer_first_name, a.signer_last_name,
                     a.signer_email, a.accepted_at
                     {dap_columns}
              FROM ({keys}) k
              JOIN customer_orgs c ON c.id = k.customer_org_id
              LEFT JOIN agreement_acceptances a ON a.id = (
                  SELECT a2.id FROM agreement_acceptances a2 WHERE a2.customer_org_id = c.id
                  ORDER BY a2.accepted_at DESC, a2.id DESC LIMIT 1)
              LEFT JOIN agreements g ON g.id = a.agreement_id) p)"
    )
}
