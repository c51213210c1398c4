-- The Customers page shows each customer's latest agreement acceptance: this index hands it
-- over directly instead of sorting each customer's acceptances.
CREATE INDEX agreement_acceptances_latest ON agreement_acceptances (customer_org_id, accepted_at, id);
