//! **API keys** (`/partner/api-keys`): the organization's keys for the REST API, when each
//! was last used; Global admins make keys (the secret shown once) and revoke them.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::api_keys::{CreateApiKey, RevokeApiKey, FRESH_KEY, REVOKED_PARAM};
use crate::components::form::{Field, FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, PartnerFrame};
use crate::components::prose::Prose;
use crate::components::request::{form_error, query_param};
use crate::components::table::DataTable;
use crate::domain::{PartnerRole, Viewer};
use crate::i18n::{self, t, Locale};
use crate::routes::API_DOCS;
use crate::server::integrations::api_keys::{self, ApiKey, MAX_DAYS};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let locale = i18n::current();
    let revoked = query_param(REVOKED_PARAM);
    let error = form_error(CreateApiKey::PATH);
    view! {
        <Suspense>
            {Suspend::new(async move {
                let loaded = async {
                    let (viewer, _) = crate::api::ctx::partner().await?;
                    let state = crate::api::ctx::state()?;
                    let keys = api_keys::list(&state.db, &viewer.org_id).await?;
                    Ok::<_, crate::error::AppError>((viewer, keys))
                };
                match loaded.await {
                    Ok((viewer, keys)) => {
                        let fresh = fresh_key(&keys);
                        view! { <Keys locale viewer keys fresh revoked error /> }.into_any()
                    }
                    Err(error) => view! { <ErrorPage locale error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The key made a moment ago, with its secret, handed over by a cookie: shown this once.
fn fresh_key(keys: &[ApiKey]) -> Option<(String, String)> {
    let (id, secret) = crate::api::ctx::take_over(FRESH_KEY, crate::routes::API_KEYS)?;
    let key = keys.iter().find(|k| k.id == id)?;
    Some((key.name.clone(), secret))
}

#[component]
fn Keys(
    locale: Locale,
    viewer: Viewer,
    keys: Vec<ApiKey>,
    fresh: Option<(String, String)>,
    revoked: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let admin = viewer.partner_role() == Some(PartnerRole::GlobalAdmin);
    let title = t!(locale, nav_api_keys).to_string();
    let now = crate::server::platform::db::now();
    let intro = t!(locale, api_keys_intro, org = &viewer.org_name).to_string();
    let fresh = fresh.map(|(name, secret)| {
        view! {
            <div class="notice fresh-link" role="status" tabindex="-1" autofocus>
                <h2>{t!(locale, fresh_key_title)}</h2>
                <p>{t!(locale, fresh_key_text)}</p>
                <label class="field">
                    <span class="field-label">{t!(locale, fresh_key_label, name = &name).to_string()}</span>
                    <input class="link-box" type="text" readonly value=secret data-testid="api-key" />
                </label>
            </div>
        }
    });
    let revoked = revoked
        .and_then(|id| keys.iter().find(|k| k.id == id && k.revoked_at.is_some()))
        .map(|k| {
            view! {
                <p class="notice" role="status" tabindex="-1" autofocus>
                    {t!(locale, key_revoked_notice, name = &k.name).to_string()}
                </p>
            }
        });
    let labels = [
        t!(locale, key_name).to_string(),
        t!(locale, col_key).to_string(),
        t!(locale, col_created).to_string(),
        t!(locale, col_expires).to_string(),
        t!(locale, col_last_used).to_string(),
    ];
    let table = if keys.is_empty() {
        view! { <p class="empty-state">{t!(locale, api_keys_empty)}</p> }.into_any()
    } else {
        let rows = keys
            .into_iter()
            .map(|k| {
                let expires = match (k.revoked_at, k.expires_at) {
                    (Some(at), _) => t!(locale, key_revoked, date = i18n::date(locale, at)).to_string(),
                    (None, Some(at)) if at <= now => t!(locale, key_expired).to_string(),
                    (None, Some(at)) => i18n::date(locale, at),
                    (None, None) => t!(locale, key_no_expiry).to_string(),
                };
                let used = k
                    .last_used_at
                    .map(|at| i18n::datetime(locale, at))
                    .unwrap_or_else(|| t!(locale, key_never).to_string());
                let revoke = (admin && k.active(now)).then(|| {
                    let label = format!("{}: {}", t!(locale, revoke_key), k.name);
                    view! {
                        <PostForm action=RevokeApiKey::PATH class="decision" label=label>
                            <input type="hidden" name="key" value=k.id.clone() />
                            <FormError error=None />
                            <Submit class="button danger" label=t!(locale, revoke_key).to_string() pending=t!(locale, working).to_string() />
                        </PostForm>
                    }
                });
                let key = k.name.clone();
                view! {
                    <tr data-key=key>
                        <td data-label=labels[0].clone()>{k.name}</td>
                        <td data-label=labels[1].clone()><code>{format!("{}…", k.prefix)}</code></td>
                        <td class="when" data-label=labels[2].clone()>{format!("{} · {}", i18n::date(locale, k.created_at), k.created_by)}</td>
                        <td class="expires" data-label=labels[3].clone()>{expires}</td>
                        <td class="when" data-label=labels[4].clone()>{used}</td>
                        <td class="action">{revoke}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable class="keys" labels=labels.to_vec() actions=t!(locale, revoke_key).to_string()>{rows}</DataTable>
        }
        .into_any()
    };
    let make = if admin {
        view! {
            <section class="panel" aria-labelledby="new-key">
                <h2 id="new-key" class="section-title">{t!(locale, new_key_title)}</h2>
                <PostForm action=CreateApiKey::PATH class="stack">
                    <Field label=t!(locale, key_name).to_string() hint=t!(locale, key_name_hint).to_string()>
                        <input name="name" required maxlength="80" autocomplete="off" />
                    </Field>
                    <Field label=t!(locale, key_days).to_string() hint=t!(locale, key_days_hint).to_string()>
                        <input name="days" type="number" min="1" max=MAX_DAYS.to_string() inputmode="numeric" />
                    </Field>
                    <FormError error />
                    <div class="actions">
                        <Submit label=t!(locale, make_key).to_string() pending=t!(locale, working).to_string() />
                    </div>
                </PostForm>
            </section>
        }
        .into_any()
    } else {
        view! { <p class="muted">{t!(locale, api_keys_admin_only)}</p> }.into_any()
    };
    view! {
        <PartnerFrame locale viewer title=title.clone()>
            <div class="narrow-page">
                <h1>{title}</h1>
                {fresh}
                {revoked}
                <p class="muted"><Prose text=intro /></p>
                <p><a href=API_DOCS>{t!(locale, api_docs_title)}</a></p>
                {table}
                {make}
            </div>
        </PartnerFrame>
    }
}
