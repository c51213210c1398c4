//! Configuration from the environment (and an optional `.env` file).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;

#[derive(Clone, Debug)]
pub struct Config {
    /// `sqlite:…` or `postgres://…`.
    pub database_url: String,
    /// Base of every link Accord hands out (invitation links), without a trailing slash.
    pub public_url: String,
    /// Key for signing; never logged.
    pub secret_key: Vec<u8>,
    /// Create demo partners on an empty database...
    pub demo: bool,
    /// ...and this many demo customers of the first one (`ACCORD_DEMO_CUSTOMERS`).
    pub demo_customers: usize,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client
    /// (`ACCORD_TRUSTED_PROXIES`, CIDR blocks); nobody else's are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The header those proxies write the client's address into (`ACCORD_FORWARDED_HEADER`).
    pub forwarded_header: super::limits::ForwardedHeader,
    /// Who may create a partner organization (`ACCORD_PARTNER_SIGNUP`).
    pub partner_signup: PartnerSignUpMode,
    /// How webhook deliveries are made (`ACCORD_WEBHOOKS_*`).
    pub webhooks: WebhookSettings,
    /// How mail is sent (`ACCORD_SMTP_URL`, `ACCORD_MAIL_FROM`).
    pub mail: MailSettings,
}

/// How deliveries are made (`ACCORD_WEBHOOKS_*`).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Let endpoints be plain http and private addresses (for testing only).
    pub allow_private: bool,
    /// The wait after the first failed attempt; each later wait is four times longer, up to
    /// six hours.
    pub retry_base: Duration,
    /// How long one attempt may take, connection included.
    pub timeout: Duration,
    /// Attempts before a delivery is given up as failed.
    pub max_attempts: i64,
    /// How often the outbox is looked at.
    pub poll: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            allow_private: false,
            retry_base: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_attempts: 12,
            poll: Duration::from_secs(1),
        }
    }
}

impl WebhookSettings {
    /// `ACCORD_WEBHOOKS_ALLOW_PRIVATE` (1/true), `ACCORD_WEBHOOKS_RETRY_BASE_MS`,
    /// `ACCORD_WEBHOOKS_TIMEOUT_MS`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<WebhookSettings, String> {
        let mut s = WebhookSettings {
            allow_private: matches!(
                var("ACCORD_WEBHOOKS_ALLOW_PRIVATE")
                    .as_deref()
                    .map(str::trim),
                Some("1") | Some("true")
            ),
            ..WebhookSettings::default()
        };
        let ms = |name: &str, min: u64, max: u64| millis(&var, name, min, max);
        if let Some(d) = ms("ACCORD_WEBHOOKS_RETRY_BASE_MS", 10, 3_600_000)? {
            s.retry_base = d;
        }
        if let Some(d) = ms("ACCORD_WEBHOOKS_TIMEOUT_MS", 100, 60_000)? {
            s.timeout = d;
        }
        Ok(s)
    }
}

/// How mail is sent (`ACCORD_SMTP_URL`, `ACCORD_MAIL_FROM`, `ACCORD_MAIL_RETRY_BASE_MS`).
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `smtp://host:port` (no TLS), `smtp://host:587?tls=opportunistic`,
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS), `smtps://user:pass@host`;
    /// `None`: write `.eml` files into [`MailSettings::dir`].
    pub smtp_url: Option<String>,
    /// The `From` of every mail.
    pub from: String,
    /// Where mails are written without SMTP.
    pub dir: PathBuf,
    /// The wait after the first failed attempt; each later wait is twice as long, up to an hour.
    pub retry_base: Duration,
    /// A mail not sent this long after it was written is given up as failed.
    pub give_up_after: Duration,
    /// How long one attempt may take (`ACCORD_MAIL_TIMEOUT_MS`); a mail being sent stays
    /// with its instance twice as long, plus 5 seconds.
    pub timeout: Duration,
    /// How often the outbox is looked at besides when this instance queues a mail.
    pub poll: Duration,
}

impl MailSettings {
    /// The settings from the environment (`var`), for a server whose links start with
    /// `public_url` and whose data directory is `data_dir`.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
        public_url: &str,
        data_dir: PathBuf,
    ) -> Result<MailSettings, String> {
        let smtp_url = var("ACCORD_SMTP_URL")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if let Some(url) = &smtp_url {
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url).map_err(|e| {
                format!(
                    "ACCORD_SMTP_URL must look like smtp://host:port, smtps://user:password@host \
                     or smtp://user:password@host:587?tls=required ({e})"
                )
            })?;
        }
        let host = url::Url::parse(public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .filter(|h| h.contains('.') && h.parse::<std::net::IpAddr>().is_err())
            .unwrap_or_else(|| "localhost".to_string());
        let from = var("ACCORD_MAIL_FROM")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("Accord <no-reply@{host}>"));
        from.parse::<lettre::message::Mailbox>().map_err(|e| {
            format!("ACCORD_MAIL_FROM \"{from}\" is not an address such as Accord <accord@example.com> ({e})")
        })?;
        let retry_base = millis(&var, "ACCORD_MAIL_RETRY_BASE_MS", 10, 3_600_000)?
            .unwrap_or(Duration::from_secs(30));
        let timeout = millis(&var, "ACCORD_MAIL_TIMEOUT_MS", 100, 300_000)?
            .unwrap_or(Duration::from_secs(30));
        Ok(MailSettings {
            smtp_url,
            from,
            dir: data_dir.join("mail"),
            retry_base,
            give_up_after: Duration::from_secs(24 * 3600),
            timeout,
            poll: Duration::from_secs(5),
        })
    }

    /// The wait after `attempts` failed attempts: doubling from `retry_base`, up to an hour.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let factor = 2u32.saturating_pow(attempts.clamp(1, 20) as u32 - 1);
        self.retry_base
            .saturating_mul(factor)
            .min(Duration::from_secs(3600))
    }
}

/// A setting in milliseconds from `min` to `max`, if set.
fn millis(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    min: u64,
    max: u64,
) -> Result<Option<Duration>, String> {
    match var(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .map(|n| Some(Duration::from_millis(n)))
            .ok_or_else(|| {
                format!("{name} must be a number of milliseconds from {min} to {max}, not \"{v}\".")
            }),
    }
}

/// `ACCORD_PARTNER_SIGNUP`: `open` (new partner organizations invite at once), `approval`
/// (the default: they invite once an operator runs `accord partners approve <tenant>`) or
/// `closed` (no sign-up from the web; operators create partners).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PartnerSignUpMode {
    Open,
    #[default]
    Approval,
    Closed,
}

impl std::str::FromStr for PartnerSignUpMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(PartnerSignUpMode::Open),
            "approval" | "" => Ok(PartnerSignUpMode::Approval),
            "closed" => Ok(PartnerSignUpMode::Closed),
            other => Err(format!(
                "ACCORD_PARTNER_SIGNUP must be open, approval or closed, not \"{other}\"."
            )),
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let _ = dotenvy::dotenv();
        let database_url =
            std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:data/accord.db".to_string());
        let site_addr =
            std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
        let public_url = std::env::var("ACCORD_PUBLIC_URL")
            .unwrap_or_else(|_| format!("http://{site_addr}"))
            .trim_end_matches('/')
            .to_string();
        url::Url::parse(&public_url)
            .map_err(|e| format!("ACCORD_PUBLIC_URL \"{public_url}\" is not a URL: {e}"))?;
        let secret_key = secret_key(&database_url)?;
        let demo = matches!(
            std::env::var("ACCORD_DEMO").as_deref(),
            Ok("1") | Ok("true")
        );
        let demo_customers = match std::env::var("ACCORD_DEMO_CUSTOMERS") {
            Ok(n) => n
                .trim()
                .parse()
                .map_err(|_| format!("ACCORD_DEMO_CUSTOMERS \"{n}\" is not a number."))?,
            Err(_) => 12,
        };
        let trusted_proxies = super::limits::parse_trusted_proxies(
            &std::env::var("ACCORD_TRUSTED_PROXIES").unwrap_or_default(),
        )?;
        let forwarded_header = std::env::var("ACCORD_FORWARDED_HEADER")
            .unwrap_or_default()
            .parse()?;
        let partner_signup = std::env::var("ACCORD_PARTNER_SIGNUP")
            .unwrap_or_default()
            .parse()?;
        let webhooks = WebhookSettings::from_env(|name| std::env::var(name).ok())?;
        let mail = MailSettings::from_env(
            |name| std::env::var(name).ok(),
            &public_url,
            data_dir(&database_url),
        )?;
        Ok(Config {
            database_url,
            public_url,
            secret_key,
            demo,
            demo_customers,
            trusted_proxies,
            forwarded_header,
            partner_signup,
            webhooks,
            mail,
        })
    }

    /// Session cookies get the `Secure` flag when Accord is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// The key that signs invitation links: `ACCORD_SECRET_KEY`, else the file named by
/// `ACCORD_SECRET_KEY_FILE`, else (SQLite only) `secret.key` in the data directory, created
/// on first run. On PostgreSQL one of the first two is required: every instance on the
/// database must sign with the same key, or each would refuse the others' links.
fn secret_key(database_url: &str) -> Result<Vec<u8>, String> {
    secret_key_from(database_url, |name| std::env::var(name).ok())
}

fn secret_key_from(
    database_url: &str,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Vec<u8>, String> {
    if let Some(key) = var("ACCORD_SECRET_KEY") {
        // Used exactly as given: trimming would change the key of an existing installation
        // and void every link it has sent.
        if key.len() < 32 {
            return Err("ACCORD_SECRET_KEY must be at least 32 characters long.".into());
        }
        return Ok(key.into_bytes());
    }
    if let Some(path) = var("ACCORD_SECRET_KEY_FILE") {
        let path = PathBuf::from(path);
        let key = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "ACCORD_SECRET_KEY_FILE: cannot read {}: {e}",
                path.display()
            )
        })?;
        if key.trim().len() < 32 {
            return Err(format!(
                "ACCORD_SECRET_KEY_FILE: {} must hold at least 32 characters.",
                path.display()
            ));
        }
        return Ok(key.trim().as_bytes().to_vec());
    }
    if !database_url.starts_with("sqlite:") {
        return Err(
            "On PostgreSQL, set ACCORD_SECRET_KEY (at least 32 characters) or \
             ACCORD_SECRET_KEY_FILE (a file holding one). Every instance on the database must \
             sign invitation links with the same key, or each would refuse the links of the \
             others; generate one with `openssl rand -hex 32`."
                .into(),
        );
    }
    load_or_create_key(&data_dir(database_url).join("secret.key"))
}

/// Creates `dir` and its missing parents, readable by Accord's user only (0700).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Where Accord keeps its own files: `ACCORD_DATA_DIR`, else the SQLite file's folder, else `data`.
pub fn data_dir(database_url: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("ACCORD_DATA_DIR") {
        return PathBuf::from(dir);
    }
    sqlite_path(database_url)
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// The file path of a `sqlite:` URL, if it names a file.
pub fn sqlite_path(database_url: &str) -> Option<PathBuf> {
    let rest = database_url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Reads the signing key kept in the data directory, creating a random one on first run.
/// Several instances starting at once on one directory all end up with the same key: the
/// key is written to a private temporary file, then linked into place only if no key is
/// there yet (a link never overwrites), so nobody ever reads a half-written key.
fn load_or_create_key(path: &Path) -> Result<Vec<u8>, String> {
    let read = |path: &Path| -> Result<Option<Vec<u8>>, String> {
        match std::fs::read_to_string(path) {
            Ok(existing) if existing.trim().len() >= 32 => {
                Ok(Some(existing.trim().as_bytes().to_vec()))
            }
            Ok(_) => Err(format!(
                "{} is too short to be a signing key.",
                path.display()
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    };
    if let Some(key) = read(path)? {
        return Ok(key);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut suffix = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut suffix);
    let temp = path.with_extension(format!(
        "tmp-{}",
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    write_private(&temp, &key).map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    let placed = match linked {
        // A file system without hard links: create the file in place instead (another
        // instance may then read it a moment early and fail to start with a clear message).
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => write_private(path, &key),
        other => other,
    };
    match placed {
        Ok(()) => tracing::info!(path = %path.display(), "generated a new signing key"),
        // Another instance got there first: use its key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
    }
    read(path)?.ok_or_else(|| format!("{} vanished while starting", path.display()))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite:data/accord.db"),
            Some(PathBuf::from("data/accord.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/a.db?mode=rwc"),
            Some(PathBuf::from("/tmp/a.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://localhost/accord"), None);
    }

    #[test]
    fn generated_key_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let first = load_or_create_key(&path).unwrap();
        let second = load_or_create_key(&path).unwrap();
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
    }

    #[test]
    fn postgres_needs_a_shared_key() {
        let none = |_: &str| None;
        let err = secret_key_from("postgres://localhost/accord", none).unwrap_err();
        assert!(err.contains("ACCORD_SECRET_KEY"), "{err}");
        let short = |n: &str| (n == "ACCORD_SECRET_KEY").then(|| "short".to_string());
        assert!(secret_key_from("postgres://localhost/accord", short).is_err());
        let key = "k".repeat(40);
        let given = |n: &str| (n == "ACCORD_SECRET_KEY").then(|| key.clone());
        assert_eq!(
            secret_key_from("postgres://localhost/accord", given).unwrap(),
            key.as_bytes()
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        std::fs::write(&file, format!("{key}\n")).unwrap();
        let from_file =
            |n: &str| (n == "ACCORD_SECRET_KEY_FILE").then(|| file.to_string_lossy().into_owned());
        assert_eq!(
            secret_key_from("postgres://localhost/accord", from_file).unwrap(),
            key.as_bytes()
        );
    }

    #[test]
    fn instances_starting_together_share_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").join("secret.key");
        let keys: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| s.spawn(|| load_or_create_key(&path).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| k == &keys[0] && k.len() == 64));
        // Nothing but the key is left behind, and only its owner can read it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("secret.key")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn settings_come_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        let s = WebhookSettings::from_env(env(&[
            ("ACCORD_WEBHOOKS_ALLOW_PRIVATE", "1"),
            ("ACCORD_WEBHOOKS_RETRY_BASE_MS", "200"),
            ("ACCORD_WEBHOOKS_TIMEOUT_MS", "1500"),
        ]))
        .unwrap();
        assert!(s.allow_private);
        assert_eq!(s.retry_base, Duration::from_millis(200));
        assert_eq!(s.timeout, Duration::from_millis(1500));
        assert!(!WebhookSettings::from_env(env(&[])).unwrap().allow_private);
        assert!(WebhookSettings::from_env(env(&[("ACCORD_WEBHOOKS_TIMEOUT_MS", "soon")])).is_err());
    }
}
