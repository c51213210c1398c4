//! **Webhooks** (`/partner/webhooks`): the organization's endpoints and what each receives;
//! Global admins register endpoints. One endpoint's page (`/partner/webhooks/:webhook`)
//! shows its events, its signing secret (Global admins), **Send test event**, the delivery
//! log, and removal.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

use crate::api::webhooks::{
    CreateWebhook, RemoveWebhook, SendTestWebhook, DONE_PARAM, REMOVED_PARAM,
};
use crate::components::form::{Field, FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, NotFound, PartnerFrame};
use crate::components::prose::Prose;
use crate::components::request::{form_error, query_param};
use crate::components::table::DataTable;
use crate::domain::{PartnerRole, Viewer};
use crate::i18n::{self, t, Locale};
use crate::routes::{webhook_page, WEBHOOKS};
use crate::server::integrations::webhooks::{self, Delivery, Endpoint, Failure, EVENTS};

fn is_admin(viewer: &Viewer) -> bool {
    viewer.partner_role() == Some(PartnerRole::GlobalAdmin)
}

/// An event's name in words, with its code.
fn event_label(locale: Locale, code: &str) -> impl IntoView {
    let words = if code == webhooks::TEST_EVENT {
        t!(locale, webhook_test_event).to_string()
    } else {
        i18n::action(locale, code)
    };
    view! { <span>{words}" "<code class="event-code">{code.to_string()}</code></span> }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let locale = i18n::current();
    let removed = query_param(REMOVED_PARAM).is_some();
    let error = form_error(CreateWebhook::PATH);
    view! {
        <Suspense>
            {Suspend::new(async move {
                let loaded = async {
                    let (viewer, _) = crate::api::ctx::partner().await?;
                    let state = crate::api::ctx::state()?;
                    let endpoints = webhooks::list(&state.db, &viewer.org_id).await?;
                    Ok::<_, crate::error::AppError>((viewer, endpoints))
                };
                match loaded.await {
                    Ok((viewer, endpoints)) => {
                        view! { <Endpoints locale viewer endpoints removed error /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Endpoints(
    locale: Locale,
    viewer: Viewer,
    endpoints: Vec<Endpoint>,
    removed: bool,
    error: Option<String>,
) -> impl IntoView {
    let admin = is_admin(&viewer);
    let title = t!(locale, nav_webhooks).to_string();
    let removed = removed.then(|| {
        view! { <p class="notice" role="status" tabindex="-1" autofocus>{t!(locale, webhook_removed_notice)}</p> }
    });
    let labels = [
        t!(locale, webhook_url).to_string(),
        t!(locale, webhook_events).to_string(),
        t!(locale, col_created).to_string(),
        t!(locale, webhook_waiting).to_string(),
    ];
    let table = if endpoints.is_empty() {
        view! { <p class="empty-state">{t!(locale, webhooks_empty)}</p> }.into_any()
    } else {
        let rows = endpoints
            .into_iter()
            .map(|e| {
                let events = e
                    .events
                    .iter()
                    .map(|code| view! { <li>{event_label(locale, code)}</li> })
                    .collect_view();
                let waiting = match (e.pending, e.failed) {
                    (0, 0) => t!(locale, webhook_all_delivered).to_string(),
                    (p, 0) => t!(locale, webhook_pending_count, count = &p.to_string()).to_string(),
                    (p, f) => t!(locale, webhook_failed_count, pending = &p.to_string(), failed = &f.to_string()).to_string(),
                };
                let href = webhook_page(&e.id);
                let waiting_class = if e.failed > 0 { "failed" } else { "" };
                view! {
                    <tr>
                        <td data-label=labels[0].clone() class="url"><a href=href>{e.url}</a></td>
                        <td data-label=labels[1].clone()><ul class="plain-list">{events}</ul></td>
                        <td class="when" data-label=labels[2].clone()>{format!("{} · {}", i18n::date(locale, e.created_at), e.created_by)}</td>
                        <td data-label=labels[3].clone() class=waiting_class>{waiting}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable class="webhooks" labels=labels.to_vec()>{rows}</DataTable>
        }
        .into_any()
    };
    let register = if admin {
        let boxes = EVENTS
            .iter()
            .map(|code| {
                let name = code.replace('.', "_");
                view! {
                    <label class="check">
                        <input type="checkbox" name=name value="yes" checked />
                        {event_label(locale, code)}
                    </label>
                }
            })
            .collect_view();
        view! {
            <section class="panel" aria-labelledby="new-webhook">
                <h2 id="new-webhook" class="section-title">{t!(locale, new_webhook_title)}</h2>
                <PostForm action=CreateWebhook::PATH class="stack">
                    <Field label=t!(locale, webhook_url).to_string() hint=t!(locale, webhook_url_hint).to_string()>
                        <input name="url" type="url" required maxlength="2000" autocomplete="off" placeholder="https://" inputmode="url" />
                    </Field>
                    <fieldset class="checks">
                        <legend class="field-label">{t!(locale, webhook_events)}</legend>
                        {boxes}
                    </fieldset>
                    <FormError error />
                    <div class="actions">
                        <Submit label=t!(locale, register_webhook).to_string() pending=t!(locale, working).to_string() />
                    </div>
                </PostForm>
            </section>
        }
        .into_any()
    } else {
        view! { <p class="muted">{t!(locale, webhooks_admin_only)}</p> }.into_any()
    };
    view! {
        <PartnerFrame locale viewer title=title.clone()>
            <div class="narrow-page">
                <h1>{title}</h1>
                {removed}
                <p class="muted"><Prose text=t!(locale, webhooks_intro).to_string() /></p>
                {table}
                {register}
            </div>
        </PartnerFrame>
    }
}

#[derive(Clone, Default)]
struct EndpointErrors {
    test: Option<String>,
    remove: Option<String>,
}

/// `/partner/webhooks/:webhook`.
#[component]
pub fn WebhookPage() -> impl IntoView {
    let locale = i18n::current();
    let id = use_params_map()
        .read_untracked()
        .get("webhook")
        .unwrap_or_default();
    let done = query_param(DONE_PARAM);
    let errors = EndpointErrors {
        test: form_error(SendTestWebhook::PATH),
        remove: form_error(RemoveWebhook::PATH),
    };
    view! {
        <Suspense>
            {Suspend::new(async move {
                let loaded = async {
                    let (viewer, _) = crate::api::ctx::partner().await?;
                    let state = crate::api::ctx::state()?;
                    let Some(endpoint) = webhooks::endpoint(&state.db, &viewer.org_id, &id).await?
                    else {
                        return Ok(None);
                    };
                    let log = webhooks::deliveries(&state.db, &endpoint.id).await?;
                    Ok::<_, crate::error::AppError>(Some((viewer, endpoint, log)))
                };
                match loaded.await {
                    Ok(Some((viewer, endpoint, log))) => {
                        view! { <EndpointDetail locale viewer endpoint log done=done.clone() errors=errors.clone() /> }.into_any()
                    }
                    Ok(None) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EndpointDetail(
    locale: Locale,
    viewer: Viewer,
    endpoint: Endpoint,
    log: Vec<Delivery>,
    done: Option<String>,
    errors: EndpointErrors,
) -> impl IntoView {
    let admin = is_admin(&viewer);
    let created = done.as_deref() == Some("created");
    let notice = match done.as_deref() {
        Some("created") => Some(t!(locale, webhook_created_notice).to_string()),
        Some("tested") => Some(t!(locale, webhook_tested_notice).to_string()),
        _ => None,
    }
    .map(|text| view! { <p class="notice" role="status" tabindex="-1" autofocus>{text}</p> });
    let events = endpoint
        .events
        .iter()
        .map(|code| view! { <li>{event_label(locale, code)}</li> })
        .collect_view();
    let secret = admin.then(|| {
        view! {
            <section class="panel" aria-labelledby="secret-title">
                <h2 id="secret-title" class="section-title">{t!(locale, webhook_secret_title)}</h2>
                <p class="note"><Prose text=t!(locale, webhook_secret_text).to_string() /></p>
                <details class="secret" open=created>
                    <summary>{t!(locale, webhook_secret_show)}</summary>
                    <label class="field">
                        <span class="field-label">{t!(locale, webhook_secret_title)}</span>
                        <input class="link-box" type="text" readonly value=endpoint.secret.clone() data-testid="webhook-secret" />
                    </label>
                </details>
            </section>
        }
    });
    let test = admin.then(|| {
        let id = endpoint.id.clone();
        view! {
            <PostForm action=SendTestWebhook::PATH class="inline-form" label=t!(locale, send_test_event).to_string()>
                <input type="hidden" name="webhook" value=id />
                <FormError error=errors.test />
                <Submit class="button" label=t!(locale, send_test_event).to_string() pending=t!(locale, working).to_string() />
            </PostForm>
        }
    });
    let labels = [
        t!(locale, webhook_event).to_string(),
        t!(locale, col_created).to_string(),
        t!(locale, webhook_state).to_string(),
        t!(locale, webhook_attempts).to_string(),
        t!(locale, webhook_last_answer).to_string(),
    ];
    let table = if log.is_empty() {
        view! { <p class="empty-state">{t!(locale, webhook_log_empty)}</p> }.into_any()
    } else {
        let rows = log
            .into_iter()
            .map(|d| {
                let state = delivery_state(locale, &d);
                let answer = last_answer(locale, &d);
                let (state_code, row_state) = (d.state.clone(), d.state.clone());
                view! {
                    <tr data-event=d.event_type.clone() data-state=row_state>
                        <td data-label=labels[0].clone()>
                            {event_label(locale, &d.event_type)}
                            // The `webhook-id` header of every attempt of this delivery.
                            <code class="message-id" title="webhook-id">{d.message_id.clone()}</code>
                        </td>
                        <td class="when" data-label=labels[1].clone()>{i18n::datetime(locale, d.created_at)}</td>
                        <td data-label=labels[2].clone() class="delivery-state" data-state=state_code>{state}</td>
                        <td data-label=labels[3].clone()>{d.attempts}</td>
                        <td data-label=labels[4].clone()>{answer}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable class="deliveries" labels=labels.to_vec()>{rows}</DataTable>
        }
        .into_any()
    };
    let remove = if admin {
        let id = endpoint.id.clone();
        view! {
            <section class="panel subtle" aria-labelledby="remove-title">
                <h2 id="remove-title" class="section-title">{t!(locale, remove_webhook)}</h2>
                <p class="note">{t!(locale, remove_webhook_text)}</p>
                <PostForm action=RemoveWebhook::PATH class="stack">
                    <input type="hidden" name="webhook" value=id />
                    <label class="check">
                        <input type="checkbox" name="confirm" value="yes" required />
                        <span>{t!(locale, remove_webhook_confirm)}</span>
                    </label>
                    <FormError error=errors.remove />
                    <div class="actions">
                        <Submit class="button danger" label=t!(locale, remove_webhook).to_string() pending=t!(locale, removing).to_string() />
                    </div>
                </PostForm>
            </section>
        }
        .into_any()
    } else {
        view! { <p class="muted">{t!(locale, webhooks_admin_only)}</p> }.into_any()
    };
    let title = t!(locale, webhook_title).to_string();
    view! {
        <PartnerFrame locale viewer title=title.clone()>
            <div class="narrow-page">
                <p class="crumbs"><a href=WEBHOOKS>{t!(locale, nav_webhooks)}</a></p>
                <h1>{title}</h1>
                {notice}
                <dl class="facts">
                    <dt>{t!(locale, webhook_url)}</dt>
                    <dd class="url">{endpoint.url.clone()}</dd>
                    <dt>{t!(locale, webhook_events)}</dt>
                    <dd><ul class="plain-list">{events}</ul></dd>
                    <dt>{t!(locale, col_created)}</dt>
                    <dd>{format!("{} · {}", i18n::date(locale, endpoint.created_at), endpoint.created_by)}</dd>
                </dl>
                {secret}
                <section class="panel" aria-labelledby="log-title">
                    <h2 id="log-title" class="section-title">{t!(locale, webhook_log_title)}</h2>
                    <p class="note">{t!(locale, webhook_log_text)}</p>
                    {test}
                    {table}
                </section>
                {remove}
            </div>
        </PartnerFrame>
    }
}

/// A delivery's state in words; while it waits for a retry, when that is.
fn delivery_state(locale: Locale, d: &Delivery) -> String {
    match d.state.as_str() {
        "delivered" => match d.delivered_at {
            Some(at) => t!(
                locale,
                delivery_delivered_at,
                date = i18n::datetime(locale, at)
            )
            .to_string(),
            None => t!(locale, delivery_delivered).to_string(),
        },
        "failed" => t!(locale, delivery_failed).to_string(),
        "cancelled" => t!(locale, delivery_cancelled).to_string(),
        _ if d.attempts == 0 => t!(locale, delivery_queued).to_string(),
        _ => t!(
            locale,
            delivery_retry_at,
            date = i18n::datetime(locale, d.next_attempt_ms.div_euclid(1000))
        )
        .to_string(),
    }
}

/// What the endpoint answered last, or why there was no answer.
fn last_answer(locale: Locale, d: &Delivery) -> String {
    let status = d.last_status.map(|s| format!("HTTP {s}"));
    let Some(error) = d.last_error.as_deref() else {
        return status.unwrap_or_else(|| "—".to_string());
    };
    let (failure, detail) = Failure::parse(error);
    let words = match failure {
        Failure::Status => {
            let s = d.last_status.unwrap_or_default();
            if (300..400).contains(&s) {
                t!(locale, delivery_redirect, status = &s.to_string()).to_string()
            } else {
                t!(locale, delivery_status, status = &s.to_string()).to_string()
            }
        }
        Failure::Timeout => t!(locale, delivery_timeout).to_string(),
        Failure::Resolve => t!(locale, delivery_resolve).to_string(),
        Failure::Private => t!(locale, delivery_private).to_string(),
        Failure::Connect => t!(locale, delivery_connect).to_string(),
        Failure::Url => t!(locale, delivery_url).to_string(),
        Failure::Other => t!(locale, delivery_other).to_string(),
    };
    // The cause a library gave is English; Chinese pages keep to their own words and give
    // only a value (the refused address).
    let english_cause = !matches!(failure, Failure::Private);
    if detail.is_empty() || failure == Failure::Status || (english_cause && locale != Locale::en) {
        words
    } else {
        format!("{words} ({detail})")
    }
}
