-- A customer's Decline is recorded once per day for each partner: repeating it writes nothing.
CREATE TABLE declines (
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    customer_org_id TEXT NOT NULL REFERENCES customer_orgs (id),
    day BIGINT NOT NULL,                       -- Unix day (UTC) of the decline
    PRIMARY KEY (partner_org_id, customer_org_id, day)
);

-- A partner organization invites only once an operator has approved it (or sign-up is
-- open). Organizations that existed before approval was introduced count as approved.
ALTER TABLE partner_orgs ADD COLUMN approved_at BIGINT;
UPDATE partner_orgs SET approved_at = created_at;
