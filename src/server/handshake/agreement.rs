//! The Microsoft Customer Agreement: the version in force, and an organization's acceptance.

use sqlx::Row;

use crate::domain::{Agreement, Cloud};
use crate::error::AppError;
use crate::server::platform::db::Db;

/// Template id of the Microsoft Customer Agreement; its versions are rows of `agreements`.
pub const CUSTOMER_AGREEMENT_TEMPLATE: &str = "117a77b0-9360-443b-8795-c6dedc750cf9";

/// The agreement version customers of `cloud` accept now: the newest of the cloud's own
/// rows, else the newest of the rows for every cloud (read at most once a minute).
pub async fn current_agreement(db: &Db, cloud: Cloud) -> Result<Agreement, AppError> {
    let known = db.agreement.get().unwrap_or_default();
    if let Some((_, agreement)) = known.iter().find(|(c, _)| *c == cloud) {
        return Ok(agreement.clone());
    }
    let row = sqlx::query(
        "SELECT id, name, version, link FROM agreements
         WHERE template_id = $1 AND (cloud = $2 OR cloud IS NULL)
         ORDER BY CASE WHEN cloud IS NULL THEN 1 ELSE 0 END, published_at DESC LIMIT 1",
    )
    .bind(CUSTOMER_AGREEMENT_TEMPLATE)
    .bind(cloud.code())
    .fetch_one(&db.pool)
    .await?;
    let agreement = Agreement {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        version: row.try_get("version")?,
        link: row.try_get("link")?,
    };
    let mut known = known;
    known.push((cloud, agreement.clone()));
    db.agreement.set(known);
    Ok(agreement)
}

/// An acceptance on record for the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub agreement_name: String,
    pub version: String,
    pub accepted_at: i64,
}

pub async fn acceptance(
    db: &Db,
    customer_org_id: &str,
    agreement_id: &str,
) -> Result<Option<Acceptance>, AppError> {
    let row = sqlx::query(
        "SELECT g.name, g.version, a.accepted_at FROM agreement_acceptances a
         JOIN agreements g ON g.id = a.agreement_id
         WHERE a.customer_org_id = $1 AND a.agreement_id = $2",
    )
    .bind(customer_org_id)
    .bind(agreement_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Acceptance {
            agreement_name: r.try_get("name")?,
            version: r.try_get("version")?,
            accepted_at: r.try_get("accepted_at")?,
        })
    })
    .transpose()
}
