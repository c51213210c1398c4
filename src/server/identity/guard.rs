//! The sign-in guard of the partner pages, and the signed-in person of a request that is not
//! a page or a server function (the CSV export).

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::{accounts, sessions};
use crate::server::platform::AppState;

/// The signed-in person of a session, if it is still valid for them.
pub async fn viewer_of(state: &AppState, session: &Session) -> Option<crate::domain::Viewer> {
    let signed_in = sessions::signed_in(session).await.ok().flatten()?;
    accounts::session_viewer(&state.db, &signed_in)
        .await
        .ok()
        .flatten()
}

/// Pages under `/partner` need a signed-in partner user; others are sent to sign in and
/// brought back afterwards.
pub async fn require_sign_in(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let guarded = path == "/partner" || path.starts_with("/partner/");
    if !guarded || req.method() != Method::GET {
        return next.run(req).await;
    }
    match viewer_of(&state, &session).await {
        Some(v) if v.partner_role().is_some() => {
            // The page reads the viewer from here instead of asking the database again.
            req.extensions_mut().insert(v);
            next.run(req).await
        }
        Some(v) => Redirect::to(&v.home()).into_response(),
        None => {
            let back = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/signin?next={}", urlencode(back))).into_response()
        }
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
