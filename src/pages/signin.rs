use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::auth::SignIn;
use crate::components::form::{Field, FormError, PostForm, Submit};
use crate::components::layout::PublicFrame;
use crate::components::request::{form_error, query_param, session_ended};
use crate::i18n::{self, t};
use crate::routes::SIGN_UP;

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
