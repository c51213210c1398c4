-- {{count}} customer organizations that accepted partner {{partner}}'s invitation, written in
-- bulk as Accept & Authorize writes them: the organization, its Global admin, the agreement
-- acceptance, the reseller relationship, DAP for every other one (both services), the
-- activity entry, the partner's counters and version. Portable SQL (SQLite and PostgreSQL);
-- {{tag}} (8 hex digits) makes the ids and domains of one run unique. The relationships'
-- sort keys are filled by the server (`listing::fill_sort_keys`) as for an upgrade.
-- Used by `make bench` (scripts/bench-scale) and the paging tests.
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {{count}})
INSERT INTO customer_orgs (id, name, domain, country, cloud, created_at, updated_at)
SELECT '{{tag}}-0000-4000-' || substr(CAST(10000000000000000 + i AS TEXT), 2, 4) || '-'
           || substr(CAST(10000000000000000 + i AS TEXT), 6, 12),
       CASE i % 8 WHEN 0 THEN 'Alpine Ski House' WHEN 1 THEN 'Blue Yonder Airlines'
                  WHEN 2 THEN 'Coho Winery' WHEN 3 THEN 'Fourth Coffee'
                  WHEN 4 THEN 'Lucerne Publishing' WHEN 5 THEN 'Tailspin Toys'
                  WHEN 6 THEN 'Wide World Importers' ELSE 'Woodgrove Bank' END || ' ' || i,
       't{{tag}}c' || i || '.onmicrosoft.com', 'US', 'public', 1700000000, 1700000000
FROM seq;

INSERT INTO users (id, email, name, password_hash, customer_org_id, role, created_at)
SELECT 'u' || c.id, 'admin@' || c.domain, 'Casey Customer', '!', c.id, 'global_admin', 1700000000
FROM customer_orgs c WHERE c.id LIKE '{{tag}}-%';

INSERT INTO agreement_acceptances (id, customer_org_id, agreement_id, signer_first_name,
    signer_last_name, signer_email, accepted_by_user_id, accepted_at)
SELECT 'a' || c.id, c.id, 'mca-2019-10', 'Casey', 'Customer', 'admin@' || c.domain, 'u' || c.id, 1700000000
FROM customer_orgs c WHERE c.id LIKE '{{tag}}-%';

INSERT INTO relationships (id, partner_org_id, customer_org_id, kind, established_at,
    established_by_user_id, has_dap)
SELECT 'r' || c.id, '{{partner}}', c.id, 'reseller', 1700000000, 'u' || c.id,
       CASE WHEN substr(c.id, 36, 1) IN ('0', '2', '4', '6', '8') THEN 1 ELSE 0 END
FROM customer_orgs c WHERE c.id LIKE '{{tag}}-%';

INSERT INTO dap_grants (id, partner_org_id, customer_org_id, service, granted_at, granted_by_user_id)
SELECT 'd' || s.service || r.customer_org_id, r.partner_org_id, r.customer_org_id, s.service,
       1700000000, r.established_by_user_id
FROM relationships r
JOIN (SELECT 'azure_ad' AS service UNION ALL SELECT 'office_365') s ON 1 = 1
WHERE r.id LIKE 'r{{tag}}-%' AND r.has_dap = 1;

INSERT INTO activity (id, at, actor_user_id, actor_name, partner_org_id, customer_org_id, action, detail)
SELECT 'e' || r.customer_org_id, 1700000000, r.established_by_user_id, 'Casey Customer', r.partner_org_id,
       r.customer_org_id, 'relationship.established', '{"by":"Casey Customer","kind":"reseller"}'
FROM relationships r WHERE r.id LIKE 'r{{tag}}-%';

INSERT INTO customer_counts (partner_org_id, kind, has_dap, n)
SELECT r.partner_org_id, r.kind, r.has_dap, COUNT(*) FROM relationships r
WHERE r.id LIKE 'r{{tag}}-%'
GROUP BY r.partner_org_id, r.kind, r.has_dap
ON CONFLICT (partner_org_id, kind, has_dap) DO UPDATE SET n = customer_counts.n + excluded.n;

UPDATE partner_orgs SET customers_version = customers_version + 1 WHERE id = '{{partner}}';
