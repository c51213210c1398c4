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
        None => Redirect::to(&sign_in_for(req.uri())).into_response(),
    }
}

/// Where a signed-out person on `uri` signs in: back to the page afterwards, without what
/// a failed form post added to its address; a session that ended under a form is said so
/// on the sign-in page (and not again after it).
fn sign_in_for(uri: &axum::http::Uri) -> String {
    use crate::routes::{without_error_params, SESSION_PARAM};
    let (kept, ended) = without_error_params(uri.query().unwrap_or_default());
    let back = match kept {
        q if q.is_empty() => uri.path().to_string(),
        q => format!("{}?{q}", uri.path()),
    };
    let mut to = format!("/signin?next={}", urlencode(&back));
    if ended {
        to.push_str(&format!("&{SESSION_PARAM}=ended"));
    }
    to
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::sign_in_for;

    #[test]
    fn sign_in_returns_to_the_page_without_stale_errors() {
        let at = |u: &str| sign_in_for(&u.parse().unwrap());
        assert_eq!(at("/partner/users"), "/signin?next=%2Fpartner%2Fusers");
        assert_eq!(
            at("/partner/customers?page=2&__path=%2Fapi%2Fx&__err=abc"),
            "/signin?next=%2Fpartner%2Fcustomers%3Fpage%3D2&session=ended"
        );
        assert_eq!(
            at("/partner/users?session=ended"),
            "/signin?next=%2Fpartner%2Fusers&session=ended"
        );
    }
}
