//! What a lead's message and an agent's decision do to a conversation. Pure: the store
//! executes the result in its transaction, and the agent's in-memory simulator applies the
//! very same result, so the two can never drift apart.

use crate::activity::ActivityKind;
use crate::messaging::{Author, ConversationMode, Direction, ServiceWindow};
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
    /// A closed conversation opens again in bot mode, so the agent answers the lead. A paused
    /// or human one stays as it is: the person who paused or took it decides.
    pub reopens: bool,
}

/// A lead's message sent at `sent_at` arrives.
pub fn lead_message(c: &ConversationFacts, sent_at: DateTime<Utc>) -> LeadMessageEffect {
    LeadMessageEffect {
        window: c.window.after_lead_message(sent_at.timestamp()),
        unread_delta: 1,
        replaces_preview: c.last_message_at.is_none_or(|last| sent_at >= last),
        reopens: c.mode == ConversationMode::Closed,
    }
}

/// Who owns the conversation after a change of mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The member who made the change (taking it over).
    Actor,
    /// Nobody: the bot answers, or nobody answers while it is paused.
    Nobody,
    /// Whoever had it keeps it (a closed conversation remembers who worked it).
    Unchanged,
}

/// What a member's change of mode does to the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeSwitch {
    pub from: ConversationMode,
    pub to: ConversationMode,
    /// The request for a person (and its priority) is settled.
    pub settles_request: bool,
    pub owner: Owner,
    /// The bot's pending follow-ups go: the bot stays silent from now on.
    pub cancels_followups: bool,
}

/// Why a change of mode is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeRefusal {
    /// A closed conversation is resolved: it is reopened (or taken over), not paused.
    PauseClosed,
}

/// A member moves the conversation from `from` to `to`. `Ok(None)` when nothing changes
/// (handing back to the bot still settles an open request for a person, and taking over a
/// conversation the agent handed to the team claims it). Every mode is reachable from every
/// other except pausing a closed conversation.
pub fn switch_mode(
    from: ConversationMode,
    needs_human: bool,
    to: ConversationMode,
) -> Result<Option<ModeSwitch>, ModeRefusal> {
    use ConversationMode::*;
    if from == Closed && to == Paused {
        return Err(ModeRefusal::PauseClosed);
    }
    let settles_request = to != Human;
    // The agent handed the conversation to the team (human, a person asked for): the member
    // who takes it over now owns it, and the bot stays silent though nobody wrote yet.
    let claims_request = from == Human && to == Human && needs_human;
    if from == to && !(settles_request && needs_human) && !claims_request {
        return Ok(None);
    }
    Ok(Some(ModeSwitch {
        from,
        to,
        settles_request,
        owner: match to {
            Human => Owner::Actor,
            Bot | Paused => Owner::Nobody,
            Closed => Owner::Unchanged,
        },
        // A pause, a close or a takeover silences the bot: a planned follow-up would be moot.
        cancels_followups: to != Bot,
    }))
}

impl ModeSwitch {
    /// The activity log's word for it: taking over and handing back keep their own kinds.
    pub fn activity_kind(&self) -> ActivityKind {
        match (self.from, self.to) {
            (_, ConversationMode::Human) => ActivityKind::TakeoverStarted,
            (ConversationMode::Human, ConversationMode::Bot) => ActivityKind::TakeoverEnded,
            _ => ActivityKind::ModeChanged,
        }
    }

    /// The audit log's action for it.
    pub fn audit_action(&self) -> &'static str {
        use ConversationMode::*;
        match (self.from, self.to) {
            (_, Human) => "conversation.takeover",
            (Closed, Bot) => "conversation.reopen",
            (_, Bot) => "conversation.release",
            (_, Paused) => "conversation.pause",
            (_, Closed) => "conversation.close",
        }
    }
}

text_enum!(
    /// The inbox's order: newest activity first, the most urgent request for a person first,
    /// or the longest-waiting lead first.
    InboxSort { Recent = "recent", Priority = "priority", Waiting = "waiting" }
);

/// The inbox reads newest activity first unless asked otherwise (API.md, Inbox).
impl Default for InboxSort {
    fn default() -> Self {
        InboxSort::Recent
    }
}

/// The lead wrote last and nobody answered yet: the conversation waits for the team (or the
/// bot). A closed conversation waits for nobody.
pub fn is_waiting(mode: ConversationMode, last_direction: Option<Direction>) -> bool {
    mode != ConversationMode::Closed && last_direction == Some(Direction::Inbound)
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

/// What an agent's reply is, as far as who owns the conversation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentReply {
    /// An answer in the bot's own conversation.
    Answer,
    /// The short note to a lead still waiting for the person the agent handed over to.
    WaitingNote,
    /// The one confirmation of a STOP: a compliance message, and after the opt-out nobody
    /// else may write to the lead (a person neither), so it goes whoever owns the
    /// conversation.
    OptOutConfirmation,
}

/// Whether the agent's reply may go out to the conversation as it is when the reply is
/// stored. In bot mode, yes; the confirmation of a STOP, always. Otherwise only the short
/// note to a lead still waiting for the person the agent handed over to: while the
/// conversation is human, no person has written last and no person took it over while the
/// agent was thinking (`taken_over_meanwhile`); a person who answered or took over owns the
/// conversation.
pub fn agent_reply_goes(
    mode: ConversationMode,
    reply: AgentReply,
    last_author: Option<Author>,
    taken_over_meanwhile: bool,
) -> bool {
    match reply {
        AgentReply::OptOutConfirmation => true,
        AgentReply::Answer => mode == ConversationMode::Bot,
        AgentReply::WaitingNote => {
            mode == ConversationMode::Bot
                || (mode == ConversationMode::Human
                    && last_author != Some(Author::Human)
                    && !taken_over_meanwhile)
        }
    }
}

/// Whether a person took the conversation over after the agent read it: the latest takeover
/// when the reply is stored is newer than the one the agent saw (or the agent saw none).
pub fn taken_over_meanwhile<T: Ord>(seen: Option<T>, latest: Option<T>) -> bool {
    // `None` orders before any time: a first takeover is newer than none.
    latest > seen
}

/// The mode after the agent asks for a person: a bot conversation goes to a human; a paused
/// one stays paused (the member who paused it decides when it resumes; the request still
/// reaches the team), and a human one stays the human's.
pub fn mode_after_handover(mode: ConversationMode) -> ConversationMode {
    match mode {
        ConversationMode::Bot => ConversationMode::Human,
        other => other,
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
            self.mode = mode_after_handover(self.mode);
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

    #[test]
    fn a_handover_leaves_a_paused_conversation_paused() {
        let d = DecisionOutcome {
            handoff: Some(EscalationPriority::High),
            ..Default::default()
        };
        let paused = ConversationFacts {
            mode: ConversationMode::Paused,
            ..facts()
        };
        let e = decision(&paused, &d, false);
        assert_eq!(
            e.hand_over,
            Some(EscalationPriority::High),
            "the team still hears"
        );
        assert_eq!(paused.with(&e).mode, ConversationMode::Paused);
    }

    #[test]
    fn a_lead_message_reopens_only_a_closed_conversation() {
        for mode in ConversationMode::ALL {
            let c = ConversationFacts {
                mode: *mode,
                ..facts()
            };
            assert_eq!(
                lead_message(&c, at(11)).reopens,
                *mode == ConversationMode::Closed,
                "{mode}"
            );
        }
    }

    #[test]
    fn only_a_note_to_a_lead_waiting_for_a_person_goes_out_of_bot_mode() {
        use AgentReply::*;
        use ConversationMode::*;
        assert!(agent_reply_goes(Bot, Answer, Some(Author::Human), false));
        assert!(!agent_reply_goes(Human, Answer, Some(Author::Lead), false));
        assert!(agent_reply_goes(
            Human,
            WaitingNote,
            Some(Author::Lead),
            false
        ));
        assert!(!agent_reply_goes(
            Human,
            WaitingNote,
            Some(Author::Human),
            false
        ));
        assert!(!agent_reply_goes(
            Paused,
            WaitingNote,
            Some(Author::Lead),
            false
        ));
        assert!(!agent_reply_goes(Closed, WaitingNote, None, false));
        // A person took it over while the agent thought: the waiting note stays unsent.
        assert!(!agent_reply_goes(
            Human,
            WaitingNote,
            Some(Author::Lead),
            true
        ));
        // The bot's own conversation is the bot's, whatever happened before.
        assert!(agent_reply_goes(Bot, Answer, Some(Author::Lead), true));
    }

    /// Handed over, taken over, answered by a person, paused: the lead who wrote STOP gets
    /// its one confirmation, since nobody else may write to them after it.
    #[test]
    fn the_confirmation_of_a_stop_goes_whoever_owns_the_conversation() {
        for mode in ConversationMode::ALL {
            for last in [None, Some(Author::Lead), Some(Author::Human)] {
                for meanwhile in [false, true] {
                    assert!(
                        agent_reply_goes(*mode, AgentReply::OptOutConfirmation, last, meanwhile),
                        "{mode} {last:?} {meanwhile}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_takeover_counts_only_when_newer_than_the_one_the_agent_saw() {
        assert!(!taken_over_meanwhile::<u32>(None, None));
        assert!(taken_over_meanwhile(None, Some(5)));
        assert!(!taken_over_meanwhile(Some(5), Some(5)));
        assert!(taken_over_meanwhile(Some(5), Some(9)));
    }

    #[test]
    fn each_mode_change_settles_what_it_should() {
        use ConversationMode::*;
        let pause = switch_mode(Bot, true, Paused).unwrap().unwrap();
        assert!(pause.settles_request && pause.cancels_followups);
        assert_eq!(pause.owner, Owner::Nobody);
        assert_eq!(pause.audit_action(), "conversation.pause");
        assert_eq!(pause.activity_kind(), ActivityKind::ModeChanged);
        let close = switch_mode(Human, false, Closed).unwrap().unwrap();
        assert_eq!(
            close.owner,
            Owner::Unchanged,
            "a closed one remembers who worked it"
        );
        assert_eq!(close.audit_action(), "conversation.close");
        let take = switch_mode(Paused, false, Human).unwrap().unwrap();
        assert_eq!(take.owner, Owner::Actor);
        assert!(!take.settles_request);
        assert_eq!(take.activity_kind(), ActivityKind::TakeoverStarted);
        let reopen = switch_mode(Closed, false, Bot).unwrap().unwrap();
        assert_eq!(reopen.audit_action(), "conversation.reopen");
        assert!(!reopen.cancels_followups);
        assert_eq!(
            switch_mode(Human, false, Bot)
                .unwrap()
                .unwrap()
                .activity_kind(),
            ActivityKind::TakeoverEnded
        );
        assert_eq!(
            switch_mode(Closed, false, Paused),
            Err(ModeRefusal::PauseClosed)
        );
        assert_eq!(switch_mode(Paused, false, Paused), Ok(None));
        // Taking over what the agent handed to the team claims it: the member owns it, the
        // request stays open until handed back, and the log says a takeover started.
        let claim = switch_mode(Human, true, Human).unwrap().unwrap();
        assert_eq!(claim.owner, Owner::Actor);
        assert!(!claim.settles_request && claim.cancels_followups);
        assert_eq!(claim.activity_kind(), ActivityKind::TakeoverStarted);
        assert_eq!(claim.audit_action(), "conversation.takeover");
        assert_eq!(switch_mode(Human, false, Human), Ok(None));
        // Handing back to the bot settles a pending request even in bot mode.
        assert!(switch_mode(Bot, true, Bot).unwrap().is_some());
        assert_eq!(switch_mode(Bot, false, Bot), Ok(None));
    }

    #[test]
    fn only_an_open_conversation_the_lead_wrote_last_is_waiting() {
        use ConversationMode::*;
        assert!(is_waiting(Bot, Some(Direction::Inbound)));
        assert!(is_waiting(Paused, Some(Direction::Inbound)));
        assert!(!is_waiting(Closed, Some(Direction::Inbound)));
        assert!(!is_waiting(Human, Some(Direction::Outbound)));
        assert!(!is_waiting(Bot, None));
    }

    fn any_mode() -> impl Strategy<Value = ConversationMode> {
        prop::sample::select(ConversationMode::ALL.to_vec())
    }

    proptest! {
        /// Any sequence of members' changes and lead messages: a change lands exactly on the
        /// mode asked for, never leaves a request for a person behind unless taken over,
        /// and the agent may answer after a lead's message exactly when the mode is (or
        /// became) bot.
        #[test]
        fn modes_go_where_they_are_told(steps in prop::collection::vec((any_mode(), any::<bool>()), 1..20)) {
            let mut mode = ConversationMode::Bot;
            let mut needs_human = true;
            for (to, lead_writes) in steps {
                if lead_writes {
                    let c = ConversationFacts { mode, ..facts() };
                    if lead_message(&c, at(11)).reopens {
                        mode = ConversationMode::Bot;
                    }
                    prop_assert_ne!(mode, ConversationMode::Closed, "a lead's message never stays closed");
                    continue;
                }
                match switch_mode(mode, needs_human, to) {
                    Ok(Some(s)) => {
                        prop_assert_eq!(s.from, mode);
                        mode = s.to;
                        if s.settles_request { needs_human = false; }
                        prop_assert_eq!(s.cancels_followups, !mode.bot_may_reply());
                    }
                    Ok(None) => prop_assert!(mode == to && !(needs_human && to != ConversationMode::Human)),
                    Err(ModeRefusal::PauseClosed) => {
                        prop_assert_eq!((mode, to), (ConversationMode::Closed, ConversationMode::Paused));
                    }
                }
                prop_assert_eq!(mode, if mode == ConversationMode::Closed && to == ConversationMode::Paused { ConversationMode::Closed } else { to });
            }
        }
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
