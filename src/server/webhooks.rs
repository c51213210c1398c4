//! Webhooks: a partner's Global admin registers HTTPS endpoints for events
//! (`relationship.established`, `invitation.declined`, `relationship.removed`, `dap.granted`,
//! `dap.removed`); Accord posts each event to them as signed JSON in the style of Standard
//! Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`).
//!
//! Deliveries go through an outbox: [`record_event`] writes one row per endpoint inside the
//! transaction of the event itself (called by `activity::record`), so a delivery exists
//! exactly when its event does. A [`Deliverer`] sends due rows, retries failures with growing
//! delays and keeps the outcome of each for the delivery log. Instances sharing a database
//! take a row with a lease, so each attempt is made by one of them; a row whose sender died
//! is taken again once its lease runs out, so a crash loses nothing.
//!
//! Endpoints may not be private, loopback or link-local addresses: checked when one is
//! registered, and again at each delivery on the addresses its name resolves to (the
//! connection uses only addresses that passed), so a webhook cannot reach the server's own
//! network. `ACCORD_WEBHOOKS_ALLOW_PRIVATE=1` lifts this and the HTTPS rule, for testing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, Row, Transaction};

use super::db::{new_id, now, Db};
use crate::domain::{PartnerRole, Problem, Viewer};
use crate::error::AppError;

/// The events an endpoint can ask for, in the order the page offers them.
pub const EVENTS: &[&str] = &[
    "relationship.established",
    "invitation.declined",
    "relationship.removed",
    "dap.granted",
    "dap.removed",
];
/// The event of **Send test event**, sent to one endpoint only.
pub const TEST_EVENT: &str = "webhook.test";
/// Endpoints an organization can have at once.
pub const MAX_ENDPOINTS: i64 = 20;
/// Deliveries the log shows per endpoint.
pub const LOG_SIZE: i64 = 50;
const SECRET_PREFIX: &str = "whsec_";
const LONGEST_URL: usize = 2000;

/// How deliveries are made (`ACCORD_WEBHOOKS_*`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Let endpoints be plain http and private addresses (for testing only).
    pub allow_private: bool,
    /// The wait after the first failed attempt; each later wait is four times longer, up to
    /// six hours.
    pub retry_base: Duration,
    /// How long one attempt may take, connection included.
    pub timeout: Duration,
    /// Attempts before a delivery is given up as failed.
    pub max_attempts: i64,
    /// How often the outbox is looked at.
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            allow_private: false,
            retry_base: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_attempts: 12,
            poll: Duration::from_secs(1),
        }
    }
}

impl Settings {
    /// `ACCORD_WEBHOOKS_ALLOW_PRIVATE` (1/true), `ACCORD_WEBHOOKS_RETRY_BASE_MS`,
    /// `ACCORD_WEBHOOKS_TIMEOUT_MS`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let mut s = Settings {
            allow_private: matches!(
                var("ACCORD_WEBHOOKS_ALLOW_PRIVATE")
                    .as_deref()
                    .map(str::trim),
                Some("1") | Some("true")
            ),
            ..Settings::default()
        };
        let ms = |name: &str, min: u64, max: u64| -> Result<Option<Duration>, String> {
            match var(name) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .map(|n| Some(Duration::from_millis(n)))
                    .ok_or_else(|| format!("{name} must be a number of milliseconds from {min} to {max}, not \"{v}\".")),
            }
        };
        if let Some(d) = ms("ACCORD_WEBHOOKS_RETRY_BASE_MS", 10, 3_600_000)? {
            s.retry_base = d;
        }
        if let Some(d) = ms("ACCORD_WEBHOOKS_TIMEOUT_MS", 100, 60_000)? {
            s.timeout = d;
        }
        Ok(s)
    }

    /// The wait after `attempts` failed attempts.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let factor = 4u32.saturating_pow(attempts.clamp(1, 16) as u32 - 1);
        self.retry_base
            .saturating_mul(factor)
            .min(Duration::from_secs(6 * 3600))
    }

    /// How long a delivery stays with the instance sending it: longer than an attempt can
    /// take, so two instances never send it at once, and short enough that a crashed
    /// instance's deliveries are soon taken up again.
    fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(5)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Addresses

/// Address blocks no webhook may reach: private, loopback, link-local, shared, reserved,
/// documentation, multicast, and the IPv6 forms that carry an IPv4 address inside.
const BLOCKED: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/127",
    "64:ff9b::/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/32",
    "2001:db8::/32",
    "2002::/16",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
];

/// Whether `ip` is a public internet address a webhook may be sent to.
pub fn is_public(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    !BLOCKED.iter().any(|block| {
        block
            .parse::<ipnet::IpNet>()
            .is_ok_and(|net| net.contains(&ip))
    })
}

/// Reads an endpoint URL as the Webhooks page takes it: https (http too when private
/// addresses are allowed), no user name or password, no fragment, and not a private
/// address or a name that can only be local.
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, Problem> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > LONGEST_URL {
        return Err(Problem::WebhookUrl);
    }
    let url = url::Url::parse(raw).map_err(|_| Problem::WebhookUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(Problem::WebhookHttps),
        _ => return Err(Problem::WebhookUrl),
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(Problem::WebhookUrl);
    }
    if allow_private {
        return url.host().map(|_| url.clone()).ok_or(Problem::WebhookUrl);
    }
    let local = match url.host() {
        None => return Err(Problem::WebhookUrl),
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            !name.contains('.')
                || [".localhost", ".local", ".internal", ".home.arpa", ".lan"]
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        }
    };
    if local {
        return Err(Problem::WebhookPrivate);
    }
    Ok(url)
}

/// The resolver of the delivery client: it hands the connection only addresses that may
/// be reached, whatever the name resolves to at that moment.
struct PublicOnly {
    allow_private: bool,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

// ---------------------------------------------------------------------------------------
// Signatures

/// A new signing secret: `whsec_` and 32 random bytes in base64.
fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The `webhook-signature` header of a delivery: `v1,` and the base64 HMAC-SHA256, keyed
/// with the secret's bytes, of `<webhook-id>.<webhook-timestamp>.<body>`.
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(format!("{message_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", b64.encode(mac.finalize().into_bytes()))
}

// ---------------------------------------------------------------------------------------
// Endpoints

/// An endpoint as its organization's pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: i64,
    pub created_by: String,
    /// The signing secret (shown to Global admins only).
    pub secret: String,
    /// Deliveries waiting for an attempt or a retry.
    pub pending: i64,
    /// Deliveries given up.
    pub failed: i64,
}

fn check_admin(actor: &Viewer) -> Result<(), AppError> {
    match actor.partner_role() {
        Some(PartnerRole::GlobalAdmin) => Ok(()),
        Some(_) => Err(AppError::Forbidden(Problem::WebhooksRole)),
        None => Err(AppError::Forbidden(Problem::PartnerOnly)),
    }
}

/// The events chosen on the form, in [`EVENTS`] order; at least one.
pub fn check_events(chosen: &[&str]) -> Result<Vec<&'static str>, Problem> {
    if chosen.iter().any(|c| !EVENTS.contains(c)) {
        return Err(Problem::WebhookEvents);
    }
    let events: Vec<&'static str> = EVENTS
        .iter()
        .copied()
        .filter(|e| chosen.contains(e))
        .collect();
    if events.is_empty() {
        return Err(Problem::WebhookEvents);
    }
    Ok(events)
}

/// Registers an endpoint of the actor's organization (Global admins); returns its id.
pub async fn create(
    db: &Db,
    settings: &Settings,
    actor: &Viewer,
    url: &str,
    events: &[&str],
) -> Result<String, AppError> {
    check_admin(actor)?;
    let url = check_url(url, settings.allow_private).map_err(AppError::Invalid)?;
    let events = check_events(events).map_err(AppError::Invalid)?;
    let id = new_id();
    let mut tx = db.begin_write().await?;
    // Serializes registrations of the organization, so the limit holds under concurrency.
    super::users::lock_org(&mut tx, actor).await?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhooks WHERE partner_org_id = $1 AND removed_at IS NULL",
    )
    .bind(&actor.org_id)
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_ENDPOINTS {
        tx.rollback().await?;
        return Err(AppError::Conflict(Problem::TooManyWebhooks));
    }
    sqlx::query(
        "INSERT INTO webhooks (id, partner_org_id, url, events, secret, created_at, created_by_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(&actor.org_id)
    .bind(url.as_str())
    .bind(events.join(" "))
    .bind(new_secret())
    .bind(now())
    .bind(&actor.user_id)
    .execute(&mut *tx)
    .await?;
    super::activity::record(
        &mut tx,
        super::activity::Entry::by(actor)
            .partner(&actor.org_id)
            .action(
                "webhook.created",
                &format!(
                    "{} registered the webhook {url} for {}.",
                    actor.name,
                    events.join(", ")
                ),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

const ENDPOINT_COLUMNS: &str = "w.id, w.url, w.events, w.created_at, w.secret, u.name AS created_by,
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'pending') AS pending,
    (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.state = 'failed') AS failed
    FROM webhooks w JOIN users u ON u.id = w.created_by_user_id";

fn endpoint_of(r: &sqlx::any::AnyRow) -> Result<Endpoint, sqlx::Error> {
    Ok(Endpoint {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        events: r
            .try_get::<String, _>("events")?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        secret: r.try_get("secret")?,
        pending: r.try_get("pending")?,
        failed: r.try_get("failed")?,
    })
}

/// The organization's endpoints, oldest first.
pub async fn list(db: &Db, partner_org_id: &str) -> Result<Vec<Endpoint>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} WHERE w.partner_org_id = $1 AND w.removed_at IS NULL
         ORDER BY w.created_at, w.id"
    ))
    .bind(partner_org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(endpoint_of)
        .collect::<Result<_, _>>()
        .map_err(AppError::from)
}

/// One endpoint of the organization (`None`: not its own, or removed).
pub async fn endpoint(
    db: &Db,
    partner_org_id: &str,
    id: &str,
) -> Result<Option<Endpoint>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {ENDPOINT_COLUMNS} WHERE w.id = $1 AND w.partner_org_id = $2 AND w.removed_at IS NULL"
    ))
    .bind(id)
    .bind(partner_org_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(endpoint_of).transpose()?)
}

/// Removes an endpoint (Global admins): nothing more is sent to it, and what was waiting
/// is dropped. Removing it again changes nothing.
pub async fn remove(db: &Db, actor: &Viewer, id: &str, confirmed: bool) -> Result<(), AppError> {
    check_admin(actor)?;
    if !confirmed {
        return Err(AppError::Invalid(Problem::ConfirmRemoveWebhook));
    }
    let mut tx = db.begin_write().await?;
    let row =
        sqlx::query("SELECT url, removed_at FROM webhooks WHERE id = $1 AND partner_org_id = $2")
            .bind(id)
            .bind(&actor.org_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Err(AppError::Forbidden(Problem::NotYourWebhook));
    };
    if row.try_get::<Option<i64>, _>("removed_at")?.is_some() {
        tx.rollback().await?;
        return Ok(());
    }
    sqlx::query(
        "UPDATE webhooks SET removed_at = $1, removed_by_user_id = $2
         WHERE id = $3 AND removed_at IS NULL",
    )
    .bind(now())
    .bind(&actor.user_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE webhook_deliveries SET state = 'cancelled', lease_until_ms = NULL
         WHERE webhook_id = $1 AND state = 'pending'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let url: String = row.try_get("url")?;
    super::activity::record(
        &mut tx,
        super::activity::Entry::by(actor)
            .partner(&actor.org_id)
            .action(
                "webhook.removed",
                &format!("{} removed the webhook {url}.", actor.name),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `webhook.test` event for one endpoint (Global admins).
pub async fn send_test(db: &Db, actor: &Viewer, id: &str) -> Result<(), AppError> {
    check_admin(actor)?;
    let mut tx = db.begin_write().await?;
    let found: Option<String> = sqlx::query_scalar(
        "SELECT id FROM webhooks WHERE id = $1 AND partner_org_id = $2 AND removed_at IS NULL",
    )
    .bind(id)
    .bind(&actor.org_id)
    .fetch_optional(&mut *tx)
    .await?;
    if found.is_none() {
        tx.rollback().await?;
        return Err(AppError::Forbidden(Problem::NotYourWebhook));
    }
    let at = now();
    let message_id = format!("msg_{}", new_id());
    let payload = serde_json::json!({
        "type": TEST_EVENT,
        "timestamp": super::rest::rfc3339(at),
        "data": {
            "partnerTenantId": actor.org_id,
            "description": format!("A test event sent from the Webhooks page by {}.", actor.name),
        },
    })
    .to_string();
    insert_delivery(&mut tx, id, &message_id, TEST_EVENT, &payload, at).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The outbox

async fn insert_delivery(
    tx: &mut Transaction<'_, Any>,
    webhook_id: &str,
    message_id: &str,
    event_type: &str,
    payload: &str,
    at: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_type, payload,
             created_at, state, attempts, next_attempt_ms)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7)",
    )
    .bind(new_id())
    .bind(webhook_id)
    .bind(message_id)
    .bind(event_type)
    .bind(payload)
    .bind(at)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An event as `activity::record` tells it.
pub struct Event<'a> {
    /// The activity entry's id: the `webhook-id` of every delivery of the event.
    pub id: &'a str,
    pub at: i64,
    pub event_type: &'a str,
    pub partner_org_id: &'a str,
    pub customer_org_id: Option<&'a str>,
    pub performed_by: &'a str,
    pub description: &'a str,
    /// Fields of the event's own (`relationshipType`, `services`, …).
    pub data: Option<&'a serde_json::Value>,
}

/// Writes a delivery of the event for each endpoint of the partner that asked for it,
/// inside the event's transaction. Events that are not webhook events are ignored.
pub async fn record_event(tx: &mut Transaction<'_, Any>, e: Event<'_>) -> Result<(), AppError> {
    if !EVENTS.contains(&e.event_type) {
        return Ok(());
    }
    let endpoints: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, events FROM webhooks WHERE partner_org_id = $1 AND removed_at IS NULL",
    )
    .bind(e.partner_org_id)
    .fetch_all(&mut **tx)
    .await?;
    let endpoints: Vec<String> = endpoints
        .into_iter()
        .filter(|(_, events)| events.split_whitespace().any(|x| x == e.event_type))
        .map(|(id, _)| id)
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let mut data = serde_json::Map::new();
    data.insert("partnerTenantId".into(), e.partner_org_id.into());
    if let Some(customer) = e.customer_org_id {
        let row = sqlx::query("SELECT name, domain FROM customer_orgs WHERE id = $1")
            .bind(customer)
            .fetch_optional(&mut **tx)
            .await?;
        let mut c = serde_json::Map::new();
        c.insert("id".into(), customer.into());
        c.insert("tenantId".into(), customer.into());
        if let Some(row) = row {
            c.insert(
                "companyName".into(),
                row.try_get::<String, _>("name")?.into(),
            );
            c.insert("domain".into(), row.try_get::<String, _>("domain")?.into());
        }
        data.insert("customer".into(), c.into());
    }
    if let Some(serde_json::Value::Object(extra)) = e.data {
        data.extend(extra.clone());
    }
    data.insert("performedBy".into(), e.performed_by.into());
    data.insert("description".into(), e.description.into());
    let payload = serde_json::json!({
        "type": e.event_type,
        "timestamp": super::rest::rfc3339(e.at),
        "data": data,
    })
    .to_string();
    let message_id = format!("msg_{}", e.id);
    for endpoint in endpoints {
        insert_delivery(tx, &endpoint, &message_id, e.event_type, &payload, e.at).await?;
    }
    Ok(())
}

/// A delivery as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    pub event_type: String,
    pub created_at: i64,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub state: String,
    pub attempts: i64,
    /// When the next attempt is due (Unix milliseconds), while pending.
    pub next_attempt_ms: i64,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    /// What went wrong with the last attempt: see [`Failure`].
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
}

/// The endpoint's latest deliveries, newest first.
pub async fn deliveries(db: &Db, webhook_id: &str) -> Result<Vec<Delivery>, AppError> {
    let rows = sqlx::query(
        "SELECT message_id, event_type, created_at, state, attempts, next_attempt_ms,
                last_attempt_at, last_status, last_error, delivered_at
         FROM webhook_deliveries WHERE webhook_id = $1
         ORDER BY created_at DESC, next_attempt_ms DESC, id LIMIT $2",
    )
    .bind(webhook_id)
    .bind(LOG_SIZE)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Delivery {
                message_id: r.try_get("message_id")?,
                event_type: r.try_get("event_type")?,
                created_at: r.try_get("created_at")?,
                state: r.try_get("state")?,
                attempts: r.try_get("attempts")?,
                next_attempt_ms: r.try_get("next_attempt_ms")?,
                last_attempt_at: r.try_get("last_attempt_at")?,
                last_status: r.try_get("last_status")?,
                last_error: r.try_get("last_error")?,
                delivered_at: r.try_get("delivered_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

// ---------------------------------------------------------------------------------------
// Sending

/// Why an attempt failed, as stored in `last_error`: a code, then `:` and details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The endpoint answered, but not with a 2xx status (redirects are not followed).
    Status,
    /// No answer in time.
    Timeout,
    /// The name did not resolve.
    Resolve,
    /// The address is private, loopback or link-local.
    Private,
    /// The connection (or TLS) failed.
    Connect,
    /// The URL is no longer acceptable.
    Url,
    Other,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::Status => "status",
            Failure::Timeout => "timeout",
            Failure::Resolve => "resolve",
            Failure::Private => "private",
            Failure::Connect => "connect",
            Failure::Url => "url",
            Failure::Other => "other",
        }
    }

    /// The failure and its details of a stored `last_error`.
    pub fn parse(stored: &str) -> (Failure, &str) {
        let (code, detail) = stored.split_once(':').unwrap_or((stored, ""));
        let failure = [
            Failure::Status,
            Failure::Timeout,
            Failure::Resolve,
            Failure::Private,
            Failure::Connect,
            Failure::Url,
        ]
        .into_iter()
        .find(|f| f.code() == code)
        .unwrap_or(Failure::Other);
        (failure, detail.trim())
    }
}

/// The outcome of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Attempt {
    status: Option<u16>,
    failure: Option<(Failure, String)>,
}

impl Attempt {
    fn failed(failure: Failure, detail: impl Into<String>) -> Attempt {
        Attempt {
            status: None,
            failure: Some((failure, detail.into())),
        }
    }
}

/// Sends what the outbox holds.
#[derive(Clone)]
pub struct Deliverer {
    db: Db,
    settings: Settings,
    client: reqwest::Client,
}

impl Deliverer {
    pub fn new(db: Db, settings: Settings) -> Result<Deliverer, String> {
        // The TLS library's cryptography: installed once for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(concat!("Accord-Webhooks/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .https_only(!settings.allow_private)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(0)
            .dns_resolver(Arc::new(PublicOnly {
                allow_private: settings.allow_private,
            }))
            .build()
            .map_err(|e| format!("webhook client: {e}"))?;
        Ok(Deliverer {
            db,
            settings,
            client,
        })
    }

    /// Looks at the outbox every `poll` until the process ends.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.deliver_due().await {
                    // More may be due at once: look again without waiting.
                    Ok(n) if n > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "webhook outbox"),
                }
                tokio::time::sleep(self.settings.poll).await;
            }
        })
    }

    /// Makes one attempt of each due delivery (up to 16 at once); returns how many.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let at = now_ms();
        let due = sqlx::query(
            "SELECT d.id, d.message_id, d.payload, d.attempts, w.url, w.secret
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
             WHERE d.state = 'pending' AND d.next_attempt_ms <= $1
               AND (d.lease_until_ms IS NULL OR d.lease_until_ms <= $1)
               AND w.removed_at IS NULL
             ORDER BY d.next_attempt_ms, d.id LIMIT 16",
        )
        .bind(at)
        .fetch_all(&self.db.pool)
        .await?;
        let mut sending = tokio::task::JoinSet::new();
        for row in due {
            let id: String = row.try_get("id")?;
            // Taken by exactly one instance: the one whose update finds it still free.
            let taken = sqlx::query(
                "UPDATE webhook_deliveries
                 SET lease_until_ms = $1, attempts = attempts + 1, last_attempt_at = $2
                 WHERE id = $3 AND state = 'pending'
                   AND (lease_until_ms IS NULL OR lease_until_ms <= $4)",
            )
            .bind(at + self.settings.lease().as_millis() as i64)
            .bind(now())
            .bind(&id)
            .bind(at)
            .execute(&self.db.pool)
            .await?
            .rows_affected()
                == 1;
            if !taken {
                continue;
            }
            let attempts = row.try_get::<i64, _>("attempts")? + 1;
            let (message_id, payload, url, secret): (String, String, String, String) = (
                row.try_get("message_id")?,
                row.try_get("payload")?,
                row.try_get("url")?,
                row.try_get("secret")?,
            );
            let me = self.clone();
            sending.spawn(async move {
                let outcome = me.attempt(&url, &secret, &message_id, &payload).await;
                if let Err(e) = me.finish(&id, attempts, &outcome).await {
                    tracing::warn!(delivery = %id, error = %e, "webhook delivery outcome not saved");
                }
            });
        }
        let n = sending.len();
        while sending.join_next().await.is_some() {}
        Ok(n)
    }

    async fn attempt(&self, url: &str, secret: &str, message_id: &str, body: &str) -> Attempt {
        let allow_private = self.settings.allow_private;
        let url = match check_url(url, allow_private) {
            Ok(url) => url,
            Err(Problem::WebhookPrivate) => return Attempt::failed(Failure::Private, ""),
            Err(_) => return Attempt::failed(Failure::Url, ""),
        };
        // The name is resolved here to say clearly why a private address is refused; the
        // client's resolver checks again the addresses it connects to.
        if let Some(url::Host::Domain(name)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            match tokio::net::lookup_host((name, port)).await {
                Err(e) => return Attempt::failed(Failure::Resolve, e.to_string()),
                Ok(addrs) => {
                    if let Some(ip) = addrs
                        .map(|a| a.ip())
                        .find(|ip| !allow_private && !is_public(*ip))
                    {
                        return Attempt::failed(Failure::Private, ip.to_string());
                    }
                }
            }
        }
        let timestamp = now();
        let sent = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                sign(secret, message_id, timestamp, body),
            )
            .body(body.to_string())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => Attempt {
                status: Some(answer.status().as_u16()),
                failure: None,
            },
            Ok(answer) => Attempt {
                status: Some(answer.status().as_u16()),
                failure: Some((Failure::Status, String::new())),
            },
            Err(e) if e.is_timeout() => Attempt::failed(Failure::Timeout, ""),
            Err(e) => {
                // The innermost cause says the most ("Connection refused", a TLS error…).
                let mut cause: &dyn std::error::Error = &e;
                while let Some(inner) = cause.source() {
                    cause = inner;
                }
                let failure = if e.is_connect() {
                    Failure::Connect
                } else {
                    Failure::Other
                };
                Attempt::failed(failure, cause.to_string())
            }
        }
    }

    async fn finish(&self, id: &str, attempts: i64, outcome: &Attempt) -> Result<(), AppError> {
        let status = outcome.status.map(i64::from);
        match &outcome.failure {
            None => {
                sqlx::query(
                    "UPDATE webhook_deliveries SET state = 'delivered', delivered_at = $1,
                         last_status = $2, last_error = NULL, lease_until_ms = NULL
                     WHERE id = $3 AND state = 'pending'",
                )
                .bind(now())
                .bind(status)
                .bind(id)
                .execute(&self.db.pool)
                .await?;
            }
            Some((failure, detail)) => {
                let error: String = format!("{}:{}", failure.code(), detail)
                    .chars()
                    .take(300)
                    .collect();
                let given_up = attempts >= self.settings.max_attempts;
                let next = now_ms() + self.settings.backoff(attempts).as_millis() as i64;
                sqlx::query(
                    "UPDATE webhook_deliveries SET state = $1, next_attempt_ms = $2,
                         last_status = $3, last_error = $4, lease_until_ms = NULL
                     WHERE id = $5 AND state = 'pending'",
                )
                .bind(if given_up { "failed" } else { "pending" })
                .bind(next)
                .bind(status)
                .bind(&error)
                .bind(id)
                .execute(&self.db.pool)
                .await?;
                tracing::info!(delivery = %id, attempts, given_up, error = %error, "webhook delivery failed");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "224.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://hooks.example.com/accord?x=1", false).is_ok());
        assert_eq!(
            check_url("http://hooks.example.com/", false),
            Err(Problem::WebhookHttps)
        );
        for private in [
            "https://127.0.0.1/",
            "https://[::1]/",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/",
            "https://api.localhost/",
            "https://intranet/",
            "https://printer.local/",
            "https://10.0.0.8:8443/",
        ] {
            assert_eq!(
                check_url(private, false),
                Err(Problem::WebhookPrivate),
                "{private}"
            );
        }
        for bad in [
            "",
            "hooks.example.com",
            "ftp://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#x",
            "javascript:alert(1)",
        ] {
            assert_eq!(check_url(bad, false), Err(Problem::WebhookUrl), "{bad}");
        }
        assert_eq!(
            check_url(&format!("https://example.com/{}", "a".repeat(2000)), false),
            Err(Problem::WebhookUrl)
        );
        // Allowed for testing by the operator.
        assert!(check_url("http://127.0.0.1:8080/hook", true).is_ok());
    }

    #[test]
    fn events_are_checked() {
        assert_eq!(
            check_events(&["dap.removed", "relationship.established"]).unwrap(),
            vec!["relationship.established", "dap.removed"]
        );
        assert_eq!(check_events(&[]), Err(Problem::WebhookEvents));
        assert_eq!(
            check_events(&["dap.removed", "user.added"]),
            Err(Problem::WebhookEvents)
        );
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn retries_wait_longer_each_time() {
        let s = Settings::default();
        assert_eq!(s.backoff(1), Duration::from_secs(5));
        assert_eq!(s.backoff(2), Duration::from_secs(20));
        assert_eq!(s.backoff(3), Duration::from_secs(80));
        assert_eq!(s.backoff(11), Duration::from_secs(6 * 3600));
        let total: Duration = (1..s.max_attempts).map(|a| s.backoff(a)).sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
    }

    #[test]
    fn settings_come_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        let s = Settings::from_env(env(&[
            ("ACCORD_WEBHOOKS_ALLOW_PRIVATE", "1"),
            ("ACCORD_WEBHOOKS_RETRY_BASE_MS", "200"),
            ("ACCORD_WEBHOOKS_TIMEOUT_MS", "1500"),
        ]))
        .unwrap();
        assert!(s.allow_private);
        assert_eq!(s.retry_base, Duration::from_millis(200));
        assert_eq!(s.timeout, Duration::from_millis(1500));
        assert!(!Settings::from_env(env(&[])).unwrap().allow_private);
        assert!(Settings::from_env(env(&[("ACCORD_WEBHOOKS_TIMEOUT_MS", "soon")])).is_err());
    }
}
