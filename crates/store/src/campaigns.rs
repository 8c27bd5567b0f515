//! Campaigns (broadcasts): the settings (CRUD, edits only before start), the audience frozen
//! into `campaign_recipients` at start, the status transitions of `closer_domain::campaigns`,
//! and — in the submodules — the pre-flight, the sender's claims and outcomes, delivery
//! statuses and replies, and the stats.

mod audience;
mod delivery;
mod sender;
mod stats;

pub use audience::{PlannedRecipient, Preflight, PreflightLimit, PreflightTemplate, unmapped};
pub use sender::{Claim, ClaimedSend, SendOutcome, SlotAnswer};
pub use stats::{CampaignStats, RecipientItem, RecipientPage};

pub(crate) use delivery::{awaiting_reply, note_delivery, note_replies};

use crate::audit::{self, Actor};
use crate::entities::{campaign, campaign_recipient, job};
use crate::error::{Result, StoreError};
use crate::jobs::JobPayload;
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::campaigns::{
    Audience, CampaignCommand, CampaignRef, CampaignStatus, Pacing, PausedReason, RecipientReason,
    RecipientStatus, RetryPolicy, Schedule, transition,
};
use closer_domain::templates::VariableMapping;
use closer_domain::work::{JobKind, JobStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

pub type Variables = BTreeMap<String, VariableMapping>;

/// Why a campaign change was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CampaignError {
    /// The command does not apply in the campaign's status (edits after start, a resume of
    /// a running one).
    #[error("the campaign is {0}: that is not possible now")]
    Status(CampaignStatus),
    /// Template placeholders with no mapping in the campaign or the template.
    #[error("some template variables have no mapping: {}", .0.join(", "))]
    Unmapped(Vec<String>),
    /// The pre-flight found something that blocks a start.
    #[error("the campaign cannot start: {0}")]
    Blocked(closer_domain::campaigns::PreflightIssue),
    /// More recipients than the messaging limit has room for, and the start did not confirm.
    #[error("{recipients} recipients but room for {remaining} in the rolling 24 hours")]
    OverLimit { recipients: u64, remaining: u64 },
}

/// A campaign's settings as written (checked by the caller).
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: String,
    pub template_id: Option<Uuid>,
    pub variables: Option<Variables>,
    pub audience: Audience,
    pub schedule: Schedule,
    pub pacing: Pacing,
    pub retry: RetryPolicy,
    pub sequence_id: Option<Uuid>,
}

/// A campaign as the API shows it (its stats come separately).
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignRecord {
    pub id: Uuid,
    pub name: String,
    pub status: CampaignStatus,
    pub template_id: Option<Uuid>,
    /// The campaign's own mapping (`None`: the template's).
    pub variables: Option<Variables>,
    pub audience: Audience,
    pub schedule: Schedule,
    pub pacing: Pacing,
    pub retry: RetryPolicy,
    pub sequence_id: Option<Uuid>,
    pub paused_reason: Option<PausedReason>,
    pub excluded: BTreeMap<RecipientReason, u64>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub(crate) next_slot_ms: i64,
    pub(crate) template_error_streak: i32,
}

impl CampaignRecord {
    pub fn as_ref(&self) -> CampaignRef {
        CampaignRef {
            id: self.id,
            name: self.name.clone(),
            status: self.status,
            paused_reason: self.paused_reason,
        }
    }
}

/// A campaign as stored. A document this version cannot read is an error: a default
/// audience, schedule or pacing would send to other leads, at another time or pace.
fn record(m: campaign::Model) -> Result<CampaignRecord> {
    use crate::stored::{optional, or_default};
    Ok(CampaignRecord {
        id: m.id,
        name: m.name,
        status: m.status,
        template_id: m.template_id,
        variables: optional("campaign's template variables", m.variables)?,
        audience: or_default("campaign's audience", m.audience)?,
        schedule: or_default("campaign's schedule", m.schedule)?,
        pacing: or_default("campaign's pacing", m.pacing)?,
        retry: or_default("campaign's retry policy", m.retry)?,
        sequence_id: m.sequence_id,
        paused_reason: m.paused_reason,
        excluded: or_default("campaign's exclusions", m.excluded)?,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
        started_at: m.started_at,
        paused_at: m.paused_at,
        completed_at: m.completed_at,
        cancelled_at: m.cancelled_at,
        next_slot_ms: m.next_slot_ms,
        template_error_streak: m.template_error_streak,
    })
}

fn settings_doc(input: &CampaignInput) -> Value {
    json!({
        "name": input.name, "template_id": input.template_id, "audience": input.audience,
        "schedule": input.schedule, "pacing": input.pacing, "retry": input.retry,
        "sequence_id": input.sequence_id,
    })
}

/// The one job that sends a campaign: keyed by the campaign (the jobs' `conversation_id`
/// serialises jobs with one key), so one replica at a time sends it, and a restart or a lost
/// worker hands it to another.
pub(crate) async fn enqueue_sender(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    campaign_id: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    let waiting = job::Entity::find()
        .select_only()
        .column(job::Column::Id)
        .filter(job::Column::OrgId.eq(org_id))
        .filter(job::Column::ConversationId.eq(campaign_id))
        .filter(job::Column::Kind.eq(JobKind::CampaignSend))
        .filter(job::Column::Status.eq(JobStatus::Pending))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    match waiting {
        // One waits already: it runs no later than asked.
        Some(id) => {
            job::Entity::update_many()
                .filter(job::Column::Id.eq(id))
                .filter(job::Column::RunAt.gt(at))
                .col_expr(job::Column::RunAt, Expr::value(at))
                .exec(db)
                .await?;
        }
        None => {
            crate::jobs::enqueue(
                db,
                org_id,
                JobPayload::CampaignSend { campaign_id },
                Some(campaign_id),
                at,
            )
            .await?;
        }
    }
    Ok(())
}

impl OrgScope<'_> {
    /// The organisation this scope reads and writes.
    pub fn org_id(&self) -> Uuid {
        self.org_id
    }

    pub async fn campaign(&self, id: Uuid) -> Result<CampaignRecord> {
        record(self.campaign_row(&self.store.db, id).await?)
    }

    pub(crate) async fn campaign_row(
        &self,
        db: &impl ConnectionTrait,
        id: Uuid,
    ) -> Result<campaign::Model> {
        campaign::Entity::find()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The organisation's campaigns, newest first, after `before` (the cursor).
    pub async fn campaigns(
        &self,
        status: Option<CampaignStatus>,
        before: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<CampaignRecord>> {
        let mut q = campaign::Entity::find().filter(campaign::Column::OrgId.eq(self.org_id));
        if let Some(s) = status {
            q = q.filter(campaign::Column::Status.eq(s));
        }
        if let Some(b) = before {
            q = q.filter(campaign::Column::Id.lt(b));
        }
        let rows = q
            .order_by_desc(campaign::Column::Id)
            .limit(limit)
            .all(&self.store.db)
            .await?;
        rows.into_iter().map(record).collect()
    }

    pub async fn create_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
    ) -> Result<CampaignRecord> {
        let txn = self.store.begin_write().await?;
        let at = now();
        let id = new_id();
        let model = campaign::Model {
            id,
            org_id: self.org_id,
            name: input.name.clone(),
            status: CampaignStatus::Draft,
            template_id: input.template_id,
            variables: input.variables.as_ref().map(|v| json!(v)),
            audience: Some(json!(input.audience)),
            schedule: Some(json!(input.schedule)),
            pacing: Some(json!(input.pacing)),
            retry: Some(json!(input.retry)),
            sequence_id: input.sequence_id,
            paused_reason: None,
            template_error_streak: 0,
            next_slot_ms: 0,
            excluded: None,
            created_by: Some(actor.user_id),
            created_at: at,
            updated_at: at,
            started_at: None,
            paused_at: None,
            completed_at: None,
            cancelled_at: None,
        };
        campaign::Entity::insert(campaign::ActiveModel::from(model))
            .exec_without_returning(&txn)
            .await?;
        let target = format!("campaign:{id}");
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "campaign.create",
            target,
            settings_doc(input),
        )
        .await?;
        txn.commit().await?;
        self.campaign(id).await
    }

    /// New settings, while the campaign is a draft or scheduled (then its frozen audience
    /// stays as it is; only the timing, pace and message change).
    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &CampaignInput,
    ) -> Result<CampaignRecord> {
        let txn = self.store.begin_write().await?;
        let current = self.campaign_row(&txn, id).await?;
        if !current.status.editable() {
            return Err(CampaignError::Status(current.status).into());
        }
        campaign::Entity::update_many()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::Id.eq(id))
            .filter(campaign::Column::Status.eq(current.status))
            .col_expr(campaign::Column::Name, Expr::value(input.name.clone()))
            .col_expr(campaign::Column::TemplateId, Expr::value(input.template_id))
            .col_expr(
                campaign::Column::Variables,
                Expr::value(input.variables.as_ref().map(|v| json!(v))),
            )
            .col_expr(
                campaign::Column::Audience,
                Expr::value(json!(input.audience)),
            )
            .col_expr(
                campaign::Column::Schedule,
                Expr::value(json!(input.schedule)),
            )
            .col_expr(campaign::Column::Pacing, Expr::value(json!(input.pacing)))
            .col_expr(campaign::Column::Retry, Expr::value(json!(input.retry)))
            .col_expr(campaign::Column::SequenceId, Expr::value(input.sequence_id))
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now()))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "campaign.update",
            format!("campaign:{id}"),
            settings_doc(input),
        )
        .await?;
        txn.commit().await?;
        self.campaign(id).await
    }

    /// Deletes a campaign that is not sending (running or paused ones are cancelled first),
    /// with its recipients.
    pub async fn delete_campaign(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let current = self.campaign_row(&txn, id).await?;
        if matches!(
            current.status,
            CampaignStatus::Running | CampaignStatus::Paused
        ) {
            return Err(CampaignError::Status(current.status).into());
        }
        campaign_recipient::Entity::delete_many()
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(id))
            .exec(&txn)
            .await?;
        campaign::Entity::delete_many()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "campaign.delete",
            format!("campaign:{id}"),
            json!({ "name": current.name }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Moves the campaign by `cmd` if its status allows, stamping the time; the fenced
    /// update (`WHERE status = from`) makes two replicas' commands apply once.
    pub(crate) async fn move_campaign(
        &self,
        db: &impl ConnectionTrait,
        current: &campaign::Model,
        cmd: CampaignCommand,
        paused_reason: Option<PausedReason>,
    ) -> Result<Option<CampaignStatus>> {
        let Some(to) = transition(current.status, cmd) else {
            return Ok(None);
        };
        let at = now();
        let mut update = campaign::Entity::update_many()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::Id.eq(current.id))
            .filter(campaign::Column::Status.eq(current.status))
            .col_expr(campaign::Column::Status, Expr::value(to))
            .col_expr(campaign::Column::UpdatedAt, Expr::value(at));
        update = match to {
            CampaignStatus::Paused => update
                .col_expr(campaign::Column::PausedReason, Expr::value(paused_reason))
                .col_expr(campaign::Column::PausedAt, Expr::value(at)),
            CampaignStatus::Running => update
                .col_expr(
                    campaign::Column::PausedReason,
                    Expr::value(Option::<PausedReason>::None),
                )
                .col_expr(campaign::Column::TemplateErrorStreak, Expr::value(0)),
            CampaignStatus::Completed => {
                update.col_expr(campaign::Column::CompletedAt, Expr::value(at))
            }
            CampaignStatus::Cancelled => {
                update.col_expr(campaign::Column::CancelledAt, Expr::value(at))
            }
            _ => update,
        };
        let r = update.exec(db).await?;
        Ok((r.rows_affected == 1).then_some(to))
    }

    /// A person pauses, resumes or cancels. Cancelling skips every unsent recipient.
    pub async fn command_campaign(
        &self,
        actor: &Actor,
        id: Uuid,
        cmd: CampaignCommand,
    ) -> Result<CampaignRecord> {
        let txn = self.store.begin_write().await?;
        let current = self.campaign_row(&txn, id).await?;
        let reason = (cmd == CampaignCommand::Pause).then_some(PausedReason::User);
        let Some(to) = self.move_campaign(&txn, &current, cmd, reason).await? else {
            return Err(CampaignError::Status(current.status).into());
        };
        match to {
            CampaignStatus::Cancelled => {
                campaign_recipient::Entity::update_many()
                    .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
                    .filter(campaign_recipient::Column::CampaignId.eq(id))
                    .filter(
                        campaign_recipient::Column::Status
                            .is_in([RecipientStatus::Pending, RecipientStatus::Retrying]),
                    )
                    .col_expr(
                        campaign_recipient::Column::Status,
                        Expr::value(RecipientStatus::Skipped),
                    )
                    .col_expr(
                        campaign_recipient::Column::Reason,
                        Expr::value(RecipientReason::Cancelled),
                    )
                    .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now()))
                    .exec(&txn)
                    .await?;
            }
            CampaignStatus::Running => enqueue_sender(&txn, self.org_id, id, now()).await?,
            _ => {}
        }
        let action = match cmd {
            CampaignCommand::Pause => "campaign.pause",
            CampaignCommand::Resume => "campaign.resume",
            _ => "campaign.cancel",
        };
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            action,
            format!("campaign:{id}"),
            json!({ "from": current.status, "to": to }),
        )
        .await?;
        txn.commit().await?;
        self.campaign(id).await
    }

    /// The sender (or a webhook) pauses a running campaign for a reason only a person can
    /// clear. False when it was not running.
    pub async fn pause_campaign_for(&self, id: Uuid, reason: PausedReason) -> Result<bool> {
        let current = self.campaign_row(&self.store.db, id).await?;
        Ok(self
            .move_campaign(
                &self.store.db,
                &current,
                CampaignCommand::Pause,
                Some(reason),
            )
            .await?
            .is_some())
    }

    /// Running campaigns that send this template pause (Meta paused or disabled it).
    pub async fn pause_campaigns_of_template(
        &self,
        template_id: Uuid,
        reason: PausedReason,
    ) -> Result<Vec<Uuid>> {
        let running = campaign::Entity::find()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::TemplateId.eq(template_id))
            .filter(campaign::Column::Status.eq(CampaignStatus::Running))
            .all(&self.store.db)
            .await?;
        let mut paused = vec![];
        for c in running {
            let moved = self
                .move_campaign(&self.store.db, &c, CampaignCommand::Pause, Some(reason))
                .await?;
            if moved.is_some() {
                paused.push(c.id);
            }
        }
        Ok(paused)
    }
}
