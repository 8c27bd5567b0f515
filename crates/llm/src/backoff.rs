//! How long to wait before trying a failed call again.

use std::time::Duration;

use rand::Rng;

/// A provider's `Retry-After` is honoured up to this; beyond it the agent would sit silent in
/// front of a customer, and giving up lets the caller fall back instead.
pub(crate) const RETRY_AFTER_CAP: Duration = Duration::from_secs(10);

/// Exponential backoff with "equal jitter": half the delay fixed, half random, so many
/// conversations hitting one rate limit together do not all come back at the same instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    /// The wait after try number `failed_attempt` (1 for the first) failed.
    pub fn delay(&self, failed_attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(asked) = retry_after {
            return asked.min(RETRY_AFTER_CAP);
        }
        let ceiling = self.ceiling(failed_attempt);
        let half = ceiling / 2;
        half + rand::thread_rng().gen_range(Duration::ZERO..=half)
    }

    /// base × 2^(failed_attempt − 1), capped.
    fn ceiling(&self, failed_attempt: u32) -> Duration {
        let doublings = failed_attempt.saturating_sub(1).min(31);
        self.base.saturating_mul(1 << doublings).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_up_to_the_cap() {
        let backoff = Backoff::default();
        let ceilings: Vec<u128> = (1..=8).map(|n| backoff.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_between_half_and_the_whole_ceiling() {
        let backoff = Backoff::default();
        for attempt in 1..=6 {
            let ceiling = backoff.ceiling(attempt);
            for _ in 0..50 {
                let delay = backoff.delay(attempt, None);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{delay:?} vs {ceiling:?}"
                );
            }
        }
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let backoff = Backoff::default();
        assert_eq!(
            backoff.delay(1, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            backoff.delay(1, Some(Duration::from_secs(120))),
            RETRY_AFTER_CAP
        );
    }
}
