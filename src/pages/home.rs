use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="" />
        <main class="landing">
            <section class="hero">
                <h1>"Accord"</h1>
                <p class="lead">
                    "Invite customers to a reseller relationship with one link, and let them accept it in the admin portal of their cloud."
                </p>
                <div class="actions">
                    <a class="button primary" href="/signin">"Sign in"</a>
                    <a class="button" href="/signup">"Create a partner account"</a>
                </div>
            </section>
            <section class="steps">
                <article>
                    <h2>"1. Request"</h2>
                    <p>"Open Customers, choose Request a reseller relationship, and decide whether to include delegated administration privileges."</p>
                </article>
                <article>
                    <h2>"2. Send"</h2>
                    <p>"Copy the draft email with your personal, tamper-evident link, or open it in your email program."</p>
                </article>
                <article>
                    <h2>"3. Accept"</h2>
                    <p>"Your customer signs in, accepts the Microsoft Customer Agreement if needed, and authorizes you. They appear on your Customers page."</p>
                </article>
            </section>
        </main>
    }
}
