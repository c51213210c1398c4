-- The account-wide ceiling on failed sign-ins, shared by every instance on the database:
-- per account (SHA-256 of the email as sign-in reads it), the theoretical arrival time of
-- its generic cell rate, in milliseconds since the epoch.
CREATE TABLE sign_in_failures (
    account TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);

-- Clients an account has signed in from (SHA-256 of a device cookie's token, or of an
-- address), which the ceiling does not hold back; forgotten after 180 days unused.
CREATE TABLE known_clients (
    account TEXT NOT NULL,
    client TEXT NOT NULL,
    last_used BIGINT NOT NULL,
    PRIMARY KEY (account, client)
);
