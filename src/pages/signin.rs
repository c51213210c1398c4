use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::auth::SignIn;
use crate::components::form::{Field, FormError};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Sign in" />
        <main class="centered">
            <section class="card narrow">
                <a class="brand" href="/">"◆ Accord"</a>
                <h1>"Sign in"</h1>
                <ActionForm action=action attr:class="stack">
                    <input type="hidden" name="next" value=next />
                    <Field label="Email">
                        <input type="email" name="email" required autocomplete="username" />
                    </Field>
                    <Field label="Password">
                        <input type="password" name="password" required autocomplete="current-password" />
                    </Field>
                    <FormError error />
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        "Sign in"
                    </button>
                </ActionForm>
                <p class="muted">"New partner? " <a href="/signup">"Create a partner account"</a></p>
            </section>
        </main>
    }
}
