//! What one think produces: the decision (logged and shown) and the state patch (applied by
//! the store in one transaction with the send).

use crate::guardrails::GuardrailResult;
use crate::state::{ConversationState, HandoffPackage};
use chrono::{DateTime, Utc};
use closer_domain::sales::{
    ConversationStage, CtaType, EscalationPriority, Intent, LeadStatus, ReasonCode,
};
use serde::{Deserialize, Serialize};

pub use closer_domain::agent::DecisionEngine as Engine;

/// A reply button under an interactive message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButton {
    /// `cta:<type>:yes` or `cta:<type>:no`: a tap comes back with it.
    pub id: String,
    pub title: String,
}

impl ReplyButton {
    /// The CTA and answer a tapped button stands for.
    pub fn parse_id(id: &str) -> Option<(CtaType, bool)> {
        let rest = id.strip_prefix("cta:")?;
        let (cta, answer) = rest.rsplit_once(':')?;
        let yes = match answer {
            "yes" => true,
            "no" => false,
            _ => return None,
        };
        Some((cta.parse().ok()?, yes))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub trigger: closer_domain::agent::Trigger,
    pub engine: Engine,
    pub should_send: bool,
    /// `text`, or `interactive` when the reply carries buttons.
    pub message_type: closer_domain::messaging::MessageType,
    pub buttons: Vec<ReplyButton>,
    pub reason_code: ReasonCode,
    pub cta_type: Option<CtaType>,
    pub message_text: Option<String>,
    pub confidence: f32,
    pub retrieval_used: bool,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
    /// Tokens of the compiled context (0 for the rules engine, which needs none).
    pub prompt_tokens: u32,
    pub guardrails: Vec<GuardrailResult>,
    pub handoff_required: bool,
    pub handoff_priority: Option<EscalationPriority>,
    pub handoff: Option<HandoffPackage>,
    pub error: Option<String>,
    /// The reply goes to a lead whose conversation the agent handed to the team and nobody
    /// has answered yet (mode human): a short acknowledgement of what the lead changed. The
    /// store sends it only while no person has written since.
    pub while_handed_over: bool,
}

/// A CTA the lead took up: the action center shows it, with the name and time read from the
/// conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CtaAccepted {
    pub cta: CtaType,
    pub completed: bool,
    pub name: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarBooking {
    pub title: String,
    pub start_at: DateTime<Utc>,
    pub end_at: DateTime<Utc>,
}

/// Changes to the contact record the conversation taught us.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub language: Option<String>,
    /// A number the lead gave in the conversation (E.164), besides the one they write from.
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatePatch {
    /// The conversation's memory after this turn (replaces the stored one).
    pub state: ConversationState,
    pub stage: Option<ConversationStage>,
    pub lead_status: Option<LeadStatus>,
    pub intent: Option<Intent>,
    pub contact: ContactPatch,
    /// The lead opted out in this turn.
    pub opted_out: bool,
    /// The lead, opted out before, wrote START in this turn: they may be messaged again.
    pub opted_in: bool,
    /// Hand over: mode human, needs_human, this priority.
    pub handoff: Option<EscalationPriority>,
    pub cta_accepted: Option<CtaAccepted>,
    pub calendar_event: Option<CalendarBooking>,
    /// Something an admin should know (the LLM failed).
    pub alert: Option<String>,
    /// The brief of the handover still open, brought up to date (the lead moved the call's
    /// time): the team's item should show it.
    pub brief: Option<crate::state::HandoffPackage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    pub patch: StatePatch,
}
