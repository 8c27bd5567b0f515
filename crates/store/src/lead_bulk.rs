//! Bulk operations on leads (API.md, *CRM*, `POST /api/v1/leads/bulk`): one action applied to
//! every lead a selection matches — not one page — in chunks of [`CHUNK`] leads (keyset by
//! id, one transaction each). `affected` counts the leads that actually changed, so running
//! the same operation again affects none. Large operations run as a job and report their
//! progress on a `lead_bulk_ops` row.

use crate::audit::{self, Actor};
use crate::entities::{lead, lead_bulk_op, lead_tag, tag};
use crate::error::{Result, StoreError};
use crate::jobs::{self, JobPayload};
use crate::leads::LeadFilter;
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::leads::tag_folded;
use closer_domain::sales::LeadStatus;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

/// Leads per transaction.
pub const CHUNK: u64 = 1_000;

/// What a bulk operation does to each lead.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkAction {
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
    SetStatus(LeadStatus),
    SetOwner(Option<Uuid>),
    OptOut,
    Delete,
    /// Enrol every lead in this drip sequence (a lead in another one leaves it).
    StartSequence(Uuid),
}

impl BulkAction {
    pub fn name(&self) -> &'static str {
        match self {
            BulkAction::AddTags(_) => "add_tags",
            BulkAction::RemoveTags(_) => "remove_tags",
            BulkAction::SetStatus(_) => "set_status",
            BulkAction::SetOwner(_) => "set_owner",
            BulkAction::OptOut => "opt_out",
            BulkAction::Delete => "delete",
            BulkAction::StartSequence(_) => "start_sequence",
        }
    }
}

/// A bulk operation running as a job.
#[derive(Debug, Clone)]
pub struct BulkRecord {
    pub id: Uuid,
    pub action: String,
    pub status: String,
    pub matched: i64,
    pub processed: i64,
    pub affected: i64,
    pub error: Option<String>,
    /// What the caller asked (the request body) and who: the job reads its selection here.
    pub request: Value,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn record(m: lead_bulk_op::Model) -> BulkRecord {
    BulkRecord {
        id: m.id,
        action: m.action,
        status: m.status,
        matched: m.matched.into(),
        processed: m.processed.into(),
        affected: m.affected.into(),
        error: m.error,
        request: m.request.unwrap_or(Value::Null),
        created_by: m.created_by,
        created_at: m.created_at,
        finished_at: m.finished_at,
    }
}

impl OrgScope<'_> {
    /// Members' email addresses by id (the export's `owner_email`).
    pub async fn member_emails(&self) -> Result<std::collections::HashMap<Uuid, String>> {
        Ok(crate::entities::user::Entity::find()
            .filter(crate::entities::user::Column::OrgId.eq(self.org_id))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect())
    }

    /// How many leads a selection matches.
    pub async fn count_leads(&self, f: &LeadFilter) -> Result<u64> {
        Ok(lead::Entity::find()
            .filter(self.filter_condition(f))
            .count(&self.store.db)
            .await?)
    }

    /// Applies `action` to every lead `f` matches; `(matched, affected)`. With `progress`, the
    /// bulk operation's row is kept up to date after each chunk.
    pub async fn bulk_apply(
        &self,
        actor: &Actor,
        f: &LeadFilter,
        action: &BulkAction,
        progress: Option<Uuid>,
    ) -> Result<(u64, u64)> {
        if let BulkAction::SetOwner(o) = action {
            self.check_owner(&self.store.db, *o).await?;
        }
        // The selection is read once, up front: what it matched when the operation began is
        // what it applies to. Paging it by id instead ran the filter's tag subquery again for
        // every chunk (a thousand chunks of a million tagged leads on SQLite).
        let all: Vec<Uuid> = lead::Entity::find()
            .select_only()
            .column(lead::Column::Id)
            .filter(self.filter_condition(f))
            .order_by_asc(lead::Column::Id)
            .into_tuple()
            .all(&self.store.db)
            .await?;
        let (mut matched, mut affected) = (0u64, 0u64);
        for ids in all.chunks(CHUNK as usize) {
            matched += ids.len() as u64;
            affected += self.bulk_chunk(actor, ids, action).await?;
            if let Some(op) = progress {
                lead_bulk_op::Entity::update_many()
                    .filter(lead_bulk_op::Column::OrgId.eq(self.org_id))
                    .filter(lead_bulk_op::Column::Id.eq(op))
                    .col_expr(lead_bulk_op::Column::Processed, Expr::value(matched as i32))
                    .col_expr(lead_bulk_op::Column::Affected, Expr::value(affected as i32))
                    .exec(&self.store.db)
                    .await?;
            }
        }
        audit::record(
            &self.store.db,
            self.org_id,
            Some(actor),
            "lead.bulk",
            format!("leads:{}", action.name()),
            json!({ "action": action.name(), "matched": matched, "affected": affected }),
        )
        .await?;
        Ok((matched, affected))
    }

    async fn bulk_chunk(&self, actor: &Actor, ids: &[Uuid], action: &BulkAction) -> Result<u64> {
        let org = self.org_id;
        let in_chunk = || {
            Condition::all()
                .add(lead::Column::OrgId.eq(org))
                .add(lead::Column::Id.is_in(ids.to_vec()))
        };
        if let BulkAction::Delete = action {
            for id in ids {
                match self.delete_lead(actor, *id).await {
                    Ok(()) | Err(StoreError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
            return Ok(ids.len() as u64);
        }
        let txn = self.store.begin_write().await?;
        let at = now();
        let n = match action {
            BulkAction::AddTags(names) => {
                let tag_ids = self.tag_ids_creating(&*txn, names).await?;
                let have: HashSet<(Uuid, Uuid)> = lead_tag::Entity::find()
                    .filter(lead_tag::Column::OrgId.eq(org))
                    .filter(lead_tag::Column::ContactId.is_in(ids.to_vec()))
                    .filter(lead_tag::Column::TagId.is_in(tag_ids.clone()))
                    .all(&*txn)
                    .await?
                    .into_iter()
                    .map(|r| (r.contact_id, r.tag_id))
                    .collect();
                let mut rows = Vec::new();
                let mut changed = HashSet::new();
                for id in ids {
                    for t in &tag_ids {
                        if !have.contains(&(*id, *t)) {
                            changed.insert(*id);
                            rows.push(lead_tag::ActiveModel {
                                org_id: Set(org),
                                contact_id: Set(*id),
                                tag_id: Set(*t),
                                created_at: Set(at),
                            });
                        }
                    }
                }
                for chunk in rows.chunks(1000) {
                    lead_tag::Entity::insert_many(chunk.to_vec())
                        .exec_without_returning(&*txn)
                        .await?;
                }
                changed.len() as u64
            }
            BulkAction::RemoveTags(names) => {
                let folded: Vec<String> = names.iter().map(|n| tag_folded(n)).collect();
                let tag_ids: Vec<Uuid> = tag::Entity::find()
                    .select_only()
                    .column(tag::Column::Id)
                    .filter(tag::Column::OrgId.eq(org))
                    .filter(tag::Column::NameFolded.is_in(folded))
                    .into_tuple()
                    .all(&*txn)
                    .await?;
                if tag_ids.is_empty() {
                    0
                } else {
                    let holders: HashSet<Uuid> = lead_tag::Entity::find()
                        .filter(lead_tag::Column::OrgId.eq(org))
                        .filter(lead_tag::Column::ContactId.is_in(ids.to_vec()))
                        .filter(lead_tag::Column::TagId.is_in(tag_ids.clone()))
                        .all(&*txn)
                        .await?
                        .into_iter()
                        .map(|r| r.contact_id)
                        .collect();
                    lead_tag::Entity::delete_many()
                        .filter(lead_tag::Column::OrgId.eq(org))
                        .filter(lead_tag::Column::ContactId.is_in(ids.to_vec()))
                        .filter(lead_tag::Column::TagId.is_in(tag_ids))
                        .exec(&*txn)
                        .await?;
                    holders.len() as u64
                }
            }
            BulkAction::SetStatus(s) => {
                lead::Entity::update_many()
                    .filter(in_chunk())
                    .filter(lead::Column::LeadStatus.ne(s.as_str()))
                    .col_expr(lead::Column::LeadStatus, Expr::value(s.as_str()))
                    .col_expr(lead::Column::UpdatedAt, Expr::value(at))
                    .exec(&*txn)
                    .await?
                    .rows_affected
            }
            BulkAction::SetOwner(o) => {
                let differs = match o {
                    Some(o) => Condition::any()
                        .add(lead::Column::OwnerId.is_null())
                        .add(lead::Column::OwnerId.ne(*o)),
                    None => Condition::all().add(lead::Column::OwnerId.is_not_null()),
                };
                lead::Entity::update_many()
                    .filter(in_chunk())
                    .filter(differs)
                    .col_expr(lead::Column::OwnerId, Expr::value(*o))
                    .col_expr(lead::Column::UpdatedAt, Expr::value(at))
                    .exec(&*txn)
                    .await?
                    .rows_affected
            }
            BulkAction::OptOut => {
                // Onto the opt-out list too, source `bulk`, by the member who ran it.
                let how = crate::compliance::OptOutBy::member(
                    closer_domain::compliance::OptOutSource::Bulk,
                    actor,
                    None,
                );
                crate::compliance::opt_out_many(&*txn, self.store, org, ids, &how, at).await?
            }
            BulkAction::Delete => 0,
            BulkAction::StartSequence(sequence_id) => {
                let out = crate::sequences::enroll(
                    &*txn,
                    org,
                    *sequence_id,
                    ids,
                    closer_domain::sequences::EnrollSource::Bulk,
                )
                .await?;
                out.enrolled.len() as u64
            }
        };
        txn.commit().await?;
        Ok(n)
    }

    /// Records a large bulk operation and queues its job.
    pub async fn create_bulk_op(
        &self,
        actor: &Actor,
        action: &BulkAction,
        request: Value,
        matched: u64,
    ) -> Result<BulkRecord> {
        let txn = self.store.begin_write().await?;
        let id = new_id();
        jobs::enqueue(
            &*txn,
            self.org_id,
            JobPayload::LeadBulk { bulk_id: id },
            None,
            now(),
        )
        .await?;
        let m = lead_bulk_op::Model {
            id,
            org_id: self.org_id,
            action: action.name().into(),
            request: Some(request),
            status: "running".into(),
            matched: matched as i32,
            processed: 0,
            affected: 0,
            error: None,
            created_by: Some(actor.user_id),
            created_at: now(),
            finished_at: None,
        };
        lead_bulk_op::Entity::insert(lead_bulk_op::ActiveModel::from(m.clone()))
            .exec_without_returning(&*txn)
            .await?;
        txn.commit().await?;
        self.store.wake_workers().await;
        Ok(record(m))
    }

    pub async fn bulk_op(&self, id: Uuid) -> Result<BulkRecord> {
        lead_bulk_op::Entity::find()
            .filter(lead_bulk_op::Column::OrgId.eq(self.org_id))
            .filter(lead_bulk_op::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .map(record)
            .ok_or(StoreError::NotFound)
    }

    /// The job's end: `completed` with the final counts, or `failed` with why.
    pub async fn finish_bulk_op(
        &self,
        id: Uuid,
        outcome: std::result::Result<(u64, u64), String>,
    ) -> Result<()> {
        let mut q = lead_bulk_op::Entity::update_many()
            .filter(lead_bulk_op::Column::OrgId.eq(self.org_id))
            .filter(lead_bulk_op::Column::Id.eq(id))
            .col_expr(lead_bulk_op::Column::FinishedAt, Expr::value(now()));
        q = match outcome {
            Ok((matched, affected)) => q
                .col_expr(lead_bulk_op::Column::Status, Expr::value("completed"))
                .col_expr(lead_bulk_op::Column::Processed, Expr::value(matched as i32))
                .col_expr(lead_bulk_op::Column::Affected, Expr::value(affected as i32)),
            Err(e) => q
                .col_expr(lead_bulk_op::Column::Status, Expr::value("failed"))
                .col_expr(lead_bulk_op::Column::Error, Expr::value(e)),
        };
        q.exec(&self.store.db).await?;
        Ok(())
    }
}
