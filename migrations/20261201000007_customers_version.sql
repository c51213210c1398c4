-- A partner's Customers page as of a version: every change to what it shows (a relationship,
-- delegated admin privileges, a customer's agreement acceptance) moves the version of every
-- partner of that customer on, in the same transaction, so a page rendered for an older
-- version is never shown again, on any instance.
ALTER TABLE partner_orgs ADD COLUMN customers_version BIGINT NOT NULL DEFAULT 0;
