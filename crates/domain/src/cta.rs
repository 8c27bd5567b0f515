//! The call-to-action state machine (seeds/001 §10 with its audit's reset rule): a CTA is
//! offered at most twice; after that, or after a "no", the agent tries another approach.
//! Thirty days of quiet, or the lead saying they are interested again, starts it over.

use crate::ValidationError;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub const RESET_AFTER_DAYS: i64 = 30;
pub const MAX_OFFERS: u32 = 2;

text_enum!(
    CtaState {
        NotOffered = "not_offered",
        OfferedOnce = "offered_once",
        OfferedTwice = "offered_twice",
        Clicked = "clicked",
        Completed = "completed",
        Declined = "declined",
    }
);

/// What happened to a CTA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtaEvent {
    Offered,
    /// The lead accepted or opened it.
    Clicked,
    Completed,
    Declined,
    /// "Actually I'm interested now": the lead asks for it again.
    RenewedInterest,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CtaRecord {
    pub state: CtaState,
    pub offered_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_offered_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl CtaRecord {
    pub fn new(at: DateTime<Utc>) -> Self {
        CtaRecord {
            state: CtaState::NotOffered,
            offered_count: 0,
            first_offered_at: None,
            updated_at: at,
        }
    }

    /// The record as of `now`: anything short of completion that has been quiet for 30 days
    /// starts over, so a lead who returns months later can be offered it again.
    pub fn as_of(&self, now: DateTime<Utc>) -> CtaRecord {
        let quiet = now - self.updated_at >= Duration::days(RESET_AFTER_DAYS);
        if quiet && self.state != CtaState::Completed && self.state != CtaState::NotOffered {
            return CtaRecord::new(now);
        }
        self.clone()
    }

    /// Whether the agent may offer it now.
    pub fn may_offer(&self, now: DateTime<Utc>) -> bool {
        matches!(
            self.as_of(now).state,
            CtaState::NotOffered | CtaState::OfferedOnce
        )
    }

    /// The record after `event` at `at`; offering past the limit is refused.
    pub fn apply(&self, event: CtaEvent, at: DateTime<Utc>) -> Result<CtaRecord, ValidationError> {
        let current = self.as_of(at);
        let mut next = current.clone();
        next.updated_at = at;
        match event {
            CtaEvent::Offered => {
                next.state = match current.state {
                    CtaState::NotOffered => CtaState::OfferedOnce,
                    CtaState::OfferedOnce => CtaState::OfferedTwice,
                    other => {
                        return Err(ValidationError(format!(
                            "a CTA that is {other} may not be offered again"
                        )));
                    }
                };
                next.offered_count = current.offered_count + 1;
                next.first_offered_at = current.first_offered_at.or(Some(at));
            }
            CtaEvent::Clicked if current.state != CtaState::Completed => {
                next.state = CtaState::Clicked
            }
            CtaEvent::Completed => next.state = CtaState::Completed,
            CtaEvent::Declined if current.state != CtaState::Completed => {
                next.state = CtaState::Declined
            }
            CtaEvent::RenewedInterest
                if matches!(current.state, CtaState::OfferedTwice | CtaState::Declined) =>
            {
                next = CtaRecord::new(at);
            }
            // A click after completion, or renewed interest in something still open, changes
            // nothing.
            _ => return Ok(current),
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + Duration::days(days)
    }

    #[test]
    fn never_a_third_offer() {
        let r = CtaRecord::new(t(0));
        let r = r.apply(CtaEvent::Offered, t(0)).unwrap();
        assert_eq!(r.state, CtaState::OfferedOnce);
        let r = r.apply(CtaEvent::Offered, t(1)).unwrap();
        assert_eq!(r.state, CtaState::OfferedTwice);
        assert!(!r.may_offer(t(2)));
        assert!(r.apply(CtaEvent::Offered, t(2)).is_err());
    }

    #[test]
    fn thirty_quiet_days_start_it_over() {
        let r = CtaRecord::new(t(0))
            .apply(CtaEvent::Offered, t(0))
            .unwrap()
            .apply(CtaEvent::Declined, t(1))
            .unwrap();
        assert!(!r.may_offer(t(30)));
        assert!(r.may_offer(t(31)));
        let again = r.apply(CtaEvent::Offered, t(31)).unwrap();
        assert_eq!(again.state, CtaState::OfferedOnce);
        assert_eq!(again.offered_count, 1);
    }

    #[test]
    fn renewed_interest_reopens_a_declined_cta_but_never_a_completed_one() {
        let declined = CtaRecord::new(t(0))
            .apply(CtaEvent::Declined, t(0))
            .unwrap();
        let renewed = declined.apply(CtaEvent::RenewedInterest, t(1)).unwrap();
        assert!(renewed.may_offer(t(1)));
        let done = CtaRecord::new(t(0))
            .apply(CtaEvent::Completed, t(0))
            .unwrap();
        assert!(!done.may_offer(t(400)), "completion never expires");
        assert_eq!(
            done.apply(CtaEvent::RenewedInterest, t(1)).unwrap().state,
            CtaState::Completed
        );
    }

    fn event() -> impl Strategy<Value = CtaEvent> {
        prop::sample::select(vec![
            CtaEvent::Offered,
            CtaEvent::Offered,
            CtaEvent::Offered,
            CtaEvent::Clicked,
            CtaEvent::Declined,
            CtaEvent::Completed,
            CtaEvent::RenewedInterest,
        ])
    }

    proptest! {
        /// Between two resets (30 quiet days or renewed interest) a CTA is offered at most
        /// twice, whatever happens in between.
        #[test]
        fn at_most_two_offers_between_resets(steps in prop::collection::vec((event(), 0i64..20), 1..40)) {
            let mut day = 0;
            let mut r = CtaRecord::new(t(0));
            let mut offers_since_reset = 0;
            for (e, gap) in steps {
                day += gap;
                let now = t(day);
                if r.as_of(now).state == CtaState::NotOffered && r.state != CtaState::NotOffered {
                    offers_since_reset = 0;
                }
                match r.apply(e, now) {
                    Ok(next) => {
                        if e == CtaEvent::Offered { offers_since_reset += 1; }
                        if e == CtaEvent::RenewedInterest && next.state == CtaState::NotOffered { offers_since_reset = 0; }
                        prop_assert!(offers_since_reset <= MAX_OFFERS);
                        prop_assert_eq!(next.offered_count, offers_since_reset);
                        r = next;
                    }
                    Err(_) => prop_assert_eq!(e, CtaEvent::Offered),
                }
            }
        }

        /// May-offer and apply agree: an offer is accepted exactly when it was allowed.
        #[test]
        fn may_offer_matches_apply(steps in prop::collection::vec((event(), 0i64..40), 0..20)) {
            let mut day = 0;
            let mut r = CtaRecord::new(t(0));
            for (e, gap) in steps {
                day += gap;
                if let Ok(next) = r.apply(e, t(day)) { r = next; }
            }
            let now = t(day + 1);
            prop_assert_eq!(r.may_offer(now), r.apply(CtaEvent::Offered, now).is_ok());
        }
    }
}
