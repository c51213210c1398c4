//! The customer's answer to an invitation: Accept & Authorize writes the agreement
//! acceptance, the relationship, the delegated admin privileges (DAP) and the events in one
//! transaction; Decline tells the partner and changes nothing else.

use sqlx::Row;

use super::agreement::current_agreement;
use super::links::Invitation;
use crate::domain::{
    normalize_email, required_text, CustomerRole, DapHolder, Facts, Field, Problem, Refusal,
    Service, Viewer,
};
use crate::error::AppError;
use crate::server::events::{self, Event};
use crate::server::platform::db::{is_unique_violation, new_id, now, Db};
use crate::server::relationships::{indirect, listing, regions::check_region};

/// Everything about a customer organization that decides what its acceptance page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerStanding {
    /// The partner has an active relationship with the organization.
    pub has_relationship: bool,
    /// ...and, if the invitation asks for DAP, holds it for every service.
    pub already_authorized: bool,
    /// Other partners holding DAP for services this invitation asks for.
    pub dap_holders: Vec<DapHolder>,
    /// Someone of the organization declined the partner's invitation today.
    pub declined_today: bool,
}

pub async fn standing(
    db: &Db,
    inv: &Invitation,
    customer_org_id: &str,
) -> Result<CustomerStanding, AppError> {
    let mut conn = db.pool.acquire().await?;
    let mut has_relationship = true;
    for (partner, _) in inv.parties() {
        has_relationship &= active_relationship(&mut conn, &partner.id, customer_org_id).await?;
    }
    let held = dap_held(&mut conn, customer_org_id).await?;
    let own_dap_complete = dap_missing(&held, &inv.partner.id).is_empty();
    let declined_today = sqlx::query(
        "SELECT 1 FROM declines WHERE partner_org_id = $1 AND customer_org_id = $2 AND day = $3",
    )
    .bind(&inv.partner.id)
    .bind(customer_org_id)
    .bind(now() / 86_400)
    .fetch_optional(&mut *conn)
    .await?
    .is_some();
    Ok(CustomerStanding {
        has_relationship,
        already_authorized: has_relationship && (!inv.params.dap || own_dap_complete),
        dap_holders: if inv.params.dap {
            other_holders(&held, &inv.partner.id)
        } else {
            Vec::new()
        },
        declined_today,
    })
}

/// The person who accepts the customer agreement for the organization.
#[derive(Debug, Clone, Default)]
pub struct SignerInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub acknowledged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptOutcome {
    /// The partner is now authorized; lists the services DAP was granted for.
    Authorized {
        dap: Vec<Service>,
        agreement_accepted: bool,
    },
    /// Nothing new: the partner was already authorized.
    AlreadyAuthorized,
}

/// Lets tests fail the transaction at a chosen point to prove it is all or nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FaultPoint {
    #[default]
    None,
    AfterRelationship,
    /// An indirect invitation: after the reseller's relationship, before the provider's.
    BetweenRelationships,
}

/// Checks who may accept, before anything is written.
pub fn check_acceptor(
    inv: &Invitation,
    viewer: &Viewer,
    with_dap: bool,
) -> Result<CustomerRole, AppError> {
    let Some(role) = viewer.customer_role() else {
        return Err(AppError::Refused(Refusal::NotACustomer));
    };
    if viewer.cloud != inv.partner.cloud {
        return Err(AppError::Refused(Refusal::WrongCloud {
            partner: inv.partner.name.clone(),
            partner_cloud: inv.partner.cloud,
            customer_cloud: viewer.cloud,
        }));
    }
    if !role.can_accept(with_dap) {
        return Err(AppError::Refused(Refusal::RoleTooWeak {
            role,
            dap: with_dap,
        }));
    }
    Ok(role)
}

/// Accept & Authorize: one transaction for the agreement acceptance, the relationship, the
/// DAP grants and the activity entries. Repeating it changes nothing.
pub async fn accept(
    db: &Db,
    inv: &Invitation,
    viewer: &Viewer,
    signer: SignerInput,
    with_dap: bool,
) -> Result<AcceptOutcome, AppError> {
    accept_with_fault(db, inv, viewer, signer, with_dap, FaultPoint::None).await
}

/// [`accept`], failing on purpose at `fault` (tests prove the transaction is all or nothing).
#[doc(hidden)]
pub async fn accept_with_fault(
    db: &Db,
    inv: &Invitation,
    viewer: &Viewer,
    signer: SignerInput,
    with_dap: bool,
    fault: FaultPoint,
) -> Result<AcceptOutcome, AppError> {
    // In clouds where DAP is part of every reseller relationship the customer cannot opt out.
    let with_dap = inv.params.dap && (with_dap || inv.partner.cloud.requires_dap());
    check_acceptor(inv, viewer, with_dap)?;
    let agreement = current_agreement(db, inv.partner.cloud).await?;
    let org = viewer.org_id.as_str();
    let partner = &inv.partner;
    let at = now();

    let mut tx = db.begin_write().await?;
    // Writing the organization's row first serializes concurrent acceptances for it: SQLite
    // takes its write lock, PostgreSQL a row lock, before anything is read.
    sqlx::query("UPDATE customer_orgs SET updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(org)
        .execute(&mut *tx)
        .await?;

    // The region rule holds for every partner the link names (the reseller and, on a
    // combined link, its indirect provider).
    for (party, _) in inv.parties() {
        if let Err(refused) = check_region(&mut tx, party, org).await {
            tx.rollback().await?;
            return Err(refused);
        }
    }
    // The connection with the provider may have ended since the link was verified.
    if let Some(provider) = &inv.provider {
        if indirect::connected_provider(&mut *tx, &partner.id, &provider.id)
            .await?
            .is_none()
        {
            tx.rollback().await?;
            return Err(AppError::Refused(Refusal::NotConnected {
                reseller: partner.name.clone(),
                provider: provider.name.clone(),
            }));
        }
    }
    // The partners (one, or reseller and provider) that have no relationship yet.
    let mut unrelated = Vec::new();
    for (party, kind) in inv.parties() {
        if !active_relationship(&mut tx, &party.id, org).await? {
            unrelated.push((party, kind));
        }
    }
    let has_relationship = unrelated.is_empty();
    let held = dap_held(&mut tx, org).await?;
    let missing_dap = if with_dap {
        dap_missing(&held, &partner.id)
    } else {
        Vec::new()
    };
    if has_relationship && missing_dap.is_empty() {
        tx.rollback().await?;
        return Ok(AcceptOutcome::AlreadyAuthorized);
    }
    let holders = other_holders(&held, &partner.id);
    if with_dap && !holders.is_empty() {
        tx.rollback().await?;
        return Err(AppError::Refused(Refusal::DapConflict {
            partner: partner.name.clone(),
            holders,
        }));
    }

    let accepted_before: bool = sqlx::query(
        "SELECT 1 FROM agreement_acceptances WHERE customer_org_id = $1 AND agreement_id = $2",
    )
    .bind(org)
    .bind(&agreement.id)
    .fetch_optional(&mut *tx)
    .await?
    .is_some();
    if !accepted_before {
        let signer = validate_signer(signer)?;
        sqlx::query(
            "INSERT INTO agreement_acceptances (id, customer_org_id, agreement_id, signer_first_name,
                 signer_last_name, signer_email, signer_phone, accepted_by_user_id, accepted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(org)
        .bind(&agreement.id)
        .bind(&signer.first_name)
        .bind(&signer.last_name)
        .bind(&signer.email)
        .bind((!signer.phone.is_empty()).then_some(signer.phone.clone()))
        .bind(&viewer.user_id)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(conflict_as_internal)?;
        events::record(
            &mut tx,
            Event::by(viewer).partner(&partner.id).customer(org).action(
                "agreement.accepted",
                Facts {
                    email: Some(signer.email.clone()),
                    agreement: Some(agreement.name.clone()),
                    version: Some(agreement.version.clone()),
                    ..Facts::by(&crate::domain::full_name(
                        &signer.first_name,
                        &signer.last_name,
                    ))
                },
            ),
        )
        .await?;
    }

    let (name_key, domain_key) = listing::sort_keys_of(&mut tx, org).await?;
    for (i, (party, kind)) in unrelated.iter().enumerate() {
        if i > 0 && fault == FaultPoint::BetweenRelationships {
            return Err(AppError::Internal);
        }
        sqlx::query(
            "INSERT INTO relationships (id, partner_org_id, customer_org_id, kind, established_at,
                 established_by_user_id, sort_key, domain_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&party.id)
        .bind(org)
        .bind(kind.code())
        .bind(at)
        .bind(&viewer.user_id)
        .bind(&name_key)
        .bind(&domain_key)
        .execute(&mut *tx)
        .await
        .map_err(conflict_as_internal)?;
        events::record(
            &mut tx,
            Event::by(viewer)
                .partner(&party.id)
                .customer(org)
                .action(
                    "relationship.established",
                    Facts {
                        org: Some(party.name.clone()),
                        kind: Some(*kind),
                        ..Facts::by(&viewer.org_name)
                    },
                )
                .data(serde_json::json!({ "relationshipType": kind.code() })),
        )
        .await?;
    }
    if fault == FaultPoint::AfterRelationship {
        return Err(AppError::Internal);
    }

    for service in &missing_dap {
        sqlx::query(
            "INSERT INTO dap_grants (id, partner_org_id, customer_org_id, service, granted_at, granted_by_user_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(&partner.id)
        .bind(org)
        .bind(service.code())
        .bind(at)
        .bind(&viewer.user_id)
        .execute(&mut *tx)
        .await
        .map_err(conflict_as_internal)?;
    }
    if !missing_dap.is_empty() {
        events::record(
            &mut tx,
            Event::by(viewer)
                .partner(&partner.id)
                .customer(org)
                .action(
                    "dap.granted",
                    Facts {
                        org: Some(partner.name.clone()),
                        services: missing_dap.clone(),
                        ..Facts::by(&viewer.org_name)
                    },
                )
                .data(serde_json::json!({
                    "services": missing_dap.iter().map(|s| s.code()).collect::<Vec<_>>()
                })),
        )
        .await?;
    }
    listing::customers_changed(&mut tx, org).await?;
    tx.commit().await?;
    tracing::info!(partner = %partner.id, customer = %org, dap = missing_dap.len(), "invitation accepted");
    Ok(AcceptOutcome::Authorized {
        dap: missing_dap,
        agreement_accepted: !accepted_before,
    })
}

/// Decline: nothing changes but the activity log, so the partner learns of it; once a day
/// per partner at most, so repeating it cannot flood the partner's log.
pub async fn decline(db: &Db, inv: &Invitation, viewer: &Viewer) -> Result<(), AppError> {
    // Only someone who could have accepted speaks for the organization.
    check_acceptor(inv, viewer, false)?;
    let mut tx = db.begin_write().await?;
    let first_today = sqlx::query(
        "INSERT INTO declines (partner_org_id, customer_org_id, day) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(&inv.partner.id)
    .bind(&viewer.org_id)
    .bind(now() / 86_400)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first_today {
        return Ok(());
    }
    let facts = Facts {
        org: Some(inv.partner.name.clone()),
        ..Facts::by(&viewer.org_name)
    };
    for (party, _) in inv.parties() {
        events::record(
            &mut tx,
            Event::by(viewer)
                .partner(&party.id)
                .customer(&viewer.org_id)
                .action("invitation.declined", facts.clone()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn validate_signer(s: SignerInput) -> Result<SignerInput, AppError> {
    let first_name =
        required_text(&s.first_name, Field::FirstName, 80).map_err(AppError::Invalid)?;
    let last_name = required_text(&s.last_name, Field::LastName, 80).map_err(AppError::Invalid)?;
    let email = normalize_email(&s.email).map_err(AppError::Invalid)?;
    let phone = s.phone.trim().to_string();
    if phone.len() > 40
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
    {
        return Err(AppError::Invalid(Problem::PhoneFormat));
    }
    if !s.acknowledged {
        return Err(AppError::Invalid(Problem::Acknowledge));
    }
    Ok(SignerInput {
        first_name,
        last_name,
        email,
        phone,
        acknowledged: true,
    })
}

async fn active_relationship(
    conn: &mut sqlx::AnyConnection,
    partner_id: &str,
    customer_id: &str,
) -> Result<bool, AppError> {
    Ok(sqlx::query("SELECT 1 FROM relationships WHERE partner_org_id = $1 AND customer_org_id = $2 AND removed_at IS NULL")
        .bind(partner_id)
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// Active DAP grants of a customer: (service, partner id, partner name).
async fn dap_held(
    conn: &mut sqlx::AnyConnection,
    customer_id: &str,
) -> Result<Vec<(Service, String, String)>, AppError> {
    let rows = sqlx::query(
        "SELECT d.service, d.partner_org_id, p.name FROM dap_grants d
         JOIN partner_orgs p ON p.id = d.partner_org_id
         WHERE d.customer_org_id = $1 AND d.revoked_at IS NULL",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String, _>("service")?
                    .parse()
                    .map_err(|_| AppError::Internal)?,
                r.try_get("partner_org_id")?,
                r.try_get("name")?,
            ))
        })
        .collect()
}

/// Services for which `partner_id` does not hold DAP yet.
fn dap_missing(held: &[(Service, String, String)], partner_id: &str) -> Vec<Service> {
    Service::ALL
        .iter()
        .copied()
        .filter(|s| {
            !held
                .iter()
                .any(|(svc, pid, _)| svc == s && pid == partner_id)
        })
        .collect()
}

fn other_holders(held: &[(Service, String, String)], partner_id: &str) -> Vec<DapHolder> {
    held.iter()
        .filter(|(_, pid, _)| pid != partner_id)
        .map(|(s, _, name)| DapHolder {
            service: *s,
            partner: name.clone(),
        })
        .collect()
}

/// The transaction serializes acceptances, so a unique violation here is a bug, not a race.
fn conflict_as_internal(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e) {
        tracing::error!(error = %e, "unexpected unique violation while accepting");
    }
    e.into()
}
