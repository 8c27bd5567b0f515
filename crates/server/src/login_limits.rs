//! Sign-in attempts are limited per email (guessing one account's password) and per client
//! address (spraying many accounts). Limits live in this process's memory: with several
//! replicas each enforces its own share, which still bounds guessing.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct LoginLimits {
    per_email: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

const PER_EMAIL_PER_MINUTE: u32 = 5;
const PER_IP_PER_MINUTE: u32 = 30;

impl Default for LoginLimits {
    fn default() -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n).expect("non-zero quota"));
        Self {
            per_email: RateLimiter::keyed(quota(PER_EMAIL_PER_MINUTE)),
            per_ip: RateLimiter::keyed(quota(PER_IP_PER_MINUTE)),
            clock: DefaultClock::default(),
        }
    }
}

impl LoginLimits {
    /// Counts one attempt; `Err(seconds)` says how long to wait before the next may succeed.
    pub fn check(&self, email: &str, ip: IpAddr) -> Result<(), u64> {
        let wait = |not_until: governor::NotUntil<_>| {
            let d: Duration = not_until.wait_time_from(self.clock.now());
            d.as_secs() + u64::from(d.subsec_nanos() > 0)
        };
        self.per_ip.check_key(&ip).map_err(wait)?;
        self.per_email.check_key(&email.to_owned()).map_err(wait)?;
        Ok(())
    }

    /// Forgets keys that are back to a full allowance, so memory does not grow without bound.
    pub fn forget_idle(&self) {
        self.per_email.retain_recent();
        self.per_ip.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_limited_independently_of_others() {
        let limits = LoginLimits::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..PER_EMAIL_PER_MINUTE {
            assert!(limits.check("a@x.io", ip).is_ok());
        }
        let wait = limits.check("a@x.io", ip).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limits.check("b@x.io", ip).is_ok());
    }
}
