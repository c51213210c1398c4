-- The indirect channel: an indirect reseller asks an indirect provider of its cloud to
-- connect; the provider accepts or declines, and may end the connection later. One row per
-- pair; its state and when it last changed.
CREATE TABLE indirect_connections (
    id TEXT PRIMARY KEY,
    reseller_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    provider_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    state TEXT NOT NULL CHECK (state IN ('requested', 'connected', 'declined', 'ended')),
    requested_at BIGINT NOT NULL,
    requested_by_user_id TEXT NOT NULL REFERENCES users (id),
    changed_at BIGINT NOT NULL,
    changed_by_user_id TEXT NOT NULL REFERENCES users (id),
    UNIQUE (reseller_org_id, provider_org_id),
    CHECK (reseller_org_id <> provider_org_id)
);
CREATE INDEX indirect_connections_provider ON indirect_connections (provider_org_id);
