//! The seam for things that happened. A capability describes its change as an [`Event`] and
//! calls [`record`] inside the transaction of the change; everything the event causes is
//! written in that same transaction: the activity entry, the webhook deliveries (the outbox),
//! so nothing is lost or sent for a change that did not happen. Capabilities never call each
//! other to tell of a change; they call this, and this calls no capability.

pub mod mail_outbox;
pub mod webhook_outbox;

use sqlx::{Any, Transaction};

use crate::domain::{Facts, Viewer};
use crate::error::AppError;
use crate::server::platform::db::{new_id, now};

/// Something that happened, built with `Event::by(actor).partner(..).customer(..).action(..)`.
pub struct Event<'a> {
    actor_user_id: Option<&'a str>,
    actor_name: String,
    partner_org_id: Option<&'a str>,
    customer_org_id: Option<&'a str>,
    action: &'a str,
    detail: String,
    /// Fields of the event for webhooks (`relationshipType`, `services`, …).
    data: Option<serde_json::Value>,
}

impl<'a> Event<'a> {
    pub fn by(actor: &'a Viewer) -> Self {
        Event {
            actor_user_id: Some(&actor.user_id),
            actor_name: format!("{} ({})", actor.name, actor.org_name),
            partner_org_id: None,
            customer_org_id: None,
            action: "",
            detail: String::new(),
            data: None,
        }
    }

    /// An event caused by a person who is not signed in (e.g. setting a password through a link).
    pub fn named(user_id: &'a str, actor_name: String) -> Self {
        Event {
            actor_user_id: Some(user_id),
            actor_name,
            partner_org_id: None,
            customer_org_id: None,
            action: "",
            detail: String::new(),
            data: None,
        }
    }

    pub fn partner(mut self, id: &'a str) -> Self {
        self.partner_org_id = Some(id);
        self
    }

    pub fn customer(mut self, id: &'a str) -> Self {
        self.customer_org_id = Some(id);
        self
    }

    /// What happened: one of [`ACTIONS`], and its facts (put into words by each reader's
    /// page, in the reader's language).
    pub fn action(mut self, action: &'a str, facts: Facts) -> Self {
        self.action = action;
        self.detail = facts.to_stored();
        self
    }

    /// What webhooks tell of the event besides the customer and who acted.
    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

/// Records the event inside the caller's transaction, so what it causes exists exactly when
/// the change does: the activity entry and, for a partner's event, the deliveries to the
/// partner's webhooks that asked for it (the outbox).
pub async fn record(tx: &mut Transaction<'_, Any>, e: Event<'_>) -> Result<(), AppError> {
    let (id, at) = (new_id(), now());
    sqlx::query(
        "INSERT INTO activity (id, at, actor_user_id, actor_name, partner_org_id, customer_org_id, action, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(at)
    .bind(e.actor_user_id)
    .bind(&e.actor_name)
    .bind(e.partner_org_id)
    .bind(e.customer_org_id)
    .bind(e.action)
    .bind(&e.detail)
    .execute(&mut **tx)
    .await?;
    if let Some(partner) = e.partner_org_id {
        webhook_outbox::enqueue(tx, &e, partner, &id, at).await?;
    }
    Ok(())
}

/// Every action the log records, in the order the filter offers them.
pub const ACTIONS: &[&str] = &[
    "relationship.established",
    "relationship.removed",
    "dap.granted",
    "dap.removed",
    "agreement.accepted",
    "invitation.declined",
    "link.rotated",
    "user.added",
    "user.role_changed",
    "user.removed",
    "user.password_link",
    "user.password_set",
    "indirect.requested",
    "indirect.connected",
    "indirect.declined",
    "indirect.ended",
    "apikey.created",
    "apikey.revoked",
    "webhook.created",
    "webhook.removed",
];

/// The events a webhook endpoint can ask for, in the order the page offers them.
pub const WEBHOOK_EVENTS: &[&str] = &[
    "relationship.established",
    "invitation.declined",
    "relationship.removed",
    "dap.granted",
    "dap.removed",
];
