//! Rate limits (governor): per IP on sign-up, log-in and API tokens, per user on WebSocket
//! messages.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::backoff::LoginBackoff;
use super::error::AppError;
use crate::config::LimitSettings;
use crate::domain::UserId;

pub struct Limiters {
    pub login: DefaultKeyedRateLimiter<IpAddr>,
    pub signup: DefaultKeyedRateLimiter<IpAddr>,
    pub ws_messages: DefaultKeyedRateLimiter<UserId>,
    /// Per account, across addresses: the growing delay after repeated failures.
    pub login_backoff: LoginBackoff,
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Limiters {
    pub fn new(limits: &LimitSettings) -> Self {
        Self {
            login: DefaultKeyedRateLimiter::keyed(Quota::per_minute(at_least_one(
                limits.login_per_minute,
            ))),
            signup: DefaultKeyedRateLimiter::keyed(Quota::per_minute(at_least_one(
                limits.signup_per_minute,
            ))),
            ws_messages: DefaultKeyedRateLimiter::keyed(
                Quota::per_second(at_least_one(limits.ws_messages_per_second))
                    .allow_burst(at_least_one(limits.ws_message_burst)),
            ),
            login_backoff: LoginBackoff::default(),
        }
    }
}

/// A keyed limiter allowing `n` cells a minute (at least one), for limits kept elsewhere.
pub fn keyed_per_minute<K: Hash + Eq + Clone>(n: u32) -> DefaultKeyedRateLimiter<K> {
    DefaultKeyedRateLimiter::keyed(Quota::per_minute(at_least_one(n)))
}

/// Takes one cell for `key`, or says how long to wait.
pub fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), AppError> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::RateLimited {
            retry_after_secs: wait.as_secs().max(1),
        }
    })
}

/// The address the request came from (the socket's peer; a reverse proxy's own address
/// when behind one).
pub fn client_ip(request: &actix_web::HttpRequest) -> IpAddr {
    request
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into())
}
