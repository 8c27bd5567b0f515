//! Background jobs, for admins: what failed for good (dead) and a retry button.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Manager, blank_as_none, parse_id};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use closer_domain::work::{JobKind, JobStatus};
use closer_store::jobs::JobItem;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobParams {
    /// Dead when not given.
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<JobStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct JobView {
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

impl From<JobItem> for JobView {
    fn from(j: JobItem) -> Self {
        JobView {
            id: j.id,
            kind: j.kind,
            conversation_id: j.conversation_id,
            status: j.status,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: j.last_error,
            run_at: j.run_at,
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

/// The organisation's jobs in one status, newest first (owner or admin).
#[utoipa::path(get, path = "/jobs", tag = "jobs", params(JobParams), security(("bearer" = [])),
    responses((status = 200, body = List<JobView>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiQuery(p): ApiQuery<JobParams>,
) -> ApiResult<Json<List<JobView>>> {
    let wanted = p.status.unwrap_or(JobStatus::Dead);
    let page = ListParams {
        limit: p.limit,
        cursor: p.cursor,
    }
    .page()?;
    let jobs = state.store.org(member.org_id()).jobs(wanted, page).await?;
    Ok(Json(List::from_page(jobs, JobView::from)))
}

/// Gives a dead job a fresh set of attempts (owner or admin); 409 unless it is dead.
#[utoipa::path(post, path = "/jobs/{id}/retry", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "job id")),
    responses((status = 200, body = JobView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<JobView>> {
    let job = state
        .store
        .org(member.org_id())
        .retry_job(parse_id(&id)?)
        .await?;
    state.store.wake_workers().await;
    Ok(Json(job.into()))
}
