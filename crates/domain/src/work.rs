//! The work behind the conversations: background jobs and the actions the team is asked to
//! take.

text_enum!(
    /// What a background job does. Each kind has one typed payload (`JobPayload` in the store).
    JobKind {
        ProcessConversation = "process_conversation",
        SendMessage = "send_message",
        Followup = "followup",
        KnowledgeScan = "knowledge_scan",
        /// A scheduled follow-up falls due (`followups` row).
        FollowupDue = "followup_due",
        /// A confirmed CSV import of leads (`lead_imports` row).
        LeadImport = "lead_import",
        /// A bulk operation over more leads than one request may change (`lead_bulk_ops` row).
        LeadBulk = "lead_bulk",
    }
);

text_enum!(
    /// Where a job is in its life: waiting (or backing off), held by a worker, finished,
    /// given up after its last attempt, or cancelled because the conversation moved on.
    JobStatus {
        Pending = "pending",
        Running = "running",
        Done = "done",
        Dead = "dead",
        Cancelled = "cancelled",
    }
);

text_enum!(
    /// Something a person on the team should do, raised by the agent or the send path.
    ActionKind {
        /// The lead accepted a call to action.
        CtaAccepted = "cta_accepted",
        /// The agent handed the conversation over.
        HumanAttention = "human_attention",
        /// The agent's model failed and it answered with its safe reply.
        AgentAlert = "agent_alert",
    }
);

text_enum!(
    /// Whether an action still waits for someone.
    ActionStatus { Open = "open", Resolved = "resolved" }
);

text_enum!(
    /// How far a website scan got.
    ScanStatus {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
);

impl ScanStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, ScanStatus::Done | ScanStatus::Failed)
    }
}

text_enum!(
    /// Where a knowledge entry came from: the owner's faq.txt or the website scan.
    KnowledgeKind { Faq = "faq", Web = "web" }
);

text_enum!(
    /// Every machine-readable error code the API answers with (`error.code`), so the dashboard
    /// can tell them apart without matching on strings it typed itself.
    ErrorCode {
        BadRequest = "bad_request",
        MalformedJson = "malformed_json",
        Unauthorized = "unauthorized",
        InvalidCredentials = "invalid_credentials",
        InvalidSignature = "invalid_signature",
        Forbidden = "forbidden",
        NotFound = "not_found",
        Conflict = "conflict",
        PayloadTooLarge = "payload_too_large",
        UnsupportedMediaType = "unsupported_media_type",
        ValidationFailed = "validation_failed",
        RateLimited = "rate_limited",
        UpstreamUnavailable = "upstream_unavailable",
        InternalError = "internal_error",
        EmailTaken = "email_taken",
        LastOwner = "last_owner",
        PhoneNumberTaken = "phone_number_taken",
        CtaExists = "cta_exists",
        InvalidDocument = "invalid_document",
        ProfileTooLarge = "profile_too_large",
        NoFaqEntries = "no_faq_entries",
        LlmNotConfigured = "llm_not_configured",
        OnboardingIncomplete = "onboarding_incomplete",
        OnboardingTooLong = "onboarding_too_long",
        ScanInProgress = "scan_in_progress",
        // Account protection: a sign-in that needs (or got a wrong) second factor, a member
        // who must enrol before using the organisation, a cookie request without the CSRF header.
        SecondFactorRequired = "second_factor_required",
        InvalidSecondFactor = "invalid_second_factor",
        TwoFactorEnrollmentRequired = "two_factor_enrollment_required",
        CsrfHeaderMissing = "csrf_header_missing",
        // The send policy's refusals (`SendRule`), answered as 422.
        OptedOut = "opted_out",
        MarketingOptedOut = "marketing_opted_out",
        HumanLock = "human_lock",
        WindowClosed = "window_closed",
        Stale = "stale",
        BudgetSpent = "budget_spent",
        QuietHours = "quiet_hours",
        // WhatsApp templates: their life at Meta and what a template send may be refused for.
        TemplateExists = "template_exists",
        TemplateLocked = "template_locked",
        TemplateInUse = "template_in_use",
        WhatsappNotConnected = "whatsapp_not_connected",
        AlreadySubmitted = "already_submitted",
        ProviderRejected = "provider_rejected",
        MissingVariables = "missing_variables",
        TemplateNotApproved = "template_not_approved",
        AccountRestricted = "account_restricted",
        /// A follow-up that already went, was skipped or cancelled cannot be sent or cancelled.
        FollowupNotPending = "followup_not_pending",
        // The CRM: a lead's phone or business-scoped id, a tag name, a custom field key taken.
        LeadExists = "lead_exists",
        TagExists = "tag_exists",
        FieldExists = "field_exists",
        // The pipeline: a stage name taken, a stage still holding leads, the last open stage.
        StageExists = "stage_exists",
        StageNotEmpty = "stage_not_empty",
        LastOpenStage = "last_open_stage",
        // CSV import and bulk operations.
        CsvInvalid = "csv_invalid",
        TooManyRows = "too_many_rows",
        ImportNotPending = "import_not_pending",
        CountMismatch = "count_mismatch",
        /// Compliance: an erased lead is not opted back in by a member (the person writes).
        LeadErased = "lead_erased",
    }
);

impl From<crate::send_policy::SendRule> for ErrorCode {
    fn from(rule: crate::send_policy::SendRule) -> Self {
        use crate::send_policy::SendRule;
        match rule {
            SendRule::OptedOut => ErrorCode::OptedOut,
            SendRule::MarketingOptedOut => ErrorCode::MarketingOptedOut,
            SendRule::HumanLock => ErrorCode::HumanLock,
            SendRule::WindowClosed => ErrorCode::WindowClosed,
            SendRule::Stale => ErrorCode::Stale,
            SendRule::BudgetSpent => ErrorCode::BudgetSpent,
            SendRule::RateLimited => ErrorCode::RateLimited,
            SendRule::QuietHours => ErrorCode::QuietHours,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send_policy::SendRule;

    #[test]
    fn a_refusal_is_answered_with_its_own_word() {
        for rule in SendRule::ALL {
            assert_eq!(ErrorCode::from(*rule).as_str(), rule.as_str());
        }
    }
}
