#![cfg(feature = "ssr")]
//! Webhooks on SQLite and PostgreSQL, against a real receiver on 127.0.0.1: each event
//! arrives exactly once with a signature an independent Standard Webhooks implementation
//! accepts; with the receiver down or failing, deliveries are retried and arrive once it is
//! back; private addresses are refused when registering and again when delivering.

mod common;

use std::time::{Duration, Instant};

use accord::domain::{Problem, Viewer};
use accord::error::AppError;
use accord::server::handshake::{self, SignerInput};
use accord::server::identity::accounts;
use accord::server::integrations::webhooks::{self, Deliverer, Settings};
use accord::server::relationships::lifecycle;
use accord::server::Db;
use common::{count, Receiver};

const PASSWORD: &str = "webhook-test-password";

fn settings(allow_private: bool) -> Settings {
    Settings {
        allow_private,
        retry_base: Duration::from_millis(100),
        timeout: Duration::from_secs(3),
        max_attempts: 4,
        poll: Duration::from_millis(50),
    }
}

async fn viewer(db: &Db, user_id: &str) -> Viewer {
    accounts::viewer(db, user_id).await.unwrap().unwrap()
}

/// A direct partner and its Global admin.
async fn partner(db: &Db, name: &str) -> (Viewer, String) {
    let query = common::partner_with_link(db, name, PASSWORD, common::TEST_KEY).await;
    let slug = name.to_lowercase().replace(' ', "");
    let user = accounts::authenticate(db, &format!("pat@{slug}.example"), PASSWORD.into())
        .await
        .unwrap();
    (viewer(db, &user).await, query)
}

async fn customer(db: &Db, domain: &str) -> Viewer {
    let created = common::customer_org(db, domain, PASSWORD).await;
    viewer(db, &created.user_id).await
}

fn signer() -> SignerInput {
    SignerInput {
        first_name: "Casey".into(),
        last_name: "Customer".into(),
        email: "casey@example.com".into(),
        phone: String::new(),
        acknowledged: true,
    }
}

/// Runs the outbox until `done` holds (or fails after a few seconds).
async fn deliver_until(deliverer: &Deliverer, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        deliverer.deliver_due().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks the signature with the `standardwebhooks` crate and returns the parsed body.
fn verified(secret: &str, r: &common::Received) -> serde_json::Value {
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(r.body.as_bytes(), &r.headers)
        .unwrap_or_else(|e| panic!("signature refused: {e:?}"));
    // A body changed on the way is refused: the check above is not a formality.
    assert!(standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(format!("{} ", r.body).as_bytes(), &r.headers)
        .is_err());
    serde_json::from_str(&r.body).unwrap()
}

fn types(got: &[common::Received]) -> Vec<String> {
    got.iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// `got` in the order of `expected`, after checking that it holds each of those events exactly
/// once: events due together are sent at once, so they may arrive in any order.
fn as_listed(got: Vec<common::Received>, expected: &[&str]) -> Vec<common::Received> {
    let arrived = types(&got);
    let mut sorted = arrived.clone();
    sorted.sort();
    let mut listed: Vec<&str> = expected.to_vec();
    listed.sort();
    assert_eq!(sorted, listed, "each event exactly once");
    expected
        .iter()
        .map(|t| got[arrived.iter().position(|g| g == t).unwrap()].clone())
        .collect()
}

async fn events_arrive_once_signed(db: &Db) {
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let only_removals = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let (pat, query) = partner(db, "Contoso").await;
    let s = settings(true);
    let deliverer = Deliverer::new(db.clone(), s.clone()).unwrap();
    let all = webhooks::create(db, &s, &pat, &receiver.url(), webhooks::EVENTS)
        .await
        .unwrap();
    let removals = webhooks::create(db, &s, &pat, &only_removals.url(), &["dap.removed"])
        .await
        .unwrap();
    let secret = webhooks::endpoint(db, &pat.org_id, &all)
        .await
        .unwrap()
        .unwrap()
        .secret;
    let removal_secret = webhooks::endpoint(db, &pat.org_id, &removals)
        .await
        .unwrap()
        .unwrap()
        .secret;
    assert_ne!(secret, removal_secret);
    assert!(secret.starts_with("whsec_"));

    // The customer accepts with DAP: two events, each told once.
    let casey = customer(db, "fourth.onmicrosoft.com").await;
    let inv = handshake::verify(db, common::TEST_KEY, &query)
        .await
        .unwrap();
    handshake::accept(db, &inv, &casey, signer(), true)
        .await
        .unwrap();
    assert_eq!(
        count(db, "webhook_deliveries").await,
        2,
        "written with the event"
    );
    deliver_until(&deliverer, "the acceptance", || {
        receiver.received().len() >= 2
    })
    .await;
    for _ in 0..5 {
        deliverer.deliver_due().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got = as_listed(
        receiver.received(),
        &["relationship.established", "dap.granted"],
    );
    let established = verified(&secret, &got[0]);
    assert_eq!(established["data"]["customer"]["id"], casey.org_id.as_str());
    assert_eq!(
        established["data"]["customer"]["companyName"],
        "Customer fourth.onmicrosoft.com"
    );
    assert_eq!(
        established["data"]["customer"]["domain"],
        "fourth.onmicrosoft.com"
    );
    assert_eq!(established["data"]["partnerTenantId"], pat.org_id.as_str());
    assert_eq!(established["data"]["relationshipType"], "reseller");
    let granted = verified(&secret, &got[1]);
    assert_eq!(
        granted["data"]["services"],
        serde_json::json!(["azure_ad", "office_365"])
    );
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap())
        .collect();
    assert_ne!(ids[0], ids[1]);
    // Events of one action share a timestamp; their sequence numbers order them.
    let sequence = |v: &serde_json::Value| v["sequence"].as_i64().expect("a sequence number");
    assert!(
        sequence(&established) < sequence(&granted),
        "{established} {granted}"
    );
    assert!(
        only_removals.received().is_empty(),
        "only the events asked for"
    );
    // Accepting again tells nothing new.
    handshake::accept(db, &inv, &casey, signer(), true)
        .await
        .unwrap();
    assert_eq!(count(db, "webhook_deliveries").await, 2);

    // The customer removes the partner's roles: both endpoints hear of it.
    let outcome = lifecycle::remove_roles(db, &casey, &pat.org_id)
        .await
        .unwrap();
    assert!(matches!(outcome, lifecycle::RolesRemoved::Removed(_)));
    deliver_until(&deliverer, "the removal of roles", || {
        receiver.received().len() >= 3 && !only_removals.received().is_empty()
    })
    .await;
    let removed = verified(&secret, &receiver.received()[2]);
    assert_eq!(removed["type"], "dap.removed");
    assert_eq!(
        removed["data"]["services"],
        serde_json::json!(["azure_ad", "office_365"])
    );
    let same = verified(&removal_secret, &only_removals.received()[0]);
    assert_eq!(same["type"], "dap.removed");
    assert!(sequence(&removed) > sequence(&granted));
    assert_eq!(sequence(&same), sequence(&removed), "one event, one number");
    assert_eq!(
        receiver.received()[2].headers["webhook-id"],
        only_removals.received()[0].headers["webhook-id"],
        "one event, one id, whichever endpoint"
    );

    // The partner removes the relationship; another customer declines.
    lifecycle::remove_relationship(db, &pat, &casey.org_id, true)
        .await
        .unwrap();
    let other = customer(db, "tailspin.onmicrosoft.com").await;
    handshake::decline(db, &inv, &other).await.unwrap();
    handshake::decline(db, &inv, &other).await.unwrap();
    deliver_until(&deliverer, "the removal and the decline", || {
        receiver.received().len() >= 5
    })
    .await;
    for _ in 0..5 {
        deliverer.deliver_due().await.unwrap();
    }
    let got = as_listed(
        receiver.received(),
        &[
            "relationship.established",
            "dap.granted",
            "dap.removed",
            "relationship.removed",
            "invitation.declined",
        ],
    );
    for r in &got {
        verified(&secret, r);
    }
    assert_eq!(only_removals.received().len(), 1);
    let delivered: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'delivered' AND attempts = 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        delivered, 6,
        "every delivery made on the first attempt, once"
    );

    // The log of the endpoint, newest first.
    let log = webhooks::deliveries(db, &all).await.unwrap();
    assert_eq!(log.len(), 5);
    assert!(log
        .iter()
        .all(|d| d.state == "delivered" && d.last_status == Some(204)));

    // A removed endpoint gets nothing more; removing it again changes nothing.
    webhooks::remove(db, &pat, &removals, true).await.unwrap();
    webhooks::remove(db, &pat, &removals, true).await.unwrap();
    let c2 = customer(db, "wingtip.onmicrosoft.com").await;
    handshake::accept(db, &inv, &c2, signer(), true)
        .await
        .unwrap();
    lifecycle::remove_roles(db, &c2, &pat.org_id).await.unwrap();
    deliver_until(&deliverer, "the second customer", || {
        receiver.received().len() >= 8
    })
    .await;
    assert_eq!(only_removals.received().len(), 1);
}

async fn deliveries_are_retried_until_the_receiver_is_back(db: &Db) {
    let (pat, _) = partner(db, "Contoso").await;
    let s = settings(true);
    let deliverer = Deliverer::new(db.clone(), s.clone()).unwrap();

    // Down: nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = webhooks::create(
        db,
        &s,
        &pat,
        &format!("http://{port}/hook"),
        &["dap.granted"],
    )
    .await
    .unwrap();
    webhooks::send_test(db, &pat, &down).await.unwrap();
    assert_eq!(deliverer.deliver_due().await.unwrap(), 1);
    let log = webhooks::deliveries(db, &down).await.unwrap();
    assert_eq!(log[0].event_type, "webhook.test");
    assert_eq!(log[0].state, "pending", "{log:?}");
    assert_eq!(log[0].attempts, 1);
    assert!(
        log[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("connect:"),
        "{log:?}"
    );
    // Not again before its time.
    assert_eq!(deliverer.deliver_due().await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        deliverer.deliver_due().await.unwrap(),
        1,
        "retried once due"
    );

    // Back: the same message arrives, once.
    let receiver = Receiver::start(port).await;
    deliver_until(&deliverer, "the receiver to be back", || {
        !receiver.received().is_empty()
    })
    .await;
    let log = webhooks::deliveries(db, &down).await.unwrap();
    assert_eq!(log[0].state, "delivered", "{log:?}");
    assert_eq!(log[0].attempts, 3);
    assert_eq!(
        receiver.received()[0].headers["webhook-id"]
            .to_str()
            .unwrap(),
        log[0].message_id
    );

    // Failing: 503 twice, then 200.
    receiver
        .status
        .store(503, std::sync::atomic::Ordering::SeqCst);
    webhooks::send_test(db, &pat, &down).await.unwrap();
    deliver_until(&deliverer, "two failed attempts", || {
        receiver.received().len() >= 3
    })
    .await;
    let log = webhooks::deliveries(db, &down).await.unwrap();
    assert_eq!(log[0].last_status, Some(503));
    assert_eq!(log[0].state, "pending");
    receiver
        .status
        .store(200, std::sync::atomic::Ordering::SeqCst);
    deliver_until(&deliverer, "the third attempt", || {
        receiver.received().len() >= 4
    })
    .await;
    let got = receiver.received();
    assert_eq!(
        got[1].headers["webhook-id"], got[3].headers["webhook-id"],
        "a retry is the same message"
    );
    assert_eq!(got[1].body, got[3].body);
    let log = webhooks::deliveries(db, &down).await.unwrap();
    assert_eq!((log[0].state.as_str(), log[0].attempts), ("delivered", 3));

    // Given up after the last attempt, and kept in the log as failed.
    receiver
        .status
        .store(500, std::sync::atomic::Ordering::SeqCst);
    webhooks::send_test(db, &pat, &down).await.unwrap();
    deliver_until(&deliverer, "the last attempt", || {
        receiver.received().len() >= 8
    })
    .await;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        deliverer.deliver_due().await.unwrap();
    }
    assert_eq!(receiver.received().len(), 8, "no attempt after the fourth");
    let log = webhooks::deliveries(db, &down).await.unwrap();
    assert_eq!((log[0].state.as_str(), log[0].attempts), ("failed", 4));
    let endpoint = webhooks::endpoint(db, &pat.org_id, &down)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((endpoint.pending, endpoint.failed), (0, 1));
    receiver.stop().await;
}

async fn private_addresses_are_refused(db: &Db) {
    let (pat, _) = partner(db, "Contoso").await;
    let strict = settings(false);
    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let before = (count(db, "webhooks").await, count(db, "activity").await);
    for (url, problem) in [
        (receiver.url(), Problem::WebhookHttps),
        (
            format!("https://{}/hook", receiver.addr),
            Problem::WebhookPrivate,
        ),
        (
            "https://localhost/hook".to_string(),
            Problem::WebhookPrivate,
        ),
        (
            "https://169.254.169.254/latest".to_string(),
            Problem::WebhookPrivate,
        ),
        (
            "https://[::ffff:10.0.0.1]/".to_string(),
            Problem::WebhookPrivate,
        ),
        ("not a url".to_string(), Problem::WebhookUrl),
    ] {
        assert_eq!(
            webhooks::create(db, &strict, &pat, &url, &["dap.granted"]).await,
            Err(AppError::Invalid(problem)),
            "{url}"
        );
    }
    assert_eq!(
        webhooks::create(db, &strict, &pat, "https://hooks.example.com/", &[]).await,
        Err(AppError::Invalid(Problem::WebhookEvents))
    );
    assert_eq!(
        (count(db, "webhooks").await, count(db, "activity").await),
        before,
        "refusals change nothing"
    );

    // An endpoint registered while private addresses were allowed is refused at delivery
    // once they are not: the receiver never hears from it.
    let hook = webhooks::create(
        db,
        &settings(true),
        &pat,
        &format!("https://localhost:{}/hook", receiver.addr.port()),
        &["dap.granted"],
    )
    .await
    .unwrap();
    webhooks::send_test(db, &pat, &hook).await.unwrap();
    let strict_deliverer = Deliverer::new(db.clone(), strict).unwrap();
    assert_eq!(strict_deliverer.deliver_due().await.unwrap(), 1);
    let log = webhooks::deliveries(db, &hook).await.unwrap();
    assert_eq!(log[0].last_error.as_deref(), Some("private:"), "{log:?}");
    assert!(receiver.received().is_empty());

    // Roles: only Global admins register, test and remove.
    let agent_id = accounts::add_partner_user(
        db,
        &pat.org_id,
        "Agent",
        "agent@contoso.example",
        PASSWORD.into(),
        accord::domain::PartnerRole::AdminAgent,
    )
    .await
    .unwrap();
    let agent = viewer(db, &agent_id).await;
    let refused = Err(AppError::Forbidden(Problem::WebhooksRole));
    assert_eq!(
        webhooks::create(
            db,
            &strict_settings(),
            &agent,
            "https://hooks.example.com/",
            &["dap.granted"]
        )
        .await,
        refused.clone().map(|()| String::new())
    );
    assert_eq!(webhooks::send_test(db, &agent, &hook).await, refused);
    assert_eq!(webhooks::remove(db, &agent, &hook, true).await, refused);
    // Another partner's Global admin does not reach this one's endpoint.
    let (other, _) = partner(db, "Fabrikam").await;
    let not_yours = Err(AppError::Forbidden(Problem::NotYourWebhook));
    assert_eq!(webhooks::send_test(db, &other, &hook).await, not_yours);
    assert_eq!(webhooks::remove(db, &other, &hook, true).await, not_yours);
    assert!(webhooks::endpoint(db, &other.org_id, &hook)
        .await
        .unwrap()
        .is_none());
    // Removal needs its confirmation.
    assert_eq!(
        webhooks::remove(db, &pat, &hook, false).await,
        Err(AppError::Invalid(Problem::ConfirmRemoveWebhook))
    );
    // At most twenty endpoints.
    for i in 0..webhooks::MAX_ENDPOINTS - 1 {
        webhooks::create(
            db,
            &strict_settings(),
            &pat,
            &format!("https://hooks.example.com/{i}"),
            &["dap.granted"],
        )
        .await
        .unwrap();
    }
    assert_eq!(
        webhooks::create(
            db,
            &strict_settings(),
            &pat,
            "https://hooks.example.com/x",
            &["dap.granted"]
        )
        .await,
        Err(AppError::Conflict(Problem::TooManyWebhooks))
    );
}

fn strict_settings() -> Settings {
    settings(false)
}

/// One partner cannot hold up another's deliveries: partner A floods an endpoint that never
/// answers (each attempt waits for the 3 s time limit); partner B's event still arrives at
/// once, while A's endpoint never has more than its share of deliveries in flight. Test
/// events are limited per endpoint, and a partner waiting for approval makes neither
/// webhooks nor API keys.
async fn one_partner_cannot_hold_up_another(db: &Db) {
    use accord::server::events::webhook_outbox;
    use accord::server::integrations::api_keys;
    use accord::server::integrations::webhooks::deliverer::PER_ENDPOINT;
    let s = settings(true);
    let (ann, _) = partner(db, "Flooding Partner").await;
    let (ben, _) = partner(db, "Patient Partner").await;

    // An endpoint that accepts connections and never answers; it counts them.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/hook", silent.local_addr().unwrap());
    let opened = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = opened.clone();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(socket);
        }
    });
    let slow = webhooks::create(db, &s, &ann, &silent_url, webhooks::EVENTS)
        .await
        .unwrap();
    // A's flood: 40 events due before B's (written as the outbox writes them).
    let mut tx = db.begin_write().await.unwrap();
    for i in 0..40 {
        webhook_outbox::insert_delivery(
            &mut tx,
            &slow,
            &format!("msg_flood_{i}"),
            webhooks::TEST_EVENT,
            "{}",
            0,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let receiver = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let fast = webhooks::create(db, &s, &ben, &receiver.url(), webhooks::EVENTS)
        .await
        .unwrap();
    let running = tokio::spawn(Deliverer::new(db.clone(), s.clone()).unwrap().run());
    let started = Instant::now();
    webhooks::send_test(db, &ben, &fast).await.unwrap();
    while receiver.received().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "B's event waited behind A's flood"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "A's flood of 40 events to an endpoint that never answers: B's event delivered {:?} \
         after it happened; A's endpoint had {} deliveries open (its share: {PER_ENDPOINT})",
        started.elapsed(),
        opened.load(std::sync::atomic::Ordering::SeqCst)
    );
    assert!(
        opened.load(std::sync::atomic::Ordering::SeqCst) <= PER_ENDPOINT,
        "A's endpoint got more than its share at once"
    );
    running.abort();
    holder.abort();

    // Test events: a few per endpoint, then a pause.
    for _ in 1..accord::domain::TEST_EVENTS_PER_10_MINUTES {
        webhooks::send_test(db, &ben, &fast).await.unwrap();
    }
    let pending = count(db, "webhook_deliveries").await;
    assert_eq!(
        webhooks::send_test(db, &ben, &fast).await,
        Err(AppError::Invalid(Problem::TestEventsLimit))
    );
    assert_eq!(count(db, "webhook_deliveries").await, pending);

    // A partner the operator has not approved yet.
    let created = accounts::sign_up_partner_with(
        db,
        common::partner_sign_up("Waiting Partner", "pat@waiting.example", PASSWORD),
        false,
    )
    .await
    .unwrap();
    let waiting = viewer(db, &created.user_id).await;
    assert_eq!(
        webhooks::create(db, &s, &waiting, &receiver.url(), webhooks::EVENTS).await,
        Err(AppError::Forbidden(Problem::IntegrationsAwaitApproval))
    );
    assert_eq!(
        api_keys::create(db, &waiting, "Script", "")
            .await
            .map(|_| ()),
        Err(AppError::Forbidden(Problem::IntegrationsAwaitApproval))
    );
    receiver.stop().await;
}

on_both_databases! {
    fairness => one_partner_cannot_hold_up_another;
    exactly_once => events_arrive_once_signed;
    retries => deliveries_are_retried_until_the_receiver_is_back;
    private => private_addresses_are_refused;
}
