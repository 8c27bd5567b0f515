//! The knowledge base's website scan: start one, watch its progress, look back at earlier
//! ones. The crawl itself runs as a job (`website_scan`); these routes only queue and read.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, parse_id};
use crate::routes::schema::UserRef;
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use crate::website_scan::normalise_url;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::work::ErrorCode;
use closer_domain::work::ScanStatus;
use closer_store::knowledge_scans::{KnowledgeScan, ScanStart};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// The business's website; a bare domain (`acme.example`) is read as `https://acme.example/`.
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedPageView {
    pub url: String,
    /// Why the page was left out (or only partly stored): `robots_disallowed`,
    /// `not_relevant`, `page_limit`, `time_limit`, `chunk_limit`, `not_html`, `too_large`,
    /// `no_text`, `too_complex`, `timeout`, `unreachable`, `private_address`, `other_site`,
    /// `too_many_redirects`, or `http_<status>` (e.g. `http_404`).
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ScanView {
    pub id: Uuid,
    /// The start page, normalised.
    pub url: String,
    pub status: ScanStatus,
    /// Pages the scan means to read (the start page and the links it picked).
    pub pages_found: i32,
    /// Pages read so far, stored or skipped.
    pub pages_done: i32,
    /// Knowledge entries the scan stored (when done).
    pub chunks_stored: i32,
    pub skipped: Vec<SkippedPageView>,
    /// Why the scan failed, in a sentence.
    pub error: Option<String>,
    pub created_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<KnowledgeScan> for ScanView {
    fn from(s: KnowledgeScan) -> Self {
        ScanView {
            id: s.id,
            url: s.url,
            status: s.status,
            pages_found: s.pages_found,
            pages_done: s.pages_done,
            chunks_stored: s.chunks_stored,
            skipped: s
                .skipped
                .into_iter()
                .map(|p| SkippedPageView {
                    url: p.url,
                    reason: p.reason,
                })
                .collect(),
            error: s.error,
            created_by: s.created_by.map(|(id, name)| UserRef { id, name }),
            created_at: s.created_at,
            started_at: s.started_at,
            finished_at: s.finished_at,
        }
    }
}

/// Longest the start URL's name lookup may hold the request.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Scans the business's website into the knowledge base (owner or admin): its home, pricing,
/// about, FAQ, contact and terms/refund pages, robots.txt honoured. Answers at once with the
/// queued scan; poll it for progress. When done, its pages replace the site's earlier web
/// entries; FAQ entries are kept.
#[utoipa::path(post, path = "/knowledge/scan", tag = "agent", request_body = ScanRequest, security(("bearer" = [])),
    responses((status = 202, body = ScanView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`scan_in_progress`: another scan is queued or running"),
        (status = 422, body = ErrorBody)))]
pub async fn start_scan(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<ScanRequest>,
) -> ApiResult<(StatusCode, Json<ScanView>)> {
    let url = normalise_url(&req.url).map_err(|why| ApiError::field("url", why))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    match tokio::time::timeout(LOOKUP_TIMEOUT, state.egress.check_resolved(&url)).await {
        Ok(Ok(())) => {}
        Ok(Err(closer_egress::Refused::NotPublic(_))) => {
            return Err(ApiError::field(
                "url",
                format!(
                    "{host} is a private or local address; only public websites can be scanned"
                ),
            ));
        }
        Ok(Err(why)) => return Err(ApiError::field("url", why.to_string())),
        Err(_) => {
            return Err(ApiError::field(
                "url",
                format!("{host} could not be found in time"),
            ));
        }
    }
    let started = state
        .store
        .org(member.org_id())
        .start_knowledge_scan(&member.0.user.as_actor(), url.as_str())
        .await?;
    match started {
        ScanStart::Queued(scan) => {
            state.store.wake_workers().await;
            Ok((StatusCode::ACCEPTED, Json(scan.into())))
        }
        ScanStart::Busy(scan) => Err(ApiError::Conflict {
            code: ErrorCode::ScanInProgress,
            message: format!(
                "A scan of {} is still {}; wait for it to finish.",
                scan.url, scan.status
            ),
        }),
    }
}

/// The organisation's website scans, newest first.
#[utoipa::path(get, path = "/knowledge/scans", tag = "agent", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = List<ScanView>), (status = 422, body = ErrorBody)))]
pub async fn list_scans(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<List<ScanView>>> {
    let scans = state
        .store
        .org(member.org_id())
        .knowledge_scans(p.page()?)
        .await?;
    Ok(Json(List::from_page(scans, ScanView::from)))
}

/// One scan, with its progress while it runs.
#[utoipa::path(get, path = "/knowledge/scans/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "scan id")),
    responses((status = 200, body = ScanView), (status = 404, body = ErrorBody)))]
pub async fn get_scan(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<ScanView>> {
    let scan = state
        .store
        .org(member.org_id())
        .knowledge_scan(parse_id(&id)?)
        .await?;
    Ok(Json(scan.into()))
}
