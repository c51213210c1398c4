use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::invitations::{relationship_request, RotateInvitationLink, ROTATED_PARAM};
use crate::components::form::{escape, FormError, PostForm, Submit};
use crate::components::layout::{ErrorPage, PageError, PartnerFrame};
use crate::components::request::{form_error, query_param};
use crate::domain::{mailto_href, Viewer};
use crate::i18n::{self, t, Locale};
use crate::islands::DraftEditor;
use crate::routes::{CUSTOMERS, INDIRECT_PROVIDERS, REQUEST, REQUEST_EMAIL};

/// Step 1: choose whether the request includes delegated admin privileges. A plain GET
/// form leads to the draft email.
#[component]
pub fn RequestRelationshipPage() -> impl IntoView {
    let locale = i18n::current();
    let rotated = query_param(ROTATED_PARAM).is_some();
    let rotate_error = form_error(RotateInvitationLink::PATH);
    let provider_id = query_param("provider").filter(|p| !p.is_empty());
    view! {
        <Suspense>
            {Suspend::new(async move {
                let viewer = match crate::api::ctx::partner().await {
                    Ok((viewer, _)) => viewer,
                    Err(error) => return view! { <ErrorPage locale error /> }.into_any(),
                };
                let provider = match provider_id {
                    None => None,
                    Some(id) => match connected(&viewer, &id).await {
                        Ok(name) => Some((id, name)),
                        Err(error) => return view! {
                            <PartnerFrame locale viewer title=t!(locale, request_relationship).to_string()>
                                <div class="narrow-page">
                                    <h1>{t!(locale, request_relationship)}</h1>
                                    <PageError locale error />
                                </div>
                            </PartnerFrame>
                        }.into_any(),
                    },
                };
                view! { <RequestForm locale viewer rotated rotate_error provider /> }.into_any()
            })}
        </Suspense>
    }
}

/// The name of the indirect provider `id`, if the viewer is connected with it.
async fn connected(viewer: &Viewer, id: &str) -> Result<String, crate::error::AppError> {
    use crate::domain::Problem;
    use crate::error::AppError;
    let state = crate::api::ctx::state()?;
    crate::server::relationships::indirect::connected_provider(&state.db.pool, &viewer.org_id, id)
        .await?
        .map(|p| p.name)
        .ok_or(AppError::Forbidden(Problem::NotConnected))
}

#[component]
fn RequestForm(
    locale: Locale,
    viewer: Viewer,
    rotated: bool,
    rotate_error: Option<String>,
    /// The indirect provider (id, name) the invitation also names.
    provider: Option<(String, String)>,
) -> impl IntoView {
    let role = viewer.partner_role();
    let can_invite = role.is_some_and(|r| r.can_invite());
    let viewer_awaiting = viewer.awaiting_approval();
    let viewer_org = viewer.org_id.clone();
    let can_rotate =
        role.is_some_and(|r| r.can_administer()) && !viewer_awaiting && provider.is_none();
    let heading = match &provider {
        Some((_, name)) => t!(locale, invite_with_provider, provider = name).to_string(),
        None => t!(locale, request_relationship).to_string(),
    };
    let crumb = match &provider {
        Some(_) => (
            INDIRECT_PROVIDERS,
            t!(locale, nav_indirect_providers).to_string(),
        ),
        None => (CUSTOMERS, t!(locale, nav_customers).to_string()),
    };
    let provider_input =
        provider.map(|(id, _)| view! { <input type="hidden" name="provider" value=id /> });
    let required = viewer.cloud.requires_dap();
    let cloud = i18n::cloud(locale, viewer.cloud);
    view! {
        <PartnerFrame locale viewer title=heading.clone()>
            <div class="narrow-page">
                <p class="crumbs"><a href=crumb.0>{crumb.1}</a></p>
                <h1>{heading}</h1>
                <p>{t!(locale, request_intro)}</p>
                {if viewer_awaiting {
                    view! { <super::customers::ApprovalPending locale tenant=viewer_org.clone() /> }.into_any()
                } else if can_invite {
                    view! {
                        <form method="get" action=REQUEST_EMAIL class="stack">
                            {provider_input}
                            <label class="check">
                                <input type="checkbox" name="dap" value="true" checked disabled=required />
                                <span>{t!(locale, request_dap_label)}</span>
                            </label>
                            {required.then(|| view! {
                                <input type="hidden" name="dap" value="true" />
                                <p class="note">{t!(locale, request_dap_required, cloud = cloud).to_string()}</p>
                            })}
                            <p class="muted">{t!(locale, request_dap_explained)}</p>
                            <div class="actions">
                                <button type="submit" class="button primary">{t!(locale, next)}</button>
                                <a class="button" href=CUSTOMERS>{t!(locale, cancel)}</a>
                            </div>
                        </form>
                    }.into_any()
                } else {
                    view! { <p class="form-error" role="alert">{t!(locale, request_role_only)}</p> }.into_any()
                }}
                {can_rotate.then(|| view! {
                    <section class="panel subtle" aria-labelledby="rotate-title">
                        <h2 id="rotate-title">{t!(locale, rotate_title)}</h2>
                        <p>{t!(locale, rotate_intro)}</p>
                        <PostForm action=RotateInvitationLink::PATH class="stack">
                            <label class="check">
                                <input type="checkbox" name="confirm" value="yes" required />
                                <span>{t!(locale, rotate_confirm)}</span>
                            </label>
                            <FormError error=rotate_error />
                            <Submit class="button danger" label=t!(locale, rotate_submit).to_string() pending=t!(locale, working).to_string() />
                        </PostForm>
                        {rotated.then(|| view! {
                            <p class="success" role="status" tabindex="-1" autofocus>{t!(locale, rotate_done)}</p>
                        })}
                    </section>
                })}
            </div>
        </PartnerFrame>
    }
}

/// Step 2: the draft email with the personalized link.
#[component]
pub fn RequestEmailPage() -> impl IntoView {
    let locale = i18n::current();
    let dap = query_param("dap").as_deref() == Some("true");
    let provider = query_param("provider").filter(|p| !p.is_empty());
    let back = match &provider {
        Some(id) => format!(
            "{REQUEST}?provider={}",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ),
        None => REQUEST.to_string(),
    };
    view! {
        <Suspense>
            {Suspend::new(async move {
                let viewer = match crate::api::ctx::partner().await {
                    Ok((viewer, _)) => viewer,
                    Err(error) => return view! { <ErrorPage locale error /> }.into_any(),
                };
                let draft = relationship_request(dap, provider).await;
                view! {
                    <PartnerFrame locale viewer title=t!(locale, draft_page_title).to_string()>
                        <div class="narrow-page">
                            <p class="crumbs">
                                <a href=CUSTOMERS>{t!(locale, nav_customers)}</a>
                                " › "
                                <a href=back.clone()>{t!(locale, request_relationship)}</a>
                            </p>
                            <h1>{t!(locale, draft_heading)}</h1>
                            {match draft {
                                Ok(d) => view! { <Draft locale url=d.url subject=d.subject body=d.body dap=d.dap provider=d.provider /> }.into_any(),
                                Err(error) => view! {
                                    <PageError locale error />
                                    <p><a href=back.clone()>{t!(locale, back)}</a></p>
                                }.into_any(),
                            }}
                        </div>
                    </PartnerFrame>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The draft, rendered whole on the server (it works without JavaScript) inside the
/// `DraftEditor` island. The text goes into the textarea escaped: a partner or user name
/// can never close the element and become markup.
#[component]
fn Draft(
    locale: Locale,
    url: String,
    subject: String,
    body: String,
    dap: bool,
    provider: Option<String>,
) -> impl IntoView {
    let mailto = mailto_href(&subject, &body);
    view! {
        <p>
            {if dap { t!(locale, draft_with_dap) } else { t!(locale, draft_without_dap) }}
            " "
            {t!(locale, draft_keep_link)}
        </p>
        {provider.map(|p| view! { <p class="note">{t!(locale, draft_indirect, provider = &p).to_string()}</p> })}
        <DraftEditor>
            <label class="field">
                <span class="field-label">{t!(locale, draft_subject)}</span>
                <input readonly value=subject data-draft="subject" />
            </label>
            <label class="field">
                <span class="field-label">{t!(locale, draft_message)}</span>
                <textarea rows="16" class="draft" data-draft="text" inner_html=escape(&body)></textarea>
            </label>
            <label class="field">
                <span class="field-label">{t!(locale, draft_link)}</span>
                <input readonly class="link" value=url data-draft="link" data-testid="invitation-link" />
            </label>
            <div class="warning" role="alert" tabindex="-1" data-draft="warning" hidden>
                <p>{t!(locale, draft_link_removed)}</p>
                <div class="actions">
                    <button type="button" class="button" data-draft="restore">{t!(locale, draft_put_back)}</button>
                    <button type="button" class="button" data-draft="anyway-copy" hidden>{t!(locale, draft_copy_anyway)}</button>
                    <button type="button" class="button" data-draft="anyway-open" hidden>{t!(locale, draft_open_anyway)}</button>
                </div>
            </div>
            <div class="actions">
                <button type="button" class="button primary needs-js" data-draft="copy">{t!(locale, draft_copy)}</button>
                <a class="button" href=mailto data-draft="open">{t!(locale, draft_open)}</a>
                <a class="button" href=CUSTOMERS>{t!(locale, draft_done)}</a>
            </div>
            <p class="muted no-js">{t!(locale, draft_no_js)}</p>
            <p
                class="success"
                role="status"
                data-draft="status"
                data-copied=t!(locale, draft_copied).to_string()
                data-copy-failed=t!(locale, draft_copy_failed).to_string()
            ></p>
        </DraftEditor>
    }
}
