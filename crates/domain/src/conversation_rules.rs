//! What a lead's message and an agent's decision do to a conversation. Pure: the store
//! executes the result in its transaction, and the agent's in-memory simulator applies the
//! very same result, so the two can never drift apart.

use crate::messaging::{ConversationMode, ServiceWindow};
use crate::sales::{ConversationStage, EscalationPriority, LeadStatus};
use chrono::{DateTime, Utc};

/// The conversation as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationFacts {
    pub mode: ConversationMode,
    pub stage: ConversationStage,
    pub lead_status: LeadStatus,
    pub opted_out: bool,
    pub window: ServiceWindow,
    pub last_message_at: Option<DateTime<Utc>>,
}

/// What a lead's message changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadMessageEffect {
    /// The service window after the message (never shorter than before).
    pub window: ServiceWindow,
    /// Unread messages to add: the team has not seen this one.
    pub unread_delta: i32,
    /// Whether the conversation's preview becomes this message. A late webhook for an older
    /// message never replaces a newer preview.
    pub replaces_preview: bool,
}

/// A lead's message sent at `sent_at` arrives.
pub fn lead_message(c: &ConversationFacts, sent_at: DateTime<Utc>) -> LeadMessageEffect {
    LeadMessageEffect {
        window: c.window.after_lead_message(sent_at.timestamp()),
        unread_delta: 1,
        replaces_preview: c.last_message_at.is_none_or(|last| sent_at >= last),
    }
}

/// What the agent decided, as far as the conversation is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecisionOutcome {
    pub stage: Option<ConversationStage>,
    pub lead_status: Option<LeadStatus>,
    pub opted_out: bool,
    /// The lead asked to hear from the business again (START after STOP).
    pub opted_in: bool,
    /// The agent asks for a person with this priority.
    pub handoff: Option<EscalationPriority>,
}

/// The changes a decision makes; `None` fields change nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecisionEffect {
    pub stage: Option<ConversationStage>,
    pub lead_status: Option<LeadStatus>,
    /// The lead opted out just now (first time).
    pub opts_out: bool,
    /// The lead, opted out, opted back in just now.
    pub opts_in: bool,
    /// Hand over: mode becomes human, the conversation needs a person with this priority.
    pub hand_over: Option<EscalationPriority>,
}

/// Applies a decision to the conversation as it is *now*. `suppressed`: a person took the
/// conversation over while the agent thought, so the agent's handover is moot (the person is
/// already there).
pub fn decision(c: &ConversationFacts, d: &DecisionOutcome, suppressed: bool) -> DecisionEffect {
    DecisionEffect {
        stage: d.stage.filter(|s| *s != c.stage),
        lead_status: d.lead_status.filter(|s| *s != c.lead_status),
        opts_out: d.opted_out && !c.opted_out,
        opts_in: d.opted_in && c.opted_out,
        hand_over: d.handoff.filter(|_| !suppressed),
    }
}

impl ConversationFacts {
    /// The conversation after `effect`.
    pub fn with(mut self, effect: &DecisionEffect) -> Self {
        if let Some(stage) = effect.stage {
            self.stage = stage;
        }
        if let Some(status) = effect.lead_status {
            self.lead_status = status;
        }
        self.opted_out = (self.opted_out && !effect.opts_in) || effect.opts_out;
        if effect.hand_over.is_some() {
            self.mode = ConversationMode::Human;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn facts() -> ConversationFacts {
        ConversationFacts {
            mode: ConversationMode::Bot,
            stage: ConversationStage::Discovery,
            lead_status: LeadStatus::Qualifying,
            opted_out: false,
            window: ServiceWindow::closed(),
            last_message_at: Some(at(10)),
        }
    }

    #[test]
    fn a_late_message_opens_the_window_but_keeps_the_newer_preview() {
        let late = lead_message(&facts(), at(5));
        assert!(!late.replaces_preview);
        assert!(late.window.is_open(at(6).timestamp()));
        assert!(lead_message(&facts(), at(11)).replaces_preview);
    }

    #[test]
    fn a_handover_gives_the_conversation_to_a_person_unless_one_has_it() {
        let d = DecisionOutcome {
            handoff: Some(EscalationPriority::High),
            ..Default::default()
        };
        let e = decision(&facts(), &d, false);
        assert_eq!(facts().with(&e).mode, ConversationMode::Human);
        assert_eq!(decision(&facts(), &d, true).hand_over, None);
    }

    #[test]
    fn only_real_changes_are_effects() {
        let d = DecisionOutcome {
            stage: Some(ConversationStage::Discovery),
            lead_status: Some(LeadStatus::Hot),
            opted_out: true,
            opted_in: false,
            handoff: None,
        };
        let e = decision(&facts(), &d, false);
        assert_eq!(e.stage, None, "same stage: nothing to log");
        assert_eq!(e.lead_status, Some(LeadStatus::Hot));
        assert!(e.opts_out);
        let already = ConversationFacts {
            opted_out: true,
            ..facts()
        };
        assert!(
            !decision(&already, &d, false).opts_out,
            "opting out happens once"
        );
        let start = DecisionOutcome {
            opted_in: true,
            ..Default::default()
        };
        let back = decision(&already, &start, false);
        assert!(back.opts_in);
        assert!(!already.clone().with(&back).opted_out, "START opts back in");
        assert!(
            !decision(&facts(), &start, false).opts_in,
            "only an opted-out lead opts in"
        );
    }

    proptest! {
        /// However late or early messages arrive, the window only grows and the preview is
        /// always the newest message.
        #[test]
        fn windows_grow_and_previews_are_newest(hours in prop::collection::vec(0i64..500, 1..12)) {
            let mut c = ConversationFacts { last_message_at: None, ..facts() };
            for h in hours {
                let e = lead_message(&c, at(h));
                prop_assert!(e.window.open_until >= c.window.open_until);
                if e.replaces_preview {
                    c.last_message_at = Some(at(h));
                }
                c.window = e.window;
                prop_assert!(c.last_message_at.unwrap() >= at(h));
            }
        }

        /// Applying a decision's effect twice is the same as once.
        #[test]
        fn effects_are_idempotent(handoff in any::<bool>(), opted in any::<bool>()) {
            let d = DecisionOutcome {
                stage: Some(ConversationStage::CtaOffered),
                lead_status: Some(LeadStatus::Hot),
                opted_out: opted,
                opted_in: false,
                handoff: handoff.then_some(EscalationPriority::Medium),
            };
            let once = facts().with(&decision(&facts(), &d, false));
            let twice = once.clone().with(&decision(&once, &d, false));
            prop_assert_eq!(once, twice);
        }
    }
}
