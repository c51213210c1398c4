use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::PartnerSignUp;
use crate::components::form::{Field, FormError};
use crate::domain::{Cloud, ProgramType, COUNTRIES, MIN_PASSWORD_LEN};

/// Creates a partner organization and its first Global admin.
#[component]
pub fn PartnerSignUpPage() -> impl IntoView {
    let action = ServerAction::<PartnerSignUp>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let (program, set_program) = signal(ProgramType::Direct.code().to_string());
    let indirect = move || program.get() != ProgramType::Direct.code();
    view! {
        <Title text="Create a partner account" />
        <main class="centered">
            <section class="card">
                <a class="brand" href="/">"◆ Accord"</a>
                <h1>"Create a partner account"</h1>
                <p class="muted">"You become the Global admin of your partner organization."</p>
                <ActionForm action=action attr:class="stack">
                    <fieldset>
                        <legend>"Organization"</legend>
                        <Field label="Organization name">
                            <input name="org_name" required maxlength="120" autocomplete="organization" />
                        </Field>
                        <Field label="Country or region">
                            <select name="country" required>
                                <option value="">"Choose…"</option>
                                {COUNTRIES.iter().map(|(code, name)| view! { <option value=*code>{*name}</option> }).collect_view()}
                            </select>
                        </Field>
                        <Field label="Cloud" hint="You can only work with customers in the same cloud.">
                            <select name="cloud" required>
                                {Cloud::ALL.iter().map(|c| view! { <option value=c.code()>{format!("{} ({})", c.label(), c.partner_portal())}</option> }).collect_view()}
                            </select>
                        </Field>
                        <Field label="Partner program">
                            <select name="program" required on:change=move |ev| set_program.set(event_target_value(&ev))>
                                {ProgramType::ALL.iter().map(|p| view! { <option value=p.code()>{p.label()}</option> }).collect_view()}
                            </select>
                        </Field>
                        <Field label="Partner ID (MPN ID)" hint="Required for indirect resellers and indirect providers.">
                            <input name="partner_id" inputmode="numeric" pattern="[0-9]*" maxlength="10" required=indirect />
                        </Field>
                    </fieldset>
                    <fieldset>
                        <legend>"Your account"</legend>
                        <Field label="Your name">
                            <input name="admin_name" required maxlength="120" autocomplete="name" />
                        </Field>
                        <Field label="Work email">
                            <input type="email" name="email" required autocomplete="email" />
                        </Field>
                        <Field label="Password">
                            <input type="password" name="password" required minlength=MIN_PASSWORD_LEN.to_string() autocomplete="new-password" />
                        </Field>
                    </fieldset>
                    <FormError error />
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>
                        "Create account"
                    </button>
                </ActionForm>
                <p class="muted">"Already have an account? " <a href="/signin">"Sign in"</a></p>
            </section>
        </main>
    }
}
