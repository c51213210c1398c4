#![cfg(feature = "ssr")]
//! Which requests cost a password hash: in a binary of its own, so no other test hashes
//! while this one counts.

mod common;

use accord::domain::Problem;
use accord::error::AppError;
use accord::server::identity::{passwords, users};

/// A set-password request with a link that does not work is refused before any hashing:
/// anyone can send one without an account, so it must not cost a hashing slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bogus_set_password_links_cost_no_hash() {
    let db = common::sqlite().await;
    let before = passwords::hashes_done();
    for i in 0..50 {
        // Half of them shaped like a real link's token (43 URL-safe characters), so they
        // are looked up; the others are refused by their shape alone.
        let token = match i % 2 {
            0 => format!("{:_>43}", format!("bogus-link-{i}")),
            _ => format!("bogus-link-{i}"),
        };
        let err = users::set_password(
            &db.db,
            &token,
            "a-long-enough-password".into(),
            common::outgoing(),
        )
        .await
        .unwrap_err();
        assert_eq!(err, AppError::Invalid(Problem::PasswordLink));
    }
    assert_eq!(
        passwords::hashes_done(),
        before,
        "no hash for a link that does not work"
    );
}
