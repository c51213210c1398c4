#![cfg(all(feature = "ssr", target_os = "linux"))]
//! The server binary as it runs in production, as a child process: resident memory through
//! a burst of 200 concurrent sign-ins, SIGKILL in the middle of a stream of acceptances
//! (several times, on SQLite and PostgreSQL), SIGKILL between an event's commit and its
//! webhook delivery, 16 concurrent exports of long activity logs, and two instances sharing
//! one PostgreSQL database.

mod common;

use std::time::{Duration, Instant};

use accord::server::Db;
use common::http;

use common::server::{
    device_cookie, enc, sign_in, sign_in_with, wait_until, Server, FORM, JSON, KEY, PASSWORD,
};

async fn partner_link(db: &Db, name: &str) -> String {
    common::partner_with_link(db, name, PASSWORD, KEY.as_bytes()).await
}

async fn customer(db: &Db, domain: &str) -> String {
    common::customer_org(db, domain, PASSWORD).await;
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
    let mut device = None;
    for i in 0..4 {
        let reply = sign_in(
            server.addr,
            "pat@contoso.example",
            PASSWORD,
            &format!("10.0.0.{i}"),
        )
        .await;
        device = device_cookie(&reply);
    }
    let device = device.expect("a sign-in sets the device cookie");
    let idle = server.rss_kib();
    let addr = server.addr;
    let burst: Vec<_> = (0..200)
        .map(|i| {
            let device = device.clone();
            tokio::spawn(async move {
                // Half right (the owner's browser, which the account knows, so the account's
                // ceiling on guesses does not hold it back), half wrong (guesses at accounts
                // that do not exist, each costing a hash all the same), each from its own
                // client.
                let client = format!("10.1.{}.{}", i / 250, i % 250);
                let reply = if i % 2 == 0 {
                    let cookie = Some(device.as_str());
                    sign_in_with(addr, "pat@contoso.example", PASSWORD, &client, cookie).await
                } else {
                    let email = format!("nobody-{i}@contoso.example");
                    sign_in(addr, &email, "wrong-password-123", &client).await
                };
                (i % 2 == 0, reply.status)
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
        assert!(
            expected.contains(&status),
            "right password: {right}, status {status}"
        );
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
    assert!(
        after < idle + 24 * 1024,
        "memory did not come back: idle {idle} kB, after {after} kB"
    );
}

/// The activity export streams: 16 concurrent exports of logs of over 100,000 entries
/// (four organizations, four requests each) keep the process under 128 MB; one export per
/// organization runs at a time (the others are told when to come back), and each file
/// holds every entry of its log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_stream_in_bounded_memory() {
    const ENTRIES: i64 = 100_500;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("accord.db").display());
    let mut logs = Vec::new();
    {
        let db = Db::connect(&url).await.unwrap();
        for i in 0..4 {
            let name = format!("Exporter {i}");
            partner_link(&db, &name).await;
            let org: String = sqlx::query_scalar("SELECT id FROM partner_orgs WHERE name = $1")
                .bind(&name)
                .fetch_one(&db.pool)
                .await
                .unwrap();
            sqlx::query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
                 INSERT INTO activity (id, at, actor_user_id, actor_name, partner_org_id,
                                       customer_org_id, action, detail)
                 SELECT $1 || '-' || i, 1700000000 + i, NULL, 'Bulk Loader', $1, NULL,
                        'link.rotated', '{\"by\":\"Bulk Loader\"}'
                 FROM n",
            )
            .bind(&org)
            .bind(ENTRIES)
            .execute(&db.pool)
            .await
            .unwrap();
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM activity WHERE partner_org_id = $1")
                    .bind(&org)
                    .fetch_one(&db.pool)
                    .await
                    .unwrap();
            logs.push((format!("pat@exporter{i}.example"), total));
        }
    }
    let server = Server::start(&url, dir.path(), &[]).await;
    let mut cookies = Vec::new();
    for (i, (email, _)) in logs.iter().enumerate() {
        let reply = sign_in(server.addr, email, PASSWORD, &format!("10.2.0.{i}")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        cookies.push(reply.cookie().unwrap());
    }
    let idle = server.rss_kib();
    let addr = server.addr;
    let exports: Vec<_> = (0..16)
        .map(|i| {
            let cookie = cookies[i % 4].clone();
            tokio::spawn(async move {
                let reply = http(addr, "GET", "/activity.csv", &[("Cookie", &cookie)], "")
                    .await
                    .unwrap();
                (i % 4, reply)
            })
        })
        .collect();
    let mut peak = idle;
    let started = Instant::now();
    while exports.iter().any(|t| !t.is_finished()) {
        peak = peak.max(server.rss_kib());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    let mut files = 0;
    let mut refused = 0;
    for t in exports {
        let (org, reply) = t.await.unwrap();
        match reply.status {
            200 => {
                files += 1;
                let lines = reply.body.trim_end_matches("\r\n").split("\r\n").count() as i64;
                assert_eq!(lines, logs[org].1 + 1, "every entry and the header");
            }
            429 => {
                refused += 1;
                assert!(reply.header("retry-after").is_some());
            }
            other => panic!("export answered {other}: {}", reply.body),
        }
    }
    println!(
        "16 concurrent exports of {ENTRIES}+ entries in {took:?}: {files} files, {refused} told \
         to come back; resident memory idle {} MB, peak {} MB",
        idle / 1024,
        peak / 1024
    );
    assert!(files >= 4, "one export per organization runs");
    assert!(peak < 128 * 1024, "peak {} MB", peak / 1024);
}

/// The test databases of this file: a SQLite file in `dir`, or a fresh PostgreSQL database.
async fn database(kind: &str, dir: &std::path::Path) -> (String, Option<common::TestDb>) {
    match kind {
        "sqlite" => (format!("sqlite:{}", dir.join("accord.db").display()), None),
        _ => {
            let test_db = common::postgres().await;
            (test_db.url.clone(), Some(test_db))
        }
    }
}

fn accept_form(invitation: &str) -> String {
    format!(
        "invitation={}&first_name=Casey&last_name=Customer&signer_email=casey%40example.com\
         &phone=&acknowledge=on",
        enc(invitation)
    )
}

async fn one(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&db.pool).await.unwrap();
    n
}

/// SIGKILL in the middle of a stream of acceptances from many organizations, several times:
/// every acceptance that was answered with success is there after the restart, and no
/// partial state exists anywhere.
async fn crash_mid_stream(kind: &str) {
    const ITERATIONS: usize = 4;
    const ORGS: usize = 12;
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = database(kind, dir.path()).await;
    let db = Db::connect(&url).await.unwrap();
    let invitation = partner_link(&db, "Contoso").await;
    let mut acknowledged_total = 0;
    for iteration in 0..ITERATIONS {
        let mut emails = Vec::new();
        for i in 0..ORGS {
            emails.push(customer(&db, &format!("crash{iteration}x{i}.onmicrosoft.com")).await);
        }
        let server = Server::start(&url, dir.path(), &[]).await;
        let addr = server.addr;
        let mut cookies = Vec::new();
        for (i, email) in emails.iter().enumerate() {
            let r = sign_in(addr, email, PASSWORD, &format!("10.9.{iteration}.{i}")).await;
            cookies.push(r.cookie().expect("signed in"));
        }
        let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel();
        for (i, cookie) in cookies.into_iter().enumerate() {
            let (form, acked_tx, email) = (
                accept_form(&invitation),
                acked_tx.clone(),
                emails[i].clone(),
            );
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(8 * i as u64)).await;
                let headers = [JSON, FORM, ("Cookie", cookie.as_str())];
                if let Ok(r) = http(addr, "POST", "/api/accept_invitation", &headers, &form).await {
                    if r.status == 200 && r.header("location").is_some() {
                        let _ = acked_tx.send(email);
                    }
                }
            });
        }
        drop(acked_tx);
        // Kill the server once a few acceptances are acknowledged (more each time), with the
        // rest in flight or not sent yet.
        let mut acknowledged = Vec::new();
        while acknowledged.len() < 2 + iteration {
            acknowledged.push(acked_rx.recv().await.expect("acceptances answered"));
        }
        server.kill();
        while let Some(email) = acked_rx.recv().await {
            acknowledged.push(email);
        }
        // Restarted, the server must come up on what the crash left.
        let server = Server::start(&url, dir.path(), &[]).await;
        for email in &acknowledged {
            let domain = email.split('@').nth(1).unwrap();
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM relationships r JOIN customer_orgs c ON c.id = r.customer_org_id
                 WHERE c.domain = $1",
            )
            .bind(domain)
            .fetch_one(&db.pool)
            .await
            .unwrap();
            assert_eq!(n, 1, "acknowledged acceptance of {domain} lost");
        }
        let partial = [
            (
                "relationship without its activity entry",
                one(&db, "SELECT COUNT(*) FROM relationships r WHERE NOT EXISTS (
                    SELECT 1 FROM activity a WHERE a.customer_org_id = r.customer_org_id
                      AND a.partner_org_id = r.partner_org_id AND a.action = 'relationship.established')").await,
            ),
            (
                "DAP grant without relationship",
                one(&db, "SELECT COUNT(*) FROM dap_grants d WHERE NOT EXISTS (
                    SELECT 1 FROM relationships r WHERE r.partner_org_id = d.partner_org_id
                      AND r.customer_org_id = d.customer_org_id)").await,
            ),
            (
                "relationship without DAP grants",
                one(&db, "SELECT COUNT(*) FROM relationships r WHERE NOT EXISTS (
                    SELECT 1 FROM dap_grants d WHERE d.partner_org_id = r.partner_org_id
                      AND d.customer_org_id = r.customer_org_id)").await,
            ),
            (
                "relationship without agreement acceptance",
                one(&db, "SELECT COUNT(*) FROM relationships r WHERE NOT EXISTS (
                    SELECT 1 FROM agreement_acceptances a WHERE a.customer_org_id = r.customer_org_id)").await,
            ),
            (
                "acceptance without signer",
                one(&db, "SELECT COUNT(*) FROM agreement_acceptances
                          WHERE signer_first_name = '' OR signer_last_name = '' OR signer_email = ''").await,
            ),
        ];
        for (what, n) in partial {
            assert_eq!(n, 0, "{kind}, iteration {iteration}: {n} × {what}");
        }
        let present = one(&db, "SELECT COUNT(*) FROM relationships").await;
        println!(
            "{kind} crash {}: {} accepts sent, {} acknowledged before or after SIGKILL, all present; \
             {present} relationships in all, no partial state",
            iteration + 1,
            ORGS,
            acknowledged.len()
        );
        acknowledged_total += acknowledged.len();
        drop(server);
    }
    println!(
        "{kind}: {ITERATIONS} crashes, {acknowledged_total} acknowledged acceptances verified"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_lose_nothing_acknowledged_on_sqlite() {
    crash_mid_stream("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_lose_nothing_acknowledged_on_postgres() {
    crash_mid_stream("postgres").await;
}

/// SIGKILL after an acceptance is committed and while its webhook deliveries are in flight
/// (the endpoint takes them and never answers): after the restart each event arrives at the
/// endpoint, now answering, exactly once and signed.
async fn webhooks_survive_a_crash(kind: &str) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::AsyncReadExt;
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = database(kind, dir.path()).await;
    let db = Db::connect(&url).await.unwrap();
    let invitation = partner_link(&db, "Contoso").await;
    let admin = accord::server::identity::accounts::authenticate(
        &db,
        "pat@contoso.example",
        PASSWORD.into(),
    )
    .await
    .unwrap();
    let admin = accord::server::identity::accounts::viewer(&db, &admin)
        .await
        .unwrap()
        .unwrap();

    // An endpoint that reads requests and never answers them.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = hanging.local_addr().unwrap();
    let hook = accord::server::integrations::webhooks::create(
        &db,
        &accord::server::integrations::webhooks::Settings {
            allow_private: true,
            ..Default::default()
        },
        &admin,
        &format!("http://{endpoint}/hook"),
        accord::server::integrations::webhooks::EVENTS,
    )
    .await
    .unwrap();
    let requests = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    let hang = tokio::spawn(async move {
        let mut open = Vec::new();
        loop {
            let (mut socket, _) = hanging.accept().await.unwrap();
            let counted = counted.clone();
            open.push(tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let mut text = String::new();
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if text.contains("webhook-signature") && text.contains("\r\n\r\n{") {
                        counted.fetch_add(1, Ordering::SeqCst);
                        text.clear();
                    }
                }
            }));
        }
    });
    let webhook_env = [
        ("ACCORD_WEBHOOKS_ALLOW_PRIVATE", "1"),
        ("ACCORD_WEBHOOKS_TIMEOUT_MS", "1500"),
        ("ACCORD_WEBHOOKS_RETRY_BASE_MS", "100"),
    ];
    let server = Server::start(&url, dir.path(), &webhook_env).await;
    let email = customer(&db, "crashhook.onmicrosoft.com").await;
    let cookie = sign_in(server.addr, &email, PASSWORD, "10.7.0.1")
        .await
        .cookie()
        .expect("signed in");
    let r = http(
        server.addr,
        "POST",
        "/api/accept_invitation",
        &[JSON, FORM, ("Cookie", cookie.as_str())],
        &accept_form(&invitation),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    // Both deliveries (relationship.established, dap.granted) are in flight: kill.
    let sent = &requests;
    wait_until(
        "the deliveries were not sent",
        Duration::from_secs(20),
        || async move { sent.load(Ordering::SeqCst) >= 2 },
    )
    .await;
    server.kill();
    hang.abort();
    let _ = hang.await;
    let pending = one(
        &db,
        "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'",
    )
    .await;
    assert_eq!(
        pending, 2,
        "{kind}: nothing was acknowledged before the crash"
    );

    // The endpoint answers now; the restarted server delivers what the crash interrupted.
    let receiver = common::Receiver::start(endpoint).await;
    let server = Server::start(&url, dir.path(), &webhook_env).await;
    let delivered = &receiver;
    wait_until(
        &format!("{kind}: not delivered after the restart"),
        Duration::from_secs(40),
        || async move { delivered.received().len() >= 2 },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got = receiver.received();
    let secret = accord::server::integrations::webhooks::endpoint(&db, &admin.org_id, &hook)
        .await
        .unwrap()
        .unwrap()
        .secret;
    let mut ids: Vec<String> = got
        .iter()
        .map(|r| {
            standardwebhooks::Webhook::new(&secret)
                .unwrap()
                .verify(r.body.as_bytes(), &r.headers)
                .expect("signed");
            r.headers["webhook-id"].to_str().unwrap().to_string()
        })
        .collect();
    ids.sort();
    let mut expected: Vec<String> =
        sqlx::query_scalar("SELECT message_id FROM webhook_deliveries WHERE state = 'delivered'")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    expected.sort();
    assert_eq!(ids.len(), 2, "{kind}: each event exactly once, got {ids:?}");
    assert_eq!(
        ids, expected,
        "{kind}: the deliveries of the committed events"
    );
    println!("{kind}: killed with 2 deliveries in flight; both delivered once after the restart");
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_survive_a_crash_on_sqlite() {
    webhooks_survive_a_crash("sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_survive_a_crash_on_postgres() {
    webhooks_survive_a_crash("postgres").await;
}

/// Two instances on one PostgreSQL database: a session from one is valid on the other, a
/// link minted by one verifies on the other, an acceptance through one shows on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_postgres_database() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _pg) = database("postgres", dir.path()).await;
    let db = Db::connect(&url).await.unwrap();
    partner_link(&db, "Contoso").await;
    let email = customer(&db, "fabrikam.onmicrosoft.com").await;
    let (a, b) = (
        Server::start(&url, dir.path(), &[]).await,
        Server::start(&url, dir.path(), &[]).await,
    );
    let html = [("Accept", "text/html")];

    // A partner signs in on A; B knows the session.
    let partner = sign_in(a.addr, "pat@contoso.example", PASSWORD, "10.2.0.1").await;
    let partner_cookie = partner.cookie().unwrap();
    let on_b = http(
        b.addr,
        "GET",
        "/partner/customers",
        &[html[0], ("Cookie", &partner_cookie)],
        "",
    )
    .await
    .unwrap();
    assert_eq!(on_b.status, 200, "session of A refused by B: {on_b:?}");

    // A mints the invitation link; B verifies it.
    let r = http(
        a.addr,
        "POST",
        "/api/relationship_request",
        &[JSON, FORM, ("Cookie", &partner_cookie)],
        "dap=true",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{r:?}");
    let url_start = r
        .body
        .find("http://accord.test")
        .expect("link in the draft");
    let link: String = r.body[url_start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let link = link.replace("\\u0026", "&");
    let path = link.trim_start_matches("http://accord.test");
    let page = http(b.addr, "GET", path, &html, "").await.unwrap();
    assert_eq!(page.status, 200, "link of A refused by B: {}", page.status);
    assert!(page.body.contains("Contoso"));

    // The customer signs in on B and accepts through A; B's Customers page shows it.
    let customer_cookie = sign_in(b.addr, &email, PASSWORD, "10.2.0.2")
        .await
        .cookie()
        .unwrap();
    let invitation = path.split_once('?').unwrap().1;
    let r = http(
        a.addr,
        "POST",
        "/api/accept_invitation",
        &[JSON, FORM, ("Cookie", &customer_cookie)],
        &accept_form(invitation),
    )
    .await
    .unwrap();
    assert!(
        r.status == 200 && r.header("location").unwrap().contains("done=accepted"),
        "{r:?}"
    );
    let customers = http(
        b.addr,
        "GET",
        "/partner/customers",
        &[html[0], ("Cookie", &partner_cookie)],
        "",
    )
    .await
    .unwrap();
    assert!(
        customers.body.contains("fabrikam.onmicrosoft.com"),
        "B does not show the acceptance made through A"
    );
    println!("two instances on one PostgreSQL database: session, link and acceptance shared");
}
