//! Sign-in attempts are limited per email (guessing one account's password) and per client
//! address (spraying many accounts); sign-ups (new organisations and invite acceptances) per
//! client address (mass account creation, each costing an Argon2 hash and rows). Limits live
//! in this process's memory: with several replicas each enforces its own share, which still
//! bounds guessing.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

pub struct LoginLimits {
    per_email: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    signups_per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

const PER_EMAIL_PER_MINUTE: u32 = 5;
const PER_IP_PER_MINUTE: u32 = 30;
/// Sign-ups one address may make at once: a team joining from one office network (behind one
/// NAT address) right after an invite round is the largest honest burst we expect.
pub const SIGNUP_BURST: u32 = 10;
/// After the burst, one more sign-up per address every this often: at most 60 an hour, which
/// keeps scripted account creation slow while a person who mistyped can try again at once.
const SIGNUP_EVERY: Duration = Duration::from_secs(60);
impl Default for LoginLimits {
    fn default() -> Self {
        Self::with_signup_burst(SIGNUP_BURST)
    }
}

fn non_zero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).expect("non-zero quota")
}

impl LoginLimits {
    pub fn with_signup_burst(burst: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(non_zero(n));
        let signups = Quota::with_period(SIGNUP_EVERY)
            .expect("a non-zero period")
            .allow_burst(non_zero(burst));
        Self {
            per_email: RateLimiter::keyed(quota(PER_EMAIL_PER_MINUTE)),
            per_ip: RateLimiter::keyed(quota(PER_IP_PER_MINUTE)),
            signups_per_ip: RateLimiter::keyed(signups),
            clock: DefaultClock::default(),
        }
    }

    fn wait(&self, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
        let d: Duration = not_until.wait_time_from(self.clock.now());
        d.as_secs() + u64::from(d.subsec_nanos() > 0)
    }

    /// Counts one sign-in attempt (a code counts like a password); `Err(seconds)` says how
    /// long to wait before the next may succeed.
    pub fn check(&self, email: &str, ip: IpAddr) -> Result<(), u64> {
        self.per_ip.check_key(&ip).map_err(|n| self.wait(n))?;
        self.per_email
            .check_key(&email.to_owned())
            .map_err(|n| self.wait(n))?;
        Ok(())
    }

    /// Counts one sign-up from `ip`; `Err(seconds)` as for [`LoginLimits::check`].
    pub fn check_signup(&self, ip: IpAddr) -> Result<(), u64> {
        self.signups_per_ip.check_key(&ip).map_err(|n| self.wait(n))
    }

    /// Forgets keys that are back to a full allowance, so memory does not grow without bound.
    pub fn forget_idle(&self) {
        self.per_email.retain_recent();
        self.per_ip.retain_recent();
        self.signups_per_ip.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_limited_independently_of_others() {
        let limits = LoginLimits::with_signup_burst(SIGNUP_BURST);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..PER_EMAIL_PER_MINUTE {
            assert!(limits.check("a@x.io", ip).is_ok());
        }
        let wait = limits.check("a@x.io", ip).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limits.check("b@x.io", ip).is_ok());
    }

    #[test]
    fn sign_ups_are_limited_per_address() {
        let limits = LoginLimits::with_signup_burst(SIGNUP_BURST);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..SIGNUP_BURST {
            assert!(limits.check_signup(a).is_ok());
        }
        let wait = limits.check_signup(a).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limits.check_signup(b).is_ok());
    }
}
