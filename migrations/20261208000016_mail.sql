-- Mail: the outbox of messages to send, written in the transaction of the event that causes
-- each one (a password-reset request, a user added, ...), sent by a background job on any
-- instance with a lease, retried with growing delays, given up after a day.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,           -- the Message-ID header, the same on every retry
    kind TEXT NOT NULL,                        -- password_reset, user_added, password_changed, ...
    user_id TEXT REFERENCES users (id),        -- the recipient, when an account
    to_address TEXT NOT NULL,
    to_name TEXT NOT NULL,
    locale TEXT NOT NULL,                      -- the language it is written in (en, zh-CN, zh-TW)
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at BIGINT NOT NULL,                -- Unix seconds: the Date header
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,           -- Unix milliseconds
    lease_until_ms BIGINT,                     -- an instance is sending it until then
    last_attempt_at BIGINT,
    last_error TEXT,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_ms);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);

-- The language a user last signed in with: the language of the mails they are sent.
ALTER TABLE users ADD COLUMN locale TEXT;

-- A set-password link is either made for a new user (by an admin: 'set', 7 days) or asked
-- for by the user who forgot their password ('reset', 1 hour).
ALTER TABLE password_links ADD COLUMN purpose TEXT NOT NULL DEFAULT 'set';
