//! Operator commands of the server binary:
//!
//! ```text
//! accord partners list              partner organizations, pending ones first
//! accord partners approve <tenant>  lets a pending organization invite customers
//! accord users reset <email>        mails the account a password-reset link (1 hour)
//! accord mail list [pending|sent|failed]   the latest mails, newest first
//! accord mail show <id>             one mail, as it is sent
//! accord mail retry <id>            sends a failed mail again
//! ```
//!
//! They work on the database named by `DATABASE_URL` (as the server does) and print what
//! they did; a mistake gets a sentence and a non-zero exit status.

use super::identity::partners::{self, Approval};
use super::platform::db::Db;
use super::platform::mail;
use super::platform::Config;

const USAGE: &str = "usage: accord partners list | accord partners approve <tenant id>";

/// What `accord help` prints.
pub const HELP: &str = "\
accord                                  serves Accord (see README.md for its settings)
accord partners list                    partner organizations, pending ones first
accord partners approve <tenant id>     lets a pending organization invite customers
accord users reset <email>              mails the account a password-reset link (1 hour)
accord mail list [pending|sent|failed]  the latest 50 mails, newest first
accord mail show <id>                   one mail, as it is sent
accord mail retry <id>                  sends a failed mail again
";

/// Runs an operator command (`args` without the program name), on the database and with
/// the settings the server would use.
pub async fn command(args: &[String]) -> Result<String, String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["help" | "--help" | "-h", ..] => Ok(HELP.to_string()),
        ["partners", rest @ ..] => {
            partners(&rest.iter().map(|s| s.to_string()).collect::<Vec<_>>()).await
        }
        ["users" | "mail", ..] => {
            let config = Config::from_env()?;
            let db = Db::connect(&config.database_url)
                .await
                .map_err(|e| format!("cannot open the database: {e}"))?;
            operate_on(&db, &config, &words).await
        }
        [other, ..] => Err(format!(
            "unknown command \"{other}\"; run `accord help` to see the commands"
        )),
        [] => Err(HELP.to_string()),
    }
}

/// `accord users …` and `accord mail …` on an open database.
pub async fn operate_on(db: &Db, config: &Config, words: &[&str]) -> Result<String, String> {
    match words {
        ["users", "reset", email] => {
            match super::identity::recovery::operator_reset(db, email, &config.public_url)
                .await
                .map_err(|e| e.to_string())?
            {
                None => Err(format!("No account uses the address \"{email}\".")),
                Some((to, mail_id)) => Ok(format!(
                    "A password-reset link for {} ({}, {}) is queued as mail {mail_id}; it works once, for one hour.\n\
                     Mail goes to {}; see it with `accord mail show {mail_id}`.\n",
                    to.name,
                    to.email,
                    to.org_name,
                    match &config.mail.smtp_url {
                        Some(_) => "the SMTP server of ACCORD_SMTP_URL".to_string(),
                        None => format!("files in {} (no ACCORD_SMTP_URL is set)", config.mail.dir.display()),
                    }
                )),
            }
        }
        ["mail", "list"] => mail_list(db, None).await,
        ["mail", "list", state @ ("pending" | "sent" | "failed")] => {
            mail_list(db, Some(state)).await
        }
        ["mail", "show", id] => match mail::find(db, id).await.map_err(|e| e.to_string())? {
            None => Err(format!(
                "No mail has the id \"{id}\" (see `accord mail list`)."
            )),
            Some(m) => {
                let message = mail::message(&config.mail.from, &m)?;
                let mut out = format!(
                    "# {} · {} · {} attempt(s){}\n",
                    m.state,
                    m.kind,
                    m.attempts,
                    m.last_error
                        .as_deref()
                        .map(|e| format!(" · last error: {e}"))
                        .unwrap_or_default()
                );
                out.push_str(&String::from_utf8_lossy(&message.formatted()));
                out.push_str("\n# The text part:\n");
                out.push_str(&m.body_text);
                Ok(out)
            }
        },
        ["mail", "retry", id] => {
            let Some(m) = mail::find(db, id).await.map_err(|e| e.to_string())? else {
                return Err(format!(
                    "No mail has the id \"{id}\" (see `accord mail list`)."
                ));
            };
            match mail::retry(db, &m.id).await.map_err(|e| e.to_string())? {
                true => Ok(format!(
                    "Mail {} to {} is queued again.\n",
                    m.id, m.to_address
                )),
                false => Err(format!(
                    "Mail {} is {}, not failed: nothing to retry.",
                    m.id, m.state
                )),
            }
        }
        _ => Err(HELP.to_string()),
    }
}

async fn mail_list(db: &Db, state: Option<&str>) -> Result<String, String> {
    let mails = mail::latest(db, state, 50)
        .await
        .map_err(|e| e.to_string())?;
    let mut out = format!(
        "{:<36}  {:<20}  {:<7}  {:>3}  {:<17}  {:<30}  subject / last error\n",
        "id", "written (UTC)", "state", "try", "kind", "to"
    );
    for m in mails {
        out.push_str(&format!(
            "{:<36}  {:<20}  {:<7}  {:>3}  {:<17}  {:<30}  {}{}\n",
            m.id,
            super::platform::db::rfc3339(m.created_at),
            m.state,
            m.attempts,
            m.kind,
            m.to_address,
            m.subject,
            m.last_error.map(|e| format!(" / {e}")).unwrap_or_default(),
        ));
    }
    Ok(out)
}

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
