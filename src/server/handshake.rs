//! The reseller-relationship handshake: the partner's invitation link, and the customer's
//! acceptance that writes the agreement acceptance, the relationship, the delegated admin
//! privileges (DAP) and the activity entries in one transaction.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::activity::{self, Entry};
use super::db::{is_unique_violation, new_id, now, Db};
use crate::domain::{
    link_secret, normalize_email, required_text, Cloud, CustomerRole, DapHolder, Field,
    InvitationParams, InvitationType, LinkError, Problem, ProgramType, Refusal, RelationshipKind,
    Service, Viewer,
};
use crate::error::AppError;

/// Template id of the Microsoft Customer Agreement; its versions are rows of `agreements`.
pub const CUSTOMER_AGREEMENT_TEMPLATE: &str = "117a77b0-9360-443b-8795-c6dedc750cf9";

/// How many earlier secret versions are tried to tell a rotated link from a forged one.
const ROTATED_LOOKBACK: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub cloud: Cloud,
    pub country: String,
    pub program: ProgramType,
    pub mspp_id: i64,
    pub secret_version: i64,
    /// Approved by the operator: only then are its invitations shown to customers.
    pub approved: bool,
}

impl Partner {
    pub(super) fn from_row(row: &AnyRow) -> Result<Partner, AppError> {
        let bad = || AppError::Internal;
        Ok(Partner {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            cloud: row
                .try_get::<String, _>("cloud")?
                .parse()
                .map_err(|_| bad())?,
            country: row.try_get("country")?,
            program: row
                .try_get::<String, _>("program_type")?
                .parse()
                .map_err(|_| bad())?,
            mspp_id: row.try_get("mspp_id")?,
            secret_version: row.try_get("link_secret_version")?,
            approved: row.try_get::<Option<i64>, _>("approved_at")?.is_some(),
        })
    }
}

pub async fn partner(db: &Db, id: &str) -> Result<Option<Partner>, AppError> {
    let row = sqlx::query(
        "SELECT id, name, cloud, country, program_type, mspp_id, link_secret_version, approved_at
         FROM partner_orgs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(Partner::from_row).transpose()
}

/// A partner's name, read inside a transaction.
pub(super) async fn partner_name(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> Result<String, AppError> {
    Ok(sqlx::query("SELECT name FROM partner_orgs WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("name")?)
}

/// An indirect reseller's invitation link naming a provider it is connected with: one link
/// for both relationships, signed with the reseller's secret (the provider is inside the
/// signature).
pub fn indirect_invitation_link(
    reseller: &Partner,
    provider: &Partner,
    server_key: &[u8],
    public_url: &str,
    dap: bool,
) -> Result<String, AppError> {
    if reseller.program != ProgramType::IndirectReseller {
        return Err(AppError::Forbidden(Problem::IndirectResellerOnly));
    }
    if !dap && reseller.cloud.requires_dap() {
        return Err(AppError::Invalid(Problem::DapRequired(reseller.cloud)));
    }
    let params = InvitationParams {
        inv_type: InvitationType::IndirectResellerRelationship,
        partner_id: reseller.id.clone(),
        mspp_id: reseller.mspp_id,
        dap,
        indirect_csp_id: Some(provider.id.clone()),
    };
    let secret = link_secret(server_key, &reseller.id, reseller.secret_version);
    Ok(params.to_url(
        &format!("{public_url}{}", reseller.cloud.customer_prefix()),
        &secret,
    ))
}

/// The invitation link the partner `viewer` asks for: its own, or with `provider_id` the
/// indirect reseller's combined link for a provider it is connected with now. Answers the
/// link and the provider's name.
pub async fn link_for(
    db: &Db,
    config: &super::Config,
    viewer: &Viewer,
    dap: bool,
    provider_id: Option<&str>,
) -> Result<(String, Option<String>), AppError> {
    let role = viewer
        .partner_role()
        .ok_or(AppError::Forbidden(Problem::PartnerOnly))?;
    if !role.can_invite() {
        return Err(AppError::Forbidden(Problem::InviteRole));
    }
    if viewer.awaiting_approval() {
        return Err(AppError::Forbidden(Problem::AwaitingApproval));
    }
    let partner = partner(db, &viewer.org_id)
        .await?
        .ok_or(AppError::Internal)?;
    let Some(provider_id) = provider_id.filter(|p| !p.is_empty()) else {
        let url = invitation_link(&partner, &config.secret_key, &config.public_url, dap)?;
        return Ok((url, None));
    };
    if partner.program != ProgramType::IndirectReseller {
        return Err(AppError::Forbidden(Problem::IndirectResellerOnly));
    }
    let provider = super::indirect::connected_provider(&db.pool, &partner.id, provider_id)
        .await?
        .ok_or(AppError::Forbidden(Problem::NotConnected))?;
    let url = indirect_invitation_link(
        &partner,
        &provider,
        &config.secret_key,
        &config.public_url,
        dap,
    )?;
    Ok((url, Some(provider.name)))
}

/// The partner's reusable invitation link.
pub fn invitation_link(
    partner: &Partner,
    server_key: &[u8],
    public_url: &str,
    dap: bool,
) -> Result<String, AppError> {
    if !dap && partner.cloud.requires_dap() {
        return Err(AppError::Invalid(Problem::DapRequired(partner.cloud)));
    }
    let params = InvitationParams {
        inv_type: InvitationType::ResellerRelationship,
        partner_id: partner.id.clone(),
        mspp_id: partner.program.link_mspp_id(partner.mspp_id),
        dap,
        indirect_csp_id: None,
    };
    let secret = link_secret(server_key, &partner.id, partner.secret_version);
    Ok(params.to_url(
        &format!("{public_url}{}", partner.cloud.customer_prefix()),
        &secret,
    ))
}

/// Invalidates every link the partner handed out so far.
pub async fn rotate_link_secret(db: &Db, actor: &Viewer) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE partner_orgs SET link_secret_version = link_secret_version + 1 WHERE id = $1",
    )
    .bind(&actor.org_id)
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        Entry::by(actor).partner(&actor.org_id).action(
            "link.rotated",
            "Rotated the invitation link; earlier links no longer work.",
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A verified invitation and the partner behind it (for an indirect invitation: the
/// reseller, and the provider it is connected with).
#[derive(Debug, Clone)]
pub struct Invitation {
    pub params: InvitationParams,
    pub partner: Partner,
    pub provider: Option<Partner>,
}

impl Invitation {
    /// Every partner the acceptance makes a partner of the customer, with the kind of its
    /// relationship: the inviting partner first.
    pub fn parties(&self) -> Vec<(&Partner, RelationshipKind)> {
        match &self.provider {
            Some(provider) => vec![
                (&self.partner, RelationshipKind::IndirectReseller),
                (provider, RelationshipKind::IndirectProvider),
            ],
            None => vec![(&self.partner, relationship_kind(self.partner.program))],
        }
    }
}

/// Reads and verifies an invitation link's query string.
pub async fn verify(db: &Db, server_key: &[u8], query: &str) -> Result<Invitation, AppError> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .into_owned()
            .collect();
    let (params, signature) =
        InvitationParams::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|_: LinkError| AppError::Refused(Refusal::InvalidLink))?;
    // A direct link names no provider; an indirect one names exactly one.
    let indirect = params.inv_type == InvitationType::IndirectResellerRelationship;
    if indirect != params.indirect_csp_id.is_some() {
        return Err(AppError::Refused(Refusal::InvalidLink));
    }
    // A partner the operator has not approved is, to customers, no partner at all.
    let Some(partner) = partner(db, &params.partner_id)
        .await?
        .filter(|p| p.approved)
    else {
        return Err(AppError::Refused(Refusal::UnknownPartner));
    };
    let current = link_secret(server_key, &partner.id, partner.secret_version);
    if params.verify(&current, &signature).is_ok() {
        if params.mspp_id != partner.program.link_mspp_id(partner.mspp_id) {
            return Err(AppError::Refused(Refusal::InvalidLink));
        }
        let provider = match &params.indirect_csp_id {
            None => None,
            // Signed by the partner, so it made this link; only an indirect reseller can.
            Some(_) if partner.program != ProgramType::IndirectReseller => {
                return Err(AppError::Refused(Refusal::InvalidLink))
            }
            Some(provider_id) => {
                match super::indirect::connected_provider(&db.pool, &partner.id, provider_id)
                    .await?
                {
                    Some(provider) => Some(provider),
                    None => {
                        let provider = self::partner(db, provider_id).await?;
                        return Err(AppError::Refused(Refusal::NotConnected {
                            reseller: partner.name,
                            provider: provider.map(|p| p.name).unwrap_or_default(),
                        }));
                    }
                }
            }
        };
        return Ok(Invitation {
            params,
            partner,
            provider,
        });
    }
    let rotated = (partner
        .secret_version
        .saturating_sub(ROTATED_LOOKBACK)
        .max(1)..partner.secret_version)
        .any(|v| {
            params
                .verify(&link_secret(server_key, &partner.id, v), &signature)
                .is_ok()
        });
    Err(AppError::Refused(if rotated {
        Refusal::LinkReplaced {
            partner: partner.name,
        }
    } else {
        Refusal::InvalidLink
    }))
}

/// The agreement version customers accept now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub id: String,
    pub name: String,
    pub version: String,
    pub link: String,
}

pub async fn current_agreement(db: &Db) -> Result<Agreement, AppError> {
    if let Some(agreement) = db.agreement.get() {
        return Ok(agreement);
    }
    let row = sqlx::query(
        "SELECT id, name, version, link FROM agreements WHERE template_id = $1
         ORDER BY published_at DESC LIMIT 1",
    )
    .bind(CUSTOMER_AGREEMENT_TEMPLATE)
    .fetch_one(&db.pool)
    .await?;
    let agreement = Agreement {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
        link: row.try_get("link")?,
    };
    db.agreement.set(agreement.clone());
    Ok(agreement)
}

/// An acceptance on record for the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub agreement_name: String,
    pub version: String,
    pub accepted_at: i64,
}

pub async fn acceptance(
    db: &Db,
    customer_org_id: &str,
    agreement_id: &str,
) -> Result<Option<Acceptance>, AppError> {
    let row = sqlx::query(
        "SELECT g.name, g.version, a.accepted_at FROM agreement_acceptances a
         JOIN agreements g ON g.id = a.agreement_id
         WHERE a.customer_org_id = $1 AND a.agreement_id = $2",
    )
    .bind(customer_org_id)
    .bind(agreement_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Acceptance {
            agreement_name: r.try_get("name")?,
            version: r.try_get("version")?,
            accepted_at: r.try_get("accepted_at")?,
        })
    })
    .transpose()
}

/// Everything about a customer organization that decides what its acceptance page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerStanding {
    /// The partner has an active relationship with the organization.
    pub has_relationship: bool,
    /// ...and, if the invitation asks for DAP, holds it for every service.
    pub already_authorized: bool,
    /// Other partners holding DAP for services this invitation asks for.
    pub dap_holders: Vec<DapHolder>,
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
    Ok(CustomerStanding {
        has_relationship,
        already_authorized: has_relationship && (!inv.params.dap || own_dap_complete),
        dap_holders: if inv.params.dap {
            other_holders(&held, &inv.partner.id)
        } else {
            Vec::new()
        },
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
    let agreement = current_agreement(db).await?;
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

    if let Err(refused) = check_region(&mut tx, partner, org).await {
        tx.rollback().await?;
        return Err(refused);
    }
    // The connection with the provider may have ended since the link was verified.
    if let Some(provider) = &inv.provider {
        if super::indirect::connected_provider(&mut *tx, &partner.id, &provider.id)
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
        activity::record(
            &mut tx,
            Entry::by(viewer).partner(&partner.id).customer(org).action(
                "agreement.accepted",
                &format!(
                    "{} {} ({}) accepted the {} version {}.",
                    signer.first_name,
                    signer.last_name,
                    signer.email,
                    agreement.name,
                    agreement.version
                ),
            ),
        )
        .await?;
    }

    for (i, (party, kind)) in unrelated.iter().enumerate() {
        if i > 0 && fault == FaultPoint::BetweenRelationships {
            return Err(AppError::Internal);
        }
        sqlx::query(
            "INSERT INTO relationships (id, partner_org_id, customer_org_id, kind, established_at, established_by_user_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(&party.id)
        .bind(org)
        .bind(kind.code())
        .bind(at)
        .bind(&viewer.user_id)
        .execute(&mut *tx)
        .await
        .map_err(conflict_as_internal)?;
        activity::record(
            &mut tx,
            Entry::by(viewer)
                .partner(&party.id)
                .customer(org)
                .action(
                    "relationship.established",
                    &format!(
                        "{} authorized {} as {}.",
                        viewer.org_name,
                        party.name,
                        kind.label().to_lowercase()
                    ),
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
        let names: Vec<&str> = missing_dap.iter().map(|s| s.label()).collect();
        activity::record(
            &mut tx,
            Entry::by(viewer)
                .partner(&partner.id)
                .customer(org)
                .action(
                    "dap.granted",
                    &format!(
                        "Granted delegated admin privileges to {} for {}.",
                        partner.name,
                        names.join(" and ")
                    ),
                )
                .data(serde_json::json!({
                    "services": missing_dap.iter().map(|s| s.code()).collect::<Vec<_>>()
                })),
        )
        .await?;
    }
    super::relationships::customers_changed(&mut tx, org).await?;
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
    let detail = format!(
        "{} declined the reseller relationship request of {}.",
        viewer.org_name, inv.partner.name
    );
    for (party, _) in inv.parties() {
        activity::record(
            &mut tx,
            Entry::by(viewer)
                .partner(&party.id)
                .customer(&viewer.org_id)
                .action("invitation.declined", &detail),
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

/// The region rule: a partner reaches customers in its own country or its market region
/// (the `country_regions` table). A country without a region is a region of its own.
pub async fn check_region(
    conn: &mut sqlx::AnyConnection,
    partner: &Partner,
    customer_org_id: &str,
) -> Result<(), AppError> {
    let row = sqlx::query(
        "SELECT p.country AS p_country, c.country AS c_country,
                (SELECT region FROM country_regions WHERE country = p.country) AS p_region,
                (SELECT region FROM country_regions WHERE country = c.country) AS c_region
         FROM partner_orgs p CROSS JOIN customer_orgs c
         WHERE p.id = $1 AND c.id = $2",
    )
    .bind(&partner.id)
    .bind(customer_org_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::Refused(Refusal::UnknownPartner))?;
    let p_country: String = row.try_get("p_country")?;
    let c_country: String = row.try_get("c_country")?;
    let p_region: Option<String> = row.try_get("p_region")?;
    let c_region: Option<String> = row.try_get("c_region")?;
    if p_country == c_country || (p_region.is_some() && p_region == c_region) {
        return Ok(());
    }
    Err(AppError::Refused(Refusal::OtherRegion {
        partner: partner.name.clone(),
        partner_region: p_region.unwrap_or(p_country),
        customer_region: c_region.unwrap_or(c_country),
    }))
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

/// The relationship a partner's program gives it with the customer.
fn relationship_kind(program: ProgramType) -> RelationshipKind {
    match program {
        ProgramType::Direct => RelationshipKind::Reseller,
        ProgramType::IndirectReseller => RelationshipKind::IndirectReseller,
        ProgramType::IndirectProvider => RelationshipKind::IndirectProvider,
    }
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
