use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::layout::{ErrorPage, NotFound, PortalFrame};
use crate::domain::{Cloud, Viewer};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::partners_page;
use crate::server::relationships::lifecycle::CustomerPartner;

/// Landing page of a signed-in customer admin in their cloud's portal: the organization and
/// its partners, with the way to the Partner relationships page.
#[component]
pub fn CustomerHomePage() -> impl IntoView {
    let locale = i18n::current();
    let portal = use_params_map()
        .read_untracked()
        .get("portal")
        .and_then(|p| Cloud::from_customer_prefix(&p));
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(cloud) = portal else {
                    return view! { <NotFound /> }.into_any();
                };
                match load().await {
                    Ok(Some((viewer, partners))) => view! { <Home cloud locale viewer partners /> }.into_any(),
                    Ok(None) => view! { <super::SignInFirst cloud locale /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

async fn load() -> Result<Option<(Viewer, Vec<CustomerPartner>)>, AppError> {
    let Some(viewer) = crate::api::ctx::viewer().await? else {
        return Ok(None);
    };
    // Partner users have their own portal; only a customer's partners are listed here.
    let partners = match viewer.customer_role() {
        Some(role) if role != crate::domain::CustomerRole::User => {
            let state = crate::api::ctx::state()?;
            crate::server::relationships::lifecycle::partners_of_customer(&state.db, &viewer.org_id)
                .await?
        }
        _ => Vec::new(),
    };
    Ok(Some((viewer, partners)))
}

#[component]
fn Home(
    cloud: Cloud,
    locale: Locale,
    viewer: Viewer,
    partners: Vec<CustomerPartner>,
) -> impl IntoView {
    let customer = viewer
        .customer_role()
        .is_some_and(|r| r != crate::domain::CustomerRole::User);
    let signed_in = t!(
        locale,
        customer_home_signed_in,
        email = &viewer.email,
        role = i18n::viewer_role(locale, &viewer)
    )
    .to_string();
    let org = viewer.org_name.clone();
    view! {
        <PortalFrame cloud locale viewer=Some(viewer)>
            <section class="portal-card">
                <p class="eyebrow">{t!(locale, home_org_heading)}</p>
                <h1>{org}</h1>
                <p>{signed_in}</p>
            </section>
            {customer.then(|| view! {
                <section class="portal-card" aria-labelledby="home-partners">
                    <h2 id="home-partners">{t!(locale, partners_title)}</h2>
                    {if partners.is_empty() {
                        view! { <p class="empty-state">{t!(locale, partners_empty)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="partner-summary">
                                {partners.into_iter().map(|p| {
                                    let kind = match p.relationship {
                                        Some(k) => i18n::relationship_kind(locale, k),
                                        None => t!(locale, kind_admin_roles_only).to_string(),
                                    };
                                    let dap = if p.has_dap() { t!(locale, yes) } else { t!(locale, no) };
                                    view! {
                                        <li data-partner=p.name.clone()>
                                            <span class="p-name">{p.name.clone()}</span>
                                            <span class="p-kind">{kind}</span>
                                            <span class="p-dap">{t!(locale, col_dap)} ": " {dap}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <p><a href=partners_page(cloud)>{t!(locale, home_partners_link)}</a></p>
                </section>
            })}
        </PortalFrame>
    }
}
