//! Partner organizations as records: the partner behind an invitation, its name, and the
//! operator's view of them (pending ones first) and approval.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::domain::{Cloud, ProgramType};
use crate::error::AppError;
use crate::server::platform::db::{now, Db};

/// A partner organization as the handshake and the indirect channel see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub cloud: Cloud,
    pub country: String,
    pub program: ProgramType,
    pub mspp_id: i64,
    pub secret_version: i64,
    /// Approved by the operator: only then are its invitations shown to customers.
    pub approved: bool,
}

impl Partner {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Partner, AppError> {
        let bad = || AppError::Internal;
        Ok(Partner {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            cloud: row
                .try_get::<String, _>("cloud")?
                .parse()
                .map_err(|_| bad())?,
            country: row.try_get("country")?,
            program: row
                .try_get::<String, _>("program_type")?
                .parse()
                .map_err(|_| bad())?,
            mspp_id: row.try_get("mspp_id")?,
            secret_version: row.try_get("link_secret_version")?,
            approved: row.try_get::<Option<i64>, _>("approved_at")?.is_some(),
        })
    }
}

pub async fn partner(db: &Db, id: &str) -> Result<Option<Partner>, AppError> {
    let row = sqlx::query(
        "SELECT id, name, cloud, country, program_type, mspp_id, link_secret_version, approved_at
         FROM partner_orgs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(Partner::from_row).transpose()
}

/// A partner's name, read inside a transaction.
pub async fn partner_name(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> Result<String, AppError> {
    Ok(sqlx::query("SELECT name FROM partner_orgs WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("name")?)
}

/// A partner organization as the operator lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub cloud: String,
    pub program: String,
    pub mspp_id: i64,
    pub approved: bool,
}

/// Every partner organization, pending ones first, then in the order they signed up.
pub async fn listing(db: &Db) -> Result<Vec<Listed>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, name, cloud, program_type, mspp_id, approved_at FROM partner_orgs
         ORDER BY approved_at IS NOT NULL, created_at",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let get = |c: &str| row.try_get::<String, _>(c).unwrap_or_default();
            Listed {
                id: get("id"),
                name: get("name"),
                cloud: get("cloud"),
                program: get("program_type"),
                mspp_id: row.try_get::<i64, _>("mspp_id").unwrap_or_default(),
                approved: row
                    .try_get::<Option<i64>, _>("approved_at")
                    .ok()
                    .flatten()
                    .is_some(),
            }
        })
        .collect())
}

/// What approving a partner organization did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// No organization has that tenant id.
    Unknown,
    /// It was approved before; nothing changed.
    Already {
        name: String,
    },
    Approved {
        name: String,
    },
}

/// Lets a pending partner organization invite customers.
pub async fn approve(db: &Db, tenant: &str) -> Result<Approval, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE partner_orgs SET approved_at = $1 WHERE id = $2 AND approved_at IS NULL",
    )
    .bind(now())
    .bind(tenant)
    .execute(&db.pool)
    .await?
    .rows_affected();
    let name: Option<String> = sqlx::query("SELECT name FROM partner_orgs WHERE id = $1")
        .bind(tenant)
        .fetch_optional(&db.pool)
        .await?
        .map(|r| r.try_get("name"))
        .transpose()?;
    Ok(match (name, changed) {
        (None, _) => Approval::Unknown,
        (Some(name), 0) => Approval::Already { name },
        (Some(name), _) => {
            tracing::info!(partner = tenant, "partner organization approved");
            Approval::Approved { name }
        }
    })
}
