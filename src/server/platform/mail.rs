//! Sending what the mail outbox holds (`events::mail_outbox` writes it): by SMTP when
//! `ACCORD_SMTP_URL` is set, else as `.eml` files in the data directory's `mail/` folder,
//! so that nothing is silently dropped on an instance without a mail server.
//!
//! The [`Postman`] runs on every instance as a background job: it takes due mails with a
//! lease (one instance sends each), sends them one attempt at a time, retries with growing
//! delays and gives a mail up as failed a day after it was written. Each mail keeps its
//! `Message-ID` on every retry, so a mail sent again after a crash is recognisably the same
//! one. Pages and sign-ins only write rows; a slow or dead SMTP server slows nothing but this.

use std::path::PathBuf;
use std::time::Duration;

pub use super::config::MailSettings;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::Row;

use super::db::{now, now_ms, Db};

/// How long a mail stays with the instance sending it.
fn lease(settings: &MailSettings) -> Duration {
    settings.timeout * 2 + Duration::from_secs(5)
}

/// A mail of the outbox, as the operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: String,
    pub message_id: String,
    pub kind: String,
    pub to_address: String,
    pub to_name: String,
    pub locale: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: i64,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, message_id, kind, to_address, to_name, locale, subject, body_text,
     body_html, created_at, state, attempts, last_error, sent_at";

fn queued(r: &sqlx::any::AnyRow) -> Result<Queued, sqlx::Error> {
    Ok(Queued {
        id: r.try_get("id")?,
        message_id: r.try_get("message_id")?,
        kind: r.try_get("kind")?,
        to_address: r.try_get("to_address")?,
        to_name: r.try_get("to_name")?,
        locale: r.try_get("locale")?,
        subject: r.try_get("subject")?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        created_at: r.try_get("created_at")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        sent_at: r.try_get("sent_at")?,
    })
}

/// The latest `limit` mails, newest first; only those in `state` when given.
pub async fn latest(db: &Db, state: Option<&str>, limit: i64) -> Result<Vec<Queued>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM mail_outbox WHERE ($1 = '' OR state = $1)
         ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(state.unwrap_or(""))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(queued).collect()
}

/// One mail by its id (or the start of it, when only one mail's id starts so).
pub async fn find(db: &Db, id: &str) -> Result<Option<Queued>, sqlx::Error> {
    let id = id.trim();
    if id.len() < 4 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Ok(None);
    }
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM mail_outbox WHERE id >= $1 AND id < $2 ORDER BY id LIMIT 2"
    ))
    .bind(id)
    .bind(format!("{id}~"))
    .fetch_all(&db.pool)
    .await?;
    match rows.as_slice() {
        [one] => Ok(Some(queued(one)?)),
        _ => Ok(None),
    }
}

/// Puts a failed mail back in the queue, due now; answers whether it was failed.
pub async fn retry(db: &Db, id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE mail_outbox SET state = 'pending', next_attempt_ms = $1, attempts = 0,
             created_at = $2, lease_until_ms = NULL
         WHERE id = $3 AND state = 'failed'",
    )
    .bind(now_ms())
    .bind(now())
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected()
        == 1)
}

/// How long sent and failed mails stay in the outbox (for `accord mail list`).
pub const KEEP_FOR: i64 = 30 * 24 * 3600;

/// Deletes sent and failed mails written more than [`KEEP_FOR`] before `now` (their links
/// are used or expired by then); answers how many.
pub async fn prune(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM mail_outbox WHERE state <> 'pending' AND created_at < $1")
            .bind(now - KEEP_FOR)
            .execute(&db.pool)
            .await?
            .rows_affected(),
    )
}

/// The message of `mail` as it is sent: headers and a text and an HTML part.
pub fn message(from: &str, mail: &Queued) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("from: {e}"))?;
    let address = mail
        .to_address
        .parse()
        .map_err(|e| format!("address: {e}"))?;
    let to = Mailbox::new(
        (!mail.to_name.is_empty()).then(|| mail.to_name.clone()),
        address,
    );
    let date = std::time::UNIX_EPOCH + Duration::from_secs(mail.created_at.max(0) as u64);
    Message::builder()
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date(date)
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(mail.body_text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(mail.body_html.clone()),
                ),
        )
        .map_err(|e| format!("message: {e}"))
}

/// Where mails go.
#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Sends what the mail outbox holds (a background job of every instance).
#[derive(Clone)]
pub struct Postman {
    db: Db,
    settings: MailSettings,
    transport: Transport,
}

/// Told when a mail is queued on this instance: its postman looks sooner than its next poll.
static QUEUED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// How long the postman waits after being told of a new mail: the mail's transaction
/// commits in the meantime.
const AFTER_QUEUED: Duration = Duration::from_millis(150);

/// Tells this instance's postman that a mail is being queued (`events::mail_outbox`).
pub fn wake() {
    QUEUED.notify_one();
}

/// Mails attempted at once by one instance.
const AT_ONCE: i64 = 8;

impl Postman {
    pub fn new(db: Db, settings: MailSettings) -> Result<Postman, String> {
        let transport = match &settings.smtp_url {
            Some(url) => {
                let _ = rustls::crypto::ring::default_provider().install_default();
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                        .map_err(|e| format!("ACCORD_SMTP_URL: {e}"))?
                        .timeout(Some(settings.timeout))
                        .build(),
                )
            }
            None => Transport::Files(settings.dir.clone()),
        };
        Ok(Postman {
            db,
            settings,
            transport,
        })
    }

    /// Where mails go, for the log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP (ACCORD_SMTP_URL)".to_string(),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Sends due mails until stopped: when told of a new one, and every `poll` (mails queued by
    /// another instance, retries).
    pub async fn run(self) {
        tracing::info!(to = %self.describe(), "mail is sent by");
        loop {
            match self.send_due().await {
                // A full batch: more may be due at once.
                Ok(n) if n as i64 >= AT_ONCE => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail outbox"),
            }
            tokio::select! {
                _ = QUEUED.notified() => tokio::time::sleep(AFTER_QUEUED).await,
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    /// Makes one attempt of each due mail it can take (at most [`AT_ONCE`]), at the same
    /// time, and waits for them; answers how many it took.
    pub async fn send_due(&self) -> Result<usize, sqlx::Error> {
        let at = now_ms();
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM mail_outbox
             WHERE state = 'pending' AND next_attempt_ms <= $1
               AND (lease_until_ms IS NULL OR lease_until_ms <= $1)
             ORDER BY next_attempt_ms, id LIMIT $2",
        )
        .bind(at)
        .bind(AT_ONCE)
        .fetch_all(&self.db.pool)
        .await?;
        let mut taken = tokio::task::JoinSet::new();
        for id in due {
            // Taken by exactly one instance: the one whose update finds it still free.
            let row = sqlx::query(&format!(
                "UPDATE mail_outbox SET lease_until_ms = $1, attempts = attempts + 1,
                     last_attempt_at = $2
                 WHERE id = $3 AND state = 'pending'
                   AND (lease_until_ms IS NULL OR lease_until_ms <= $4)
                 RETURNING {COLUMNS}"
            ))
            .bind(at + lease(&self.settings).as_millis() as i64)
            .bind(now())
            .bind(&id)
            .bind(at)
            .fetch_optional(&self.db.pool)
            .await?;
            let Some(row) = row else { continue };
            let mail = queued(&row)?;
            let me = self.clone();
            taken.spawn(async move {
                let outcome = me.attempt(&mail).await;
                if let Err(e) = me.finish(&mail, outcome).await {
                    tracing::warn!(mail = %mail.id, error = %e, "mail outcome not saved");
                }
            });
        }
        let n = taken.len();
        taken.join_all().await;
        Ok(n)
    }

    async fn attempt(&self, mail: &Queued) -> Result<(), String> {
        let message = message(&self.settings.from, mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                match tokio::time::timeout(self.settings.timeout, smtp.send(message)).await {
                    Err(_) => Err("timeout: the mail server did not answer in time".to_string()),
                    Ok(Err(e)) => Err(format!("smtp: {e}")),
                    Ok(Ok(_)) => Ok(()),
                }
            }
            Transport::Files(dir) => write_file(dir, &mail.id, &message.formatted())
                .await
                .map_err(|e| format!("file: {e}")),
        }
    }

    async fn finish(&self, mail: &Queued, outcome: Result<(), String>) -> Result<(), sqlx::Error> {
        match outcome {
            Ok(()) => {
                sqlx::query(
                    "UPDATE mail_outbox SET state = 'sent', sent_at = $1, last_error = NULL,
                         lease_until_ms = NULL
                     WHERE id = $2 AND state = 'pending'",
                )
                .bind(now())
                .bind(&mail.id)
                .execute(&self.db.pool)
                .await?;
                tracing::info!(mail = %mail.id, kind = %mail.kind, "mail sent");
            }
            Err(error) => {
                let error: String = error.chars().take(300).collect();
                let attempts = mail.attempts;
                let given_up = now() - mail.created_at
                    >= self.settings.give_up_after.as_secs() as i64
                    || error.starts_with("address:")
                    || error.starts_with("from:");
                let next = now_ms() + self.settings.backoff(attempts).as_millis() as i64;
                sqlx::query(
                    "UPDATE mail_outbox SET state = $1, next_attempt_ms = $2, last_error = $3,
                         lease_until_ms = NULL
                     WHERE id = $4 AND state = 'pending'",
                )
                .bind(if given_up { "failed" } else { "pending" })
                .bind(next)
                .bind(&error)
                .bind(&mail.id)
                .execute(&self.db.pool)
                .await?;
                if given_up {
                    tracing::error!(mail = %mail.id, kind = %mail.kind, attempts, error = %error, "mail given up as failed (see `accord mail list failed`)");
                } else {
                    tracing::warn!(mail = %mail.id, kind = %mail.kind, attempts, error = %error, "mail not sent; it will be tried again");
                }
            }
        }
        Ok(())
    }
}

/// Writes `bytes` as `<dir>/<id>.eml`, whole or not at all (a file is renamed into place).
async fn write_file(dir: &std::path::Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    if !dir.exists() {
        super::config::create_private_dir(dir)?;
    }
    let tmp = dir.join(format!(".{id}.tmp"));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, dir.join(format!("{id}.eml"))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MailSettings {
        MailSettings::from_env(
            |_| None,
            "https://accord.example.com",
            PathBuf::from("/tmp/x"),
        )
        .unwrap()
    }

    #[test]
    fn settings_have_safe_defaults_and_refuse_nonsense() {
        let s = settings();
        assert_eq!(s.from, "Accord <no-reply@accord.example.com>");
        assert!(s.smtp_url.is_none());
        assert_eq!(s.dir, PathBuf::from("/tmp/x/mail"));
        let local =
            MailSettings::from_env(|_| None, "http://127.0.0.1:3000", PathBuf::new()).unwrap();
        assert_eq!(local.from, "Accord <no-reply@localhost>");
        let var = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        for url in [
            "smtp://mail.example.com:25",
            "smtps://user:secret@mail.example.com",
            "smtp://user:secret@mail.example.com:587?tls=required",
        ] {
            let pairs: &'static [(&str, &str)] =
                Box::leak(vec![("ACCORD_SMTP_URL", url)].into_boxed_slice());
            let s = MailSettings::from_env(var(pairs), "https://a.example", PathBuf::new())
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(s.smtp_url.as_deref(), Some(url));
        }
        for (name, value) in [
            ("ACCORD_SMTP_URL", "mail.example.com"),
            ("ACCORD_MAIL_FROM", "not an address"),
            ("ACCORD_MAIL_RETRY_BASE_MS", "0"),
        ] {
            let pairs: &'static [(&str, &str)] = Box::leak(vec![(name, value)].into_boxed_slice());
            let err = MailSettings::from_env(var(pairs), "https://a.example", PathBuf::new())
                .unwrap_err();
            assert!(err.contains(name), "{err}");
        }
    }

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let s = settings();
        assert_eq!(s.backoff(1), Duration::from_secs(30));
        assert_eq!(s.backoff(2), Duration::from_secs(60));
        assert_eq!(s.backoff(3), Duration::from_secs(120));
        assert_eq!(s.backoff(12), Duration::from_secs(3600));
    }

    #[test]
    fn a_message_keeps_its_id_and_one_line_headers() {
        let mail = Queued {
            id: "1".into(),
            message_id: "abc@accord.mail".into(),
            kind: "test".into(),
            to_address: "ann@example.com".into(),
            to_name: "Ann \"the admin\" Lee, Contoso".into(),
            locale: "zh-CN".into(),
            subject: "重设您的密码".into(),
            body_text: "你好\n".into(),
            body_html: "<p>你好</p>".into(),
            created_at: 1_765_000_000,
            state: "pending".into(),
            attempts: 0,
            last_error: None,
            sent_at: None,
        };
        let text =
            String::from_utf8(message(&settings().from, &mail).unwrap().formatted()).unwrap();
        assert!(text.contains("Message-ID: <abc@accord.mail>\r\n"), "{text}");
        assert!(text.contains("From: Accord <no-reply@accord.example.com>\r\n"));
        let to = text.lines().find(|l| l.starts_with("To: ")).unwrap();
        assert!(to.ends_with(" <ann@example.com>"), "{text}");
        assert!(text.contains("Subject: =?utf-8?"), "{text}");
        let bad = Queued {
            to_address: "ann@example.com\r\nBcc: x@y".into(),
            ..mail
        };
        assert!(message(&settings().from, &bad)
            .unwrap_err()
            .starts_with("address:"));
    }
}
