//! Drip sequences: the owner's sequences, each lead's enrolment and the `sequence_step` job
//! that walks it. What a step does is decided in `closer_domain::sequences`; this module keeps
//! the rows and jobs in step, each change in one transaction. A step's message is queued in
//! the same transaction that moves the enrolment past it, and the job names the step it is
//! for: a retried or duplicated job finds the row moved on, so no step is ever sent twice.
//!
//! [`enroll`] and [`stop_active`] take any connection, so automations and campaigns enrol
//! inside their own transactions.

use crate::audit::{self, Actor};
use crate::entities::{
    contact, conversation, custom_field, job, lead, message, sequence, sequence_enrollment as enr,
};
use crate::error::{Result, StoreError};
use crate::inbox::window_of;
use crate::jobs::JobPayload;
use crate::replies::OutboundBody;
use crate::team::OrgScope;
use crate::{Backend, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::lead_filter::{self, FieldDef, Filter};
use closer_domain::messaging::{Author, Channel, ConversationMode, Direction};
use closer_domain::sales::ConversationStage;
use closer_domain::send_policy::{self, Outgoing, Recipient, SendRule, Sender};
use closer_domain::sequences::{
    EnrollSkip, EnrollSource, EnrollmentEvent, EnrollmentStatus, SequenceCondition,
    SequenceDefinition, SequenceStep, StepAction, StepSkip, StopCondition, StopReason, next_status,
    step_due,
};
use closer_domain::work::{JobKind, JobStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A sequence as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceRecord {
    pub id: Uuid,
    pub definition: SequenceDefinition,
    /// Enrolments by status.
    pub counts: HashMap<EnrollmentStatus, u64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A lead's enrolment as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrollmentRecord {
    pub id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub lead_name: Option<String>,
    pub lead_phone: Option<String>,
    pub conversation_id: Option<Uuid>,
    pub status: EnrollmentStatus,
    /// Steps handled so far (= the index of the next one).
    pub step: i32,
    pub next_step_at: Option<DateTime<Utc>>,
    pub stop_reason: Option<StopReason>,
    pub source: EnrollSource,
    pub last_message_id: Option<Uuid>,
    pub last_skip: Option<StepSkip>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// An enrolment that changed, for the realtime event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnrollmentChange {
    pub enrollment_id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub status: EnrollmentStatus,
}

/// A lead asked for and not enrolled, with why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkippedLead {
    pub lead_id: Uuid,
    pub reason: EnrollSkip,
}

/// What an enrolment request came to: who started (`enrolled`), who not and why, and the
/// enrolments the new ones replaced (stopped `replaced`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnrollOutcome {
    pub enrolled: Vec<EnrollmentChange>,
    pub skipped: Vec<SkippedLead>,
    pub replaced: Vec<EnrollmentChange>,
}

fn backend_of(db: &impl ConnectionTrait) -> Backend {
    match db.get_database_backend() {
        DbBackend::Sqlite => Backend::Sqlite,
        _ => Backend::Postgres,
    }
}

/// A sequence as stored. Steps or conditions this version cannot read are an error: read as
/// none, a sequence would never stop, or start for every lead.
fn definition(m: &sequence::Model) -> Result<SequenceDefinition> {
    use crate::stored::or_default;
    Ok(SequenceDefinition {
        name: m.name.clone(),
        enabled: m.enabled,
        steps: or_default::<Vec<SequenceStep>>("sequence's steps", m.steps.clone())?,
        start_conditions: or_default::<Vec<SequenceCondition>>(
            "sequence's start conditions",
            m.start_conditions.clone(),
        )?,
        stop_conditions: or_default::<Vec<StopCondition>>(
            "sequence's stop conditions",
            m.stop_conditions.clone(),
        )?,
        stop_on_reply: m.stop_on_reply,
    })
}

async fn field_defs(db: &impl ConnectionTrait, org_id: Uuid) -> Result<Vec<FieldDef>> {
    custom_field::Entity::find()
        .filter(custom_field::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            Ok(FieldDef {
                key: m.key,
                kind: m.field_type,
                options: crate::stored::or_default("custom field's options", m.options)?,
            })
        })
        .collect()
}

/// Which of `lead_ids` the filter document matches. A document that no longer parses (a
/// custom field deleted since) matches nobody: conditions that cannot be read do not hold.
async fn matching(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    doc: &Value,
    defs: &[FieldDef],
    lead_ids: &[Uuid],
) -> Result<HashSet<Uuid>> {
    let filter: Filter = match lead_filter::parse(doc, defs) {
        Ok(f) => f,
        Err(_) => return Ok(HashSet::new()),
    };
    let mut q = lead::Entity::find()
        .select_only()
        .column(lead::Column::Id)
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.is_in(lead_ids.to_vec()));
    if !filter.is_empty() {
        q = q.filter(crate::lead_filter::condition(
            backend_of(db),
            org_id,
            &filter,
            now(),
        ));
    }
    let ids: Vec<Uuid> = q.into_tuple().all(db).await?;
    Ok(ids.into_iter().collect())
}

async fn enqueue_step(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    enrollment_id: Uuid,
    step: i32,
    at: DateTime<Utc>,
) -> Result<Uuid> {
    crate::jobs::enqueue(
        db,
        org_id,
        JobPayload::SequenceStep {
            enrollment_id,
            step,
        },
        None,
        at,
    )
    .await
}

async fn cancel_jobs(db: &impl ConnectionTrait, org_id: Uuid, jobs: Vec<Uuid>) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    job::Entity::update_many()
        .filter(job::Column::OrgId.eq(org_id))
        .filter(job::Column::Id.is_in(jobs))
        .filter(job::Column::Kind.eq(JobKind::SequenceStep))
        .filter(job::Column::Status.eq(JobStatus::Pending))
        .col_expr(job::Column::Status, Expr::value(JobStatus::Cancelled))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .exec(db)
        .await?;
    Ok(())
}

/// Stops these active enrolments with `why` (their pending jobs cancelled); returns those
/// that were still active.
async fn stop_rows(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    rows: Vec<enr::Model>,
    why: StopReason,
) -> Result<Vec<EnrollmentChange>> {
    let mut out = vec![];
    let at = now();
    for row in rows {
        let Some((status, reason)) = next_status(row.status, EnrollmentEvent::Stop(why)) else {
            continue;
        };
        let r = enr::Entity::update_many()
            .filter(enr::Column::OrgId.eq(org_id))
            .filter(enr::Column::Id.eq(row.id))
            .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
            .col_expr(enr::Column::Status, Expr::value(status))
            .col_expr(enr::Column::StopReason, Expr::value(reason))
            .col_expr(
                enr::Column::NextStepAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(enr::Column::EndedAt, Expr::value(at))
            .col_expr(enr::Column::UpdatedAt, Expr::value(at))
            .exec(db)
            .await?;
        if r.rows_affected == 1 {
            cancel_jobs(db, org_id, row.job_id.into_iter().collect()).await?;
            out.push(EnrollmentChange {
                enrollment_id: row.id,
                sequence_id: row.sequence_id,
                lead_id: row.lead_id,
                status,
            });
        }
    }
    Ok(out)
}

/// Enrols `lead_ids` in the sequence, inside the caller's transaction when `db` is one. A
/// lead in another sequence leaves it (`replaced`); one already in this sequence, opted out,
/// without a phone, or not matching the start conditions is skipped with the reason.
/// `NotFound` when the sequence is not the organisation's.
pub async fn enroll(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    sequence_id: Uuid,
    lead_ids: &[Uuid],
    source: EnrollSource,
) -> Result<EnrollOutcome> {
    let seq = sequence::Entity::find()
        .filter(sequence::Column::OrgId.eq(org_id))
        .filter(sequence::Column::Id.eq(sequence_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound)?;
    let def = definition(&seq)?;
    let mut out = EnrollOutcome::default();
    let mut wanted: Vec<Uuid> = vec![];
    for id in lead_ids {
        if !wanted.contains(id) {
            wanted.push(*id);
        }
    }
    if !def.enabled {
        out.skipped = wanted
            .iter()
            .map(|&lead_id| SkippedLead {
                lead_id,
                reason: EnrollSkip::SequenceDisabled,
            })
            .collect();
        return Ok(out);
    }
    let leads: HashMap<Uuid, lead::Model> = lead::Entity::find()
        .filter(lead::Column::OrgId.eq(org_id))
        .filter(lead::Column::Id.is_in(wanted.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let start = if def.start_conditions.is_empty() {
        None
    } else {
        let defs = field_defs(db, org_id).await?;
        Some(matching(db, org_id, &def.start_doc(), &defs, &wanted).await?)
    };
    let active: HashMap<Uuid, enr::Model> = enr::Entity::find()
        .filter(enr::Column::OrgId.eq(org_id))
        .filter(enr::Column::LeadId.is_in(wanted.clone()))
        .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.lead_id, e))
        .collect();
    let at = now();
    for lead_id in wanted {
        let skip = match leads.get(&lead_id) {
            None => Some(EnrollSkip::NotFound),
            Some(l) if l.opted_out || l.erased_at.is_some() => Some(EnrollSkip::OptedOut),
            Some(l) if l.phone.is_none() && l.wa_user_id.is_none() => Some(EnrollSkip::NoPhone),
            Some(_)
                if active
                    .get(&lead_id)
                    .is_some_and(|e| e.sequence_id == sequence_id) =>
            {
                Some(EnrollSkip::AlreadyEnrolled)
            }
            Some(_) if start.as_ref().is_some_and(|m| !m.contains(&lead_id)) => {
                Some(EnrollSkip::ConditionsNotMet)
            }
            Some(_) => None,
        };
        if let Some(reason) = skip {
            out.skipped.push(SkippedLead { lead_id, reason });
            continue;
        }
        if let Some(old) = active.get(&lead_id) {
            out.replaced
                .extend(stop_rows(db, org_id, vec![old.clone()], StopReason::Replaced).await?);
        }
        let id = new_id();
        let due = step_due(&def.steps, 0, at).unwrap_or(at);
        let job_id = enqueue_step(db, org_id, id, 0, due).await?;
        enr::Entity::insert(enr::ActiveModel {
            id: Set(id),
            org_id: Set(org_id),
            sequence_id: Set(sequence_id),
            lead_id: Set(lead_id),
            conversation_id: Set(None),
            status: Set(EnrollmentStatus::Active),
            step: Set(0),
            next_step_at: Set(Some(due)),
            stop_reason: Set(None),
            stop_on_reply: Set(def.stop_on_reply),
            source: Set(source),
            job_id: Set(Some(job_id)),
            last_message_id: Set(None),
            last_skip: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
            ended_at: Set(None),
        })
        .exec_without_returning(db)
        .await?;
        out.enrolled.push(EnrollmentChange {
            enrollment_id: id,
            sequence_id,
            lead_id,
            status: EnrollmentStatus::Active,
        });
    }
    Ok(out)
}

/// Stops the lead's active enrolment, if any, with `reason` (an automation's
/// `stop_sequence`, an opt-out), inside the caller's transaction when `db` is one.
pub async fn stop_active(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    lead_id: Uuid,
    reason: StopReason,
) -> Result<Option<EnrollmentChange>> {
    let rows = enr::Entity::find()
        .filter(enr::Column::OrgId.eq(org_id))
        .filter(enr::Column::LeadId.eq(lead_id))
        .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
        .all(db)
        .await?;
    Ok(stop_rows(db, org_id, rows, reason)
        .await?
        .into_iter()
        .next())
}

/// The leads of these conversations wrote: their active enrolments that stop on a reply
/// stop (`replied`). One statement for the whole batch on the webhook path — it touches no
/// row (and reads only the partial index) when the organisation has no active enrolment.
/// The step's job, when due, finds the enrolment stopped and ends there. The stopped
/// enrolments come back (with their organisation) to be announced after the commit.
pub(crate) async fn stop_when_leads_write(
    db: &impl ConnectionTrait,
    org_ids: &[Uuid],
    conversation_ids: &[Uuid],
) -> Result<Vec<(Uuid, EnrollmentChange)>> {
    if conversation_ids.is_empty() {
        return Ok(vec![]);
    }
    let leads = Query::select()
        .column(conversation::Column::ContactId)
        .from(conversation::Entity)
        .and_where(conversation::Column::OrgId.is_in(org_ids.iter().copied()))
        .and_where(conversation::Column::Id.is_in(conversation_ids.iter().copied()))
        .to_owned();
    let at = now();
    let stopped = enr::Entity::update_many()
        .filter(enr::Column::OrgId.is_in(org_ids.iter().copied()))
        .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
        .filter(enr::Column::StopOnReply.eq(true))
        .filter(enr::Column::LeadId.in_subquery(leads))
        .col_expr(enr::Column::Status, Expr::value(EnrollmentStatus::Stopped))
        .col_expr(enr::Column::StopReason, Expr::value(StopReason::Replied))
        .col_expr(
            enr::Column::NextStepAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(enr::Column::EndedAt, Expr::value(at))
        .col_expr(enr::Column::UpdatedAt, Expr::value(at))
        .exec_with_returning(db)
        .await?;
    Ok(stopped
        .into_iter()
        .map(|row| {
            let change = EnrollmentChange {
                enrollment_id: row.id,
                sequence_id: row.sequence_id,
                lead_id: row.lead_id,
                status: row.status,
            };
            (row.org_id, change)
        })
        .collect())
}

/// What the runner reads before a due step.
#[derive(Debug, Clone)]
pub struct StepContext {
    pub enrollment: EnrollmentRecord,
    pub definition: SequenceDefinition,
    pub opted_out: bool,
    /// The conversation the step goes to, when the lead has one yet.
    pub conversation: Option<(Uuid, ConversationMode, bool)>,
    /// Our last message to the lead (pacing).
    pub last_ours: Option<DateTime<Utc>>,
}

/// What a due step came to.
#[derive(Debug, Clone, PartialEq)]
pub enum StepResult {
    /// The job was late or repeated: the enrolment had moved on (or ended).
    Stale,
    /// The step's message was queued (and the enrolment moved on).
    Sent {
        message_id: Uuid,
        conversation_id: Uuid,
        change: EnrollmentChange,
    },
    /// The step went nowhere (and the enrolment moved on).
    Skipped(StepSkip, EnrollmentChange),
    Stopped(EnrollmentChange),
}

/// The step's message, ready to queue (a template is rendered before the transaction).
pub enum Prepared {
    Text(String),
    Template(Box<crate::templates::TemplateRender>),
    Skip(StepSkip),
    Stop(StopReason),
}

fn record(m: enr::Model, lead: Option<&contact::Model>) -> EnrollmentRecord {
    EnrollmentRecord {
        id: m.id,
        sequence_id: m.sequence_id,
        lead_id: m.lead_id,
        lead_name: lead.and_then(|c| c.name.clone().or(c.profile_name.clone())),
        lead_phone: lead.and_then(|c| c.phone.clone()),
        conversation_id: m.conversation_id,
        status: m.status,
        step: m.step,
        next_step_at: m.next_step_at,
        stop_reason: m.stop_reason,
        source: m.source,
        last_message_id: m.last_message_id,
        last_skip: m.last_skip,
        created_at: m.created_at,
        updated_at: m.updated_at,
        ended_at: m.ended_at,
    }
}

fn sequence_row(def: &SequenceDefinition) -> (Value, Value, Value) {
    (
        serde_json::to_value(&def.steps).unwrap_or_default(),
        serde_json::to_value(&def.start_conditions).unwrap_or_default(),
        serde_json::to_value(&def.stop_conditions).unwrap_or_default(),
    )
}

impl OrgScope<'_> {
    pub async fn sequences(&self) -> Result<Vec<SequenceRecord>> {
        let rows = sequence::Entity::find()
            .filter(sequence::Column::OrgId.eq(self.org_id))
            .order_by_desc(sequence::Column::Id)
            .all(&self.store.db)
            .await?;
        let counts: Vec<(Uuid, EnrollmentStatus, i64)> = enr::Entity::find()
            .select_only()
            .column(enr::Column::SequenceId)
            .column(enr::Column::Status)
            .column_as(enr::Column::Id.count(), "n")
            .filter(enr::Column::OrgId.eq(self.org_id))
            .group_by(enr::Column::SequenceId)
            .group_by(enr::Column::Status)
            .into_tuple()
            .all(&self.store.db)
            .await?;
        rows.into_iter()
            .map(|m| {
                let mut rec = self.sequence_record(&m)?;
                for (seq, status, n) in &counts {
                    if *seq == m.id {
                        rec.counts.insert(*status, *n as u64);
                    }
                }
                Ok(rec)
            })
            .collect()
    }

    fn sequence_record(&self, m: &sequence::Model) -> Result<SequenceRecord> {
        Ok(SequenceRecord {
            id: m.id,
            definition: definition(m)?,
            counts: HashMap::new(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }

    async fn sequence_row(&self, db: &impl ConnectionTrait, id: Uuid) -> Result<sequence::Model> {
        sequence::Entity::find()
            .filter(sequence::Column::OrgId.eq(self.org_id))
            .filter(sequence::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn sequence(&self, id: Uuid) -> Result<SequenceRecord> {
        let all = self.sequences().await?;
        all.into_iter()
            .find(|s| s.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Saves a new sequence (already validated).
    pub async fn create_sequence(
        &self,
        actor: &Actor,
        def: &SequenceDefinition,
    ) -> Result<SequenceRecord> {
        let txn = self.store.begin_write().await?;
        let (steps, start, stop) = sequence_row(def);
        let id = new_id();
        let at = now();
        sequence::Entity::insert(sequence::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            name: Set(def.name.trim().to_owned()),
            enabled: Set(def.enabled),
            steps: Set(Some(steps)),
            start_conditions: Set(Some(start)),
            stop_conditions: Set(Some(stop)),
            stop_on_reply: Set(def.stop_on_reply),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&*txn)
        .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "sequence.create",
            format!("sequence:{id}"),
            json!({ "name": def.name, "steps": def.steps.len() }),
        )
        .await?;
        txn.commit().await?;
        self.sequence(id).await
    }

    /// Replaces a sequence's definition. Active enrolments go on with the new steps from the
    /// step they are at; turning it off stops them (`manual`). Returns the stopped ones.
    pub async fn update_sequence(
        &self,
        actor: &Actor,
        id: Uuid,
        def: &SequenceDefinition,
    ) -> Result<(SequenceRecord, Vec<EnrollmentChange>)> {
        let txn = self.store.begin_write().await?;
        self.sequence_row(&*txn, id).await?;
        let (steps, start, stop) = sequence_row(def);
        sequence::Entity::update_many()
            .filter(sequence::Column::OrgId.eq(self.org_id))
            .filter(sequence::Column::Id.eq(id))
            .col_expr(sequence::Column::Name, Expr::value(def.name.trim()))
            .col_expr(sequence::Column::Enabled, Expr::value(def.enabled))
            .col_expr(sequence::Column::Steps, Expr::value(steps))
            .col_expr(sequence::Column::StartConditions, Expr::value(start))
            .col_expr(sequence::Column::StopConditions, Expr::value(stop))
            .col_expr(
                sequence::Column::StopOnReply,
                Expr::value(def.stop_on_reply),
            )
            .col_expr(sequence::Column::UpdatedAt, Expr::value(now()))
            .exec(&*txn)
            .await?;
        enr::Entity::update_many()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::SequenceId.eq(id))
            .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
            .col_expr(enr::Column::StopOnReply, Expr::value(def.stop_on_reply))
            .exec(&*txn)
            .await?;
        let stopped = if def.enabled {
            vec![]
        } else {
            let rows = self.active_of(&*txn, id).await?;
            stop_rows(&*txn, self.org_id, rows, StopReason::Manual).await?
        };
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "sequence.update",
            format!("sequence:{id}"),
            json!({ "name": def.name, "enabled": def.enabled, "steps": def.steps.len() }),
        )
        .await?;
        txn.commit().await?;
        Ok((self.sequence(id).await?, stopped))
    }

    async fn active_of(
        &self,
        db: &impl ConnectionTrait,
        sequence_id: Uuid,
    ) -> Result<Vec<enr::Model>> {
        Ok(enr::Entity::find()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::SequenceId.eq(sequence_id))
            .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
            .all(db)
            .await?)
    }

    /// Deletes a sequence with its enrolments (the active ones' jobs cancelled).
    pub async fn delete_sequence(&self, actor: &Actor, id: Uuid) -> Result<Vec<EnrollmentChange>> {
        let txn = self.store.begin_write().await?;
        let row = self.sequence_row(&*txn, id).await?;
        let rows = self.active_of(&*txn, id).await?;
        let stopped = stop_rows(&*txn, self.org_id, rows, StopReason::Manual).await?;
        enr::Entity::delete_many()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::SequenceId.eq(id))
            .exec(&*txn)
            .await?;
        sequence::Entity::delete_many()
            .filter(sequence::Column::OrgId.eq(self.org_id))
            .filter(sequence::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "sequence.delete",
            format!("sequence:{id}"),
            json!({ "name": row.name }),
        )
        .await?;
        txn.commit().await?;
        Ok(stopped)
    }

    /// A person (or a bulk operation) enrols leads: [`enroll`] in one transaction, audited.
    pub async fn enroll_leads(
        &self,
        actor: &Actor,
        sequence_id: Uuid,
        lead_ids: &[Uuid],
        source: EnrollSource,
    ) -> Result<EnrollOutcome> {
        let txn = self.store.begin_write().await?;
        let out = enroll(&*txn, self.org_id, sequence_id, lead_ids, source).await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "sequence.enroll",
            format!("sequence:{sequence_id}"),
            json!({ "source": source, "enrolled": out.enrolled.len(), "skipped": out.skipped.len() }),
        )
        .await?;
        txn.commit().await?;
        if !out.enrolled.is_empty() {
            self.store.wake_workers().await;
        }
        Ok(out)
    }

    async fn with_leads(&self, rows: Vec<enr::Model>) -> Result<Vec<EnrollmentRecord>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.lead_id).collect();
        let leads: HashMap<Uuid, contact::Model> = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.is_in(ids))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| {
                let lead = leads.get(&r.lead_id);
                record(r, lead)
            })
            .collect())
    }

    /// A sequence's enrolments, newest first.
    pub async fn enrollments(
        &self,
        sequence_id: Uuid,
        status: Option<EnrollmentStatus>,
        limit: u64,
    ) -> Result<Vec<EnrollmentRecord>> {
        self.sequence_row(&self.store.db, sequence_id).await?;
        let mut q = enr::Entity::find()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::SequenceId.eq(sequence_id));
        if let Some(s) = status {
            q = q.filter(enr::Column::Status.eq(s));
        }
        let rows = q
            .order_by_desc(enr::Column::Id)
            .limit(limit)
            .all(&self.store.db)
            .await?;
        self.with_leads(rows).await
    }

    pub async fn enrollment(&self, id: Uuid) -> Result<EnrollmentRecord> {
        let row = enr::Entity::find()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(self.with_leads(vec![row]).await?.remove(0))
    }

    /// A person stops an enrolment (`manual`); `Ok(None)` when it had ended already.
    pub async fn stop_enrollment(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Option<EnrollmentChange>> {
        let txn = self.store.begin_write().await?;
        let row = enr::Entity::find()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::Id.eq(id))
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let stopped = stop_rows(&*txn, self.org_id, vec![row], StopReason::Manual).await?;
        if !stopped.is_empty() {
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                "sequence.enrollment.stop",
                format!("sequence_enrollment:{id}"),
                json!({}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(stopped.into_iter().next())
    }

    /// The lead's WhatsApp conversation (the newest), or `None`.
    async fn lead_conversation(
        &self,
        db: &impl ConnectionTrait,
        lead_id: Uuid,
    ) -> Result<Option<conversation::Model>> {
        Ok(conversation::Entity::find()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::ContactId.eq(lead_id))
            .filter(conversation::Column::Channel.eq(Channel::Whatsapp))
            .order_by_desc(conversation::Column::CreatedAt)
            .one(db)
            .await?)
    }

    /// What the runner needs about a due step; `None` when the enrolment is gone.
    pub async fn step_context(&self, enrollment_id: Uuid) -> Result<Option<StepContext>> {
        let enrollment = match self.enrollment(enrollment_id).await {
            Ok(e) => e,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        let db = &self.store.db;
        let seq = self.sequence_row(db, enrollment.sequence_id).await?;
        let lead = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(enrollment.lead_id))
            .one(db)
            .await?;
        let conv = self.lead_conversation(db, enrollment.lead_id).await?;
        let last_ours = match &conv {
            Some(c) => {
                message::Entity::find()
                    .select_only()
                    .column(message::Column::CreatedAt)
                    .filter(message::Column::OrgId.eq(self.org_id))
                    .filter(message::Column::ConversationId.eq(c.id))
                    .filter(message::Column::Direction.eq(Direction::Outbound))
                    .filter(message::Column::Author.ne(Author::Note))
                    .order_by_desc(message::Column::CreatedAt)
                    .limit(1)
                    .into_tuple::<DateTime<Utc>>()
                    .one(db)
                    .await?
            }
            None => None,
        };
        Ok(Some(StepContext {
            definition: definition(&seq)?,
            // A lead deleted since reads as one who must hear nothing more.
            opted_out: lead.as_ref().is_none_or(|l| l.opted_out),
            conversation: conv.map(|c| {
                let open = window_of(&c).is_open(now().timestamp());
                (c.id, c.mode, open)
            }),
            last_ours,
            enrollment,
        }))
    }

    /// Whether the stop condition holds for the lead now.
    pub async fn stop_condition_holds(&self, lead_id: Uuid, c: &StopCondition) -> Result<bool> {
        let db = &self.store.db;
        let defs = field_defs(db, self.org_id).await?;
        Ok(
            matching(db, self.org_id, &c.filter_doc(), &defs, &[lead_id])
                .await?
                .contains(&lead_id),
        )
    }

    /// A due step waits (pacing): a new job for the same step at `until`.
    pub async fn postpone_step(
        &self,
        enrollment_id: Uuid,
        step: i32,
        until: DateTime<Utc>,
    ) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let job_id = enqueue_step(&*txn, self.org_id, enrollment_id, step, until).await?;
        let r = enr::Entity::update_many()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::Id.eq(enrollment_id))
            .filter(enr::Column::Status.eq(EnrollmentStatus::Active))
            .filter(enr::Column::Step.eq(step))
            .col_expr(enr::Column::NextStepAt, Expr::value(until))
            .col_expr(enr::Column::JobId, Expr::value(job_id))
            .col_expr(enr::Column::UpdatedAt, Expr::value(now()))
            .exec(&*txn)
            .await?;
        if r.rows_affected == 1 {
            txn.commit().await?;
        }
        Ok(())
    }

    /// Renders what `action` sends, outside any transaction.
    pub async fn prepare_step(
        &self,
        action: StepAction,
        conversation_id: Uuid,
    ) -> Result<Prepared> {
        Ok(match action {
            StepAction::SendText(t) => Prepared::Text(t),
            StepAction::Skip(why) => Prepared::Skip(why),
            StepAction::Stop(why) => Prepared::Stop(why),
            StepAction::SendTemplate {
                template_id,
                variables,
            } => match self
                .render_template(template_id, Some(conversation_id), &variables, false)
                .await
            {
                Ok(r) => Prepared::Template(Box::new(r)),
                Err(StoreError::NotFound) => Prepared::Skip(StepSkip::TemplateNotAvailable),
                Err(e) => return Err(e),
            },
        })
    }

    /// The lead's WhatsApp conversation, opened now when the lead has none (a lead added by
    /// hand or imported has never written).
    pub async fn conversation_for_step(&self, lead_id: Uuid) -> Result<Uuid> {
        if let Some(c) = self.lead_conversation(&self.store.db, lead_id).await? {
            return Ok(c.id);
        }
        let txn = self.store.begin_write().await?;
        if let Some(c) = self.lead_conversation(&*txn, lead_id).await? {
            return Ok(c.id);
        }
        let id = new_id();
        let at = now();
        conversation::Entity::insert(conversation::ActiveModel {
            id: Set(id),
            org_id: Set(self.org_id),
            contact_id: Set(lead_id),
            channel: Set(Channel::Whatsapp),
            mode: Set(ConversationMode::Bot),
            stage: Set(ConversationStage::New),
            needs_human: Set(false),
            priority: Set(None),
            intent: Set(None),
            assigned_user_id: Set(None),
            unread_count: Set(0),
            window_open_until: Set(None),
            last_message_at: Set(None),
            last_message_text: Set(None),
            last_message_direction: Set(None),
            last_message_author: Set(None),
            broadcast: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(&*txn)
        .await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Handles step `step` of the enrolment in one transaction: its message queued (through
    /// the send policy) or the reason it went nowhere, and the enrolment moved on — to the next
    /// step's job, completed, or stopped. A refusal by the policy stops (opted out, a person
    /// owns the conversation) or skips the step (marketing opt-out, window, limits).
    pub async fn take_step(
        &self,
        enrollment_id: Uuid,
        step: i32,
        conversation_id: Uuid,
        prepared: Prepared,
    ) -> Result<StepResult> {
        let txn = self.store.begin_write().await?;
        let Some(row) = enr::Entity::find()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::Id.eq(enrollment_id))
            .one(&*txn)
            .await?
            .filter(|r| r.status == EnrollmentStatus::Active && r.step == step)
        else {
            return Ok(StepResult::Stale);
        };
        let def = definition(&self.sequence_row(&*txn, row.sequence_id).await?)?;
        let conv = self.conversation_row(&*txn, conversation_id).await?;
        let queued = match prepared {
            Prepared::Stop(why) => Err(Err(why)),
            Prepared::Skip(why) => Err(Ok(why)),
            Prepared::Text(text) => match self.automation_may_write(&*txn, &conv).await? {
                Ok(()) => Ok(self
                    .queue_outbound(&txn, &conv, Author::Bot, None, &text, OutboundBody::Text)
                    .await?),
                Err(rule) => Err(refusal(rule)),
            },
            Prepared::Template(render) => match self
                .queue_rendered_template(&txn, Sender::Sequence, None, &conv, &render)
                .await
            {
                Ok(m) => Ok(m),
                Err(StoreError::SendRefused { refused, .. }) => Err(refusal(refused.rule)),
                Err(StoreError::Template(_)) => Err(Ok(StepSkip::TemplateNotAvailable)),
                Err(e) => return Err(e),
            },
        };
        let result = match queued {
            Err(Err(why)) => {
                let stopped = stop_rows(&*txn, self.org_id, vec![row], why).await?;
                StepResult::Stopped(stopped[0])
            }
            Err(Ok(skip)) => {
                let change = self
                    .advance(&*txn, &row, &def, conversation_id, None, Some(skip))
                    .await?;
                StepResult::Skipped(skip, change)
            }
            Ok(message) => {
                let change = self
                    .advance(&*txn, &row, &def, conversation_id, Some(message.id), None)
                    .await?;
                StepResult::Sent {
                    message_id: message.id,
                    conversation_id,
                    change,
                }
            }
        };
        txn.commit().await?;
        Ok(result)
    }

    /// The send policy for a sequence's text (`Sender::Sequence`).
    async fn automation_may_write(
        &self,
        db: &impl ConnectionTrait,
        conv: &conversation::Model,
    ) -> Result<std::result::Result<(), SendRule>> {
        let lead = self.contact_row(db, conv.contact_id).await?;
        let to = Recipient {
            opted_out: lead.opted_out,
            marketing_opted_out: lead.marketing_opt_out,
            mode: conv.mode,
            window: window_of(conv),
            last_lead_message_at: conv
                .window_open_until
                .map(|until| until - chrono::Duration::hours(24)),
            unanswered: 0,
            bot_messages_last_hour: 0,
            budget: u32::MAX,
            local_time: None,
        };
        Ok(
            send_policy::may_send(Outgoing::free_form(Sender::Sequence), &to, None, now())
                .map_err(|r| r.rule),
        )
    }

    /// The enrolment past its current step: the next one's job, or completed.
    async fn advance(
        &self,
        db: &impl ConnectionTrait,
        row: &enr::Model,
        def: &SequenceDefinition,
        conversation_id: Uuid,
        message_id: Option<Uuid>,
        skip: Option<StepSkip>,
    ) -> Result<EnrollmentChange> {
        let next = row.step + 1;
        let last = next as usize >= def.steps.len();
        let (status, _) = next_status(row.status, EnrollmentEvent::StepDone { last })
            .unwrap_or((row.status, None));
        let at = now();
        let (due, job_id) = match step_due(&def.steps, next as usize, at) {
            Some(due) if !last => (
                Some(due),
                Some(enqueue_step(db, self.org_id, row.id, next, due).await?),
            ),
            _ => (None, None),
        };
        let mut update = enr::Entity::update_many()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::Id.eq(row.id))
            .filter(enr::Column::Step.eq(row.step))
            .col_expr(enr::Column::Status, Expr::value(status))
            .col_expr(enr::Column::Step, Expr::value(next))
            .col_expr(enr::Column::NextStepAt, Expr::value(due))
            .col_expr(enr::Column::JobId, Expr::value(job_id))
            .col_expr(enr::Column::ConversationId, Expr::value(conversation_id))
            .col_expr(enr::Column::LastSkip, Expr::value(skip))
            .col_expr(enr::Column::UpdatedAt, Expr::value(at));
        if let Some(m) = message_id {
            update = update.col_expr(enr::Column::LastMessageId, Expr::value(m));
        }
        if last {
            update = update.col_expr(enr::Column::EndedAt, Expr::value(at));
        }
        update.exec(db).await?;
        Ok(EnrollmentChange {
            enrollment_id: row.id,
            sequence_id: row.sequence_id,
            lead_id: row.lead_id,
            status,
        })
    }

    /// The enrolment stops before its step (a stop condition held, the lead opted out, a
    /// person owns the conversation), if it is still at that step.
    pub async fn stop_at_step(
        &self,
        enrollment_id: Uuid,
        step: i32,
        why: StopReason,
    ) -> Result<Option<EnrollmentChange>> {
        let txn = self.store.begin_write().await?;
        let rows = enr::Entity::find()
            .filter(enr::Column::OrgId.eq(self.org_id))
            .filter(enr::Column::Id.eq(enrollment_id))
            .filter(enr::Column::Step.eq(step))
            .all(&*txn)
            .await?;
        let stopped = stop_rows(&*txn, self.org_id, rows, why).await?;
        txn.commit().await?;
        Ok(stopped.into_iter().next())
    }
}

/// A send policy refusal as the enrolment takes it: `Err` stops it, `Ok` skips the step.
fn refusal(rule: SendRule) -> std::result::Result<StepSkip, StopReason> {
    match rule {
        SendRule::OptedOut => Err(StopReason::OptedOut),
        SendRule::HumanLock => Err(StopReason::Handoff),
        SendRule::MarketingOptedOut => Ok(StepSkip::MarketingOptedOut),
        SendRule::WindowClosed => Ok(StepSkip::WindowClosed),
        _ => Ok(StepSkip::Refused),
    }
}

impl OrgScope<'_> {
    /// An automation's `start_sequence`: the lead enrolled in one transaction. The run log is
    /// the record (no audit entry: no person did it).
    pub async fn automation_enroll(
        &self,
        sequence_id: Uuid,
        lead_id: Uuid,
    ) -> Result<EnrollOutcome> {
        let txn = self.store.begin_write().await?;
        let source = EnrollSource::Automation;
        let out = enroll(&*txn, self.org_id, sequence_id, &[lead_id], source).await?;
        txn.commit().await?;
        self.store.wake_workers().await;
        Ok(out)
    }

    /// An automation's `stop_sequence`: the lead's active enrolment stopped (`manual`).
    pub async fn automation_stop_sequence(
        &self,
        lead_id: Uuid,
    ) -> Result<Option<EnrollmentChange>> {
        let txn = self.store.begin_write().await?;
        let stopped = stop_active(&*txn, self.org_id, lead_id, StopReason::Manual).await?;
        txn.commit().await?;
        Ok(stopped)
    }
}
