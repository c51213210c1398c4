//! Signing in to a customer portal, in that portal's look: a customer who signs out, or
//! opens one of the portal's pages signed out, stays in the portal.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::SignIn;
use crate::components::form::{FormError, PostForm, Submit};
use crate::components::layout::PortalFrame;
use crate::components::request::{form_error, here, session_ended};
use crate::domain::Cloud;
use crate::i18n::{t, Locale};
use crate::routes::FORGOT_PASSWORD;

/// A page for signed-in customer admins only: the rest sign in here, in the portal's look,
/// and come back to it.
#[component]
pub fn SignInFirst(cloud: Cloud, locale: Locale) -> impl IntoView {
    let error = form_error(SignIn::PATH);
    view! {
        <PortalFrame cloud locale viewer=None>
            <section class="portal-card">
                <h1>{t!(locale, customer_home_signed_out)}</h1>
            </section>
            <PortalSignInForm locale error intro=t!(locale, portal_sign_in_intro_portal).to_string() />
        </PortalFrame>
    }
}

/// Signing in to the customer organization, in the portal's look; back to this page after.
#[component]
pub fn PortalSignInForm(
    locale: Locale,
    error: Option<String>,
    /// What signing in leads to.
    #[prop(into)]
    intro: String,
) -> impl IntoView {
    let heading = t!(locale, portal_sign_in_heading).to_string();
    view! {
        <section class="portal-card">
            <h2>{heading.clone()}</h2>
            <p class="muted">{intro}</p>
            {session_ended().then(|| view! { <p class="notice" role="status">{t!(locale, session_ended)}</p> })}
            <PostForm action=SignIn::PATH class="stack" label=heading>
                <input type="hidden" name="next" value=here() />
                <label class="field"><span class="field-label">{t!(locale, email)}</span>
                    <input type="email" name="email" required autocomplete="username" /></label>
                <label class="field"><span class="field-label">{t!(locale, password)}</span>
                    <input type="password" name="password" required autocomplete="current-password" /></label>
                <p class="field-aside"><a href=FORGOT_PASSWORD>{t!(locale, forgot_link)}</a></p>
                <FormError error />
                <Submit label=t!(locale, sign_in).to_string() pending=t!(locale, signing_in).to_string() />
            </PostForm>
        </section>
    }
}
