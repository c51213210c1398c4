use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::NotFound;
use crate::pages::customer::{CustomerHomePage, InvitationPage};
use crate::pages::partner::{
    CustomersPage, PartnerSignUpPage, RequestEmailPage, RequestRelationshipPage,
};
use crate::pages::{HomePage, SignInPage};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| if text.is_empty() { "Accord".to_string() } else { format!("{text} · Accord") } />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage />
                <Route path=path!("/signin") view=SignInPage />
                <Route path=path!("/signup") view=PartnerSignUpPage />
                <Route path=path!("/partner/customers") view=CustomersPage />
                <Route path=path!("/partner/customers/request") view=RequestRelationshipPage />
                <Route path=path!("/partner/customers/request/email") view=RequestEmailPage />
                // Async: the status code (4xx for refusals) is known before the first byte is sent.
                <Route path=path!("/:portal/partner-invitation") view=InvitationPage ssr=SsrMode::Async />
                <Route path=path!("/:portal/home") view=CustomerHomePage />
            </Routes>
        </Router>
    }
}
