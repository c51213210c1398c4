-- The Customers listing in keyset order, with counts kept as the data changes.
--
-- sort_key: the customer's name in lower case as UTF-8 bytes, domain_key its domain the same
-- way (filled by the server in the transaction that establishes the relationship, and at
-- start for rows written before this version). Bytes compare the same way on SQLite and
-- PostgreSQL, whatever the database's collation, so a page boundary and a name prefix mean
-- the same on both. has_dap: whether this partner holds delegated admin privileges for the
-- customer (any service); NULL once the relationship is removed, and then it is not counted.
ALTER TABLE relationships ADD COLUMN sort_key BYTEA;
ALTER TABLE relationships ADD COLUMN domain_key BYTEA;
ALTER TABLE relationships ADD COLUMN has_dap BIGINT;

UPDATE relationships SET has_dap = CASE WHEN EXISTS (
    SELECT 1 FROM dap_grants d
    WHERE d.partner_org_id = relationships.partner_org_id
      AND d.customer_org_id = relationships.customer_org_id AND d.revoked_at IS NULL)
  THEN 1 ELSE 0 END
WHERE removed_at IS NULL;

-- How many active relationships each partner has, by kind and DAP: the page's "1–50 of N"
-- without counting rows, kept in the transactions that change relationships or DAP.
CREATE TABLE customer_counts (
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    kind TEXT NOT NULL,
    has_dap BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (partner_org_id, kind, has_dap)
);
INSERT INTO customer_counts (partner_org_id, kind, has_dap, n)
SELECT partner_org_id, kind, has_dap, COUNT(*) FROM relationships
WHERE removed_at IS NULL GROUP BY partner_org_id, kind, has_dap;

-- A page of the listing is an index range: by name (the kind and DAP inside the index, so a
-- filter reads no table rows), by DAP and by kind, and name or domain prefixes.
CREATE INDEX relationships_listing ON relationships (partner_org_id, sort_key, customer_org_id, kind, has_dap)
    WHERE removed_at IS NULL;
CREATE INDEX relationships_listing_dap ON relationships (partner_org_id, has_dap, sort_key, customer_org_id)
    WHERE removed_at IS NULL;
CREATE INDEX relationships_listing_kind ON relationships (partner_org_id, kind, sort_key, customer_org_id)
    WHERE removed_at IS NULL;
CREATE INDEX relationships_listing_domain ON relationships (partner_org_id, domain_key)
    WHERE removed_at IS NULL;
