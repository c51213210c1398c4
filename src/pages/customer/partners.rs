use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::sign_in::SignInFirst;
use crate::api::lifecycle::{RemovePartnerRoles, ROLES_REMOVED_PARAM};
use crate::components::form::{FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, NotFound, PortalFrame};
use crate::components::request::{form_error, query_param};
use crate::domain::{Cloud, CustomerRole, Problem, Viewer};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::partners_page;
use crate::server::relationships::lifecycle::CustomerPartner;

/// What a customer page needs: the portal of the URL, the signed-in customer admin and the
/// organization's partners. `Ok(None)`: not signed in (the page asks to sign in).
async fn load(
    portal: Option<Cloud>,
) -> Result<Option<(Cloud, Viewer, Vec<CustomerPartner>)>, AppError> {
    let Some(cloud) = portal else {
        return Ok(None);
    };
    let Some(viewer) = crate::api::ctx::viewer().await? else {
        return Ok(None);
    };
    match viewer.customer_role() {
        None => return Err(AppError::Forbidden(Problem::CustomerOnly)),
        Some(CustomerRole::User) => return Err(AppError::Forbidden(Problem::ReadRole)),
        Some(_) => {}
    }
    let state = crate::api::ctx::state()?;
    let partners =
        crate::server::relationships::lifecycle::partners_of_customer(&state.db, &viewer.org_id)
            .await?;
    Ok(Some((cloud, viewer, partners)))
}

/// The partner whose roles were just removed, if it ever held roles here.
async fn removed_name(viewer: &Viewer, partner_id: &str) -> Option<String> {
    let state = crate::api::ctx::state().ok()?;
    crate::server::relationships::lifecycle::former_dap_holder(
        &state.db,
        &viewer.org_id,
        partner_id,
    )
    .await
    .ok()
    .flatten()
}

fn portal() -> Option<Cloud> {
    use_params_map()
        .read_untracked()
        .get("portal")
        .and_then(|p| Cloud::from_customer_prefix(&p))
}

/// **Partner relationships**: every partner of the organization, its relationship type
/// (or "Admin roles only"), since when, and its delegated admin roles per service, with
/// **Remove roles** for Global admins.
#[component]
pub fn PartnerRelationshipsPage() -> impl IntoView {
    let locale = i18n::current();
    let portal = portal();
    let removed = query_param(ROLES_REMOVED_PARAM);
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load(portal).await {
                    Ok(Some((cloud, viewer, partners))) => {
                        if cloud != viewer.cloud {
                            leptos_axum::redirect(&partners_page(viewer.cloud));
                        }
                        let removed = match removed {
                            Some(id) => removed_name(&viewer, &id).await,
                            None => None,
                        };
                        view! { <Partners cloud locale viewer partners removed /> }.into_any()
                    }
                    Ok(None) => match portal {
                        Some(cloud) => view! { <SignInFirst cloud locale /> }.into_any(),
                        None => view! { <NotFound /> }.into_any(),
                    },
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Partners(
    cloud: Cloud,
    locale: Locale,
    viewer: Viewer,
    partners: Vec<CustomerPartner>,
    removed: Option<String>,
) -> impl IntoView {
    let global_admin = viewer.customer_role() == Some(CustomerRole::GlobalAdmin);
    let prefix = cloud.customer_prefix();
    view! {
        <PortalFrame cloud locale viewer=Some(viewer) title=Some(t!(locale, partners_title).to_string())>
            <section class="portal-card">
                <h1>{t!(locale, partners_title)}</h1>
                <p class="muted">{t!(locale, partners_intro)}</p>
                {removed.map(|name| view! {
                    <p class="notice" role="status" tabindex="-1" autofocus>
                        {t!(locale, roles_removed, partner = &name).to_string()}
                    </p>
                })}
                {if partners.is_empty() {
                    view! { <p class="empty-state">{t!(locale, partners_empty)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="partner-list">
                            {partners.into_iter().map(|p| {
                                let remove = (global_admin && p.has_dap()).then(|| {
                                    let href = format!("{prefix}/partners/remove-roles?partner={}", p.partner_org_id);
                                    view! { <a class="button" href=href>{t!(locale, remove_roles)}</a> }
                                });
                                let (name, heading) = (p.name.clone(), p.name.clone());
                                view! {
                                    <li class="partner-item" data-partner=name>
                                        <h2>{heading}</h2>
                                        <PartnerFacts locale partner=p />
                                        {remove}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </PortalFrame>
    }
}

/// A partner's relationship and roles, as the customer sees them.
#[component]
pub fn PartnerFacts(locale: Locale, partner: CustomerPartner) -> impl IntoView {
    let kind = match partner.relationship {
        Some(kind) => {
            view! { <dd class="kind">{i18n::relationship_kind(locale, kind)}</dd> }.into_any()
        }
        None => view! {
            <dd class="kind">
                {t!(locale, kind_admin_roles_only)}
                <span class="field-hint">{t!(locale, admin_roles_only_hint)}</span>
            </dd>
        }
        .into_any(),
    };
    view! {
        <dl class="facts">
            <dt>{t!(locale, fact_relationship)}</dt>
            {kind}
            <dt>{t!(locale, fact_since)}</dt>
            <dd>{i18n::date(locale, partner.since)}</dd>
            {partner.dap.iter().map(|(service, granted)| view! {
                <dt>{t!(locale, fact_dap, service = i18n::service(locale, *service)).to_string()}</dt>
                <dd class="dap">{match granted {
                    Some(at) => t!(locale, fact_dap_granted, date = i18n::date(locale, *at)).to_string(),
                    None => t!(locale, fact_dap_not_granted).to_string(),
                }}</dd>
            }).collect_view()}
        </dl>
    }
}

/// The confirmation of **Remove roles** for one partner (`?partner=<id>`).
#[component]
pub fn RemoveRolesPage() -> impl IntoView {
    let locale = i18n::current();
    let portal = portal();
    let partner_id = query_param("partner").unwrap_or_default();
    let error = form_error(RemovePartnerRoles::PATH);
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load(portal).await {
                    Ok(Some((cloud, viewer, partners))) => {
                        match partners.into_iter().find(|p| p.partner_org_id == partner_id) {
                            Some(partner) => view! { <RemoveRoles cloud locale viewer partner error /> }.into_any(),
                            None => view! { <NotFound /> }.into_any(),
                        }
                    }
                    Ok(None) => match portal {
                        Some(cloud) => view! { <SignInFirst cloud locale /> }.into_any(),
                        None => view! { <NotFound /> }.into_any(),
                    },
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RemoveRoles(
    cloud: Cloud,
    locale: Locale,
    viewer: Viewer,
    partner: CustomerPartner,
    error: Option<String>,
) -> impl IntoView {
    let global_admin = viewer.customer_role() == Some(CustomerRole::GlobalAdmin);
    let back = partners_page(cloud);
    let services = i18n::held_services(locale, &partner.dap);
    let body = if !partner.has_dap() {
        view! {
            <p>{t!(locale, roles_none, partner = &partner.name).to_string()}</p>
            <p><a href=back.clone()>{t!(locale, partners_title)}</a></p>
        }
        .into_any()
    } else if !global_admin {
        view! {
            <p class="form-error" role="alert">{t!(locale, err_remove_roles_role)}</p>
            <p><a href=back.clone()>{t!(locale, partners_title)}</a></p>
        }
        .into_any()
    } else {
        let partner_id = partner.partner_org_id.clone();
        let cancel = back.clone();
        view! {
            <p>{t!(locale, remove_roles_text, partner = &partner.name, services = &services).to_string()}</p>
            <p class="note">{t!(locale, remove_roles_keeps)}</p>
            <PostForm action=RemovePartnerRoles::PATH class="stack">
                <input type="hidden" name="partner" value=partner_id />
                <FormError error />
                <div class="actions">
                    <Submit
                        class="button danger"
                        label=t!(locale, remove_roles).to_string()
                        pending=t!(locale, removing).to_string()
                    />
                    <a class="button" href=cancel>{t!(locale, cancel)}</a>
                </div>
            </PostForm>
        }
        .into_any()
    };
    view! {
        <PortalFrame cloud locale viewer=Some(viewer) title=Some(t!(locale, remove_roles).to_string())>
            <section class="portal-card">
                <p class="crumbs"><a href=back>{t!(locale, partners_title)}</a></p>
                <h1>{t!(locale, remove_roles_title, partner = &partner.name).to_string()}</h1>
                <PartnerFacts locale partner=partner.clone() />
                {body}
            </section>
        </PortalFrame>
    }
}
