//! The draft email of a reseller-relationship request.
//!
//! Why an island: copying to the clipboard and opening the *edited* text in the email
//! program need the browser, and so does warning before either when the edit removed the
//! invitation link. Without JavaScript the page still shows the draft to select and copy,
//! and "Open in email" opens the unedited draft.
//!
//! Everything it shows is rendered by the server inside it; elements are found by their
//! `data-draft` role: `text` (the textarea), `link`, `subject`, `warning`, `status`, and the
//! buttons `copy`, `open`, `restore`, `anyway-copy`, `anyway-open`. The status texts are
//! the `data-copied` and `data-copy-failed` attributes of the `status` element.

use leptos::prelude::*;

#[island]
pub fn DraftEditor(children: Children) -> impl IntoView {
    view! { <div class="draft-editor" on:click=on_click>{children()}</div> }
}

#[cfg(not(feature = "hydrate"))]
fn on_click(_: leptos::ev::MouseEvent) {}

#[cfg(feature = "hydrate")]
fn on_click(ev: leptos::ev::MouseEvent) {
    use wasm_bindgen::JsCast;
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[data-draft]").ok().flatten())
    else {
        return;
    };
    let Some(root) = target.closest(".draft-editor").ok().flatten() else {
        return;
    };
    let part = |name: &str| {
        root.query_selector(&format!("[data-draft={name}]"))
            .ok()
            .flatten()
    };
    let Some(text) = part("text").and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    else {
        return;
    };
    let value_of = |name: &str| {
        part(name)
            .and_then(|e| e.get_attribute("value"))
            .unwrap_or_default()
    };
    let link = value_of("link");
    let warning = part("warning").and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    let show_warning = |for_action: Option<&str>| {
        if let Some(w) = &warning {
            w.set_hidden(for_action.is_none());
            for which in ["copy", "open"] {
                if let Some(b) = part(&format!("anyway-{which}"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    b.set_hidden(for_action != Some(which));
                }
            }
            if for_action.is_some() {
                let _ = w.focus();
            }
        }
    };
    let has_link = text.value().contains(&link);
    let action = target.get_attribute("data-draft").unwrap_or_default();
    match action.as_str() {
        "copy" | "open" if !has_link => {
            ev.prevent_default();
            show_warning(Some(action.as_str()));
        }
        "copy" | "anyway-copy" => {
            show_warning(None);
            copy(text.value(), part("status"));
        }
        "open" | "anyway-open" => {
            ev.prevent_default();
            show_warning(None);
            let href = crate::domain::mailto_href(&value_of("subject"), &text.value());
            let _ = window().location().set_href(&href);
        }
        "restore" => {
            text.set_value(&format!("{}\n\n{link}\n", text.value().trim_end()));
            show_warning(None);
            let _ = text.focus();
        }
        _ => {}
    }
}

#[cfg(feature = "hydrate")]
fn copy(value: String, status: Option<web_sys::Element>) {
    use wasm_bindgen::JsCast;
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::spawn_local(async move {
        let done = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&value))
            .await
            .is_ok();
        if let Some(status) = status.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let key = if done {
                "data-copied"
            } else {
                "data-copy-failed"
            };
            status.set_inner_text(&status.get_attribute(key).unwrap_or_default());
        }
    });
}
