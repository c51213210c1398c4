//! Configuration from the environment (and an optional `.env` file).

use std::path::{Path, PathBuf};

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
        let data_dir = data_dir(&database_url);
        let secret_key = match std::env::var("ACCORD_SECRET_KEY") {
            Ok(key) if key.len() >= 32 => key.into_bytes(),
            Ok(_) => return Err("ACCORD_SECRET_KEY must be at least 32 characters long.".into()),
            Err(_) => load_or_create_key(&data_dir.join("secret.key"))?,
        };
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
        Ok(Config {
            database_url,
            public_url,
            secret_key,
            demo,
            demo_customers,
        })
    }

    /// Session cookies get the `Secure` flag when Accord is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
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
fn load_or_create_key(path: &Path) -> Result<Vec<u8>, String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let key = existing.trim();
        if key.len() >= 32 {
            return Ok(key.as_bytes().to_vec());
        }
        return Err(format!(
            "{} is too short to be a signing key.",
            path.display()
        ));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new signing key");
    Ok(key.into_bytes())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
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
}
