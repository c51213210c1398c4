//! Who a session says is signed in: started at sign-in with a fresh id, ended by inactivity
//! or by its absolute lifetime. The sessions themselves are kept by tower-sessions in the same
//! database as everything else (`platform::session_store`).

use crate::server::platform::db::now;
pub use crate::server::platform::session_store::INACTIVITY;

/// Key under which the signed-in user's id is kept in the session.
pub const USER_ID_KEY: &str = "user_id";
/// The user's session epoch at sign-in (see `accounts::sign_out_everywhere`).
const EPOCH_KEY: &str = "epoch";
/// When the user signed in (Unix seconds).
const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// When the session was last seen (Unix seconds); refreshed at most every `TOUCH_EVERY`.
const SEEN_AT_KEY: &str = "seen_at";

/// A session ends after `INACTIVITY` without use, and at the latest this long after sign-in,
/// however active.
pub const ABSOLUTE_LIFETIME: i64 = 7 * 24 * 3600;
/// Activity moves the inactivity deadline on, but the session is written back at most this
/// often (not on every request).
const TOUCH_EVERY: i64 = 600;

/// Who a session says is signed in, as it was at sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: String,
    pub epoch: i64,
}

/// Starts a signed-in session with a fresh id (no session fixation).
pub async fn start(
    session: &tower_sessions::Session,
    user_id: &str,
    epoch: i64,
) -> Result<(), tower_sessions::session::Error> {
    let now = now();
    session.cycle_id().await?;
    session.insert(USER_ID_KEY, user_id).await?;
    session.insert(EPOCH_KEY, epoch).await?;
    session.insert(SIGNED_IN_AT_KEY, now).await?;
    session.insert(SEEN_AT_KEY, now).await?;
    Ok(())
}

/// The signed-in user of a session, unless its absolute lifetime is over (then the session
/// is ended). Keeps an active session alive: its inactivity deadline moves on.
pub async fn signed_in(
    session: &tower_sessions::Session,
) -> Result<Option<SignedIn>, tower_sessions::session::Error> {
    let Some(user_id) = session.get::<String>(USER_ID_KEY).await? else {
        return Ok(None);
    };
    let now = now();
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT_KEY).await?.unwrap_or(0);
    if now - signed_in_at > ABSOLUTE_LIFETIME {
        session.flush().await?;
        return Ok(None);
    }
    let seen_at = session.get::<i64>(SEEN_AT_KEY).await?.unwrap_or(0);
    if now - seen_at > TOUCH_EVERY {
        // Modified, so the session is saved with a new inactivity deadline.
        session.insert(SEEN_AT_KEY, now).await?;
    }
    let epoch = session.get::<i64>(EPOCH_KEY).await?.unwrap_or(-1);
    Ok(Some(SignedIn { user_id, epoch }))
}
