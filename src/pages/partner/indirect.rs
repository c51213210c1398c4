//! The indirect channel's pages: **Indirect providers** (for indirect resellers: connect,
//! and invite new customers with a provider) and **Indirect resellers** (for indirect
//! providers: accept, decline, end).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::indirect::{DecideIndirectReseller, RequestIndirectProvider, CHANGED_PARAM};
use crate::components::form::{Field, FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, PageError, PartnerFrame};
use crate::components::request::{form_error, query_param};
use crate::components::table::DataTable;
use crate::domain::{ConnectionState, Membership, PartnerRole, Problem, ProgramType, Viewer};
use crate::error::AppError;
use crate::i18n::{t, Locale};
use crate::routes::REQUEST;
use crate::server::relationships::indirect::{self, Connection};

/// The signed-in partner, and its connections if its program is `program` (else why not).
async fn load(
    program: ProgramType,
) -> Result<(Viewer, Result<Vec<Connection>, AppError>), AppError> {
    let (viewer, _) = crate::api::ctx::partner().await?;
    let state = crate::api::ctx::state()?;
    let connections = match viewer.membership {
        Membership::Partner { program: p, .. } if p == program => match program {
            ProgramType::IndirectProvider => indirect::of_provider(&state.db, &viewer.org_id).await,
            _ => indirect::of_reseller(&state.db, &viewer.org_id).await,
        },
        _ => Err(AppError::Forbidden(match program {
            ProgramType::IndirectProvider => Problem::IndirectProviderOnly,
            _ => Problem::IndirectResellerOnly,
        })),
    };
    Ok((viewer, connections))
}

/// The page's frame with the reason it cannot be shown to this partner.
fn refused(locale: Locale, viewer: Viewer, title: String, error: AppError) -> AnyView {
    view! {
        <PartnerFrame locale viewer title=title.clone()>
            <div class="narrow-page">
                <h1>{title}</h1>
                <PageError locale error />
            </div>
        </PartnerFrame>
    }
    .into_any()
}

fn may_act(viewer: &Viewer) -> bool {
    matches!(
        viewer.partner_role(),
        Some(PartnerRole::GlobalAdmin | PartnerRole::AdminAgent)
    ) && !viewer.awaiting_approval()
}

fn state_name(locale: Locale, state: ConnectionState) -> String {
    match state {
        ConnectionState::Requested => t!(locale, state_requested),
        ConnectionState::Connected => t!(locale, state_connected),
        ConnectionState::Declined => t!(locale, state_declined),
        ConnectionState::Ended => t!(locale, state_ended),
    }
    .to_string()
}

/// `/partner/indirect-providers`, for indirect resellers.
#[component]
pub fn IndirectProvidersPage() -> impl IntoView {
    indirect_page(ProgramType::IndirectReseller)
}

/// `/partner/indirect-resellers`, for indirect providers.
#[component]
pub fn IndirectResellersPage() -> impl IntoView {
    indirect_page(ProgramType::IndirectProvider)
}

/// The page of the indirect channel for partners of `program`.
fn indirect_page(program: ProgramType) -> impl IntoView {
    let locale = crate::i18n::current();
    let changed = query_param(CHANGED_PARAM);
    let error = form_error(match program {
        ProgramType::IndirectReseller => RequestIndirectProvider::PATH,
        _ => DecideIndirectReseller::PATH,
    });
    let title = match program {
        ProgramType::IndirectReseller => t!(locale, nav_indirect_providers).to_string(),
        _ => t!(locale, nav_indirect_resellers).to_string(),
    };
    view! {
        <Suspense>
            {Suspend::new(async move {
                match load(program).await {
                    Ok((viewer, Ok(connections))) => match program {
                        ProgramType::IndirectReseller => view! { <Providers locale viewer title connections changed error /> }.into_any(),
                        _ => view! { <Resellers locale viewer title connections changed error /> }.into_any(),
                    },
                    Ok((viewer, Err(e))) => refused(locale, viewer, title, e),
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One row of a connections table: the other partner, and what the viewer can do.
struct Row {
    name: String,
    mspp_id: i64,
    state: ConnectionState,
    changed_at: i64,
    actions: AnyView,
}

/// The connections with the other partners: name, partner id, state, since when, actions.
#[component]
fn ConnectionTable(
    locale: Locale,
    /// The heading of the first column (the other partners' kind).
    other: String,
    /// The hidden heading of the actions column.
    actions: String,
    /// Shown when there is no row.
    empty: String,
    rows: Vec<Row>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty-state">{empty}</p> }.into_any();
    }
    let labels = [
        other,
        t!(locale, col_partner_id).to_string(),
        t!(locale, col_state).to_string(),
        t!(locale, col_changed).to_string(),
    ];
    let body = rows
        .into_iter()
        .map(|r| {
            let key = r.name.clone();
            view! {
                <tr data-partner=key>
                    <td data-label=labels[0].clone()>{r.name}</td>
                    <td data-label=labels[1].clone()>{r.mspp_id}</td>
                    <td data-label=labels[2].clone() class="state">{state_name(locale, r.state)}</td>
                    <td class="when" data-label=labels[3].clone()>{crate::i18n::date(locale, r.changed_at)}</td>
                    <td class="action"><div class="actions">{r.actions}</div></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable class="connections" labels=labels.to_vec() actions=actions>{body}</DataTable>
    }
    .into_any()
}

#[component]
fn Providers(
    locale: Locale,
    viewer: Viewer,
    title: String,
    connections: Vec<Connection>,
    changed: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let act = may_act(&viewer);
    let sent = changed
        .and_then(|id| connections.iter().find(|c| c.provider_org_id == id))
        .filter(|c| c.state == ConnectionState::Requested)
        .map(|c| {
            view! {
                <p class="notice" role="status" tabindex="-1" autofocus>
                    {t!(locale, connect_sent, provider = &c.provider_name).to_string()}
                </p>
            }
        });
    let rows = connections
        .into_iter()
        .map(|c| {
            let invite = (act && c.state == ConnectionState::Connected).then(|| {
                let href = format!("{REQUEST}?provider={}", c.provider_org_id);
                view! { <a class="button" href=href>{t!(locale, invite_new_customers)}</a> }
            });
            Row {
                name: c.provider_name,
                mspp_id: c.provider_mspp_id,
                state: c.state,
                changed_at: c.changed_at,
                actions: invite.into_any(),
            }
        })
        .collect();
    let connect = if act {
        view! {
            <section class="panel" aria-labelledby="connect-title">
                <h2 id="connect-title" class="section-title">{t!(locale, connect_title)}</h2>
                <p class="note">{t!(locale, connect_hint)}</p>
                <PostForm action=RequestIndirectProvider::PATH class="inline-form">
                    <Field label=t!(locale, provider_partner_id).to_string()>
                        <input name="partner_id" inputmode="numeric" required maxlength="12" autocomplete="off" />
                    </Field>
                    <FormError error />
                    <Submit class="button primary" label=t!(locale, connect_submit).to_string() pending=t!(locale, working).to_string() />
                </PostForm>
            </section>
        }
        .into_any()
    } else {
        view! { <p class="muted">{t!(locale, indirect_role_only)}</p> }.into_any()
    };
    view! {
        <PartnerFrame locale viewer title=title.clone()>
            <div class="narrow-page">
                <h1>{title}</h1>
                {sent}
                <p class="muted">{t!(locale, indirect_providers_intro)}</p>
                <ConnectionTable
                    locale
                    other=t!(locale, col_provider).to_string()
                    actions=t!(locale, invite_new_customers).to_string()
                    empty=t!(locale, connections_empty_reseller).to_string()
                    rows
                />
                {connect}
            </div>
        </PartnerFrame>
    }
}

#[component]
fn Resellers(
    locale: Locale,
    viewer: Viewer,
    title: String,
    connections: Vec<Connection>,
    changed: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let act = may_act(&viewer);
    let intro = t!(locale, indirect_resellers_intro, org = &viewer.org_name).to_string();
    let saved = changed
        .and_then(|id| connections.iter().find(|c| c.reseller_org_id == id))
        .map(|c| {
            let text = t!(
                locale,
                connection_saved,
                reseller = &c.reseller_name,
                state = state_name(locale, c.state)
            )
            .to_string();
            view! { <p class="notice" role="status" tabindex="-1" autofocus>{text}</p> }
        });
    let rows = connections
        .into_iter()
        .map(|c| {
            let decisions: Vec<(&str, String, &str)> = match c.state {
                ConnectionState::Requested => vec![
                    ("accept", t!(locale, accept_reseller).to_string(), "button primary"),
                    ("decline", t!(locale, decline_reseller).to_string(), "button"),
                ],
                ConnectionState::Connected => {
                    vec![("end", t!(locale, end_connection).to_string(), "button danger")]
                }
                _ => vec![],
            };
            let forms = act.then(|| {
                decisions
                    .into_iter()
                    .map(|(decision, label, class)| {
                        let name = format!("{label}: {}", c.reseller_name);
                        let reseller = c.reseller_org_id.clone();
                        view! {
                            <PostForm action=DecideIndirectReseller::PATH class="decision" label=name>
                                <input type="hidden" name="reseller" value=reseller />
                                <input type="hidden" name="decision" value=decision />
                                <FormError error=None />
                                <Submit class=class.to_string() label=label pending=t!(locale, working).to_string() />
                            </PostForm>
                        }
                    })
                    .collect_view()
            });
            Row {
                name: c.reseller_name,
                mspp_id: c.reseller_mspp_id,
                state: c.state,
                changed_at: c.changed_at,
                actions: forms.into_any(),
            }
        })
        .collect();
    view! {
        <PartnerFrame locale viewer title=title.clone()>
            <div class="narrow-page">
                <h1>{title}</h1>
                {saved}
                <FormError error />
                <p class="muted">{intro}</p>
                {(!act).then(|| view! { <p class="muted">{t!(locale, indirect_role_only)}</p> })}
                <ConnectionTable
                    locale
                    other=t!(locale, col_reseller).to_string()
                    actions=t!(locale, col_state).to_string()
                    empty=t!(locale, connections_empty_provider).to_string()
                    rows
                />
            </div>
        </PartnerFrame>
    }
}
