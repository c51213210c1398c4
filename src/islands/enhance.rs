//! Progressive enhancement of every form that posts to a server function.
//!
//! Why an island: without JavaScript a form post redirects back to the page, and what was
//! typed is gone if the server refuses it. With this island the post is sent in the
//! background: the submit button shows that it is working (and cannot be pressed twice),
//! a refusal appears inline next to the untouched fields and takes the focus, and success
//! follows the server's redirect (or reloads the page) exactly as the plain form would.

use leptos::prelude::*;

/// Wraps one or more server-rendered forms. Each form may carry `data-error` (the
/// translated text shown when the request itself fails) and contain a `.form-error` element
/// (`role="alert"`) for messages; its submit button may carry `data-pending`, the
/// translated label shown while the request is under way.
#[island]
pub fn Enhance(children: Children) -> impl IntoView {
    view! { <div class="enhance" on:submit=on_submit>{children()}</div> }
}

#[cfg(not(feature = "hydrate"))]
fn on_submit(_: leptos::ev::SubmitEvent) {}

#[cfg(feature = "hydrate")]
fn on_submit(ev: leptos::ev::SubmitEvent) {
    use wasm_bindgen::JsCast;
    let Some(form) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
    else {
        return;
    };
    // GET forms are navigation; let the browser do it.
    if !form.method().eq_ignore_ascii_case("post") {
        return;
    }
    ev.prevent_default();
    if form.get_attribute("aria-busy").as_deref() == Some("true") {
        return;
    }
    wasm_bindgen_futures::spawn_local(submit(form));
}

#[cfg(feature = "hydrate")]
async fn submit(form: web_sys::HtmlFormElement) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let button = form
        .query_selector("button[type=submit]")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into::<web_sys::HtmlButtonElement>().ok());
    let label = button.as_ref().map(|b| b.inner_text()).unwrap_or_default();
    let busy = |on: bool| {
        let _ = form.set_attribute("aria-busy", if on { "true" } else { "false" });
        if let Some(b) = &button {
            b.set_disabled(on);
            match (on, b.get_attribute("data-pending")) {
                (true, Some(pending)) => b.set_inner_text(&pending),
                _ => b.set_inner_text(&label),
            }
        }
    };
    busy(true);
    show_error(&form, None);

    let outcome = async {
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let body = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        let headers = web_sys::Headers::new().ok()?;
        headers
            .set("content-type", "application/x-www-form-urlencoded")
            .ok()?;
        // Not text/html: the server answers with a status and a message instead of a redirect.
        headers.set("accept", "application/json").ok()?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&body);
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let response = JsFuture::from(window().fetch_with_str_and_init(&form.action(), &init))
            .await
            .ok()?
            .dyn_into::<web_sys::Response>()
            .ok()?;
        Some(response)
    }
    .await;

    let Some(response) = outcome else {
        busy(false);
        show_error(&form, form.get_attribute("data-error"));
        return;
    };
    let header = |name: &str| response.headers().get(name).ok().flatten();
    if response.ok() || header("x-accord-reload").is_some() {
        let location = window().location();
        let _ = match header("location") {
            Some(to) => location.assign(&to),
            None => location.reload(),
        };
        return;
    }
    busy(false);
    let message = header("x-accord-error")
        .and_then(|m| js_sys::decode_uri_component(&m).ok())
        .and_then(|m| m.as_string())
        .or_else(|| form.get_attribute("data-error"));
    show_error(&form, message);
}

/// Shows `message` in the form's alert region (and moves the focus there), or clears it.
#[cfg(feature = "hydrate")]
fn show_error(form: &web_sys::HtmlFormElement, message: Option<String>) {
    use wasm_bindgen::JsCast;
    let Some(region) = form
        .query_selector(".form-error")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    match message {
        Some(text) => {
            region.set_inner_text(&text);
            region.set_hidden(false);
            let _ = region.focus();
        }
        None => {
            region.set_inner_text("");
            region.set_hidden(true);
        }
    }
}
