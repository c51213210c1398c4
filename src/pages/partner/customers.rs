use leptos::prelude::*;

use crate::components::layout::{ErrorPage, PartnerFrame};
use crate::components::request::query_param;
use crate::domain::Viewer;
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::{account_page, CUSTOMERS, REQUEST};
use crate::server::platform::fragments::Rows;
use crate::server::relationships::customers::{self, CustomerPage, CustomerSummary};
use std::sync::Arc;

/// Customers per page.
pub const PAGE_SIZE: i64 = 50;

/// The partner's customers with an active relationship, a page at a time; each row opens
/// to show the account (a `<details>` element: no script needed).
#[component]
pub fn CustomersPage() -> impl IntoView {
    let locale = i18n::current();
    let page = query_param("page")
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load(page).await {
                    // A page past the end (an old link, fewer customers now): the last page.
                    Ok((_, customers)) if customers.count == 0 && customers.total > 0 => {
                        let last = (customers.total + PAGE_SIZE - 1) / PAGE_SIZE;
                        leptos_axum::redirect(&format!("{CUSTOMERS}?page={last}"));
                        ().into_any()
                    }
                    Ok((viewer, customers)) => view! { <Customers locale viewer customers page /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's customers: their count, and the rows as HTML. The rows of a page, in a
/// language, are rendered once per version of the partner's customers and then reused
/// (`server::platform::fragments`): a page of 50 customers is most of the work of this page.
async fn load(page: i64) -> Result<(Viewer, Arc<Rows>), AppError> {
    let (viewer, _) = crate::api::ctx::partner().await?;
    let state = crate::api::ctx::state()?;
    let db = &state.db;
    let locale = i18n::current();
    let version = customers::customers_version(db, &viewer.org_id).await?;
    let key = format!(
        "customers:{}:{page}:{}:{version}",
        viewer.org_id,
        i18n::tag(locale)
    );
    if let Some(rows) = db.fragments.get(&key) {
        return Ok((viewer, rows));
    }
    let CustomerPage { total, customers } =
        customers::list_customers(db, &viewer.org_id, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let count = customers.len() as i64;
    let html = customers
        .into_iter()
        .map(|c| view! { <CustomerRow locale customer=c /> })
        .collect_view()
        .to_html();
    let rows = Arc::new(Rows { total, count, html });
    db.fragments.put(key, rows.clone());
    Ok((viewer, rows))
}

#[component]
fn Customers(locale: Locale, viewer: Viewer, customers: Arc<Rows>, page: i64) -> impl IntoView {
    let awaiting_approval = viewer.awaiting_approval();
    let viewer_org = viewer.org_id.clone();
    let can_invite = viewer.partner_role().is_some_and(|r| r.can_invite()) && !awaiting_approval;
    let (total, count) = (customers.total, customers.count);
    let html = customers.html.clone();
    let from = (page - 1) * PAGE_SIZE + 1;
    let to = from + count - 1;
    let pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
    view! {
        <PartnerFrame locale viewer title=t!(locale, customers_title).to_string()>
            <div class="page-head">
                <h1>{t!(locale, customers_title)}</h1>
                {can_invite.then(|| view! {
                    <a class="button primary" href=REQUEST>{t!(locale, request_relationship)}</a>
                })}
            </div>
            {awaiting_approval.then(|| view! { <ApprovalPending locale tenant=viewer_org.clone() /> })}
            {if count == 0 && page == 1 {
                view! {
                    <section class="empty-state">
                        <h2>{t!(locale, customers_empty_title)}</h2>
                        <p>{t!(locale, customers_empty)}</p>
                    </section>
                }.into_any()
            } else {
                view! {
                    <p class="muted" id="customers-count">{t!(locale, customers_count, from = from.min(total), to = to.max(0), total = total).to_string()}</p>
                    <div class="customers-head" aria-hidden="true">
                        <span>{t!(locale, col_customer)}</span>
                        <span>{t!(locale, col_domain)}</span>
                        <span>{t!(locale, col_relationship)}</span>
                        <span>{t!(locale, col_dap)}</span>
                    </div>
                    // Rendered by `CustomerRow` (escaped like any view), possibly for an earlier
                    // request of the same data version.
                    <ul class="customers" inner_html=html></ul>
                    <Pager locale page pages />
                }.into_any()
            }}
        </PartnerFrame>
    }
}

#[component]
fn CustomerRow(locale: Locale, customer: CustomerSummary) -> impl IntoView {
    let has_dap = customer.has_dap();
    let kind = i18n::relationship_kind(locale, customer.relationship);
    view! {
        <li class="customer" data-customer=customer.domain.clone()>
            <details>
                <summary>
                    <span class="c-name">{customer.name.clone()}</span>
                    <span class="c-domain">{customer.domain.clone()}</span>
                    <span class="c-kind"><span class="c-label">{t!(locale, col_relationship)} ": "</span>{kind}</span>
                    <span class="c-dap"><span class="c-label">{t!(locale, col_dap)} ": "</span>
                        {if has_dap { t!(locale, yes) } else { t!(locale, no) }}
                    </span>
                </summary>
                <CustomerFacts locale customer=customer.clone() />
                <p class="row-actions">
                    <a href=account_page(&customer.customer_id)>{t!(locale, account_open)}</a>
                </p>
            </details>
        </li>
    }
}

/// What the partner knows of a customer: relationship, DAP per service, agreement.
#[component]
pub fn CustomerFacts(locale: Locale, customer: CustomerSummary) -> impl IntoView {
    let kind = i18n::relationship_kind(locale, customer.relationship);
    view! {
        <dl class="facts">
            <dt>{t!(locale, fact_relationship)}</dt>
            <dd>{kind}</dd>
            <dt>{t!(locale, fact_established)}</dt>
            <dd>{i18n::date(locale, customer.established_at)}</dd>
            <dt>{t!(locale, fact_country)}</dt>
            <dd>{i18n::country(locale, &customer.country)}</dd>
            {customer.dap.iter().map(|(service, granted)| view! {
                <dt>{t!(locale, fact_dap, service = i18n::service(locale, *service)).to_string()}</dt>
                <dd>{match granted {
                    Some(at) => t!(locale, fact_dap_granted, date = i18n::date(locale, *at)).to_string(),
                    None => t!(locale, fact_dap_not_granted).to_string(),
                }}</dd>
            }).collect_view()}
            <dt>{t!(locale, fact_agreement)}</dt>
            <dd>{match &customer.agreement {
                Some(a) => t!(
                    locale,
                    fact_agreement_value,
                    agreement = i18n::agreement_name(locale, &a.agreement),
                    version = &a.version,
                    signer = &a.signer,
                    email = &a.signer_email,
                    date = i18n::date(locale, a.accepted_at)
                ).to_string(),
                None => t!(locale, fact_agreement_none).to_string(),
            }}</dd>
        </dl>
    }
}

/// Shown to a partner organization whose sign-up the operator has not approved yet.
#[component]
pub fn ApprovalPending(locale: Locale, tenant: String) -> impl IntoView {
    view! {
        <section class="notice" role="status" aria-labelledby="approval-title">
            <h2 id="approval-title">{t!(locale, approval_pending_title)}</h2>
            <p>{t!(locale, approval_pending_text)}</p>
            <p>{t!(locale, approval_tenant_id)} " " <code class="tenant-id">{tenant}</code></p>
        </section>
    }
}

/// Previous and next page links (plain links: paging works without JavaScript).
#[component]
fn Pager(locale: Locale, page: i64, pages: i64) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=t!(locale, pages).to_string()>
                {(page > 1).then(|| view! {
                    <a href=format!("{CUSTOMERS}?page={}", page - 1) rel="prev">{t!(locale, previous_page)}</a>
                })}
                <span>{format!("{page} / {pages}")}</span>
                {(page < pages).then(|| view! {
                    <a href=format!("{CUSTOMERS}?page={}", page + 1) rel="next">{t!(locale, next_page)}</a>
                })}
            </nav>
        }
    })
}
