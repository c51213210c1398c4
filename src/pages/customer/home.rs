use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::layout::{NotFound, PortalFrame};
use crate::domain::Cloud;
use crate::i18n::{self, t};

/// Landing page of a signed-in customer admin in their cloud's portal.
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
                let viewer = crate::api::ctx::viewer().await.ok().flatten();
                let body = match &viewer {
                    Some(v) => view! {
                        <section class="portal-card">
                            <h1>{v.org_name.clone()}</h1>
                            <p>{t!(locale, customer_home_signed_in, email = &v.email, role = i18n::viewer_role(locale, v)).to_string()}</p>
                        </section>
                    }.into_any(),
                    None => view! {
                        <section class="portal-card">
                            <h1>{t!(locale, customer_home_signed_out)}</h1>
                            <p><a href="/signin">{t!(locale, sign_in)}</a></p>
                        </section>
                    }.into_any(),
                };
                view! { <PortalFrame cloud locale viewer>{body}</PortalFrame> }.into_any()
            })}
        </Suspense>
    }
}
