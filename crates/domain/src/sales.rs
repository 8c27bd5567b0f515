//! The vocabulary of a sales conversation (seeds/001 §6, seeds/000's intent): why the agent
//! said something, what it pushes, where the lead and the conversation stand.

text_enum!(
    /// Why the agent sent (or held back) a message; every decision carries one.
    ReasonCode {
        InitialGreeting = "initial_greeting",
        QualificationQuestion = "qualification_question",
        Discovery = "discovery",
        ValueProposition = "value_proposition",
        ObjectionHandling = "objection_handling",
        CtaPush = "cta_push",
        PricingDiscussion = "pricing_discussion",
        SoftNudge = "soft_nudge",
        ValueAdd = "value_add",
        SocialProof = "social_proof",
        ClarificationRequest = "clarification_request",
        Confirmation = "confirmation",
        StaySilent = "stay_silent",
        ScheduleFollowup = "schedule_followup",
        ExitGraceful = "exit_graceful",
        NeedsHuman = "needs_human",
    }
);

text_enum!(
    /// The calls to action a business can configure.
    CtaType {
        BookCall = "book_call",
        Payment = "payment",
        AppDownload = "app_download",
        SendDocs = "send_docs",
        VisitWebsite = "visit_website",
        FillForm = "fill_form",
        ScheduleDemo = "schedule_demo",
        JoinWebinar = "join_webinar",
    }
);

impl CtaType {
    /// Accepting these means a meeting at a time the lead names: a calendar event.
    pub fn is_booking(self) -> bool {
        matches!(
            self,
            CtaType::BookCall | CtaType::ScheduleDemo | CtaType::JoinWebinar
        )
    }

    /// A major CTA asks the lead to commit; a guessed slot is re-confirmed before one.
    pub fn is_major(self) -> bool {
        matches!(
            self,
            CtaType::BookCall | CtaType::Payment | CtaType::ScheduleDemo
        )
    }

    /// How the dashboard names it.
    pub fn label(self) -> &'static str {
        match self {
            CtaType::BookCall => "Book a call",
            CtaType::Payment => "Payment",
            CtaType::AppDownload => "App download",
            CtaType::SendDocs => "Send documents",
            CtaType::VisitWebsite => "Visit website",
            CtaType::FillForm => "Fill a form",
            CtaType::ScheduleDemo => "Schedule a demo",
            CtaType::JoinWebinar => "Join a webinar",
        }
    }
}

text_enum!(
    /// Where a lead stands in the CRM.
    LeadStatus {
        New = "new",
        Qualifying = "qualifying",
        Qualified = "qualified",
        Engaged = "engaged",
        Hot = "hot",
        Won = "won",
        Lost = "lost",
        Dropped = "dropped",
        NeedsHuman = "needs_human",
        OptedOut = "opted_out",
    }
);

impl LeadStatus {
    /// Outcomes a human decided (or the lead's opt-out); the agent never moves a lead out of
    /// them by itself.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            LeadStatus::Won | LeadStatus::Lost | LeadStatus::OptedOut
        )
    }
}

text_enum!(
    /// Where a conversation stands in the sales process.
    ConversationStage {
        New = "new",
        InitialContact = "initial_contact",
        Discovery = "discovery",
        Qualification = "qualification",
        ObjectionHandling = "objection_handling",
        CtaOffered = "cta_offered",
        CtaInProgress = "cta_in_progress",
        Negotiation = "negotiation",
        ClosedWon = "closed_won",
        ClosedLost = "closed_lost",
        HumanTakeover = "human_takeover",
        Archived = "archived",
    }
);

text_enum!(
    /// How urgently a human must step in.
    EscalationPriority {
        Critical = "critical",
        High = "high",
        Medium = "medium",
        Low = "low",
    }
);

impl EscalationPriority {
    /// Higher is more urgent; used to keep the more urgent of two priorities.
    pub fn rank(self) -> u8 {
        match self {
            EscalationPriority::Critical => 3,
            EscalationPriority::High => 2,
            EscalationPriority::Medium => 1,
            EscalationPriority::Low => 0,
        }
    }

    /// The more urgent of the two.
    pub fn max_rank(self, other: EscalationPriority) -> EscalationPriority {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }
}

text_enum!(
    /// How the lead feels, from one message.
    Sentiment {
        VeryPositive = "very_positive",
        Positive = "positive",
        Neutral = "neutral",
        Frustrated = "frustrated",
        Angry = "angry",
    }
);

impl Sentiment {
    /// A number for trends: +2 (very positive) to −2 (angry).
    pub fn score(self) -> f32 {
        match self {
            Sentiment::VeryPositive => 2.0,
            Sentiment::Positive => 1.0,
            Sentiment::Neutral => 0.0,
            Sentiment::Frustrated => -1.0,
            Sentiment::Angry => -2.0,
        }
    }
}

text_enum!(
    /// How likely the lead is to buy, as the agent reads it.
    Intent {
        Low = "low",
        Medium = "medium",
        High = "high",
        VeryHigh = "very_high",
        Unknown = "unknown",
    }
);

text_enum!(
    /// How a lead found the business (seeds/001 §4.4).
    LeadSource {
        OrganicInbound = "organic_inbound",
        ClickToChatAd = "click_to_chat_ad",
        WebsiteWidget = "website_widget",
        FormToWhatsapp = "form_to_whatsapp",
        ReferralLink = "referral_link",
        QrCode = "qr_code",
        Import = "import",
        Manual = "manual",
        Unknown = "unknown",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_text() {
        for v in ReasonCode::ALL {
            assert_eq!(v.as_str().parse::<ReasonCode>().unwrap(), *v);
        }
        for v in CtaType::ALL {
            assert_eq!(v.as_str().parse::<CtaType>().unwrap(), *v);
        }
        for v in ConversationStage::ALL {
            assert_eq!(v.as_str().parse::<ConversationStage>().unwrap(), *v);
        }
        assert_eq!(ReasonCode::ALL.len(), 16);
        assert_eq!(CtaType::ALL.len(), 8);
        assert_eq!(LeadStatus::ALL.len(), 10);
        assert_eq!(ConversationStage::ALL.len(), 12);
    }
}
