//! After the handshake: a partner removes its relationship with a customer; a customer sees
//! its partners and removes a partner's delegated admin roles.
//!
//! Each change is one transaction with its activity entry, answers the same when repeated
//! and never touches what the other side holds: removing a relationship keeps the DAP
//! already granted (seed 002), removing roles keeps the relationship.

use sqlx::Row;

use super::listing;
use crate::domain::{CustomerRole, Facts, PartnerRole, Problem, RelationshipKind, Service, Viewer};
use crate::error::AppError;
use crate::server::events::{self, Event};
use crate::server::platform::db::{now, Db};

/// One partner of a customer organization, as its Partner relationships page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPartner {
    pub partner_org_id: String,
    pub name: String,
    /// The active relationship, or `None` when the partner removed it but still holds
    /// delegated admin roles ("Admin roles only").
    pub relationship: Option<RelationshipKind>,
    /// Since when: the relationship's start, or the first role still held.
    pub since: i64,
    /// Every service, with when this partner was granted delegated admin roles for it.
    pub dap: Vec<(Service, Option<i64>)>,
}

impl CustomerPartner {
    pub fn has_dap(&self) -> bool {
        self.dap.iter().any(|(_, granted)| granted.is_some())
    }
}

/// Every partner with an active relationship with the organization or delegated admin
/// roles in it, ordered by name.
pub async fn partners_of_customer(
    db: &Db,
    customer_org_id: &str,
) -> Result<Vec<CustomerPartner>, AppError> {
    let dap_columns: String = Service::ALL
        .iter()
        .map(|s| {
            format!(
                ", (SELECT d.granted_at FROM dap_grants d
                    WHERE d.partner_org_id = p.id AND d.customer_org_id = $1
                      AND d.service = '{0}' AND d.revoked_at IS NULL) AS dap_{0}",
                s.code()
            )
        })
        .collect();
    let sql = format!(
        "WITH ids AS (
             SELECT partner_org_id FROM relationships
             WHERE customer_org_id = $1 AND removed_at IS NULL
             UNION
             SELECT partner_org_id FROM dap_grants
             WHERE customer_org_id = $1 AND revoked_at IS NULL)
         SELECT p.id, p.name, r.kind, r.established_at,
                (SELECT MIN(d.granted_at) FROM dap_grants d
                 WHERE d.partner_org_id = p.id AND d.customer_org_id = $1
                   AND d.revoked_at IS NULL) AS dap_since
                {dap_columns}
         FROM ids
         JOIN partner_orgs p ON p.id = ids.partner_org_id
         LEFT JOIN relationships r ON r.partner_org_id = p.id AND r.customer_org_id = $1
                                  AND r.removed_at IS NULL
         ORDER BY lower(p.name), p.id"
    );
    let rows = sqlx::query(&sql)
        .bind(customer_org_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|row| {
            let kind: Option<String> = row.try_get("kind")?;
            let relationship = kind
                .map(|k| k.parse::<RelationshipKind>())
                .transpose()
                .map_err(|_| {
                    tracing::error!("stored relationship kind is not valid");
                    AppError::Internal
                })?;
            let established: Option<i64> = row.try_get("established_at")?;
            let dap_since: Option<i64> = row.try_get("dap_since")?;
            Ok(CustomerPartner {
                partner_org_id: row.try_get("id")?,
                name: row.try_get("name")?,
                relationship,
                since: established.or(dap_since).unwrap_or_default(),
                dap: Service::ALL
                    .iter()
                    .map(|s| Ok((*s, row.try_get(format!("dap_{}", s.code()).as_str())?)))
                    .collect::<Result<_, sqlx::Error>>()?,
            })
        })
        .collect()
}

/// The services of rows with a `service` column, in the order of [`Service::ALL`].
fn services_of(rows: &[sqlx::any::AnyRow]) -> Result<Vec<Service>, AppError> {
    let mut services = rows
        .iter()
        .map(|r| {
            let code: String = r.try_get("service")?;
            code.parse::<Service>().map_err(|_| AppError::Internal)
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    services.sort_by_key(|s| Service::ALL.iter().position(|x| x == s));
    Ok(services)
}

/// Serializes changes about one customer organization, as acceptance does: SQLite holds
/// its write lock already (`begin_write`); PostgreSQL takes the organization row's lock
/// before anything is read, so concurrent repeats see each other's result.
async fn lock_customer(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    customer_org_id: &str,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE customer_orgs SET updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(customer_org_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What "Remove roles" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RolesRemoved {
    /// The partner's roles for these services ended now.
    Removed(Vec<Service>),
    /// The partner, one of the organization's, holds none (removed before): nothing changed.
    NoneHeld,
}

/// Remove roles: the customer's Global admin ends a partner's delegated admin privileges
/// for every service. The relationship stays; the partner sees the change in its log and on
/// its Customers page.
pub async fn remove_roles(
    db: &Db,
    actor: &Viewer,
    partner_org_id: &str,
) -> Result<RolesRemoved, AppError> {
    if actor.customer_role() != Some(CustomerRole::GlobalAdmin) {
        return Err(AppError::Forbidden(Problem::RemoveRolesRole));
    }
    let customer = actor.org_id.as_str();
    let at = now();
    let mut tx = db.begin_write().await?;
    lock_customer(&mut tx, customer, at).await?;
    let held = sqlx::query(
        "SELECT d.service, p.name FROM dap_grants d JOIN partner_orgs p ON p.id = d.partner_org_id
         WHERE d.partner_org_id = $1 AND d.customer_org_id = $2 AND d.revoked_at IS NULL",
    )
    .bind(partner_org_id)
    .bind(customer)
    .fetch_all(&mut *tx)
    .await?;
    if held.is_empty() {
        // A partner of the organization (or one whose roles were removed before): nothing
        // to do. Any other partner: refused, so no id can be probed.
        let known: bool = sqlx::query(
            "SELECT 1 FROM relationships WHERE partner_org_id = $1 AND customer_org_id = $2
             UNION ALL
             SELECT 1 FROM dap_grants WHERE partner_org_id = $1 AND customer_org_id = $2",
        )
        .bind(partner_org_id)
        .bind(customer)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        tx.rollback().await?;
        return match known {
            true => Ok(RolesRemoved::NoneHeld),
            false => Err(AppError::Forbidden(Problem::NotYourPartner)),
        };
    }
    let partner_name: String = held[0].try_get("name")?;
    let services = services_of(&held)?;
    let revoked = sqlx::query(
        "UPDATE dap_grants SET revoked_at = $1, revoked_by_user_id = $2
         WHERE partner_org_id = $3 AND customer_org_id = $4 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(&actor.user_id)
    .bind(partner_org_id)
    .bind(customer)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if revoked as usize != services.len() {
        // The write lock is held since the read: a difference is a bug, not a race.
        tracing::error!(
            revoked,
            read = services.len(),
            "remove roles: counts differ"
        );
        return Err(AppError::Internal);
    }
    events::record(
        &mut tx,
        Event::by(actor)
            .partner(partner_org_id)
            .customer(customer)
            .action(
                "dap.removed",
                Facts {
                    org: Some(partner_name.clone()),
                    services: services.clone(),
                    ..Facts::by(&actor.org_name)
                },
            )
            .data(serde_json::json!({
                "services": services.iter().map(|s| s.code()).collect::<Vec<_>>()
            })),
    )
    .await?;
    listing::customers_changed(&mut tx, customer).await?;
    tx.commit().await?;
    tracing::info!(partner = %partner_org_id, customer = %customer, "delegated admin roles removed");
    Ok(RolesRemoved::Removed(services))
}

/// What "Remove customer relationship" did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelationshipRemoved {
    /// Removed now; these delegated admin roles are still held and stay so.
    Removed { dap_kept: Vec<Service> },
    /// The relationship was removed before: nothing changed.
    NotActive,
}

/// Remove customer relationship: the partner's Global admin ends it after attesting that
/// the decision was made in good faith. Delegated admin privileges already granted stay
/// unchanged; the partner may invite the customer again later (a new relationship).
pub async fn remove_relationship(
    db: &Db,
    actor: &Viewer,
    customer_org_id: &str,
    attested: bool,
) -> Result<RelationshipRemoved, AppError> {
    if actor.partner_role() != Some(PartnerRole::GlobalAdmin) {
        return Err(AppError::Forbidden(Problem::RemoveRelationshipRole));
    }
    if !attested {
        return Err(AppError::Invalid(Problem::Attest));
    }
    let partner = actor.org_id.as_str();
    let at = now();
    let mut tx = db.begin_write().await?;
    lock_customer(&mut tx, customer_org_id, at).await?;
    let customer_name: Option<String> = sqlx::query(
        "SELECT c.name FROM relationships r JOIN customer_orgs c ON c.id = r.customer_org_id
         WHERE r.partner_org_id = $1 AND r.customer_org_id = $2 AND r.removed_at IS NULL",
    )
    .bind(partner)
    .bind(customer_org_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.try_get("name"))
    .transpose()?;
    let Some(customer_name) = customer_name else {
        // Removed before (a repeat): nothing to do. Never this partner's customer: refused.
        let ever: bool = sqlx::query(
            "SELECT 1 FROM relationships WHERE partner_org_id = $1 AND customer_org_id = $2",
        )
        .bind(partner)
        .bind(customer_org_id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        tx.rollback().await?;
        return match ever {
            true => Ok(RelationshipRemoved::NotActive),
            false => Err(AppError::Forbidden(Problem::NotYourCustomer)),
        };
    };
    sqlx::query(
        "UPDATE relationships SET removed_at = $1, removed_by_user_id = $2
         WHERE partner_org_id = $3 AND customer_org_id = $4 AND removed_at IS NULL",
    )
    .bind(at)
    .bind(&actor.user_id)
    .bind(partner)
    .bind(customer_org_id)
    .execute(&mut *tx)
    .await?;
    let kept = sqlx::query(
        "SELECT service FROM dap_grants
         WHERE partner_org_id = $1 AND customer_org_id = $2 AND revoked_at IS NULL",
    )
    .bind(partner)
    .bind(customer_org_id)
    .fetch_all(&mut *tx)
    .await?;
    let dap_kept = services_of(&kept)?;
    events::record(
        &mut tx,
        Event::by(actor)
            .partner(partner)
            .customer(customer_org_id)
            .action(
                "relationship.removed",
                Facts {
                    org: Some(customer_name.clone()),
                    kept: dap_kept.clone(),
                    ..Facts::by(&actor.org_name)
                },
            )
            .data(serde_json::json!({
                "delegatedAdminServices": dap_kept.iter().map(|s| s.code()).collect::<Vec<_>>()
            })),
    )
    .await?;
    listing::customers_changed(&mut tx, customer_org_id).await?;
    tx.commit().await?;
    tracing::info!(partner = %partner, customer = %customer_org_id, "relationship removed");
    Ok(RelationshipRemoved::Removed { dap_kept })
}

/// The name of a partner that held delegated admin roles in the organization at some time
/// (the Partner relationships page names it after its roles were removed, even when it is
/// no longer listed); `None` for any other id.
pub async fn former_dap_holder(
    db: &Db,
    customer_org_id: &str,
    partner_org_id: &str,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query(
        "SELECT p.name FROM partner_orgs p
         WHERE p.id = $1 AND EXISTS (
             SELECT 1 FROM dap_grants d WHERE d.partner_org_id = p.id AND d.customer_org_id = $2)",
    )
    .bind(partner_org_id)
    .bind(customer_org_id)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| r.try_get("name"))
    .transpose()?)
}
