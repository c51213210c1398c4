//! The delivery log, and the [`Deliverer`] that sends what the outbox holds: due rows taken
//! with a lease, one attempt each, retried with growing delays, given up after
//! `max_attempts`.

use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;

use super::addresses::{check_url, is_public, PublicOnly};
use super::signature::sign;
use crate::domain::Problem;
use crate::error::AppError;
use crate::server::platform::config::WebhookSettings as Settings;
use crate::server::platform::db::{now, now_ms, Db};

/// Deliveries the log shows per endpoint.
pub const LOG_SIZE: i64 = 50;

/// Deliveries in flight at once (per instance)...
pub const SLOTS: usize = 16;
/// ...of which one partner's take at most this many, and one endpoint's at most
/// [`PER_ENDPOINT`]: a partner whose endpoint answers slowly, or who has many events due,
/// never holds up another partner's deliveries.
pub const PER_PARTNER: usize = 4;
pub const PER_ENDPOINT: usize = 2;

/// What this instance is sending now, by partner and by endpoint.
#[derive(Default)]
struct InFlight {
    partners: std::collections::HashMap<String, usize>,
    endpoints: std::collections::HashMap<String, usize>,
}

impl InFlight {
    fn has_room(&self, partner: &str, endpoint: &str) -> bool {
        self.partners.get(partner).copied().unwrap_or(0) < PER_PARTNER
            && self.endpoints.get(endpoint).copied().unwrap_or(0) < PER_ENDPOINT
    }

    fn add(&mut self, partner: &str, endpoint: &str) {
        *self.partners.entry(partner.to_string()).or_default() += 1;
        *self.endpoints.entry(endpoint.to_string()).or_default() += 1;
    }

    fn remove(&mut self, partner: &str, endpoint: &str) {
        for (map, key) in [
            (&mut self.partners, partner),
            (&mut self.endpoints, endpoint),
        ] {
            if let Some(n) = map.get_mut(key) {
                *n -= 1;
                if *n == 0 {
                    map.remove(key);
                }
            }
        }
    }
}

impl Settings {
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
    slots: Arc<tokio::sync::Semaphore>,
    in_flight: Arc<std::sync::Mutex<InFlight>>,
    /// Told each time a delivery ends (a slot is free again).
    freed: Arc<tokio::sync::Notify>,
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
            slots: Arc::new(tokio::sync::Semaphore::new(SLOTS)),
            in_flight: Arc::default(),
            freed: Arc::default(),
        })
    }

    /// Looks at the outbox until stopped (a background job): starts what is due whenever a
    /// slot is free, without waiting for the others in flight (no batch waits for its
    /// slowest delivery), and looks again when a delivery ends or `poll` has passed.
    pub async fn run(self) {
        loop {
            if let Err(e) = self.start_due().await {
                tracing::warn!(error = %e, "webhook outbox");
            }
            tokio::select! {
                _ = self.freed.notified() => {}
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    /// Makes one attempt of each due delivery it can start now (see [`Deliverer::run`]),
    /// and waits for them; returns how many.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let started = self.start_due().await?;
        let n = started.len();
        for handle in started {
            let _ = handle.await;
        }
        Ok(n)
    }

    /// Starts the due deliveries there is room for: a free slot, and room in the share of
    /// the delivery's partner and endpoint. Oldest first, a few per partner at a time.
    async fn start_due(&self) -> Result<Vec<tokio::task::JoinHandle<()>>, AppError> {
        let mut started = Vec::new();
        if self.slots.available_permits() == 0 {
            return Ok(started);
        }
        let at = now_ms();
        let due = sqlx::query(
            "SELECT id, message_id, payload, attempts, webhook_id, partner_org_id, url, secret
             FROM (SELECT d.id, d.message_id, d.payload, d.attempts, d.next_attempt_ms,
                          d.webhook_id, w.partner_org_id, w.url, w.secret,
                          ROW_NUMBER() OVER (PARTITION BY w.partner_org_id
                                             ORDER BY d.next_attempt_ms, d.id) AS nth
                   FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                   WHERE d.state = 'pending' AND d.next_attempt_ms <= $1
                     AND (d.lease_until_ms IS NULL OR d.lease_until_ms <= $1)
                     AND w.removed_at IS NULL) due
             WHERE nth <= $2
             ORDER BY next_attempt_ms, id LIMIT 256",
        )
        .bind(at)
        .bind((PER_PARTNER * 2) as i64)
        .fetch_all(&self.db.pool)
        .await?;
        for row in due {
            let partner: String = row.try_get("partner_org_id")?;
            let endpoint: String = row.try_get("webhook_id")?;
            if !self
                .in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .has_room(&partner, &endpoint)
            {
                continue;
            }
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                break;
            };
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
            self.in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .add(&partner, &endpoint);
            let me = self.clone();
            started.push(tokio::spawn(async move {
                let outcome = me.attempt(&url, &secret, &message_id, &payload).await;
                if let Err(e) = me.finish(&id, attempts, &outcome).await {
                    tracing::warn!(delivery = %id, error = %e, "webhook delivery outcome not saved");
                }
                me.in_flight
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&partner, &endpoint);
                drop(permit);
                me.freed.notify_one();
            }));
        }
        Ok(started)
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
            // The lookup has the attempt's time limit too (the lease outlasts both).
            match tokio::time::timeout(self.settings.timeout, tokio::net::lookup_host((name, port)))
                .await
            {
                Err(_) => return Attempt::failed(Failure::Timeout, ""),
                Ok(Err(e)) => return Attempt::failed(Failure::Resolve, e.to_string()),
                Ok(Ok(addrs)) => {
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
    fn retries_wait_longer_each_time() {
        let s = Settings::default();
        assert_eq!(s.backoff(1), Duration::from_secs(5));
        assert_eq!(s.backoff(2), Duration::from_secs(20));
        assert_eq!(s.backoff(3), Duration::from_secs(80));
        assert_eq!(s.backoff(11), Duration::from_secs(6 * 3600));
        let total: Duration = (1..s.max_attempts).map(|a| s.backoff(a)).sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
    }
}
