//! The frames every page sits in: partner portal, public pages and the customer portals of
//! each cloud. Each frame puts the page inside the `Enhance` island, so every form on it is
//! enhanced when JavaScript runs.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::form::PostForm;
use super::request::{here, set_status};
use crate::api::auth::{SignOut, SignOutEverywhere};
use crate::domain::{Cloud, Viewer};
use crate::i18n::{self, t, Locale};
use crate::islands::Enhance;
use crate::routes::{
    partners_page, API_KEYS, CUSTOMERS, INDIRECT_PROVIDERS, INDIRECT_RESELLERS, PARTNER_ACTIVITY,
    PARTNER_USERS, WEBHOOKS,
};

/// The language menu: the current language, opening (a `<details>` element, no script) to
/// links to the page in each language; the choice is kept in a cookie. Closed, it draws no
/// Chinese glyphs, so an English page never waits for a CJK font.
#[component]
pub fn LocaleSwitcher(locale: Locale) -> impl IntoView {
    let next: String = url::form_urlencoded::byte_serialize(here().as_bytes()).collect();
    let language = t!(locale, language).to_string();
    view! {
        <details class="locales">
            <summary>
                <svg class="globe" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                    <circle cx="8" cy="8" r="6.5" />
                    <ellipse cx="8" cy="8" rx="2.8" ry="6.5" />
                    <path d="M1.5 8h13M2.6 4.5h10.8M2.6 11.5h10.8" />
                </svg>
                <span class="visually-hidden">{language.clone()} ": "</span>
                <span lang=i18n::tag(locale)>{i18n::endonym(locale)}</span>
            </summary>
            <nav aria-label=language>
                <ul>
                    {i18n::ALL
                        .into_iter()
                        .map(|l| {
                            let tag = i18n::tag(l);
                            view! {
                                <li>
                                    <a
                                        href=format!("/locale/{tag}?next={next}")
                                        lang=tag
                                        hreflang=tag
                                        aria-current=(l == locale).then_some("true")
                                    >
                                        {i18n::endonym(l)}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </details>
    }
}

/// Sign-out, a form so it works before and without JavaScript; back to `next` afterwards.
#[component]
pub fn SignOutForm(locale: Locale, #[prop(optional)] next: Option<String>) -> impl IntoView {
    view! {
        <PostForm action=SignOut::PATH class="sign-out">
            {next.map(|n| view! { <input type="hidden" name="next" value=n /> })}
            <button type="submit" class="link-button">{t!(locale, sign_out)}</button>
        </PostForm>
    }
}

/// The signed-in person with their organization and role, and sign-out. The name opens (a
/// `<details>` element, no script) to signing out on every device.
#[component]
fn UserMenu(
    locale: Locale,
    viewer: Viewer,
    #[prop(optional)] next: Option<String>,
) -> impl IntoView {
    let role = i18n::viewer_role(locale, &viewer);
    view! {
        <div class="user-menu">
            <details class="menu account">
                <summary>
                    <span class="who">
                        <span class="user-name">{viewer.name.clone()}</span>
                        <span class="user-org">{format!("{} · {role}", viewer.org_name)}</span>
                    </span>
                </summary>
                <div class="menu-panel">
                    <PostForm action=SignOutEverywhere::PATH class="sign-out-everywhere">
                        <button type="submit" class="button">{t!(locale, sign_out_everywhere)}</button>
                    </PostForm>
                    <p class="hint">{t!(locale, sign_out_everywhere_hint)}</p>
                </div>
            </details>
            <SignOutForm locale next=next.unwrap_or_default() />
        </div>
    }
}

#[component]
fn Brand() -> impl IntoView {
    view! {
        <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true">"◆"</span>
            " Accord"
        </a>
    }
}

/// An error that stops a page from showing, with its HTTP status.
#[component]
pub fn PageError(locale: Locale, error: crate::error::AppError) -> impl IntoView {
    set_status(error.status_code());
    view! { <p class="form-error" role="alert">{i18n::error(locale, &error)}</p> }
}

/// A whole page saying why this page cannot be shown, with its status, in the frame of
/// where the person is: the portal of the address for customer pages, the partner portal
/// for partner staff, else the public frame; with the way to their start page.
#[component]
pub fn ErrorPage(locale: Locale, error: crate::error::AppError) -> impl IntoView {
    set_status(error.status_code());
    let portal = leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("portal")
        .and_then(|p| Cloud::from_customer_prefix(&p));
    view! {
        <Suspense>
            {Suspend::new(async move {
                let viewer = crate::api::ctx::viewer().await.ok().flatten();
                let title = t!(locale, page_unavailable_title).to_string();
                let home = match (&viewer, portal) {
                    (Some(v), _) => v.home(),
                    (None, Some(cloud)) => crate::routes::customer_home(cloud),
                    (None, None) => "/".to_string(),
                };
                let class = match portal {
                    Some(_) => "portal-card error-page",
                    None => "card narrow error-page",
                };
                let body = view! {
                    <section class=class>
                        <h1>{title.clone()}</h1>
                        <p class="form-error" role="alert">{i18n::error(locale, &error)}</p>
                        <p><a href=home>{t!(locale, go_to_start)}</a></p>
                    </section>
                };
                match (portal, viewer) {
                    (Some(cloud), viewer) => view! {
                        <PortalFrame cloud locale viewer title=Some(title)>{body}</PortalFrame>
                    }
                    .into_any(),
                    (None, Some(viewer)) if viewer.partner_role().is_some() => view! {
                        <PartnerFrame locale viewer title>{body}</PartnerFrame>
                    }
                    .into_any(),
                    (None, _) => view! { <PublicFrame locale title>{body}</PublicFrame> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SkipLink(locale: Locale) -> impl IntoView {
    view! { <a class="skip-link" href="#main">{t!(locale, skip_to_content)}</a> }
}

/// Frame of the partner portal: brand, navigation, the signed-in user, languages.
#[component]
pub fn PartnerFrame(
    locale: Locale,
    viewer: Viewer,
    #[prop(into)] title: String,
    children: Children,
) -> impl IntoView {
    // The indirect channel's page of the partner's program.
    let indirect = match viewer.membership {
        crate::domain::Membership::Partner {
            program: crate::domain::ProgramType::IndirectReseller,
            ..
        } => Some(
            view! { <a href=INDIRECT_PROVIDERS>{t!(locale, nav_indirect_providers)}</a> }
                .into_any(),
        ),
        crate::domain::Membership::Partner {
            program: crate::domain::ProgramType::IndirectProvider,
            ..
        } => Some(
            view! { <a href=INDIRECT_RESELLERS>{t!(locale, nav_indirect_resellers)}</a> }
                .into_any(),
        ),
        _ => None,
    };
    view! {
        <Title text=title />
        <SkipLink locale />
        <Enhance>
            <header class="topbar partner">
                <Brand />
                <nav class="main-nav" aria-label=t!(locale, nav_partner).to_string()>
                    <a href=CUSTOMERS>{t!(locale, nav_customers)}</a>
                    {indirect}
                    <a href=PARTNER_ACTIVITY>{t!(locale, nav_activity)}</a>
                    <a href=PARTNER_USERS>{t!(locale, nav_users)}</a>
                    <a href=API_KEYS>{t!(locale, nav_api_keys)}</a>
                    <a href=WEBHOOKS>{t!(locale, nav_webhooks)}</a>
                </nav>
                <UserMenu locale viewer />
                <LocaleSwitcher locale />
            </header>
            <main id="main" class="page">{children()}</main>
        </Enhance>
    }
}

/// Frame of the public pages (start, sign-in, sign-up).
#[component]
pub fn PublicFrame(
    locale: Locale,
    #[prop(into)] title: String,
    children: Children,
) -> impl IntoView {
    view! {
        <Title text=title />
        <SkipLink locale />
        <Enhance>
            <header class="topbar public">
                <Brand />
                <LocaleSwitcher locale />
            </header>
            <main id="main" class="centered">{children()}</main>
        </Enhance>
    }
}

/// Header and frame of a cloud's customer portal: name, colours and layout differ per
/// cloud. Sign-out comes back to the same page. A signed-in customer admin also gets the
/// portal's navigation (home, Partner relationships); `title` names the page.
#[component]
pub fn PortalFrame(
    cloud: Cloud,
    locale: Locale,
    viewer: Option<Viewer>,
    #[prop(default = None)] title: Option<String>,
    children: Children,
) -> impl IntoView {
    let portal = i18n::customer_portal(locale, cloud);
    let full_title = match title {
        Some(t) => format!("{t} – {portal}"),
        None => portal.clone(),
    };
    let nav = viewer
        .as_ref()
        .and_then(|v| v.customer_role())
        .map(|role| view! { <PortalNav cloud locale role /> });
    view! {
        <Title formatter=|text: String| text text=full_title />
        <SkipLink locale />
        <Enhance>
            <div class=format!("portal portal-{}", cloud.code())>
                <header class="portal-bar">
                    <span class="portal-waffle" aria-hidden="true">"⋮⋮⋮"</span>
                    <span class="portal-name">{portal}</span>
                    {viewer.map(|v| view! { <UserMenu locale viewer=v next=here() /> })}
                    <LocaleSwitcher locale />
                </header>
                {nav}
                <main id="main" class="portal-main">{children()}</main>
            </div>
        </Enhance>
    }
}

/// The customer portal's own pages; the current one is marked.
#[component]
fn PortalNav(cloud: Cloud, locale: Locale, role: crate::domain::CustomerRole) -> impl IntoView {
    let path = crate::components::request::path();
    let prefix = cloud.customer_prefix();
    let mut links = vec![(format!("{prefix}/home"), t!(locale, nav_home).to_string())];
    // Users see the home page only.
    if role != crate::domain::CustomerRole::User {
        links.push((partners_page(cloud), t!(locale, partners_title).to_string()));
        links.push((
            format!("{prefix}/activity"),
            t!(locale, nav_activity).to_string(),
        ));
        links.push((format!("{prefix}/users"), t!(locale, nav_users).to_string()));
    }
    view! {
        <nav class="portal-nav" aria-label=t!(locale, portal_nav).to_string()>
            {links
                .into_iter()
                .map(|(href, label)| {
                    let current = path == href || path.starts_with(&format!("{href}/"));
                    view! { <a href=href aria-current=current.then_some("page")>{label}</a> }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    let locale = i18n::current();
    view! {
        <PublicFrame locale title=t!(locale, not_found_title).to_string()>
            <section class="card narrow">
                <h1>{t!(locale, not_found_title)}</h1>
                <p>{t!(locale, not_found_text)}</p>
                <p><a href="/">{t!(locale, go_to_start)}</a></p>
            </section>
        </PublicFrame>
    }
}
