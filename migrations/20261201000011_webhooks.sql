-- Webhooks: endpoints a partner's Global admin registers, and the outbox of their deliveries.
-- A delivery row is written in the same transaction as the event it tells of, so an event
-- is never told without having happened, nor lost when the server stops before sending it.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,                      -- event types, separated by spaces
    secret TEXT NOT NULL,                      -- whsec_…: the key deliveries are signed with
    created_at BIGINT NOT NULL,
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    removed_at BIGINT,
    removed_by_user_id TEXT REFERENCES users (id)
);
CREATE INDEX webhooks_partner ON webhooks (partner_org_id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    message_id TEXT NOT NULL,                  -- the webhook-id header, the same on every retry
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,                     -- the JSON body, exactly as it is signed and sent
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,           -- Unix milliseconds
    lease_until_ms BIGINT,                     -- an instance is sending it until then
    last_attempt_at BIGINT,
    last_status BIGINT,                        -- HTTP status of the last answer, if any
    last_error TEXT,
    delivered_at BIGINT,
    UNIQUE (webhook_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, created_at);
