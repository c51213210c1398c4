-- User management: removed users stay (the activity log and relationships name them) but can
-- no longer sign in, and their email address is free again; new users get a one-time link to
-- set their password instead of a password chosen by someone else.
ALTER TABLE users ADD COLUMN removed_at BIGINT;
ALTER TABLE users ADD COLUMN removed_email TEXT;

-- One-time set-password links. Only a hash of the token is stored; the link itself is shown
-- once, to the admin who made it.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,               -- SHA-256 of the token, hex
    user_id TEXT NOT NULL REFERENCES users (id),
    created_by_user_id TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_links_user ON password_links (user_id);
