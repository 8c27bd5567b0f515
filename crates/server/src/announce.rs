//! Turning what was stored into realtime events, after the commit. Events carry ids only.

use closer_domain::messaging::DeliveryStatus;
use closer_store::Store;
use closer_store::events::{Event, kind};
use closer_store::ingest::IngestOutcome;
use closer_store::replies::SendTask;
use serde_json::json;
use uuid::Uuid;

/// A delivery (webhook or simulator) was stored.
pub async fn ingested(store: &Store, org_id: Uuid, outcome: &IngestOutcome) {
    for (conversation_id, message_id) in &outcome.stored {
        store
            .publish(Event::new(
                org_id,
                kind::MESSAGE_RECEIVED,
                json!({ "conversation_id": conversation_id, "message_id": message_id }),
            ))
            .await;
    }
    for s in &outcome.statuses {
        store
            .publish(Event::new(
                org_id,
                kind::MESSAGE_STATUS,
                json!({ "conversation_id": s.conversation_id, "message_id": s.message_id,
                        "status": s.status.as_str() }),
            ))
            .await;
    }
    conversations_updated(store, org_id, &outcome.conversations).await;
    if !outcome.stored.is_empty() {
        store.wake_workers().await;
    }
}

pub async fn conversations_updated(store: &Store, org_id: Uuid, ids: &[Uuid]) {
    for id in ids {
        conversation(store, org_id, kind::CONVERSATION_UPDATED, *id).await;
    }
}

pub async fn conversation(store: &Store, org_id: Uuid, event: &str, conversation_id: Uuid) {
    store
        .publish(Event::new(
            org_id,
            event,
            json!({ "conversation_id": conversation_id }),
        ))
        .await;
}

/// An outbound message was created (queued).
pub async fn message_sent(store: &Store, org_id: Uuid, conversation_id: Uuid, message_id: Uuid) {
    store
        .publish(Event::new(
            org_id,
            kind::MESSAGE_SENT,
            json!({ "conversation_id": conversation_id, "message_id": message_id }),
        ))
        .await;
    conversation(store, org_id, kind::CONVERSATION_UPDATED, conversation_id).await;
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
