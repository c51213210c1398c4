use leptos::prelude::*;

use crate::error::AppError;

/// The error of the last submission of a form, read out to screen readers.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="form-error" role="alert">{e.to_string()}</p> }
        })
    }
}

/// A labelled form field; `children` is the input itself.
#[component]
pub fn Field(
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="field">
                <span class="field-label">{label}</span>
                {children()}
            </label>
            {hint.map(|h| view! { <span class="field-hint">{h}</span> })}
        </div>
    }
}
