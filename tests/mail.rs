#![cfg(feature = "ssr")]
//! Mail, against a real SMTP server (`scripts/smtp-sink`, aiosmtpd): the outbox retries while
//! the server is down and delivers each mail once when it is back, two instances on one
//! database never send a mail twice, a SIGKILL with mails in flight loses none; without SMTP
//! mails are files the operator CLI lists and shows; password reset links work once, for an
//! hour, and end every session; user text stays on one header line.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use accord::domain::Problem;
use accord::error::AppError;
use accord::i18n::Locale;
use accord::server::events::mail_outbox::{self, Letter};
use accord::server::identity::{accounts, recovery, users};
use accord::server::platform::mail::{MailSettings, Postman};
use accord::server::Db;
use common::smtp::{free_port, SmtpSink};

fn settings(smtp_url: Option<String>, dir: &Path) -> MailSettings {
    let mut s = MailSettings::from_env(|_| None, "http://accord.test", dir.to_path_buf()).unwrap();
    s.smtp_url = smtp_url;
    s.retry_base = Duration::from_millis(50);
    s.timeout = Duration::from_secs(5);
    s.poll = Duration::from_millis(20);
    s
}

fn letter(n: usize, to: &str) -> Letter {
    Letter {
        kind: "test",
        user_id: None,
        to_address: to.to_string(),
        to_name: format!("Reader {n}"),
        locale: Locale::en,
        subject: format!("Test mail {n}"),
        paragraphs: vec![format!("This is mail number {n}.")],
        action: Some(("Open".into(), format!("http://accord.test/{n}"))),
        footer: "Sent by a test.".into(),
    }
}

/// Queues `n` mails, each in its own transaction; answers their ids.
async fn queue(db: &Db, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut tx = db.begin_write().await.unwrap();
        ids.push(
            mail_outbox::enqueue(&mut tx, &letter(i, &format!("reader{i}@example.com")))
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    ids
}

async fn in_state(db: &Db, state: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE state = $1")
        .bind(state)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

/// The Message-IDs the outbox gave the mails `ids`.
fn message_ids(ids: &[String]) -> HashSet<String> {
    ids.iter().map(|id| format!("<{id}@accord.mail>")).collect()
}

/// Runs `postman` until nothing is pending (within `within`).
async fn send_all(postman: &Postman, db: &Db, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    while in_state(db, "pending").await > 0 {
        assert!(std::time::Instant::now() < deadline, "mails still pending");
        postman.send_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

/// While the SMTP server is down, each attempt fails and the mail waits for the next one; once
/// the server is back every mail arrives exactly once, with the Message-ID it was given.
async fn retried_until_the_server_is_back(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let postman = Postman::new(
        db.clone(),
        settings(Some(format!("smtp://127.0.0.1:{port}")), dir.path()),
    )
    .unwrap();
    let ids = queue(db, 3).await;
    assert_eq!(postman.send_due().await.unwrap(), 3);
    assert_eq!(
        in_state(db, "pending").await,
        3,
        "failed attempts are retried"
    );
    let errors: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT attempts, last_error FROM mail_outbox")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    for (attempts, error) in errors {
        assert_eq!(attempts, 1);
        assert!(error.unwrap().starts_with("smtp:"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    postman.send_due().await.unwrap();

    let sink = SmtpSink::start(port, &dir.path().join("received"));
    send_all(&postman, db, Duration::from_secs(20)).await;
    let got = sink.received();
    assert_eq!(got.len(), 3, "each mail once");
    let received: HashSet<String> = got.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(received, message_ids(&ids));
    assert_eq!(in_state(db, "sent").await, 3);
    let first = got.iter().find(|m| m.subject == "Test mail 0").unwrap();
    assert_eq!(first.rcpt_to, vec!["reader0@example.com"]);
    assert_eq!(first.to, "Reader 0 <reader0@example.com>");
    assert!(first
        .text
        .as_deref()
        .unwrap()
        .contains("Open:\nhttp://accord.test/0"));
    assert!(first
        .html
        .as_deref()
        .unwrap()
        .contains("href=\"http://accord.test/0\""));
}

/// Two instances sending from one database: every mail arrives, none twice.
async fn two_instances_never_send_a_mail_twice(db: &Db, url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(free_port(), &dir.path().join("received"));
    let ids = queue(db, 40).await;
    let other = Db::connect(url).await.unwrap();
    let one = Postman::new(db.clone(), settings(Some(sink.url()), dir.path())).unwrap();
    let two = Postman::new(other.clone(), settings(Some(sink.url()), dir.path())).unwrap();
    tokio::join!(
        send_all(&one, db, Duration::from_secs(30)),
        send_all(&two, &other, Duration::from_secs(30)),
    );
    let got = sink.wait_for(40, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_now = sink.received();
    assert_eq!(got_now.len(), 40, "{} mails for 40", got_now.len());
    let received: HashSet<String> = got.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(received, message_ids(&ids));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_sqlite() {
    let db = common::sqlite().await;
    two_instances_never_send_a_mail_twice(&db.db, &db.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_postgres() {
    let db = common::postgres().await;
    two_instances_never_send_a_mail_twice(&db.db, &db.url).await;
}

/// Without `ACCORD_SMTP_URL` mails are `.eml` files; the operator lists and reads them, sees
/// a mail that cannot be sent as failed (with why), and can queue it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mails_are_files_the_operator_reads() {
    use accord::server::cli::operate_on;
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let s = settings(None, dir.path());
    let postman = Postman::new(db.db.clone(), s.clone()).unwrap();
    let ids = queue(&db, 2).await;
    let mut tx = db.begin_write().await.unwrap();
    let bad = mail_outbox::enqueue(&mut tx, &letter(9, "not an address@@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    postman.send_due().await.unwrap();
    for id in &ids {
        let eml = std::fs::read_to_string(dir.path().join("mail").join(format!("{id}.eml")))
            .expect("the mail is a file");
        assert!(
            eml.contains(&format!("Message-ID: <{id}@accord.mail>")),
            "{eml}"
        );
    }
    assert_eq!(in_state(&db, "sent").await, 2);
    assert_eq!(
        in_state(&db, "failed").await,
        1,
        "a bad address fails at once"
    );

    let mut config =
        (*common::state(&db, "target/site", vec![], Default::default()).config).clone();
    config.mail = s;
    let list = operate_on(&db, &config, &["mail", "list"]).await.unwrap();
    for id in ids.iter().chain([&bad]) {
        assert!(list.contains(id.as_str()), "{list}");
    }
    let failed = operate_on(&db, &config, &["mail", "list", "failed"])
        .await
        .unwrap();
    assert!(
        failed.contains(&bad) && !failed.contains(&ids[0]),
        "{failed}"
    );
    assert!(failed.contains("address:"), "{failed}");
    let shown = operate_on(&db, &config, &["mail", "show", &ids[0][..8]])
        .await
        .unwrap();
    assert!(
        shown.contains(&format!("Message-ID: <{}@accord.mail>", ids[0])),
        "{shown}"
    );
    assert!(shown.contains("This is mail number"), "{shown}");
    let refused = operate_on(&db, &config, &["mail", "retry", &ids[0]])
        .await
        .unwrap_err();
    assert!(refused.contains("not failed"), "{refused}");
    let retried = operate_on(&db, &config, &["mail", "retry", &bad])
        .await
        .unwrap();
    assert!(retried.contains("queued again"), "{retried}");
    assert_eq!(in_state(&db, "pending").await, 1);
    let unknown = operate_on(&db, &config, &["mail", "show", "ffffffff"])
        .await
        .unwrap_err();
    assert!(unknown.contains("No mail"), "{unknown}");
}

/// Names and subjects with line breaks, or 2,000 characters long, stay one header line: the
/// mail goes to its one recipient and nobody else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_text_never_becomes_a_header() {
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(free_port(), &dir.path().join("received"));
    let postman = Postman::new(db.db.clone(), settings(Some(sink.url()), dir.path())).unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let evil = Letter {
        to_name: "Eve\r\nBcc: victim@example.com".into(),
        subject: format!("Hi\r\nBcc: victim@example.com\r\n{}", "x".repeat(2000)),
        paragraphs: vec!["<img src=x onerror=alert(1)>".into()],
        ..letter(1, "eve@example.com")
    };
    mail_outbox::enqueue(&mut tx, &evil).await.unwrap();
    tx.commit().await.unwrap();
    send_all(&postman, &db, Duration::from_secs(10)).await;
    let got = sink.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(
        got[0].rcpt_to,
        vec!["eve@example.com"],
        "no other recipient"
    );
    assert_eq!(
        got[0].to,
        "\"Eve Bcc: victim@example.com\" <eve@example.com>"
    );
    assert!(got[0].subject.starts_with("Hi Bcc: victim@example.com xxx"));
    assert_eq!(got[0].subject.chars().count(), 200);
    let html = got[0].html.as_deref().unwrap();
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img"));
}

/// The token of the set-password link in a mail's text.
fn token_in(text: &str) -> String {
    let at = text.find("token=").expect("a link in the mail") + "token=".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn mails_of(db: &Db, kind: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT to_address, subject, body_text FROM mail_outbox WHERE kind = $1
         ORDER BY created_at, next_attempt_ms",
    )
    .bind(kind)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

/// "Forgot password?": nothing for an unknown address; for a known one a link that works
/// once, for an hour, in the language it was asked in; using it ends every session and
/// mails the user that the password changed; asking again ends the earlier link.
async fn reset_links_work_once(db: &Db) {
    let created = accounts::sign_up_partner(
        db,
        common::partner_sign_up("Contoso", "pat@contoso.example", "first-password-1"),
    )
    .await
    .unwrap();
    let out = accord::server::identity::mails::Outgoing {
        public_url: "http://accord.test",
        locale: Locale::zh_CN,
    };
    recovery::request_reset(db, "nobody@contoso.example", out)
        .await
        .unwrap();
    assert_eq!(common::count(db, "mail_outbox").await, 0);
    assert_eq!(
        recovery::request_reset(db, "not an address", out)
            .await
            .unwrap_err(),
        AppError::Invalid(Problem::EmailFormat)
    );
    recovery::request_reset(db, " PAT@contoso.example ", out)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    recovery::request_reset(db, "pat@contoso.example", out)
        .await
        .unwrap();
    let resets = mails_of(db, "password_reset").await;
    assert_eq!(resets.len(), 2);
    assert_eq!(resets[0].0, "pat@contoso.example");
    assert_eq!(
        resets[0].1, "重置你的 Accord 密码",
        "in the language it was asked in"
    );
    let (old, token) = (token_in(&resets[0].2), token_in(&resets[1].2));
    assert!(resets[1]
        .2
        .contains("http://accord.test/set-password?token="));
    assert_eq!(
        users::set_password(db, &old, "second-password-2".into(), common::outgoing())
            .await
            .unwrap_err(),
        AppError::Invalid(Problem::PasswordLink),
        "asking again ends the earlier link"
    );
    let epoch = accounts::session_epoch(db, &created.user_id).await.unwrap();
    let (user, new_epoch) =
        users::set_password(db, &token, "second-password-2".into(), common::outgoing())
            .await
            .unwrap();
    assert_eq!(user, created.user_id);
    assert!(new_epoch > epoch, "every earlier session ends");
    assert!(
        accounts::authenticate(db, "pat@contoso.example", "second-password-2".into())
            .await
            .is_ok()
    );
    assert_eq!(
        users::set_password(db, &token, "third-password-3".into(), common::outgoing())
            .await
            .unwrap_err(),
        AppError::Invalid(Problem::PasswordLink),
        "a link works once"
    );
    let changed = mails_of(db, "password_changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].1, "Your Accord password was changed");

    // An hour later the link no longer works.
    tokio::time::sleep(Duration::from_millis(5)).await;
    recovery::request_reset(db, "pat@contoso.example", out)
        .await
        .unwrap();
    let late = token_in(&mails_of(db, "password_reset").await[2].2);
    let expires: i64 = sqlx::query_scalar(
        "SELECT expires_at - created_at FROM password_links WHERE used_at IS NULL AND purpose = 'reset'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(expires, 3600);
    sqlx::query("UPDATE password_links SET expires_at = expires_at - 3601 WHERE used_at IS NULL")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        users::set_password(db, &late, "fourth-password-4".into(), common::outgoing())
            .await
            .unwrap_err(),
        AppError::Invalid(Problem::PasswordLink)
    );
}

/// The operator's `accord users reset <email>` mails a link in the account's own language.
async fn the_operator_mails_a_reset_link(db: &Db) {
    use accord::server::cli::operate_on;
    accounts::sign_up_partner(
        db,
        common::partner_sign_up("Contoso", "pat@contoso.example", "first-password-1"),
    )
    .await
    .unwrap();
    let config = common::state(db, "target/site", vec![], Default::default()).config;
    let said = operate_on(db, &config, &["users", "reset", "pat@contoso.example"])
        .await
        .unwrap();
    assert!(
        said.contains("Pat Partner") && said.contains("one hour"),
        "{said}"
    );
    let unknown = operate_on(db, &config, &["users", "reset", "who@contoso.example"])
        .await
        .unwrap_err();
    assert!(unknown.contains("No account"), "{unknown}");
    let resets = mails_of(db, "password_reset").await;
    assert_eq!(resets.len(), 1);
    assert_eq!(resets[0].1, "Reset your Accord password");
}

/// A user added by an admin is mailed their set-password link.
async fn added_users_get_their_link_by_mail(db: &Db) {
    let created = accounts::sign_up_partner(
        db,
        common::partner_sign_up("Contoso", "pat@contoso.example", "first-password-1"),
    )
    .await
    .unwrap();
    let admin = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    let zh_tw = accord::server::identity::mails::Outgoing {
        public_url: "http://accord.test",
        locale: Locale::zh_TW,
    };
    let added = users::add(
        db,
        &admin,
        "林小美",
        "mei@contoso.example",
        "admin_agent",
        zh_tw,
    )
    .await
    .unwrap();
    let mails = mails_of(db, "user_added").await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "mei@contoso.example");
    assert_eq!(mails[0].1, "您已被新增至 Accord 中的 Contoso");
    assert!(mails[0].2.contains("系統管理代理人"), "{}", mails[0].2);
    assert_eq!(
        token_in(&mails[0].2),
        added.token,
        "the link the admin was shown"
    );
}

on_both_databases! {
    retries => retried_until_the_server_is_back;
    reset => reset_links_work_once;
    operator_reset => the_operator_mails_a_reset_link;
    added => added_users_get_their_link_by_mail;
}

/// SIGKILL of the server binary with mails in flight, on both databases: after a restart
/// every mail arrives; the few whose attempt the crash cut short may arrive twice, with the
/// same Message-ID (receivers see one mail), never more than the mails sent at once.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_with_mails_in_flight_loses_none() {
    use common::server::{wait_until, Server};
    const MAILS: usize = 400;
    for postgres in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (db, _keep) = match postgres {
            false => {
                let db = common::sqlite().await;
                (db.db.clone(), db)
            }
            true => {
                let db = common::postgres().await;
                (db.db.clone(), db)
            }
        };
        let url = _keep.url.clone();
        let ids = queue(&db, MAILS).await;
        let sink = SmtpSink::start(free_port(), &dir.path().join("received"));
        let env = [
            ("ACCORD_SMTP_URL", sink.url()),
            ("ACCORD_MAIL_TIMEOUT_MS", "1000".to_string()),
            ("ACCORD_MAIL_RETRY_BASE_MS", "100".to_string()),
        ];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let server = Server::start(&url, dir.path(), &env).await;
        let sink_ref = &sink;
        wait_until("no mail was sent", Duration::from_secs(30), || async move {
            sink_ref.received().len() >= 20
        })
        .await;
        server.kill();
        let at_crash = sink.received().len();
        assert!(at_crash < MAILS, "the crash came with mails still to send");

        let server = Server::start(&url, dir.path(), &env).await;
        let db_ref = &db;
        wait_until(
            "mails still pending after the restart",
            Duration::from_secs(60),
            || async move { in_state(db_ref, "pending").await == 0 },
        )
        .await;
        drop(server);
        let got = sink.received();
        let received: HashSet<String> = got.iter().map(|m| m.message_id.clone()).collect();
        assert_eq!(
            received,
            message_ids(&ids),
            "every mail arrived (postgres: {postgres})"
        );
        let twice = got.len() - MAILS;
        assert!(
            twice <= 8,
            "{twice} mails sent twice, more than were in flight (postgres: {postgres})"
        );
        println!("postgres: {postgres}: {at_crash} of {MAILS} mails sent at the crash, {twice} sent again after it");
    }
}

/// Addresses of every shape a person may have are sent as they are (with SMTPUTF8 where
/// needed); shapes no mail server takes are refused where they are typed, with a sentence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addresses_are_sent_as_they_are_or_refused() {
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(free_port(), &dir.path().join("received"));
    let postman = Postman::new(db.db.clone(), settings(Some(sink.url()), dir.path())).unwrap();
    let addresses = [
        "josé@example.com",
        "用户@例子.中国",
        "\"quoted\"@example.com",
    ];
    for (i, to) in addresses.iter().enumerate() {
        let mut tx = db.begin_write().await.unwrap();
        mail_outbox::enqueue(&mut tx, &letter(i, to)).await.unwrap();
        tx.commit().await.unwrap();
    }
    send_all(&postman, &db, Duration::from_secs(10)).await;
    let got = sink.wait_for(3, Duration::from_secs(5)).await;
    // `"quoted"@x` and `quoted@x` are one mailbox (the quotes are not needed, RFC 5321 4.1.2).
    for to in ["josé@example.com", "用户@例子.中国", "quoted@example.com"] {
        assert!(
            got.iter().any(|m| m.rcpt_to == vec![to.to_string()]),
            "{to} not received: {got:?}"
        );
    }
    let out = common::outgoing();
    for bad in [
        "pat@contoso.example\r\nBcc: victim@example.com".to_string(),
        format!("{}@example.com", "a".repeat(10_000)),
        "a..b@example.com".to_string(),
    ] {
        assert_eq!(
            recovery::request_reset(&db, &bad, out).await.unwrap_err(),
            AppError::Invalid(Problem::EmailFormat),
            "{bad:?}"
        );
    }
}
