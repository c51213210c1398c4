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
    #[cfg(feature = "hydrate")]
    restore_typed();
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
    // The session ended under the form: keep what was typed for this page, and load the
    // page again, which asks to sign in and comes back here.
    if header("x-accord-session").as_deref() == Some("ended") {
        keep_typed(&form);
        let location = window().location();
        let path = location.pathname().unwrap_or_default();
        let search = location.search().unwrap_or_default();
        let sep = if search.is_empty() { "?" } else { "&" };
        let _ = location.assign(&format!("{path}{search}{sep}session=ended"));
        return;
    }
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

/// Where typed input waits while its person signs in again (this tab only).
#[cfg(feature = "hydrate")]
const TYPED_KEY: &str = "accord.typed";

/// The fields of `form` worth keeping over a new sign-in: text a person typed or chose,
/// never a password, a hidden value or a confirmation box (those are given again).
#[cfg(feature = "hydrate")]
fn kept_fields(form: &web_sys::HtmlFormElement) -> Vec<web_sys::Element> {
    let Ok(list) = form.query_selector_all("input[name], textarea[name], select[name]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
        .filter(|e| {
            let kind = e
                .get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            !matches!(
                kind.as_str(),
                "password" | "hidden" | "checkbox" | "radio" | "submit" | "file"
            )
        })
        .collect()
}

#[cfg(feature = "hydrate")]
fn keep_typed(form: &web_sys::HtmlFormElement) {
    use js_sys::{Array, Reflect, JSON};
    let fields = Array::new();
    for e in kept_fields(form) {
        let value = Reflect::get(&e, &"value".into()).unwrap_or_default();
        let name = e.get_attribute("name").unwrap_or_default();
        fields.push(&Array::of2(&name.into(), &value));
    }
    let path = window().location().pathname().unwrap_or_default();
    let action = form.get_attribute("action").unwrap_or_default();
    let kept = Array::of3(&path.into(), &action.into(), &fields);
    if let (Ok(Some(storage)), Ok(text)) = (window().session_storage(), JSON::stringify(&kept)) {
        let _ = storage.set_item(TYPED_KEY, &String::from(text));
    }
}

/// Puts back what was kept for this page's form, once the form is on the page again.
#[cfg(feature = "hydrate")]
fn restore_typed() {
    use js_sys::{Array, Reflect, JSON};
    use wasm_bindgen::JsCast;
    let Ok(Some(storage)) = window().session_storage() else {
        return;
    };
    let Some(kept) = storage
        .get_item(TYPED_KEY)
        .ok()
        .flatten()
        .and_then(|t| JSON::parse(&t).ok())
        .and_then(|v| v.dyn_into::<Array>().ok())
    else {
        return;
    };
    let text = |v: wasm_bindgen::JsValue| v.as_string().unwrap_or_default();
    if text(kept.get(0)) != window().location().pathname().unwrap_or_default() {
        return;
    }
    let Some(form) = document().query_selector_all("form").ok().and_then(|list| {
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlFormElement>().ok())
            .find(|f| f.get_attribute("action").unwrap_or_default() == text(kept.get(1)))
    }) else {
        return;
    };
    let _ = storage.remove_item(TYPED_KEY);
    let fields = kept.get(2).dyn_into::<Array>().unwrap_or_default();
    let present = kept_fields(&form);
    for pair in fields.iter().filter_map(|p| p.dyn_into::<Array>().ok()) {
        let name = text(pair.get(0));
        if let Some(e) = present
            .iter()
            .find(|e| e.get_attribute("name").as_deref() == Some(name.as_str()))
        {
            let _ = Reflect::set(e, &"value".into(), &pair.get(1));
        }
    }
}
