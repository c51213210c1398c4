-- Agreements, acceptances, reseller relationships, delegated admin privileges and the activity log.

CREATE TABLE agreements (
    id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    link TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    UNIQUE (template_id, version)
);

-- The Microsoft Customer Agreement. A later version is one more row.
INSERT INTO agreements (id, template_id, name, version, link, published_at)
VALUES ('mca-2019-10', '117a77b0-9360-443b-8795-c6dedc750cf9', 'Microsoft Customer Agreement',
        '2019-10', 'https://aka.ms/customeragreement', 1569888000);

CREATE TABLE agreement_acceptances (
    id TEXT PRIMARY KEY,
    customer_org_id TEXT NOT NULL REFERENCES customer_orgs (id),
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    signer_first_name TEXT NOT NULL,
    signer_last_name TEXT NOT NULL,
    signer_email TEXT NOT NULL,
    signer_phone TEXT,
    accepted_by_user_id TEXT NOT NULL REFERENCES users (id),
    accepted_at BIGINT NOT NULL,
    UNIQUE (customer_org_id, agreement_id)
);

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    customer_org_id TEXT NOT NULL REFERENCES customer_orgs (id),
    kind TEXT NOT NULL CHECK (kind IN ('reseller', 'indirect_reseller', 'indirect_provider')),
    established_at BIGINT NOT NULL,
    established_by_user_id TEXT NOT NULL REFERENCES users (id),
    removed_at BIGINT,
    removed_by_user_id TEXT REFERENCES users (id)
);
-- One active relationship per partner and customer.
CREATE UNIQUE INDEX relationships_active ON relationships (partner_org_id, customer_org_id)
    WHERE removed_at IS NULL;
CREATE INDEX relationships_customer ON relationships (customer_org_id);

CREATE TABLE dap_grants (
    id TEXT PRIMARY KEY,
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    customer_org_id TEXT NOT NULL REFERENCES customer_orgs (id),
    service TEXT NOT NULL CHECK (service IN ('azure_ad', 'office_365')),
    granted_at BIGINT NOT NULL,
    granted_by_user_id TEXT NOT NULL REFERENCES users (id),
    revoked_at BIGINT,
    revoked_by_user_id TEXT REFERENCES users (id)
);
-- Multi-channel rule: at most one partner holds delegated admin privileges per customer and service.
CREATE UNIQUE INDEX dap_grants_one_holder ON dap_grants (customer_org_id, service)
    WHERE revoked_at IS NULL;
CREATE INDEX dap_grants_partner ON dap_grants (partner_org_id);

CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_user_id TEXT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    partner_org_id TEXT REFERENCES partner_orgs (id),
    customer_org_id TEXT REFERENCES customer_orgs (id),
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX activity_partner ON activity (partner_org_id, at);
CREATE INDEX activity_customer ON activity (customer_org_id, at);
