//! The activity log of the signed-in organization, for partners and for customer admins:
//! a GET form of filters (works without JavaScript), a page of entries, paging and
//! **Export CSV** of the filtered entries.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::layout::{ErrorPage, NotFound, PartnerFrame, PortalFrame};
use crate::components::request::{query_pairs, raw_query, set_status};
use crate::components::table::DataTable;
use crate::domain::{Cloud, Problem, Viewer};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::PARTNER_ACTIVITY;
use crate::server::activity::{self, Filter, LogPage, ACTIONS};

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

/// What the page shows: the entries of the filter, or the problem with the filter.
#[derive(Clone)]
struct Log {
    filter: Filter,
    result: Result<LogPage, Problem>,
    /// The organizations to filter by, or `None`: too many, filter by name.
    counterparts: Option<Vec<(String, String)>>,
}

async fn load() -> Result<Option<(Viewer, Log)>, AppError> {
    let Some(viewer) = crate::api::ctx::viewer().await? else {
        return Ok(None);
    };
    let scope = activity::scope_of(&viewer).map_err(AppError::Forbidden)?;
    let state = crate::api::ctx::state()?;
    let counterparts = activity::counterparts(&state.db, scope).await?;
    let log = match activity::filter_of(&query_pairs()) {
        Ok((filter, seek, offset)) => {
            let result =
                activity::list(&state.db, scope, &filter, &seek, offset, PAGE_SIZE).await?;
            Log {
                filter,
                result: Ok(result),
                counterparts,
            }
        }
        Err(problem) => {
            set_status(400);
            Log {
                filter: Filter::default(),
                result: Err(problem),
                counterparts,
            }
        }
    };
    Ok(Some((viewer, log)))
}

/// `/partner/activity`.
#[component]
pub fn PartnerActivityPage() -> impl IntoView {
    let locale = i18n::current();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load().await {
                    Ok(Some((viewer, log))) if viewer.partner_role().is_some() => {
                        let title = t!(locale, nav_activity).to_string();
                        view! {
                            <PartnerFrame locale viewer title>
                                <ActivityLog locale log base=PARTNER_ACTIVITY.to_string() />
                            </PartnerFrame>
                        }.into_any()
                    }
                    Ok(_) => view! { <ErrorPage locale error=AppError::Forbidden(Problem::PartnerOnly) /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/<portal>/activity`, for the customer's Global and Billing admins.
#[component]
pub fn CustomerActivityPage() -> impl IntoView {
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
                match load().await {
                    Ok(Some((viewer, log))) if viewer.customer_role().is_some() => {
                        let base = format!("{}/activity", cloud.customer_prefix());
                        view! {
                            <PortalFrame cloud locale viewer=Some(viewer) title=Some(t!(locale, nav_activity).to_string())>
                                <section class="portal-card">
                                    <ActivityLog locale log base />
                                </section>
                            </PortalFrame>
                        }.into_any()
                    }
                    Ok(Some(_)) => view! { <ErrorPage locale error=AppError::Forbidden(Problem::CustomerOnly) /> }.into_any(),
                    Ok(None) => view! { <crate::pages::customer::SignInFirst cloud locale /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A count with its thousands grouped ("10,000").
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The log's address with the filter and no page: its newest entries.
fn link_base(base: &str, filter_query: &str) -> String {
    match filter_query.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{filter_query}"),
    }
}

/// A day of a filter as the date input writes it.
fn day(ts: Option<i64>) -> String {
    ts.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .map(|t| {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default()
}

#[component]
fn ActivityLog(locale: Locale, log: Log, base: String) -> impl IntoView {
    let Log {
        filter,
        result,
        counterparts,
    } = log;
    // The query without the page: export and paging keep the filter.
    let filter_query: String = raw_query()
        .split('&')
        .filter(|p| {
            !p.is_empty()
                && !["page=", "older=", "newer="]
                    .iter()
                    .any(|k| p.starts_with(k))
        })
        .collect::<Vec<_>>()
        .join("&");
    let export = if filter_query.is_empty() {
        "/activity.csv".to_string()
    } else {
        format!("/activity.csv?{filter_query}")
    };
    let selected_counterpart = filter.counterpart.clone().unwrap_or_default();
    let selected_action = filter.action.clone().unwrap_or_default();
    view! {
            <div class="page-head">
                <h1>{t!(locale, nav_activity)}</h1>
                <a class="button" href=export download="accord-activity.csv">{t!(locale, activity_export)}</a>
            </div>
            <p class="muted">{t!(locale, activity_intro)}</p>
            <form method="get" action=base.clone() class="filters" aria-label=t!(locale, activity_filter).to_string()>
                <label class="field"><span class="field-label">{t!(locale, activity_from)}</span>
                    <input type="date" name="from" value=day(filter.from) /></label>
                <label class="field"><span class="field-label">{t!(locale, activity_to)}</span>
                    <input type="date" name="to" value=day(filter.until.map(|t| t - 86_400)) /></label>
    {match counterparts {
                    Some(counterparts) => view! {
                        <label class="field"><span class="field-label">{t!(locale, activity_counterpart)}</span>
                            <select name="counterpart">
                                <option value="">{t!(locale, activity_any)}</option>
                                {counterparts.into_iter().map(|(id, name)| {
                                    let selected = id == selected_counterpart;
                                    view! { <option value=id selected=selected>{name}</option> }
                                }).collect_view()}
                            </select></label>
                    }.into_any(),
                    None => view! {
                        <label class="field"><span class="field-label">{t!(locale, activity_customer_name)}</span>
                            <input type="search" name="counterpart_name" maxlength="256" autocomplete="off"
                                value=filter.counterpart_name.clone().unwrap_or_default()
                                placeholder=t!(locale, customers_search_hint).to_string() /></label>
                    }.into_any(),
                }}
                <label class="field"><span class="field-label">{t!(locale, activity_action)}</span>
                    <select name="action">
                        <option value="">{t!(locale, activity_any)}</option>
                        {ACTIONS.iter().map(|code| {
                            let selected = *code == selected_action;
                            view! { <option value=*code selected=selected>{i18n::action(locale, code)}</option> }
                        }).collect_view()}
                    </select></label>
                <div class="actions">
                    <button type="submit" class="button primary">{t!(locale, activity_apply)}</button>
                    <a class="button" href=base.clone()>{t!(locale, activity_clear)}</a>
                </div>
            </form>
            {match result {
                Err(problem) => view! {
                    <p class="form-error" role="alert">{i18n::error(locale, &AppError::Invalid(problem))}</p>
                }.into_any(),
                Ok(LogPage { entries, .. }) if entries.is_empty() => view! {
                    <p class="empty-state">{t!(locale, activity_empty)}</p>
                }.into_any(),
                Ok(LogPage { total, more_than_total, entries, offset, newer, older }) => {
                    let from = offset + 1;
                    let to = offset + entries.len() as i64;
                    let newest = newer.is_some().then(|| link_base(&base, &filter_query));
                    let link = move |key: &str, (at, id): (i64, String), offset: i64| {
                        let mut q = filter_query.clone();
                        if !q.is_empty() {
                            q.push('&');
                        }
                        format!("{base}?{q}{key}={at}.{id}.{offset}")
                    };
                    let count = if more_than_total {
                        t!(locale, activity_count_many, from = from, to = to, total = grouped(total)).to_string()
                    } else {
                        t!(locale, activity_count, from = from, to = to, total = total.max(to)).to_string()
                    };
                    let newer = newer.map(|n| link("newer", n, (offset - PAGE_SIZE).max(0)));
                    let older = older.map(|o| link("older", o, to));
                    // On a phone each entry is a block; the cells then say what they are.
                    let labels = [
                        t!(locale, col_when).to_string(),
                        t!(locale, col_counterpart).to_string(),
                        t!(locale, col_action).to_string(),
                        t!(locale, col_detail).to_string(),
                        t!(locale, col_by).to_string(),
                    ];
                    view! {
                        <p class="muted" id="activity-count">{count}</p>
                        <div>
                            <DataTable class="activity" labels=labels.to_vec()>
                                    {entries.into_iter().map(|e| view! {
                                        <tr data-action=e.action.clone()>
                                            <td class="when" data-label=labels[0].clone()>{i18n::datetime(locale, e.at)}</td>
                                            <td data-label=labels[1].clone()>{e.counterpart.unwrap_or_default()}</td>
                                            <td data-label=labels[2].clone()>{i18n::action(locale, &e.action)}</td>
                                            <td class="detail" data-label=labels[3].clone()>{i18n::detail(locale, &e.action, &e.detail)}</td>
                                            <td data-label=labels[4].clone()>{e.actor}</td>
                                        </tr>
                                    }).collect_view()}
                            </DataTable>
                        </div>
                        {(newer.is_some() || older.is_some()).then(|| view! {
                            <nav class="pager" aria-label=t!(locale, pages).to_string()>
                                {newest.map(|href| view! { <a href=href>{t!(locale, activity_newest)}</a> })}
                                {newer.map(|href| view! { <a href=href rel="prev">{t!(locale, activity_newer)}</a> })}
                                {older.map(|href| view! { <a href=href rel="next">{t!(locale, activity_older)}</a> })}
                            </nav>
                        })}
                    }.into_any()
                }
            }}
        }
}
