//! The action center: what the agent and the send path ask the team to do, in the order it
//! should be done (most urgent first, then oldest), and its life — claimed by a member,
//! snoozed until a time, resolved with an outcome (written to the lead's activity log).

use crate::activity::{self, NewActivity};
use crate::entities::{action, conversation, user};
use crate::error::{Result, StoreError};
use crate::inbox::ContactRef;
use crate::team::OrgScope;
use crate::{Actor, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::sales::{CtaType, EscalationPriority};
use closer_domain::work::{
    ActionChange, ActionKind, ActionRefusal, ActionStatus, may_change_action,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// As the team sees it now: a snooze that ran out counts as open.
    pub status: Option<ActionStatus>,
    pub kind: Option<ActionKind>,
    pub priority: Option<EscalationPriority>,
    pub limit: u64,
    /// The last item of the previous page.
    pub after: Option<ActionCursor>,
}

/// Where a page of the queue ends: (urgency, created_at, id), the queue's order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActionCursor {
    pub urgency: i32,
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

/// A member, by id and name (null when since removed).
#[derive(Debug, Clone)]
pub struct MemberRef {
    pub id: Uuid,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ActionItem {
    pub id: Uuid,
    pub kind: ActionKind,
    /// As the team sees it now.
    pub status: ActionStatus,
    pub priority: EscalationPriority,
    pub conversation_id: Uuid,
    pub contact: Option<ContactRef>,
    pub cta_type: Option<CtaType>,
    pub summary: String,
    pub details: Option<Value>,
    pub due_at: Option<DateTime<Utc>>,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub claimed_by: Option<MemberRef>,
    pub resolved_by: Option<MemberRef>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub cursor: ActionCursor,
}

/// A new action opened by the server (not by the agent's decision, which opens its own).
#[derive(Debug, Clone)]
pub struct NewAction {
    pub conversation_id: Uuid,
    pub kind: ActionKind,
    pub title: String,
    pub details: Value,
}

/// The status condition as read at `at`: an ended snooze is open, a running one snoozed.
fn status_condition(status: ActionStatus, at: DateTime<Utc>) -> Condition {
    let snoozed = action::Column::Status.eq(ActionStatus::Snoozed);
    match status {
        // Said as a status list (an index range on both databases) narrowed by the snooze,
        // rather than as an OR of statuses, which read every action of the organisation.
        ActionStatus::Open => Condition::all()
            .add(action::Column::Status.is_in([ActionStatus::Open, ActionStatus::Snoozed]))
            .add(
                Condition::any()
                    .add(action::Column::Status.eq(ActionStatus::Open))
                    .add(action::Column::SnoozedUntil.lte(at)),
            ),
        ActionStatus::Snoozed => Condition::all()
            .add(snoozed)
            .add(action::Column::SnoozedUntil.gt(at)),
        other => Condition::all().add(action::Column::Status.eq(other)),
    }
}

/// After `c` in the queue's order: less urgent, or as urgent and older-first after it.
fn after_condition(c: ActionCursor) -> Condition {
    Condition::any()
        .add(action::Column::Urgency.lt(c.urgency))
        .add(
            Condition::all()
                .add(action::Column::Urgency.eq(c.urgency))
                .add(action::Column::CreatedAt.gt(c.created_at)),
        )
        .add(
            Condition::all()
                .add(action::Column::Urgency.eq(c.urgency))
                .add(action::Column::CreatedAt.eq(c.created_at))
                .add(action::Column::Id.gt(c.id)),
        )
}

/// The row of an action the server opens.
pub(crate) fn new_row(org_id: Uuid, a: NewAction, at: DateTime<Utc>) -> action::Model {
    let priority = a.kind.priority();
    action::Model {
        id: new_id(),
        org_id,
        conversation_id: a.conversation_id,
        kind: a.kind,
        cta_type: None,
        priority,
        urgency: priority.rank().into(),
        title: a.title,
        details: Some(a.details),
        status: ActionStatus::Open,
        due_at: None,
        claimed_by: None,
        claimed_at: None,
        resolved_by: None,
        outcome: None,
        snoozed_until: None,
        created_at: at,
        resolved_at: None,
    }
}

impl OrgScope<'_> {
    /// The queue: most urgent first, then oldest. Returns one extra item when another page
    /// exists.
    pub async fn actions(&self, f: &ActionFilter) -> Result<Vec<ActionItem>> {
        let at = now();
        let mut q = action::Entity::find().filter(action::Column::OrgId.eq(self.org_id));
        if let Some(status) = f.status {
            q = q.filter(status_condition(status, at));
        }
        if let Some(kind) = f.kind {
            q = q.filter(action::Column::Kind.eq(kind));
        }
        if let Some(priority) = f.priority {
            q = q.filter(action::Column::Priority.eq(priority));
        }
        if let Some(c) = f.after {
            q = q.filter(after_condition(c));
        }
        let rows = q
            .order_by_desc(action::Column::Urgency)
            .order_by_asc(action::Column::CreatedAt)
            .order_by_asc(action::Column::Id)
            .limit(f.limit + 1)
            .all(&self.store.db)
            .await?;
        self.action_items(rows, at).await
    }

    /// Open actions by kind (an ended snooze counts as open).
    pub async fn open_action_counts(&self) -> Result<HashMap<ActionKind, u64>> {
        let rows: Vec<(ActionKind, i64)> = action::Entity::find()
            .select_only()
            .column(action::Column::Kind)
            .column_as(action::Column::Id.count(), "n")
            .filter(action::Column::OrgId.eq(self.org_id))
            .filter(status_condition(ActionStatus::Open, now()))
            .group_by(action::Column::Kind)
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(rows.into_iter().map(|(k, n)| (k, n as u64)).collect())
    }

    pub async fn action(&self, id: Uuid) -> Result<ActionItem> {
        let row = self.action_row(&self.store.db, id).await?;
        let mut items = self.action_items(vec![row], now()).await?;
        items.pop().ok_or(StoreError::NotFound)
    }

    async fn action_row(&self, db: &impl ConnectionTrait, id: Uuid) -> Result<action::Model> {
        action::Entity::find()
            .filter(action::Column::OrgId.eq(self.org_id))
            .filter(action::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A member's change: claim, resolve (with an outcome, written to the activity log) or
    /// snooze. Refused when the action is resolved, or claimed by someone else.
    pub async fn change_action(
        &self,
        actor: &Actor,
        id: Uuid,
        change: ActionChange,
        outcome: Option<String>,
    ) -> Result<ActionItem> {
        let txn = self.store.begin_write().await?;
        let row = self.action_row(&txn, id).await?;
        let at = now();
        let status = row.status.at(row.snoozed_until, at);
        may_change_action(status, row.claimed_by, actor.user_id, change, at)
            .map_err(StoreError::Action)?;
        let mut update = action::ActiveModel {
            id: Set(row.id),
            ..Default::default()
        };
        match change {
            ActionChange::Claim => {
                update.status = Set(ActionStatus::Claimed);
                update.claimed_by = Set(Some(actor.user_id));
                update.claimed_at = Set(Some(at));
                update.snoozed_until = Set(None);
            }
            ActionChange::Snooze(until) => {
                update.status = Set(ActionStatus::Snoozed);
                update.snoozed_until = Set(Some(until));
            }
            ActionChange::Resolve => {
                update.status = Set(ActionStatus::Resolved);
                update.resolved_by = Set(Some(actor.user_id));
                update.resolved_at = Set(Some(at));
                update.outcome = Set(outcome.clone());
                update.snoozed_until = Set(None);
                let conv = self.conversation_row(&txn, row.conversation_id).await?;
                let entry = NewActivity::on(
                    conv.contact_id,
                    row.conversation_id,
                    ActivityKind::ActionResolved,
                    ActivityActor::Member,
                    json!({
                        "action_id": row.id,
                        "kind": row.kind,
                        "summary": row.title,
                        "outcome": outcome,
                    }),
                );
                activity::append(&txn, self.org_id, vec![entry.by_member(actor.user_id)]).await?;
            }
        }
        // Only if nobody changed it since it was read: a second claim races to a refusal.
        let changed = action::Entity::update_many()
            .set(update)
            .filter(action::Column::OrgId.eq(self.org_id))
            .filter(action::Column::Id.eq(id))
            .filter(action::Column::Status.eq(row.status))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(StoreError::Action(ActionRefusal::ClaimedByAnother));
        }
        txn.commit().await?;
        self.action(id).await
    }

    /// Opens an action the server raised (a send that failed for good).
    pub async fn open_action(&self, a: NewAction) -> Result<Uuid> {
        let row = new_row(self.org_id, a, now());
        let id = row.id;
        action::Entity::insert(action::ActiveModel::from(row))
            .exec_without_returning(&self.store.db)
            .await?;
        Ok(id)
    }

    async fn action_items(
        &self,
        rows: Vec<action::Model>,
        at: DateTime<Utc>,
    ) -> Result<Vec<ActionItem>> {
        let conv_ids: Vec<Uuid> = rows.iter().map(|r| r.conversation_id).collect();
        let leads: HashMap<Uuid, Uuid> = if conv_ids.is_empty() {
            HashMap::new()
        } else {
            conversation::Entity::find()
                .select_only()
                .column(conversation::Column::Id)
                .column(conversation::Column::ContactId)
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::Id.is_in(conv_ids))
                .into_tuple()
                .all(&self.store.db)
                .await?
                .into_iter()
                .collect()
        };
        let contacts = self
            .contacts_by_id(leads.values().copied().collect())
            .await?;
        let member_ids: Vec<Uuid> = rows
            .iter()
            .flat_map(|r| [r.claimed_by, r.resolved_by])
            .flatten()
            .collect();
        let names = self.member_names(member_ids).await?;
        let member = |id: Option<Uuid>| {
            id.map(|id| MemberRef {
                id,
                name: names.get(&id).cloned(),
            })
        };
        Ok(rows
            .into_iter()
            .map(|r| ActionItem {
                id: r.id,
                kind: r.kind,
                status: r.status.at(r.snoozed_until, at),
                priority: r.priority,
                conversation_id: r.conversation_id,
                contact: leads
                    .get(&r.conversation_id)
                    .and_then(|c| contacts.get(c))
                    .cloned(),
                cta_type: r.cta_type,
                summary: r.title,
                details: r.details,
                due_at: r.due_at,
                snoozed_until: r.snoozed_until.filter(|u| *u > at),
                claimed_by: member(r.claimed_by),
                resolved_by: member(r.resolved_by),
                outcome: r.outcome,
                created_at: r.created_at,
                resolved_at: r.resolved_at,
                cursor: ActionCursor {
                    urgency: r.urgency,
                    created_at: r.created_at,
                    id: r.id,
                },
            })
            .collect())
    }

    /// Members' names by id, in this organisation.
    pub(crate) async fn member_names(&self, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(Uuid, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Name)
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(rows.into_iter().collect())
    }
}
