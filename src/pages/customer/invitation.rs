use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_location, use_params_map};

use crate::api::acceptance::{
    load_invitation, AcceptInvitation, CustomerSignUp, DeclineInvitation, InvitationView,
};
use crate::api::auth::{current_viewer, SignIn, SignOut};
use crate::components::form::FormError;
use crate::domain::{Cloud, Refusal, Viewer, COUNTRIES, INVITATION_PATH, MIN_PASSWORD_LEN};
use crate::error::AppError;
use crate::text::{self, fill, PortalText};

/// Sets the HTTP status of the page being rendered on the server.
fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(_code),
    ) {
        res.set_status(code);
    }
}

/// The acceptance page of an invitation link, dressed as the partner's cloud portal.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let portal = move || {
        params
            .read()
            .get("portal")
            .and_then(|p| Cloud::from_customer_prefix(&p))
    };
    let query = move || location.search.get().trim_start_matches('?').to_string();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_up = ServerAction::<CustomerSignUp>::new();
    let accept = ServerAction::<AcceptInvitation>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let sign_out = ServerAction::<SignOut>::new();
    // A successful sign-in, sign-up, sign-out, accept or decline changes what the page shows:
    // reload it then, and only then, so a failed submission keeps what was typed.
    let reloads = RwSignal::new(0u32);
    let reload_on_success = move |ok: bool| {
        if ok {
            reloads.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| reload_on_success(matches!(sign_in.value().get(), Some(Ok(_)))));
    Effect::new(move |_| reload_on_success(matches!(sign_up.value().get(), Some(Ok(_)))));
    Effect::new(move |_| reload_on_success(matches!(accept.value().get(), Some(Ok(_)))));
    Effect::new(move |_| reload_on_success(matches!(decline.value().get(), Some(Ok(_)))));
    Effect::new(move |_| {
        if matches!(sign_out.value().get(), Some(Ok(_))) {
            // The outcome shown belonged to the person who just left.
            accept.value().set(None);
            decline.value().set(None);
            reloads.update(|n| *n += 1);
        }
    });
    let invitation = Resource::new(
        move || (query(), reloads.get()),
        |(q, _)| load_invitation(q),
    );
    // Refusal pages still show who is signed in, so they can switch accounts.
    let signed_in = Resource::new(move || reloads.get(), |_| current_viewer());
    let here = move || format!("{}?{}", location.pathname.get(), query());
    view! {
        <Transition fallback=|| view! { <p class="muted page">"Loading…"</p> }>
            {move || {
                let Some(cloud) = portal() else {
                    set_status(404);
                    return view! { <crate::components::layout::NotFound /> }.into_any();
                };
                invitation.get().map(|result| match result {
                    Err(AppError::Refused(refusal)) => {
                        set_status(refusal.status_code());
                        view! {
                            <PortalFrame cloud viewer=signed_in.get().and_then(Result::ok).flatten() here=here() sign_out>
                                <RefusalPanel cloud refusal />
                            </PortalFrame>
                        }.into_any()
                    }
                    Err(e) => {
                        set_status(e.status_code());
                        view! {
                            <PortalFrame cloud viewer=signed_in.get().and_then(Result::ok).flatten() here=here() sign_out>
                                <p class="form-error" role="alert">{e.to_string()}</p>
                            </PortalFrame>
                        }.into_any()
                    }
                    Ok(v) if v.cloud != cloud => {
                        let target = format!("{}{INVITATION_PATH}?{}", v.cloud.customer_prefix(), query());
                        view! { <Redirect path=target /> }.into_any()
                    }
                    Ok(v) => {
                        if let Some(r) = &v.refusal {
                            set_status(r.status_code());
                        }
                        let viewer = v.viewer.clone();
                        view! {
                            <PortalFrame cloud viewer here=here() sign_out>
                                <InvitationBody view=v query=query() sign_in sign_up accept decline here=here() />
                            </PortalFrame>
                        }.into_any()
                    }
                })
                .unwrap_or_else(|| ().into_any())
            }}
        </Transition>
    }
}

/// Header and frame of a cloud's customer portal: name, colours and layout differ per cloud.
#[component]
fn PortalFrame(
    cloud: Cloud,
    viewer: Option<Viewer>,
    here: String,
    sign_out: ServerAction<SignOut>,
    children: Children,
) -> impl IntoView {
    let t = text::portal(cloud);
    view! {
        <Title formatter=|text: String| text text=t.portal_name />
        <div class=format!("portal portal-{}", cloud.code()) lang=cloud.default_locale()>
            <header class="portal-bar">
                <span class="portal-waffle" aria-hidden="true">"⋮⋮⋮"</span>
                <span class="portal-name">{t.portal_name}</span>
                {viewer.map(|v| view! {
                    <div class="user-menu">
                        <span class="user-name">{v.name.clone()}</span>
                        <span class="user-org">{v.org_name.clone()}</span>
                        <ActionForm action=sign_out>
                            <input type="hidden" name="next" value=here.clone() />
                            <button type="submit" class="link-button">{t.sign_out}</button>
                        </ActionForm>
                    </div>
                })}
            </header>
            <main class="portal-main">{children()}</main>
        </div>
    }
}

#[component]
fn RefusalPanel(cloud: Cloud, refusal: Refusal) -> impl IntoView {
    let t = text::portal(cloud);
    let (title, lines) = text::refusal(cloud, &refusal);
    view! {
        <section class="portal-card refusal" data-refusal=format!("{}", refusal.status_code())>
            <h1>{title}</h1>
            {lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}
            <p class="muted">{t.nothing_changed}</p>
        </section>
    }
}

#[component]
fn InvitationBody(
    view: InvitationView,
    query: String,
    sign_in: ServerAction<SignIn>,
    sign_up: ServerAction<CustomerSignUp>,
    accept: ServerAction<AcceptInvitation>,
    decline: ServerAction<DeclineInvitation>,
    here: String,
) -> impl IntoView {
    let t = text::portal(view.cloud);
    let partner = view.partner_name.clone();
    let p = [("partner", partner.as_str())];

    if let Some(Ok(result)) = accept.value().get_untracked() {
        let msg = if result.newly_authorized {
            t.accepted
        } else {
            t.already_authorized
        };
        return view! {
            <section class="portal-card done" role="status">
                <h1>{t.invitation_title}</h1>
                <p class="success">{fill(msg, &[("partner", &result.partner_name)])}</p>
            </section>
        }
        .into_any();
    }
    if let Some(Ok(name)) = decline.value().get_untracked() {
        return view! {
            <section class="portal-card done" role="status">
                <h1>{t.invitation_title}</h1>
                <p>{fill(t.declined, &[("partner", &name)])}</p>
            </section>
        }
        .into_any();
    }

    let summary = view! {
        <h1>{t.invitation_title}</h1>
        <p class="asks">{fill(t.asks, &p)}</p>
        <ul class="grants">
            <li>{fill(t.reseller_of_record, &p)}</li>
            {if view.dap {
                view! {
                    <li>
                        {t.dap_included}
                        <ul>
                            <li>{fill(t.dap_admin_agents, &p)}</li>
                            <li>{fill(t.dap_helpdesk_agents, &p)}</li>
                        </ul>
                    </li>
                }.into_any()
            } else {
                view! { <li>{fill(t.dap_not_included, &p)}</li> }.into_any()
            }}
        </ul>
    };

    let Some(viewer) = view.viewer.clone() else {
        return view! {
            <section class="portal-card">{summary}</section>
            <div class="portal-columns">
                <SignInForm t=text::portal(view.cloud) action=sign_in next=here />
                <CreateOrgForm t=text::portal(view.cloud) cloud=view.cloud partner=partner.clone() action=sign_up query=query.clone() />
            </div>
        }
        .into_any();
    };

    if let Some(refusal) = view.refusal.clone() {
        let offer = view.can_accept_without_dap.then(|| {
            view! {
                <AcceptForm
                    t=text::portal(view.cloud)
                    view=view.clone()
                    viewer=viewer.clone()
                    query=query.clone()
                    action=accept
                    without_dap=true
                />
            }
        });
        return view! {
            <RefusalPanel cloud=view.cloud refusal />
            {offer}
        }
        .into_any();
    }

    if view.already_authorized {
        return view! {
            <section class="portal-card done" role="status">
                <h1>{t.invitation_title}</h1>
                <p class="success">{fill(t.already_authorized, &p)}</p>
            </section>
        }
        .into_any();
    }

    view! {
        <section class="portal-card">
            {summary}
            <p class="muted">{fill(t.signed_in_as, &[("user", &viewer.email), ("org", &viewer.org_name)])}</p>
        </section>
        <AcceptForm t=text::portal(view.cloud) view=view.clone() viewer=viewer.clone() query=query.clone() action=accept without_dap=false />
        <ActionForm action=decline attr:class="decline">
            <input type="hidden" name="invitation" value=query.clone() />
            <button type="submit" class="button">{t.decline}</button>
        </ActionForm>
        <FormError error=Signal::derive(move || decline.value().get().and_then(Result::err)) />
    }
    .into_any()
}

#[component]
fn AcceptForm(
    t: PortalText,
    view: InvitationView,
    viewer: Viewer,
    query: String,
    action: ServerAction<AcceptInvitation>,
    without_dap: bool,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let agreement = match &view.agreement_accepted_on {
        Some(date) => view! {
            <p class="muted">
                {fill(t.agreement_already, &[("agreement", &view.agreement.name), ("version", &view.agreement.version), ("date", date)])}
            </p>
        }
        .into_any(),
        None => {
            let (first, last) = viewer.name.split_once(' ').map(|(f, l)| (f.to_string(), l.to_string())).unwrap_or((viewer.name.clone(), String::new()));
            view! {
                <fieldset class="agreement">
                    <legend>{t.agreement_heading}</legend>
                    <p>{fill(t.agreement_intro, &[("org", &viewer.org_name)])}</p>
                    <p>
                        <a href=view.agreement.link.clone() target="_blank" rel="noopener noreferrer">
                            {format!("{} (version {})", view.agreement.name, view.agreement.version)}
                        </a>
                    </p>
                    <div class="grid-2">
                        <label class="field"><span class="field-label">{t.first_name}</span>
                            <input name="first_name" required maxlength="80" autocomplete="given-name" value=first /></label>
                        <label class="field"><span class="field-label">{t.last_name}</span>
                            <input name="last_name" required maxlength="80" autocomplete="family-name" value=last /></label>
                        <label class="field"><span class="field-label">{t.signer_email}</span>
                            <input type="email" name="signer_email" required autocomplete="email" value=viewer.email.clone() /></label>
                        <label class="field"><span class="field-label">{t.phone}</span>
                            <input type="tel" name="phone" maxlength="40" autocomplete="tel" /></label>
                    </div>
                    <label class="check">
                        <input type="checkbox" name="acknowledge" value="yes" required />
                        <span>{t.acknowledge}</span>
                    </label>
                </fieldset>
            }
            .into_any()
        }
    };
    view! {
        <ActionForm action attr:class="portal-card stack accept">
            <input type="hidden" name="invitation" value=query />
            {without_dap.then(|| view! { <input type="hidden" name="without_dap" value="true" /> })}
            {agreement}
            <FormError error />
            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                {if without_dap { t.accept_without_dap } else { t.accept }}
            </button>
        </ActionForm>
    }
}

#[component]
fn SignInForm(t: PortalText, action: ServerAction<SignIn>, next: String) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="portal-card">
            <h2>{t.sign_in_heading}</h2>
            <p class="muted">{t.sign_in_intro}</p>
            <ActionForm action attr:class="stack" attr:aria-label=t.sign_in_heading>
                <input type="hidden" name="next" value=next />
                <label class="field"><span class="field-label">{t.email}</span>
                    <input type="email" name="email" required autocomplete="username" /></label>
                <label class="field"><span class="field-label">{t.password}</span>
                    <input type="password" name="password" required autocomplete="current-password" /></label>
                <FormError error />
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{t.sign_in}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn CreateOrgForm(
    t: PortalText,
    cloud: Cloud,
    partner: String,
    action: ServerAction<CustomerSignUp>,
    query: String,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="portal-card">
            <h2>{t.create_org_heading}</h2>
            <p class="muted">{fill(t.create_org_intro, &[("cloud", cloud.label()), ("partner", &partner)])}</p>
            <ActionForm action attr:class="stack" attr:aria-label=t.create_org_heading>
                <input type="hidden" name="invitation" value=query />
                <label class="field"><span class="field-label">{t.company_name}</span>
                    <input name="company" required maxlength="120" autocomplete="organization" /></label>
                <div class="field">
                    <label class="field"><span class="field-label">{t.domain}</span>
                        <input name="domain" required maxlength="253" placeholder="contoso.onmicrosoft.com" /></label>
                    <span class="field-hint">{t.domain_hint}</span>
                </div>
                <label class="field"><span class="field-label">{t.country}</span>
                    <select name="country" required>
                        <option value="">"…"</option>
                        {COUNTRIES.iter().map(|(code, name)| view! { <option value=*code>{*name}</option> }).collect_view()}
                    </select></label>
                <label class="field"><span class="field-label">{t.your_name}</span>
                    <input name="admin_name" required maxlength="120" autocomplete="name" /></label>
                <label class="field"><span class="field-label">{t.email}</span>
                    <input type="email" name="email" required autocomplete="email" /></label>
                <label class="field"><span class="field-label">{t.password}</span>
                    <input type="password" name="password" required minlength=MIN_PASSWORD_LEN.to_string() autocomplete="new-password" /></label>
                <FormError error />
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{t.create_org}</button>
            </ActionForm>
        </section>
    }
}
