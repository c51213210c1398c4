use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::auth::{current_viewer, SignOut};
use crate::domain::Viewer;

/// Header of the partner portal: brand, navigation and the signed-in user.
#[component]
pub fn PartnerHeader() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <header class="topbar partner">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " Accord"
            </a>
            <nav aria-label="Partner">
                <A href="/partner/customers">"Customers"</A>
            </nav>
            <Transition fallback=|| ()>
                {move || viewer.get().and_then(Result::ok).flatten().map(|v| view! { <UserMenu viewer=v /> })}
            </Transition>
        </header>
    }
}

/// The signed-in user's name, organization and a sign-out button (a form, so it works
/// before the page is interactive).
#[component]
pub fn UserMenu(viewer: Viewer) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="user-menu">
            <span class="user-name">{viewer.name.clone()}</span>
            <span class="user-org">{format!("{} · {}", viewer.org_name, viewer.role_label())}</span>
            <ActionForm action=sign_out>
                <button type="submit" class="link-button">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="centered">
            <section class="card narrow">
                <h1>"Page not found"</h1>
                <p>"The address may be mistyped, or the page has moved."</p>
                <p><a href="/">"Go to the start page"</a></p>
            </section>
        </main>
    }
}
