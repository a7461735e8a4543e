//! Per-account log-in back-off: after [`FREE_FAILURES`] failed log-ins within
//! [`WINDOW`], each further attempt must wait twice as long as the one before (1 s, 2 s,
//! 4 s, … up to the window), whoever makes it. The per-IP limit sits in front of this;
//! this one stops a slow guesser spread over many addresses.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Failed attempts allowed in the window before delays begin.
pub const FREE_FAILURES: usize = 5;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginBackoff {
    /// Account key → times of its recent failures, oldest first.
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginBackoff {
    fn failures(&self) -> MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// `Err(wait)` while `account` must still wait before its next attempt.
    pub fn check(&self, account: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut failures = self.failures();
        let Some(times) = failures.get_mut(account) else {
            return Ok(());
        };
        times.retain(|t| now.duration_since(*t) < WINDOW);
        let (count, last) = (times.len(), times.last().copied());
        if times.is_empty() {
            failures.remove(account);
        }
        match last {
            Some(last) if count >= FREE_FAILURES => {
                let exponent = u32::try_from(count - FREE_FAILURES)
                    .unwrap_or(u32::MAX)
                    .min(10);
                let delay = Duration::from_secs(1u64 << exponent).min(WINDOW);
                let ready = last + delay;
                if now < ready {
                    Err(ready - now)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Records a failed attempt; returns how many count now.
    pub fn record_failure(&self, account: &str) -> usize {
        let mut failures = self.failures();
        let times = failures.entry(account.to_owned()).or_default();
        times.push(Instant::now());
        times.len()
    }

    /// A successful log-in wipes the slate.
    pub fn clear(&self, account: &str) {
        self.failures().remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_and_then_delays_begin() {
        let backoff = LoginBackoff::default();
        for _ in 0..FREE_FAILURES {
            assert!(backoff.check("ann").is_ok());
            backoff.record_failure("ann");
        }
        let wait = backoff.check("ann").err().unwrap_or_default();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(backoff.check("bob").is_ok(), "per account");
        backoff.clear("ann");
        assert!(backoff.check("ann").is_ok());
    }
}
