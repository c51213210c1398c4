use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::auth::current_viewer;
use crate::components::layout::{NotFound, UserMenu};
use crate::domain::Cloud;

/// Landing page of a signed-in customer admin in their cloud's portal.
#[component]
pub fn CustomerHomePage() -> impl IntoView {
    let params = use_params_map();
    let Some(portal) = params
        .read_untracked()
        .get("portal")
        .and_then(|p| Cloud::from_customer_prefix(&p))
    else {
        return view! { <NotFound /> }.into_any();
    };
    let cloud = move || portal;
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Title text=move || cloud().customer_portal().to_string() />
        <header class=move || format!("topbar portal portal-{}", cloud().code())>
            <span class="brand">{move || cloud().customer_portal()}</span>
            <Transition fallback=|| ()>
                {move || viewer.get().and_then(Result::ok).flatten().map(|v| view! { <UserMenu viewer=v /> })}
            </Transition>
        </header>
        <main class="page">
            <Transition fallback=|| ()>
                {move || viewer.get().map(|v| match v.ok().flatten() {
                    Some(v) => view! {
                        <h1>{v.org_name.clone()}</h1>
                        <p>{format!("Signed in as {} ({}).", v.email, v.role_label())}</p>
                    }.into_any(),
                    None => view! {
                        <h1>"Signed out"</h1>
                        <p><a href="/signin">"Sign in"</a></p>
                    }.into_any(),
                })}
            </Transition>
        </main>
    }
    .into_any()
}
