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
