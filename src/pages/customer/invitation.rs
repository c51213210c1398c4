use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::sign_in::PortalSignInForm;
use crate::api::acceptance::{
    load_invitation, AcceptInvitation, CustomerSignUp, DeclineInvitation, InvitationView,
    DONE_ACCEPTED, DONE_DECLINED, DONE_PARAM,
};
use crate::api::auth::SignIn;
use crate::components::form::{CountrySelect, FormError, PostForm, Submit};
use crate::components::layout::{NotFound, PortalFrame};
use crate::components::request::{form_error, query_param, raw_query, set_status};
use crate::domain::{
    Cloud, Refusal, Viewer, INVITATION_PATH, MIN_PASSWORD_LEN, NEW_ORGANIZATION_PATH,
};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::partners_page;

/// Errors of the page's forms after a plain (no-JavaScript) post came back.
#[derive(Clone, Default)]
struct FormErrors {
    sign_in: Option<String>,
    sign_up: Option<String>,
    accept: Option<String>,
    decline: Option<String>,
}

/// Which page of an invitation link.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The acceptance page: the invitation, and signing in or accepting.
    Review,
    /// Creating the customer organization, for someone without one.
    NewOrganization,
}

impl Step {
    fn path(self) -> &'static str {
        match self {
            Step::Review => INVITATION_PATH,
            Step::NewOrganization => NEW_ORGANIZATION_PATH,
        }
    }

    /// This page for the invitation `invitation` (its signed query) in `cloud`'s portal.
    fn url(self, cloud: Cloud, invitation: &str) -> String {
        format!("{}{}?{invitation}", cloud.customer_prefix(), self.path())
    }
}

/// The acceptance page of an invitation link, dressed as the partner's cloud portal.
#[component]
pub fn InvitationPage() -> impl IntoView {
    invitation_page(Step::Review)
}

/// Creates the customer organization for an invitation, then returns to its acceptance
/// page signed in. On a page of its own, so the acceptance page stays light (no country
/// list) for the many customers who already have an organization.
#[component]
pub fn NewOrganizationPage() -> impl IntoView {
    invitation_page(Step::NewOrganization)
}

fn invitation_page(step: Step) -> impl IntoView {
    let locale = i18n::current();
    let portal = use_params_map()
        .read_untracked()
        .get("portal")
        .and_then(|p| Cloud::from_customer_prefix(&p));
    // The signed link itself, without the outcome code of a redirect.
    let invitation = raw_query()
        .split('&')
        .filter(|p| p.split('=').next() != Some(DONE_PARAM))
        .collect::<Vec<_>>()
        .join("&");
    let done = query_param(DONE_PARAM);
    let errors = FormErrors {
        sign_in: form_error(SignIn::PATH),
        sign_up: form_error(CustomerSignUp::PATH),
        accept: form_error(AcceptInvitation::PATH),
        decline: form_error(DeclineInvitation::PATH),
    };
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(cloud) = portal else {
                    return view! { <NotFound /> }.into_any();
                };
                // Refusal pages still show who is signed in, so they can switch accounts.
                let signed_in = crate::api::ctx::viewer().await.ok().flatten();
                match load_invitation(invitation.clone()).await {
                    Err(AppError::Refused(refusal)) => {
                        set_status(refusal.status_code());
                        view! {
                            <PortalFrame cloud locale viewer=signed_in>
                                <RefusalPanel locale refusal />
                            </PortalFrame>
                        }.into_any()
                    }
                    Err(e) => {
                        set_status(e.status_code());
                        view! {
                            <PortalFrame cloud locale viewer=signed_in>
                                <p class="form-error" role="alert">{i18n::error(locale, &e)}</p>
                            </PortalFrame>
                        }.into_any()
                    }
                    Ok(v) if v.cloud != cloud => {
                        leptos_axum::redirect(&step.url(v.cloud, &invitation));
                        ().into_any()
                    }
                    Ok(v) if step == Step::NewOrganization => {
                        if v.viewer.is_some() {
                            // Signed in already: the organization exists.
                            leptos_axum::redirect(&Step::Review.url(cloud, &invitation));
                            return ().into_any();
                        }
                        view! {
                            <PortalFrame cloud locale viewer=None>
                                <CreateOrgForm locale view=v invitation=invitation.clone() error=errors.sign_up.clone() />
                            </PortalFrame>
                        }.into_any()
                    }
                    Ok(v) => {
                        let viewer = v.viewer.clone();
                        let title = outcome_title(locale, &v, done.as_deref());
                        // A refusal's status, unless the page shows an outcome instead (a
                        // Billing admin's acceptance without DAP is a success).
                        if let (Some(r), None) = (&v.refusal, &title) {
                            set_status(r.status_code());
                        }
                        view! {
                            <PortalFrame cloud locale viewer title>
                                <InvitationBody locale view=v invitation=invitation.clone() done=done.clone() errors=errors.clone() />
                            </PortalFrame>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The document title of an outcome (accepted, already authorized, declined), else `None`
/// (the portal's name). Decided as [`InvitationBody`] decides what it shows.
fn outcome_title(locale: Locale, view: &InvitationView, done: Option<&str>) -> Option<String> {
    let signed_in = view.viewer.is_some();
    match done {
        Some(DONE_ACCEPTED) if view.has_relationship => {
            return Some(t!(locale, outcome_accepted_title).to_string())
        }
        Some(DONE_DECLINED) if signed_in && declined(view) => {
            return Some(t!(locale, outcome_declined_title).to_string())
        }
        _ => {}
    }
    (signed_in && view.refusal.is_none() && view.already_authorized)
        .then(|| t!(locale, outcome_already_title).to_string())
}

/// Whether a decline of today stands (a crafted outcome code shows nothing false).
fn declined(view: &InvitationView) -> bool {
    view.declined_today && !view.already_authorized
}

#[component]
fn RefusalPanel(
    locale: Locale,
    #[prop(optional)] cloud: Option<crate::domain::Cloud>,
    refusal: Refusal,
    /// Shown under the invitation's summary, as a part of the page (`h2`).
    #[prop(optional)]
    nested: bool,
    /// Lines said after the refusal's own.
    #[prop(optional)]
    more: Vec<String>,
) -> impl IntoView {
    let (title, lines) = i18n::refusal(locale, &refusal);
    // A DAP conflict is resolved on the Partner relationships page.
    let partners = match (&refusal, cloud) {
        (Refusal::DapConflict { .. }, Some(cloud)) => Some(view! {
            <p><a class="button" href=partners_page(cloud)>{t!(locale, partners_title)}</a></p>
        }),
        _ => None,
    };
    view! {
        <section class="portal-card refusal" data-refusal=refusal.status_code().to_string()>
            {if nested { view! { <h2>{title}</h2> }.into_any() } else { view! { <h1>{title}</h1> }.into_any() }}
            {lines.into_iter().chain(more).map(|l| view! { <p>{l}</p> }).collect_view()}
            {partners}
            <p class="muted">{t!(locale, nothing_changed)}</p>
        </section>
    }
}

/// A finished step: the message takes the focus, so a screen reader reads it first.
#[component]
fn Outcome(
    locale: Locale,
    cloud: crate::domain::Cloud,
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    success: bool,
) -> impl IntoView {
    view! {
        <section class="portal-card done" role="status">
            <h1>{title}</h1>
            <p class=if success { "success" } else { "" } tabindex="-1" autofocus>{text}</p>
            <p><a href=partners_page(cloud)>{t!(locale, outcome_next)}</a></p>
        </section>
    }
}

#[component]
fn InvitationBody(
    locale: Locale,
    view: InvitationView,
    invitation: String,
    done: Option<String>,
    errors: FormErrors,
) -> impl IntoView {
    let partner = view.partner_name.clone();
    let signed_in = view.viewer.is_some();
    match done.as_deref() {
        // Checked against the organization's state: a crafted code shows nothing false.
        Some(DONE_ACCEPTED) if view.has_relationship => {
            let text = match &view.provider_name {
                Some(provider) => t!(
                    locale,
                    accepted_indirect,
                    partner = &partner,
                    provider = provider
                )
                .to_string(),
                None => t!(locale, accepted, partner = &partner).to_string(),
            };
            let title = t!(locale, outcome_accepted_title).to_string();
            return view! { <Outcome locale cloud=view.cloud title text success=true /> }
                .into_any();
        }
        Some(DONE_DECLINED) if signed_in && declined(&view) => {
            let text = if view.has_relationship {
                t!(locale, declined_restore, partner = &partner).to_string()
            } else {
                t!(locale, declined, partner = &partner).to_string()
            };
            let title = t!(locale, outcome_declined_title).to_string();
            return view! { <Outcome locale cloud=view.cloud title text success=false /> }
                .into_any();
        }
        _ => {}
    }

    let provider = view.provider_name.clone();
    let summary = view! { <Summary locale partner=partner.clone() dap=view.dap provider=provider.clone().unwrap_or_default() /> };

    let Some(viewer) = view.viewer.clone() else {
        return view! {
            <section class="portal-card">
                {summary}
                <p class="muted">{t!(locale, agreement_will_ask)}</p>
            </section>
            <div class="portal-columns">
                <PortalSignInForm locale error=errors.sign_in intro=t!(locale, portal_sign_in_intro).to_string() />
                <NewHere locale view=view.clone() invitation=invitation.clone() />
            </div>
        }
        .into_any();
    };

    if let Some(refusal) = view.refusal.clone() {
        let cloud = view.cloud;
        // A refusal the organization can still answer: a DAP conflict, or a role that may
        // accept only without DAP. The invitation stays in view, with both answers side by
        // side and neither pressed on the reader.
        let answerable = view.can_decline
            && matches!(
                refusal,
                Refusal::DapConflict { .. } | Refusal::RoleTooWeak { dap: true, .. }
            );
        if !answerable {
            return view! { <RefusalPanel locale cloud refusal /> }.into_any();
        }
        let panel = match &refusal {
            Refusal::RoleTooWeak { role, .. } if view.has_relationship => {
                let role = i18n::customer_role(locale, *role);
                view! {
                    <section class="portal-card refusal" data-refusal=refusal.status_code().to_string()>
                        <h2>{t!(locale, already_reseller_title, partner = &partner).to_string()}</h2>
                        <p>{t!(locale, already_reseller_dap_role, role = role).to_string()}</p>
                        <p class="muted">{t!(locale, nothing_changed)}</p>
                    </section>
                }
                .into_any()
            }
            Refusal::RoleTooWeak { .. } if view.can_accept_without_dap => {
                let more = vec![t!(locale, role_dap_choice, partner = &partner).to_string()];
                view! { <RefusalPanel locale cloud refusal=refusal.clone() nested=true more /> }
                    .into_any()
            }
            _ => view! { <RefusalPanel locale cloud refusal=refusal.clone() nested=true /> }
                .into_any(),
        };
        let summary = view! {
            <Summary locale partner=partner.clone() dap=view.dap restore=view.has_relationship provider=provider.unwrap_or_default() />
        };
        let offer = view.can_accept_without_dap.then(|| {
            view! {
                <AcceptForm locale view=view.clone() viewer=viewer.clone() invitation=invitation.clone() without_dap=true error=errors.accept.clone() />
            }
        });
        return view! {
            <section class="portal-card">
                {summary}
                <p class="muted">{t!(locale, signed_in_as, user = &viewer.email, org = &viewer.org_name).to_string()}</p>
            </section>
            {panel}
            {offer}
            <DeclineForm locale invitation error=errors.decline />
        }
        .into_any();
    }

    if view.already_authorized {
        let text = t!(locale, already_authorized, partner = &partner).to_string();
        let title = t!(locale, outcome_already_title).to_string();
        return view! { <Outcome locale cloud=view.cloud title text success=true /> }.into_any();
    }

    // Already its reseller (roles removed, or accepted without them): only DAP is asked.
    let summary = if view.has_relationship {
        view! { <Summary locale partner=partner.clone() dap=view.dap restore=true provider=provider.unwrap_or_default() /> }.into_any()
    } else {
        summary.into_any()
    };
    view! {
        <section class="portal-card">
            {summary}
            <p class="muted">{t!(locale, signed_in_as, user = &viewer.email, org = &viewer.org_name).to_string()}</p>
        </section>
        <AcceptForm locale view=view.clone() viewer=viewer.clone() invitation=invitation.clone() without_dap=false error=errors.accept />
        <DeclineForm locale invitation error=errors.decline />
    }
    .into_any()
}

/// **Decline**: tells the partner, changes nothing else.
#[component]
fn DeclineForm(locale: Locale, invitation: String, error: Option<String>) -> impl IntoView {
    view! {
        <PostForm action=DeclineInvitation::PATH class="decline">
            <input type="hidden" name="invitation" value=invitation />
            <FormError error />
            <Submit class="button" label=t!(locale, decline).to_string() pending=t!(locale, working).to_string() />
        </PostForm>
    }
}

/// Who is asking, and what they will be able to do.
#[component]
fn Summary(
    locale: Locale,
    partner: String,
    dap: bool,
    /// The partner is already the organization's reseller and asks for DAP only.
    #[prop(optional)]
    restore: bool,
    /// The indirect provider an indirect reseller's invitation also names (empty: none).
    #[prop(optional)]
    provider: Option<String>,
) -> impl IntoView {
    let p = partner.as_str();
    let provider = provider.filter(|p| !p.is_empty());
    let asks = match (&provider, restore) {
        (_, true) => t!(locale, restore_asks, partner = p).to_string(),
        (Some(provider), false) => {
            t!(locale, asks_indirect, partner = p, provider = provider).to_string()
        }
        (None, false) => t!(locale, asks, partner = p).to_string(),
    };
    let of_record = match &provider {
        Some(_) => t!(locale, indirect_reseller_can, partner = p).to_string(),
        None => t!(locale, reseller_of_record, partner = p).to_string(),
    };
    let provider_can = provider.filter(|_| !restore).map(|provider| {
        view! { <li>{t!(locale, indirect_provider_can, provider = &provider).to_string()}</li> }
    });
    view! {
        <h1>{t!(locale, invitation_title)}</h1>
        <p class="asks">{asks}</p>
        <ul class="grants">
            {(!restore).then(|| view! { <li>{of_record}</li> })}
            {provider_can}
            {if dap {
                view! {
                    <li>
                        {t!(locale, dap_included)}
                        <ul>
                            <li>{t!(locale, dap_admin_agents, partner = p).to_string()}</li>
                            <li>{t!(locale, dap_helpdesk_agents, partner = p).to_string()}</li>
                        </ul>
                    </li>
                }.into_any()
            } else {
                view! { <li>{t!(locale, dap_not_included, partner = p).to_string()}</li> }.into_any()
            }}
        </ul>
    }
}

#[component]
fn AcceptForm(
    locale: Locale,
    view: InvitationView,
    viewer: Viewer,
    invitation: String,
    without_dap: bool,
    error: Option<String>,
) -> impl IntoView {
    let agreement = match view.agreement_accepted_at {
        Some(at) => view! {
            <p class="muted">
                {t!(locale, agreement_already, agreement = i18n::agreement_name(locale, &view.agreement.name), version = &view.agreement.version, date = i18n::date(locale, at)).to_string()}
            </p>
        }
        .into_any(),
        None => {
            // Split as the person writes it (王伟: 王 + 伟), so both fields start filled.
            let (first, last) = crate::domain::split_name(&viewer.name);
            view! {
                <fieldset class="agreement">
                    <legend>{t!(locale, agreement_heading)}</legend>
                    <p>{t!(locale, agreement_intro, org = &viewer.org_name).to_string()}</p>
                    <p>
                        <a href=view.agreement.link.clone() target="_blank" rel="noopener noreferrer">
                            {t!(locale, agreement_link, agreement = i18n::agreement_name(locale, &view.agreement.name), version = &view.agreement.version).to_string()}
                        </a>
                    </p>
                    <div class="grid-2">
                        // Chinese readers write the family name first.
                        {(locale != Locale::en).then(|| view! { <label class="field"><span class="field-label">{t!(locale, last_name)}</span>
                            <input name="last_name" required maxlength="80" autocomplete="family-name" value=last.clone() /></label> })}
                        <label class="field"><span class="field-label">{t!(locale, first_name)}</span>
                            <input name="first_name" required maxlength="80" autocomplete="given-name" value=first /></label>
                        {(locale == Locale::en).then(|| view! { <label class="field"><span class="field-label">{t!(locale, last_name)}</span>
                            <input name="last_name" required maxlength="80" autocomplete="family-name" value=last.clone() /></label> })}
                        <label class="field"><span class="field-label">{t!(locale, signer_email)}</span>
                            <input type="email" name="signer_email" required autocomplete="email" value=viewer.email.clone() /></label>
                        <label class="field"><span class="field-label">{t!(locale, phone)}</span>
                            <input type="tel" name="phone" maxlength="40" autocomplete="tel" /></label>
                    </div>
                    <label class="check">
                        <input type="checkbox" name="acknowledge" value="yes" required />
                        <span>{t!(locale, acknowledge)}</span>
                    </label>
                </fieldset>
            }
            .into_any()
        }
    };
    let label = if without_dap {
        t!(locale, accept_without_dap)
    } else {
        t!(locale, accept)
    };
    view! {
        <PostForm action=AcceptInvitation::PATH class="portal-card stack accept">
            <input type="hidden" name="invitation" value=invitation />
            {without_dap.then(|| view! { <input type="hidden" name="without_dap" value="true" /> })}
            {agreement}
            <FormError error />
            // Accepting without DAP is one of two answers to a refusal: not styled as the
            // expected one.
            <Submit label=label.to_string() pending=t!(locale, working).to_string() class=if without_dap { "button" } else { "button primary" } />
        </PostForm>
    }
}

/// The way to the organization-creation page, for someone without an organization.
#[component]
fn NewHere(locale: Locale, view: InvitationView, invitation: String) -> impl IntoView {
    let cloud = i18n::cloud(locale, view.cloud);
    let href = Step::NewOrganization.url(view.cloud, &invitation);
    view! {
        <section class="portal-card">
            <h2>{t!(locale, create_org_heading)}</h2>
            <p class="muted">{t!(locale, create_org_intro, cloud = cloud, partner = &view.partner_name).to_string()}</p>
            <a class="button wide" href=href>{t!(locale, create_org_link)}</a>
        </section>
    }
}

#[component]
fn CreateOrgForm(
    locale: Locale,
    view: InvitationView,
    invitation: String,
    error: Option<String>,
) -> impl IntoView {
    let heading = t!(locale, create_org_link).to_string();
    let cloud = i18n::cloud(locale, view.cloud);
    let example = view.cloud.example_domain();
    let back = Step::Review.url(view.cloud, &invitation);
    // Where the partner can work: its market region, or only its own country.
    let reach = match &view.partner_region {
        Some(region) => i18n::region(locale, region),
        None => i18n::country(locale, &view.partner_country),
    };
    view! {
        <section class="portal-card narrow">
            <h1>{heading.clone()}</h1>
            <p class="asks">{t!(locale, asks, partner = &view.partner_name).to_string()}</p>
            <p class="muted">{t!(locale, create_org_intro, cloud = cloud, partner = &view.partner_name).to_string()}</p>
            <p class="muted" id="reach">{t!(locale, create_org_reach, partner = &view.partner_name, reach = reach).to_string()}</p>
            <PostForm action=CustomerSignUp::PATH class="stack" label=heading>
                <input type="hidden" name="invitation" value=invitation />
                <label class="field"><span class="field-label">{t!(locale, company_name)}</span>
                    <input name="company" required maxlength="120" autocomplete="organization" /></label>
                <div class="field">
                    <label class="field"><span class="field-label">{t!(locale, domain)}</span>
                        <input name="domain" required maxlength="253" placeholder=example aria-describedby="domain-hint" /></label>
                    <span class="field-hint" id="domain-hint">{t!(locale, domain_hint, example = example).to_string()}</span>
                </div>
                <label class="field"><span class="field-label">{t!(locale, country)}</span>
                    <CountrySelect locale suggested=vec![view.partner_country.clone()] described_by="reach" /></label>
                <label class="field"><span class="field-label">{t!(locale, your_name)}</span>
                    <input name="admin_name" required maxlength="120" autocomplete="name" /></label>
                <label class="field"><span class="field-label">{t!(locale, email)}</span>
                    <input type="email" name="email" required autocomplete="email" /></label>
                <label class="field"><span class="field-label">{t!(locale, password)}</span>
                    <input type="password" name="password" required minlength=MIN_PASSWORD_LEN.to_string() autocomplete="new-password" /></label>
                <FormError error />
                <Submit label=t!(locale, create_org).to_string() pending=t!(locale, creating).to_string() />
            </PostForm>
            <p class="muted"><a href=back>{t!(locale, create_org_back)}</a></p>
        </section>
    }
}
