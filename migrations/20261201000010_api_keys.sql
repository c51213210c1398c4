-- API keys of partner organizations, for the REST API (`Authorization: Bearer acc_…`). Only
-- a hash of each key is stored; its first characters are kept to recognise it in lists.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,          -- SHA-256 of the whole key, hex
    created_at BIGINT NOT NULL,
    created_by_user_id TEXT NOT NULL REFERENCES users (id),
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT,
    revoked_by_user_id TEXT REFERENCES users (id)
);
CREATE INDEX api_keys_partner ON api_keys (partner_org_id);
