//! Customer side of the handshake: the acceptance page of the partner's cloud.

// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{Cloud, Problem, Refusal, Viewer};
use crate::error::AppError;

/// What the acceptance page shows for one invitation and (if signed in) one organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub cloud: Cloud,
    pub partner_name: String,
    /// The indirect provider an indirect reseller's invitation also names.
    pub provider_name: Option<String>,
    /// The partner's country: the most likely country of its customers.
    pub partner_country: String,
    /// The partner's market region, if its country has one (else it reaches only its
    /// country); told before an organization is created.
    pub partner_region: Option<String>,
    pub dap: bool,
    pub viewer: Option<Viewer>,
    pub agreement: AgreementView,
    /// When the organization accepted the current agreement version, if it did.
    pub agreement_accepted_at: Option<i64>,
    pub already_authorized: bool,
    /// The partner already has a relationship with the organization (perhaps without DAP).
    pub has_relationship: bool,
    /// Why the signed-in user cannot accept as the link asks, if they cannot.
    pub refusal: Option<Refusal>,
    /// Whether accepting without DAP is open to this user (offered on a DAP conflict, and
    /// to a Billing admin when the invitation includes DAP).
    pub can_accept_without_dap: bool,
    /// Whether this user may answer for the organization (accept without DAP, decline).
    pub can_decline: bool,
    /// Someone of the organization declined this partner's invitation today.
    pub declined_today: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementView {
    pub name: String,
    pub version: String,
    pub link: String,
}

/// Verifies the invitation in `query` and describes the page for the signed-in person.
pub async fn load_invitation(query: String) -> Result<InvitationView, AppError> {
    use crate::server::handshake;
    use crate::server::relationships::regions;
    let state = super::ctx::state()?;
    let inv = handshake::verify(&state.db, &state.config.secret_key, &query).await?;
    let agreement = handshake::current_agreement(&state.db, inv.partner.cloud).await?;
    let viewer = super::ctx::viewer().await?;
    let mut view = InvitationView {
        cloud: inv.partner.cloud,
        partner_name: inv.partner.name.clone(),
        provider_name: inv.provider.as_ref().map(|p| p.name.clone()),
        partner_country: inv.partner.country.clone(),
        partner_region: None,
        dap: inv.params.dap,
        viewer: viewer.clone(),
        agreement: AgreementView {
            name: agreement.name.clone(),
            version: agreement.version.clone(),
            link: agreement.link.clone(),
        },
        agreement_accepted_at: None,
        already_authorized: false,
        has_relationship: false,
        refusal: None,
        can_accept_without_dap: false,
        can_decline: false,
        declined_today: false,
    };
    let Some(viewer) = viewer else {
        // Signed out: the organization may be created next, within the partner's reach.
        let mut conn = state.db.pool.acquire().await?;
        view.partner_region = regions::reach(&mut conn, &inv.partner).await?.region;
        return Ok(view);
    };
    let may_accept = handshake::check_acceptor(&inv, &viewer, inv.params.dap);
    // Partner staff, or an organization of another cloud: nothing of it to show here.
    if let Err(AppError::Refused(r @ (Refusal::NotACustomer | Refusal::WrongCloud { .. }))) =
        &may_accept
    {
        view.refusal = Some(r.clone());
        return Ok(view);
    }
    // The organization's true state, whatever the role of who is looking.
    let standing = handshake::standing(&state.db, &inv, &viewer.org_id).await?;
    view.already_authorized = standing.already_authorized;
    view.has_relationship = standing.has_relationship;
    view.declined_today = standing.declined_today;
    view.can_decline = handshake::check_acceptor(&inv, &viewer, false).is_ok();
    view.agreement_accepted_at = handshake::acceptance(&state.db, &viewer.org_id, &agreement.id)
        .await?
        .map(|a| a.accepted_at);
    if standing.already_authorized {
        return Ok(view);
    }
    {
        let mut conn = state.db.pool.acquire().await?;
        for (party, _) in inv.parties() {
            match regions::check_region(&mut conn, party, &viewer.org_id).await {
                Ok(()) => {}
                Err(AppError::Refused(r)) => {
                    view.refusal = Some(r);
                    return Ok(view);
                }
                Err(e) => return Err(e),
            }
        }
    }
    if let Err(AppError::Refused(r)) = may_accept {
        // A role that may accept only without DAP (a Billing admin), where that would still
        // make the partner the organization's reseller.
        view.can_accept_without_dap = inv.params.dap
            && !inv.partner.cloud.requires_dap()
            && !standing.has_relationship
            && view.can_decline;
        view.refusal = Some(r);
        return Ok(view);
    }
    if !standing.dap_holders.is_empty() {
        view.refusal = Some(Refusal::DapConflict {
            partner: inv.partner.name.clone(),
            holders: standing.dap_holders,
        });
        // Already its reseller: accepting without DAP would change nothing, so it is not
        // offered; the roles held elsewhere must be removed first.
        view.can_accept_without_dap =
            !standing.has_relationship && !inv.partner.cloud.requires_dap();
    }
    Ok(view)
}

/// Outcome codes the invitation page shows after a redirect (a closed set: the page checks
/// them against the organization's actual state).
pub const DONE_PARAM: &str = "done";
pub const DONE_ACCEPTED: &str = "accepted";
pub const DONE_DECLINED: &str = "declined";

/// The invitation page for `invitation` (a verified query), with an outcome code.
fn invitation_page(cloud: Cloud, invitation: &str, done: Option<&str>) -> String {
    let kept: Vec<&str> = invitation
        .trim_start_matches('?')
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or_default();
            !p.is_empty() && key != DONE_PARAM && !key.starts_with("__")
        })
        .collect();
    let mut url = format!(
        "{}{}?{}",
        cloud.customer_prefix(),
        crate::domain::INVITATION_PATH,
        kept.join("&")
    );
    if let Some(done) = done {
        url.push_str(&format!("&{DONE_PARAM}={done}"));
    }
    url
}

#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(
    invitation: String,
    first_name: Option<String>,
    last_name: Option<String>,
    signer_email: Option<String>,
    phone: Option<String>,
    acknowledge: Option<String>,
    without_dap: Option<String>,
) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            use crate::server::handshake::{self, AcceptOutcome, SignerInput};
            let (state, viewer, inv) = super::ctx::invitation_for_viewer(&invitation).await?;
            let signer = SignerInput {
                first_name: first_name.unwrap_or_default(),
                last_name: last_name.unwrap_or_default(),
                email: signer_email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
                acknowledged: acknowledge.is_some(),
            };
            let outcome =
                handshake::accept(&state.db, &inv, &viewer, signer, without_dap.is_none()).await?;
            let newly = matches!(outcome, AcceptOutcome::Authorized { .. });
            leptos_axum::redirect(&invitation_page(
                inv.partner.cloud,
                &invitation,
                newly.then_some(DONE_ACCEPTED),
            ));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "decline_invitation")]
pub async fn decline_invitation(invitation: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            use crate::server::handshake;
            let (state, viewer, inv) = super::ctx::invitation_for_viewer(&invitation).await?;
            handshake::decline(&state.db, &inv, &viewer).await?;
            leptos_axum::redirect(&invitation_page(
                inv.partner.cloud,
                &invitation,
                Some(DONE_DECLINED),
            ));
            Ok(())
        }
        .await,
    )
}

/// Creates the customer organization (in the partner's cloud) and signs its first Global
/// admin in, back on the same invitation.
#[server(endpoint = "customer_sign_up")]
pub async fn customer_sign_up(
    invitation: String,
    company: String,
    domain: String,
    country: String,
    admin_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            use crate::server::handshake;
            use crate::server::identity::accounts::{self, CustomerSignUp};
            use crate::server::relationships::regions;
            super::ctx::limit_sign_up()?;
            let state = super::ctx::state()?;
            let inv = handshake::verify(&state.db, &state.config.secret_key, &invitation).await?;
            // The region rule before anything is written: an organization the partner could
            // not work with is not created for its invitation. (A country that is not one is
            // told by the sign-up itself.)
            if let Ok(code) = crate::domain::parse_country(&country) {
                let mut conn = state.db.pool.acquire().await?;
                for (party, _) in inv.parties() {
                    match regions::check_country(&mut conn, party, &code).await {
                        // Said on the form, as a mistake the person can correct.
                        Err(AppError::Refused(Refusal::OtherRegion {
                            partner,
                            partner_region,
                            customer_region,
                        })) => {
                            return Err(AppError::Invalid(Problem::OutsideReach {
                                partner: partner.into(),
                                reach: partner_region.into(),
                                country: customer_region.into(),
                            }))
                        }
                        other => other?,
                    }
                }
            }
            let created = accounts::sign_up_customer(
                &state.db,
                inv.partner.cloud,
                CustomerSignUp {
                    company,
                    domain,
                    country,
                    admin_name,
                    email,
                    password,
                },
            )
            .await?;
            super::auth::start_session(&super::ctx::session().await?, &created.user_id).await?;
            leptos_axum::redirect(&invitation_page(inv.partner.cloud, &invitation, None));
            Ok(())
        }
        .await,
    )
}
