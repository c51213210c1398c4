use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::current_viewer;
use crate::api::invitations::{relationship_request, RotateInvitationLink};
use crate::components::form::FormError;
use crate::components::layout::PartnerHeader;
use crate::domain::mailto_href;

/// Step 1: choose whether the request includes delegated admin privileges.
#[component]
pub fn RequestRelationshipPage() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Title text="Request a reseller relationship" />
        <PartnerHeader />
        <main class="page narrow-page">
            <p class="crumbs"><a href="/partner/customers">"Customers"</a></p>
            <h1>"Request a reseller relationship"</h1>
            <p>
                "You'll get a draft email with your personal invitation link. The link works for any number of customers: each one opens it, signs in, and authorizes you."
            </p>
            <Transition fallback=|| ()>
                {move || viewer.get().map(|v| match v {
                    Ok(Some(v)) if v.partner_role().is_some_and(|r| r.can_invite()) => {
                        let required = v.cloud.requires_dap();
                        let can_rotate = v.partner_role().is_some_and(|r| r.can_administer());
                        view! {
                            <form method="get" action="/partner/customers/request/email" class="stack">
                                <label class="check">
                                    <input type="checkbox" name="dap" value="true" checked disabled=required />
                                    <span>"Include delegated administration privileges for Azure Active Directory and Office 365"</span>
                                </label>
                                {required.then(|| view! {
                                    <input type="hidden" name="dap" value="true" />
                                    <p class="note">{format!("In {}, a reseller relationship request always includes delegated administration privileges.", v.cloud.label())}</p>
                                })}
                                <p class="muted">
                                    "With delegated administration privileges, your Admin agents act as Global admins and your Helpdesk agents as Helpdesk admins in the customer's organization."
                                </p>
                                <div class="actions">
                                    <button type="submit" class="button primary">"Next"</button>
                                    <a class="button" href="/partner/customers">"Cancel"</a>
                                </div>
                            </form>
                            {can_rotate.then(|| view! { <RotateLink /> })}
                        }.into_any()
                    }
                    Ok(Some(_)) => view! {
                        <p class="form-error" role="alert">"Only Global admins and Admin agents can request reseller relationships."</p>
                    }.into_any(),
                    Ok(None) => view! { <p><a href="/signin">"Sign in"</a></p> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

/// Global admins can replace the link secret when a link reached the wrong hands.
#[component]
fn RotateLink() -> impl IntoView {
    let rotate = ServerAction::<RotateInvitationLink>::new();
    let error = Signal::derive(move || rotate.value().get().and_then(Result::err));
    let done = move || matches!(rotate.value().get(), Some(Ok(())));
    view! {
        <section class="panel subtle">
            <h2>"Replace your invitation link"</h2>
            <p>"If a link reached the wrong people, replace it. Every link you sent before stops working; customers who already accepted are not affected."</p>
            <ActionForm action=rotate>
                <button type="submit" class="button danger" disabled=move || rotate.pending().get()>"Replace invitation link"</button>
            </ActionForm>
            <FormError error />
            <Show when=done>
                <p class="success" role="status">"Your invitation link was replaced. Earlier links no longer work."</p>
            </Show>
        </section>
    }
}

/// What the partner wants to do when the edited email lost the link.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    Copy,
    Open,
}

/// Step 2: the draft email with the personalized link.
#[component]
pub fn RequestEmailPage() -> impl IntoView {
    let query = use_query_map();
    let dap = move || query.read().get("dap").as_deref() == Some("true");
    let draft = Resource::new(dap, relationship_request);
    view! {
        <Title text="Invitation email" />
        <PartnerHeader />
        <main class="page narrow-page">
            <p class="crumbs">
                <a href="/partner/customers">"Customers"</a>
                " › "
                <a href="/partner/customers/request">"Request a reseller relationship"</a>
            </p>
            <h1>"Send this email to your customer"</h1>
            <Transition fallback=|| view! { <p class="muted">"Preparing your link…"</p> }>
                {move || draft.get().map(|d| match d {
                    Ok(d) => view! { <DraftEditor url=d.url subject=d.subject body=d.body dap=d.dap /> }.into_any(),
                    Err(e) => view! {
                        <p class="form-error" role="alert">{e.to_string()}</p>
                        <p><a href="/partner/customers/request">"Back"</a></p>
                    }.into_any(),
                })}
            </Transition>
        </main>
    }
}

#[component]
fn DraftEditor(url: String, subject: String, body: String, dap: bool) -> impl IntoView {
    let text = RwSignal::new(body);
    let warning = RwSignal::new(None::<Pending>);
    let status = RwSignal::new(None::<&'static str>);
    let has_link = {
        let url = url.clone();
        move || text.with(|t| t.contains(&url))
    };
    let mailto = {
        let subject = subject.clone();
        move || text.with(|t| mailto_href(&subject, t))
    };
    let copy = move || {
        #[cfg(feature = "hydrate")]
        {
            let value = text.get_untracked();
            let clipboard = window().navigator().clipboard();
            wasm_bindgen_futures::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&value)).await;
                status.set(Some(if done.is_ok() {
                    "Copied to clipboard. Paste it into an email to your customer."
                } else {
                    "Your browser did not allow copying. Select the text and copy it yourself."
                }));
            });
        }
    };
    let open_mail = {
        let mailto = mailto.clone();
        move || {
            let _ = window().location().set_href(&mailto());
        }
    };
    let restore = {
        let url = url.clone();
        move |_| {
            text.update(|t| {
                t.push_str("\n\n");
                t.push_str(&url);
                t.push('\n');
            });
            warning.set(None);
        }
    };
    let open_guarded = {
        let has_link = has_link.clone();
        move |ev: leptos::ev::MouseEvent| {
            if !has_link() {
                ev.prevent_default();
                warning.set(Some(Pending::Open));
            }
        }
    };
    let copy_guarded = {
        let has_link = has_link.clone();
        move |_| {
            if has_link() {
                copy();
            } else {
                warning.set(Some(Pending::Copy));
            }
        }
    };
    let anyway = {
        let open_mail = open_mail.clone();
        move |_| {
            match warning.get_untracked() {
                Some(Pending::Copy) => copy(),
                Some(Pending::Open) => open_mail(),
                None => {}
            }
            warning.set(None);
        }
    };
    view! {
        <p>
            {if dap {
                "The request includes delegated administration privileges for Azure Active Directory and Office 365."
            } else {
                "The request does not include delegated administration privileges."
            }}
            " You can edit the text, but keep the link: it is personalized to connect the customer to your account."
        </p>
        <label class="field">
            <span class="field-label">"Subject"</span>
            <input readonly value=subject.clone() />
        </label>
        <label class="field">
            <span class="field-label">"Email message"</span>
            <textarea rows="16" class="draft" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))>
                {text.get_untracked()}
            </textarea>
        </label>
        <label class="field">
            <span class="field-label">"Invitation link"</span>
            <input readonly class="link" value=url.clone() data-testid="invitation-link" />
        </label>
        <Show when=move || warning.get().is_some()>
            <div class="warning" role="alert">
                <p>"The message no longer contains your invitation link. Without it your customer cannot accept."</p>
                <div class="actions">
                    <button type="button" class="button" on:click=restore.clone()>"Put the link back"</button>
                    <button type="button" class="button" on:click=anyway.clone()>
                        {move || if warning.get() == Some(Pending::Open) { "Open anyway" } else { "Copy anyway" }}
                    </button>
                </div>
            </div>
        </Show>
        <div class="actions">
            <button type="button" class="button primary" on:click=copy_guarded>"Copy to clipboard"</button>
            <a class="button" href=mailto on:click=open_guarded>"Open in email"</a>
            <a class="button" href="/partner/customers">"Done"</a>
        </div>
        <p class="success" role="status">{move || status.get()}</p>
    }
}
