//! Operator commands of the server binary:
//!
//! ```text
//! accord partners list              partner organizations, pending ones first
//! accord partners approve <tenant>  lets a pending organization invite customers
//! ```
//!
//! They work on the database named by `DATABASE_URL` (as the server does) and print what
//! they did; a mistake gets a sentence and a non-zero exit status.

use super::identity::partners::{self, Approval};
use super::platform::db::Db;

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
    let partners = partners::listing(db).await.map_err(|e| e.to_string())?;
    let mut out = format!(
        "{:<36}  {:<9}  {:<8}  {:<18}  {:>10}  name\n",
        "tenant id", "status", "cloud", "program", "partner id"
    );
    for p in partners {
        out.push_str(&format!(
            "{:<36}  {:<9}  {:<8}  {:<18}  {:>10}  {}\n",
            p.id,
            if p.approved { "approved" } else { "pending" },
            p.cloud,
            p.program,
            p.mspp_id,
            p.name,
        ));
    }
    Ok(out)
}

async fn approve(db: &Db, tenant: &str) -> Result<String, String> {
    match partners::approve(db, tenant)
        .await
        .map_err(|e| e.to_string())?
    {
        Approval::Unknown => Err(format!(
            "No partner organization has the tenant id \"{tenant}\" (see `accord partners list`)."
        )),
        Approval::Already { name } => Ok(format!("{name} ({tenant}) was already approved.\n")),
        Approval::Approved { name } => Ok(format!(
            "Approved {name} ({tenant}): it can invite customers now.\n"
        )),
    }
}
