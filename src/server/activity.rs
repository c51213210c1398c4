//! The activity log: every state change, who made it, when, for which partner and customer.

use sqlx::{Any, Transaction};

use super::db::{new_id, now};
use crate::domain::Viewer;
use crate::error::AppError;

/// One log entry, built with `Entry::by(actor).partner(..).customer(..).action(..)`.
pub struct Entry<'a> {
    actor_user_id: Option<&'a str>,
    actor_name: String,
    partner_org_id: Option<&'a str>,
    customer_org_id: Option<&'a str>,
    action: &'a str,
    detail: String,
}

impl<'a> Entry<'a> {
    pub fn by(actor: &'a Viewer) -> Self {
        Entry {
            actor_user_id: Some(&actor.user_id),
            actor_name: format!("{} ({})", actor.name, actor.org_name),
            partner_org_id: None,
            customer_org_id: None,
            action: "",
            detail: String::new(),
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

    pub fn action(mut self, action: &'a str, detail: &str) -> Self {
        self.action = action;
        self.detail = detail.to_string();
        self
    }
}

/// Writes the entry inside the caller's transaction, so it exists exactly when the change does.
pub async fn record(tx: &mut Transaction<'_, Any>, e: Entry<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO activity (id, at, actor_user_id, actor_name, partner_org_id, customer_org_id, action, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(now())
    .bind(e.actor_user_id)
    .bind(&e.actor_name)
    .bind(e.partner_org_id)
    .bind(e.customer_org_id)
    .bind(e.action)
    .bind(&e.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
