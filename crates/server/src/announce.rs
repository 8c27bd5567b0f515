//! Turning what was stored into realtime events, after the commit. Events carry ids only.

use closer_domain::messaging::DeliveryStatus;
use closer_store::Store;
use closer_store::events::{Event, kind};
use closer_store::ingest::IngestOutcome;
use closer_store::replies::SendTask;
use serde_json::json;
use uuid::Uuid;

/// A delivery (webhook or simulator) was stored: one batch of events.
pub async fn ingested(store: &Store, org_id: Uuid, outcome: &IngestOutcome) {
    let mut events = vec![];
    for (conversation_id, message_id) in &outcome.stored {
        events.push(Event::new(
            org_id,
            kind::MESSAGE_RECEIVED,
            json!({ "conversation_id": conversation_id, "message_id": message_id }),
        ));
    }
    for s in &outcome.statuses {
        events.push(Event::new(
            org_id,
            kind::MESSAGE_STATUS,
            json!({ "conversation_id": s.conversation_id, "message_id": s.message_id,
                    "status": s.status.as_str() }),
        ));
    }
    for id in &outcome.conversations {
        events.push(Event::new(
            org_id,
            kind::CONVERSATION_UPDATED,
            json!({ "conversation_id": id }),
        ));
    }
    store.publish_all(events).await;
    if !outcome.stored.is_empty() {
        // The processing job is due after the debounce: let this process's idle worker set
        // its alarm for it.
        store.wake_local_workers();
    }
}

/// A conversation changed: `event` (e.g. a takeover) when there is one, always followed by
/// `conversation:updated`, in one batch.
pub async fn conversation_changed(
    store: &Store,
    org_id: Uuid,
    event: Option<&str>,
    conversation_id: Uuid,
) {
    let data = json!({ "conversation_id": conversation_id });
    let mut events: Vec<Event> = event
        .into_iter()
        .filter(|e| *e != kind::CONVERSATION_UPDATED)
        .map(|e| Event::new(org_id, e, data.clone()))
        .collect();
    events.push(Event::new(org_id, kind::CONVERSATION_UPDATED, data));
    store.publish_all(events).await;
}

/// An outbound message was created (queued), possibly taking the conversation over.
pub async fn message_sent(
    store: &Store,
    org_id: Uuid,
    conversation_id: Uuid,
    message_id: Uuid,
    took_over: bool,
) {
    let conversation = json!({ "conversation_id": conversation_id });
    let mut events = vec![];
    if took_over {
        events.push(Event::new(
            org_id,
            kind::TAKEOVER_STARTED,
            conversation.clone(),
        ));
    }
    events.push(Event::new(
        org_id,
        kind::MESSAGE_SENT,
        json!({ "conversation_id": conversation_id, "message_id": message_id }),
    ));
    events.push(Event::new(org_id, kind::CONVERSATION_UPDATED, conversation));
    store.publish_all(events).await;
}

/// An outbound message's delivery moved.
pub async fn status(store: &Store, task: &SendTask, status: DeliveryStatus) {
    store
        .publish(Event::new(
            task.org_id,
            kind::MESSAGE_STATUS,
            json!({ "conversation_id": task.conversation_id, "message_id": task.message_id,
                    "status": status.as_str() }),
        ))
        .await;
}
