//! Limits on login, password reset and sign-up, per client address and per account, so
//! passwords cannot be guessed at speed and mailboxes cannot be flooded.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::errors::RouteError;

pub struct RateLimits {
    pub login_by_address: DefaultKeyedRateLimiter<IpAddr>,
    pub login_by_account: DefaultKeyedRateLimiter<String>,
    pub reset_by_address: DefaultKeyedRateLimiter<IpAddr>,
    pub reset_by_account: DefaultKeyedRateLimiter<String>,
    pub signup_by_address: DefaultKeyedRateLimiter<IpAddr>,
}

/// `burst` attempts at once, then one more every `period`.
fn quota(burst: u32, period: Duration) -> Quota {
    Quota::with_period(period)
        .expect("a non-zero period")
        .allow_burst(NonZeroU32::new(burst).expect("a non-zero burst"))
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            login_by_address: RateLimiter::keyed(quota(10, Duration::from_secs(6))),
            login_by_account: RateLimiter::keyed(quota(5, Duration::from_secs(60))),
            reset_by_address: RateLimiter::keyed(quota(5, Duration::from_secs(60))),
            reset_by_account: RateLimiter::keyed(quota(3, Duration::from_secs(600))),
            signup_by_address: RateLimiter::keyed(quota(5, Duration::from_secs(600))),
        }
    }
}

/// Counts an attempt; refuses with the seconds to wait when over the limit.
pub fn check<K>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), RouteError>
where
    K: std::hash::Hash + Eq + Clone,
{
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        RouteError::TooManyRequests(wait.as_secs().max(1))
    })
}
