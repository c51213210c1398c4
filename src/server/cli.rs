//! Operator commands of the server binary:
//!
//! ```text
//! accord partners list              partner organizations, pending ones first
//! accord partners approve <tenant>  lets a pending organization invite customers
//! ```
//!
//! They work on the database named by `DATABASE_URL` (as the server does) and print what
//! they did; a mistake gets a sentence and a non-zero exit status.

use sqlx::Row;

use super::db::{now, Db};

const USAGE: &str = "usage: accord partners list | accord partners approve <tenant id>";

/// Runs `accord partners …`; `args` are the words after `partners`.
pub async fn partners(args: &[String]) -> Result<String, String> {
    let _ = dotenvy::dotenv();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:data/accord.db".to_string());
    let db = Db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    partners_on(&db, &words).await
}

/// `accord partners …` on an open database.
pub async fn partners_on(db: &Db, words: &[&str]) -> Result<String, String> {
    match words {
        [] | ["list"] => list(db).await,
        ["approve", tenant] => approve(db, tenant).await,
        _ => Err(USAGE.to_string()),
    }
}

async fn list(db: &Db) -> Result<String, String> {
    let rows = sqlx::query(
        "SELECT id, name, cloud, program_type, mspp_id, approved_at FROM partner_orgs
         ORDER BY approved_at IS NOT NULL, created_at",
    )
    .fetch_all(&db.pool)
    .await
    .map_err(|e| e.to_string())?;
    let mut out = format!(
        "{:<36}  {:<9}  {:<8}  {:<18}  {:>10}  name\n",
        "tenant id", "status", "cloud", "program", "partner id"
    );
    for row in rows {
        let get = |c: &str| row.try_get::<String, _>(c).unwrap_or_default();
        let approved = row
            .try_get::<Option<i64>, _>("approved_at")
            .ok()
            .flatten()
            .is_some();
        out.push_str(&format!(
            "{:<36}  {:<9}  {:<8}  {:<18}  {:>10}  {}\n",
            get("id"),
            if approved { "approved" } else { "pending" },
            get("cloud"),
            get("program_type"),
            row.try_get::<i64, _>("mspp_id").unwrap_or_default(),
            get("name"),
        ));
    }
    Ok(out)
}

async fn approve(db: &Db, tenant: &str) -> Result<String, String> {
    let changed = sqlx::query(
        "UPDATE partner_orgs SET approved_at = $1 WHERE id = $2 AND approved_at IS NULL",
    )
    .bind(now())
    .bind(tenant)
    .execute(&db.pool)
    .await
    .map_err(|e| e.to_string())?
    .rows_affected();
    let name: Option<String> = sqlx::query("SELECT name FROM partner_orgs WHERE id = $1")
        .bind(tenant)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| e.to_string())?
        .map(|r| r.try_get("name"))
        .transpose()
        .map_err(|e| e.to_string())?;
    match (name, changed) {
        (None, _) => Err(format!(
            "No partner organization has the tenant id \"{tenant}\" (see `accord partners list`)."
        )),
        (Some(name), 0) => Ok(format!("{name} ({tenant}) was already approved.\n")),
        (Some(name), _) => {
            tracing::info!(partner = tenant, "partner organization approved");
            Ok(format!(
                "Approved {name} ({tenant}): it can invite customers now.\n"
            ))
        }
    }
}
