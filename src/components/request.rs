//! What a page needs to know about the request it is rendering.

use leptos::prelude::use_context;

use crate::routes::SESSION_PARAM;

fn parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The query parameters of the page's URL.
pub fn query_pairs() -> Vec<(String, String)> {
    parts()
        .and_then(|p| p.uri.query().map(str::to_string))
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

pub fn query_param(name: &str) -> Option<String> {
    query_pairs()
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The raw query string without the error parameters of a failed form post.
pub fn raw_query() -> String {
    let raw = parts()
        .and_then(|p| p.uri.query().map(str::to_string))
        .unwrap_or_default();
    crate::routes::without_error_params(&raw).0
}

/// The path of the page being rendered.
pub fn path() -> String {
    parts()
        .map(|p| p.uri.path().to_string())
        .unwrap_or_else(|| "/".into())
}

/// This page's path and query: where sign-in, sign-out and the language switcher return.
pub fn here() -> String {
    let path = path();
    match raw_query() {
        q if q.is_empty() => path,
        q => format!("{path}?{q}"),
    }
}

/// The error of the plain form post to the server function at `path` that just came back
/// here, in the viewer's language.
pub fn form_error(path: &str) -> Option<String> {
    use leptos::server_fn::error::ServerFnUrlError;
    let pairs = query_pairs();
    let get = |name: &str| pairs.iter().find_map(|(k, v)| (k == name).then_some(v));
    if get("__path")? != path {
        return None;
    }
    let error = ServerFnUrlError::<crate::error::AppError>::decode_err(get("__err")?).from_url()?;
    Some(crate::i18n::error(crate::i18n::current(), &error))
}

/// Whether the person was sent here because their session ended under a form: the page's
/// address says so (`session=ended`), or a plain form post came back refused for want of
/// a session.
pub fn session_ended() -> bool {
    use leptos::server_fn::error::ServerFnUrlError;
    let pairs = query_pairs();
    let get = |name: &str| {
        pairs
            .iter()
            .find_map(|(k, v)| (k == name).then_some(v.clone()))
    };
    get(SESSION_PARAM).as_deref() == Some("ended")
        || get("__err")
            .and_then(|e| ServerFnUrlError::<crate::error::AppError>::decode_err(&e).from_url())
            .is_some_and(|e| matches!(e, crate::error::AppError::Unauthenticated))
}

/// Sets the HTTP status of the page being rendered.
pub fn set_status(code: u16) {
    if let (Some(res), Ok(code)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        res.set_status(code);
    }
}
