//! What the agent remembers about one conversation (SPEC §3 conversation_state), stored as
//! one JSON document and shown in the inbox's right pane.

use chrono::{DateTime, Utc};
use closer_domain::agent::HandoverReason;
use closer_domain::cta::CtaRecord;
use closer_domain::engagement::ResponseRate;
use closer_domain::sales::{CtaType, EscalationPriority, Intent, Sentiment};
use closer_domain::slots::Slot;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    pub what: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Commitments {
    #[serde(default)]
    pub user: Vec<Commitment>,
    #[serde(default)]
    pub agent: Vec<Commitment>,
}

/// A call or visit booked with the lead, at a time agreed in the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub cta: CtaType,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentPoint {
    pub sentiment: Sentiment,
    pub confidence: f32,
    pub at: DateTime<Utc>,
}

/// The brief a human gets when the agent hands a conversation over (seeds/001 §18.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffPackage {
    /// Stored and shown as its word (`unanswered_question`); one this version does not know
    /// makes the brief unreadable rather than some other reason.
    pub escalation_reason: HandoverReason,
    pub priority: EscalationPriority,
    pub summary: String,
    pub key_slots: BTreeMap<String, String>,
    pub sentiment_trend: String,
    pub recommended_action: String,
    /// 0–100: how much this conversation is worth a human's time.
    pub conversation_value_score: u32,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ConversationState {
    pub summary: String,
    pub slots: BTreeMap<String, Slot>,
    pub commitments: Commitments,
    pub sentiment_history: Vec<SentimentPoint>,
    pub cta_states: BTreeMap<CtaType, CtaRecord>,
    pub language: Option<String>,
    pub intent: Option<Intent>,
    pub response_rate: ResponseRate,
    /// Exchanges in a row where the lead was confused or the agent had no answer.
    pub confused_streak: u32,
    /// Slots the agent has asked for, once per asking (`confirm:NAME` for re-confirmations).
    pub asked_slots: Vec<String>,
    /// The slot the agent asked for last, so the lead's next answer can fill it.
    pub pending_question: Option<String>,
    /// The CTA the agent offered last, so a "yes" can accept it.
    pub last_cta: Option<CtaType>,
    /// The call the lead booked: a new time they give moves it rather than booking another.
    pub booking: Option<Booking>,
    /// The time the lead asked for a call when the agent has no booking to make (no booking
    /// call to action): the team confirms it, and a new time the lead gives replaces it.
    pub call_requested: Option<DateTime<Utc>>,
    /// The day the lead asked to come or talk on, before they named a time: their "11am"
    /// is on that day.
    pub requested_day: Option<chrono::NaiveDate>,
    pub risk_flags: Vec<String>,
    pub handoff: Option<HandoffPackage>,
    /// When a lead waiting for a person, who asked whether anyone is there, was told one is
    /// coming: once per wait (a note after the current handover stands for the whole wait).
    pub told_person_coming_at: Option<DateTime<Utc>>,
    pub last_lead_message_at: Option<DateTime<Utc>>,
}

impl ConversationState {
    /// Most history the state keeps; older points only matter through the summary.
    pub const SENTIMENT_KEPT: usize = 30;

    /// The memory as stored (`None` or JSON null: nothing remembered yet). A memory this
    /// version cannot read — a handover reason it does not know — is an error, never an empty
    /// memory in disguise: the caller decides what to do, and says so.
    pub fn from_stored(stored: Option<serde_json::Value>) -> Result<Self, serde_json::Error> {
        match stored.filter(|v| !v.is_null()) {
            Some(v) => serde_json::from_value(v),
            None => Ok(ConversationState::default()),
        }
    }

    pub fn sentiments(&self) -> Vec<Sentiment> {
        self.sentiment_history.iter().map(|p| p.sentiment).collect()
    }

    pub fn slot_value(&self, name: &str) -> Option<&str> {
        self.slots.get(name).map(|s| s.value.as_str())
    }

    /// The budget slot as a number, when the lead named one ("10k", "₹5,000").
    pub fn budget(&self) -> Option<f64> {
        self.slot_value("budget")
            .and_then(crate::extract::parse_amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_domain::agent::EscalationTrigger;
    use serde_json::json;

    fn stored_brief(reason: &str) -> serde_json::Value {
        json!({
            "summary": "Amit from Pune.",
            "handoff": {
                "escalation_reason": reason,
                "priority": "high",
                "summary": "Amit from Pune.",
                "key_slots": {},
                "sentiment_trend": "stable",
                "recommended_action": "Reply yourself.",
                "conversation_value_score": 20,
                "at": "2026-11-17T04:30:00Z"
            }
        })
    }

    /// Briefs stored when the reason was a string read back typed, and are written the same.
    #[test]
    fn a_stored_brief_reads_its_reason_typed_and_writes_the_same_word() {
        for (word, reason) in [
            ("unanswered_question", HandoverReason::UnansweredQuestion),
            ("nothing_left_to_offer", HandoverReason::NothingLeftToOffer),
            ("call_requested", HandoverReason::CallRequested),
            (
                "angry_sentiment",
                HandoverReason::Trigger(EscalationTrigger::AngrySentiment),
            ),
            (
                "human_requested",
                HandoverReason::Trigger(EscalationTrigger::HumanRequested),
            ),
        ] {
            let state = ConversationState::from_stored(Some(stored_brief(word))).unwrap();
            let brief = state.handoff.clone().expect("the brief");
            assert_eq!(brief.escalation_reason, reason);
            let written = serde_json::to_value(&state).unwrap();
            assert_eq!(written["handoff"]["escalation_reason"], word);
        }
    }

    /// A reason this version does not know makes the memory unreadable (the caller says so),
    /// never some other reason; nothing stored is an empty memory.
    #[test]
    fn an_unknown_stored_reason_is_an_error_and_nothing_stored_is_an_empty_memory() {
        let err = ConversationState::from_stored(Some(stored_brief("escalation"))).unwrap_err();
        assert!(err.to_string().contains("escalation"), "{err}");
        assert_eq!(
            ConversationState::from_stored(None).unwrap(),
            ConversationState::default()
        );
        assert_eq!(
            ConversationState::from_stored(Some(serde_json::Value::Null)).unwrap(),
            ConversationState::default()
        );
    }
}
