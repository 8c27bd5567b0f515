//! The activity log: each domain event appended in the transaction of the change that caused
//! it, so the log and the data never disagree. Read back as a lead's timeline.

use crate::entities::activity;
use crate::error::Result;
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub contact_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub actor: ActivityActor,
    pub actor_user_id: Option<Uuid>,
    pub payload: Value,
}

impl NewActivity {
    /// An event about a lead in one conversation.
    pub fn on(
        contact_id: Uuid,
        conversation_id: Uuid,
        kind: ActivityKind,
        actor: ActivityActor,
        payload: Value,
    ) -> Self {
        NewActivity {
            contact_id: Some(contact_id),
            conversation_id: Some(conversation_id),
            kind,
            actor,
            actor_user_id: None,
            payload,
        }
    }

    pub fn by_member(mut self, user_id: Uuid) -> Self {
        self.actor = ActivityActor::Member;
        self.actor_user_id = Some(user_id);
        self
    }
}

/// An entry as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityEntry {
    pub id: Uuid,
    pub contact_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub kind: ActivityKind,
    pub actor: ActivityActor,
    pub actor_user_id: Option<Uuid>,
    pub payload: Value,
    pub at: DateTime<Utc>,
}

impl From<activity::Model> for ActivityEntry {
    fn from(m: activity::Model) -> Self {
        ActivityEntry {
            id: m.id,
            contact_id: m.contact_id,
            conversation_id: m.conversation_id,
            kind: m.kind,
            actor: m.actor,
            actor_user_id: m.actor_user_id,
            payload: m.payload.unwrap_or(Value::Null),
            at: m.at,
        }
    }
}

/// Appends events inside the caller's transaction (one statement for all of them).
pub(crate) async fn append(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    events: Vec<NewActivity>,
) -> Result<()> {
    append_across(db, events.into_iter().map(|e| (org_id, e)).collect()).await
}

/// Appends entries of several organisations in one statement (an ingest group's).
pub(crate) async fn append_across(
    db: &impl ConnectionTrait,
    events: Vec<(Uuid, NewActivity)>,
) -> Result<()> {
    append_counting(db, events, Default::default()).await
}

/// [`append_across`], writing the caller's analytics counts `also` with the events' own.
pub(crate) async fn append_counting(
    db: &impl ConnectionTrait,
    events: Vec<(Uuid, NewActivity)>,
    also: crate::rollups::Tallies,
) -> Result<()> {
    if events.is_empty() {
        return also.write(db).await;
    }
    let at = now();
    // Analytics counts what happened in the same transaction (one query set per call).
    crate::rollups::note_activity(db, &events, at, also).await?;
    let models: Vec<(Uuid, activity::Model)> = events
        .into_iter()
        .map(|(org_id, e)| {
            let m = activity::Model {
                id: new_id(),
                org_id,
                contact_id: e.contact_id,
                conversation_id: e.conversation_id,
                kind: e.kind,
                actor: e.actor,
                actor_user_id: e.actor_user_id,
                payload: Some(e.payload),
                at,
            };
            (org_id, m)
        })
        .collect();
    let rows = models
        .iter()
        .map(|(_, m)| activity::ActiveModel::from(m.clone()));
    activity::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    // The log is the automations' trigger: entries a rule reacts to become jobs here.
    crate::automations::raise(db, &models).await?;
    Ok(())
}

impl OrgScope<'_> {
    /// A lead's timeline, newest first.
    pub async fn lead_activity(
        &self,
        contact_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<ActivityEntry>> {
        let query = activity::Entity::find()
            .filter(activity::Column::OrgId.eq(self.org_id))
            .filter(activity::Column::ContactId.eq(contact_id));
        Ok(page::fetch(
            &self.store.db,
            query,
            activity::Column::Id,
            Order::NewestFirst,
            page,
            ActivityEntry::from,
            |e| e.id,
        )
        .await?)
    }
}
