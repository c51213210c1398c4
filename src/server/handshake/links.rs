//! The partner's reusable, tamper-evident invitation link (its own, or an indirect
//! reseller's naming a connected provider), rotating its secret, and reading a link back.

use crate::domain::{
    link_secret, Facts, InvitationParams, InvitationType, LinkError, Problem, ProgramType, Refusal,
    RelationshipKind, Viewer,
};
use crate::error::AppError;
use crate::server::events::{self, Event};
use crate::server::identity::partners::{self, Partner};
use crate::server::platform::config::Config;
use crate::server::platform::db::Db;
use crate::server::relationships::indirect;

/// How many earlier secret versions are tried to tell a rotated link from a forged one.
const ROTATED_LOOKBACK: i64 = 50;

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
    config: &Config,
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
    let partner = partners::partner(db, &viewer.org_id)
        .await?
        .ok_or(AppError::Internal)?;
    let Some(provider_id) = provider_id.filter(|p| !p.is_empty()) else {
        let url = invitation_link(&partner, &config.secret_key, &config.public_url, dap)?;
        return Ok((url, None));
    };
    if partner.program != ProgramType::IndirectReseller {
        return Err(AppError::Forbidden(Problem::IndirectResellerOnly));
    }
    let provider = indirect::connected_provider(&db.pool, &partner.id, provider_id)
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
    events::record(
        &mut tx,
        Event::by(actor)
            .partner(&actor.org_id)
            .action("link.rotated", Facts::by(&actor.name)),
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
    let Some(partner) = partners::partner(db, &params.partner_id)
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
                match indirect::connected_provider(&db.pool, &partner.id, provider_id).await? {
                    Some(provider) => Some(provider),
                    None => {
                        let provider = partners::partner(db, provider_id).await?;
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

/// The relationship a partner's program gives it with the customer.
pub(super) fn relationship_kind(program: ProgramType) -> RelationshipKind {
    match program {
        ProgramType::Direct => RelationshipKind::Reseller,
        ProgramType::IndirectReseller => RelationshipKind::IndirectReseller,
        ProgramType::IndirectProvider => RelationshipKind::IndirectProvider,
    }
}
