//! The account-wide ceiling on password guesses, and the clients an account knows.
//!
//! The ceiling is kept in the database, so it holds whatever the number of the guesser's
//! addresses and of Accord's instances sharing the database. A sign-in from a client the
//! account does not know counts as a failure before the password is checked (so parallel
//! guesses cannot all pass the check) and is refunded when the password was right. The
//! count is a generic cell rate per account: a burst, then one per period; it never runs
//! more than one period past its burst, so an attack holds the account for one period at
//! most once it stops.
//!
//! A client is *known* to an account once it signed in to it: by its device cookie
//! (`accord_device`, a random token set at each successful sign-in; only its hash is
//! stored), or by its address (the owner at the usual desk, cookies cleared). Known
//! clients are not held back by the ceiling, so guesses from elsewhere never lock the
//! owner out; they still have their own allowance per client (`Limits::begin_sign_in`).
//! Someone signing in for the first time on a new device and network while their account
//! is under attack waits for the ceiling like the guessers do.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::domain::is_token;
use crate::error::AppError;
use crate::server::platform::db::{now, now_ms, Db};
use crate::server::platform::limits::{account_key, bucket, Allowance, Limited};

/// The cookie that marks a browser an account signed in from.
pub const DEVICE_COOKIE: &str = "accord_device";
/// How long a client stays known without signing in again (and the cookie's lifetime).
pub const KNOWN_FOR_DAYS: i64 = 180;

/// A sign-in that passed the ceiling: whether it was counted (and must be refunded if the
/// password was right).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Begun {
    counted: bool,
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn account(email: &str) -> String {
    hex(Sha256::digest(account_key(email).as_bytes()))
}

/// The stored names of a client: its device token's and its address's.
fn clients(device: Option<&str>, address: Option<IpAddr>) -> Vec<String> {
    let device = device
        .filter(|t| is_token(t))
        .map(|t| hex(Sha256::digest(format!("device:{t}").as_bytes())));
    let address = address.map(|ip| hex(Sha256::digest(format!("address:{}", bucket(ip)))));
    device.into_iter().chain(address).collect()
}

fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

/// Whether a sign-in to `email` from this client may be tried now. A client the account
/// knows always may; any other is counted against the account's `allowance`.
pub async fn begin(
    db: &Db,
    allowance: Allowance,
    email: &str,
    device: Option<&str>,
    address: Option<IpAddr>,
) -> Result<Result<Begun, Limited>, AppError> {
    let account = account(email);
    if is_known(db, &account, &clients(device, address)).await? {
        return Ok(Ok(Begun { counted: false }));
    }
    let (now, every) = (now_ms(), ms(allowance.every));
    let slack = every * i64::from(allowance.burst.max(1) - 1);
    let counted = sqlx::query(
        "INSERT INTO sign_in_failures (account, tat) VALUES ($1, $2)
         ON CONFLICT (account) DO UPDATE
            SET tat = CASE WHEN sign_in_failures.tat > $3 THEN sign_in_failures.tat ELSE $4 END + $5
          WHERE sign_in_failures.tat <= $6
         RETURNING tat",
    )
    .bind(&account)
    .bind(now + every)
    .bind(now)
    .bind(now)
    .bind(every)
    .bind(now + slack)
    .fetch_optional(&db.pool)
    .await?;
    if counted.is_some() {
        return Ok(Ok(Begun { counted: true }));
    }
    let tat: i64 = sqlx::query_scalar("SELECT tat FROM sign_in_failures WHERE account = $1")
        .bind(&account)
        .fetch_optional(&db.pool)
        .await?
        .unwrap_or(now);
    let wait = (tat - now - slack).clamp(1, every.max(1));
    Ok(Err(Limited {
        retry_after: std::time::Duration::from_millis(wait as u64),
    }))
}

async fn is_known(db: &Db, account: &str, clients: &[String]) -> Result<bool, AppError> {
    let (Some(first), second) = (clients.first(), clients.get(1)) else {
        return Ok(false);
    };
    let found = sqlx::query(
        "SELECT 1 FROM known_clients
          WHERE account = $1 AND client IN ($2, $3) AND last_used > $4 LIMIT 1",
    )
    .bind(account)
    .bind(first)
    .bind(second.unwrap_or(first))
    .bind(now() - KNOWN_FOR_DAYS * 86_400)
    .fetch_optional(&db.pool)
    .await?;
    Ok(found.is_some())
}

/// Records a successful sign-in: refunds what `begin` counted, and remembers the client
/// (its device token and its address). Answers the device token the browser keeps: its
/// own when it sent one, else a new one.
pub async fn signed_in(
    db: &Db,
    allowance: Allowance,
    email: &str,
    begun: Begun,
    device: Option<&str>,
    address: Option<IpAddr>,
) -> Result<String, AppError> {
    let account = account(email);
    let mut tx = db.begin_write().await?;
    if begun.counted {
        sqlx::query("UPDATE sign_in_failures SET tat = tat - $1 WHERE account = $2")
            .bind(ms(allowance.every))
            .bind(&account)
            .execute(&mut *tx)
            .await?;
    }
    let token = device
        .filter(|t| is_token(t))
        .map(str::to_string)
        .unwrap_or_else(new_token);
    for client in clients(Some(&token), address) {
        sqlx::query(
            "INSERT INTO known_clients (account, client, last_used) VALUES ($1, $2, $3)
             ON CONFLICT (account, client) DO UPDATE SET last_used = $4",
        )
        .bind(&account)
        .bind(&client)
        .bind(now())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(token)
}

/// The `Set-Cookie` value that keeps `token` in the browser.
pub fn device_cookie(token: &str, secure: bool) -> String {
    format!(
        "{DEVICE_COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        KNOWN_FOR_DAYS * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

/// Forgets ceilings back to a full allowance for an hour and clients unused for
/// [`KNOWN_FOR_DAYS`].
pub async fn prune(db: &Db) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sign_in_failures WHERE tat < $1")
        .bind(now_ms() - 3_600_000)
        .execute(&db.pool)
        .await?;
    sqlx::query("DELETE FROM known_clients WHERE last_used < $1")
        .bind(now() - KNOWN_FOR_DAYS * 86_400)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const ALLOWANCE: Allowance = Allowance {
        burst: 4,
        every: Duration::from_secs(600),
    };

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    async fn try_sign_in(db: &Db, device: Option<&str>, address: Option<IpAddr>) -> bool {
        begin(db, ALLOWANCE, "ada@contoso.example", device, address)
            .await
            .unwrap()
            .is_ok()
    }

    async fn db() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("accord.db").display());
        (Db::connect(&url).await.unwrap(), dir)
    }

    /// Guesses from ever new addresses stop at the account's allowance; the owner's
    /// known device and known address still get in, and a stranger's token does not.
    #[tokio::test]
    async fn the_ceiling_holds_whatever_the_addresses_but_not_for_known_clients() {
        let (db, _dir) = db().await;
        // The owner signed in once, at the office.
        let begun = begin(
            &db,
            ALLOWANCE,
            "ADA@contoso.example ",
            None,
            ip("192.0.2.10"),
        )
        .await
        .unwrap()
        .unwrap();
        let device = signed_in(
            &db,
            ALLOWANCE,
            "ada@contoso.example",
            begun,
            None,
            ip("192.0.2.10"),
        )
        .await
        .unwrap();
        assert!(is_token(&device));
        let passed = {
            let mut n = 0;
            for i in 0..200 {
                n += usize::from(
                    try_sign_in(&db, None, ip(&format!("203.0.{}.{}", i / 250, i % 250))).await,
                );
            }
            n
        };
        assert_eq!(passed, 4, "guesses from 200 addresses");
        let Err(held) = begin(
            &db,
            ALLOWANCE,
            "ada@contoso.example",
            None,
            ip("198.51.100.1"),
        )
        .await
        .unwrap() else {
            panic!("a fifth guess passed")
        };
        assert!(held.retry_after <= Duration::from_secs(600), "{held:?}");
        // The owner: from the known device anywhere, or from the known address.
        assert!(try_sign_in(&db, Some(&device), ip("198.51.100.7")).await);
        assert!(try_sign_in(&db, None, ip("192.0.2.10")).await);
        // A made-up or someone else's token is no key.
        assert!(!try_sign_in(&db, Some(&new_token()), ip("198.51.100.7")).await);
        assert!(!try_sign_in(&db, Some("junk"), ip("198.51.100.7")).await);
        // Another account is not held.
        assert!(begin(
            &db,
            ALLOWANCE,
            "grace@contoso.example",
            None,
            ip("203.0.0.1")
        )
        .await
        .unwrap()
        .is_ok());
    }

    /// A right password from an unknown client is refunded: the owner signing in from new
    /// places never uses the allowance up.
    #[tokio::test]
    async fn successful_sign_ins_are_refunded() {
        let (db, _dir) = db().await;
        for i in 0..10 {
            let address = ip(&format!("192.0.2.{i}"));
            let begun = begin(&db, ALLOWANCE, "ada@contoso.example", None, address)
                .await
                .unwrap()
                .unwrap();
            signed_in(&db, ALLOWANCE, "ada@contoso.example", begun, None, address)
                .await
                .unwrap();
        }
        for i in 0..4 {
            assert!(try_sign_in(&db, None, ip(&format!("203.0.113.{i}"))).await);
        }
        prune(&db).await.unwrap();
        assert!(!try_sign_in(&db, None, ip("203.0.113.9")).await);
    }
}
