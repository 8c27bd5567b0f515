//! Messages on a conversation: their kinds, who wrote them, how far delivery got, and the
//! 24-hour service window a lead's message opens.

text_enum!(
    /// What a message is, as the inbox shows it.
    MessageType {
        Text = "text",
        Image = "image",
        Audio = "audio",
        Voice = "voice",
        Video = "video",
        Document = "document",
        Sticker = "sticker",
        Location = "location",
        Contacts = "contacts",
        Template = "template",
        Interactive = "interactive",
        ButtonReply = "button_reply",
        ListReply = "list_reply",
        Reaction = "reaction",
        System = "system",
        Unsupported = "unsupported",
    }
);

text_enum!(
    /// Which way a message went.
    Direction { Inbound = "in", Outbound = "out" }
);

text_enum!(
    /// Who wrote a message. A `note` is a member's private note in the transcript: it is
    /// never sent to the lead and never read to the agent as something said.
    Author {
        Lead = "lead",
        Bot = "bot",
        Human = "human",
        System = "system",
        Note = "note",
    }
);

text_enum!(
    /// Where a conversation happens: a connected WhatsApp number, or the built-in simulator
    /// whose replies go to the playground instead of Meta.
    Channel { Whatsapp = "whatsapp", Sandbox = "sandbox" }
);

text_enum!(
    /// Whether the organisation's WhatsApp number can send: connected, connected but Meta
    /// refused its token (the owner must paste a new one), or not connected at all.
    NumberStatus {
        Connected = "connected",
        TokenInvalid = "token_invalid",
        Disconnected = "disconnected",
    }
);

text_enum!(
    /// Meta's quality rating of a number, from how recipients treat its messages (Meta sends
    /// it upper-case: `GREEN`).
    QualityRating { Green = "green", Yellow = "yellow", Red = "red", Unknown = "unknown" }
);

text_enum!(
    /// Who answers the lead right now.
    ConversationMode { Bot = "bot", Human = "human", Paused = "paused", Closed = "closed" }
);

impl ConversationMode {
    /// The agent only ever replies in bot mode; in the others it records and extracts.
    pub fn bot_may_reply(self) -> bool {
        self == ConversationMode::Bot
    }
}

text_enum!(
    /// How far an outbound message got. Meta's status webhooks arrive in any order and
    /// repeat, so a status only ever moves forward.
    DeliveryStatus {
        Queued = "queued",
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Failed = "failed",
    }
);

impl DeliveryStatus {
    fn rank(self) -> u8 {
        match self {
            DeliveryStatus::Queued => 0,
            DeliveryStatus::Sent => 1,
            DeliveryStatus::Failed => 2,
            DeliveryStatus::Delivered => 3,
            DeliveryStatus::Read => 4,
        }
    }

    /// The status after `update` arrives, or `None` when the update would move it backwards
    /// (a late `sent` after `read`) or repeats it. A failure can follow only queued or sent:
    /// once the phone has the message, a failure report is stale.
    pub fn advance(self, update: DeliveryStatus) -> Option<DeliveryStatus> {
        (update.rank() > self.rank()).then_some(update)
    }

    pub fn is_final(self) -> bool {
        matches!(self, DeliveryStatus::Read | DeliveryStatus::Failed)
    }
}

/// Meta's customer-service window: a lead's message opens (or resets) 24 hours in which any
/// message may be sent; outside it only an approved template may go.
pub const SERVICE_WINDOW_HOURS: i64 = 24;

/// Times are Unix seconds, which keeps this crate free of a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceWindow {
    pub open_until: Option<i64>,
}

impl ServiceWindow {
    pub fn closed() -> Self {
        ServiceWindow { open_until: None }
    }

    /// A lead's message at `at` (Unix seconds) opens the window until 24 h later. A late
    /// webhook for an older message never shortens a window a newer one opened.
    pub fn after_lead_message(self, at: i64) -> Self {
        let until = at + SERVICE_WINDOW_HOURS * 3600;
        ServiceWindow {
            open_until: Some(self.open_until.map_or(until, |u| u.max(until))),
        }
    }

    pub fn is_open(self, now: i64) -> bool {
        self.open_until.is_some_and(|u| now < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn statuses_only_move_forward() {
        use DeliveryStatus::*;
        assert_eq!(Queued.advance(Sent), Some(Sent));
        assert_eq!(Sent.advance(Read), Some(Read), "read may skip delivered");
        assert_eq!(Read.advance(Delivered), None);
        assert_eq!(Delivered.advance(Delivered), None);
        assert_eq!(Sent.advance(Failed), Some(Failed));
        assert_eq!(Delivered.advance(Failed), None);
        assert_eq!(Failed.advance(Sent), None);
    }

    #[test]
    fn text_round_trips() {
        for t in MessageType::ALL {
            assert_eq!(t.as_str().parse::<MessageType>().unwrap(), *t);
        }
        assert!("fax".parse::<MessageType>().is_err());
        assert_eq!(Direction::Inbound.as_str(), "in");
    }

    #[test]
    fn the_window_opens_for_a_day() {
        let w = ServiceWindow::closed().after_lead_message(1_000);
        assert!(w.is_open(1_000 + 86_399));
        assert!(!w.is_open(1_000 + 86_400));
        assert!(!ServiceWindow::closed().is_open(0));
        assert_eq!(
            w.after_lead_message(500),
            w,
            "an older message never shortens it"
        );
    }

    fn status() -> impl Strategy<Value = DeliveryStatus> {
        prop::sample::select(DeliveryStatus::ALL.to_vec())
    }

    proptest! {
        /// Whatever order and repetition the webhooks come in, the stored status ends at the
        /// furthest one seen.
        #[test]
        fn any_order_of_updates_ends_at_the_furthest(updates in prop::collection::vec(status(), 0..12)) {
            let mut s = DeliveryStatus::Queued;
            for u in &updates {
                if let Some(next) = s.advance(*u) { s = next; }
            }
            let best = updates.iter().copied().chain([DeliveryStatus::Queued]).max_by_key(|u| u.rank()).unwrap();
            prop_assert_eq!(s, best);
        }

        #[test]
        fn the_window_end_never_moves_back(times in prop::collection::vec(0i64..10_000_000, 1..10)) {
            let mut w = ServiceWindow::closed();
            let mut last = i64::MIN;
            for t in times {
                w = w.after_lead_message(t);
                let until = w.open_until.unwrap();
                prop_assert!(until >= last);
                last = until;
            }
        }
    }
}
