//! The agent's own vocabulary: which engine thinks, what made it think, what each guardrail
//! did, and which model provider it talks to.

text_enum!(
    /// Which engine writes the agent's replies, as the owner configures it.
    EngineMode { Llm = "llm", Rules = "rules" }
);

/// A new organisation's agent answers with the rules engine: it needs no model or key.
impl Default for EngineMode {
    fn default() -> Self {
        EngineMode::Rules
    }
}

text_enum!(
    /// Which engine wrote one decision.
    DecisionEngine {
        Llm = "llm",
        Rules = "rules",
        /// The model failed and the rules engine's safe reply went instead.
        Fallback = "fallback",
    }
);

text_enum!(
    /// What made the agent think.
    Trigger {
        /// New messages from the lead.
        LeadMessage = "lead_message",
        /// A scheduled follow-up check.
        Followup = "followup",
    }
);

text_enum!(
    /// What one guardrail did to a draft reply.
    GuardAction { Passed = "passed", Repaired = "repaired", Blocked = "blocked" }
);

text_enum!(
    /// The wire protocol a model provider speaks. `openai` covers every OpenAI-compatible
    /// server (OpenAI itself, proxies, local model servers), since they share one API shape.
    LlmProvider { OpenAi = "openai", Anthropic = "anthropic" }
);

impl LlmProvider {
    /// Where the provider's own API lives, for settings that name no other server.
    pub fn default_base_url(self) -> &'static str {
        match self {
            LlmProvider::OpenAi => "https://api.openai.com/v1",
            LlmProvider::Anthropic => "https://api.anthropic.com",
        }
    }
}

text_enum!(
    /// How much a qualification slot matters and when to ask for it.
    Requirement {
        Required = "required",
        Optional = "optional",
        AskEarly = "ask_early",
        AskLate = "ask_late",
        Never = "never",
    }
);

text_enum!(
    /// When to ask about money.
    BudgetTiming { Early = "early", Mid = "mid", Late = "late", Never = "never" }
);

text_enum!(
    /// How often the agent may use emoji.
    EmojiPolicy { Never = "never", Sparingly = "sparingly", Frequent = "frequent" }
);

text_enum!(
    /// How formal the agent's voice is.
    Formality { Formal = "formal", Professional = "professional", Casual = "casual" }
);

text_enum!(
    /// How hard the agent pushes toward the call to action.
    Persuasion { Soft = "soft", Moderate = "moderate", Firm = "firm" }
);

text_enum!(
    /// A reason the code hands a conversation to a person (SPEC §5.3), as the sales rules'
    /// `escalation_triggers` name it. Anything else the owner writes there is read by the
    /// model only.
    EscalationTrigger {
        ComplianceRisk = "compliance_risk",
        PaymentFailure = "payment_failure",
        AngrySentiment = "angry_sentiment",
        HumanRequested = "human_requested",
        ComplexQuestion3x = "complex_question_3x",
        DecliningSentiment = "declining_sentiment",
    }
);

impl EscalationTrigger {
    /// A lead who asks for a person always gets one, and legal risk always goes to one,
    /// whatever the documents list: the owner cannot switch these off.
    pub fn always_on(self) -> bool {
        matches!(
            self,
            EscalationTrigger::HumanRequested | EscalationTrigger::ComplianceRisk
        )
    }
}

/// Why the agent handed a conversation to a person, as the brief, the team's item and the
/// API write it: one of the rules the owner switches in the sales rules (an
/// [`EscalationTrigger`], its own word), or one of the agent's own reasons, which no document
/// switches off: each is a promise to the lead a person must keep, or a lead nobody should let
/// go. Written as one lower-case word either way (`angry_sentiment`, `unanswered_question`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HandoverReason {
    /// A rule of the sales rules' escalation triggers fired.
    Trigger(EscalationTrigger),
    /// The lead asked for a call at a time and nothing here books it: the team confirms it.
    CallRequested,
    /// Nothing the business gave the agent answers the lead: it promised the team would.
    UnansweredQuestion,
    /// The agent asked everything and has no offer left to make to a lead who said no to
    /// nothing.
    NothingLeftToOffer,
}

impl HandoverReason {
    /// The agent's own reasons, after the triggers in [`Self::ALL`].
    const OWN: [HandoverReason; 3] = [
        HandoverReason::CallRequested,
        HandoverReason::UnansweredQuestion,
        HandoverReason::NothingLeftToOffer,
    ];

    /// Every reason: the triggers, then the agent's own.
    pub const ALL: [HandoverReason; EscalationTrigger::ALL.len() + 3] = {
        let mut all = [HandoverReason::CallRequested; EscalationTrigger::ALL.len() + 3];
        let mut i = 0;
        while i < EscalationTrigger::ALL.len() {
            all[i] = HandoverReason::Trigger(EscalationTrigger::ALL[i]);
            i += 1;
        }
        let mut j = 0;
        while j < HandoverReason::OWN.len() {
            all[i + j] = HandoverReason::OWN[j];
            j += 1;
        }
        all
    };

    pub fn as_str(self) -> &'static str {
        match self {
            HandoverReason::Trigger(t) => t.as_str(),
            HandoverReason::CallRequested => "call_requested",
            HandoverReason::UnansweredQuestion => "unanswered_question",
            HandoverReason::NothingLeftToOffer => "nothing_left_to_offer",
        }
    }

    /// The lead asked for nobody and is not upset: they only wait for an answer (the agent
    /// had none, or nothing left to offer), and may still hear what the agent does know.
    pub fn lead_only_waits_for_an_answer(self) -> bool {
        matches!(
            self,
            HandoverReason::UnansweredQuestion | HandoverReason::NothingLeftToOffer
        )
    }
}

impl From<EscalationTrigger> for HandoverReason {
    fn from(t: EscalationTrigger) -> Self {
        HandoverReason::Trigger(t)
    }
}

impl std::fmt::Display for HandoverReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for HandoverReason {
    type Err = crate::ValidationError;

    /// Any spelling the vocabulary accepts (`ANGRY_SENTIMENT`, `unanswered-question`); a word
    /// that is no reason is an error, never read as some other reason.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::vocabulary::parse_spelling(&Self::ALL, Self::as_str, s).ok_or_else(|| {
            crate::vocabulary::unknown("HandoverReason", s, Self::ALL.iter().map(|r| r.as_str()))
        })
    }
}

impl serde::Serialize for HandoverReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for HandoverReason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// As `text_enum!` publishes its enums: the words, not the Rust names.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for HandoverReason {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(HandoverReason::ALL.iter().map(|r| r.as_str())))
            .description(Some(crate::vocabulary::SCHEMA_NOTE))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for HandoverReason {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("HandoverReason")
    }
}

text_enum!(
    /// Where one of the owner's onboarding answers was put.
    PlacementKind {
        /// A field of one of the five agent documents.
        Document = "document",
        /// A knowledge base entry the agent answers leads from.
        Knowledge = "knowledge",
        /// A field of Settings → Organisation.
        Organisation = "organisation",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored briefs and the API wrote the reasons as these words before they were typed:
    /// every one reads back as itself and is written the same.
    #[test]
    fn a_handover_reason_is_written_as_the_word_stored_before() {
        let words = [
            "compliance_risk",
            "payment_failure",
            "angry_sentiment",
            "human_requested",
            "complex_question_3x",
            "declining_sentiment",
            "call_requested",
            "unanswered_question",
            "nothing_left_to_offer",
        ];
        let written: Vec<&str> = HandoverReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(written, words);
        for word in words {
            let r: HandoverReason = serde_json::from_value(serde_json::json!(word)).unwrap();
            assert_eq!(serde_json::to_value(r).unwrap(), serde_json::json!(word));
        }
        assert_eq!(
            "ANGRY_SENTIMENT".parse::<HandoverReason>(),
            Ok(HandoverReason::Trigger(EscalationTrigger::AngrySentiment))
        );
    }

    /// A word that is no reason is an error naming the accepted ones, never some reason.
    #[test]
    fn an_unknown_handover_reason_is_an_error() {
        let err = serde_json::from_value::<HandoverReason>(serde_json::json!("escalation"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("escalation"), "{err}");
        assert!(err.contains("unanswered_question"), "{err}");
        assert!("".parse::<HandoverReason>().is_err());
    }

    #[test]
    fn only_the_agents_own_no_answer_reasons_leave_the_lead_waiting_for_an_answer() {
        let waiting: Vec<HandoverReason> = HandoverReason::ALL
            .into_iter()
            .filter(|r| r.lead_only_waits_for_an_answer())
            .collect();
        assert_eq!(
            waiting,
            [
                HandoverReason::UnansweredQuestion,
                HandoverReason::NothingLeftToOffer
            ]
        );
    }
}
