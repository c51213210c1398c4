use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::NotFound;
use crate::components::scripts::{IslandScripts, Stylesheet};
use crate::i18n;
use crate::pages::activity::{CustomerActivityPage, PartnerActivityPage};
use crate::pages::customer::{
    CustomerHomePage, InvitationPage, NewOrganizationPage, PartnerRelationshipsPage,
    RemoveRolesPage,
};
use crate::pages::partner::{
    ApiKeysPage, CustomerAccountPage, CustomersPage, IndirectProvidersPage, IndirectResellersPage,
    PartnerSignUpPage, RequestEmailPage, RequestRelationshipPage, WebhookPage, WebhooksPage,
};
use crate::pages::users::{SetPasswordPage, UserPage, UsersPage};
use crate::pages::{ForgotPasswordPage, HomePage, SignInPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = i18n::current();
    view! {
        <!DOCTYPE html>
        <html lang=i18n::tag(locale)>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <Stylesheet options=options.clone() />
                <IslandScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Every page is rendered whole before the first byte is sent (`SsrMode::Async`): pages
/// are small, and their status code (a 403 refusal, a 404) must be known up front.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| if text.is_empty() { "Accord".to_string() } else { format!("{text} · Accord") } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=PartnerSignUpPage ssr=SsrMode::Async />
                <Route path=path!("/partner/customers") view=CustomersPage ssr=SsrMode::Async />
                <Route path=path!("/partner/customers/request") view=RequestRelationshipPage ssr=SsrMode::Async />
                <Route path=path!("/partner/customers/request/email") view=RequestEmailPage ssr=SsrMode::Async />
                <Route path=path!("/partner/customers/:customer") view=CustomerAccountPage ssr=SsrMode::Async />
                <Route path=path!("/partner/activity") view=PartnerActivityPage ssr=SsrMode::Async />
                <Route path=path!("/partner/users") view=UsersPage ssr=SsrMode::Async />
                <Route path=path!("/partner/api-keys") view=ApiKeysPage ssr=SsrMode::Async />
                <Route path=path!("/partner/webhooks") view=WebhooksPage ssr=SsrMode::Async />
                <Route path=path!("/partner/webhooks/:webhook") view=WebhookPage ssr=SsrMode::Async />
                <Route path=path!("/partner/indirect-providers") view=IndirectProvidersPage ssr=SsrMode::Async />
                <Route path=path!("/partner/indirect-resellers") view=IndirectResellersPage ssr=SsrMode::Async />
                <Route path=path!("/partner/users/:user") view=UserPage ssr=SsrMode::Async />
                <Route path=path!("/set-password") view=SetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/docs/api") view=crate::pages::api_docs::ApiDocsPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/partner-invitation") view=InvitationPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/partner-invitation/new-organization") view=NewOrganizationPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/home") view=CustomerHomePage ssr=SsrMode::Async />
                <Route path=path!("/:portal/partners") view=PartnerRelationshipsPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/activity") view=CustomerActivityPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/users") view=UsersPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/users/:user") view=UserPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/partners/remove-roles") view=RemoveRolesPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
