use leptos::prelude::*;

use crate::components::layout::PublicFrame;
use crate::i18n::{self, t};
use crate::routes::{SIGN_IN, SIGN_UP};

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = i18n::current();
    view! {
        <PublicFrame locale title="">
            <div class="landing">
                <section class="hero">
                    <h1>"Accord"</h1>
                    <p class="lead">{t!(locale, home_lead)}</p>
                    <div class="actions">
                        <a class="button primary" href=SIGN_IN>{t!(locale, sign_in)}</a>
                        <a class="button" href=SIGN_UP>{t!(locale, home_create_account)}</a>
                    </div>
                </section>
                <section class="steps">
                    <article>
                        <h2>{t!(locale, home_step1_title)}</h2>
                        <p>{t!(locale, home_step1)}</p>
                    </article>
                    <article>
                        <h2>{t!(locale, home_step2_title)}</h2>
                        <p>{t!(locale, home_step2)}</p>
                    </article>
                    <article>
                        <h2>{t!(locale, home_step3_title)}</h2>
                        <p>{t!(locale, home_step3)}</p>
                    </article>
                </section>
            </div>
        </PublicFrame>
    }
}
