//! Users of the signed-in organization (partner or customer): add, change role, remove, new
//! set-password link; and setting one's password through such a link.

use leptos::prelude::*;

use crate::domain::Viewer;
use crate::error::AppError;
use crate::routes::{url_safe, user_page, users_page, FORGOT_PASSWORD, SET_PASSWORD, SIGN_IN};

/// Query parameters of the Users pages after a change.
pub const REMOVED_PARAM: &str = "removed";
pub const SAVED_PARAM: &str = "saved";

/// Cookie of the set-password link just made: `(user id, token)` (see `ctx::hand_over`).
/// The user's page shows it once; only a hash of the token is stored in the database.
#[cfg(feature = "ssr")]
pub const FRESH_LINK_KEY: &str = "accord_fresh_link";

/// The set-password link of `token` on this Accord.
#[cfg(feature = "ssr")]
pub fn password_link(public_url: &str, token: &str) -> String {
    format!(
        "{}{SET_PASSWORD}?token={token}",
        public_url.trim_end_matches('/')
    )
}

#[cfg(feature = "ssr")]
async fn signed_in() -> Result<(crate::server::AppState, Viewer), AppError> {
    let viewer = super::ctx::viewer()
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((super::ctx::state()?, viewer))
}

/// What a mail caused by this request needs: this Accord's address and the language of the
/// request.
#[cfg(feature = "ssr")]
fn outgoing(state: &crate::server::AppState) -> crate::server::identity::mails::Outgoing<'_> {
    crate::server::identity::mails::Outgoing {
        public_url: &state.config.public_url,
        locale: crate::i18n::current(),
    }
}

/// Hands the new link to the user's page, which shows it once.
#[cfg(feature = "ssr")]
fn show_once(viewer: &Viewer, user_id: &str, token: &str) -> Result<(), AppError> {
    super::ctx::hand_over(FRESH_LINK_KEY, &user_page(viewer, user_id), user_id, token)
}

/// Adds a user (Global admins); their page then shows their set-password link once.
#[server(endpoint = "add_user")]
pub async fn add_user(name: String, email: String, role: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (state, viewer) = signed_in().await?;
            super::ctx::limited(state.limits.user_add(&viewer.org_id))?;
            let added = crate::server::identity::users::add(
                &state.db,
                &viewer,
                &name,
                &email,
                &role,
                outgoing(&state),
            )
            .await?;
            show_once(&viewer, &added.user_id, &added.token)?;
            leptos_axum::redirect(&user_page(&viewer, &added.user_id));
            Ok(())
        }
        .await,
    )
}

/// Gives a user another role (Global admins; never the last Global admin away).
#[server(endpoint = "change_user_role")]
pub async fn change_user_role(user: String, role: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (state, viewer) = signed_in().await?;
            crate::server::identity::users::change_role(&state.db, &viewer, &user, &role).await?;
            leptos_axum::redirect(&format!("{}?{SAVED_PARAM}=1", user_page(&viewer, &user)));
            Ok(())
        }
        .await,
    )
}

/// Removes a user (Global admins, after confirming); their sessions end at once.
#[server(endpoint = "remove_user")]
pub async fn remove_user(user: String, confirm: Option<String>) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (state, viewer) = signed_in().await?;
            crate::server::identity::users::remove(&state.db, &viewer, &user, confirm.is_some())
                .await?;
            // Removing oneself ends one's own session too.
            let next = match user == viewer.user_id {
                true => SIGN_IN.to_string(),
                false => format!(
                    "{}?{REMOVED_PARAM}={}",
                    users_page(&viewer),
                    url_safe(&user)
                ),
            };
            leptos_axum::redirect(&next);
            Ok(())
        }
        .await,
    )
}

/// A new set-password link for a user (Global admins); earlier links stop working.
#[server(endpoint = "new_password_link")]
pub async fn new_password_link(user: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let (state, viewer) = signed_in().await?;
            let token = crate::server::identity::users::new_link(
                &state.db,
                &viewer,
                &user,
                outgoing(&state),
            )
            .await?;
            show_once(&viewer, &user, &token)?;
            leptos_axum::redirect(&user_page(&viewer, &user));
            Ok(())
        }
        .await,
    )
}

/// Sets the password of a set-password link's user and signs them in.
#[server(endpoint = "set_password")]
pub async fn set_password(token: String, password: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            super::ctx::limit_sign_up()?;
            let state = super::ctx::state()?;
            let (user_id, epoch) = crate::server::identity::users::set_password(
                &state.db,
                &token,
                password,
                outgoing(&state),
            )
            .await?;
            let session = super::ctx::session().await?;
            crate::server::identity::sessions::start(&session, &user_id, epoch).await?;
            let viewer = crate::server::identity::accounts::viewer(&state.db, &user_id)
                .await?
                .ok_or(AppError::Internal)?;
            leptos_axum::redirect(&viewer.home());
            Ok(())
        }
        .await,
    )
}

/// Query parameter of the "Forgot password?" page once the mail is on its way.
pub const SENT_PARAM: &str = "sent";

/// "Forgot password?": mails a reset link to the account that uses `email`, if any. The
/// answer is the same, and comes as fast, whether or not an account uses the address: the
/// link is made and queued after it (a mail never waits for the mail server anyway).
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let state = super::ctx::state()?;
            let email = crate::domain::normalize_email(&email).map_err(AppError::Invalid)?;
            super::ctx::limited(
                state
                    .limits
                    .reset_request(&email, super::ctx::client_address()),
            )?;
            let locale = crate::i18n::current();
            tokio::spawn(async move {
                let out = crate::server::identity::mails::Outgoing {
                    public_url: &state.config.public_url,
                    locale,
                };
                if let Err(e) =
                    crate::server::identity::recovery::request_reset(&state.db, &email, out).await
                {
                    tracing::warn!(error = %e, "password reset link not made");
                }
            });
            leptos_axum::redirect(&format!("{FORGOT_PASSWORD}?{SENT_PARAM}=1"));
            Ok(())
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_pages_stay_on_this_site() {
        assert_eq!(url_safe("ab-12/../x?y"), "ab-12xy");
        assert_eq!(
            password_link("https://accord.example/", "abc_-"),
            "https://accord.example/set-password?token=abc_-"
        );
    }
}
