use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use super::customers::CustomerFacts;
use crate::api::lifecycle::RemoveCustomerRelationship;
use crate::components::form::{FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, NotFound, PartnerFrame};
use crate::components::request::form_error;
use crate::domain::{PartnerRole, Viewer};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::{CUSTOMERS, REQUEST};
use crate::server::relationships::customers::CustomerSummary;

/// A customer's Account page: what the partner holds, and **Remove customer relationship**
/// (Global admins) behind the attestation of seed 002. After removal the same page says
/// the relationship is gone and what stays (the DAP already granted).
#[component]
pub fn CustomerAccountPage() -> impl IntoView {
    let locale = i18n::current();
    let customer_id = use_params_map()
        .read_untracked()
        .get("customer")
        .unwrap_or_default();
    let error = form_error(RemoveCustomerRelationship::PATH);
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load(&customer_id).await {
                    Ok((viewer, Some(customer))) => view! { <Account locale viewer customer error /> }.into_any(),
                    Ok((_, None)) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

async fn load(customer_id: &str) -> Result<(Viewer, Option<CustomerSummary>), AppError> {
    let (viewer, _) = crate::api::ctx::partner().await?;
    let state = crate::api::ctx::state()?;
    let customer = crate::server::relationships::customers::customer_of_partner(
        &state.db,
        &viewer.org_id,
        customer_id,
    )
    .await?;
    Ok((viewer, customer))
}

#[component]
fn Account(
    locale: Locale,
    viewer: Viewer,
    customer: CustomerSummary,
    error: Option<String>,
) -> impl IntoView {
    let global_admin = viewer.partner_role() == Some(PartnerRole::GlobalAdmin);
    let services = i18n::held_services(locale, &customer.dap);
    let dap_note = if services.is_empty() {
        t!(locale, remove_rel_no_dap).to_string()
    } else {
        t!(locale, remove_rel_dap_kept, services = &services).to_string()
    };
    let title = format!("{} – {}", customer.name, t!(locale, account_title));
    view! {
        <PartnerFrame locale viewer title>
            <div class="narrow-page">
                <p class="crumbs"><a href=CUSTOMERS>{t!(locale, nav_customers)}</a></p>
                <h1>{customer.name.clone()}</h1>
                <p class="muted">{customer.domain.clone()}</p>
                {match customer.removed_at {
                    Some(at) => view! {
                        <section class="notice" role="status" aria-labelledby="removed-title" tabindex="-1" autofocus>
                            <h2 id="removed-title">{t!(locale, removed_title)}</h2>
                            <p>{t!(locale, removed_text, customer = &customer.name, date = i18n::date(locale, at)).to_string()}</p>
                            {(!services.is_empty()).then(|| view! { <p>{dap_note.clone()}</p> })}
                            <p>
                                {t!(locale, removed_invite_again)} " "
                                <a href=REQUEST>{t!(locale, request_relationship)}</a>
                            </p>
                        </section>
                    }.into_any(),
                    None => view! {
                        <h2 class="section-title">{t!(locale, account_title)}</h2>
                        <CustomerFacts locale customer=customer.clone() />
                        <section class="panel subtle" aria-labelledby="remove-title">
                            <h2 id="remove-title">{t!(locale, remove_rel_title)}</h2>
                            <p>{t!(locale, remove_rel_intro, customer = &customer.name).to_string()}</p>
                            <p class="note">{dap_note}</p>
                            {if global_admin {
                                view! {
                                    <PostForm action=RemoveCustomerRelationship::PATH class="stack">
                                        <input type="hidden" name="customer" value=customer.customer_id.clone() />
                                        <div class="attestation">
                                            <p>{t!(locale, remove_rel_attestation)}</p>
                                            <p>{t!(locale, remove_rel_notice)}</p>
                                        </div>
                                        <label class="check">
                                            <input type="checkbox" name="attest" value="yes" required />
                                            <span>{t!(locale, remove_rel_confirm)}</span>
                                        </label>
                                        <FormError error />
                                        <div class="actions">
                                            <Submit
                                                class="button danger"
                                                label=t!(locale, remove_rel_title).to_string()
                                                pending=t!(locale, removing).to_string()
                                            />
                                            <a class="button" href=CUSTOMERS>{t!(locale, cancel)}</a>
                                        </div>
                                    </PostForm>
                                }.into_any()
                            } else {
                                view! { <p class="muted">{t!(locale, err_remove_relationship_role)}</p> }.into_any()
                            }}
                        </section>
                    }.into_any(),
                }}
            </div>
        </PartnerFrame>
    }
}
