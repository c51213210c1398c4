//! The webhook outbox's writing side: a delivery row per endpoint that asked for the event,
//! written in the event's transaction. `integrations::webhooks` registers the endpoints and
//! sends what is written here.

use sqlx::{Any, Row, Transaction};

use super::{Event, WEBHOOK_EVENTS};
use crate::error::AppError;
use crate::server::platform::db::{new_id, now_ms, rfc3339};

/// Queues one delivery of `payload` to one endpoint, due at once.
pub async fn insert_delivery(
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

/// Writes a delivery of the event for each endpoint of the partner that asked for it,
/// inside the event's transaction. Events that are not webhook events are ignored.
pub(super) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    e: &Event<'_>,
    partner_org_id: &str,
    id: &str,
    at: i64,
) -> Result<(), AppError> {
    if !WEBHOOK_EVENTS.contains(&e.action) {
        return Ok(());
    }
    let endpoints: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, events FROM webhooks WHERE partner_org_id = $1 AND removed_at IS NULL",
    )
    .bind(partner_org_id)
    .fetch_all(&mut **tx)
    .await?;
    let endpoints: Vec<String> = endpoints
        .into_iter()
        .filter(|(_, events)| events.split_whitespace().any(|x| x == e.action))
        .map(|(id, _)| id)
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let mut data = serde_json::Map::new();
    data.insert("partnerTenantId".into(), partner_org_id.into());
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
    if let Some(serde_json::Value::Object(extra)) = &e.data {
        data.extend(extra.clone());
    }
    data.insert("performedBy".into(), e.actor_name.as_str().into());
    data.insert("description".into(), e.detail.as_str().into());
    let payload = serde_json::json!({
        "type": e.action,
        "timestamp": rfc3339(at),
        "sequence": next_sequence(tx, partner_org_id).await?,
        "data": data,
    })
    .to_string();
    // The activity entry's id is the `webhook-id` of every delivery of the event.
    let message_id = format!("msg_{id}");
    for endpoint in endpoints {
        insert_delivery(tx, &endpoint, &message_id, e.action, &payload, at).await?;
    }
    Ok(())
}

/// The partner's next event number: one more than its last event's, taken in the event's
/// transaction (the partner's row stays locked until it commits), so numbers follow the
/// order in which events happen, whichever instance writes them.
pub async fn next_sequence(
    tx: &mut Transaction<'_, Any>,
    partner_org_id: &str,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "UPDATE partner_orgs SET webhook_sequence = webhook_sequence + 1 WHERE id = $1
         RETURNING webhook_sequence",
    )
    .bind(partner_org_id)
    .fetch_one(&mut **tx)
    .await?)
}
