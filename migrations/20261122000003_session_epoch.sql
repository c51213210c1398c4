-- Sign out everywhere: a session is valid only while it carries its user's current epoch;
-- raising the epoch ends every session of that user at once, on every instance.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
