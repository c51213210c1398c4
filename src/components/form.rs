//! Forms: plain HTML posts to server functions, enhanced by the `Enhance` island.

use leptos::prelude::*;

use crate::i18n::{self, t, Locale};

/// A form that posts to a server function (`action` is its path, e.g. `SignIn::PATH`).
/// Without JavaScript the server answers with a redirect; with it, the `Enhance` island
/// around the page sends it in the background. `children` hold the fields, a
/// [`FormError`] and the submit button.
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(optional, into)] class: String,
    /// Accessible name, when a page has several forms.
    #[prop(optional, into)]
    label: Option<String>,
    children: Children,
) -> impl IntoView {
    let locale = i18n::current();
    view! {
        <form
            method="post"
            action=action
            class=class
            aria-label=label
            data-error=t!(locale, request_failed).to_string()
        >
            {children()}
        </form>
    }
}

/// Where a form's error is announced: filled by the server after a plain post, or by the
/// `Enhance` island. Focusable, so the island can move the focus to it.
#[component]
pub fn FormError(error: Option<String>) -> impl IntoView {
    let hidden = error.is_none();
    view! { <p class="form-error" role="alert" tabindex="-1" hidden=hidden>{error}</p> }
}

/// A submit button that shows `pending` while the island sends the form.
#[component]
pub fn Submit(
    #[prop(into)] label: String,
    #[prop(into)] pending: String,
    #[prop(optional, into)] class: Option<String>,
) -> impl IntoView {
    let class = class.unwrap_or_else(|| "button primary".into());
    view! { <button type="submit" class=class data-pending=pending>{label}</button> }
}

/// A labelled form field; `children` is the input itself.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="field">
                <span class="field-label">{label}</span>
                {children()}
            </label>
            {hint.map(|h| view! { <span class="field-hint"><crate::components::prose::Prose text=h /></span> })}
        </div>
    }
}

/// The country picker: likely countries first, then all of them. The option list is the
/// same for every request, so it is rendered once and reused.
#[component]
pub fn CountrySelect(
    locale: Locale,
    #[prop(optional)] suggested: Vec<String>,
    /// The id of a text that says more about the choice.
    #[prop(optional, into)]
    described_by: Option<String>,
) -> impl IntoView {
    let options = all_country_options(locale);
    let suggested: Vec<(String, String)> = suggested
        .into_iter()
        .filter(|c| crate::domain::is_known_country(c))
        .map(|c| (crate::i18n::country(locale, &c), c))
        .collect();
    view! {
        <select name="country" required aria-describedby=described_by>
            <option value="">{t!(locale, choose)}</option>
            {(!suggested.is_empty()).then(|| view! {
                <optgroup label=t!(locale, countries_suggested).to_string()>
                    {suggested.into_iter().map(|(name, code)| view! { <option value=code>{name}</option> }).collect_view()}
                </optgroup>
            })}
            <optgroup label=t!(locale, countries_all).to_string() inner_html=options></optgroup>
        </select>
    }
}

/// Every country as options, named and sorted in the locale's language (built once per locale).
fn all_country_options(locale: Locale) -> &'static str {
    static OPTIONS: [std::sync::OnceLock<String>; 3] = [
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
        std::sync::OnceLock::new(),
    ];
    let slot = crate::i18n::ALL
        .iter()
        .position(|l| *l == locale)
        .unwrap_or(0);
    OPTIONS[slot].get_or_init(|| {
        crate::domain::countries_in(crate::i18n::name_script(locale))
            .map(|(code, name)| format!("<option value=\"{code}\">{}</option>", escape(name)))
            .collect()
    })
}

/// Escapes text for HTML content and attribute values.
pub use crate::domain::escape_html as escape;

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"</textarea><img src=x onerror="a('b')">&"#),
            "&lt;/textarea&gt;&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
    }
}
