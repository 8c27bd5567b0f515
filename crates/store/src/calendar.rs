//! The calendar: what the agent booked (or a person set up on a lead), read by range in the
//! organisation's timezone, moved, cancelled or marked done — telling the lead through the
//! one send policy, and the booking action following along — and each member's feed.

use crate::activity::NewActivity;
use crate::entities::{action, calendar_event, calendar_feed, conversation};
use crate::error::{Result, StoreError};
use crate::inbox::ContactRef;
use crate::replies::{OutboundBody, person_may_write};
use crate::team::OrgScope;
use crate::{Actor, Store, new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::calendar::{
    self, EventChange, EventKind, EventRefusal, EventStatus, change_event, lead_notice, moved_end,
};
use closer_domain::messaging::Author;
use closer_domain::sales::CtaType;
use closer_domain::send_policy::SendRule;
use closer_domain::work::ActionStatus;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// The most events one range read returns (a week of a very busy team is far fewer).
pub const RANGE_LIMIT: u64 = 2000;
/// The most "time to be agreed" bookings listed.
const TO_BE_AGREED_LIMIT: u64 = 200;
/// How far back a feed reaches: calendar apps keep what they already have.
const FEED_PAST_DAYS: i64 = 90;
const FEED_LIMIT: u64 = 5000;

#[derive(Debug, Clone)]
pub struct CalendarEvent {
    pub id: Uuid,
    pub kind: EventKind,
    pub status: EventStatus,
    pub title: String,
    /// None while the time is to be agreed with the lead.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Null only if the lead was deleted since.
    pub contact: Option<ContactRef>,
    pub conversation_id: Option<Uuid>,
    pub action_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A range of the calendar, and the bookings whose time is still to be agreed.
#[derive(Debug, Clone)]
pub struct CalendarRange {
    pub items: Vec<CalendarEvent>,
    pub to_be_agreed: Vec<CalendarEvent>,
}

/// A meeting a person sets up on a lead.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub lead_id: Uuid,
    pub kind: EventKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Whether the lead was told about a change, and if not why.
#[derive(Debug, Clone)]
pub enum LeadNotice {
    /// The message that tells them, queued with its send job.
    Told { message_id: Uuid },
    /// The send policy refused: the change was made all the same.
    Refused { rule: SendRule, detail: String },
    /// A meeting set up by hand on a lead without a conversation: nowhere to write.
    NoConversation,
}

#[derive(Debug, Clone)]
pub struct EventChanged {
    pub event: CalendarEvent,
    /// None when the change is not news to the lead (marked done).
    pub notice: Option<LeadNotice>,
    /// The booking action that followed the change.
    pub action: Option<(Uuid, ActionStatus)>,
}

/// What the agent's decision booked: the CTA the lead took up, their name, the time when
/// they gave one.
#[derive(Debug, Clone)]
pub(crate) struct DecisionBooking {
    pub cta: CtaType,
    pub name: Option<String>,
    pub slot: Option<(String, DateTime<Utc>, DateTime<Utc>)>,
    pub action_id: Option<Uuid>,
}

/// Books what the decision booked, in its transaction: one event per booking action. A time
/// given later fills the event waiting for one (or moves it); a booking CTA accepted without
/// a time is an event whose time is to be agreed. Returns the event and whether it is new.
pub(crate) async fn book_from_decision(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    conv: &conversation::Model,
    b: DecisionBooking,
    at: DateTime<Utc>,
) -> Result<Option<(Uuid, EventStatus, bool)>> {
    // A time given with a CTA that books nothing in particular is still a meeting.
    let kind = match (EventKind::of_cta(b.cta), &b.slot) {
        (Some(kind), _) => kind,
        (None, Some(_)) => EventKind::Meeting,
        (None, None) => return Ok(None),
    };
    let open = calendar_event::Entity::find()
        .filter(calendar_event::Column::OrgId.eq(org_id))
        .filter(calendar_event::Column::ConversationId.eq(conv.id))
        .filter(calendar_event::Column::Kind.eq(kind))
        .filter(
            calendar_event::Column::Status.is_in([EventStatus::Booked, EventStatus::Rescheduled]),
        );
    let earlier = match b.action_id {
        Some(action_id) => {
            open.filter(calendar_event::Column::ActionId.eq(action_id))
                .order_by_desc(calendar_event::Column::Id)
                .one(db)
                .await?
        }
        None => None,
    };
    if let Some(e) = earlier {
        let Some((title, start, end)) = b.slot else {
            return Ok(None);
        };
        if e.start_at == Some(start) {
            return Ok(None);
        }
        let status = match e.start_at {
            Some(_) => EventStatus::Rescheduled,
            None => e.status,
        };
        calendar_event::Entity::update_many()
            .set(calendar_event::ActiveModel {
                title: Set(title.clone()),
                start_at: Set(Some(start)),
                end_at: Set(Some(end)),
                status: Set(status),
                updated_at: Set(at),
                ..Default::default()
            })
            .filter(calendar_event::Column::OrgId.eq(org_id))
            .filter(calendar_event::Column::Id.eq(e.id))
            .exec(db)
            .await?;
        // A time agreed for a booking is its booking on the timeline; a new time, a move.
        let (kind, extra) = match e.start_at {
            Some(from) => (
                ActivityKind::CalendarRescheduled,
                serde_json::json!({ "from": from, "to": start }),
            ),
            None => (ActivityKind::CalendarBooked, serde_json::json!({})),
        };
        let now_is = calendar_event::Model {
            title,
            start_at: Some(start),
            ..e.clone()
        };
        log_on_timeline(db, org_id, &now_is, kind, None, extra).await?;
        return Ok(Some((e.id, status, false)));
    }
    let who = b.name.as_deref().unwrap_or("lead");
    let (title, start, end) = match b.slot {
        Some((title, start, end)) => (title, Some(start), Some(end)),
        None => (format!("{}: {who}", b.cta.label()), None, None),
    };
    let id = new_id();
    let booked = calendar_event::Model {
        id,
        org_id,
        conversation_id: Some(conv.id),
        contact_id: conv.contact_id,
        action_id: b.action_id,
        kind,
        status: EventStatus::Booked,
        title,
        start_at: start,
        end_at: end,
        created_by: None,
        created_at: at,
        updated_at: at,
    };
    calendar_event::Entity::insert(calendar_event::ActiveModel::from(booked.clone()))
        .exec_without_returning(db)
        .await?;
    log_on_timeline(
        db,
        org_id,
        &booked,
        ActivityKind::CalendarBooked,
        None,
        serde_json::json!({}),
    )
    .await?;
    Ok(Some((id, EventStatus::Booked, true)))
}

/// The lead's timeline entry of a booking, a move or a cancellation, in the caller's
/// transaction.
pub(crate) async fn log_on_timeline(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    event: &calendar_event::Model,
    kind: ActivityKind,
    by: Option<&Actor>,
    extra: serde_json::Value,
) -> Result<()> {
    let mut payload = serde_json::json!({
        "event_id": event.id,
        "kind": event.kind,
        "title": event.title,
        "starts_at": event.start_at,
    });
    if let (Some(p), serde_json::Value::Object(more)) = (payload.as_object_mut(), extra) {
        p.extend(more);
    }
    let entry = NewActivity {
        contact_id: Some(event.contact_id),
        conversation_id: event.conversation_id,
        kind,
        actor: match by {
            Some(_) => ActivityActor::Member,
            None => ActivityActor::Agent,
        },
        actor_user_id: by.map(|a| a.user_id),
        payload,
    };
    crate::activity::append(db, org_id, vec![entry]).await
}

impl Store {
    /// The member whose feed this token opens: (organisation, member).
    pub async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<(Uuid, Uuid)>> {
        Ok(calendar_feed::Entity::find()
            .filter(calendar_feed::Column::TokenHash.eq(token_hash))
            .one(&self.db)
            .await?
            .map(|f| (f.org_id, f.user_id)))
    }
}

impl OrgScope<'_> {
    /// Events starting in `[from, to)`, earliest first (at most [`RANGE_LIMIT`]), and the
    /// bookings still waiting for a time.
    pub async fn calendar(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<CalendarRange> {
        let rows = calendar_event::Entity::find()
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::StartAt.gte(from))
            .filter(calendar_event::Column::StartAt.lt(to))
            .order_by_asc(calendar_event::Column::StartAt)
            .order_by_asc(calendar_event::Column::Id)
            .limit(RANGE_LIMIT)
            .all(&self.store.db)
            .await?;
        let waiting = calendar_event::Entity::find()
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::StartAt.is_null())
            .filter(
                calendar_event::Column::Status
                    .is_in([EventStatus::Booked, EventStatus::Rescheduled]),
            )
            .order_by_asc(calendar_event::Column::Id)
            .limit(TO_BE_AGREED_LIMIT)
            .all(&self.store.db)
            .await?;
        Ok(CalendarRange {
            items: self.calendar_events(rows).await?,
            to_be_agreed: self.calendar_events(waiting).await?,
        })
    }

    /// What a member's feed shows: the organisation's events with a time, from 90 days ago.
    pub async fn calendar_feed_events(&self) -> Result<Vec<CalendarEvent>> {
        let rows = calendar_event::Entity::find()
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::StartAt.gte(now() - Duration::days(FEED_PAST_DAYS)))
            .order_by_asc(calendar_event::Column::StartAt)
            .limit(FEED_LIMIT)
            .all(&self.store.db)
            .await?;
        self.calendar_events(rows).await
    }

    pub async fn calendar_event(&self, id: Uuid) -> Result<CalendarEvent> {
        let row = self.calendar_event_row(&self.store.db, id).await?;
        let mut items = self.calendar_events(vec![row]).await?;
        items.pop().ok_or(StoreError::NotFound)
    }

    async fn calendar_event_row(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<calendar_event::Model> {
        calendar_event::Entity::find()
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A meeting a person sets up on a lead, linked to the lead's latest conversation.
    pub async fn create_calendar_event(&self, actor: &Actor, e: NewEvent) -> Result<CalendarEvent> {
        let lead = self.contact_row(&self.store.db, e.lead_id).await?;
        let conversation_id: Option<Uuid> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::ContactId.eq(lead.id))
            .order_by_desc(conversation::Column::Id)
            .into_tuple()
            .one(&self.store.db)
            .await?;
        let at = now();
        let id = new_id();
        let booked = calendar_event::Model {
            id,
            org_id: self.org_id,
            conversation_id,
            contact_id: lead.id,
            action_id: None,
            kind: e.kind,
            status: EventStatus::Booked,
            title: e.title,
            start_at: Some(e.starts_at),
            end_at: Some(e.ends_at),
            created_by: Some(actor.user_id),
            created_at: at,
            updated_at: at,
        };
        let txn = self.store.begin_write().await?;
        calendar_event::Entity::insert(calendar_event::ActiveModel::from(booked.clone()))
            .exec_without_returning(&*txn)
            .await?;
        log_on_timeline(
            &*txn,
            self.org_id,
            &booked,
            ActivityKind::CalendarBooked,
            Some(actor),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        self.calendar_event(id).await
    }

    /// A member moves, cancels or completes an event. The change is made whatever happens
    /// next; the lead is told of a move or a cancellation if the send policy lets a person
    /// write to them now, and the booking action follows (resolved when done or cancelled,
    /// due at the new start when moved).
    pub async fn change_calendar_event(
        &self,
        actor: &Actor,
        id: Uuid,
        change: EventChange,
    ) -> Result<EventChanged> {
        let tz = calendar::zone(self.details().await?.profile.timezone.as_deref());
        let txn = self.store.begin_write().await?;
        let row = self.calendar_event_row(&*txn, id).await?;
        let outcome = change_event(row.status, row.start_at.is_some(), change)
            .map_err(StoreError::Calendar)?;
        let at = now();
        let mut update = calendar_event::ActiveModel {
            status: Set(outcome.status),
            updated_at: Set(at),
            ..Default::default()
        };
        if let EventChange::Move(start) = change {
            update.start_at = Set(Some(start));
            update.end_at = Set(Some(moved_end(row.start_at, row.end_at, start)));
        }
        // Only if nobody changed it since it was read: two members cancelling at once tell
        // the lead once, and the second is refused.
        let changed = calendar_event::Entity::update_many()
            .set(update)
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::Id.eq(row.id))
            .filter(calendar_event::Column::Status.eq(row.status))
            .filter(calendar_event::Column::UpdatedAt.eq(row.updated_at))
            .exec(&*txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(StoreError::Calendar(EventRefusal::Closed));
        }
        let logged = match change {
            EventChange::Move(start) => Some((
                ActivityKind::CalendarRescheduled,
                serde_json::json!({ "from": row.start_at, "to": start }),
            )),
            EventChange::Cancel => Some((ActivityKind::CalendarCancelled, serde_json::json!({}))),
            EventChange::Done => None,
        };
        if let Some((kind, extra)) = logged {
            log_on_timeline(&*txn, self.org_id, &row, kind, Some(actor), extra).await?;
        }
        let action = self
            .follow_booking_action(&*txn, actor, &row, change, at)
            .await?;
        let notice = match outcome.tell_lead {
            true => Some(self.tell_lead(&txn, actor, &row, change, tz).await?),
            false => None,
        };
        txn.commit().await?;
        Ok(EventChanged {
            event: self.calendar_event(id).await?,
            notice,
            action,
        })
    }

    /// The message about a change, queued through the send path if a person may write now.
    async fn tell_lead(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        actor: &Actor,
        row: &calendar_event::Model,
        change: EventChange,
        tz: chrono_tz::Tz,
    ) -> Result<LeadNotice> {
        let Some(conversation_id) = row.conversation_id else {
            return Ok(LeadNotice::NoConversation);
        };
        let conv = self.conversation_row(txn, conversation_id).await?;
        let lead = self.contact_row(txn, conv.contact_id).await?;
        if let Err(refused) = person_may_write(&conv, &lead) {
            return Ok(LeadNotice::Refused {
                rule: refused.rule,
                detail: refused.detail,
            });
        }
        let text = lead_notice(row.kind, change, row.start_at, tz);
        let message = self
            .queue_outbound(
                txn,
                &conv,
                Author::Human,
                Some(actor.user_id),
                &text,
                OutboundBody::Text,
            )
            .await?;
        Ok(LeadNotice::Told {
            message_id: message.id,
        })
    }

    /// The booking action behind an agent's booking: due at the new start, or resolved.
    async fn follow_booking_action(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
        row: &calendar_event::Model,
        change: EventChange,
        at: DateTime<Utc>,
    ) -> Result<Option<(Uuid, ActionStatus)>> {
        let Some(action_id) = row.action_id else {
            return Ok(None);
        };
        let mut update = action::ActiveModel::default();
        let status = match change {
            EventChange::Move(start) => {
                update.due_at = Set(Some(start));
                None
            }
            EventChange::Cancel | EventChange::Done => {
                update.status = Set(ActionStatus::Resolved);
                update.resolved_by = Set(Some(actor.user_id));
                update.resolved_at = Set(Some(at));
                update.snoozed_until = Set(None);
                update.outcome = Set(Some(match change {
                    EventChange::Done => format!("The {} took place.", row.kind.noun()),
                    _ => format!("The {} was cancelled.", row.kind.noun()),
                }));
                Some(ActionStatus::Resolved)
            }
        };
        let mut q = action::Entity::update_many()
            .set(update)
            .filter(action::Column::OrgId.eq(self.org_id))
            .filter(action::Column::Id.eq(action_id));
        if status.is_some() {
            q = q.filter(action::Column::Status.ne(ActionStatus::Resolved));
        }
        let changed = q.exec(db).await?.rows_affected == 1;
        if !changed {
            return Ok(None);
        }
        let status = match status {
            Some(s) => s,
            None => action::Entity::find_by_id(action_id)
                .one(db)
                .await?
                .map(|a| a.status)
                .ok_or(StoreError::NotFound)?,
        };
        Ok(Some((action_id, status)))
    }

    /// Replaces the member's feed token (the old URL stops working at once).
    pub async fn set_calendar_feed(&self, user_id: Uuid, token_hash: String) -> Result<()> {
        calendar_feed::Entity::insert(calendar_feed::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            user_id: Set(user_id),
            token_hash: Set(token_hash),
            created_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([calendar_feed::Column::OrgId, calendar_feed::Column::UserId])
                .update_columns([
                    calendar_feed::Column::TokenHash,
                    calendar_feed::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.store.db)
        .await?;
        Ok(())
    }

    /// When the member's current feed URL was made, if they have one.
    pub async fn calendar_feed_since(&self, user_id: Uuid) -> Result<Option<DateTime<Utc>>> {
        Ok(calendar_feed::Entity::find()
            .filter(calendar_feed::Column::OrgId.eq(self.org_id))
            .filter(calendar_feed::Column::UserId.eq(user_id))
            .one(&self.store.db)
            .await?
            .map(|f| f.created_at))
    }

    async fn calendar_events(
        &self,
        rows: Vec<calendar_event::Model>,
    ) -> Result<Vec<CalendarEvent>> {
        let mut lead_ids: Vec<Uuid> = rows.iter().map(|r| r.contact_id).collect();
        lead_ids.sort_unstable();
        lead_ids.dedup();
        let contacts: HashMap<Uuid, ContactRef> = self.contacts_by_id(lead_ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| CalendarEvent {
                id: r.id,
                kind: r.kind,
                status: r.status,
                title: r.title,
                starts_at: r.start_at,
                ends_at: r.end_at,
                contact: contacts.get(&r.contact_id).cloned(),
                conversation_id: r.conversation_id,
                action_id: r.action_id,
                created_by: r.created_by,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
            .collect())
    }
}
