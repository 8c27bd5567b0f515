//! When a human must take over (SPEC §5.3), how urgently, and the brief they get first.

use crate::extract::Extraction;
use crate::state::{ConversationState, HandoffPackage};
use chrono::{DateTime, Utc};
use closer_domain::cta::CtaState;
use closer_domain::engagement::{DECLINING_TREND, sentiment_trend};
use closer_domain::sales::{EscalationPriority, Intent, Sentiment};

/// Confused exchanges in a row that call for a human.
pub const CONFUSED_LIMIT: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub reason: &'static str,
    pub priority: EscalationPriority,
    pub recommended_action: &'static str,
}

/// The most urgent reason to hand over, if any. `state` already holds this turn's sentiment
/// and confusion count.
pub fn check(x: &Extraction, state: &ConversationState) -> Option<Escalation> {
    let trend = sentiment_trend(&state.sentiments());
    let candidates = [
        (
            x.compliance_risk,
            "compliance_risk",
            EscalationPriority::Critical,
            "Reply personally, promise nothing, and involve whoever handles legal matters.",
        ),
        (
            x.payment_failure,
            "payment_failure",
            EscalationPriority::Critical,
            "Check the payment or booking and offer another way to complete it.",
        ),
        (
            matches!(x.sentiment, Some((Sentiment::Angry, _))),
            "angry_sentiment",
            EscalationPriority::High,
            "Apologise and resolve the complaint personally.",
        ),
        (
            x.wants_human,
            "human_requested",
            EscalationPriority::High,
            "The lead asked for a person: reply yourself.",
        ),
        (
            state.confused_streak >= CONFUSED_LIMIT,
            "complex_question_3x",
            EscalationPriority::Medium,
            "Answer the question the agent could not; the lead is confused.",
        ),
        (
            state.sentiment_history.len() >= 3 && trend <= DECLINING_TREND,
            "declining_sentiment",
            EscalationPriority::Medium,
            "Reassure the lead and simplify; their mood is falling.",
        ),
    ];
    candidates
        .into_iter()
        .filter(|c| c.0)
        .max_by_key(|c| c.2.rank())
        .map(|(_, reason, priority, recommended_action)| Escalation {
            reason,
            priority,
            recommended_action,
        })
}

/// A lead the agent has run out of things to do for: every question asked, no offer left to
/// make, none taken up, and the lead has not said no. Letting go politely would drop a
/// qualified lead; a person should pick it up.
pub fn nothing_left_to_offer(x: &Extraction, state: &ConversationState) -> Option<Escalation> {
    let taken_up = state
        .cta_states
        .values()
        .any(|r| matches!(r.state, CtaState::Clicked | CtaState::Completed));
    (!x.declines && !taken_up).then_some(Escalation {
        reason: "nothing_left_to_offer",
        priority: EscalationPriority::Medium,
        recommended_action:
            "The agent has asked everything and has no offer left to make: follow up yourself.",
    })
}

/// The agent told the lead "let me check that with the team": nothing the business gave it
/// answers the question. Without a person the promise goes nowhere and the lead waits forever.
pub fn unanswered_question() -> Escalation {
    Escalation {
        reason: "unanswered_question",
        priority: EscalationPriority::Medium,
        recommended_action: "Answer the lead's question yourself (the agent promised the team \
            would), then add the answer to the knowledge base so the agent can answer it next time.",
    }
}

/// The brief shown first to the human who takes over.
pub fn package(e: &Escalation, state: &ConversationState, at: DateTime<Utc>) -> HandoffPackage {
    let sentiments = state.sentiments();
    let trend = sentiment_trend(&sentiments);
    let direction = if trend <= DECLINING_TREND {
        "declining"
    } else if trend >= 0.5 {
        "improving"
    } else {
        "stable"
    };
    let sentiment_trend = match sentiments.last() {
        Some(s) => format!("{direction} (now {s})"),
        None => direction.to_owned(),
    };
    HandoffPackage {
        escalation_reason: e.reason.into(),
        priority: e.priority,
        summary: state.summary.clone(),
        key_slots: state
            .slots
            .iter()
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect(),
        sentiment_trend,
        recommended_action: e.recommended_action.into(),
        conversation_value_score: value_score(state),
        at,
    }
}

/// 0–100: intent, money and progress make a conversation worth more of a human's time.
pub fn value_score(state: &ConversationState) -> u32 {
    let intent = match state.intent {
        Some(Intent::VeryHigh) => 40,
        Some(Intent::High) => 30,
        Some(Intent::Medium) => 20,
        Some(Intent::Low) => 5,
        Some(Intent::Unknown) | None => 10,
    };
    let money = match state.budget() {
        Some(b) if b > 10_000.0 => 30,
        Some(_) => 20,
        None => 0,
    };
    let facts = (state.slots.len() as u32 * 5).min(20);
    let progress = if state
        .cta_states
        .values()
        .any(|r| matches!(r.state, CtaState::Clicked | CtaState::Completed))
    {
        10
    } else {
        0
    };
    (intent + money + facts + progress).min(100)
}
