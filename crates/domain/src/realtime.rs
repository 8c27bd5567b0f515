//! What the dashboard hears over its WebSocket: one typed event per change, `{type, data}` on
//! the wire. Events carry ids, not records: a client fetches what it shows. Described in the
//! OpenAPI document (feature `openapi`) so the web's event types are generated, not written.

use crate::messaging::{ConversationMode, DeliveryStatus};
use crate::sales::{CtaType, EscalationPriority};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data")]
pub enum RealtimeEvent {
    /// A lead's message was stored.
    #[serde(rename = "message:received")]
    MessageReceived {
        conversation_id: Uuid,
        message_id: Uuid,
    },
    /// A reply (the bot's or a person's) was queued for sending.
    #[serde(rename = "message:sent")]
    MessageSent {
        conversation_id: Uuid,
        message_id: Uuid,
    },
    /// An outbound message's delivery moved on.
    #[serde(rename = "message:status")]
    MessageStatus {
        conversation_id: Uuid,
        message_id: Uuid,
        status: DeliveryStatus,
    },
    /// A message's file arrived in the media store, could not be kept, or its voice note was
    /// transcribed.
    #[serde(rename = "message:updated")]
    MessageUpdated {
        conversation_id: Uuid,
        message_id: Uuid,
    },
    /// Anything about a conversation changed; `decision_id` when the agent decided.
    #[serde(rename = "conversation:updated")]
    ConversationUpdated {
        conversation_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decision_id: Option<Uuid>,
    },
    #[serde(rename = "conversation:takeover_started")]
    TakeoverStarted { conversation_id: Uuid },
    #[serde(rename = "conversation:takeover_ended")]
    TakeoverEnded { conversation_id: Uuid },
    /// A conversation's mode changed: a member paused, closed, reopened, took it over or
    /// handed it back, or a lead's message reopened a closed one.
    #[serde(rename = "conversation:mode_changed")]
    ModeChanged {
        conversation_id: Uuid,
        from: ConversationMode,
        to: ConversationMode,
    },
    /// A lead accepted a call to action: an action-center item was opened.
    #[serde(rename = "action:conversations_flagged")]
    ConversationsFlagged {
        conversation_id: Uuid,
        action_id: Uuid,
        cta: CtaType,
        name: Option<String>,
        at: Option<DateTime<Utc>>,
    },
    /// The agent handed a conversation over.
    #[serde(rename = "action:human_attention_required")]
    HumanAttentionRequired {
        conversation_id: Uuid,
        priority: Option<EscalationPriority>,
        reason: Option<crate::agent::HandoverReason>,
    },
    /// An action-center item was opened (by the agent, a booking, or a failed send).
    #[serde(rename = "action:created")]
    ActionCreated {
        action_id: Uuid,
        kind: crate::work::ActionKind,
        conversation_id: Uuid,
    },
    /// An action-center item was claimed, snoozed or resolved.
    #[serde(rename = "action:updated")]
    ActionUpdated {
        action_id: Uuid,
        status: crate::work::ActionStatus,
    },
    /// A calendar event was booked (by the agent or a person).
    #[serde(rename = "calendar:created")]
    CalendarCreated {
        event_id: Uuid,
        status: crate::calendar::EventStatus,
    },
    /// A calendar event got its time, was moved, cancelled or marked done.
    #[serde(rename = "calendar:updated")]
    CalendarUpdated {
        event_id: Uuid,
        status: crate::calendar::EventStatus,
    },
    /// A conversation's follow-up was scheduled, sent, skipped or cancelled.
    #[serde(rename = "followup:updated")]
    FollowupUpdated {
        conversation_id: Uuid,
        followup_id: Uuid,
        status: crate::followup::FollowupStatus,
    },
    /// A lead was created: by a person, through the API, or by its first message.
    #[serde(rename = "lead:created")]
    LeadCreated { lead_id: Uuid },
    /// Anything shown about one lead changed (fields, tags, notes, owner, stage, opt-out).
    #[serde(rename = "lead:updated")]
    LeadUpdated { lead_id: Uuid },
    #[serde(rename = "lead:deleted")]
    LeadDeleted { lead_id: Uuid },
    /// Many leads changed at once (a bulk operation, an import, a tag or stage renamed or
    /// deleted): lists and the board refetch rather than hear one event per lead.
    #[serde(rename = "leads:bulk")]
    LeadsBulk {},
    /// A lead's card moved to another stage (a reorder within a column is not a move).
    #[serde(rename = "pipeline:moved")]
    PipelineMoved {
        lead_id: Uuid,
        from_stage_id: Option<Uuid>,
        to_stage_id: Uuid,
        actor: crate::pipeline::MoveActor,
    },
    /// A member got a notification: their bell counts it (other members' dashboards ignore
    /// it).
    #[serde(rename = "notification:created")]
    NotificationCreated {
        user_id: Uuid,
        notification_id: Uuid,
        kind: crate::notify::NotificationKind,
    },
    /// A member read notifications (on any of their devices): their bell recounts.
    #[serde(rename = "notification:read")]
    NotificationsRead { user_id: Uuid },
    /// A drip sequence was created, changed or deleted.
    #[serde(rename = "sequence:updated")]
    SequenceUpdated { sequence_id: Uuid },
    /// A lead's enrolment in a sequence started, moved a step, completed or stopped.
    #[serde(rename = "sequence:enrollment_updated")]
    SequenceEnrollmentUpdated {
        sequence_id: Uuid,
        enrollment_id: Uuid,
        lead_id: Uuid,
        status: crate::sequences::EnrollmentStatus,
    },
    /// Events may have been missed (a slow client, a reconnect): refetch everything shown.
    #[serde(rename = "resync")]
    Resync {},
    /// A campaign's status changed (started, paused with its reason, resumed, done).
    #[serde(rename = "campaign:updated")]
    CampaignUpdated {
        campaign: crate::campaigns::CampaignRef,
    },
    /// A running campaign's counts, at most once a second.
    #[serde(rename = "campaign:progress")]
    CampaignProgress {
        campaign_id: Uuid,
        status: crate::campaigns::CampaignStatus,
        counts: crate::campaigns::RecipientCounts,
        sends_per_second: f64,
    },
    /// A conversation was given to a member (`user_id`) or to nobody, by a member or by the
    /// round-robin when the agent handed it over.
    #[serde(rename = "conversation:assigned")]
    ConversationAssigned {
        conversation_id: Uuid,
        user_id: Option<Uuid>,
        round_robin: bool,
    },
    /// A member said they take new conversations now, or not.
    #[serde(rename = "user:availability")]
    AvailabilityChanged { user_id: Uuid, available: bool },
}

impl RealtimeEvent {
    /// The wire name, e.g. `message:received`.
    pub fn name(&self) -> &'static str {
        match self {
            RealtimeEvent::MessageReceived { .. } => "message:received",
            RealtimeEvent::MessageSent { .. } => "message:sent",
            RealtimeEvent::MessageStatus { .. } => "message:status",
            RealtimeEvent::MessageUpdated { .. } => "message:updated",
            RealtimeEvent::ConversationUpdated { .. } => "conversation:updated",
            RealtimeEvent::TakeoverStarted { .. } => "conversation:takeover_started",
            RealtimeEvent::TakeoverEnded { .. } => "conversation:takeover_ended",
            RealtimeEvent::ModeChanged { .. } => "conversation:mode_changed",
            RealtimeEvent::ConversationsFlagged { .. } => "action:conversations_flagged",
            RealtimeEvent::HumanAttentionRequired { .. } => "action:human_attention_required",
            RealtimeEvent::ActionCreated { .. } => "action:created",
            RealtimeEvent::ActionUpdated { .. } => "action:updated",
            RealtimeEvent::CalendarCreated { .. } => "calendar:created",
            RealtimeEvent::CalendarUpdated { .. } => "calendar:updated",
            RealtimeEvent::FollowupUpdated { .. } => "followup:updated",
            RealtimeEvent::LeadCreated { .. } => "lead:created",
            RealtimeEvent::LeadUpdated { .. } => "lead:updated",
            RealtimeEvent::LeadDeleted { .. } => "lead:deleted",
            RealtimeEvent::LeadsBulk {} => "leads:bulk",
            RealtimeEvent::PipelineMoved { .. } => "pipeline:moved",
            RealtimeEvent::NotificationCreated { .. } => "notification:created",
            RealtimeEvent::NotificationsRead { .. } => "notification:read",
            RealtimeEvent::SequenceUpdated { .. } => "sequence:updated",
            RealtimeEvent::SequenceEnrollmentUpdated { .. } => "sequence:enrollment_updated",
            RealtimeEvent::Resync {} => "resync",
            RealtimeEvent::CampaignUpdated { .. } => "campaign:updated",
            RealtimeEvent::CampaignProgress { .. } => "campaign:progress",
            RealtimeEvent::ConversationAssigned { .. } => "conversation:assigned",
            RealtimeEvent::AvailabilityChanged { .. } => "user:availability",
        }
    }

    pub fn conversation_updated(conversation_id: Uuid) -> Self {
        RealtimeEvent::ConversationUpdated {
            conversation_id,
            decision_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_go_out_as_type_and_data() {
        let id = Uuid::nil();
        let e = RealtimeEvent::MessageStatus {
            conversation_id: id,
            message_id: id,
            status: DeliveryStatus::Read,
        };
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "message:status");
        assert_eq!(json["data"]["status"], "read");
        assert_eq!(json["type"], e.name());
        let back: RealtimeEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(
            serde_json::to_value(RealtimeEvent::conversation_updated(id)).unwrap()["data"],
            serde_json::json!({ "conversation_id": id })
        );
        let moved = RealtimeEvent::PipelineMoved {
            lead_id: id,
            from_stage_id: None,
            to_stage_id: id,
            actor: crate::pipeline::MoveActor::Ai,
        };
        let json = serde_json::to_value(&moved).unwrap();
        assert_eq!(json["type"], "pipeline:moved");
        assert_eq!(json["type"], moved.name());
        assert_eq!(json["data"]["actor"], "ai");
        assert_eq!(
            serde_json::to_value(RealtimeEvent::LeadsBulk {}).unwrap(),
            serde_json::json!({ "type": "leads:bulk", "data": {} })
        );
        assert_eq!(
            serde_json::to_value(RealtimeEvent::Resync {}).unwrap(),
            serde_json::json!({ "type": "resync", "data": {} })
        );
    }
}
