//! The server binary as it runs in production, as a child process on a free port, and the
//! plain requests the process tests send it.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{http, HttpReply};

pub const PASSWORD: &str = "process-test-password";
pub const KEY: &str = "process-test-key-process-test-key-0123";

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `accord` on a free port with `database_url`, and waits until it is ready.
    pub async fn start(
        database_url: &str,
        data_dir: &std::path::Path,
        extra: &[(&str, &str)],
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        // `ACCORD_TEST_BINARY` runs the tests against another build (an older version, to
        // measure what a change did).
        let binary = std::env::var("ACCORD_TEST_BINARY")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_accord").to_string());
        let mut command = Command::new(binary);
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
        wait_until(
            "accord did not become ready",
            Duration::from_secs(30),
            || async move {
                matches!(http(addr, "GET", "/readyz", &[], "").await, Ok(r) if r.status == 200)
            },
        )
        .await;
        Server { child, addr }
    }

    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    pub fn kill(mut self) {
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

pub const JSON: (&str, &str) = ("Accept", "application/json");
pub const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// Asks `done` every 50 ms until it answers true; fails the test with `what` once `within`
/// has passed.
pub async fn wait_until<F, Fut>(what: &str, within: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !done().await {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub async fn sign_in(addr: SocketAddr, email: &str, password: &str, client: &str) -> HttpReply {
    sign_in_with(addr, email, password, client, None).await
}

/// A sign-in from `client` (its address, told by `X-Forwarded-For`) that sends `cookie`.
pub async fn sign_in_with(
    addr: SocketAddr,
    email: &str,
    password: &str,
    client: &str,
    cookie: Option<&str>,
) -> HttpReply {
    let body = format!("email={}&password={}", enc(email), enc(password));
    let mut headers = vec![JSON, FORM, ("X-Forwarded-For", client)];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    http(addr, "POST", "/api/sign_in", &headers, &body)
        .await
        .unwrap()
}

/// The device cookie a sign-in's answer sets, as a `Cookie` header value.
pub fn device_cookie(reply: &HttpReply) -> Option<String> {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap_or_default())
        .find(|c| c.starts_with("accord_device="))
        .map(str::to_string)
}
