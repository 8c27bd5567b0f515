//! Website scans of the knowledge base. A scan is a row the dashboard polls and a job that
//! crawls: the route queues both in one transaction, the worker moves the row through
//! `running` to `done` or `failed`, recording progress as it goes. When a scan is done its
//! chunks replace the site's earlier ones in one transaction, so the agent never sees a half
//! replaced site; FAQ entries are never touched.

use crate::agent_config::{NewKnowledge, insert_knowledge};
use crate::audit::{self, Actor};
use crate::entities::{job, knowledge_doc, knowledge_scan};
use crate::error::{Result, StoreError};
use crate::jobs::{self, JobPayload};
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::work::{JobStatus, ScanStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, SqlErr};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// The states that hold the organisation's one scan slot.
const ACTIVE: [ScanStatus; 2] = [ScanStatus::Queued, ScanStatus::Running];

/// A page the scan saw and did not store (or stored only in part), and why: a code such as
/// `robots_disallowed`, `not_relevant`, `page_limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedPage {
    pub url: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct KnowledgeScan {
    pub id: Uuid,
    pub url: String,
    pub status: ScanStatus,
    pub pages_found: i32,
    pub pages_done: i32,
    pub chunks_stored: i32,
    pub skipped: Vec<SkippedPage>,
    pub error: Option<String>,
    pub created_by: Option<(Uuid, String)>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What asking for a scan came to.
#[derive(Debug, Clone)]
pub enum ScanStart {
    Queued(KnowledgeScan),
    /// Another scan of this organisation is queued or running: this one.
    Busy(KnowledgeScan),
}

/// Where a running scan has got to.
#[derive(Debug, Clone, Default)]
pub struct ScanProgress {
    pub pages_found: i32,
    pub pages_done: i32,
    pub skipped: Vec<SkippedPage>,
}

fn scan_of(m: knowledge_scan::Model, created_by: Option<(Uuid, String)>) -> Result<KnowledgeScan> {
    Ok(KnowledgeScan {
        id: m.id,
        url: m.url,
        status: m.status,
        pages_found: m.pages_found,
        pages_done: m.pages_done,
        chunks_stored: m.chunks_stored,
        skipped: crate::stored::or_default("scan's skipped pages", m.skipped)?,
        error: m.error,
        created_by,
        created_at: m.created_at,
        started_at: m.started_at,
        finished_at: m.finished_at,
    })
}

impl OrgScope<'_> {
    async fn scans_with_names(
        &self,
        rows: Vec<knowledge_scan::Model>,
    ) -> Result<Vec<KnowledgeScan>> {
        let names = self
            .user_names(rows.iter().filter_map(|r| r.created_by))
            .await?;
        rows.into_iter()
            .map(|m| {
                let created_by = m.created_by.map(|id| {
                    let name = names.get(&id).cloned().unwrap_or_default();
                    (id, name)
                });
                scan_of(m, created_by)
            })
            .collect()
    }

    async fn active_scan(
        &self,
        db: &impl sea_orm::ConnectionTrait,
    ) -> Result<Option<knowledge_scan::Model>> {
        Ok(knowledge_scan::Entity::find()
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Status.is_in(ACTIVE))
            .one(db)
            .await?)
    }

    /// Queues a scan of `url` and the job that runs it, unless one is already under way. A
    /// scan whose job has ended without finishing it (dead after its attempts, or purged)
    /// would hold the slot forever: it is marked failed first.
    pub async fn start_knowledge_scan(&self, actor: &Actor, url: &str) -> Result<ScanStart> {
        let txn = self.store.begin_write().await?;
        if let Some(active) = self.active_scan(&*txn).await? {
            let job_alive = match active.job_id {
                Some(job_id) => job::Entity::find()
                    .filter(job::Column::OrgId.eq(self.org_id))
                    .filter(job::Column::Id.eq(job_id))
                    .one(&*txn)
                    .await?
                    .is_some_and(|j| {
                        j.status == JobStatus::Pending || j.status == JobStatus::Running
                    }),
                None => false,
            };
            if job_alive {
                drop(txn);
                return Ok(ScanStart::Busy(
                    self.scans_with_names(vec![active]).await?.remove(0),
                ));
            }
            knowledge_scan::Entity::update_many()
                .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
                .filter(knowledge_scan::Column::Id.eq(active.id))
                .col_expr(
                    knowledge_scan::Column::Status,
                    Expr::value(ScanStatus::Failed),
                )
                .col_expr(
                    knowledge_scan::Column::Error,
                    Expr::value("The scan stopped before it finished."),
                )
                .col_expr(knowledge_scan::Column::FinishedAt, Expr::value(now()))
                .exec(&*txn)
                .await?;
        }
        let id = new_id();
        let job_id = jobs::enqueue(
            &*txn,
            self.org_id,
            JobPayload::KnowledgeScan { scan_id: id },
            None,
            now(),
        )
        .await?;
        let model = knowledge_scan::Model {
            id,
            org_id: self.org_id,
            url: url.to_owned(),
            status: ScanStatus::Queued,
            pages_found: 0,
            pages_done: 0,
            chunks_stored: 0,
            skipped: Some(json!([])),
            error: None,
            job_id: Some(job_id),
            created_by: Some(actor.user_id),
            created_at: now(),
            started_at: None,
            finished_at: None,
        };
        let inserted =
            knowledge_scan::Entity::insert(knowledge_scan::ActiveModel::from(model.clone()))
                .exec_without_returning(&*txn)
                .await;
        if let Err(e) = inserted {
            // Another request took the slot between our look and our insert (PostgreSQL;
            // SQLite writers queue): the unique index said so.
            if let Some(SqlErr::UniqueConstraintViolation(_)) = e.sql_err() {
                drop(txn);
                return match self.active_scan(&self.store.db).await? {
                    Some(active) => Ok(ScanStart::Busy(
                        self.scans_with_names(vec![active]).await?.remove(0),
                    )),
                    None => Err(StoreError::Conflict(
                        "another scan started meanwhile; try again",
                    )),
                };
            }
            return Err(e.into());
        }
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "knowledge.scan",
            format!("knowledge_scan:{id}"),
            json!({ "url": url }),
        )
        .await?;
        txn.commit().await?;
        let by = Some((actor.user_id, actor.name.clone()));
        Ok(ScanStart::Queued(scan_of(model, by)?))
    }

    pub async fn knowledge_scan(&self, id: Uuid) -> Result<KnowledgeScan> {
        let row = knowledge_scan::Entity::find()
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(self.scans_with_names(vec![row]).await?.remove(0))
    }

    /// The organisation's scans, newest first.
    pub async fn knowledge_scans(&self, page: PageRequest) -> Result<Page<KnowledgeScan>> {
        let query =
            knowledge_scan::Entity::find().filter(knowledge_scan::Column::OrgId.eq(self.org_id));
        let rows = page::fetch(
            &self.store.db,
            query,
            knowledge_scan::Column::Id,
            Order::NewestFirst,
            page,
            |m| m,
            |m| m.id,
        )
        .await?;
        let next_cursor = rows.next_cursor;
        Ok(Page {
            items: self.scans_with_names(rows.items).await?,
            next_cursor,
        })
    }

    /// The worker takes up a scan: running, progress from zero (a retried attempt starts the
    /// crawl over). `None` when the scan has already finished, so there is nothing to do.
    pub async fn begin_knowledge_scan(&self, id: Uuid) -> Result<Option<KnowledgeScan>> {
        let r = knowledge_scan::Entity::update_many()
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Id.eq(id))
            .filter(knowledge_scan::Column::Status.is_in(ACTIVE))
            .col_expr(
                knowledge_scan::Column::Status,
                Expr::value(ScanStatus::Running),
            )
            .col_expr(knowledge_scan::Column::StartedAt, Expr::value(now()))
            .col_expr(knowledge_scan::Column::PagesFound, Expr::value(0))
            .col_expr(knowledge_scan::Column::PagesDone, Expr::value(0))
            .col_expr(knowledge_scan::Column::ChunksStored, Expr::value(0))
            .col_expr(knowledge_scan::Column::Skipped, Expr::value(json!([])))
            .exec(&self.store.db)
            .await?;
        if r.rows_affected == 0 {
            // Gone with its organisation, or finished by an earlier attempt.
            return match self.knowledge_scan(id).await {
                Ok(_) | Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            };
        }
        Ok(Some(self.knowledge_scan(id).await?))
    }

    /// Records how far a running scan has got, for the dashboard's progress bar.
    pub async fn record_scan_progress(&self, id: Uuid, progress: &ScanProgress) -> Result<()> {
        with_progress(knowledge_scan::Entity::update_many(), progress)
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Id.eq(id))
            .filter(knowledge_scan::Column::Status.eq(ScanStatus::Running))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// Ends a scan that could not store anything; the knowledge base stays as it was.
    pub async fn fail_knowledge_scan(
        &self,
        id: Uuid,
        error: &str,
        progress: &ScanProgress,
    ) -> Result<()> {
        let error: String = error.chars().take(1_000).collect();
        with_progress(knowledge_scan::Entity::update_many(), progress)
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Id.eq(id))
            .filter(knowledge_scan::Column::Status.is_in(ACTIVE))
            .col_expr(
                knowledge_scan::Column::Status,
                Expr::value(ScanStatus::Failed),
            )
            .col_expr(knowledge_scan::Column::Error, Expr::value(error))
            .col_expr(knowledge_scan::Column::FinishedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// Stores a finished scan: the site's earlier web entries (those whose source URL
    /// `same_site` accepts) give way to `chunks`, and the scan is done, all in one
    /// transaction. FAQ entries are never touched. Returns how many old entries went, or
    /// `None` when the scan was no longer running (finished by another attempt).
    pub async fn finish_knowledge_scan(
        &self,
        id: Uuid,
        progress: &ScanProgress,
        chunks: Vec<NewKnowledge>,
        same_site: impl Fn(&str) -> bool,
    ) -> Result<Option<usize>> {
        let at = now();
        let txn = self.store.begin_write().await?;
        let scan = knowledge_scan::Entity::find()
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Id.eq(id))
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if scan.status != ScanStatus::Running {
            return Ok(None);
        }
        let old: Vec<Uuid> = knowledge_doc::Entity::find()
            .select_only()
            .column(knowledge_doc::Column::Id)
            .column(knowledge_doc::Column::SourceUrl)
            .filter(knowledge_doc::Column::OrgId.eq(self.org_id))
            .filter(knowledge_doc::Column::Kind.eq("web"))
            .into_tuple::<(Uuid, Option<String>)>()
            .all(&*txn)
            .await?
            .into_iter()
            .filter(|(_, url)| url.as_deref().is_some_and(&same_site))
            .map(|(id, _)| id)
            .collect();
        for ids in old.chunks(500) {
            knowledge_doc::Entity::delete_many()
                .filter(knowledge_doc::Column::OrgId.eq(self.org_id))
                .filter(knowledge_doc::Column::Id.is_in(ids.iter().copied()))
                .exec(&*txn)
                .await?;
        }
        let stored = insert_knowledge(&*txn, self.org_id, chunks).await?.len();
        with_progress(knowledge_scan::Entity::update_many(), progress)
            .filter(knowledge_scan::Column::OrgId.eq(self.org_id))
            .filter(knowledge_scan::Column::Id.eq(id))
            .col_expr(
                knowledge_scan::Column::Status,
                Expr::value(ScanStatus::Done),
            )
            .col_expr(
                knowledge_scan::Column::ChunksStored,
                Expr::value(stored as i32),
            )
            .col_expr(
                knowledge_scan::Column::Error,
                Expr::value(Option::<String>::None),
            )
            .col_expr(knowledge_scan::Column::FinishedAt, Expr::value(at))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            None,
            "knowledge.scan.done",
            format!("knowledge_scan:{id}"),
            json!({ "url": scan.url, "pages": progress.pages_done, "chunks": stored, "replaced": old.len() }),
        )
        .await?;
        txn.commit().await?;
        Ok(Some(old.len()))
    }
}

/// Sets a scan's progress columns on `update`.
fn with_progress(
    update: sea_orm::UpdateMany<knowledge_scan::Entity>,
    progress: &ScanProgress,
) -> sea_orm::UpdateMany<knowledge_scan::Entity> {
    update
        .col_expr(
            knowledge_scan::Column::PagesFound,
            Expr::value(progress.pages_found),
        )
        .col_expr(
            knowledge_scan::Column::PagesDone,
            Expr::value(progress.pages_done),
        )
        .col_expr(
            knowledge_scan::Column::Skipped,
            Expr::value(json!(progress.skipped)),
        )
}
