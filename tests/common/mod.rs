//! Test harness: a real database per test, SQLite in a temporary file or a PostgreSQL
//! database created for the test and dropped afterwards. PostgreSQL must answer
//! (`make test` makes sure it does); a test never skips silently.

#![allow(dead_code)]

use accord::server::Db;

pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

pub fn pg_admin_url() -> String {
    std::env::var("ACCORD_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite:{}", dir.path().join("accord.db").display());
    let db = Db::connect(&url)
        .await
        .expect("SQLite database opens and migrates");
    TestDb {
        db,
        _dir: Some(dir),
        pg_name: None,
    }
}

pub async fn postgres() -> TestDb {
    use sqlx::Connection;
    let admin = pg_admin_url();
    let name = format!("accord_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL must answer at {admin} for the database tests (run scripts/ensure-postgres): {e}")
    });
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    conn.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("admin URL has a database");
    let db = Db::connect(&format!("{base}/{name}"))
        .await
        .expect("PostgreSQL database migrates");
    TestDb {
        db,
        _dir: None,
        pg_name: Some(name),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        let admin = pg_admin_url();
        // Drop is synchronous: drop the database from a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}

/// Runs one async test body against SQLite and against PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident => $body:ident;)+) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::common::sqlite().await;
                    super::$body(&db.db).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let db = $crate::common::postgres().await;
                    super::$body(&db.db).await;
                }
            }
        )+
    };
}

pub async fn count(db: &Db, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .expect("count rows");
    n
}
