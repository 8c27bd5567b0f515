//! The work behind the conversations: background jobs and the actions the team is asked to
//! take.

use crate::sales::EscalationPriority;
use chrono::{DateTime, Utc};
use uuid::Uuid;

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
        /// One email or push of a notification (`notification_deliveries` row).
        DeliverNotification = "deliver_notification",
        /// An inbound file is fetched from Meta into the media store (and a voice note
        /// transcribed) (`media` row).
        MediaFetch = "media_fetch",
        /// A run of the agent tests (`agent_test_runs` row).
        AgentTestRun = "agent_test_run",
        /// A running campaign sends its due recipients, paced (`campaigns` row).
        CampaignSend = "campaign_send",
        /// An activity-log entry an organisation's automations react to (`automation_runs`).
        AutomationEvent = "automation_event",
        /// A delayed automation run falls due (`automation_runs` row).
        AutomationRun = "automation_run",
        /// A drip sequence's step falls due for one lead (`sequence_enrollments` row).
        SequenceStep = "sequence_step",
        /// A member's daily digest is built and sent (`daily_digests` row).
        DailyDigest = "daily_digest",
        /// An erased lead's files are deleted from the media store.
        MediaErase = "media_erase",
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
        /// The lead booked a call or demo: due at its start.
        Booking = "booking",
        /// A message could not be sent for good: someone has to reach the lead another way.
        SendFailed = "send_failed",
    }
);

impl ActionKind {
    /// How urgent an action is when nothing more specific said so (a handover carries the
    /// agent's own escalation priority instead).
    pub fn priority(self) -> EscalationPriority {
        match self {
            ActionKind::Booking | ActionKind::SendFailed | ActionKind::AgentAlert => {
                EscalationPriority::High
            }
            ActionKind::CtaAccepted | ActionKind::HumanAttention => EscalationPriority::Medium,
        }
    }
}

text_enum!(
    /// Whether an action still waits for someone: open, taken by a member (claimed), done
    /// (resolved), or put aside until a time (snoozed, open again once that time passes).
    ActionStatus {
        Open = "open",
        Claimed = "claimed",
        Resolved = "resolved",
        Snoozed = "snoozed",
    }
);

impl ActionStatus {
    /// The status as the team sees it at `now`: a snooze that ran out is open again, read
    /// at read time so no job has to wake it.
    pub fn at(self, snoozed_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> ActionStatus {
        match (self, snoozed_until) {
            (ActionStatus::Snoozed, Some(until)) if until <= now => ActionStatus::Open,
            (status, _) => status,
        }
    }
}

/// Why a member may not change an action the way they asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionRefusal {
    /// It is resolved already: nothing more to claim, resolve or snooze.
    AlreadyResolved,
    /// Another member claimed it.
    ClaimedByAnother,
    /// A snooze must end in the future.
    SnoozeInThePast,
}

/// What a member may do to an action: claim it (unless another member holds it), resolve it,
/// or snooze it until a later time. Resolved is final.
pub fn may_change_action(
    status: ActionStatus,
    claimed_by: Option<Uuid>,
    member: Uuid,
    change: ActionChange,
    now: DateTime<Utc>,
) -> Result<(), ActionRefusal> {
    if status == ActionStatus::Resolved {
        return Err(ActionRefusal::AlreadyResolved);
    }
    match change {
        ActionChange::Claim
            if status == ActionStatus::Claimed && claimed_by.is_some_and(|c| c != member) =>
        {
            Err(ActionRefusal::ClaimedByAnother)
        }
        ActionChange::Snooze(until) if until <= now => Err(ActionRefusal::SnoozeInThePast),
        _ => Ok(()),
    }
}

/// A member's change to an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionChange {
    Claim,
    Resolve,
    Snooze(DateTime<Utc>),
}

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
    KnowledgeKind {
        Faq = "faq",
        Web = "web",
        /// Facts from the setup wizard's answers (fees, refund policy, dates), kept whole here
        /// when the agent's documents only have room for a summary.
        Setup = "setup",
    }
);

impl KnowledgeKind {
    /// Entries titled with a question and holding its answer, which the agent may quote
    /// whole (a scanned page is only a source of snippets).
    pub fn is_question_answer(self) -> bool {
        matches!(self, KnowledgeKind::Faq | KnowledgeKind::Setup)
    }
}

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
        // The action center: an action resolved already, or claimed by another member.
        ActionResolved = "action_resolved",
        ActionClaimed = "action_claimed",
        /// A canned reply's shortcut is taken in the organisation.
        ShortcutExists = "shortcut_exists",
        /// A calendar event that is cancelled or done cannot be changed.
        EventClosed = "event_closed",
        /// Settings → Email was never saved: there is no mail server to test.
        EmailNotConfigured = "email_not_configured",
        /// A conversation cannot go to that mode from the one it is in (pausing a closed one).
        ModeChangeRefused = "mode_change_refused",
        /// Campaigns: a change its status does not allow (edits after start, a resume of a
        /// running one), a template placeholder left without a mapping, nobody to send to,
        /// more recipients than the messaging limit has room for.
        CampaignStatus = "campaign_status",
        UnmappedVariables = "unmapped_variables",
        EmptyAudience = "empty_audience",
        OverMessagingLimit = "over_messaging_limit",
        /// An automation rule that does not check out (details name each path).
        InvalidRule = "invalid_rule",
        /// A sequence enrolment that completed or stopped cannot be stopped.
        EnrollmentNotActive = "enrollment_not_active",
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

/// Webhooks are arriving faster than one writer stores them when this many deliveries waited
/// for the same group (see the store's group commit): a surge, as after a click-to-WhatsApp ad.
pub const SURGE_GROUP: usize = 4;

/// How long a surge lasts after its last crowded group.
pub const SURGE_HOLD: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether a group of `deliveries` written together shows a surge.
pub fn crowded_group(deliveries: usize) -> bool {
    deliveries >= SURGE_GROUP
}

/// Whether webhooks are surging, given how long ago the last crowded group was written.
pub fn ingest_surging(since_crowded_group: Option<std::time::Duration>) -> bool {
    since_crowded_group.is_some_and(|d| d < SURGE_HOLD)
}

/// How many jobs a worker runs at once: all of its `concurrency`, or one while webhooks
/// surge. Each core an agent run takes is taken from storing deliveries, which Meta waits on
/// (and retries when we are slow), and a surge of new leads is the moment that matters most;
/// the replies wait a few seconds instead and catch up once the surge passes. Never none, so
/// replies keep going out however long the surge lasts.
pub fn worker_slots(concurrency: usize, surging: bool) -> usize {
    if surging {
        concurrency.min(1)
    } else {
        concurrency
    }
}

/// How long a worker's slot rests after a job that took `job_took`, while webhooks surge:
/// three times as long, so the agent's work (its own and the database's) takes a quarter of
/// one core at most; one slot at a time alone still took about half of a 2-core machine.
/// Never more than [`SURGE_REST_MAX`], so a slow job cannot hold the replies back for long.
pub fn surge_rest(job_took: std::time::Duration) -> std::time::Duration {
    (job_took * 3).min(SURGE_REST_MAX)
}

/// The longest rest between two jobs in a surge.
pub const SURGE_REST_MAX: std::time::Duration = std::time::Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::send_policy::SendRule;
    use proptest::prelude::*;
    use std::time::Duration;

    proptest! {
        #[test]
        fn a_surge_slows_the_workers_but_never_stops_them(concurrency in 0usize..64, surging: bool) {
            let slots = worker_slots(concurrency, surging);
            prop_assert!(slots <= concurrency);
            prop_assert_eq!(slots == 0, concurrency == 0);
            if !surging {
                prop_assert_eq!(slots, concurrency);
            }
        }
    }

    proptest! {
        #[test]
        fn a_surge_rest_is_three_jobs_long_and_bounded(ms in 0u64..10_000) {
            let took = Duration::from_millis(ms);
            let rest = surge_rest(took);
            prop_assert!(rest <= SURGE_REST_MAX);
            prop_assert!(rest == took * 3 || rest == SURGE_REST_MAX);
        }
    }

    #[test]
    fn a_surge_is_a_crowded_group_less_than_a_second_ago() {
        assert!(!crowded_group(1) && !crowded_group(SURGE_GROUP - 1));
        assert!(crowded_group(SURGE_GROUP) && crowded_group(128));
        assert!(!ingest_surging(None));
        assert!(ingest_surging(Some(Duration::ZERO)));
        assert!(ingest_surging(Some(Duration::from_millis(999))));
        assert!(!ingest_surging(Some(SURGE_HOLD)));
    }

    #[test]
    fn a_refusal_is_answered_with_its_own_word() {
        for rule in SendRule::ALL {
            assert_eq!(ErrorCode::from(*rule).as_str(), rule.as_str());
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_snooze_that_ran_out_is_open_again() {
        let now = t("2026-01-01T10:00:00Z");
        let past = Some(t("2026-01-01T09:00:00Z"));
        let later = Some(t("2026-01-01T11:00:00Z"));
        assert_eq!(ActionStatus::Snoozed.at(past, now), ActionStatus::Open);
        assert_eq!(ActionStatus::Snoozed.at(later, now), ActionStatus::Snoozed);
        assert_eq!(ActionStatus::Claimed.at(past, now), ActionStatus::Claimed);
    }

    #[test]
    fn resolved_is_final_and_a_claim_is_one_members() {
        let now = t("2026-01-01T10:00:00Z");
        let (me, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        use ActionChange::*;
        for change in [Claim, Resolve, Snooze(t("2026-01-02T10:00:00Z"))] {
            assert_eq!(
                may_change_action(ActionStatus::Resolved, None, me, change, now),
                Err(ActionRefusal::AlreadyResolved)
            );
        }
        assert_eq!(
            may_change_action(ActionStatus::Claimed, Some(other), me, Claim, now),
            Err(ActionRefusal::ClaimedByAnother)
        );
        assert_eq!(
            may_change_action(ActionStatus::Claimed, Some(me), me, Claim, now),
            Ok(())
        );
        // Anyone may resolve what another member claimed: the work got done.
        assert_eq!(
            may_change_action(ActionStatus::Claimed, Some(other), me, Resolve, now),
            Ok(())
        );
        assert_eq!(
            may_change_action(ActionStatus::Open, None, me, Snooze(now), now),
            Err(ActionRefusal::SnoozeInThePast)
        );
    }

    #[test]
    fn every_kind_has_a_priority() {
        for kind in ActionKind::ALL {
            let _ = kind.priority();
        }
        assert_eq!(ActionKind::Booking.priority(), EscalationPriority::High);
    }
}
