//! Sign-in, sign-out and partner sign-up.

// Server functions take one argument per form field.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::domain::Viewer;
use crate::error::AppError;
use crate::routes::{CUSTOMERS, SIGN_IN};

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            use super::ctx::limited;
            use crate::server::identity::{accounts, guesses};
            let state = super::ctx::state()?;
            let address = super::ctx::client_address();
            limited(state.limits.attempt(address))?;
            limited(state.limits.begin_sign_in(&email, address))?;
            let device = super::ctx::cookie(guesses::DEVICE_COOKIE);
            let allowance = state.limits.per_account();
            let begun = limited(
                guesses::begin(&state.db, allowance, &email, device.as_deref(), address).await?,
            )?;
            let session = super::ctx::session().await?;
            // A failure was counted when the attempt began.
            let user_id = accounts::authenticate(&state.db, &email, password).await?;
            state.limits.signed_in(&email, address);
            let device = guesses::signed_in(
                &state.db,
                allowance,
                &email,
                begun,
                device.as_deref(),
                address,
            )
            .await?;
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                let cookie = guesses::device_cookie(&device, state.config.secure_cookies());
                if let Ok(value) = http::HeaderValue::from_str(&cookie) {
                    res.append_header(http::header::SET_COOKIE, value);
                }
            }
            start_session(&session, &user_id).await?;
            let viewer = accounts::viewer(&state.db, &user_id)
                .await?
                .ok_or(AppError::Internal)?;
            leptos_axum::redirect(&return_path(next.as_deref(), &viewer));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out(next: Option<String>) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let session = super::ctx::session().await?;
            session.flush().await?;
            let next = next
                .as_deref()
                .and_then(crate::domain::safe_return_path)
                .unwrap_or(SIGN_IN);
            leptos_axum::redirect(next);
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "partner_sign_up")]
pub async fn partner_sign_up(
    org_name: String,
    country: String,
    cloud: String,
    program: String,
    partner_id: String,
    admin_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            use crate::server::identity::accounts::{self, PartnerSignUp};
            use crate::server::PartnerSignUpMode;
            super::ctx::limit_sign_up()?;
            let state = super::ctx::state()?;
            let approved = match state.config.partner_signup {
                PartnerSignUpMode::Open => true,
                PartnerSignUpMode::Approval => false,
                PartnerSignUpMode::Closed => {
                    return Err(AppError::Forbidden(crate::domain::Problem::SignUpClosed))
                }
            };
            let created = accounts::sign_up_partner_with(
                &state.db,
                PartnerSignUp {
                    org_name,
                    country,
                    cloud,
                    program,
                    partner_id,
                    admin_name,
                    email,
                    password,
                },
                approved,
            )
            .await?;
            let session = super::ctx::session().await?;
            start_session(&session, &created.user_id).await?;
            leptos_axum::redirect(CUSTOMERS);
            Ok(())
        }
        .await,
    )
}

/// Signs the user in on this session, with a fresh session id (no session fixation).
#[cfg(feature = "ssr")]
pub(crate) async fn start_session(
    session: &tower_sessions::Session,
    user_id: &str,
) -> Result<(), AppError> {
    let db = &super::ctx::state()?.db;
    crate::server::identity::accounts::remember_locale(db, user_id, crate::i18n::current()).await?;
    let epoch = crate::server::identity::accounts::session_epoch(db, user_id).await?;
    crate::server::identity::sessions::start(session, user_id, epoch).await?;
    Ok(())
}

/// Ends every session of the signed-in user, on every device, this one included.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    super::ctx::reply(
        async move {
            let viewer = super::ctx::viewer()
                .await?
                .ok_or(AppError::Unauthenticated)?;
            let state = super::ctx::state()?;
            crate::server::identity::accounts::sign_out_everywhere(&state.db, &viewer.user_id)
                .await?;
            super::ctx::session().await?.flush().await?;
            // A customer stays in its portal (which asks to sign in, in its own look).
            match viewer.customer_role() {
                Some(_) => leptos_axum::redirect(&viewer.home()),
                None => leptos_axum::redirect(SIGN_IN),
            }
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn return_path(next: Option<&str>, viewer: &Viewer) -> String {
    next.and_then(crate::domain::safe_return_path)
        .map(str::to_string)
        .unwrap_or_else(|| viewer.home())
}
