#![cfg(all(feature = "ssr", target_os = "linux"))]
//! The server binary as it runs in production, as a child process: resident memory through
//! a burst of 200 concurrent sign-ins, SIGKILL in the middle of a stream of acceptances
//! (several times, on SQLite and PostgreSQL), and two instances sharing one PostgreSQL
//! database.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use accord::server::accounts::{self, CustomerSignUp, PartnerSignUp};
use accord::server::{handshake, Db};
use common::{http, HttpReply};

const PASSWORD: &str = "process-test-password";
const KEY: &str = "process-test-key-process-test-key-0123";

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts `accord` on a free port with `database_url`, and waits until it is ready.
    async fn start(database_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_OUTPUT_NAME", "accord")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("ACCORD_PUBLIC_URL", "http://accord.test")
            .env("ACCORD_DATA_DIR", data_dir)
            .env("ACCORD_SECRET_KEY", KEY)
            .env("ACCORD_PARTNER_SIGNUP", "open")
            // Every request of these tests comes from 127.0.0.1; X-Forwarded-For tells the
            // simulated clients apart.
            .env("ACCORD_TRUSTED_PROXIES", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in extra {
            command.env(k, v);
        }
        let child = command.spawn().expect("start the accord binary");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http(addr, "GET", "/readyz", &[], "").await {
                if r.status == 200 {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "accord did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Server { child, addr }
    }

    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    fn kill(mut self) {
        // SIGKILL: no shutdown, no flushing; whatever was committed must be all there is.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const JSON: (&str, &str) = ("Accept", "application/json");
const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn sign_in(addr: SocketAddr, email: &str, password: &str, client: &str) -> HttpReply {
    let body = format!("email={}&password={}", enc(email), enc(password));
    http(addr, "POST", "/api/sign_in", &[JSON, FORM, ("X-Forwarded-For", client)], &body)
        .await
        .unwrap()
}

async fn partner_link(db: &Db, name: &str) -> String {
    let slug = name.to_lowercase().replace(' ', "");
    let created = accounts::sign_up_partner(
        db,
        PartnerSignUp {
            org_name: name.into(),
            country: "US".into(),
            cloud: "public".into(),
            program: "direct".into(),
            partner_id: String::new(),
            admin_name: "Pat".into(),
            email: format!("pat@{slug}.example"),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    let p = handshake::partner(db, &created.org_id).await.unwrap().unwrap();
    handshake::invitation_link(&p, KEY.as_bytes(), "http://accord.test", true)
        .unwrap()
        .split_once('?')
        .unwrap()
        .1
        .to_string()
}

async fn customer(db: &Db, domain: &str) -> String {
    accounts::sign_up_customer(
        db,
        "public".parse().unwrap(),
        CustomerSignUp {
            company: format!("Customer {domain}"),
            domain: domain.into(),
            country: "US".into(),
            admin_name: "Cam".into(),
            email: format!("admin@{domain}"),
            password: PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    format!("admin@{domain}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_through_a_burst_of_sign_ins() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("accord.db").display());
    {
        let db = Db::connect(&url).await.unwrap();
        partner_link(&db, "Contoso").await;
    }
    let server = Server::start(&url, dir.path(), &[]).await;
    // Warm up: the first sign-ins set up the runtime's threads and the database pools.
    for i in 0..4 {
        sign_in(server.addr, "pat@contoso.example", PASSWORD, &format!("10.0.0.{i}")).await;
    }
    let idle = server.rss_kib();
    let addr = server.addr;
    let burst: Vec<_> = (0..200)
        .map(|i| {
            tokio::spawn(async move {
                // Half right, half wrong, each from its own client.
                let password = if i % 2 == 0 { PASSWORD } else { "wrong-password-123" };
                let client = format!("10.1.{}.{}", i / 250, i % 250);
                (i % 2 == 0, sign_in(addr, "pat@contoso.example", password, &client).await.status)
            })
        })
        .collect();
    let mut peak = idle;
    let started = Instant::now();
    while burst.iter().any(|t| !t.is_finished()) {
        peak = peak.max(server.rss_kib());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut statuses = std::collections::BTreeMap::new();
    for t in burst {
        let (right, status) = t.await.unwrap();
        // A right password gets in or, when the hashing queue is too long, is told to try
        // again (429); a wrong one is refused or told the same. Never a 5xx.
        let expected: &[u16] = if right { &[200, 429] } else { &[401, 429] };
        assert!(expected.contains(&status), "right password: {right}, status {status}");
        *statuses.entry((right, status)).or_insert(0) += 1;
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = server.rss_kib();
    println!(
        "200 concurrent sign-ins in {took:?}: answers {statuses:?}; resident memory idle {} MB, \
         peak {} MB, 2 s after {} MB",
        idle / 1024,
        peak / 1024,
        after / 1024
    );
    assert!(statuses.contains_key(&(true, 200)), "{statuses:?}");
    assert!(peak < 128 * 1024, "peak {} MB", peak / 1024);
    assert!(after < idle + 24 * 1024, "memory did not come back: idle {idle} kB, after {after} kB");
}
