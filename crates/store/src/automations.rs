//! Automations: rules, their runs, the per-conversation cap, and the door events come in by.
//!
//! Events are the activity log's entries ([`raise`] is called by `activity::append_across`, in
//! the transaction of the change): an entry an organisation has an enabled rule for becomes an
//! `automation_event` job in the same transaction, so the job exists exactly when the change
//! does, survives restarts and runs once on one replica. Which organisations have rules for
//! which events is remembered per process for a few seconds ([`RuleCache`]), so the webhook
//! ingest path pays nothing for organisations without automations.

use crate::activity::ActivityEntry;
use crate::audit::{self, Actor};
use crate::entities::{
    activity as activity_row, automation, automation_run, automation_setting, contact,
    conversation, job, lead_note, lead_tag, message, pipeline_stage, stage_history, tag, user,
};
use crate::error::{Result, StoreError};
use crate::jobs::JobPayload;
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::automation::{
    ActionResult, AutomationEvent, CancelOn, ConditionResult, DEFAULT_MAX_RUNS_PER_HOUR, Fact,
    Facts, Rule, RunReason, RunStatus,
};
use closer_domain::leads::CustomFieldType;
use closer_domain::messaging::{ConversationMode, Direction};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;
use uuid::Uuid;

/// A rule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AutomationRecord {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub event: AutomationEvent,
    pub event_params: Value,
    pub conditions: Value,
    pub actions: Value,
    pub delay_seconds: u32,
    pub cancel_on: CancelOn,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<automation::Model> for AutomationRecord {
    fn from(m: automation::Model) -> Self {
        AutomationRecord {
            id: m.id,
            name: m.name,
            enabled: m.enabled,
            event: m.event,
            event_params: m.event_params.unwrap_or_else(|| json!({})),
            conditions: m.conditions.unwrap_or_else(|| json!([])),
            actions: m.actions.unwrap_or_else(|| json!([])),
            delay_seconds: m.delay_seconds.max(0) as u32,
            cancel_on: m.cancel_on,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl AutomationRecord {
    /// The stored rule as a document [`closer_domain::automation::parse_rule`] reads.
    pub fn document(&self) -> Value {
        json!({
            "event": self.event,
            "event_params": self.event_params,
            "conditions": self.conditions,
            "actions": self.actions,
            "delay_seconds": self.delay_seconds,
            "cancel_on": self.cancel_on,
        })
    }
}

/// A rule to store: its name, whether it is on, and the checked rule.
#[derive(Debug, Clone)]
pub struct AutomationInput {
    pub name: String,
    pub enabled: bool,
    pub rule: Rule,
}

/// One firing of a rule, as the run log shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub id: Uuid,
    pub rule_id: Uuid,
    pub event: AutomationEvent,
    pub trigger_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub status: RunStatus,
    pub reason: Option<RunReason>,
    pub conditions: Value,
    pub actions: Value,
    pub event_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<automation_run::Model> for RunRecord {
    fn from(m: automation_run::Model) -> Self {
        RunRecord {
            id: m.id,
            rule_id: m.rule_id,
            event: m.event,
            trigger_id: m.trigger_id,
            conversation_id: m.conversation_id,
            lead_id: m.lead_id,
            status: m.status,
            reason: m.reason,
            conditions: m.conditions.unwrap_or_else(|| json!([])),
            actions: m.actions.unwrap_or_else(|| json!([])),
            event_at: m.event_at,
            due_at: m.due_at,
            created_at: m.created_at,
        }
    }
}

/// Which runs a list shows.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub rule_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub status: Option<RunStatus>,
}

/// A run to record.
#[derive(Debug, Clone)]
pub struct NewRun {
    pub rule_id: Uuid,
    pub event: AutomationEvent,
    pub trigger_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub status: RunStatus,
    pub reason: Option<RunReason>,
    pub conditions: Vec<ConditionResult>,
    pub event_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
}

/// The event behind an `automation_event` job, read back from the activity log.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub id: Uuid,
    pub event: AutomationEvent,
    pub at: DateTime<Utc>,
    /// An automation's own action caused it: rules do not fire on it.
    pub caused_by_rule: bool,
    pub lead_id: Option<Uuid>,
    pub conversation_id: Option<Uuid>,
    pub payload: Value,
}

/// The automation event an activity-log entry is, if any. A message we sent starts the
/// clock of `no_reply_for`.
pub fn event_of(kind: ActivityKind) -> Option<AutomationEvent> {
    use AutomationEvent as E;
    Some(match kind {
        ActivityKind::MessageReceived => E::MessageReceived,
        ActivityKind::ConversationCreated => E::ConversationCreated,
        ActivityKind::LeadCreated => E::LeadCreated,
        ActivityKind::LeadUpdated => E::LeadUpdated,
        ActivityKind::TagAdded => E::TagAdded,
        ActivityKind::LeadMoved => E::StageChanged,
        ActivityKind::CtaAccepted => E::CtaAccepted,
        ActivityKind::HandoffRequested => E::Handoff,
        ActivityKind::MessageSent => E::NoReplyFor,
        ActivityKind::CampaignReplied => E::CampaignReplied,
        _ => return None,
    })
}

// ----- the per-process cache of enabled rules -----

/// What an organisation's enabled rules react to.
#[derive(Debug, Default)]
struct OrgRules {
    events: Vec<AutomationEvent>,
    /// `no_reply_for` rules and their periods: each gets its own timer job.
    no_reply: Vec<(Uuid, u32)>,
}

const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// Organisation → its enabled rules' events, as this process last read them. A change made
/// in this process forgets the organisation at once; one made on another replica is seen
/// within [`FRESH_FOR`].
type RuleCache = Mutex<HashMap<Uuid, (Instant, Arc<OrgRules>)>>;

fn cache() -> &'static RuleCache {
    static CACHE: OnceLock<RuleCache> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn forget(org_id: Uuid) {
    cache().lock().expect("rule cache").remove(&org_id);
}

async fn org_rules(
    db: &impl ConnectionTrait,
    orgs: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Arc<OrgRules>>> {
    let mut found = HashMap::new();
    let mut missing = vec![];
    {
        let c = cache().lock().expect("rule cache");
        for org in orgs {
            match c.get(&org) {
                Some((at, rules)) if at.elapsed() < FRESH_FOR => {
                    found.insert(org, Arc::clone(rules));
                }
                _ => missing.push(org),
            }
        }
    }
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Ok(found);
    }
    let rows: Vec<(Uuid, Uuid, AutomationEvent, Option<Value>)> = automation::Entity::find()
        .select_only()
        .column(automation::Column::OrgId)
        .column(automation::Column::Id)
        .column(automation::Column::Event)
        .column(automation::Column::EventParams)
        .filter(automation::Column::OrgId.is_in(missing.clone()))
        .filter(automation::Column::Enabled.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let mut built: HashMap<Uuid, OrgRules> =
        missing.iter().map(|o| (*o, OrgRules::default())).collect();
    for (org, id, event, params) in rows {
        let r = built.entry(org).or_default();
        if !r.events.contains(&event) {
            r.events.push(event);
        }
        if event == AutomationEvent::NoReplyFor {
            let secs = params
                .as_ref()
                .and_then(|p| p.get("seconds"))
                .and_then(Value::as_u64)
                .unwrap_or(3600) as u32;
            r.no_reply.push((id, secs));
        }
    }
    let mut c = cache().lock().expect("rule cache");
    let at = Instant::now();
    for (org, rules) in built {
        let rules = Arc::new(rules);
        c.insert(org, (at, Arc::clone(&rules)));
        found.insert(org, rules);
    }
    Ok(found)
}

/// Called with every batch of activity-log entries, in their transaction: those an
/// organisation has an enabled rule for become `automation_event` jobs (one statement).
pub(crate) async fn raise(
    db: &impl ConnectionTrait,
    entries: &[(Uuid, activity_row::Model)],
) -> Result<()> {
    let candidates: Vec<(&Uuid, &activity_row::Model, AutomationEvent)> = entries
        .iter()
        .filter(|(_, e)| e.contact_id.is_some())
        .filter_map(|(org, e)| event_of(e.kind).map(|ev| (org, e, ev)))
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let rules = org_rules(db, candidates.iter().map(|(o, _, _)| **o)).await?;
    let at = now();
    let mut jobs = vec![];
    for (org, entry, event) in candidates {
        let Some(r) = rules.get(org).filter(|r| r.events.contains(&event)) else {
            continue;
        };
        let job_for = |rule_id: Option<Uuid>, run_at: DateTime<Utc>| {
            crate::jobs::new_job(
                *org,
                JobPayload::AutomationEvent {
                    activity_id: entry.id,
                    rule_id,
                },
                entry.conversation_id,
                run_at,
            )
        };
        let caused_by_rule = entry.actor == ActivityActor::Automation;
        if event == AutomationEvent::NoReplyFor && !caused_by_rule {
            for (rule_id, secs) in &r.no_reply {
                jobs.push(job_for(
                    Some(*rule_id),
                    at + Duration::seconds(i64::from(*secs)),
                ));
            }
        } else {
            jobs.push(job_for(None, at));
        }
    }
    if !jobs.is_empty() {
        job::Entity::insert_many(jobs)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

// ----- rules -----

impl OrgScope<'_> {
    async fn automation_row(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<automation::Model> {
        automation::Entity::find()
            .filter(automation::Column::OrgId.eq(self.org_id))
            .filter(automation::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Every rule, oldest first.
    pub async fn automations(&self) -> Result<Vec<AutomationRecord>> {
        Ok(automation::Entity::find()
            .filter(automation::Column::OrgId.eq(self.org_id))
            .order_by_asc(automation::Column::Id)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(AutomationRecord::from)
            .collect())
    }

    pub async fn automation(&self, id: Uuid) -> Result<AutomationRecord> {
        Ok(self.automation_row(&self.store.db, id).await?.into())
    }

    /// The enabled rules for `event` (one rule only when `rule_id` names it).
    pub async fn enabled_automations(
        &self,
        event: AutomationEvent,
        rule_id: Option<Uuid>,
    ) -> Result<Vec<AutomationRecord>> {
        let mut q = automation::Entity::find()
            .filter(automation::Column::OrgId.eq(self.org_id))
            .filter(automation::Column::Event.eq(event))
            .filter(automation::Column::Enabled.eq(true));
        if let Some(id) = rule_id {
            q = q.filter(automation::Column::Id.eq(id));
        }
        Ok(q.order_by_asc(automation::Column::Id)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(AutomationRecord::from)
            .collect())
    }

    pub async fn create_automation(
        &self,
        actor: &Actor,
        input: AutomationInput,
    ) -> Result<AutomationRecord> {
        let at = now();
        let id = new_id();
        let r = &input.rule;
        let txn = self.store.begin_write().await?;
        automation::Entity::insert(automation::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            name: Set(input.name.clone()),
            enabled: Set(input.enabled),
            event: Set(r.event),
            event_params: Set(Some(r.event_params())),
            conditions: Set(Some(r.conditions_raw.clone())),
            actions: Set(Some(r.actions_json())),
            delay_seconds: Set(r.delay_seconds as i32),
            cancel_on: Set(r.cancel_on),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "automation.created",
            format!("automation:{id}"),
            json!({ "name": input.name, "event": r.event, "enabled": input.enabled }),
        )
        .await?;
        txn.commit().await?;
        forget(self.org_id);
        self.automation(id).await
    }

    pub async fn update_automation(
        &self,
        actor: &Actor,
        id: Uuid,
        input: AutomationInput,
    ) -> Result<AutomationRecord> {
        let r = &input.rule;
        let txn = self.store.begin_write().await?;
        let mut m: automation::ActiveModel = self.automation_row(&txn, id).await?.into();
        m.name = Set(input.name.clone());
        m.enabled = Set(input.enabled);
        m.event = Set(r.event);
        m.event_params = Set(Some(r.event_params()));
        m.conditions = Set(Some(r.conditions_raw.clone()));
        m.actions = Set(Some(r.actions_json()));
        m.delay_seconds = Set(r.delay_seconds as i32);
        m.cancel_on = Set(r.cancel_on);
        m.updated_at = Set(now());
        automation::Entity::update(m).exec(&txn).await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "automation.updated",
            format!("automation:{id}"),
            json!({ "name": input.name, "event": r.event, "enabled": input.enabled }),
        )
        .await?;
        txn.commit().await?;
        forget(self.org_id);
        self.automation(id).await
    }

    /// Deletes the rule; its scheduled runs are cancelled when they fall due (the rule is
    /// gone), its run log stays readable through `/automations/runs`.
    pub async fn delete_automation(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let row = self.automation_row(&txn, id).await?;
        automation::Entity::delete_many()
            .filter(automation::Column::OrgId.eq(self.org_id))
            .filter(automation::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "automation.deleted",
            format!("automation:{id}"),
            json!({ "name": row.name }),
        )
        .await?;
        txn.commit().await?;
        forget(self.org_id);
        Ok(())
    }

    /// Runs one conversation may execute per hour.
    pub async fn automation_cap(&self) -> Result<u32> {
        Ok(automation_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .map(|s| s.max_runs_per_conversation_per_hour.max(0) as u32)
            .unwrap_or(DEFAULT_MAX_RUNS_PER_HOUR))
    }

    pub async fn set_automation_cap(&self, actor: &Actor, max: u32) -> Result<u32> {
        let txn = self.store.begin_write().await?;
        automation_setting::Entity::insert(automation_setting::ActiveModel {
            org_id: Set(self.org_id),
            max_runs_per_conversation_per_hour: Set(max as i32),
            updated_at: Set(now()),
        })
        .on_conflict(
            OnConflict::column(automation_setting::Column::OrgId)
                .update_columns([
                    automation_setting::Column::MaxRunsPerConversationPerHour,
                    automation_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "automation.settings_updated",
            "automation_settings".into(),
            json!({ "max_runs_per_conversation_per_hour": max }),
        )
        .await?;
        txn.commit().await?;
        Ok(max)
    }

    // ----- runs -----

    pub async fn automation_runs(
        &self,
        filter: &RunFilter,
        page: PageRequest,
    ) -> Result<Page<RunRecord>> {
        let mut q =
            automation_run::Entity::find().filter(automation_run::Column::OrgId.eq(self.org_id));
        if let Some(id) = filter.rule_id {
            q = q.filter(automation_run::Column::RuleId.eq(id));
        }
        if let Some(id) = filter.conversation_id {
            q = q.filter(automation_run::Column::ConversationId.eq(id));
        }
        if let Some(s) = filter.status {
            q = q.filter(automation_run::Column::Status.eq(s));
        }
        Ok(page::fetch(
            &self.store.db,
            q,
            automation_run::Column::Id,
            Order::NewestFirst,
            page,
            RunRecord::from,
            |r| r.id,
        )
        .await?)
    }

    pub async fn automation_run(&self, id: Uuid) -> Result<RunRecord> {
        automation_run::Entity::find()
            .filter(automation_run::Column::OrgId.eq(self.org_id))
            .filter(automation_run::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .map(RunRecord::from)
            .ok_or(StoreError::NotFound)
    }

    /// Records a run, and for a scheduled one the job that runs it at `due_at`, in one
    /// transaction. `None` when the rule already ran for this event (a retried job).
    pub async fn record_run(&self, run: NewRun) -> Result<Option<Uuid>> {
        let at = now();
        let id = new_id();
        let conditions: Vec<Value> = run.conditions.iter().map(condition_json).collect();
        let txn = self.store.begin_write().await?;
        let inserted = automation_run::Entity::insert(automation_run::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            rule_id: Set(run.rule_id),
            event: Set(run.event),
            trigger_id: Set(run.trigger_id),
            conversation_id: Set(run.conversation_id),
            lead_id: Set(run.lead_id),
            status: Set(run.status),
            reason: Set(run.reason),
            conditions: Set(Some(Value::Array(conditions))),
            actions: Set(Some(json!([]))),
            event_at: Set(run.event_at),
            due_at: Set(run.due_at),
            // An executing run counts toward the cap from the moment it is claimed.
            executed_at: Set((run.status == RunStatus::Executed).then_some(at)),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .on_conflict(
            OnConflict::columns([
                automation_run::Column::RuleId,
                automation_run::Column::TriggerId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if inserted == 0 {
            return Ok(None);
        }
        if let (RunStatus::Scheduled, Some(due)) = (run.status, run.due_at) {
            crate::jobs::enqueue(
                &txn,
                self.org_id,
                JobPayload::AutomationRun { run_id: id },
                run.conversation_id,
                due,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(Some(id))
    }

    /// Takes a scheduled run that fell due for execution (once: a second call finds it taken).
    pub async fn claim_scheduled_run(&self, id: Uuid) -> Result<Option<RunRecord>> {
        let at = now();
        let r = automation_run::Entity::update_many()
            .filter(automation_run::Column::OrgId.eq(self.org_id))
            .filter(automation_run::Column::Id.eq(id))
            .filter(automation_run::Column::Status.eq(RunStatus::Scheduled))
            .col_expr(
                automation_run::Column::Status,
                Expr::value(RunStatus::Executed),
            )
            .col_expr(automation_run::Column::ExecutedAt, Expr::value(at))
            .col_expr(automation_run::Column::UpdatedAt, Expr::value(at))
            .exec(&self.store.db)
            .await?;
        if r.rows_affected == 0 {
            return Ok(None);
        }
        self.automation_run(id).await.map(Some)
    }

    /// Writes a run's outcome: its status, why, and what each action did.
    pub async fn finish_run(
        &self,
        id: Uuid,
        status: RunStatus,
        reason: Option<RunReason>,
        actions: &[ActionResult],
    ) -> Result<()> {
        let actions = Value::Array(actions.iter().map(ActionResult::to_json).collect());
        let at = now();
        let mut q = automation_run::Entity::update_many()
            .filter(automation_run::Column::OrgId.eq(self.org_id))
            .filter(automation_run::Column::Id.eq(id))
            .col_expr(automation_run::Column::Status, Expr::value(status))
            .col_expr(automation_run::Column::Reason, Expr::value(reason))
            .col_expr(automation_run::Column::Actions, Expr::value(actions))
            .col_expr(automation_run::Column::UpdatedAt, Expr::value(at));
        if status != RunStatus::Executed && status != RunStatus::Failed {
            q = q.col_expr(
                automation_run::Column::ExecutedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        }
        q.exec(&self.store.db).await?;
        Ok(())
    }

    /// Runs the conversation executed in the past hour (the cap counts them).
    pub async fn runs_executed_last_hour(&self, conversation_id: Uuid) -> Result<u64> {
        Ok(automation_run::Entity::find()
            .filter(automation_run::Column::OrgId.eq(self.org_id))
            .filter(automation_run::Column::ConversationId.eq(conversation_id))
            .filter(automation_run::Column::ExecutedAt.gt(now() - Duration::hours(1)))
            .count(&self.store.db)
            .await?)
    }

    /// Did the conversation move on since `since`: the lead or a person wrote (other than
    /// `except`, the message that fired the rule), the lead changed stage, or the
    /// conversation's mode changed?
    pub async fn moved_on_since(
        &self,
        conversation_id: Uuid,
        lead_id: Uuid,
        since: DateTime<Utc>,
        except: Option<Uuid>,
    ) -> Result<bool> {
        let db = &self.store.db;
        let mut wrote = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::CreatedAt.gt(since))
            .filter(
                sea_orm::Condition::any()
                    .add(message::Column::Direction.eq(Direction::Inbound))
                    .add(message::Column::SentBy.is_not_null()),
            );
        if let Some(id) = except {
            wrote = wrote.filter(message::Column::Id.ne(id));
        }
        if wrote.count(db).await? > 0 {
            return Ok(true);
        }
        let moved = stage_history::Entity::find()
            .filter(stage_history::Column::OrgId.eq(self.org_id))
            .filter(stage_history::Column::ContactId.eq(lead_id))
            .filter(stage_history::Column::At.gt(since))
            .count(db)
            .await?;
        if moved > 0 {
            return Ok(true);
        }
        let mode = activity_row::Entity::find()
            .filter(activity_row::Column::OrgId.eq(self.org_id))
            .filter(activity_row::Column::ConversationId.eq(conversation_id))
            .filter(activity_row::Column::At.gt(since))
            .filter(activity_row::Column::Kind.is_in([
                ActivityKind::ModeChanged,
                ActivityKind::TakeoverStarted,
                ActivityKind::TakeoverEnded,
            ]))
            .count(db)
            .await?;
        Ok(mode > 0)
    }

    /// The event an `automation_event` job names.
    pub async fn automation_trigger(&self, activity_id: Uuid) -> Result<Trigger> {
        let row = activity_row::Entity::find()
            .filter(activity_row::Column::OrgId.eq(self.org_id))
            .filter(activity_row::Column::Id.eq(activity_id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let entry = ActivityEntry::from(row);
        let event = event_of(entry.kind).ok_or(StoreError::NotFound)?;
        let conversation_id = match entry.conversation_id {
            Some(id) => Some(id),
            None => match entry.contact_id {
                Some(lead) => self.latest_conversation(lead).await?,
                None => None,
            },
        };
        Ok(Trigger {
            id: entry.id,
            event,
            at: entry.at,
            caused_by_rule: entry.actor == ActivityActor::Automation,
            lead_id: entry.contact_id,
            conversation_id,
            payload: entry.payload,
        })
    }

    async fn latest_conversation(&self, lead_id: Uuid) -> Result<Option<Uuid>> {
        Ok(conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Id)
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::ContactId.eq(lead_id))
            .order_by_desc(conversation::Column::Id)
            .into_tuple()
            .one(&self.store.db)
            .await?)
    }

    /// Was a message written in `direction` after `since` (a `no_reply_for` timer is void
    /// when the lead wrote, or superseded when we wrote again)?
    pub async fn wrote_since(
        &self,
        conversation_id: Uuid,
        since: DateTime<Utc>,
        direction: Direction,
    ) -> Result<bool> {
        Ok(message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Direction.eq(direction))
            .filter(message::Column::CreatedAt.gt(since))
            .count(&self.store.db)
            .await?
            > 0)
    }

    /// What conditions may compare: the lead's fields now, the conversation's mode, and the
    /// event's facts (`message.text` of the message that fired it, or `message_text` given by
    /// a dry run).
    pub async fn automation_facts(
        &self,
        conversation_id: Uuid,
        event_payload: &Value,
        message_text: Option<String>,
    ) -> Result<(Uuid, Facts)> {
        let conv = self
            .conversation_row(&self.store.db, conversation_id)
            .await?;
        let lead = self.lead(conv.contact_id).await?;
        let defs = self.custom_fields().await?;
        let mut f = Facts::new();
        let mut text = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                f.insert(k.into(), Fact::Text(v.clone()));
            }
        };
        text("phone", &lead.phone);
        text("bsuid", &lead.bsuid);
        text("name", &lead.name);
        text("email", &lead.email);
        text("business", &lead.business);
        text("website", &lead.website);
        text("city", &lead.city);
        text("language", &lead.language);
        f.insert(
            "lead_status".into(),
            Fact::Text(lead.lead_status.as_str().into()),
        );
        f.insert(
            "lead_source".into(),
            Fact::Text(lead.lead_source.as_str().into()),
        );
        f.insert("score".into(), Fact::Number(f64::from(lead.score)));
        if let Some(v) = lead.value_minor {
            f.insert("value_minor".into(), Fact::Number(v as f64));
        }
        f.insert("opted_out".into(), Fact::Bool(lead.opted_out));
        f.insert("created_at".into(), Fact::Time(lead.created_at));
        f.insert("updated_at".into(), Fact::Time(lead.updated_at));
        f.insert("first_seen_at".into(), Fact::Time(lead.first_seen_at));
        f.insert("last_seen_at".into(), Fact::Time(lead.last_seen_at));
        if let Some(p) = &lead.placement {
            f.insert("stage_id".into(), Fact::Text(p.stage_id.to_string()));
        }
        if let Some((owner, _)) = &lead.owner {
            f.insert("owner_id".into(), Fact::Text(owner.to_string()));
        }
        if let Some(c) = lead
            .campaign
            .as_ref()
            .and_then(|c| c.get("id").or(c.get("name")))
            .and_then(Value::as_str)
        {
            f.insert("campaign".into(), Fact::Text(c.into()));
        }
        f.insert("tags".into(), Fact::Set(lead.tags.clone()));
        for d in &defs {
            if let Some(fact) = lead
                .custom_fields
                .get(&d.key)
                .and_then(|v| custom_fact(d.kind, v))
            {
                f.insert(format!("custom_fields.{}", d.key), fact);
            }
        }
        f.insert(
            "conversation.mode".into(),
            Fact::Text(conv.mode.as_str().into()),
        );
        self.event_facts(&mut f, event_payload, message_text)
            .await?;
        Ok((lead.id, f))
    }

    async fn event_facts(
        &self,
        f: &mut Facts,
        payload: &Value,
        message_text: Option<String>,
    ) -> Result<()> {
        let id_of = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_owned);
        if let Some(id) = id_of("message_id").and_then(|s| s.parse::<Uuid>().ok())
            && let Some(m) = message::Entity::find()
                .filter(message::Column::OrgId.eq(self.org_id))
                .filter(message::Column::Id.eq(id))
                .one(&self.store.db)
                .await?
        {
            f.insert("message.type".into(), Fact::Text(m.kind.as_str().into()));
            if let Some(t) = m.text {
                f.insert("message.text".into(), Fact::Text(t));
            }
        }
        if let Some(t) = message_text {
            f.insert("message.text".into(), Fact::Text(t));
            f.entry("message.type".into())
                .or_insert(Fact::Text("text".into()));
        }
        for (key, fact) in [
            ("tag", "tag"),
            ("from_stage_id", "stage.from"),
            ("to_stage_id", "stage.to"),
            ("cta", "cta.type"),
            ("campaign_id", "campaign.id"),
        ] {
            if let Some(v) = id_of(key) {
                f.insert(fact.into(), Fact::Text(v));
            }
        }
        Ok(())
    }
}

fn custom_fact(kind: CustomFieldType, v: &Value) -> Option<Fact> {
    use CustomFieldType as T;
    Some(match (kind, v) {
        (_, Value::Null) => return None,
        (T::Number | T::Currency, v) => Fact::Number(match v {
            Value::Number(n) => n.as_f64()?,
            Value::String(s) => s.parse().ok()?,
            _ => return None,
        }),
        (T::Date, Value::String(s)) => Fact::Day(s.parse().ok()?),
        (T::Boolean, Value::Bool(b)) => Fact::Bool(*b),
        (T::Multiselect, Value::Array(a)) => Fact::Set(
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
        ),
        (_, Value::String(s)) => Fact::Text(s.clone()),
        (_, other) => Fact::Text(other.to_string()),
    })
}

pub fn condition_json(c: &ConditionResult) -> Value {
    json!({
        "field": c.field,
        "operator": c.operator,
        "value": c.value,
        "actual": c.actual,
        "matched": c.matched,
    })
}

// ----- what actions do to the CRM (each logged as the automation's, so no rule fires on it) -----

/// A short description of what an action changed, or why it changed nothing.
pub type Done = std::result::Result<String, String>;

impl OrgScope<'_> {
    fn automation_entry(
        &self,
        lead_id: Uuid,
        conversation_id: Option<Uuid>,
        kind: ActivityKind,
        payload: Value,
    ) -> crate::activity::NewActivity {
        crate::activity::NewActivity {
            contact_id: Some(lead_id),
            conversation_id,
            kind,
            actor: ActivityActor::Automation,
            actor_user_id: None,
            payload,
        }
    }

    /// Adds a tag (created when new) to the lead.
    pub async fn automation_add_tag(
        &self,
        lead_id: Uuid,
        conversation_id: Uuid,
        name: &str,
    ) -> Result<Done> {
        let txn = self.store.begin_write().await?;
        let ids = self.tag_ids_creating(&txn, &[name.to_owned()]).await?;
        let added = lead_tag::Entity::insert(lead_tag::ActiveModel {
            org_id: Set(self.org_id),
            contact_id: Set(lead_id),
            tag_id: Set(ids[0]),
            created_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([lead_tag::Column::ContactId, lead_tag::Column::TagId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        if added == 0 {
            return Ok(Err("already_tagged".into()));
        }
        let entry = self.automation_entry(
            lead_id,
            Some(conversation_id),
            ActivityKind::TagAdded,
            json!({ "tag": name }),
        );
        crate::activity::append(&txn, self.org_id, vec![entry]).await?;
        touch_lead(&txn, self.org_id, lead_id).await?;
        txn.commit().await?;
        Ok(Ok(format!("tagged {name}")))
    }

    pub async fn automation_remove_tag(&self, lead_id: Uuid, name: &str) -> Result<Done> {
        let folded = closer_domain::leads::tag_folded(name);
        let Some(t) = tag::Entity::find()
            .filter(tag::Column::OrgId.eq(self.org_id))
            .filter(tag::Column::NameFolded.eq(folded))
            .one(&self.store.db)
            .await?
        else {
            return Ok(Err("not_tagged".into()));
        };
        let txn = self.store.begin_write().await?;
        let r = lead_tag::Entity::delete_many()
            .filter(lead_tag::Column::OrgId.eq(self.org_id))
            .filter(lead_tag::Column::ContactId.eq(lead_id))
            .filter(lead_tag::Column::TagId.eq(t.id))
            .exec(&txn)
            .await?;
        touch_lead(&txn, self.org_id, lead_id).await?;
        txn.commit().await?;
        Ok(if r.rows_affected == 0 {
            Err("not_tagged".into())
        } else {
            Ok(format!("untagged {name}"))
        })
    }

    /// Moves the lead to `stage_id` (top of the column), as a rule (history actor `rule`).
    pub async fn automation_set_stage(
        &self,
        lead_id: Uuid,
        stage_id: Uuid,
        rule_id: Uuid,
    ) -> Result<Done> {
        let txn = self.store.begin_write().await?;
        let stages = crate::pipeline::ensure_stages(&txn, self.org_id).await?;
        let Some(to) = stages.iter().find(|s| s.id == stage_id) else {
            return Ok(Err("stage_not_found".into()));
        };
        let conv_stage = crate::pipeline::conversation_stage_of(&txn, self.org_id, lead_id).await?;
        let moved = crate::pipeline::move_card(
            &txn,
            self.org_id,
            lead_id,
            to,
            &stages,
            0,
            crate::pipeline::MoveBy {
                actor: closer_domain::pipeline::MoveActor::Rule,
                actor_id: Some(rule_id),
                reason: Some("automation".into()),
                evidence_message_id: None,
            },
            conv_stage,
        )
        .await?;
        let name = to.name.clone();
        txn.commit().await?;
        Ok(match moved {
            Some(_) => Ok(format!("moved to {name}")),
            None => Err("already_in_stage".into()),
        })
    }

    /// Sets one custom field (`value` already checked against its type).
    pub async fn automation_set_field(
        &self,
        lead_id: Uuid,
        conversation_id: Uuid,
        key: &str,
        value: Value,
    ) -> Result<Done> {
        let txn = self.store.begin_write().await?;
        let row = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(lead_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut map = match row.custom_fields.clone() {
            Some(Value::Object(m)) => m,
            _ => serde_json::Map::new(),
        };
        if map.get(key) == Some(&value) {
            return Ok(Err("unchanged".into()));
        }
        map.insert(key.to_owned(), value.clone());
        contact::Entity::update_many()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(lead_id))
            .col_expr(
                contact::Column::CustomFields,
                Expr::value(Value::Object(map)),
            )
            .col_expr(contact::Column::UpdatedAt, Expr::value(now()))
            .exec(&txn)
            .await?;
        let entry = self.automation_entry(
            lead_id,
            Some(conversation_id),
            ActivityKind::LeadUpdated,
            json!({ "fields": [format!("custom_fields.{key}")] }),
        );
        crate::activity::append(&txn, self.org_id, vec![entry]).await?;
        txn.commit().await?;
        Ok(Ok(format!("{key} = {value}")))
    }

    /// Gives the conversation to a member; with `None` ("round_robin"), to the member whose
    /// turn it is when the organisation's rotation is on (the same turn the hand-overs take,
    /// nobody when nobody is available), else to the active member with the fewest open (not
    /// closed) conversations.
    pub async fn automation_assign(
        &self,
        conversation_id: Uuid,
        user_id: Option<Uuid>,
    ) -> Result<Done> {
        if user_id.is_none() {
            let txn = self.store.begin_write().await?;
            let rotation_on = crate::entities::assignment_rotation::Entity::find_by_id(self.org_id)
                .one(&txn)
                .await?
                .is_some_and(|r| r.round_robin);
            if rotation_on {
                let Some(id) = crate::assignment::take_turn(&txn, self.org_id).await? else {
                    return Ok(Err("no_member_available".into()));
                };
                conversation::Entity::update_many()
                    .filter(conversation::Column::OrgId.eq(self.org_id))
                    .filter(conversation::Column::Id.eq(conversation_id))
                    .col_expr(conversation::Column::AssignedUserId, Expr::value(id))
                    .col_expr(conversation::Column::UpdatedAt, Expr::value(now()))
                    .exec(&txn)
                    .await?;
                let name: Option<String> = user::Entity::find_by_id(id)
                    .select_only()
                    .column(user::Column::Name)
                    .into_tuple()
                    .one(&txn)
                    .await?;
                txn.commit().await?;
                return Ok(Ok(format!(
                    "assigned to {} (round-robin turn)",
                    name.unwrap_or_default()
                )));
            }
        }
        let db = &self.store.db;
        let members: Vec<(Uuid, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Name)
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Role.ne(closer_domain::Role::Viewer))
            .order_by_asc(user::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let chosen = match user_id {
            Some(id) => members.iter().find(|(m, _)| *m == id).cloned(),
            None => {
                let mut best: Option<((Uuid, String), u64)> = None;
                for m in &members {
                    let open = conversation::Entity::find()
                        .filter(conversation::Column::OrgId.eq(self.org_id))
                        .filter(conversation::Column::AssignedUserId.eq(m.0))
                        .filter(conversation::Column::Mode.ne(ConversationMode::Closed))
                        .count(db)
                        .await?;
                    if best.as_ref().is_none_or(|(_, n)| open < *n) {
                        best = Some((m.clone(), open));
                    }
                }
                best.map(|(m, _)| m)
            }
        };
        let Some((id, name)) = chosen else {
            return Ok(Err("no_member".into()));
        };
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .col_expr(conversation::Column::AssignedUserId, Expr::value(id))
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now()))
            .exec(db)
            .await?;
        Ok(Ok(format!("assigned to {name}")))
    }

    /// A note on the lead, signed by the rule.
    pub async fn automation_add_note(
        &self,
        lead_id: Uuid,
        rule_name: &str,
        body: &str,
    ) -> Result<Done> {
        let at = now();
        let id = new_id();
        lead_note::Entity::insert(lead_note::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            contact_id: Set(lead_id),
            body: Set(body.to_owned()),
            author_id: Set(None),
            author_name: Set(Some(format!("Automation: {rule_name}"))),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&self.store.db)
        .await?;
        Ok(Ok(format!("note {id}")))
    }

    /// Pauses the bot in the conversation (a person or a resume brings it back).
    pub async fn automation_pause_bot(&self, lead_id: Uuid, conversation_id: Uuid) -> Result<Done> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        if conv.mode != ConversationMode::Bot {
            return Ok(Err(format!("mode_is_{}", conv.mode)));
        }
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .col_expr(
                conversation::Column::Mode,
                Expr::value(ConversationMode::Paused.as_str()),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now()))
            .exec(&txn)
            .await?;
        let entry = self.automation_entry(
            lead_id,
            Some(conversation_id),
            ActivityKind::ModeChanged,
            json!({ "from": conv.mode, "to": ConversationMode::Paused, "by": "automation" }),
        );
        crate::activity::append(&txn, self.org_id, vec![entry]).await?;
        txn.commit().await?;
        Ok(Ok("bot paused".into()))
    }

    /// The send policy's view of a free-form automation message to the conversation's lead,
    /// and the message queued when it allows (author bot, logged as the automation's).
    pub async fn automation_send_text(
        &self,
        conversation_id: Uuid,
        text: &str,
        dry_run: bool,
    ) -> Result<std::result::Result<Option<Uuid>, closer_domain::send_policy::Refused>> {
        use closer_domain::send_policy::{self, Outgoing, Recipient, Sender};
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        let lead = self.contact_row(&txn, conv.contact_id).await?;
        let bot_last_hour = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Direction.eq(Direction::Outbound))
            .filter(message::Column::Author.eq(closer_domain::messaging::Author::Bot))
            .filter(message::Column::CreatedAt.gt(now() - Duration::hours(1)))
            .count(&txn)
            .await? as u32;
        let to = Recipient {
            opted_out: lead.opted_out,
            marketing_opted_out: lead.marketing_opt_out,
            mode: conv.mode,
            window: crate::inbox::window_of(&conv),
            // The window opens for 24 h at the lead's last message: its end says when that
            // was. The engagement budget is the agent's concern, not a rule the owner wrote.
            last_lead_message_at: conv
                .window_open_until
                .map(|until| until - Duration::hours(24)),
            unanswered: 0,
            bot_messages_last_hour: bot_last_hour,
            budget: u32::MAX,
            local_time: None,
        };
        if let Err(refused) =
            send_policy::may_send(Outgoing::free_form(Sender::Automation), &to, None, now())
        {
            return Ok(Err(refused));
        }
        if dry_run {
            return Ok(Ok(None));
        }
        let message = self
            .queue_outbound_as(
                &txn,
                &conv,
                closer_domain::messaging::Author::Bot,
                None,
                text,
                crate::replies::OutboundBody::Text,
                ActivityActor::Automation,
            )
            .await?;
        txn.commit().await?;
        Ok(Ok(Some(message.id)))
    }

    /// The organisation's stage with this id, if any (a rule's `set_stage` target).
    pub async fn has_stage(&self, id: Uuid) -> Result<bool> {
        Ok(pipeline_stage::Entity::find()
            .filter(pipeline_stage::Column::OrgId.eq(self.org_id))
            .filter(pipeline_stage::Column::Id.eq(id))
            .count(&self.store.db)
            .await?
            > 0)
    }

    /// Is `id` an active member who may own conversations (not a viewer)?
    pub async fn is_assignable(&self, id: Uuid) -> Result<bool> {
        Ok(user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(id))
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Role.ne(closer_domain::Role::Viewer))
            .count(&self.store.db)
            .await?
            > 0)
    }
}

async fn touch_lead(db: &impl ConnectionTrait, org_id: Uuid, lead_id: Uuid) -> Result<()> {
    contact::Entity::update_many()
        .filter(contact::Column::OrgId.eq(org_id))
        .filter(contact::Column::Id.eq(lead_id))
        .col_expr(contact::Column::UpdatedAt, Expr::value(now()))
        .exec(db)
        .await?;
    Ok(())
}

/// A lead's runs go with the lead (deleted or erased): they quote its messages and fields.
pub(crate) async fn forget_lead_runs(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
) -> Result<()> {
    automation_run::Entity::delete_many()
        .filter(automation_run::Column::OrgId.eq(org_id))
        .filter(automation_run::Column::LeadId.eq(lead_id))
        .exec(db)
        .await?;
    Ok(())
}
