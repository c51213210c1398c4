//! Getting back into an account: a password-reset link mailed to the account's address,
//! asked for on the sign-in page ("Forgot password?") or by the operator
//! (`accord users reset <email>`) for an organization whose last Global admin is locked out.
//!
//! The link is a set-password link of purpose `reset`: single use, one hour, only its hash
//! stored; asking again ends the earlier link. Using it sets the password, ends every
//! session of the user and mails them that the password changed (`users::set_password`).

use super::mails::{self, recipient, Outgoing, Recipient};
use super::users::{replace_link, LinkPurpose};
use crate::domain::normalize_email;
use crate::error::AppError;
use crate::server::events::mail_outbox;
use crate::server::platform::db::{now, Db};

/// A reset link mailed to the account that uses `email`, if one does; answers the account
/// and the mail's id. The mail is in `out.locale`, the language of whoever asked (`None`:
/// the account's own language).
async fn mail_reset_link(
    db: &Db,
    email: &str,
    public_url: &str,
    locale: Option<crate::i18n::Locale>,
) -> Result<Option<(Recipient, String)>, AppError> {
    let email = normalize_email(email).map_err(AppError::Invalid)?;
    let mut tx = db.begin_write().await?;
    let user_id: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND removed_at IS NULL")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(user_id) = user_id else {
        tx.rollback().await?;
        return Ok(None);
    };
    let Some(to) = recipient(&mut tx, &user_id).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let token = replace_link(&mut tx, None, &user_id, now(), LinkPurpose::Reset).await?;
    let out = Outgoing {
        public_url,
        locale: locale.unwrap_or_else(|| to.locale_or(crate::i18n::Locale::en)),
    };
    let mail_id = mail_outbox::enqueue(&mut tx, &mails::reset(&to, out, &token)).await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, mail = %mail_id, "password reset link mailed");
    Ok(Some((to, mail_id)))
}

/// "Forgot password?": mails a reset link to the account that uses `email`, if any. The
/// caller answers the same whatever this finds (and does not wait for it).
pub async fn request_reset(db: &Db, email: &str, out: Outgoing<'_>) -> Result<(), AppError> {
    mail_reset_link(db, email, out.public_url, Some(out.locale))
        .await
        .map(|_| ())
}

/// `accord users reset <email>`: mails a reset link in the account's language; answers who
/// it went to and the mail's id, or `None` when no account uses `email`.
pub async fn operator_reset(
    db: &Db,
    email: &str,
    public_url: &str,
) -> Result<Option<(Recipient, String)>, AppError> {
    mail_reset_link(db, email, public_url, None).await
}
