use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::current_viewer;
use crate::api::customers::{list_customers, CustomerSummary};
use crate::components::layout::PartnerHeader;
use crate::domain::country_name;

/// The partner's customers with an active relationship; each row expands to the account.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let customers = Resource::new(|| (), |_| list_customers());
    let viewer = Resource::new(|| (), |_| current_viewer());
    let can_invite = move || {
        viewer
            .get()
            .and_then(Result::ok)
            .flatten()
            .and_then(|v| v.partner_role())
            .is_some_and(|r| r.can_invite())
    };
    view! {
        <Title text="Customers" />
        <PartnerHeader />
        <main class="page">
            <div class="page-head">
                <h1>"Customers"</h1>
                <Transition fallback=|| ()>
                    <Show when=can_invite>
                        <a class="button primary" href="/partner/customers/request">"Request a reseller relationship"</a>
                    </Show>
                </Transition>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading customers…"</p> }>
                {move || customers.get().map(|result| match result {
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <section class="empty-state">
                            <h2>"No customers yet"</h2>
                            <p>"Customers appear here once they accept your reseller relationship request."</p>
                        </section>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="customers">
                            <thead>
                                <tr>
                                    <th scope="col"><span class="visually-hidden">"Details"</span></th>
                                    <th scope="col">"Customer"</th>
                                    <th scope="col">"Domain"</th>
                                    <th scope="col">"Relationship"</th>
                                    <th scope="col">"Delegated admin"</th>
                                </tr>
                            </thead>
                            {list.into_iter().map(|c| view! { <CustomerRow customer=c /> }).collect_view()}
                        </table>
                    }.into_any(),
                })}
            </Transition>
        </main>
    }
}

#[component]
fn CustomerRow(customer: CustomerSummary) -> impl IntoView {
    let (open, set_open) = signal(false);
    let details_id = format!("customer-{}", customer.customer_id);
    let has_dap = customer.dap.iter().any(|d| d.granted_on.is_some());
    let label = format!("Show account details of {}", customer.name);
    view! {
        <tbody class="customer" data-customer=customer.domain.clone()>
            <tr>
                <td>
                    <button
                        type="button"
                        class="expand"
                        aria-expanded=move || open.get().to_string()
                        aria-controls=details_id.clone()
                        aria-label=label
                        on:click=move |_| set_open.update(|o| *o = !*o)
                    >
                        <span aria-hidden="true">{move || if open.get() { "▴" } else { "▾" }}</span>
                    </button>
                </td>
                <th scope="row">{customer.name.clone()}</th>
                <td>{customer.domain.clone()}</td>
                <td>{customer.relationship.clone()}</td>
                <td>{if has_dap { "Yes" } else { "No" }}</td>
            </tr>
            <tr id=details_id class="details" hidden=move || !open.get()>
                <td colspan="5">
                    <dl class="facts">
                        <dt>"Relationship type"</dt>
                        <dd>{customer.relationship.clone()}</dd>
                        <dt>"Established"</dt>
                        <dd>{customer.established_on.clone()}</dd>
                        <dt>"Country"</dt>
                        <dd>{country_name(&customer.country).to_string()}</dd>
                        {customer.dap.iter().map(|d| view! {
                            <dt>{format!("Delegated admin: {}", d.service)}</dt>
                            <dd>{match &d.granted_on {
                                Some(on) => format!("Granted on {on}"),
                                None => "Not granted".to_string(),
                            }}</dd>
                        }).collect_view()}
                        <dt>"Customer agreement"</dt>
                        <dd>{match &customer.agreement {
                            Some(a) => format!("{} (version {}) accepted by {} <{}> on {}", a.agreement, a.version, a.signer, a.signer_email, a.accepted_on),
                            None => "No acceptance on record".to_string(),
                        }}</dd>
                    </dl>
                </td>
            </tr>
        </tbody>
    }
}
