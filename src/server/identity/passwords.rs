//! argon2id password hashing, off the async runtime's worker threads.
//!
//! Each hash needs a 19 MiB block of memory. At most one hash per core runs at a time
//! (`SLOTS`); other sign-ins wait their turn for a few seconds and are then told to try
//! again, so a burst of sign-ins cannot exhaust memory. The blocks come from mimalloc, and
//! each hashing thread hands its free memory back to the system as soon as it is done.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

use crate::error::AppError;

/// How long a sign-in waits for a free hashing slot before it is told to try again.
const WAIT_FOR_SLOT: std::time::Duration = std::time::Duration::from_secs(8);
/// ...and after how many seconds it is told to try again (`Retry-After`).
pub const BUSY_RETRY_SECS: u64 = 8;

/// One hashing slot per core.
static SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// New passwords (sign-ups, set-password links) take at most half the slots, so requests
/// anyone can send without an account never hold every slot: signing in keeps the rest.
static NEW_PASSWORD_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new((cores / 2).max(1))
    });

/// Hashes running now, and the most that ever ran at once (for tests).
static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static MOST_RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static DONE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many argon2 computations this process has run (for tests: which requests cost one).
pub fn hashes_done() -> usize {
    DONE.load(std::sync::atomic::Ordering::SeqCst)
}

/// A permit of `slots`, waiting [`WAIT_FOR_SLOT`] at most (then: try again later).
async fn wait_for(
    slots: &'static tokio::sync::Semaphore,
    busy: &'static str,
) -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    tokio::time::timeout(WAIT_FOR_SLOT, slots.acquire())
        .await
        .map_err(|_| {
            tracing::warn!("{busy}");
            AppError::TooManyAttempts
        })?
        .map_err(|_| AppError::Internal)
}

/// Runs `work` (one argon2 computation) in a hashing slot on a blocking thread.
async fn in_slot<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    use std::sync::atomic::Ordering;
    let permit = wait_for(&SLOTS, "no free password-hashing slot; refused for now").await?;
    let result = tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_RUNNING.fetch_max(now, Ordering::SeqCst);
        let out = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        DONE.fetch_add(1, Ordering::SeqCst);
        // The hash's 19 MiB block went back to this thread's mimalloc heap; give it back to
        // the system now rather than when this thread next allocates, which for an idle
        // blocking thread may be never.
        // SAFETY: mi_collect only releases this thread's free memory; it has no preconditions.
        unsafe { libmimalloc_sys::mi_collect(true) };
        out
    })
    .await
    .map_err(|_| AppError::Internal);
    drop(permit);
    result
}

/// Hashes a new password, in the share of the slots new passwords may take.
pub async fn hash(password: String) -> Result<String, AppError> {
    let _share = wait_for(
        &NEW_PASSWORD_SLOTS,
        "no free slot for a new password; refused for now",
    )
    .await?;
    in_slot(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                AppError::Internal
            })
    })
    .await?
}

/// Checks `password` against a stored hash. With no stored hash (unknown email) it still
/// spends the same work on a throwaway hash, so timing does not tell whether an email exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    in_slot(move || {
        let stored = stored.unwrap_or_else(|| DUMMY.clone());
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}

static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(b"accord-timing-equalizer", &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_of_hashes_runs_at_most_one_per_core() {
        use std::sync::atomic::Ordering;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let burst: Vec<_> = (0..cores * 4)
            .map(|i| tokio::spawn(verify(format!("attempt {i}"), None)))
            .collect();
        for attempt in burst {
            assert!(!attempt.await.unwrap().unwrap());
        }
        let most = MOST_RUNNING.load(Ordering::SeqCst);
        assert!(
            most >= 1 && most <= cores,
            "{most} hashes ran at once on {cores} cores"
        );
    }

    /// New passwords, which anyone can ask for without an account (sign-ups, set-password
    /// links), cannot take every slot: a sign-in flooded by them still gets one at once,
    /// while most of the flood is still waiting (a fair queue shared by all would put it
    /// behind every one of them).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn new_passwords_leave_sign_in_a_share() {
        let flood: Vec<_> = (0..24)
            .map(|i| tokio::spawn(hash(format!("new password {i}"))))
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!verify("a sign-in".into(), None).await.unwrap());
        let finished = flood.iter().filter(|h| h.is_finished()).count();
        assert!(
            finished < flood.len() / 2,
            "{finished} of the flood ran before the sign-in"
        );
        for h in flood {
            let _ = h.await;
        }
    }
}
