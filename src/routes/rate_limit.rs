//! Limits on login, password reset, sign-up and event registration, per client address and
//! per account or mail address, so passwords cannot be guessed at speed and mailboxes cannot
//! be flooded.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::errors::RouteError;

pub struct RateLimits {
    pub login_by_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Keyed by account and client, so guessing from one place locks out nobody elsewhere.
    pub login_by_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    pub reset_by_address: DefaultKeyedRateLimiter<IpAddr>,
    pub reset_by_account: DefaultKeyedRateLimiter<String>,
    pub signup_by_address: DefaultKeyedRateLimiter<IpAddr>,
    pub registration_by_address: DefaultKeyedRateLimiter<IpAddr>,
    pub registration_by_recipient: DefaultKeyedRateLimiter<String>,
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
            // A whole school team may register from one address (one network) at a kick-off.
            registration_by_address: RateLimiter::keyed(quota(300, Duration::from_secs(12))),
            registration_by_recipient: RateLimiter::keyed(quota(5, Duration::from_secs(600))),
        }
    }
}

/// Counts a login attempt, per client address and per account from that address: whoever
/// guesses a known account's password is slowed down without locking its owner out, who
/// logs in from another client that has not been failing.
pub fn check_login(limits: &RateLimits, request: &HttpRequest, email: &str) -> Result<(), RouteError> {
    let address = client_address(request);
    check(&limits.login_by_address, &address)?;
    check(&limits.login_by_account, &(email.trim().to_lowercase(), address))
}

/// Counts a registration without an account. Its mail goes to an address someone typed, so
/// nobody can have a stranger mailed over and over, or mail many from one place.
pub fn check_registration(limits: &RateLimits, request: &HttpRequest, email: &str) -> Result<(), RouteError> {
    check(&limits.registration_by_address, &client_address(request))?;
    check(&limits.registration_by_recipient, &email.trim().to_lowercase())
}

pub fn client_address(request: &HttpRequest) -> IpAddr {
    request.peer_addr().map(|address| address.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]))
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
