-- Every webhook event of a partner gets the next number of this counter (`sequence` in
-- the event's body), written in the event's transaction, so receivers can order events
-- that share a timestamp.
ALTER TABLE partner_orgs ADD COLUMN webhook_sequence BIGINT NOT NULL DEFAULT 0;
