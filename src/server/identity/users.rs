//! User management: an organization's Global admins add users, change their roles and
//! remove them; a new user sets a password through a one-time link.
//!
//! Rules kept here, on every database:
//! - only Global admins manage users (partner and customer side alike);
//! - the last Global admin who can sign in is neither removed nor demoted;
//! - a removed user's sessions end at once (the session epoch moves on, and the viewer
//!   lookup skips removed users), their open set-password links stop working and their
//!   email address is free again;
//! - each change is one transaction with its activity entry; changes of one organization's
//!   users are serialized by a lock on the organization's row.

use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::accounts::{self, NewUser, Org};
use super::mails::{self, Outgoing};
use super::passwords;
use crate::domain::{CustomerRole, Facts, Field, Membership, PartnerRole, Problem, Viewer};
use crate::error::AppError;
use crate::server::events::{self, mail_outbox, Event};
use crate::server::platform::db::{now, Db};

/// How long a set-password link works.
pub const LINK_LIFETIME: i64 = 7 * 24 * 3600;

/// A user of the viewer's organization, as the Users pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUser {
    pub id: String,
    pub name: String,
    pub email: String,
    /// The role's code (`global_admin`, ...), of the organization's side.
    pub role: String,
    pub added_at: i64,
    /// False until the user has set a password through their link.
    pub password_set: bool,
}

/// A role of either side, checked against the viewer's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnyRole {
    Partner(PartnerRole),
    Customer(CustomerRole),
}

impl AnyRole {
    pub fn code(self) -> &'static str {
        match self {
            AnyRole::Partner(r) => r.code(),
            AnyRole::Customer(r) => r.code(),
        }
    }

    fn is_global_admin(self) -> bool {
        matches!(
            self,
            AnyRole::Partner(PartnerRole::GlobalAdmin)
                | AnyRole::Customer(CustomerRole::GlobalAdmin)
        )
    }
}

/// The roles users of `viewer`'s organization can have, in the order forms offer them.
pub fn roles_of(viewer: &Viewer) -> Vec<AnyRole> {
    match viewer.membership {
        Membership::Partner { .. } => PartnerRole::ALL
            .iter()
            .map(|r| AnyRole::Partner(*r))
            .collect(),
        Membership::Customer { .. } => CustomerRole::ALL
            .iter()
            .map(|r| AnyRole::Customer(*r))
            .collect(),
    }
}

/// Reads a role code sent by a form, for the viewer's side.
pub fn parse_role(viewer: &Viewer, code: &str) -> Result<AnyRole, Problem> {
    let role = match viewer.membership {
        Membership::Partner { .. } => code.parse().map(AnyRole::Partner),
        Membership::Customer { .. } => code.parse().map(AnyRole::Customer),
    };
    role.map_err(|_| Problem::Role)
}

/// Whether the viewer manages users: their organization's Global admins.
pub fn can_manage(viewer: &Viewer) -> bool {
    viewer.partner_role() == Some(PartnerRole::GlobalAdmin)
        || viewer.customer_role() == Some(CustomerRole::GlobalAdmin)
}

/// Who reads the Users page: every partner role; customer Global and Billing admins.
pub fn check_read(viewer: &Viewer) -> Result<(), AppError> {
    match viewer.customer_role() {
        Some(CustomerRole::User) => Err(AppError::Forbidden(Problem::ReadRole)),
        _ => Ok(()),
    }
}

fn check_manage(viewer: &Viewer) -> Result<(), AppError> {
    match can_manage(viewer) {
        true => Ok(()),
        false => Err(AppError::Forbidden(Problem::ManageUsersRole)),
    }
}

/// The organization column of `users` for the viewer's side.
fn org_column(viewer: &Viewer) -> &'static str {
    match viewer.membership {
        Membership::Partner { .. } => "partner_org_id",
        Membership::Customer { .. } => "customer_org_id",
    }
}

fn org_of(viewer: &Viewer) -> Org<'_> {
    match viewer.membership {
        Membership::Partner { .. } => Org::Partner(&viewer.org_id),
        Membership::Customer { .. } => Org::Customer(&viewer.org_id),
    }
}

/// The activity entry of a user change: on the organization's own log, no counterpart.
fn entry<'a>(actor: &'a Viewer) -> Event<'a> {
    match actor.membership {
        Membership::Partner { .. } => Event::by(actor).partner(&actor.org_id),
        Membership::Customer { .. } => Event::by(actor).customer(&actor.org_id),
    }
}

const USER_COLUMNS: &str = "id, name, email, role, created_at, password_hash";

fn org_user(row: &sqlx::any::AnyRow) -> Result<OrgUser, sqlx::Error> {
    Ok(OrgUser {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        role: row.try_get("role")?,
        added_at: row.try_get("created_at")?,
        password_set: !row.try_get::<String, _>("password_hash")?.is_empty(),
    })
}

/// The current users of the viewer's organization, by name.
pub async fn list(db: &Db, viewer: &Viewer) -> Result<Vec<OrgUser>, AppError> {
    check_read(viewer)?;
    let rows = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users
         WHERE {} = $1 AND removed_at IS NULL
         ORDER BY lower(name), email",
        org_column(viewer)
    ))
    .bind(&viewer.org_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(org_user).collect::<Result<_, _>>()?)
}

/// One current user of the viewer's organization (`None` for anyone else's id).
pub async fn get(db: &Db, viewer: &Viewer, user_id: &str) -> Result<Option<OrgUser>, AppError> {
    check_read(viewer)?;
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND {} = $2 AND removed_at IS NULL",
        org_column(viewer)
    ))
    .bind(user_id)
    .bind(&viewer.org_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(org_user).transpose()?)
}

/// The name of a user of the viewer's organization who was removed (for the notice after
/// removal; `None` for anyone else).
pub async fn removed_name(
    db: &Db,
    viewer: &Viewer,
    user_id: &str,
) -> Result<Option<String>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT name FROM users WHERE id = $1 AND {} = $2 AND removed_at IS NOT NULL",
        org_column(viewer)
    ))
    .bind(user_id)
    .bind(&viewer.org_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| r.try_get("name")).transpose()?)
}

/// Serializes changes of one organization's users: SQLite already holds its write lock
/// (`begin_write`); on PostgreSQL this takes the organization row's lock.
pub(crate) async fn lock_org(
    tx: &mut Transaction<'_, Any>,
    viewer: &Viewer,
) -> Result<(), AppError> {
    let table = match viewer.membership {
        Membership::Partner { .. } => "partner_orgs",
        Membership::Customer { .. } => "customer_orgs",
    };
    sqlx::query(&format!("UPDATE {table} SET id = id WHERE id = $1"))
        .bind(&viewer.org_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The user `user_id` of the viewer's organization, read inside the transaction.
async fn member(
    tx: &mut Transaction<'_, Any>,
    viewer: &Viewer,
    user_id: &str,
) -> Result<Option<OrgUser>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND {} = $2 AND removed_at IS NULL",
        org_column(viewer)
    ))
    .bind(user_id)
    .bind(&viewer.org_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(org_user).transpose()?)
}

/// Starts a change of the user `user_id` by `actor` (a Global admin of the user's
/// organization): the write transaction, with the organization locked, and the user.
async fn open_member(
    db: &Db,
    actor: &Viewer,
    user_id: &str,
) -> Result<(Transaction<'static, Any>, OrgUser), AppError> {
    check_manage(actor)?;
    let mut tx = db.begin_write().await?;
    lock_org(&mut tx, actor).await?;
    match member(&mut tx, actor, user_id).await? {
        Some(user) => Ok((tx, user)),
        None => {
            tx.rollback().await?;
            Err(AppError::Forbidden(Problem::NotYourUser))
        }
    }
}

/// Refuses a change that would leave the organization without a Global admin who can sign
/// in (one who has set a password), counting everyone but `user_id`.
async fn keep_a_global_admin(
    tx: &mut Transaction<'_, Any>,
    viewer: &Viewer,
    user_id: &str,
) -> Result<(), AppError> {
    let others: i64 = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM users
         WHERE {} = $1 AND role = 'global_admin' AND removed_at IS NULL
           AND password_hash <> '' AND id <> $2",
        org_column(viewer)
    ))
    .bind(&viewer.org_id)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    match others {
        0 => Err(AppError::Conflict(Problem::LastGlobalAdmin)),
        _ => Ok(()),
    }
}

/// A new set-password link's token (256 random bits, URL-safe) and the hash that is stored.
pub(super) fn new_token() -> (String, String) {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub(super) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a set-password link is for, and so how long it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Made by an admin for a user of their organization: 7 days.
    Set,
    /// Asked for by the user who forgot their password (or by the operator): 1 hour.
    Reset,
}

impl LinkPurpose {
    fn code(self) -> &'static str {
        match self {
            LinkPurpose::Set => "set",
            LinkPurpose::Reset => "reset",
        }
    }

    fn lifetime(self) -> i64 {
        match self {
            LinkPurpose::Set => LINK_LIFETIME,
            LinkPurpose::Reset => RESET_LIFETIME,
        }
    }
}

/// How long a password-reset link works.
pub const RESET_LIFETIME: i64 = 3600;

/// Ends the user's open links and writes a new one (made by `created_by`, or asked for by
/// the user when `None`); answers its token.
pub(super) async fn replace_link(
    tx: &mut Transaction<'_, Any>,
    created_by: Option<&str>,
    user_id: &str,
    at: i64,
    purpose: LinkPurpose,
) -> Result<String, AppError> {
    sqlx::query("UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(at)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let (token, hash) = new_token();
    sqlx::query(
        "INSERT INTO password_links (token_hash, user_id, created_by_user_id, created_at, expires_at, purpose)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash)
    .bind(user_id)
    .bind(created_by)
    .bind(at)
    .bind(at + purpose.lifetime())
    .bind(purpose.code())
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// A user just added, with the token of their set-password link (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub user_id: String,
    pub token: String,
}

/// The most users an organization may have (removed users do not count).
pub const MAX_USERS: i64 = 1000;

/// Adds a user to the actor's organization. The user has no password until they open their
/// set-password link.
pub async fn add(
    db: &Db,
    actor: &Viewer,
    name: &str,
    email: &str,
    role: &str,
    out: Outgoing<'_>,
) -> Result<Added, AppError> {
    check_manage(actor)?;
    let role = parse_role(actor, role).map_err(AppError::Invalid)?;
    let user = NewUser::invited(name, email, Field::UserName)?;
    let at = now();
    let mut tx = db.begin_write().await?;
    lock_org(&mut tx, actor).await?;
    let members: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM users WHERE {} = $1 AND removed_at IS NULL",
        org_column(actor)
    ))
    .bind(&actor.org_id)
    .fetch_one(&mut *tx)
    .await?;
    if members >= MAX_USERS {
        tx.rollback().await?;
        return Err(AppError::Conflict(Problem::TooManyUsers));
    }
    accounts::refuse_taken_email(&mut tx, &user.email).await?;
    let user_id = user.insert(&mut tx, org_of(actor), role.code()).await?;
    let token = replace_link(
        &mut tx,
        Some(&actor.user_id),
        &user_id,
        at,
        LinkPurpose::Set,
    )
    .await?;
    if let Some(to) = mails::recipient(&mut tx, &user_id).await? {
        let letter = mails::user_added(&to, out, &actor.name, role.code(), &token);
        mail_outbox::enqueue(&mut tx, &letter).await?;
    }
    events::record(
        &mut tx,
        entry(actor).action(
            "user.added",
            Facts {
                user: Some(user.name.clone()),
                email: Some(user.email.clone()),
                role: Some(role.code().to_string()),
                ..Facts::by(&actor.name)
            },
        ),
    )
    .await?;
    tx.commit().await.map_err(accounts::raced)?;
    tracing::info!(org = %actor.org_id, user = %user_id, "user added");
    Ok(Added { user_id, token })
}

/// What a role change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChanged {
    Changed,
    /// The user already had that role: nothing changed.
    Unchanged,
}

/// Gives a user of the actor's organization another role. Takes effect on the user's next
/// request (pages read the role from the database each time).
pub async fn change_role(
    db: &Db,
    actor: &Viewer,
    user_id: &str,
    role: &str,
) -> Result<RoleChanged, AppError> {
    let (mut tx, user) = open_member(db, actor, user_id).await?;
    let role = match parse_role(actor, role) {
        Ok(role) => role,
        Err(problem) => {
            tx.rollback().await?;
            return Err(AppError::Invalid(problem));
        }
    };
    if user.role == role.code() {
        tx.rollback().await?;
        return Ok(RoleChanged::Unchanged);
    }
    if !role.is_global_admin() {
        if let Err(e) = keep_a_global_admin(&mut tx, actor, user_id).await {
            tx.rollback().await?;
            return Err(e);
        }
    }
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.code())
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    events::record(
        &mut tx,
        entry(actor).action(
            "user.role_changed",
            Facts {
                user: Some(user.name.clone()),
                email: Some(user.email.clone()),
                role: Some(role.code().to_string()),
                from_role: Some(user.role.clone()),
                ..Facts::by(&actor.name)
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(RoleChanged::Changed)
}

/// Removes a user of the actor's organization: they can no longer sign in, their sessions
/// and set-password links end at once, and their email address can be used again. The user
/// stays in the records (the activity log names them).
pub async fn remove(
    db: &Db,
    actor: &Viewer,
    user_id: &str,
    confirmed: bool,
) -> Result<(), AppError> {
    check_manage(actor)?;
    if !confirmed {
        return Err(AppError::Invalid(Problem::ConfirmRemoveUser));
    }
    let at = now();
    let (mut tx, user) = open_member(db, actor, user_id).await?;
    if user.role == "global_admin" {
        if let Err(e) = keep_a_global_admin(&mut tx, actor, user_id).await {
            tx.rollback().await?;
            return Err(e);
        }
    }
    sqlx::query(
        "UPDATE users SET removed_at = $1, removed_email = email, email = id || '@removed.invalid',
                password_hash = '', session_epoch = session_epoch + 1
         WHERE id = $2",
    )
    .bind(at)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(at)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    // API keys stand on their maker's standing: a removed user's keys stop working with them,
    // and the log says which (the organization's Global admins read it there).
    let revoked = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1, revoked_by_user_id = $2
         WHERE created_by_user_id = $3 AND revoked_at IS NULL
         RETURNING name, prefix",
    )
    .bind(at)
    .bind(&actor.user_id)
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    for key in &revoked {
        events::record(
            &mut tx,
            entry(actor).action(
                "apikey.revoked",
                Facts {
                    key: Some(key.try_get("name")?),
                    prefix: Some(key.try_get("prefix")?),
                    user: Some(user.name.clone()),
                    ..Facts::by(&actor.name)
                },
            ),
        )
        .await?;
    }
    events::record(
        &mut tx,
        entry(actor).action(
            "user.removed",
            Facts {
                user: Some(user.name.clone()),
                email: Some(user.email.clone()),
                ..Facts::by(&actor.name)
            },
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(org = %actor.org_id, user = %user_id, "user removed");
    Ok(())
}

/// A new set-password link for a user of the actor's organization (for a user who lost
/// theirs or forgot their password); every earlier link of the user stops working. The
/// user's password, if any, keeps working until they set a new one.
pub async fn new_link(
    db: &Db,
    actor: &Viewer,
    user_id: &str,
    out: Outgoing<'_>,
) -> Result<String, AppError> {
    let at = now();
    let (mut tx, user) = open_member(db, actor, user_id).await?;
    let token = replace_link(&mut tx, Some(&actor.user_id), user_id, at, LinkPurpose::Set).await?;
    if let Some(to) = mails::recipient(&mut tx, user_id).await? {
        let letter = mails::new_link(&to, out, &actor.name, &token);
        mail_outbox::enqueue(&mut tx, &letter).await?;
    }
    events::record(
        &mut tx,
        entry(actor).action(
            "user.password_link",
            Facts {
                user: Some(user.name.clone()),
                email: Some(user.email.clone()),
                ..Facts::by(&actor.name)
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Whose a set-password link is, while it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkHolder {
    pub name: String,
    pub email: String,
    pub org_name: String,
}

/// Lookups of set-password links, which anyone can ask for without an account, use at
/// most two database connections at once: a flood of them waits here, not in the pool's
/// queue, where it would hold up sign-ins and every page.
static LINK_LOOKUPS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The holder of a working link (`None` when unknown, used, expired or the user removed).
pub async fn link_holder(db: &Db, token: &str) -> Result<Option<LinkHolder>, AppError> {
    // Only a token of the shape `new_token` makes is looked up.
    if !crate::domain::is_token(token) {
        return Ok(None);
    }
    let _turn = LINK_LOOKUPS
        .acquire()
        .await
        .map_err(|_| AppError::Internal)?;
    let row = sqlx::query(
        "SELECT u.name, u.email, COALESCE(p.name, c.name) AS org_name
         FROM password_links l
         JOIN users u ON u.id = l.user_id
         LEFT JOIN partner_orgs p ON p.id = u.partner_org_id
         LEFT JOIN customer_orgs c ON c.id = u.customer_org_id
         WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2
           AND u.removed_at IS NULL",
    )
    .bind(token_hash(token))
    .bind(now())
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(LinkHolder {
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            org_name: r.try_get("org_name")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// Sets the password of the link's user and uses the link up; every other session of the
/// user ends. Answers the user id and their new session epoch (to sign them in).
pub async fn set_password(
    db: &Db,
    token: &str,
    password: String,
    out: Outgoing<'_>,
) -> Result<(String, i64), AppError> {
    crate::domain::check_password(&password).map_err(AppError::Invalid)?;
    // Every cheap condition before the costly hash: a link that does not work is told so
    // without hashing anything (it is checked again, atomically, when it is used).
    if link_holder(db, token).await?.is_none() {
        return Err(AppError::Invalid(Problem::PasswordLink));
    }
    let hash = passwords::hash(password).await?;
    let at = now();
    let mut tx = db.begin_write().await?;
    let used = sqlx::query(
        "UPDATE password_links SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING user_id",
    )
    .bind(at)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(used) = used else {
        tx.rollback().await?;
        return Err(AppError::Invalid(Problem::PasswordLink));
    };
    let user_id: String = used.try_get("user_id")?;
    // A user who had a password is told it changed; a new user setting their first is not.
    let had_password: bool =
        sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
            .bind(&user_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some_and(|h| !h.is_empty());
    // The language the password is set in is the language of the user's mails from now on.
    let user = sqlx::query(
        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, locale = $2
         WHERE id = $3 AND removed_at IS NULL
         RETURNING name, partner_org_id, customer_org_id, session_epoch",
    )
    .bind(&hash)
    .bind(crate::i18n::tag(out.locale))
    .bind(&user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user) = user else {
        tx.rollback().await?;
        return Err(AppError::Invalid(Problem::PasswordLink));
    };
    let name: String = user.try_get("name")?;
    let partner: Option<String> = user.try_get("partner_org_id")?;
    let customer: Option<String> = user.try_get("customer_org_id")?;
    let epoch: i64 = user.try_get("session_epoch")?;
    let mut entry = Event::named(&user_id, name.clone());
    if let Some(p) = &partner {
        entry = entry.partner(p);
    }
    if let Some(c) = &customer {
        entry = entry.customer(c);
    }
    events::record(&mut tx, entry.action("user.password_set", Facts::by(&name))).await?;
    if had_password {
        if let Some(to) = mails::recipient(&mut tx, &user_id).await? {
            mail_outbox::enqueue(&mut tx, &mails::password_changed(&to, out, at)).await?;
        }
    }
    tx.commit().await?;
    Ok((user_id, epoch))
}
