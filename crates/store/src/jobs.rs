//! The jobs table: delayed work (agent runs, sends, follow-ups) that survives restarts and is
//! shared by every replica.
//!
//! A worker claims due jobs with a lease (`running`, `lease_until`), extends the lease while it
//! works, and finishes with a fenced update (`WHERE id = ? AND attempts = ?`): a worker whose
//! lease ran out and whose job was claimed again can no longer write its outcome. Failures go
//! back to `pending` with exponential backoff and jitter until `max_attempts`, then `dead`,
//! where an admin sees them and can retry.

use crate::entities::job;
use crate::error::{Result, StoreError};
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use crate::{Backend, Store, new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::work::{JobKind, JobStatus};
use rand::Rng;
use sea_orm::ActiveValue::Set;
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// What a job does, with what it needs: one variant per `JobKind`. Stored as the `kind`
/// column plus the variant's fields as the `payload` JSON, so the worker matches on a type
/// instead of digging in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum JobPayload {
    /// Let the agent think about the conversation's unanswered lead messages.
    ProcessConversation,
    /// Hand one queued outbound message to its channel.
    SendMessage { message_id: Uuid },
    /// Check whether the lead went quiet after this decision, and nudge when allowed.
    Followup { decision_id: Uuid },
    /// Crawl the business's website into the knowledge base.
    KnowledgeScan { scan_id: Uuid },
    /// A scheduled follow-up (`followups` row) falls due.
    FollowupDue { followup_id: Uuid },
    /// A confirmed CSV import of leads runs (or resumes) to its end.
    LeadImport { import_id: Uuid },
    /// A bulk operation over more leads than one request may change.
    LeadBulk { bulk_id: Uuid },
    /// One email or push of a notification (or a password reset, an invite) goes out.
    DeliverNotification { delivery_id: Uuid },
    /// Fetch a lead's file from Meta into the media store (and transcribe a voice note).
    MediaFetch { media_id: Uuid },
    /// Play the agent tests of a run in the simulator and record the results.
    AgentTestRun { run_id: Uuid },
    /// A running (or scheduled) campaign sends its due recipients, paced.
    CampaignSend { campaign_id: Uuid },
    /// An activity-log entry the organisation's automations react to; `rule_id` names the
    /// one `no_reply_for` rule whose timer this is.
    AutomationEvent {
        activity_id: Uuid,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule_id: Option<Uuid>,
    },
    /// A delayed automation run falls due.
    AutomationRun { run_id: Uuid },
    /// Step `step` (0-based) of a lead's drip-sequence enrolment falls due.
    SequenceStep { enrollment_id: Uuid, step: i32 },
    /// Build and send a member's digest of the day (`daily_digests` row), once.
    DailyDigest { digest_id: Uuid },
    /// Delete an erased lead's files from the media store (their keys).
    MediaErase { storage_keys: Vec<String> },
}

impl JobPayload {
    pub fn kind(&self) -> JobKind {
        match self {
            JobPayload::ProcessConversation => JobKind::ProcessConversation,
            JobPayload::SendMessage { .. } => JobKind::SendMessage,
            JobPayload::Followup { .. } => JobKind::Followup,
            JobPayload::KnowledgeScan { .. } => JobKind::KnowledgeScan,
            JobPayload::FollowupDue { .. } => JobKind::FollowupDue,
            JobPayload::LeadImport { .. } => JobKind::LeadImport,
            JobPayload::LeadBulk { .. } => JobKind::LeadBulk,
            JobPayload::DeliverNotification { .. } => JobKind::DeliverNotification,
            JobPayload::MediaFetch { .. } => JobKind::MediaFetch,
            JobPayload::AgentTestRun { .. } => JobKind::AgentTestRun,
            JobPayload::CampaignSend { .. } => JobKind::CampaignSend,
            JobPayload::AutomationEvent { .. } => JobKind::AutomationEvent,
            JobPayload::AutomationRun { .. } => JobKind::AutomationRun,
            JobPayload::SequenceStep { .. } => JobKind::SequenceStep,
            JobPayload::DailyDigest { .. } => JobKind::DailyDigest,
            JobPayload::MediaErase { .. } => JobKind::MediaErase,
        }
    }

    /// The payload column: the variant's fields, or nothing for a variant without any.
    fn to_column(&self) -> Option<Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("payload").filter(|v| !v.is_null()),
            _ => None,
        }
    }

    /// Reads a stored job back; a row this version cannot read is an error the worker records
    /// on the job (it goes dead) rather than a job run with a guessed payload.
    pub fn from_columns(kind: &str, payload: Option<Value>) -> std::result::Result<Self, String> {
        let kind: JobKind = kind
            .parse()
            .map_err(|e: closer_domain::ValidationError| e.0)?;
        let mut doc = serde_json::Map::new();
        doc.insert("kind".into(), Value::String(kind.as_str().into()));
        if let Some(p) = payload {
            doc.insert("payload".into(), p);
        }
        serde_json::from_value(Value::Object(doc))
            .map_err(|e| format!("the {kind} job's payload is not readable: {e}"))
    }
}

/// A job a worker holds. `attempt` is the fence: every write about the outcome names it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Option<Uuid>,
    /// What to do, or why the stored row could not be read.
    pub payload: std::result::Result<JobPayload, String>,
    pub attempt: i32,
    pub max_attempts: i32,
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Pending again, due at this time.
    At(DateTime<Utc>),
    /// Out of attempts (or not worth retrying): dead.
    Dead,
    /// The lease was lost: another attempt owns the job now; nothing was written.
    Fenced,
}

/// A job as the admin's list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobItem {
    pub id: Uuid,
    pub kind: JobKind,
    pub conversation_id: Option<Uuid>,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<job::Model> for JobItem {
    fn from(m: job::Model) -> Self {
        JobItem {
            id: m.id,
            kind: m.kind,
            conversation_id: m.conversation_id,
            status: m.status,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            last_error: m.last_error,
            run_at: m.run_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Adds a pending job, inside the caller's transaction so the job exists exactly when the
/// change that asked for it does.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    payload: JobPayload,
    conversation_id: Option<Uuid>,
    run_at: DateTime<Utc>,
) -> Result<Uuid> {
    let row = new_job(org_id, payload, conversation_id, run_at);
    let id = *row.id.as_ref();
    job::Entity::insert(row).exec_without_returning(db).await?;
    Ok(id)
}

/// A pending job as first stored.
pub(crate) fn new_job(
    org_id: Uuid,
    payload: JobPayload,
    conversation_id: Option<Uuid>,
    run_at: DateTime<Utc>,
) -> job::ActiveModel {
    job::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org_id),
        kind: Set(payload.kind()),
        conversation_id: Set(conversation_id),
        payload: Set(payload.to_column()),
        status: Set(JobStatus::Pending),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(DEFAULT_MAX_ATTEMPTS),
        lease_until: Set(None),
        last_error: Set(None),
        locked_by: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
}

/// The wait before attempt `attempt + 1`: 2 s doubling per attempt up to 10 min, with "equal
/// jitter" (half fixed, half random) so a burst of failures does not retry in lockstep.
pub fn backoff(attempt: i32) -> Duration {
    let exp = 2_i64.saturating_pow(attempt.clamp(1, 20) as u32 - 1);
    let ceiling_ms = Ord::min(2_000_i64.saturating_mul(exp), 600_000);
    let half = ceiling_ms / 2;
    Duration::milliseconds(half + rand::thread_rng().gen_range(0..=half))
}

/// Writes `?` placeholders in the backend's dialect (`$1, $2, …` on PostgreSQL).
fn dialect(backend: Backend, sql: &str) -> String {
    match backend {
        Backend::Sqlite => sql.to_owned(),
        Backend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(ch);
                }
            }
            out
        }
    }
}

/// What a claim sets on PostgreSQL. It is planned afresh each time: a plan cached while the
/// queue was nearly empty (a new database, or before autovacuum analysed it) sorted the whole
/// queue once a surge had filled it, 8 ms a claim instead of under 1. And it commits without
/// waiting for its log to reach the disk (as a job's completion, failure and lease do, see
/// `keep_books`): a claim lost to a crash of the database leaves its job pending, to be
/// claimed again, as a worker's crash leaves it to its lease; whatever the job commits next
/// waits for the disk and takes the claim with it. In a surge, each of these waiting for a
/// flush of its own queued the webhooks' commits behind them on the log.
const CLAIM_SETTINGS_PG: &str =
    "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL synchronous_commit = off";

impl Store {
    fn statement(&self, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(
            self.db.get_database_backend(),
            dialect(self.backend(), sql),
            values,
        )
    }

    /// Claims up to `limit` due jobs for `worker`, leased for `lease`. A conversation's jobs run
    /// one at a time and in order: a job is claimable only when no job of its conversation is
    /// running and none is due before it. PostgreSQL skips rows another replica is claiming
    /// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer, taken at BEGIN. Jobs of
    /// `skip_kind` are left for later (a worker keeps long jobs from filling all its slots).
    pub async fn claim_due_jobs(
        &self,
        worker: &str,
        limit: u64,
        lease: Duration,
        skip_kind: Option<JobKind>,
    ) -> Result<Vec<ClaimedJob>> {
        let at = now();
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let skip = if skip_kind.is_some() {
            "AND j.kind <> ?"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ?, \
                 locked_by = ?, updated_at = ? \
             WHERE id IN ( \
                 SELECT j.id FROM jobs j \
                 WHERE j.status = 'pending' AND j.run_at <= ? {skip} \
                   AND (j.conversation_id IS NULL OR NOT EXISTS ( \
                       SELECT 1 FROM jobs o \
                       WHERE o.org_id = j.org_id AND o.conversation_id = j.conversation_id \
                         AND o.id <> j.id \
                         AND (o.status = 'running' \
                              OR (o.status = 'pending' AND (o.run_at < j.run_at \
                                  OR (o.run_at = j.run_at AND o.id < j.id)))))) \
                 ORDER BY j.run_at LIMIT ? {lock}) \
             RETURNING id, org_id, kind, conversation_id, payload, attempts, max_attempts"
        );
        let mut values: Vec<sea_orm::Value> =
            vec![(at + lease).into(), worker.into(), at.into(), at.into()];
        if let Some(kind) = skip_kind {
            values.push(kind.as_str().into());
        }
        values.push((limit as i64).into());
        let stmt = self.statement(&sql, values);
        let txn = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            txn.execute_unprepared(CLAIM_SETTINGS_PG).await?;
        }
        let rows = txn.query_all_raw(stmt).await?;
        txn.commit().await?;
        rows.into_iter()
            .map(|r| {
                let kind: String = r.try_get("", "kind")?;
                Ok(ClaimedJob {
                    id: r.try_get("", "id")?,
                    org_id: r.try_get("", "org_id")?,
                    conversation_id: r.try_get("", "conversation_id")?,
                    payload: JobPayload::from_columns(&kind, r.try_get("", "payload")?),
                    attempt: r.try_get("", "attempts")?,
                    max_attempts: r.try_get("", "max_attempts")?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sea_orm::DbErr>>()
            .map_err(StoreError::from)
    }

    /// Runs a job's bookkeeping `update` (done, failed, lease kept). On PostgreSQL, in a
    /// transaction that commits without waiting for its log to reach the disk: lost to a crash
    /// of the database, the job is still running and its lease runs out, as after a worker's
    /// crash, and it runs again on what it committed (see [`CLAIM_SETTINGS_PG`]).
    async fn keep_books(&self, update: sea_orm::UpdateMany<job::Entity>) -> Result<u64> {
        use sea_orm::TransactionTrait;
        if self.backend() == Backend::Sqlite {
            return Ok(update.exec(&self.db).await?.rows_affected);
        }
        let txn = self.db.begin().await?;
        txn.execute_unprepared("SET LOCAL synchronous_commit = off")
            .await?;
        let r = update.exec(&txn).await?;
        txn.commit().await?;
        Ok(r.rows_affected)
    }

    /// The fenced update every outcome goes through: it touches the job only while this attempt
    /// still holds it.
    fn fenced(job: &ClaimedJob) -> sea_orm::UpdateMany<job::Entity> {
        job::Entity::update_many()
            .filter(job::Column::Id.eq(job.id))
            .filter(job::Column::Attempts.eq(job.attempt))
            .filter(job::Column::Status.eq(JobStatus::Running))
            .col_expr(job::Column::UpdatedAt, Expr::value(now()))
    }

    /// Keeps the lease alive while a long job runs; false when the job is no longer ours.
    pub async fn extend_lease(&self, job: &ClaimedJob, lease: Duration) -> Result<bool> {
        let update =
            Self::fenced(job).col_expr(job::Column::LeaseUntil, Expr::value(now() + lease));
        Ok(self.keep_books(update).await? == 1)
    }

    /// Marks the job done; false when the lease was lost and another attempt owns it.
    pub async fn complete_job(&self, job: &ClaimedJob) -> Result<bool> {
        let update = Self::fenced(job)
            .col_expr(job::Column::Status, Expr::value(JobStatus::Done))
            .col_expr(
                job::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        Ok(self.keep_books(update).await? == 1)
    }

    /// Records a failed attempt: pending again after a backoff, or dead when `retryable` is
    /// false or the attempts are used up.
    pub async fn fail_job(&self, job: &ClaimedJob, error: &str, retryable: bool) -> Result<Retry> {
        let error: String = error.chars().take(2_000).collect();
        let (update, outcome) = if retryable && job.attempt < job.max_attempts {
            let at = now() + backoff(job.attempt);
            (
                Self::fenced(job)
                    .col_expr(job::Column::Status, Expr::value(JobStatus::Pending))
                    .col_expr(job::Column::RunAt, Expr::value(at)),
                Retry::At(at),
            )
        } else {
            (
                Self::fenced(job).col_expr(job::Column::Status, Expr::value(JobStatus::Dead)),
                Retry::Dead,
            )
        };
        let update = update
            .col_expr(job::Column::LastError, Expr::value(error))
            .col_expr(
                job::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        Ok(if self.keep_books(update).await? == 1 {
            outcome
        } else {
            Retry::Fenced
        })
    }

    /// When the next pending job falls due, so an idle worker sleeps exactly that long.
    pub async fn next_job_due(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(job::Entity::find()
            .select_only()
            .column(job::Column::RunAt)
            .filter(job::Column::Status.eq(JobStatus::Pending))
            .order_by_asc(job::Column::RunAt)
            .limit(1)
            .into_tuple::<DateTime<Utc>>()
            .one(&self.db)
            .await?)
    }

    /// Jobs whose worker vanished (crash, kill -9, lost network) hold a lease that runs out:
    /// they go back to pending, or to dead once their attempts are used up.
    pub async fn reap_expired_leases(&self) -> Result<u64> {
        let at = now();
        let expired = || {
            job::Entity::update_many()
                .filter(job::Column::Status.eq(JobStatus::Running))
                .filter(job::Column::LeaseUntil.lt(at))
                .col_expr(job::Column::UpdatedAt, Expr::value(at))
                .col_expr(
                    job::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    job::Column::LastError,
                    Expr::value("the worker's lease ran out before it finished"),
                )
        };
        let dead = expired()
            .filter(Expr::col(job::Column::Attempts).gte(Expr::col(job::Column::MaxAttempts)))
            .col_expr(job::Column::Status, Expr::value(JobStatus::Dead))
            .exec(&self.db)
            .await?;
        let again = expired()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Pending))
            .col_expr(job::Column::RunAt, Expr::value(at))
            .exec(&self.db)
            .await?;
        Ok(dead.rows_affected + again.rows_affected)
    }

    /// Forgets finished jobs older than `age`; dead ones stay until an admin acts on them.
    pub async fn purge_finished_jobs(&self, age: Duration) -> Result<u64> {
        let r = job::Entity::delete_many()
            .filter(job::Column::Status.is_in([JobStatus::Done, JobStatus::Cancelled]))
            .filter(job::Column::UpdatedAt.lt(now() - age))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected)
    }

    /// Takes or renews the lease named `name` for `holder`; true while `holder` leads. Replicas
    /// call this on a timer, so exactly one runs the scheduler and another takes over within
    /// `ttl` of the leader vanishing.
    pub async fn try_lead(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        let at = now();
        let insert = self.statement(
            "INSERT INTO leader_leases (name, holder, lease_until) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO NOTHING",
            vec![name.into(), holder.into(), (at + ttl).into()],
        );
        if self.db.execute_raw(insert).await?.rows_affected() == 1 {
            return Ok(true);
        }
        let renew = self.statement(
            "UPDATE leader_leases SET holder = ?, lease_until = ? \
             WHERE name = ? AND (holder = ? OR lease_until < ?)",
            vec![
                holder.into(),
                (at + ttl).into(),
                name.into(),
                holder.into(),
                at.into(),
            ],
        );
        Ok(self.db.execute_raw(renew).await?.rows_affected() == 1)
    }
}

impl OrgScope<'_> {
    /// The organisation's jobs in one status, newest first (admins look at `dead` ones).
    pub async fn jobs(&self, status: JobStatus, page: PageRequest) -> Result<Page<JobItem>> {
        let query = job::Entity::find()
            .filter(job::Column::OrgId.eq(self.org_id))
            .filter(job::Column::Status.eq(status));
        Ok(page::fetch(
            &self.store.db,
            query,
            job::Column::Id,
            Order::NewestFirst,
            page,
            JobItem::from,
            |j| j.id,
        )
        .await?)
    }

    /// Gives a dead job a fresh set of attempts, due now.
    pub async fn retry_job(&self, id: Uuid) -> Result<JobItem> {
        let r = job::Entity::update_many()
            .filter(job::Column::OrgId.eq(self.org_id))
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::Status.eq(JobStatus::Dead))
            .col_expr(job::Column::Status, Expr::value(JobStatus::Pending))
            .col_expr(job::Column::RunAt, Expr::value(now()))
            .col_expr(
                job::Column::MaxAttempts,
                Expr::col(job::Column::Attempts).add(DEFAULT_MAX_ATTEMPTS),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        let found = job::Entity::find()
            .filter(job::Column::OrgId.eq(self.org_id))
            .filter(job::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        if r.rows_affected == 0 {
            return Err(StoreError::Conflict("only a dead job can be retried"));
        }
        Ok(found.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        for attempt in 1..30 {
            let d = backoff(attempt).num_milliseconds();
            let ceiling = Ord::min(
                2_000_i64 * 2_i64.pow((Ord::min(attempt, 20) - 1) as u32),
                600_000,
            );
            assert!(
                d >= ceiling / 2 && d <= ceiling,
                "attempt {attempt}: {d} ms"
            );
        }
    }

    #[test]
    fn payloads_round_trip_through_their_columns() {
        let id = Uuid::now_v7();
        for p in [
            JobPayload::ProcessConversation,
            JobPayload::SendMessage { message_id: id },
            JobPayload::Followup { decision_id: id },
            JobPayload::KnowledgeScan { scan_id: id },
            JobPayload::FollowupDue { followup_id: id },
            JobPayload::DeliverNotification { delivery_id: id },
        ] {
            let back = JobPayload::from_columns(p.kind().as_str(), p.to_column()).unwrap();
            assert_eq!(back, p);
        }
        assert_eq!(JobPayload::ProcessConversation.to_column(), None);
        assert!(JobPayload::from_columns("fax", None).is_err());
        assert!(JobPayload::from_columns("send_message", None).is_err());
        assert!(
            JobPayload::from_columns("send_message", Some(serde_json::json!({"message_id": 3})))
                .is_err()
        );
    }

    #[test]
    fn placeholders_follow_the_backend() {
        assert_eq!(
            dialect(Backend::Postgres, "a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(dialect(Backend::Sqlite, "a = ?"), "a = ?");
    }
}
