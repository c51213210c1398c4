//! API keys: a partner's Global admin makes keys for the REST API, sees when each was last
//! used and revokes them. A key is `acc_` and 40 random URL-safe characters; only its
//! SHA-256 is stored, with its first characters to recognise it. The secret is shown once.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::domain::{
    required_text, Facts, Field, Membership, PartnerRole, Problem, ProgramType, Viewer,
};
use crate::error::AppError;
use crate::server::events::{self, Event};
use crate::server::platform::db::{new_id, now, Db};

/// Working (not revoked, not expired) keys an organization may have.
pub const MAX_KEYS: i64 = 20;

/// What every key starts with, so logs and leak scanners recognise one.
pub const KEY_PREFIX: &str = "acc_";
/// How many characters of a key are kept to show it in lists.
const SHOWN: usize = 12;
/// The longest expiry a key can be given, in days.
pub const MAX_DAYS: i64 = 730;
/// `last_used_at` is written at most this often per key.
const TOUCH_EVERY: i64 = 60;

/// A key as its organization's list shows it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    /// The key's first characters, e.g. `acc_3Fk9aZ0q`.
    pub prefix: String,
    pub created_at: i64,
    pub created_by: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    /// Whether requests with this key are answered now.
    pub fn active(&self, at: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > at)
    }
}

/// A key just made, with its secret (shown once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: String,
    pub secret: String,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_admin(actor: &Viewer) -> Result<(), AppError> {
    match actor.partner_role() {
        Some(PartnerRole::GlobalAdmin) => Ok(()),
        Some(_) => Err(AppError::Forbidden(Problem::ApiKeysRole)),
        None => Err(AppError::Forbidden(Problem::PartnerOnly)),
    }
}

/// Reads the expiry of a form: empty for none, else a number of days (1 to [`MAX_DAYS`]).
pub fn parse_days(raw: &str) -> Result<Option<i64>, Problem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .map(Some)
        .ok_or(Problem::KeyExpiry)
}

/// Makes a key for the actor's organization (Global admins).
pub async fn create(
    db: &Db,
    actor: &Viewer,
    name: &str,
    expires_in_days: &str,
) -> Result<Created, AppError> {
    use base64::Engine;
    use rand::RngCore;
    check_admin(actor)?;
    if !crate::domain::is_approved_partner(actor) {
        return Err(AppError::Forbidden(Problem::IntegrationsAwaitApproval));
    }
    let name = required_text(name, Field::KeyName, 80).map_err(AppError::Invalid)?;
    let days = parse_days(expires_in_days).map_err(AppError::Invalid)?;
    let mut bytes = [0u8; 30];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let at = now();
    let id = new_id();
    let mut tx = db.begin_write().await?;
    // Serializes the organization's new keys, so the limit holds under concurrency.
    crate::server::identity::users::lock_org(&mut tx, actor).await?;
    let working: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys WHERE partner_org_id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > $2)",
    )
    .bind(&actor.org_id)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    if working >= MAX_KEYS {
        tx.rollback().await?;
        return Err(AppError::Conflict(Problem::TooManyKeys));
    }
    sqlx::query(
        "INSERT INTO api_keys (id, partner_org_id, name, prefix, secret_hash, created_at,
             created_by_user_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&actor.org_id)
    .bind(&name)
    .bind(&secret[..SHOWN])
    .bind(hash(&secret))
    .bind(at)
    .bind(&actor.user_id)
    .bind(days.map(|d| at + d * 86_400))
    .execute(&mut *tx)
    .await?;
    events::record(
        &mut tx,
        Event::by(actor).partner(&actor.org_id).action(
            "apikey.created",
            Facts {
                key: Some(name.to_string()),
                prefix: Some(secret[..SHOWN].to_string()),
                ..Facts::by(&actor.name)
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Created { id, secret })
}

/// The organization's keys, newest first.
pub async fn list(db: &Db, partner_org_id: &str) -> Result<Vec<ApiKey>, AppError> {
    let rows = sqlx::query(
        "SELECT k.id, k.name, k.prefix, k.created_at, u.name AS created_by, k.expires_at,
                k.last_used_at, k.revoked_at
         FROM api_keys k JOIN users u ON u.id = k.created_by_user_id
         WHERE k.partner_org_id = $1 ORDER BY k.created_at DESC, k.id",
    )
    .bind(partner_org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiKey {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                prefix: r.try_get("prefix")?,
                created_at: r.try_get("created_at")?,
                created_by: r.try_get("created_by")?,
                expires_at: r.try_get("expires_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Revokes a key of the actor's organization at once; revoking it again changes nothing.
pub async fn revoke(db: &Db, actor: &Viewer, key_id: &str) -> Result<(), AppError> {
    check_admin(actor)?;
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "SELECT name, prefix, revoked_at FROM api_keys WHERE id = $1 AND partner_org_id = $2",
    )
    .bind(key_id)
    .bind(&actor.org_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Err(AppError::Forbidden(Problem::NotYourKey));
    };
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        tx.rollback().await?;
        return Ok(());
    }
    sqlx::query(
        "UPDATE api_keys SET revoked_at = $1, revoked_by_user_id = $2
         WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(&actor.user_id)
    .bind(key_id)
    .execute(&mut *tx)
    .await?;
    let (name, prefix): (String, String) = (row.try_get("name")?, row.try_get("prefix")?);
    events::record(
        &mut tx,
        Event::by(actor).partner(&actor.org_id).action(
            "apikey.revoked",
            Facts {
                key: Some(name),
                prefix: Some(prefix),
                ..Facts::by(&actor.name)
            },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who calls the API with a key: the key, and the organization acting through it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCaller {
    pub key_id: String,
    pub key_name: String,
    /// The organization, as the services see an actor: the key acts with the rights of an
    /// Admin agent (no user management), or fewer if its maker has fewer now, named after
    /// the key in the activity log.
    pub viewer: Viewer,
    /// The role its maker holds now: a key never acts with more rights than its maker.
    pub maker_role: PartnerRole,
}

/// The role a key acts with: an Admin agent's, unless its maker now holds a lesser role.
pub fn key_role(maker: PartnerRole) -> PartnerRole {
    match maker {
        PartnerRole::GlobalAdmin | PartnerRole::AdminAgent => PartnerRole::AdminAgent,
        lesser => lesser,
    }
}

/// The caller of a working key (`None`: unknown, revoked or expired — all the same to the
/// caller). Notes when the key was used, at most once a minute.
pub async fn authenticate(db: &Db, secret: &str) -> Result<Option<KeyCaller>, AppError> {
    if !secret.starts_with(KEY_PREFIX) || secret.len() > 100 {
        return Ok(None);
    }
    let at = now();
    let row = sqlx::query(
        "SELECT k.id, k.name, k.created_by_user_id, k.last_used_at, p.id AS p_id,
                p.name AS p_name, p.cloud, p.program_type, p.approved_at, u.role AS maker_role
         FROM api_keys k JOIN partner_orgs p ON p.id = k.partner_org_id
              JOIN users u ON u.id = k.created_by_user_id
         WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND u.removed_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > $2)",
    )
    .bind(hash(secret))
    .bind(at)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let key_id: String = row.try_get("id")?;
    let key_name: String = row.try_get("name")?;
    let last: Option<i64> = row.try_get("last_used_at")?;
    if last.is_none_or(|l| at - l >= TOUCH_EVERY) {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(&key_id)
            .execute(&db.pool)
            .await?;
    }
    let bad = || AppError::Internal;
    let maker_role: PartnerRole = row
        .try_get::<String, _>("maker_role")?
        .parse()
        .map_err(|_| bad())?;
    let program: ProgramType = row
        .try_get::<String, _>("program_type")?
        .parse()
        .map_err(|_| bad())?;
    let viewer = Viewer {
        user_id: row.try_get("created_by_user_id")?,
        name: format!("API key {key_name}"),
        email: String::new(),
        org_id: row.try_get("p_id")?,
        org_name: row.try_get("p_name")?,
        cloud: row
            .try_get::<String, _>("cloud")?
            .parse()
            .map_err(|_| bad())?,
        membership: Membership::Partner {
            role: key_role(maker_role),
            program,
            approved: row.try_get::<Option<i64>, _>("approved_at")?.is_some(),
        },
    };
    Ok(Some(KeyCaller {
        key_id,
        key_name,
        viewer,
        maker_role,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_a_number_of_days_or_nothing() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days(" 90 "), Ok(Some(90)));
        assert_eq!(parse_days("0"), Err(Problem::KeyExpiry));
        assert_eq!(parse_days("731"), Err(Problem::KeyExpiry));
        assert_eq!(parse_days("ten"), Err(Problem::KeyExpiry));
    }

    #[test]
    fn only_the_hash_identifies_a_key() {
        let a = hash("acc_x");
        assert_eq!(a.len(), 64);
        assert_ne!(a, hash("acc_y"));
    }
}
