//! Turning what was stored into realtime events, after the commit. Events carry ids only.

use closer_domain::messaging::{ConversationMode, DeliveryStatus};
use closer_store::Store;
use closer_store::events::{Event, RealtimeEvent};
use closer_store::ingest::IngestOutcome;
use closer_store::replies::SendTask;
use uuid::Uuid;

/// A delivery (webhook or simulator) was stored: one batch of events.
pub async fn ingested(store: &Store, org_id: Uuid, outcome: &IngestOutcome) {
    let mut events = vec![];
    for &(conversation_id, message_id) in &outcome.stored {
        events.push(RealtimeEvent::MessageReceived {
            conversation_id,
            message_id,
        });
    }
    for s in &outcome.statuses {
        events.push(RealtimeEvent::MessageStatus {
            conversation_id: s.conversation_id,
            message_id: s.message_id,
            status: s.status,
        });
        if let Some(action_id) = s.failed_action {
            events.push(RealtimeEvent::ActionCreated {
                action_id,
                kind: closer_domain::work::ActionKind::SendFailed,
                conversation_id: s.conversation_id,
            });
        }
    }
    for &conversation_id in &outcome.reopened {
        events.push(RealtimeEvent::ModeChanged {
            conversation_id,
            from: ConversationMode::Closed,
            to: ConversationMode::Bot,
        });
    }
    for &id in &outcome.conversations {
        events.push(RealtimeEvent::conversation_updated(id));
    }
    for &lead_id in &outcome.leads_created {
        events.push(RealtimeEvent::LeadCreated { lead_id });
    }
    // The lead's reply ended their drip sequence: its enrolments page moves at once.
    for c in &outcome.sequences_stopped {
        events.push(RealtimeEvent::SequenceEnrollmentUpdated {
            sequence_id: c.sequence_id,
            enrollment_id: c.enrollment_id,
            lead_id: c.lead_id,
            status: c.status,
        });
    }
    publish(store, org_id, events).await;
    for &campaign_id in &outcome.campaigns {
        crate::campaign_run::announce_progress(store, org_id, campaign_id).await;
    }
    if !outcome.stored.is_empty() {
        // The processing job is due after the debounce: let this process's idle worker set
        // its alarm for it.
        store.wake_local_workers();
    }
}

/// Publishes one organisation's events as one batch: the one place events leave the server.
pub async fn publish(store: &Store, org_id: Uuid, events: Vec<RealtimeEvent>) {
    store
        .publish_all(events.into_iter().map(|e| Event::new(org_id, e)).collect())
        .await;
}

/// A conversation changed: `events` (e.g. a takeover) when there are some, always followed by
/// `conversation:updated`, in one batch.
pub async fn conversation_changed(
    store: &Store,
    org_id: Uuid,
    events: impl IntoIterator<Item = RealtimeEvent>,
    conversation_id: Uuid,
) {
    let mut events: Vec<RealtimeEvent> = events
        .into_iter()
        .filter(|e| !matches!(e, RealtimeEvent::ConversationUpdated { .. }))
        .collect();
    events.push(RealtimeEvent::conversation_updated(conversation_id));
    publish(store, org_id, events).await;
}

/// An outbound message was created (queued), possibly taking the conversation over.
pub async fn message_sent(
    store: &Store,
    org_id: Uuid,
    conversation_id: Uuid,
    message_id: Uuid,
    took_over: bool,
) {
    let mut events = vec![];
    if took_over {
        events.push(RealtimeEvent::TakeoverStarted { conversation_id });
    }
    events.push(RealtimeEvent::MessageSent {
        conversation_id,
        message_id,
    });
    events.push(RealtimeEvent::conversation_updated(conversation_id));
    publish(store, org_id, events).await;
}

/// An outbound message's delivery moved.
pub async fn status(store: &Store, task: &SendTask, status: DeliveryStatus) {
    let event = RealtimeEvent::MessageStatus {
        conversation_id: task.conversation_id,
        message_id: task.message_id,
        status,
    };
    publish(store, task.org_id, vec![event]).await;
}

/// One lead changed: `lead:created`, `lead:updated` or `lead:deleted`.
pub async fn lead(store: &Store, org_id: Uuid, event: RealtimeEvent) {
    publish(store, org_id, vec![event]).await;
}

/// Many leads changed at once (bulk, import, a tag, field or stage renamed or deleted).
pub async fn leads_bulk(store: &Store, org_id: Uuid) {
    publish(store, org_id, vec![RealtimeEvent::LeadsBulk {}]).await;
}

/// A card moved: `pipeline:moved` for a stage change, `lead:updated` for a reorder.
pub async fn lead_moved(
    store: &Store,
    org_id: Uuid,
    lead_id: Uuid,
    history: Option<&closer_store::pipeline::HistoryRecord>,
) {
    let event = match history {
        Some(h) => RealtimeEvent::PipelineMoved {
            lead_id,
            from_stage_id: h.from_stage.as_ref().map(|(id, _)| *id),
            to_stage_id: h.to_stage.0,
            actor: h.actor,
        },
        None => RealtimeEvent::LeadUpdated { lead_id },
    };
    publish(store, org_id, vec![event]).await;
}

/// An action-center item was opened.
pub async fn action_created(
    store: &Store,
    org_id: Uuid,
    action_id: Uuid,
    kind: closer_domain::work::ActionKind,
    conversation_id: Uuid,
) {
    let event = RealtimeEvent::ActionCreated {
        action_id,
        kind,
        conversation_id,
    };
    publish(store, org_id, vec![event]).await;
}

/// Members were notified: each bell that shows it hears `notification:created`, and the
/// workers wake for the emails and pushes queued with them.
pub async fn notified(
    store: &Store,
    org_id: Uuid,
    notified: &[closer_store::notifications::Notified],
) {
    if notified.is_empty() {
        return;
    }
    let events = notified
        .iter()
        .filter(|n| n.in_app)
        .map(|n| RealtimeEvent::NotificationCreated {
            user_id: n.user_id,
            notification_id: n.id,
            kind: n.kind,
        })
        .collect();
    publish(store, org_id, events).await;
    store.wake_workers().await;
}
