-- The customer agreement is data per cloud: a row with a cloud (`public`, `us-gov`,
-- `germany`, `china`) applies in that cloud; a row without one applies wherever no
-- cloud has its own.
ALTER TABLE agreements ADD COLUMN cloud TEXT;
