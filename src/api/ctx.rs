//! What server functions need from the request: the app state, the session and the viewer.

use leptos::prelude::use_context;
use tower_sessions::Session;

use crate::domain::{PartnerRole, Viewer};
use crate::error::{error_header, AppError};
use crate::server::identity::accounts;
use crate::server::AppState;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })
}

/// The client's address as the rate limits count it (see `server::platform::limits::client_address`).
pub fn client_address() -> Option<std::net::IpAddr> {
    use axum::extract::ConnectInfo;
    let parts = use_context::<http::request::Parts>()?;
    let ConnectInfo(peer) = parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()?;
    let config = &state().ok()?.config;
    Some(crate::server::platform::limits::client_address(
        peer.ip(),
        &parts.headers,
        &config.trusted_proxies,
        config.forwarded_header,
    ))
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| crate::routes::cookie_value(v, name))
        .map(str::to_string)
}

/// Hands a secret that is shown once (a new API key, a set-password link) to the page at
/// `path` that shows it: `(id, secret)` travels in a cookie of that path only, which lives
/// five minutes, and never through the session store (which would keep it until that page
/// is opened, or the session ends). The page takes it with [`take_over`].
pub fn hand_over(name: &str, path: &str, id: &str, secret: &str) -> Result<(), AppError> {
    let res = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
    res.append_header(
        http::header::SET_COOKIE,
        once_cookie(name, path, &format!("{id}.{secret}"), 300)?,
    );
    Ok(())
}

/// The `(id, secret)` [`hand_over`] gave the page at `path`, if the browser sent it; the
/// answer clears the cookie, so it is shown this once.
pub fn take_over(name: &str, path: &str) -> Option<(String, String)> {
    let value = cookie(name)?;
    let res = use_context::<leptos_axum::ResponseOptions>()?;
    res.append_header(
        http::header::SET_COOKIE,
        once_cookie(name, path, "", 0).ok()?,
    );
    let (id, secret) = value.split_once('.')?;
    Some((id.to_string(), secret.to_string()))
}

fn once_cookie(
    name: &str,
    path: &str,
    value: &str,
    max_age: u32,
) -> Result<http::HeaderValue, AppError> {
    let secure = if state()?.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    http::HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    ))
    .map_err(|_| AppError::Internal)
}

/// The error of a rate-limited attempt; the answer says when to try again (`Retry-After`).
pub fn limited<T>(
    result: Result<T, crate::server::platform::limits::Limited>,
) -> Result<T, AppError> {
    result.map_err(|limited| {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.insert_header(
                http::header::RETRY_AFTER,
                http::HeaderValue::from(limited.retry_after_secs()),
            );
        }
        AppError::TooManyAttempts
    })
}

/// Counts a sign-up attempt against the client address's allowance.
pub fn limit_sign_up() -> Result<(), AppError> {
    limited(state()?.limits.attempt(client_address()))
}

/// The signed-in person, if any (already looked up by the sign-in guard for partner pages).
pub async fn viewer() -> Result<Option<Viewer>, AppError> {
    if let Some(v) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Viewer>().cloned())
    {
        return Ok(Some(v));
    }
    let session = session().await?;
    let Some(signed_in) = crate::server::identity::sessions::signed_in(&session).await? else {
        return Ok(None);
    };
    accounts::session_viewer(&state()?.db, &signed_in).await
}

/// The signed-in person and the verified invitation in `query`, for the customer's actions.
pub async fn invitation_for_viewer(
    query: &str,
) -> Result<(AppState, Viewer, crate::server::handshake::Invitation), AppError> {
    let state = state()?;
    let viewer = viewer().await?.ok_or(AppError::Unauthenticated)?;
    limited(state.limits.answer(&viewer.user_id))?;
    let inv = crate::server::handshake::verify(&state.db, &state.config.secret_key, query).await?;
    Ok((state, viewer, inv))
}

/// The signed-in partner user and their role, or an error saying why not.
pub async fn partner() -> Result<(Viewer, PartnerRole), AppError> {
    let viewer = viewer().await?.ok_or(AppError::Unauthenticated)?;
    let role = viewer
        .partner_role()
        .ok_or(AppError::Forbidden(crate::domain::Problem::PartnerOnly))?;
    Ok((viewer, role))
}

/// Gives a failed server function the HTTP status of its error (403, 409, …), so API
/// clients and logs see more than a generic 500, and the sentence a person reads, in their
/// language, in the `x-accord-error` header (percent-encoded) for the form-enhancement
/// island. A refusal also sets `x-accord-reload`: the page itself then explains it. Plain
/// HTML form posts keep the redirect back to their page that Leptos gives them.
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let html_form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if let (Err(e), false) = (&result, html_form_post) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = http::StatusCode::from_u16(e.status_code()) {
                res.set_status(code);
            }
            let locale = crate::i18n::current();
            let text = match e {
                // The sentence names the wait the answer's `Retry-After` gives: a rate
                // limit's own, else the hashing queue's (then the header is set here).
                AppError::TooManyAttempts => {
                    let seconds = retry_after(&res).unwrap_or_else(|| {
                        use crate::server::identity::passwords::BUSY_RETRY_SECS;
                        res.insert_header(
                            http::header::RETRY_AFTER,
                            http::HeaderValue::from(BUSY_RETRY_SECS),
                        );
                        BUSY_RETRY_SECS
                    });
                    crate::i18n::too_many_attempts(locale, seconds)
                }
                e => crate::i18n::error(locale, e),
            };
            if let Some(value) = error_header(&text) {
                res.insert_header(http::HeaderName::from_static("x-accord-error"), value);
            }
            // The session ended under a form: the island keeps what was typed and sends the
            // person to sign in again.
            if matches!(e, AppError::Unauthenticated) {
                res.insert_header(
                    http::HeaderName::from_static("x-accord-session"),
                    http::HeaderValue::from_static("ended"),
                );
            }
            if matches!(e, AppError::Refused(_)) {
                res.insert_header(
                    http::HeaderName::from_static("x-accord-reload"),
                    http::HeaderValue::from_static("1"),
                );
            }
        }
    }
    result
}

/// The `Retry-After` (seconds) an answer carries already, if any.
fn retry_after(res: &leptos_axum::ResponseOptions) -> Option<u64> {
    let parts = res.0.read().ok()?;
    parts
        .headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
