//! Follow-ups: one row per planned nudge, one pending per conversation, each executed by a
//! `followup_due` job. The planning rules live in `closer_agent::followup`; this module keeps
//! the rows, the settings and the jobs in step, each change in one transaction.

use crate::audit::{self, Actor};
use crate::entities::{contact, followup, followup_setting, job, message, org};
use crate::error::{Result, StoreError};
use crate::jobs::JobPayload;
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::followup::{
    FollowupKind, FollowupReason, FollowupSettings, FollowupStatus, FollowupStatusReason,
};
use closer_domain::messaging::{Author, ConversationMode, Direction};
use closer_domain::sales::ConversationStage;
use closer_domain::work::{JobKind, JobStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// A follow-up as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowupItem {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub contact_id: Uuid,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub kind: FollowupKind,
    pub step: i32,
    pub due_at: DateTime<Utc>,
    pub status: FollowupStatus,
    pub reason: FollowupReason,
    pub status_reason: Option<FollowupStatusReason>,
    pub template: Option<(Uuid, String)>,
    pub message_id: Option<Uuid>,
    pub decision_id: Option<Uuid>,
    pub forced: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A follow-up to schedule.
#[derive(Debug, Clone)]
pub struct NewFollowup {
    pub kind: FollowupKind,
    pub step: i32,
    pub due_at: DateTime<Utc>,
    pub reason: FollowupReason,
    pub template: Option<(Uuid, String)>,
}

/// What the planner needs to know about a conversation, read in one go.
#[derive(Debug, Clone)]
pub struct FollowupInputs {
    pub mode: ConversationMode,
    pub needs_human: bool,
    pub stage: ConversationStage,
    pub window_open_until: Option<DateTime<Utc>>,
    pub opted_out: bool,
    pub marketing_opt_out: bool,
    pub last_lead_message_at: Option<DateTime<Utc>>,
    pub sent_in_silence: u32,
    pub steps_sent_in_silence: u32,
    /// Messages from the business since the lead last wrote.
    pub unanswered: u32,
    /// The agent's memory (`ConversationState` JSON): response rate, intent, open offers.
    pub state: Option<Value>,
    pub org_timezone: Option<String>,
    pub lead_name: Option<String>,
}

/// What a state change came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Transition {
    Done(FollowupItem),
    /// The follow-up is no longer pending (it went, was skipped or cancelled meanwhile).
    NotPending(FollowupItem),
}

fn item(m: followup::Model, lead: Option<&contact::Model>) -> FollowupItem {
    FollowupItem {
        id: m.id,
        conversation_id: m.conversation_id,
        contact_id: m.contact_id,
        contact_name: lead.and_then(|c| c.name.clone().or(c.profile_name.clone())),
        contact_phone: lead.and_then(|c| c.phone.clone()),
        kind: m.kind,
        step: m.step,
        due_at: m.due_at,
        status: m.status,
        reason: m.reason,
        status_reason: m.status_reason,
        template: m
            .template_id
            .map(|id| (id, m.template_name.unwrap_or_default())),
        message_id: m.message_id,
        decision_id: m.decision_id,
        forced: m.forced,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Cancels the conversation's pending follow-up and its job, inside the caller's transaction
/// (the lead's message and the cancellation commit together). Returns the ids cancelled.
/// The lead wrote: the pending follow-up is void. One statement, because it runs for every
/// inbound message on the webhook path; its job, when due, finds it no longer pending and
/// ends there.
pub(crate) async fn void_when_leads_write(
    txn: &impl ConnectionTrait,
    org_ids: &[Uuid],
    conversation_ids: &[Uuid],
) -> Result<()> {
    followup::Entity::update_many()
        .filter(followup::Column::OrgId.is_in(org_ids.iter().copied()))
        .filter(followup::Column::ConversationId.is_in(conversation_ids.iter().copied()))
        .filter(followup::Column::Status.eq(FollowupStatus::Pending))
        .col_expr(
            followup::Column::Status,
            Expr::value(FollowupStatus::Cancelled),
        )
        .col_expr(
            followup::Column::StatusReason,
            Expr::value(FollowupStatusReason::LeadReplied),
        )
        .col_expr(followup::Column::UpdatedAt, Expr::value(now()))
        .exec(txn)
        .await?;
    Ok(())
}

pub(crate) async fn cancel_pending(
    txn: &impl ConnectionTrait,
    org_id: Uuid,
    conversation_id: Uuid,
    why: FollowupStatusReason,
) -> Result<Vec<Uuid>> {
    let pending: Vec<followup::Model> = followup::Entity::find()
        .filter(followup::Column::OrgId.eq(org_id))
        .filter(followup::Column::ConversationId.eq(conversation_id))
        .filter(followup::Column::Status.eq(FollowupStatus::Pending))
        .all(txn)
        .await?;
    if pending.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = pending.iter().map(|f| f.id).collect();
    let jobs: Vec<Uuid> = pending.iter().filter_map(|f| f.job_id).collect();
    let at = now();
    followup::Entity::update_many()
        .filter(followup::Column::OrgId.eq(org_id))
        .filter(followup::Column::Id.is_in(ids.clone()))
        .filter(followup::Column::Status.eq(FollowupStatus::Pending))
        .col_expr(
            followup::Column::Status,
            Expr::value(FollowupStatus::Cancelled),
        )
        .col_expr(followup::Column::StatusReason, Expr::value(why))
        .col_expr(followup::Column::UpdatedAt, Expr::value(at))
        .exec(txn)
        .await?;
    cancel_jobs(txn, org_id, jobs).await?;
    Ok(ids)
}

async fn cancel_jobs(txn: &impl ConnectionTrait, org_id: Uuid, jobs: Vec<Uuid>) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    job::Entity::update_many()
        .filter(job::Column::OrgId.eq(org_id))
        .filter(job::Column::Id.is_in(jobs))
        .filter(job::Column::Kind.eq(JobKind::FollowupDue))
        .filter(job::Column::Status.eq(JobStatus::Pending))
        .col_expr(job::Column::Status, Expr::value(JobStatus::Cancelled))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .exec(txn)
        .await?;
    Ok(())
}

impl Store {
    /// A follow-up for the worker, in its organisation.
    pub async fn followup_for_run(&self, org_id: Uuid, id: Uuid) -> Result<FollowupItem> {
        self.org(org_id).followup(id).await
    }
}

impl OrgScope<'_> {
    /// Which follow-up sent each of these messages (message id → follow-up id).
    pub(crate) async fn followups_of_messages(
        &self,
        messages: impl Iterator<Item = Uuid>,
    ) -> Result<std::collections::HashMap<Uuid, Uuid>> {
        let ids: Vec<Uuid> = messages.collect();
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let rows: Vec<(Uuid, Option<Uuid>)> = followup::Entity::find()
            .select_only()
            .column(followup::Column::Id)
            .column(followup::Column::MessageId)
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::MessageId.is_in(ids))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, message)| Some((message?, id)))
            .collect())
    }

    pub async fn followup_settings(&self) -> Result<FollowupSettings> {
        let row = followup_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?;
        // Unreadable settings stop follow-ups with an error: the defaults would nudge leads
        // of an owner who switched follow-ups off.
        crate::stored::or_default("follow-up settings", row.and_then(|r| r.settings))
    }

    /// Saves the settings (already validated); turning follow-ups off cancels every pending one.
    /// Returns the conversations whose follow-up was cancelled.
    pub async fn save_followup_settings(
        &self,
        actor: &Actor,
        settings: &FollowupSettings,
    ) -> Result<Vec<Uuid>> {
        let txn = self.store.begin_write().await?;
        let doc = serde_json::to_value(settings).unwrap_or_default();
        followup_setting::Entity::insert(followup_setting::ActiveModel {
            org_id: Set(self.org_id),
            settings: Set(Some(doc.clone())),
            updated_at: Set(now()),
        })
        .on_conflict(
            OnConflict::column(followup_setting::Column::OrgId)
                .update_columns([
                    followup_setting::Column::Settings,
                    followup_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;
        let mut cancelled = vec![];
        if !settings.enabled {
            let pending: Vec<(Uuid, Uuid)> = followup::Entity::find()
                .select_only()
                .column(followup::Column::Id)
                .column(followup::Column::ConversationId)
                .filter(followup::Column::OrgId.eq(self.org_id))
                .filter(followup::Column::Status.eq(FollowupStatus::Pending))
                .into_tuple()
                .all(&*txn)
                .await?;
            for (_, conv) in pending {
                cancel_pending(&*txn, self.org_id, conv, FollowupStatusReason::Disabled).await?;
                cancelled.push(conv);
            }
        }
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "settings.followups.update",
            "settings:followups".into(),
            doc,
        )
        .await?;
        txn.commit().await?;
        Ok(cancelled)
    }

    /// What the planner reads about one conversation.
    pub async fn followup_inputs(&self, conversation_id: Uuid) -> Result<FollowupInputs> {
        let db = &self.store.db;
        let conv = self.conversation_row(db, conversation_id).await?;
        let lead = self.contact_row(db, conv.contact_id).await?;
        let last_lead: Option<DateTime<Utc>> = message::Entity::find()
            .select_only()
            .column(message::Column::CreatedAt)
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Direction.eq(Direction::Inbound))
            .order_by_desc(message::Column::CreatedAt)
            .limit(1)
            .into_tuple()
            .one(db)
            .await?;
        let sent = || {
            let mut q = followup::Entity::find()
                .filter(followup::Column::OrgId.eq(self.org_id))
                .filter(followup::Column::ConversationId.eq(conversation_id))
                .filter(followup::Column::Status.eq(FollowupStatus::Sent));
            if let Some(at) = last_lead {
                q = q.filter(followup::Column::UpdatedAt.gt(at));
            }
            q
        };
        let sent_in_silence = sent().count(db).await? as u32;
        let steps_sent_in_silence = sent()
            .filter(followup::Column::Kind.eq(FollowupKind::Template))
            .count(db)
            .await? as u32;
        let mut ours = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Direction.eq(Direction::Outbound))
            // A private note was never sent: it is no message the lead left unanswered.
            .filter(message::Column::Author.ne(Author::Note));
        if let Some(at) = last_lead {
            ours = ours.filter(message::Column::CreatedAt.gt(at));
        }
        let unanswered = ours.count(db).await? as u32;
        let state = self.conversation_state(conversation_id).await?;
        let org_timezone = org::Entity::find_by_id(self.org_id)
            .one(db)
            .await?
            .and_then(|o| o.timezone);
        Ok(FollowupInputs {
            mode: conv.mode,
            needs_human: conv.needs_human,
            stage: conv.stage,
            window_open_until: conv.window_open_until,
            opted_out: lead.opted_out,
            marketing_opt_out: lead.marketing_opt_out,
            last_lead_message_at: last_lead,
            sent_in_silence,
            steps_sent_in_silence,
            unanswered,
            state,
            org_timezone,
            lead_name: lead.name.or(lead.profile_name),
        })
    }

    /// Puts `next` in place of the conversation's pending follow-up (cancelled with `why`),
    /// with its job, in one transaction. `None` only cancels.
    pub async fn replace_followup(
        &self,
        conversation_id: Uuid,
        next: Option<NewFollowup>,
        why: FollowupStatusReason,
        created_by: Option<&Actor>,
    ) -> Result<(Vec<Uuid>, Option<FollowupItem>)> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&*txn, conversation_id).await?;
        let cancelled = cancel_pending(&*txn, self.org_id, conversation_id, why).await?;
        let Some(next) = next else {
            txn.commit().await?;
            return Ok((cancelled, None));
        };
        let id = new_id();
        let job_id = crate::jobs::enqueue(
            &*txn,
            self.org_id,
            JobPayload::FollowupDue { followup_id: id },
            Some(conversation_id),
            next.due_at,
        )
        .await?;
        let at = now();
        let model = followup::Model {
            id,
            org_id: self.org_id,
            conversation_id,
            contact_id: conv.contact_id,
            kind: next.kind,
            step: next.step,
            due_at: next.due_at,
            status: FollowupStatus::Pending,
            reason: next.reason,
            status_reason: None,
            template_id: next.template.as_ref().map(|t| t.0),
            template_name: next.template.map(|t| t.1),
            message_id: None,
            decision_id: None,
            job_id: Some(job_id),
            forced: false,
            created_by: created_by.map(|a| a.user_id),
            created_at: at,
            updated_at: at,
        };
        followup::Entity::insert(followup::ActiveModel::from(model))
            .exec_without_returning(&*txn)
            .await?;
        if let Some(actor) = created_by {
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                "followup.create",
                format!("followup:{id}"),
                json!({ "conversation_id": conversation_id }),
            )
            .await?;
        }
        txn.commit().await?;
        let created = self.followup(id).await?;
        Ok((cancelled, Some(created)))
    }

    pub async fn followup(&self, id: Uuid) -> Result<FollowupItem> {
        let row = followup::Entity::find()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(self.with_contacts(vec![row]).await?.remove(0))
    }

    async fn with_contacts(&self, rows: Vec<followup::Model>) -> Result<Vec<FollowupItem>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.contact_id).collect();
        let leads: Vec<contact::Model> = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.is_in(ids))
            .all(&self.store.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let lead = leads.iter().find(|c| c.id == r.contact_id);
                item(r, lead)
            })
            .collect())
    }

    /// A conversation's follow-ups, newest first.
    pub async fn conversation_followups(&self, conversation_id: Uuid) -> Result<Vec<FollowupItem>> {
        self.conversation_row(&self.store.db, conversation_id)
            .await?;
        let rows = followup::Entity::find()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::ConversationId.eq(conversation_id))
            .order_by_desc(followup::Column::Id)
            .limit(200)
            .all(&self.store.db)
            .await?;
        self.with_contacts(rows).await
    }

    /// The organisation's follow-ups, soonest first.
    pub async fn followups(
        &self,
        status: Option<FollowupStatus>,
        conversation_id: Option<Uuid>,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u64,
    ) -> Result<Vec<FollowupItem>> {
        let mut q = followup::Entity::find().filter(followup::Column::OrgId.eq(self.org_id));
        if let Some((due, id)) = after {
            q = q.filter(
                Condition::any().add(followup::Column::DueAt.gt(due)).add(
                    Condition::all()
                        .add(followup::Column::DueAt.eq(due))
                        .add(followup::Column::Id.gt(id)),
                ),
            );
        }
        if let Some(s) = status {
            q = q.filter(followup::Column::Status.eq(s));
        }
        if let Some(c) = conversation_id {
            q = q.filter(followup::Column::ConversationId.eq(c));
        }
        let rows = q
            .order_by_asc(followup::Column::DueAt)
            .order_by_asc(followup::Column::Id)
            .limit(limit)
            .all(&self.store.db)
            .await?;
        self.with_contacts(rows).await
    }

    /// A person cancels a pending follow-up.
    pub async fn cancel_followup(&self, actor: &Actor, id: Uuid) -> Result<Transition> {
        let found = self.followup(id).await?;
        if found.status != FollowupStatus::Pending {
            return Ok(Transition::NotPending(found));
        }
        let txn = self.store.begin_write().await?;
        let r = followup::Entity::update_many()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::Id.eq(id))
            .filter(followup::Column::Status.eq(FollowupStatus::Pending))
            .col_expr(
                followup::Column::Status,
                Expr::value(FollowupStatus::Cancelled),
            )
            .col_expr(
                followup::Column::StatusReason,
                Expr::value(FollowupStatusReason::User),
            )
            .col_expr(followup::Column::UpdatedAt, Expr::value(now()))
            .exec(&*txn)
            .await?;
        if r.rows_affected == 1 {
            let job = followup::Entity::find_by_id(id)
                .one(&*txn)
                .await?
                .and_then(|f| f.job_id);
            cancel_jobs(&*txn, self.org_id, job.into_iter().collect()).await?;
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                "followup.cancel",
                format!("followup:{id}"),
                json!({ "conversation_id": found.conversation_id }),
            )
            .await?;
        }
        txn.commit().await?;
        let now_row = self.followup(id).await?;
        Ok(if r.rows_affected == 1 {
            Transition::Done(now_row)
        } else {
            Transition::NotPending(now_row)
        })
    }

    /// "Send now": due at once, past the timing rules; a fresh job so the worker takes it in
    /// seconds whatever the old one's time.
    pub async fn send_followup_now(&self, actor: &Actor, id: Uuid) -> Result<Transition> {
        let found = self.followup(id).await?;
        if found.status != FollowupStatus::Pending {
            return Ok(Transition::NotPending(found));
        }
        let txn = self.store.begin_write().await?;
        let old_job = followup::Entity::find_by_id(id)
            .one(&*txn)
            .await?
            .and_then(|f| f.job_id);
        let at = now();
        let job_id = crate::jobs::enqueue(
            &*txn,
            self.org_id,
            JobPayload::FollowupDue { followup_id: id },
            Some(found.conversation_id),
            at,
        )
        .await?;
        let r = followup::Entity::update_many()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::Id.eq(id))
            .filter(followup::Column::Status.eq(FollowupStatus::Pending))
            .col_expr(followup::Column::DueAt, Expr::value(at))
            .col_expr(followup::Column::Forced, Expr::value(true))
            .col_expr(followup::Column::JobId, Expr::value(job_id))
            .col_expr(followup::Column::UpdatedAt, Expr::value(at))
            .exec(&*txn)
            .await?;
        if r.rows_affected != 1 {
            drop(txn);
            return Ok(Transition::NotPending(self.followup(id).await?));
        }
        cancel_jobs(&*txn, self.org_id, old_job.into_iter().collect()).await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "followup.send_now",
            format!("followup:{id}"),
            json!({ "conversation_id": found.conversation_id }),
        )
        .await?;
        txn.commit().await?;
        Ok(Transition::Done(self.followup(id).await?))
    }

    /// A due follow-up waits for the end of the quiet hours: new time, new job.
    pub async fn postpone_followup(&self, id: Uuid, until: DateTime<Utc>) -> Result<()> {
        let found = self.followup(id).await?;
        let txn = self.store.begin_write().await?;
        let job_id = crate::jobs::enqueue(
            &*txn,
            self.org_id,
            JobPayload::FollowupDue { followup_id: id },
            Some(found.conversation_id),
            until,
        )
        .await?;
        followup::Entity::update_many()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::Id.eq(id))
            .filter(followup::Column::Status.eq(FollowupStatus::Pending))
            .col_expr(followup::Column::DueAt, Expr::value(until))
            .col_expr(followup::Column::JobId, Expr::value(job_id))
            .col_expr(followup::Column::UpdatedAt, Expr::value(now()))
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records how a due follow-up ended; false when it was no longer pending.
    pub async fn finish_followup(
        &self,
        id: Uuid,
        status: FollowupStatus,
        why: Option<FollowupStatusReason>,
        message_id: Option<Uuid>,
        decision_id: Option<Uuid>,
    ) -> Result<bool> {
        let r = followup::Entity::update_many()
            .filter(followup::Column::OrgId.eq(self.org_id))
            .filter(followup::Column::Id.eq(id))
            .filter(followup::Column::Status.eq(FollowupStatus::Pending))
            .col_expr(followup::Column::Status, Expr::value(status))
            .col_expr(followup::Column::StatusReason, Expr::value(why))
            .col_expr(followup::Column::MessageId, Expr::value(message_id))
            .col_expr(followup::Column::DecisionId, Expr::value(decision_id))
            .col_expr(followup::Column::UpdatedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}
