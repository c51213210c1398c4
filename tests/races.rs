#![cfg(feature = "ssr")]
//! Races over real HTTP, on SQLite and PostgreSQL: many Accept & Authorize requests at once
//! for one organization and link, and two partners racing for delegated admin privileges.
//! Every answer must be a success, "already authorized" or the DAP-conflict refusal: never
//! a 500 or "database is locked", never a duplicate.

mod common;

use std::net::SocketAddr;

use accord::domain::{CustomerRole, Service};
use accord::server::identity::accounts;
use accord::server::platform::serve::{spawn_for_tests, ConnectionLimits};
use accord::server::{router, Db, PartnerSignUpMode};
use common::{count, http, HttpReply};

const PASSWORD: &str = "race-test-password";

async fn server(db: &Db) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let app = router(common::state(
        db,
        "target/site",
        vec![],
        PartnerSignUpMode::Open,
    ));
    spawn_for_tests(app, ConnectionLimits::default())
        .await
        .unwrap()
}

async fn partner(db: &Db, name: &str) -> String {
    common::partner_with_link(db, name, PASSWORD, common::TEST_KEY).await
}

/// A customer organization with `admins` Global admins; returns their emails.
async fn customer(db: &Db, domain: &str, admins: usize) -> Vec<String> {
    let created = common::customer_org(db, domain, PASSWORD).await;
    let viewer = accounts::viewer(db, &created.user_id)
        .await
        .unwrap()
        .unwrap();
    let mut emails = vec![format!("admin@{domain}")];
    for i in 1..admins {
        let email = format!("admin{i}@{domain}");
        accounts::add_customer_user(
            db,
            &viewer.org_id,
            &format!("Admin {i}"),
            &email,
            PASSWORD.into(),
            CustomerRole::GlobalAdmin,
        )
        .await
        .unwrap();
        emails.push(email);
    }
    emails
}

const JSON: (&str, &str) = ("Accept", "application/json");
const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

async fn sign_in(addr: SocketAddr, email: &str) -> String {
    let body = format!("email={}&password={PASSWORD}", email.replace('@', "%40"));
    let r = http(addr, "POST", "/api/sign_in", &[JSON, FORM], &body)
        .await
        .unwrap();
    assert!(r.status < 400, "sign-in of {email}: {r:?}");
    r.cookie().expect("session cookie")
}

fn accept_form(invitation: &str) -> String {
    let invitation: String = url::form_urlencoded::byte_serialize(invitation.as_bytes()).collect();
    format!(
        "invitation={invitation}&first_name=Casey&last_name=Customer\
         &signer_email=casey%40contoso.example&phone=&acknowledge=on"
    )
}

/// Sends `per_cookie` accepts of `invitation` for each cookie, all at once.
async fn accept_storm(
    addr: SocketAddr,
    cookies: &[String],
    per_cookie: usize,
    invitation: &str,
) -> Vec<HttpReply> {
    let form = accept_form(invitation);
    let tasks: Vec<_> = cookies
        .iter()
        .flat_map(|c| std::iter::repeat_n(c.clone(), per_cookie))
        .map(|cookie| {
            let form = form.clone();
            tokio::spawn(async move {
                http(
                    addr,
                    "POST",
                    "/api/accept_invitation",
                    &[JSON, FORM, ("Cookie", &cookie)],
                    &form,
                )
                .await
                .unwrap()
            })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.unwrap());
    }
    replies
}

/// A server function that succeeded: it answers where the browser goes next (`Location`).
fn succeeded(r: &HttpReply) -> bool {
    r.status == 200 && r.header("location").is_some()
}

fn newly_accepted(r: &HttpReply) -> bool {
    r.header("location")
        .is_some_and(|l| l.contains("done=accepted"))
}

async fn dap_grants(db: &Db, service: Service) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM dap_grants WHERE service = $1")
        .bind(service.code())
        .fetch_one(&db.pool)
        .await
        .unwrap();
    n
}

async fn fifty_accepts_write_once(db: &Db) {
    let invitation = partner(db, "Contoso").await;
    let emails = customer(db, "fabrikam.onmicrosoft.com", 5).await;
    let (addr, _stop) = server(db).await;
    let mut cookies = Vec::new();
    for e in &emails {
        cookies.push(sign_in(addr, e).await);
    }
    let replies = accept_storm(addr, &cookies, 10, &invitation).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    assert!(
        replies.iter().all(succeeded),
        "every answer is a success or 'already authorized': {statuses:?} {:?}",
        replies.iter().find(|r| r.status >= 400)
    );
    let newly = replies.iter().filter(|r| newly_accepted(r)).count();
    let (relationships, acceptances, activity) = (
        count(db, "relationships").await,
        count(db, "agreement_acceptances").await,
        count(db, "activity").await,
    );
    println!(
        "{} concurrent accepts from {} admins: {newly} authorized, {} already authorized; \
         relationships {relationships}, agreement acceptances {acceptances}, activity {activity}",
        replies.len(),
        cookies.len(),
        replies.len() - newly
    );
    assert_eq!(newly, 1);
    assert_eq!(relationships, 1);
    assert_eq!(acceptances, 1);
    for service in Service::ALL {
        assert_eq!(dap_grants(db, *service).await, 1, "{service}");
    }
}

async fn two_partners_race_for_dap(db: &Db) {
    let first = partner(db, "Northwind").await;
    let second = partner(db, "Litware").await;
    let emails = customer(db, "tailspin.onmicrosoft.com", 4).await;
    let (addr, _stop) = server(db).await;
    let mut cookies = Vec::new();
    for e in &emails {
        cookies.push(sign_in(addr, e).await);
    }
    let (a, b) = tokio::join!(
        accept_storm(addr, &cookies[..2], 10, &first),
        accept_storm(addr, &cookies[2..], 10, &second)
    );
    let won = |replies: &[HttpReply]| replies.iter().any(newly_accepted);
    let (a_won, b_won) = (won(&a), won(&b));
    assert!(a_won ^ b_won, "exactly one partner wins DAP");
    let (winner, loser) = if a_won { (&a, &b) } else { (&b, &a) };
    assert!(winner.iter().all(succeeded), "{winner:?}");
    for r in loser.iter() {
        assert_eq!(r.status, 409, "{r:?}");
        assert!(r.body.contains("DapConflict"), "{}", r.body);
    }
    println!(
        "two partners, {} + {} concurrent accepts: one holder; the other got {} DAP-conflict answers",
        a.len(),
        b.len(),
        loser.len()
    );
    assert_eq!(count(db, "relationships").await, 1);
    for service in Service::ALL {
        assert_eq!(dap_grants(db, *service).await, 1, "{service}");
    }
}

/// Twelve customers accept one partner's invitation at once; then, all at once, the
/// partner removes half of the relationships while customers remove the partner's roles
/// (some of them of relationships being removed): the counts the Customers page shows, kept
/// in those transactions, always equal the rows, by kind and DAP.
async fn counts_stay_true_under_concurrency(db: &Db) {
    use accord::server::handshake::{self, SignerInput};
    use accord::server::relationships::lifecycle;
    let query = partner(db, "Contoso").await;
    let invitation = handshake::verify(db, common::TEST_KEY, &query)
        .await
        .unwrap();
    let (admin_id,): (String,) =
        sqlx::query_as("SELECT id FROM users WHERE email = 'pat@contoso.example'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    let partner_admin = accounts::viewer(db, &admin_id).await.unwrap().unwrap();
    let mut customers = Vec::new();
    for i in 0..12 {
        let created = common::customer_org(db, &format!("c{i}.onmicrosoft.com"), PASSWORD).await;
        customers.push(
            accounts::viewer(db, &created.user_id)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let signer = || SignerInput {
        first_name: "Casey".into(),
        last_name: "Customer".into(),
        email: "casey@customer.example".into(),
        phone: String::new(),
        acknowledged: true,
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (i, c) in customers.iter().enumerate() {
        let (db, invitation, c, signer) = (db.clone(), invitation.clone(), c.clone(), signer());
        tasks.spawn(async move {
            handshake::accept(&db, &invitation, &c, signer, i % 3 != 0)
                .await
                .map(|_| ())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
    common::assert_counts_kept(db, 12).await;
    let mut tasks = tokio::task::JoinSet::new();
    for (i, c) in customers.iter().enumerate() {
        let (db, c, admin) = (db.clone(), c.clone(), partner_admin.clone());
        let partner_org = invitation.partner.id.clone();
        tasks.spawn(async move {
            if i % 2 == 0 {
                lifecycle::remove_relationship(&db, &admin, &c.org_id, true).await?;
            }
            if i % 4 < 2 {
                lifecycle::remove_roles(&db, &c, &partner_org).await?;
            }
            Ok::<(), accord::error::AppError>(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
    common::assert_counts_kept(db, 6).await;
}

on_both_databases! {
    fifty_accepts => fifty_accepts_write_once;
    dap_race => two_partners_race_for_dap;
    counts => counts_stay_true_under_concurrency;
}
