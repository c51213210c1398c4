//! Webhooks: a partner's Global admin registers HTTPS endpoints for events
//! (`relationship.established`, `invitation.declined`, `relationship.removed`, `dap.granted`,
//! `dap.removed`); Accord posts each event to them as signed JSON in the style of Standard
//! Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`).
//!
//! Deliveries go through an outbox: `events::record` writes one row per endpoint inside the
//! transaction of the event itself (`events::webhook_outbox`), so a delivery exists exactly
//! when its event does. A [`Deliverer`] sends due rows, retries failures with growing delays
//! and keeps the outcome of each for the delivery log. Instances sharing a database take a
//! row with a lease, so each attempt is made by one of them; a row whose sender died is
//! taken again once its lease runs out, so a crash loses nothing.
//!
//! - `endpoints`: registering, listing, removing endpoints and **Send test event**;
//! - `deliverer`: the delivery log and the sending of the outbox;
//! - `addresses`: the guard that keeps deliveries off private networks;
//! - `signature`: the signing secret and the `webhook-signature` header.

pub mod addresses;
pub mod deliverer;
pub mod endpoints;
pub mod signature;

/// The events an endpoint can ask for, in the order the page offers them.
pub use crate::server::events::WEBHOOK_EVENTS as EVENTS;
/// How deliveries are made (`ACCORD_WEBHOOKS_*`).
pub use crate::server::platform::config::WebhookSettings as Settings;
pub use addresses::{check_url, is_public};
pub use deliverer::{deliveries, Deliverer, Delivery, Failure, LOG_SIZE};
pub use endpoints::{
    check_events, create, endpoint, list, remove, send_test, Endpoint, MAX_ENDPOINTS, TEST_EVENT,
};
pub use signature::sign;
