use leptos::prelude::*;

use crate::components::layout::{ErrorPage, PartnerFrame};
use crate::components::request::query_param;
use crate::domain::{RelationshipKind, Viewer};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::{account_page, CUSTOMERS, REQUEST};
use crate::server::platform::fragments::Rows;
use crate::server::relationships::customers::CustomerSummary;
use crate::server::relationships::listing::{
    self, Cursor, CustomerQuery, Search, Seek, MAX_SEARCH,
};
use std::sync::Arc;

/// Customers per page.
pub const PAGE_SIZE: i64 = 50;

/// What the page lists: the filter of its form, and where the page begins.
#[derive(Clone, Debug, PartialEq)]
struct Request {
    query: CustomerQuery,
    seek: Seek,
    /// How many customers come before the page (carried by the cursor).
    offset: i64,
    /// The search text as typed.
    text: String,
}

/// The request of the page's address: `q` (the start of a name or domain), `kind`, `dap`
/// (`yes`/`no`), and `at` (a cursor of the same filter) or `last`. Unknown values are
/// ignored: the form offers only valid ones.
fn request(server_key: &[u8], partner: &str) -> Request {
    let text: String = query_param("q")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_SEARCH)
        .collect();
    let query = CustomerQuery {
        search: (!text.is_empty()).then(|| Search::NameOrDomain(text.clone())),
        kind: query_param("kind").and_then(|k| k.parse().ok()),
        dap: match query_param("dap").as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
    };
    let cursor = query_param("at")
        .and_then(|t| Cursor::read(&t, server_key, partner))
        .filter(|c| c.query == query && c.size == PAGE_SIZE);
    let (seek, offset) = match cursor {
        Some(c) => (c.seek(), c.offset),
        None if query_param("last").is_some() => (Seek::Last, 0),
        None => (Seek::First, 0),
    };
    Request {
        query,
        seek,
        offset,
        text,
    }
}

/// The partner's customers with an active relationship, a page at a time, with a search
/// form; each row opens to show the account (a `<details>` element: no script needed).
#[component]
pub fn CustomersPage() -> impl IntoView {
    let locale = i18n::current();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load().await {
                    // A page past the end (an old link, fewer customers now): the last page.
                    Ok((_, request, customers)) if customers.count == 0 && customers.total > 0 && request.seek != Seek::Last => {
                        leptos_axum::redirect(&address(&request.query, &request.text, Some("last=1")));
                        ().into_any()
                    }
                    Ok((viewer, request, customers)) => view! { <Customers locale viewer request customers /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's customers: their count, and the rows as HTML. The rows of a page, in a
/// language, are rendered once per version of the partner's customers and then reused
/// (`server::platform::fragments`), and requests for the same page while it is rendered
/// wait for that rendering rather than start their own.
async fn load() -> Result<(Viewer, Request, Arc<Rows>), AppError> {
    let (viewer, _) = crate::api::ctx::partner().await?;
    let state = crate::api::ctx::state()?;
    let db = &state.db;
    let request = request(&state.config.secret_key, &viewer.org_id);
    let locale = i18n::current();
    let version = listing::customers_version(db, &viewer.org_id).await?;
    let key = format!(
        "customers:{}:{}:{version}:{:?}:{:?}:{}",
        viewer.org_id,
        i18n::tag(locale),
        request.query,
        request.seek,
        request.offset,
    );
    let rows = db
        .fragments
        .get_or_render(key, || async {
            let slice = listing::slice(
                db,
                &viewer.org_id,
                &request.query,
                &request.seek,
                request.offset,
                PAGE_SIZE,
            )
            .await?;
            let first = slice.customers.first().map(|c| c.customer_id.clone());
            let last = slice.customers.last().map(|c| c.customer_id.clone());
            let count = slice.customers.len() as i64;
            let html = slice
                .customers
                .into_iter()
                .map(|c| view! { <CustomerRow locale customer=c /> })
                .collect_view()
                .to_html();
            Ok::<_, AppError>(Rows {
                total: slice.total,
                count,
                html,
                offset: slice.offset,
                first: slice.more_before.then_some(first).flatten(),
                last: slice.more_after.then_some(last).flatten(),
            })
        })
        .await?;
    Ok((viewer, request, rows))
}

/// The page's address for a filter, with more parameters (`at=…`, `last=1`).
fn address(query: &CustomerQuery, text: &str, more: Option<&str>) -> String {
    let mut params = url::form_urlencoded::Serializer::new(String::new());
    if !text.is_empty() {
        params.append_pair("q", text);
    }
    if let Some(kind) = query.kind {
        params.append_pair("kind", kind.code());
    }
    if let Some(dap) = query.dap {
        params.append_pair("dap", if dap { "yes" } else { "no" });
    }
    let mut params = params.finish();
    if let Some(more) = more {
        if !params.is_empty() {
            params.push('&');
        }
        params.push_str(more);
    }
    match params.is_empty() {
        true => CUSTOMERS.to_string(),
        false => format!("{CUSTOMERS}?{params}"),
    }
}

#[component]
fn Customers(
    locale: Locale,
    viewer: Viewer,
    request: Request,
    customers: Arc<Rows>,
) -> impl IntoView {
    let awaiting_approval = viewer.awaiting_approval();
    let viewer_org = viewer.org_id.clone();
    let can_invite = viewer.partner_role().is_some_and(|r| r.can_invite()) && !awaiting_approval;
    let (total, count) = (customers.total, customers.count);
    let html = customers.html.clone();
    let filtered = !request.query.is_all();
    let from = customers.offset + 1;
    let to = customers.offset + count;
    // Links to the neighbouring pages: cursors signed for this partner and filter.
    let state = crate::api::ctx::state().ok();
    let link = |after: bool, id: &Option<String>, offset: i64| {
        let (state, id) = (state.as_ref()?, id.as_ref()?);
        let cursor = Cursor {
            query: request.query.clone(),
            size: PAGE_SIZE,
            offset,
            after,
            id: id.clone(),
        };
        let token = cursor.token(&state.config.secret_key, &viewer_org);
        Some(address(
            &request.query,
            &request.text,
            Some(&format!("at={token}")),
        ))
    };
    let pager = Paging {
        first: customers
            .first
            .as_ref()
            .map(|_| address(&request.query, &request.text, None)),
        previous: link(
            false,
            &customers.first,
            (customers.offset - PAGE_SIZE).max(0),
        ),
        next: link(true, &customers.last, customers.offset + count),
        last: customers
            .last
            .as_ref()
            .map(|_| address(&request.query, &request.text, Some("last=1"))),
        page: customers.offset / PAGE_SIZE + 1,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
    };
    view! {
        <PartnerFrame locale viewer title=t!(locale, customers_title).to_string()>
            <div class="page-head">
                <h1>{t!(locale, customers_title)}</h1>
                {can_invite.then(|| view! {
                    <a class="button primary" href=REQUEST>{t!(locale, request_relationship)}</a>
                })}
            </div>
            {awaiting_approval.then(|| view! { <ApprovalPending locale tenant=viewer_org.clone() /> })}
            {if count == 0 && !filtered {
                view! {
                    <section class="empty-state">
                        <h2>{t!(locale, customers_empty_title)}</h2>
                        <p>{t!(locale, customers_empty)}</p>
                    </section>
                }.into_any()
            } else {
                view! {
                    <SearchForm locale request=request.clone() />
                    {if count == 0 {
                        view! { <p class="empty-state" id="customers-count">{t!(locale, customers_none_match)}</p> }.into_any()
                    } else {
                        view! {
                            <p class="muted" id="customers-count">{t!(locale, customers_count, from = from, to = to, total = total.max(to)).to_string()}</p>
                            <div class="customers-head" aria-hidden="true">
                                <span>{t!(locale, col_customer)}</span>
                                <span>{t!(locale, col_domain)}</span>
                                <span>{t!(locale, col_relationship)}</span>
                                <span>{t!(locale, col_dap)}</span>
                            </div>
                            // Rendered by `CustomerRow` (escaped like any view), possibly for an
                            // earlier request of the same data version.
                            <ul class="customers" inner_html=html></ul>
                            <Pager locale paging=pager />
                        }.into_any()
                    }}
                }.into_any()
            }}
        </PartnerFrame>
    }
}

/// Search by the start of a name or domain, and filters by relationship and DAP: a GET
/// form, so it works without JavaScript and its result has an address.
#[component]
fn SearchForm(locale: Locale, request: Request) -> impl IntoView {
    let filtered = !request.query.is_all();
    let kind = request.query.kind;
    let dap = request.query.dap;
    view! {
        <form method="get" action=CUSTOMERS class="filters customer-search" role="search"
            aria-label=t!(locale, customers_search_title).to_string()>
            <label class="field"><span class="field-label">{t!(locale, customers_search)}</span>
                <input type="search" name="q" value=request.text.clone() maxlength=MAX_SEARCH.to_string()
                    autocomplete="off" placeholder=t!(locale, customers_search_hint).to_string() /></label>
            <label class="field"><span class="field-label">{t!(locale, col_relationship)}</span>
                <select name="kind">
                    <option value="">{t!(locale, activity_any)}</option>
                    {RelationshipKind::ALL.iter().map(|k| view! {
                        <option value=k.code() selected=kind == Some(*k)>{i18n::relationship_kind(locale, *k)}</option>
                    }).collect_view()}
                </select></label>
            <label class="field"><span class="field-label">{t!(locale, col_dap)}</span>
                <select name="dap">
                    <option value="">{t!(locale, activity_any)}</option>
                    <option value="yes" selected=dap == Some(true)>{t!(locale, yes)}</option>
                    <option value="no" selected=dap == Some(false)>{t!(locale, no)}</option>
                </select></label>
            <div class="actions">
                <button type="submit" class="button primary">{t!(locale, customers_search_button)}</button>
                {filtered.then(|| view! { <a class="button" href=CUSTOMERS>{t!(locale, activity_clear)}</a> })}
            </div>
        </form>
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

/// Where the pager's links go (`None`: no such page from here).
struct Paging {
    first: Option<String>,
    previous: Option<String>,
    next: Option<String>,
    last: Option<String>,
    page: i64,
    pages: i64,
}

/// First, previous, next and last page links (plain links: paging works without
/// JavaScript).
#[component]
fn Pager(locale: Locale, paging: Paging) -> impl IntoView {
    let Paging {
        first,
        previous,
        next,
        last,
        page,
        pages,
    } = paging;
    (previous.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label=t!(locale, pages).to_string()>
                {first.map(|href| view! { <a href=href>{t!(locale, first_page)}</a> })}
                {previous.map(|href| view! { <a href=href rel="prev">{t!(locale, previous_page)}</a> })}
                <span>{format!("{} / {}", page.min(pages.max(1)), pages.max(1))}</span>
                {next.map(|href| view! { <a href=href rel="next">{t!(locale, next_page)}</a> })}
                {last.map(|href| view! { <a href=href>{t!(locale, last_page)}</a> })}
            </nav>
        }
    })
}
