use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::SignIn;
use crate::api::users::{ForgotPassword, SENT_PARAM};
use crate::components::form::{Field, FormError, PostForm, Submit};
use crate::components::layout::PublicFrame;
use crate::components::request::{form_error, query_param, session_ended};
use crate::i18n::{self, t};
use crate::routes::{FORGOT_PASSWORD, SIGN_IN, SIGN_UP};

#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = i18n::current();
    let next = query_param("next").unwrap_or_default();
    let error = form_error(SignIn::PATH);
    view! {
        <PublicFrame locale title=t!(locale, signin_title).to_string()>
            <section class="card narrow">
                <h1>{t!(locale, signin_title)}</h1>
                {session_ended().then(|| view! { <p class="notice" role="status">{t!(locale, session_ended)}</p> })}
                <PostForm action=SignIn::PATH class="stack">
                    <input type="hidden" name="next" value=next />
                    <Field label=t!(locale, email).to_string()>
                        <input type="email" name="email" required autocomplete="username" />
                    </Field>
                    <Field label=t!(locale, password).to_string()>
                        <input type="password" name="password" required autocomplete="current-password" />
                    </Field>
                    <p class="field-aside"><a href=FORGOT_PASSWORD>{t!(locale, forgot_link)}</a></p>
                    <FormError error />
                    <Submit label=t!(locale, sign_in).to_string() pending=t!(locale, signing_in).to_string() />
                </PostForm>
                <p class="muted">
                    {t!(locale, new_partner)} " " <a href=SIGN_UP>{t!(locale, home_create_account)}</a>
                </p>
            </section>
        </PublicFrame>
    }
}

/// "Forgot password?": asks for a reset link by mail, and then says the same whether or not
/// an account uses the address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let locale = i18n::current();
    let sent = query_param(SENT_PARAM).is_some();
    let error = form_error(ForgotPassword::PATH);
    view! {
        <PublicFrame locale title=t!(locale, forgot_title).to_string()>
            <section class="card narrow">
                <h1>{t!(locale, forgot_title)}</h1>
                {if sent {
                    view! {
                        <p class="notice" role="status">{t!(locale, forgot_sent)}</p>
                    }.into_any()
                } else {
                    view! {
                        <p>{t!(locale, forgot_lead)}</p>
                        <PostForm action=ForgotPassword::PATH class="stack">
                            <Field label=t!(locale, email).to_string()>
                                <input type="email" name="email" required autocomplete="username" />
                            </Field>
                            <FormError error />
                            <Submit label=t!(locale, forgot_submit).to_string() pending=t!(locale, working).to_string() />
                        </PostForm>
                    }.into_any()
                }}
                <p class="muted"><a href=SIGN_IN>{t!(locale, forgot_back)}</a></p>
            </section>
        </PublicFrame>
    }
}
