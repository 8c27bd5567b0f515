//! What a webhook sender may cost us before its signature has been checked. The webhook
//! endpoint is open to the internet, and routing a delivery means looking its numbers up:
//! a forger naming made-up numbers makes us read the database for nothing. So each source
//! address has a budget of made-up numbers per minute; past it, numbers we have not already
//! cached are not looked up for that source until the minute is over (a real delivery from
//! Meta names connected numbers, which stay cached, so it is not held up by a forger sharing
//! its address). Sources are kept in a bounded LRU, like the unknown numbers themselves.
//!
//! Logging is budgeted too: one line per refused delivery would let the forger fill the
//! disk, so refusals are summed and written at most once per `LOG_EVERY`.

use hashlink::LruCache;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Made-up numbers one source may make us look up per window.
pub const UNKNOWN_PER_WINDOW: usize = 1_000;
const WINDOW: Duration = Duration::from_secs(60);
/// Sources remembered at most; the least recently seen are forgotten first.
const SOURCES_KEPT: usize = 4_096;
const LOG_EVERY: Duration = Duration::from_secs(10);

pub struct WebhookCosts {
    sources: Mutex<LruCache<IpAddr, Spent>>,
    refusals: Mutex<Refusals>,
}

#[derive(Clone, Copy)]
struct Spent {
    since: Instant,
    unknown: usize,
}

/// Refused deliveries since the last line written about them.
#[derive(Default)]
pub struct Refusals {
    last_written: Option<Instant>,
    pub deliveries: u64,
    pub unknown_numbers: u64,
    pub bad_signatures: u64,
    pub over_budget: u64,
    pub too_large: u64,
}

impl Default for WebhookCosts {
    fn default() -> Self {
        WebhookCosts {
            sources: Mutex::new(LruCache::new(SOURCES_KEPT)),
            refusals: Mutex::default(),
        }
    }
}

impl WebhookCosts {
    /// Whether `source` may still make us look up numbers we have not cached.
    pub fn may_look_up(&self, source: IpAddr) -> bool {
        let mut sources = self.sources.lock().expect("webhook costs lock");
        match sources.get(&source) {
            Some(spent) if spent.since.elapsed() < WINDOW => spent.unknown < UNKNOWN_PER_WINDOW,
            _ => true,
        }
    }

    /// Counts `unknown` made-up numbers against `source`.
    pub fn spend(&self, source: IpAddr, unknown: usize) {
        if unknown == 0 {
            return;
        }
        let mut sources = self.sources.lock().expect("webhook costs lock");
        let now = Instant::now();
        let spent = match sources.get(&source) {
            Some(s) if s.since.elapsed() < WINDOW => Spent {
                since: s.since,
                unknown: s.unknown + unknown,
            },
            _ => Spent {
                since: now,
                unknown,
            },
        };
        sources.insert(source, spent);
    }

    /// Adds one refused delivery to the tally and, at most once per `LOG_EVERY`, hands back
    /// the tally to be written as one log line.
    pub fn refused(&self, tally: impl FnOnce(&mut Refusals)) -> Option<Refusals> {
        let mut refusals = self.refusals.lock().expect("webhook costs lock");
        refusals.deliveries += 1;
        tally(&mut refusals);
        let due = refusals
            .last_written
            .is_none_or(|at| at.elapsed() >= LOG_EVERY);
        if !due {
            return None;
        }
        let written = std::mem::take(&mut *refusals);
        refusals.last_written = Some(Instant::now());
        Some(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_past_its_budget_is_not_looked_up_for_others() {
        let costs = WebhookCosts::default();
        let forger: IpAddr = "203.0.113.9".parse().unwrap();
        let meta: IpAddr = "66.220.149.1".parse().unwrap();
        assert!(costs.may_look_up(forger));
        costs.spend(forger, UNKNOWN_PER_WINDOW - 1);
        assert!(costs.may_look_up(forger));
        costs.spend(forger, 1);
        assert!(!costs.may_look_up(forger));
        assert!(costs.may_look_up(meta));
    }

    #[test]
    fn refusals_are_written_once_per_interval_with_their_count() {
        let costs = WebhookCosts::default();
        let first = costs
            .refused(|r| r.unknown_numbers += 3)
            .expect("first is written");
        assert_eq!((first.deliveries, first.unknown_numbers), (1, 3));
        for _ in 0..100 {
            assert!(costs.refused(|r| r.bad_signatures += 1).is_none());
        }
        let tally = costs.refusals.lock().unwrap();
        assert_eq!((tally.deliveries, tally.bad_signatures), (100, 100));
    }
}
