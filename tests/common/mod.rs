//! Test harness: a real database per test, SQLite in a temporary file or a PostgreSQL
//! database created for the test and dropped afterwards. PostgreSQL must answer
//! (`make test` makes sure it does); a test never skips silently.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use accord::server::{AppState, Config, Db, PartnerSignUpMode};

/// The key test servers sign invitation links with.
pub const TEST_KEY: &[u8] = b"http-test-key-http-test-key-http-test";

/// What the router needs, for a test database; links are made for `http://accord.test`.
pub fn state(
    db: &Db,
    site_root: &str,
    trusted_proxies: Vec<ipnet::IpNet>,
    partner_signup: PartnerSignUpMode,
) -> AppState {
    let config = Config {
        database_url: String::new(),
        public_url: "http://accord.test".into(),
        secret_key: TEST_KEY.to_vec(),
        demo: false,
        demo_customers: 0,
        trusted_proxies,
        forwarded_header: Default::default(),
        partner_signup,
        webhooks: Default::default(),
        mail: accord::server::platform::mail::MailSettings::from_env(
            |_| None,
            "http://accord.test",
            std::env::temp_dir().join("accord-test-mail"),
        )
        .unwrap(),
    };
    AppState {
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("accord")
            .site_root(site_root)
            .build(),
        db: db.clone(),
        config: Arc::new(config),
        limits: accord::server::platform::limits::Limits::default(),
    }
}

/// What a mail caused in a test needs: links to `http://accord.test`, in English.
pub fn outgoing() -> accord::server::identity::mails::Outgoing<'static> {
    accord::server::identity::mails::Outgoing {
        public_url: "http://accord.test",
        locale: accord::i18n::Locale::en,
    }
}

/// The sign-up of a direct public-cloud partner `name` in the US whose Global admin is
/// `email`; a test changes what it is about with `PartnerSignUp { cloud: …, ..this }`.
pub fn partner_sign_up(
    name: &str,
    email: &str,
    password: &str,
) -> accord::server::identity::accounts::PartnerSignUp {
    accord::server::identity::accounts::PartnerSignUp {
        org_name: name.into(),
        country: "US".into(),
        cloud: "public".into(),
        program: "direct".into(),
        partner_id: String::new(),
        admin_name: "Pat Partner".into(),
        email: email.into(),
        password: password.into(),
    }
}

/// The sign-up of a customer organization `company` in the US at `domain` whose Global admin
/// is `email`; a test changes what it is about with `CustomerSignUp { country: …, ..this }`.
pub fn customer_sign_up(
    company: &str,
    domain: &str,
    email: &str,
    password: &str,
) -> accord::server::identity::accounts::CustomerSignUp {
    accord::server::identity::accounts::CustomerSignUp {
        company: company.into(),
        domain: domain.into(),
        country: "US".into(),
        admin_name: "Casey Customer".into(),
        email: email.into(),
        password: password.into(),
    }
}

/// A public-cloud direct partner `name` with its Global admin `pat@<name>.example`; returns
/// the query of its invitation link (with DAP), signed with `key`.
pub async fn partner_with_link(db: &Db, name: &str, password: &str, key: &[u8]) -> String {
    use accord::server::handshake;
    use accord::server::identity::{accounts, partners};
    let slug = name.to_lowercase().replace(' ', "");
    let created = accounts::sign_up_partner(
        db,
        partner_sign_up(name, &format!("pat@{slug}.example"), password),
    )
    .await
    .unwrap();
    let p = partners::partner(db, &created.org_id)
        .await
        .unwrap()
        .unwrap();
    let link = handshake::invitation_link(&p, key, "http://accord.test", true).unwrap();
    link.split_once('?').unwrap().1.to_string()
}

/// A public-cloud customer organization `domain` with its Global admin `admin@<domain>`.
pub async fn customer_org(
    db: &Db,
    domain: &str,
    password: &str,
) -> accord::server::identity::accounts::Created {
    accord::server::identity::accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        customer_sign_up(
            &format!("Customer {domain}"),
            domain,
            &format!("admin@{domain}"),
            password,
        ),
    )
    .await
    .unwrap()
}

/// An answer read off a real socket.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The cookies this answer sets (the session's, and the device's at a sign-in), as a
    /// `Cookie` header value.
    pub fn cookie(&self) -> Option<String> {
        let pairs: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.split(';').next().unwrap_or_default())
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }
}

/// One HTTP/1.1 request on its own connection: a plain client, so the server under test is
/// reached exactly as a browser or an attacker's script reaches it.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<HttpReply> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: accord.test\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut rest = rest;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 || after.len() < n {
                break;
            }
            out.push_str(&after[..n]);
            rest = after[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        rest.to_string()
    };
    Ok(HttpReply {
        status,
        headers,
        body,
    })
}

pub struct TestDb {
    pub db: Db,
    /// The URL the database was opened with.
    pub url: String,
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
        url,
        _dir: Some(dir),
        pg_name: None,
    }
}

pub async fn postgres() -> TestDb {
    let mut empty = EmptyPostgres::create().await;
    let db = Db::connect(&empty.url)
        .await
        .expect("PostgreSQL database migrates");
    TestDb {
        db,
        url: empty.url.clone(),
        _dir: None,
        // The TestDb drops the database from now on.
        pg_name: Some(std::mem::take(&mut empty.name)),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            drop_postgres(name);
        }
    }
}

/// A PostgreSQL database with nothing in it, not even Accord's schema (a server started on
/// it writes the schema of its own version), dropped with this value.
pub struct EmptyPostgres {
    pub url: String,
    name: String,
}

impl EmptyPostgres {
    pub async fn create() -> EmptyPostgres {
        use sqlx::Connection;
        let admin = pg_admin_url();
        let name = format!("accord_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL must answer at {admin} (run scripts/ensure-postgres): {e}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        conn.close().await.ok();
        let (base, _) = admin.rsplit_once('/').expect("admin URL has a database");
        EmptyPostgres {
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for EmptyPostgres {
    fn drop(&mut self) {
        if !self.name.is_empty() {
            drop_postgres(std::mem::take(&mut self.name));
        }
    }
}

fn drop_postgres(name: String) {
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

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: http::HeaderMap,
    pub body: String,
}

/// A webhook endpoint on 127.0.0.1: it keeps every request and answers with `status`
/// (changeable while it runs).
pub struct Receiver {
    pub addr: SocketAddr,
    pub got: Arc<std::sync::Mutex<Vec<Received>>>,
    pub status: Arc<std::sync::atomic::AtomicU16>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Listens on `addr` (port 0: any free port).
    pub async fn start(addr: SocketAddr) -> Receiver {
        use axum::routing::post;
        let got: Arc<std::sync::Mutex<Vec<Received>>> = Default::default();
        let status = Arc::new(std::sync::atomic::AtomicU16::new(204));
        let (g, s) = (got.clone(), status.clone());
        let app = axum::Router::new().route(
            "/{*path}",
            post(move |headers: http::HeaderMap, body: String| {
                let (g, s) = (g.clone(), s.clone());
                async move {
                    g.lock().unwrap().push(Received { headers, body });
                    http::StatusCode::from_u16(s.load(std::sync::atomic::Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            addr,
            got,
            status,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Stops listening (the port then refuses connections).
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// The cookies an answer sets, as one `Cookie` header value (`None` when it sets none).
pub fn cookies_of(headers: &http::HeaderMap) -> Option<String> {
    let pairs: Vec<&str> = headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default())
        .collect();
    (!pairs.is_empty()).then(|| pairs.join("; "))
}

#[cfg(target_os = "linux")]
pub mod server;
pub mod smtp;

/// `count` customers of `partner_org_id` written in bulk (`scripts/lib/bulk-customers.sql`,
/// what `make bench` writes), named "<company> <n>"; `tag` (8 hex digits) keeps runs apart.
#[allow(dead_code)]
pub async fn bulk_customers(db: &Db, partner_org_id: &str, count: usize, tag: &str) {
    let sql = include_str!("../../scripts/lib/bulk-customers.sql")
        .replace("{{count}}", &count.to_string())
        .replace("{{partner}}", partner_org_id)
        .replace("{{tag}}", tag);
    sqlx::raw_sql(&sql)
        .execute(&db.pool)
        .await
        .expect("customers written in bulk");
    accord::server::relationships::listing::fill_sort_keys(db)
        .await
        .expect("sort keys filled");
}

/// The kept counts of active relationships (`customer_counts`, by partner, kind and DAP)
/// equal the rows, and `active` relationships are counted in all.
#[allow(dead_code)]
pub async fn assert_counts_kept(db: &Db, active: i64) {
    let kept: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT partner_org_id, kind, has_dap, n FROM customer_counts WHERE n <> 0
         ORDER BY partner_org_id, kind, has_dap",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT partner_org_id, kind, dap, CAST(COUNT(*) AS BIGINT) FROM (
           SELECT r.partner_org_id, r.kind, CAST(CASE WHEN EXISTS (
               SELECT 1 FROM dap_grants d WHERE d.partner_org_id = r.partner_org_id
                 AND d.customer_org_id = r.customer_org_id AND d.revoked_at IS NULL)
             THEN 1 ELSE 0 END AS BIGINT) AS dap
           FROM relationships r WHERE r.removed_at IS NULL) x
         GROUP BY partner_org_id, kind, dap ORDER BY partner_org_id, kind, dap",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(kept, rows, "kept counts and rows");
    assert_eq!(rows.iter().map(|r| r.3).sum::<i64>(), active);
}
