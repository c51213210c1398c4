//! The database: one `AnyPool` for Accord's own queries (SQLite or PostgreSQL, one portable
//! schema) plus the session store of the same database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::AnyPool;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::session_store::SessionBackend;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub dialect: Dialect,
    pub sessions: SessionBackend,
    /// The customer agreement in force, read at most once a minute (agreement versions are
    /// published by migrations, so every instance sees a new one within a minute).
    pub agreement: Recent<Vec<(crate::domain::Cloud, crate::domain::Agreement)>>,
    /// Rendered pages' parts, reused while their data version is unchanged.
    pub fragments: super::fragments::Fragments,
}

/// A value read from the database, kept for a short time.
#[derive(Clone, Debug)]
pub struct Recent<T>(std::sync::Arc<std::sync::Mutex<Option<(std::time::Instant, T)>>>);

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Recent(Default::default())
    }
}

impl<T: Clone> Recent<T> {
    pub const TTL: Duration = Duration::from_secs(60);

    pub fn get(&self) -> Option<T> {
        let slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.as_ref()
            .filter(|(at, _)| at.elapsed() < Self::TTL)
            .map(|(_, v)| v.clone())
    }

    pub fn set(&self, value: T) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((std::time::Instant::now(), value));
    }
}

impl Db {
    /// Connects, creating the SQLite file on first use, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (pool, dialect, sessions) = if url.starts_with("sqlite:") {
            if let Some(path) = super::config::sqlite_path(url) {
                make_private(&path).map_err(sqlx::Error::Io)?;
            }
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(15))
                .foreign_keys(true);
            // The native pool creates the file and switches it to WAL (a persistent setting)
            // before the Any pool opens it.
            let native = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await?;
            let store = SqliteStore::new(native);
            store.migrate().await?;
            let any_url = if url.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            let pool = AnyPoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::query("PRAGMA busy_timeout = 15000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
                .connect(&any_url)
                .await?;
            (pool, Dialect::Sqlite, SessionBackend::Sqlite(store))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let native = PgPoolOptions::new().max_connections(4).connect(url).await?;
            let store = PostgresStore::new(native);
            store.migrate().await?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .connect(url)
                .await?;
            (pool, Dialect::Postgres, SessionBackend::Postgres(store))
        } else {
            return Err(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres://, not \"{url}\"")
                    .into(),
            ));
        };
        MIGRATOR.run(&pool).await?;
        Ok(Db {
            pool,
            dialect,
            sessions,
            agreement: Recent::default(),
            fragments: Default::default(),
        })
    }

    /// Starts a transaction that will write. SQLite takes its write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail with
    /// "database is locked" when another writer commits in between; it waits its turn.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
    }

    /// True when the database answers.
    pub async fn ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Creates the SQLite file's folder (0700) and the file itself (0600) before SQLite opens
/// it, since SQLite gives its `-wal` and `-shm` files the mode of the database file. Files
/// made by an older version with wider modes are narrowed.
fn make_private(path: &std::path::Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            super::config::create_private_dir(dir)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Unix time in seconds, the unit of every timestamp column.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A timestamp column's value as RFC 3339 (`2026-12-04T16:05:27Z`), as the REST API and
/// webhooks write times.
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Unix time in milliseconds, for timers finer than a second (outbox retries).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether `err` is a unique-constraint violation (a concurrent or repeated insert).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| matches!(e.kind(), sqlx::error::ErrorKind::UniqueViolation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn sqlite_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let file = data.join("accord.db");
        let db = Db::connect(&format!("sqlite:{}", file.display()))
            .await
            .unwrap();
        sqlx::query("UPDATE agreements SET name = name")
            .execute(&db.pool)
            .await
            .unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700, "data directory");
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            assert!(path.exists(), "{} exists", path.display());
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}
