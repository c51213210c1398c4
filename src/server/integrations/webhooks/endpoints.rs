//! A partner's webhook endpoints: registered, listed and removed by its Global admins, who can
//! also queue a test event to one.

use sqlx::Row;

use super::addresses::check_url;
use super::signature::new_secret;
use crate::domain::{Facts, PartnerRole, Problem, Viewer};
use crate::error::AppError;
use crate::server::events::{self, webhook_outbox, Event, WEBHOOK_EVENTS as EVENTS};
use crate::server::identity::users;
use crate::server::platform::config::WebhookSettings as Settings;
use crate::server::platform::db::{new_id, now, rfc3339, Db};

/// The event of **Send test event**, sent to one endpoint only.
pub const TEST_EVENT: &str = "webhook.test";
/// Endpoints an organization can have at once.
pub const MAX_ENDPOINTS: i64 = 20;

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
        Some(PartnerRole::GlobalAdmin) if !crate::domain::is_approved_partner(actor) => {
            Err(AppError::Forbidden(Problem::IntegrationsAwaitApproval))
        }
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
    users::lock_org(&mut tx, actor).await?;
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
    events::record(
        &mut tx,
        Event::by(actor).partner(&actor.org_id).action(
            "webhook.created",
            Facts {
                url: Some(url.to_string()),
                events: events.iter().map(|e| e.to_string()).collect(),
                ..Facts::by(&actor.name)
            },
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
    events::record(
        &mut tx,
        Event::by(actor).partner(&actor.org_id).action(
            "webhook.removed",
            Facts {
                url: Some(url),
                ..Facts::by(&actor.name)
            },
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
    // Test events are for trying an endpoint, not for flooding the shared deliverer.
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_deliveries
         WHERE webhook_id = $1 AND event_type = $2 AND created_at > $3",
    )
    .bind(id)
    .bind(TEST_EVENT)
    .bind(at - 600)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= crate::domain::TEST_EVENTS_PER_10_MINUTES {
        tx.rollback().await?;
        return Err(AppError::Invalid(Problem::TestEventsLimit));
    }
    let message_id = format!("msg_{}", new_id());
    let payload = serde_json::json!({
        "type": TEST_EVENT,
        "timestamp": rfc3339(at),
        "sequence": webhook_outbox::next_sequence(&mut tx, &actor.org_id).await?,
        "data": {
            "partnerTenantId": actor.org_id,
            "description": format!("A test event sent from the Webhooks page by {}.", actor.name),
        },
    })
    .to_string();
    webhook_outbox::insert_delivery(&mut tx, id, &message_id, TEST_EVENT, &payload, at).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
