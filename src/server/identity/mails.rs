//! The mails of accounts, in the recipient's language: a password-reset link, "your password
//! was set", a new user's set-password link. Written into the outbox by the transaction
//! that makes the link or sets the password.

use sqlx::{Any, Row, Transaction};

use crate::domain::{CustomerRole, PartnerRole};
use crate::error::AppError;
use crate::i18n::{self, t, Locale};
use crate::routes::{SET_PASSWORD, SIGN_IN};
use crate::server::events::mail_outbox::Letter;

/// What a mail needs from the request that causes it: the address of this Accord (links
/// start with it) and the language of whoever asked, used when the recipient has none yet.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub public_url: &'a str,
    pub locale: Locale,
}

/// A person a mail goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub org_name: String,
    /// The language they last signed in with.
    pub locale: Option<String>,
}

impl Recipient {
    /// Their language, else `fallback`.
    pub fn locale_or(&self, fallback: Locale) -> Locale {
        self.locale
            .as_deref()
            .and_then(i18n::from_tag)
            .unwrap_or(fallback)
    }

    /// A mail to them: a greeting, then `paragraphs`, then `action` (label, address).
    fn letter(
        &self,
        kind: &'static str,
        locale: Locale,
        subject: String,
        paragraphs: Vec<String>,
        action: (String, String),
    ) -> Letter {
        let mut all = vec![t!(locale, mail_greeting, name = &self.name).to_string()];
        all.extend(paragraphs);
        Letter {
            kind,
            user_id: Some(self.user_id.clone()),
            to_address: self.email.clone(),
            to_name: self.name.clone(),
            locale,
            subject,
            paragraphs: all,
            action: Some(action),
            footer: t!(locale, mail_footer, email = &self.email).to_string(),
        }
    }
}

/// The account `user_id` as a mail's recipient (`None` when removed).
pub(super) async fn recipient(
    tx: &mut Transaction<'_, Any>,
    user_id: &str,
) -> Result<Option<Recipient>, AppError> {
    let row = sqlx::query(
        "SELECT u.id, u.name, u.email, u.locale, COALESCE(p.name, c.name) AS org_name
         FROM users u
         LEFT JOIN partner_orgs p ON p.id = u.partner_org_id
         LEFT JOIN customer_orgs c ON c.id = u.customer_org_id
         WHERE u.id = $1 AND u.removed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row
        .map(|r| -> Result<Recipient, sqlx::Error> {
            Ok(Recipient {
                user_id: r.try_get("id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                org_name: r.try_get("org_name")?,
                locale: r.try_get("locale")?,
            })
        })
        .transpose()?)
}

/// The set-password page of `token`.
pub fn set_password_url(public_url: &str, token: &str) -> String {
    format!(
        "{}{SET_PASSWORD}?token={token}",
        public_url.trim_end_matches('/')
    )
}

/// A link to choose a new password, asked for on the sign-in page (or by the operator).
pub fn reset(to: &Recipient, out: Outgoing, token: &str) -> Letter {
    let locale = out.locale;
    to.letter(
        "password_reset",
        locale,
        t!(locale, mail_reset_subject).to_string(),
        vec![
            t!(
                locale,
                mail_reset_text,
                email = &to.email,
                org = &to.org_name
            )
            .to_string(),
            t!(locale, mail_reset_expiry).to_string(),
        ],
        (
            t!(locale, mail_reset_action).to_string(),
            set_password_url(out.public_url, token),
        ),
    )
}

/// The password the account had was replaced (through a reset or set-password link): a
/// security notice.
pub fn password_changed(to: &Recipient, out: Outgoing, at: i64) -> Letter {
    let locale = to.locale_or(out.locale);
    let when = i18n::datetime(locale, at);
    to.letter(
        "password_changed",
        locale,
        t!(locale, mail_changed_subject).to_string(),
        vec![
            t!(
                locale,
                mail_changed_text,
                email = &to.email,
                org = &to.org_name,
                when = when
            )
            .to_string(),
            t!(locale, mail_changed_unexpected).to_string(),
        ],
        (
            t!(locale, mail_sign_in_action).to_string(),
            format!("{}{SIGN_IN}", out.public_url.trim_end_matches('/')),
        ),
    )
}

/// The name of a role code of either side, in `locale`.
fn role_name(locale: Locale, code: &str) -> String {
    if let Ok(role) = code.parse::<PartnerRole>() {
        i18n::partner_role(locale, role)
    } else if let Ok(role) = code.parse::<CustomerRole>() {
        i18n::customer_role(locale, role)
    } else {
        code.to_string()
    }
}

/// The set-password link of a user, with the sentence that says why they get it.
fn link_letter(
    to: &Recipient,
    locale: Locale,
    kind: &'static str,
    subject: String,
    why: String,
    out: Outgoing,
    token: &str,
) -> Letter {
    to.letter(
        kind,
        locale,
        subject,
        vec![why, t!(locale, mail_link_expiry).to_string()],
        (
            t!(locale, mail_link_action).to_string(),
            set_password_url(out.public_url, token),
        ),
    )
}

/// A user was added to an organization (`added_by` is the admin's name): their
/// set-password link.
pub fn user_added(
    to: &Recipient,
    out: Outgoing,
    added_by: &str,
    role: &str,
    token: &str,
) -> Letter {
    let locale = to.locale_or(out.locale);
    let role = role_name(locale, role);
    link_letter(
        to,
        locale,
        "user_added",
        t!(locale, mail_added_subject, org = &to.org_name).to_string(),
        t!(
            locale,
            mail_added_text,
            by = added_by,
            org = &to.org_name,
            role = role
        )
        .to_string(),
        out,
        token,
    )
}

/// An admin made a new set-password link for the user.
pub fn new_link(to: &Recipient, out: Outgoing, made_by: &str, token: &str) -> Letter {
    let locale = to.locale_or(out.locale);
    link_letter(
        to,
        locale,
        "password_link",
        t!(locale, mail_link_subject).to_string(),
        t!(
            locale,
            mail_link_text,
            by = made_by,
            email = &to.email,
            org = &to.org_name
        )
        .to_string(),
        out,
        token,
    )
}
