//! The activity log's vocabulary: every domain event that happened to a lead, appended in the
//! same transaction as the change itself. The lead timeline, automations (their triggers) and
//! analytics read it; nothing polls other tables to learn what happened.

text_enum!(
    /// What happened.
    ActivityKind {
        /// A lead wrote to the business for the first time: the lead exists now.
        LeadCreated = "lead_created",
        MessageReceived = "message_received",
        /// A reply (the bot's or a person's) was queued for sending.
        MessageSent = "message_sent",
        StageChanged = "stage_changed",
        LeadStatusChanged = "lead_status_changed",
        CtaAccepted = "cta_accepted",
        /// The agent asked for a person.
        HandoffRequested = "handoff_requested",
        TakeoverStarted = "takeover_started",
        TakeoverEnded = "takeover_ended",
        /// A conversation was paused, closed or reopened (`payload.from`, `payload.to`; a
        /// lead's message reopens a closed one with `payload.by: "lead_message"`).
        ModeChanged = "mode_changed",
        /// The lead came onto the opt-out list (`payload.source`: keyword, button, manual,
        /// bulk, import, erasure).
        OptedOut = "opted_out",
        /// The lead may hear from the business again (START after STOP, or a member with a
        /// reason).
        OptedIn = "opted_in",
        /// A member wrote a note on the lead.
        NoteAdded = "note_added",
        /// The lead moved between pipeline stages (a member, the agent, a rule, an import).
        LeadMoved = "lead_moved",
        /// A member erased the lead's personal data.
        Erased = "erased",
        /// A member resolved an action-center item about the lead, with its outcome.
        ActionResolved = "action_resolved",
        /// A campaign's template reached the lead (`payload.campaign_id`, `recipient_id`).
        CampaignSent = "campaign_sent",
        /// The lead answered a campaign within a week (`payload.campaign_id`, `recipient_id`):
        /// the moment automations hook (`campaign_replied`).
        CampaignReplied = "campaign_replied",
        /// A conversation with the lead began (its first message, either way).
        ConversationCreated = "conversation_created",
        /// A member changed the lead's fields (`payload.fields` names them).
        LeadUpdated = "lead_updated",
        /// The lead got a tag (`payload.tag`).
        TagAdded = "tag_added",
        /// The lead's conversation was given to a member or to nobody (`payload.from`,
        /// `payload.to`, `payload.round_robin` when the rotation chose).
        Assigned = "assigned",
        /// A call or demo with the lead was booked (`payload.event_id`, `starts_at`, `title`).
        CalendarBooked = "calendar_booked",
        /// It was moved to another time (`payload.from`, `payload.to`).
        CalendarRescheduled = "calendar_rescheduled",
        /// It was called off (`payload.event_id`, `starts_at`).
        CalendarCancelled = "calendar_cancelled",
    }
);

text_enum!(
    /// Who made it happen.
    ActivityActor {
        Lead = "lead",
        Agent = "agent",
        Member = "member",
        System = "system",
        /// An automation's action: what it causes fires no rule (the loop guard).
        Automation = "automation",
    }
);
