-- Organizations, users and their roles. Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Ids are UUID text, times are Unix seconds (BIGINT).

CREATE TABLE partner_orgs (
    id TEXT PRIMARY KEY,                       -- tenant id
    name TEXT NOT NULL,
    country TEXT NOT NULL,                     -- ISO 3166-1 alpha-2
    cloud TEXT NOT NULL CHECK (cloud IN ('public', 'us-gov', 'germany', 'china')),
    program_type TEXT NOT NULL CHECK (program_type IN ('direct', 'indirect_reseller', 'indirect_provider')),
    mspp_id BIGINT NOT NULL DEFAULT 0 CHECK (mspp_id >= 0),
    link_secret_version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX partner_orgs_mspp_id ON partner_orgs (mspp_id) WHERE mspp_id <> 0;

CREATE TABLE customer_orgs (
    id TEXT PRIMARY KEY,                       -- tenant id
    name TEXT NOT NULL,
    domain TEXT NOT NULL UNIQUE,               -- default domain, lower case
    country TEXT NOT NULL,
    cloud TEXT NOT NULL CHECK (cloud IN ('public', 'us-gov', 'germany', 'china')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,                -- lower case
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,               -- argon2id PHC string
    partner_org_id TEXT REFERENCES partner_orgs (id),
    customer_org_id TEXT REFERENCES customer_orgs (id),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((partner_org_id IS NULL AND customer_org_id IS NOT NULL)
        OR (partner_org_id IS NOT NULL AND customer_org_id IS NULL)),
    CHECK ((partner_org_id IS NULL) OR role IN ('global_admin', 'admin_agent', 'sales_agent', 'helpdesk_agent')),
    CHECK ((customer_org_id IS NULL) OR role IN ('global_admin', 'billing_admin', 'user'))
);
CREATE INDEX users_partner_org ON users (partner_org_id);
CREATE INDEX users_customer_org ON users (customer_org_id);
