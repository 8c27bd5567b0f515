//! Reading conversations and their messages for the inbox.

use crate::entities::{contact, conversation, message};
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use closer_domain::conversation_rules::{self, ConversationFacts, InboxSort};
use closer_domain::messaging::{
    Author, Channel, ConversationMode, DeliveryStatus, Direction, MessageType, ServiceWindow,
};
use closer_domain::pricing::{MessageCost, MessagePricing};
use closer_domain::sales::{ConversationStage, EscalationPriority, LeadSource, LeadStatus};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub mode: Option<ConversationMode>,
    pub channel: Option<Channel>,
    pub stage: Option<ConversationStage>,
    pub lead_status: Option<LeadStatus>,
    /// How the lead found the business.
    pub source: Option<LeadSource>,
    /// The priority of the request for a person.
    pub priority: Option<EscalationPriority>,
    pub needs_human: Option<bool>,
    pub unread: Option<bool>,
    /// Matches the lead's name or phone.
    pub q: Option<String>,
    /// `Some(None)`: nobody's; `Some(Some(id))`: that member's.
    pub assignee: Option<Option<Uuid>>,
    pub sort: InboxSort,
    pub limit: u64,
    /// The last item of the previous page, in `sort`'s order.
    pub after: Option<InboxCursor>,
}

/// Where a page of the inbox ends, in its sort's order: a group (the priority's rank for
/// `priority`, whether the lead waits for `waiting`; 0 for `recent`), a time (the last
/// activity; when the lead started waiting for `waiting`) and the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxCursor {
    pub group: i32,
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

/// The priority's rank as SQL (`EscalationPriority::rank`; -1 when nobody asked for a person),
/// written exactly as the `ix_conversations_org_priority` index (m0019) spells it so the
/// databases read the order from the index.
const PRIORITY_RANK: &str = "CASE priority WHEN 'critical' THEN 3 WHEN 'high' THEN 2 \
     WHEN 'medium' THEN 1 WHEN 'low' THEN 0 ELSE -1 END";
/// `conversation_rules::is_waiting` as SQL (1 when the lead wrote last in an open
/// conversation), as the `ix_conversations_org_waiting` index spells it.
const WAITING: &str =
    "CASE WHEN last_message_direction = 'in' AND mode <> 'closed' THEN 1 ELSE 0 END";
/// Since when the lead waits: their last message (a conversation without messages: its start).
const WAITING_SINCE: &str = "COALESCE(last_message_at, created_at)";

#[derive(Debug, Clone)]
pub struct ContactRef {
    pub id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub lead_status: LeadStatus,
    pub lead_source: LeadSource,
    pub campaign: Option<Value>,
    /// The lead said stop: nobody may message them.
    pub opted_out: bool,
    /// The lead stopped promotions: no marketing templates.
    pub marketing_opt_out: bool,
    /// When a member erased the lead's personal data.
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct ConversationItem {
    pub id: Uuid,
    pub contact: ContactRef,
    pub channel: Channel,
    pub mode: ConversationMode,
    pub stage: ConversationStage,
    pub needs_human: bool,
    pub priority: Option<EscalationPriority>,
    pub unread_count: i32,
    pub window_open_until: Option<DateTime<Utc>>,
    pub last_message_at: Option<DateTime<Utc>>,
    pub last_message_text: Option<String>,
    pub last_message_direction: Option<Direction>,
    pub last_message_author: Option<Author>,
    /// The member the conversation is assigned to.
    pub assigned_user_id: Option<Uuid>,
    /// The broadcast the conversation came from or answered (its latest).
    pub broadcast: Option<closer_domain::campaigns::BroadcastRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ConversationItem {
    /// The lead wrote last and nobody answered yet.
    pub fn waiting(&self) -> bool {
        conversation_rules::is_waiting(self.mode, self.last_message_direction)
    }

    /// This item's place in the inbox sorted by `sort`.
    pub fn cursor(&self, sort: InboxSort) -> InboxCursor {
        let (group, at) = match sort {
            InboxSort::Recent => (0, self.updated_at),
            InboxSort::Priority => (
                self.priority.map_or(-1, |p| i32::from(p.rank())),
                self.updated_at,
            ),
            InboxSort::Waiting => (
                i32::from(self.waiting()),
                self.last_message_at.unwrap_or(self.created_at),
            ),
        };
        InboxCursor {
            group,
            at,
            id: self.id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MessageItem {
    pub id: Uuid,
    pub direction: Direction,
    pub author: Author,
    pub kind: MessageType,
    pub text: Option<String>,
    pub media: Option<Value>,
    pub status: DeliveryStatus,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    pub provider_message_id: Option<String>,
    pub reply_to: Option<String>,
    pub edited: bool,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
    /// The team member who wrote it (human replies), with their name when known.
    pub sent_by: Option<(Uuid, Option<String>)>,
    /// Meta's pricing from the status webhooks, and what it cost by the rate card.
    pub pricing: Option<MessagePricing>,
    pub cost: Option<MessageCost>,
    /// The follow-up that sent it, for follow-up messages.
    pub followup_id: Option<Uuid>,
}

impl TryFrom<message::Model> for MessageItem {
    type Error = crate::StoreError;
    fn try_from(m: message::Model) -> Result<Self> {
        let (pricing, cost) = crate::pricing::stored_pricing(&m)?;
        Ok(MessageItem {
            pricing,
            cost,
            followup_id: None,
            id: m.id,
            direction: m.direction,
            author: m.author,
            kind: m.kind,
            text: m.text,
            media: m.media,
            status: m.status,
            error_code: m.error_code,
            error_title: m.error_title,
            provider_message_id: m.provider_message_id,
            reply_to: m.reply_to,
            edited: m.edited_at.is_some(),
            deleted: m.deleted_at.is_some(),
            created_at: m.created_at,
            sent_by: m.sent_by.map(|id| (id, None)),
        })
    }
}

impl From<crate::entities::lead::Model> for ContactRef {
    fn from(c: crate::entities::lead::Model) -> Self {
        ContactRef {
            id: c.id,
            name: c.name.or(c.profile_name),
            phone: c.phone,
            lead_status: c.lead_status,
            lead_source: c.lead_source,
            campaign: c.campaign,
            opted_out: c.opted_out,
            marketing_opt_out: c.marketing_opt_out,
            erased_at: c.erased_at,
        }
    }
}

/// A conversation's service window as the domain rules read it.
pub(crate) fn window_of(c: &conversation::Model) -> ServiceWindow {
    ServiceWindow {
        open_until: c.window_open_until.map(|u| u.timestamp()),
    }
}

/// A window's end as the column stores it.
pub(crate) fn window_end(w: ServiceWindow) -> Option<DateTime<Utc>> {
    w.open_until.and_then(|s| DateTime::from_timestamp(s, 0))
}

/// The conversation as the conversation rules see it. The lead's status and opt-out live on
/// the contact: callers that need them fill them in.
pub(crate) fn facts_of(c: &conversation::Model) -> ConversationFacts {
    ConversationFacts {
        mode: c.mode,
        stage: c.stage,
        lead_status: LeadStatus::New,
        opted_out: false,
        window: window_of(c),
        last_message_at: c.last_message_at,
    }
}

fn item(c: conversation::Model, contact: ContactRef) -> Result<ConversationItem> {
    Ok(ConversationItem {
        id: c.id,
        contact,
        channel: c.channel,
        mode: c.mode,
        stage: c.stage,
        needs_human: c.needs_human,
        priority: c.priority,
        unread_count: c.unread_count,
        window_open_until: c.window_open_until,
        last_message_at: c.last_message_at,
        last_message_text: c.last_message_text,
        last_message_direction: c.last_message_direction,
        last_message_author: c.last_message_author,
        assigned_user_id: c.assigned_user_id,
        broadcast: crate::stored::optional("broadcast of a conversation", c.broadcast)?,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// The order of `sort`, and the condition "after `c`" in it.
fn sort_order(
    q: sea_orm::Select<conversation::Entity>,
    sort: InboxSort,
    after: Option<InboxCursor>,
) -> sea_orm::Select<conversation::Entity> {
    use conversation::Column as C;
    use sea_orm::Order::{Asc, Desc};
    let (group, time, ascending) = match sort {
        InboxSort::Recent => (None, Expr::col(C::UpdatedAt), false),
        InboxSort::Priority => (
            Some(Expr::cust(PRIORITY_RANK)),
            Expr::col(C::UpdatedAt),
            false,
        ),
        InboxSort::Waiting => (Some(Expr::cust(WAITING)), Expr::cust(WAITING_SINCE), true),
    };
    let mut q = q;
    if let Some(c) = after {
        // Groups always run from the highest down; within one, time and id run one way.
        let later = |e: Expr, v: sea_orm::Value| if ascending { e.gt(v) } else { e.lt(v) };
        let within = Condition::any().add(later(time.clone(), c.at.into())).add(
            Condition::all()
                .add(time.clone().eq(c.at))
                .add(later(Expr::col(C::Id), c.id.into())),
        );
        q = q.filter(match &group {
            None => within,
            Some(g) => Condition::any()
                .add(g.clone().lt(c.group))
                .add(Condition::all().add(g.clone().eq(c.group)).add(within)),
        });
    }
    if let Some(g) = group {
        q = q.order_by(g, Desc);
    }
    let way = if ascending { Asc } else { Desc };
    q.order_by(time, way.clone()).order_by(C::Id, way)
}

impl OrgScope<'_> {
    /// The inbox in `f.sort`'s order. Returns one extra row when another page exists.
    pub async fn conversations(&self, f: &InboxFilter) -> Result<Vec<ConversationItem>> {
        let mut q =
            conversation::Entity::find().filter(conversation::Column::OrgId.eq(self.org_id));
        if let Some(mode) = &f.mode {
            q = q.filter(conversation::Column::Mode.eq(*mode));
        }
        if let Some(channel) = &f.channel {
            q = q.filter(conversation::Column::Channel.eq(*channel));
        }
        if let Some(stage) = f.stage {
            q = q.filter(conversation::Column::Stage.eq(stage));
        }
        if let Some(priority) = f.priority {
            q = q.filter(conversation::Column::Priority.eq(priority));
        }
        // The lead's status and source live on the lead.
        let lead_facts = [
            f.lead_status
                .map(|s| Expr::col(contact::Column::LeadStatus).eq(s.as_str())),
            f.source
                .map(|s| Expr::col(contact::Column::LeadSource).eq(s.as_str())),
        ];
        for condition in lead_facts.into_iter().flatten() {
            let matching = Query::select()
                .column(contact::Column::Id)
                .from(contact::Entity)
                .and_where(Expr::col(contact::Column::OrgId).eq(self.org_id))
                .and_where(condition)
                .to_owned();
            q = q.filter(conversation::Column::ContactId.in_subquery(matching));
        }
        if let Some(nh) = f.needs_human {
            q = q.filter(conversation::Column::NeedsHuman.eq(nh));
        }
        match f.assignee {
            Some(Some(user_id)) => q = q.filter(conversation::Column::AssignedUserId.eq(user_id)),
            Some(None) => q = q.filter(conversation::Column::AssignedUserId.is_null()),
            None => {}
        }
        match f.unread {
            Some(true) => q = q.filter(conversation::Column::UnreadCount.gt(0)),
            Some(false) => q = q.filter(conversation::Column::UnreadCount.eq(0)),
            None => {}
        }
        if let Some(text) = f.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
            let matching = Query::select()
                .column(contact::Column::Id)
                .from(contact::Entity)
                .and_where(Expr::col(contact::Column::OrgId).eq(self.org_id))
                .cond_where(
                    Condition::any()
                        .add(
                            Expr::expr(Func::lower(Expr::col(contact::Column::Name)))
                                .like(pattern.clone()),
                        )
                        .add(
                            Expr::expr(Func::lower(Expr::col(contact::Column::ProfileName)))
                                .like(pattern.clone()),
                        )
                        .add(Expr::col(contact::Column::Phone).like(pattern)),
                )
                .to_owned();
            q = q.filter(conversation::Column::ContactId.in_subquery(matching));
        }
        let rows = sort_order(q, f.sort, f.after)
            .limit(f.limit + 1)
            .all(&self.store.db)
            .await?;
        let contacts = self
            .contacts_by_id(rows.iter().map(|c| c.contact_id).collect())
            .await?;
        rows.into_iter()
            .filter_map(|c| {
                let contact = contacts.get(&c.contact_id)?.clone();
                Some(item(c, contact))
            })
            .collect()
    }

    pub(crate) async fn contacts_by_id(&self, ids: Vec<Uuid>) -> Result<HashMap<Uuid, ContactRef>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        use crate::entities::lead;
        Ok(lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::Id.is_in(ids))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|c| (c.id, ContactRef::from(c)))
            .collect())
    }

    /// The conversation's row, in this organisation; `NotFound` otherwise.
    pub(crate) async fn conversation_row(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<conversation::Model> {
        conversation::Entity::find()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub(crate) async fn contact_row(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<contact::Model> {
        contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn conversation(&self, id: Uuid) -> Result<ConversationItem> {
        let c = self.conversation_row(&self.store.db, id).await?;
        let contact = self
            .contacts_by_id(vec![c.contact_id])
            .await?
            .remove(&c.contact_id)
            .ok_or(StoreError::NotFound)?;
        item(c, contact)
    }

    /// Messages older than `before` (a message id), newest first, `limit + 1` rows.
    pub async fn messages(
        &self,
        conversation_id: Uuid,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<MessageItem>> {
        self.conversation_row(&self.store.db, conversation_id)
            .await?;
        let mut q = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id));
        if let Some(b) = before {
            q = q.filter(message::Column::Id.lt(b));
        }
        let rows = q
            .order_by_desc(message::Column::Id)
            .limit(limit + 1)
            .all(&self.store.db)
            .await?;
        let names = self
            .user_names(rows.iter().filter_map(|m| m.sent_by))
            .await?;
        let followups = self
            .followups_of_messages(rows.iter().map(|m| m.id))
            .await?;
        rows.into_iter()
            .map(|m| {
                let mut item = MessageItem::try_from(m)?;
                if let Some((id, name)) = &mut item.sent_by {
                    *name = names.get(id).cloned();
                }
                item.followup_id = followups.get(&item.id).copied();
                Ok(item)
            })
            .collect()
    }
}
