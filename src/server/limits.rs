//! Rate limits on sign-in and sign-up: per account (slows password guessing against one
//! email) and per client address (slows guessing across many emails, and sign-up spam).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AppError;

#[derive(Clone)]
pub struct Limits {
    per_account: Arc<DefaultKeyedRateLimiter<String>>,
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(5, Duration::from_secs(12), 30, Duration::from_secs(1))
    }
}

impl Limits {
    /// `burst` attempts at once, then one more every `every`.
    pub fn new(
        account_burst: u32,
        account_every: Duration,
        address_burst: u32,
        address_every: Duration,
    ) -> Self {
        let quota = |burst: u32, every: Duration| {
            Quota::with_period(every)
                .expect("a non-zero period")
                .allow_burst(NonZeroU32::new(burst.max(1)).expect("burst is at least 1"))
        };
        Limits {
            per_account: Arc::new(RateLimiter::keyed(quota(account_burst, account_every))),
            per_address: Arc::new(RateLimiter::keyed(quota(address_burst, address_every))),
        }
    }

    /// Counts one attempt for `email` (any email, known or not) and the client address.
    pub fn check(&self, email: Option<&str>, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(ip) = address {
            self.per_address
                .check_key(&ip)
                .map_err(|_| AppError::TooManyAttempts)?;
        }
        if let Some(email) = email {
            self.per_account
                .check_key(&email.trim().to_lowercase())
                .map_err(|_| AppError::TooManyAttempts)?;
        }
        Ok(())
    }

    /// Drops the state of keys that are back to a full allowance.
    pub fn shrink(&self) {
        self.per_account.retain_recent();
        self.per_address.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_account_and_address() {
        let limits = Limits::new(2, Duration::from_secs(60), 3, Duration::from_secs(60));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.check(Some("a@x.example"), None).is_ok());
        assert!(limits.check(Some("A@X.example "), None).is_ok());
        assert_eq!(
            limits.check(Some("a@x.example"), None),
            Err(AppError::TooManyAttempts)
        );
        assert!(
            limits.check(Some("b@x.example"), None).is_ok(),
            "other accounts are not affected"
        );
        for _ in 0..3 {
            assert!(limits.check(None, Some(ip)).is_ok());
        }
        assert_eq!(
            limits.check(Some("c@x.example"), Some(ip)),
            Err(AppError::TooManyAttempts)
        );
        assert!(limits
            .check(None, Some("192.0.2.2".parse().unwrap()))
            .is_ok());
    }
}
