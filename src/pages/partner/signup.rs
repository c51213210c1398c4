use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::PartnerSignUp;
use crate::components::form::{CountrySelect, Field, FormError, PostForm, Submit};
use crate::components::layout::PublicFrame;
use crate::components::request::form_error;
use crate::domain::{Cloud, ProgramType, MIN_PASSWORD_LEN};
use crate::i18n::{self, t};
use crate::routes::SIGN_IN;
use crate::server::PartnerSignUpMode;

/// Creates a partner organization and its first Global admin.
#[component]
pub fn PartnerSignUpPage() -> impl IntoView {
    let locale = i18n::current();
    let error = form_error(PartnerSignUp::PATH);
    let mode = crate::api::ctx::state()
        .map(|s| s.config.partner_signup)
        .unwrap_or_default();
    if mode == PartnerSignUpMode::Closed {
        return view! {
            <PublicFrame locale title=t!(locale, signup_title).to_string()>
                <section class="card narrow">
                    <h1>{t!(locale, signup_title)}</h1>
                    <p class="notice" role="status">{t!(locale, err_sign_up_closed)}</p>
                    <p class="muted">{t!(locale, have_account)} " " <a href=SIGN_IN>{t!(locale, sign_in)}</a></p>
                </section>
            </PublicFrame>
        }
        .into_any();
    }
    view! {
        <PublicFrame locale title=t!(locale, signup_title).to_string()>
            <section class="card">
                <h1>{t!(locale, signup_title)}</h1>
                <p class="muted">{t!(locale, signup_intro)}</p>
                {(mode == PartnerSignUpMode::Approval).then(|| view! {
                    <p class="note">{t!(locale, signup_approval_note)}</p>
                })}
                <PostForm action=PartnerSignUp::PATH class="stack">
                    <fieldset>
                        <legend>{t!(locale, signup_org)}</legend>
                        <Field label=t!(locale, signup_org_name).to_string()>
                            <input name="org_name" required maxlength="120" autocomplete="organization" />
                        </Field>
                        <Field label=t!(locale, country).to_string()>
                            <CountrySelect locale />
                        </Field>
                        <Field label=t!(locale, signup_cloud).to_string() hint=t!(locale, signup_cloud_hint).to_string()>
                            <select name="cloud" required>
                                {Cloud::ALL.iter().map(|c| view! {
                                    <option value=c.code()>{format!("{} ({})", i18n::cloud(locale, *c), i18n::partner_portal(locale, *c))}</option>
                                }).collect_view()}
                            </select>
                        </Field>
                        <Field label=t!(locale, signup_program).to_string()>
                            <select name="program" required>
                                {ProgramType::ALL.iter().map(|p| view! { <option value=p.code()>{i18n::program(locale, *p)}</option> }).collect_view()}
                            </select>
                        </Field>
                        <Field label=t!(locale, signup_partner_id).to_string() hint=t!(locale, signup_partner_id_hint).to_string()>
                            <input name="partner_id" inputmode="numeric" pattern="[0-9]*" maxlength="10" />
                        </Field>
                    </fieldset>
                    <fieldset>
                        <legend>{t!(locale, signup_account)}</legend>
                        <Field label=t!(locale, your_name).to_string()>
                            <input name="admin_name" required maxlength="120" autocomplete="name" />
                        </Field>
                        <Field label=t!(locale, work_email).to_string()>
                            <input type="email" name="email" required autocomplete="email" />
                        </Field>
                        <Field label=t!(locale, password).to_string()>
                            <input type="password" name="password" required minlength=MIN_PASSWORD_LEN.to_string() autocomplete="new-password" />
                        </Field>
                    </fieldset>
                    <FormError error />
                    <Submit label=t!(locale, signup_submit).to_string() pending=t!(locale, creating).to_string() />
                </PostForm>
                <p class="muted">{t!(locale, have_account)} " " <a href=SIGN_IN>{t!(locale, sign_in)}</a></p>
            </section>
        </PublicFrame>
    }
    .into_any()
}
