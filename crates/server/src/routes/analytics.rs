//! Analytics: the dashboard's key numbers and the reports of the Analytics page, each also as
//! CSV. Every member may read them (viewers included); they read the caller's organisation's
//! rollups only, so another organisation's figures are never in reach.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Member};
use crate::routes::leads::LeadListParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use closer_domain::analytics::{Report, ReportInterval};
use closer_domain::reports::{
    AgentReport, CostsReport, DashboardStats, FunnelReport, PeakHoursReport, SentimentReport,
    SourcesReport, VolumeReport,
};
use closer_store::analytics::{EmptyPeriod, ReportQuery, ReportView};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// RFC 3339. Default: midnight (in the organisation's timezone) 29 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339, exclusive. Default: now.
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// RFC 3339. Default: midnight (in the organisation's timezone) 29 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339, exclusive. Default: now.
    pub to: Option<DateTime<Utc>>,
    /// How series are bucketed (days, weeks from Monday, months) in the organisation's
    /// timezone. Default: day.
    #[param(inline)]
    pub interval: Option<ReportInterval>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FunnelParams {
    /// RFC 3339. Default: midnight (in the organisation's timezone) 29 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// RFC 3339, exclusive. Default: now.
    pub to: Option<DateTime<Utc>>,
    /// How the CSV's series would be bucketed; the funnel has none (accepted for the
    /// reports' common parameters).
    #[param(inline)]
    pub interval: Option<ReportInterval>,
    /// A saved view's id: only the leads its filter and search select are counted (another
    /// member's private view or another organisation's view is not found: 404).
    pub view_id: Option<String>,
}

impl ReportParams {
    fn query(&self) -> ReportQuery {
        ReportQuery {
            from: self.from,
            to: self.to,
            interval: self.interval.unwrap_or(ReportInterval::Day),
        }
    }
}

fn empty_period(_: EmptyPeriod) -> ApiError {
    ApiError::field("to", "must be after `from`")
}

/// The key numbers of the period (default: the last 30 days) against the period of equal
/// length before it, and the conversations waiting for a person now.
#[utoipa::path(get, path = "/dashboard/stats", tag = "analytics", params(PeriodParams),
    security(("bearer" = [])),
    responses((status = 200, body = DashboardStats), (status = 422, body = ErrorBody)))]
pub async fn dashboard_stats(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> ApiResult<Json<DashboardStats>> {
    let scope = state.store.org(member.org_id());
    let stats = scope.dashboard_stats(p.from, p.to).await?;
    Ok(Json(stats.map_err(empty_period)?))
}

async fn report(
    state: &AppState,
    member: &Member,
    report: Report,
    p: &ReportParams,
) -> ApiResult<ReportView> {
    let scope = state.store.org(member.org_id());
    scope.report(report, p.query()).await?.map_err(empty_period)
}

/// Leads, conversations, messages and bookings per bucket.
#[utoipa::path(get, path = "/analytics/volume", tag = "analytics", params(ReportParams),
    security(("bearer" = [])),
    responses((status = 200, body = VolumeReport), (status = 422, body = ErrorBody)))]
pub async fn volume(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    Ok(json(report(&state, &member, Report::Volume, &p).await?))
}

/// The pipeline funnel: leads entering each stage for the first time in the period, how many
/// of them have moved on since, and the median time in the stage — of every lead, or of the
/// leads a saved view selects.
#[utoipa::path(get, path = "/analytics/funnel", tag = "analytics", params(FunnelParams),
    security(("bearer" = [])),
    responses((status = 200, body = FunnelReport), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn funnel(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<FunnelParams>,
) -> ApiResult<Response> {
    Ok(json(funnel_view(&state, &member, &p).await?))
}

async fn funnel_view(state: &AppState, member: &Member, p: &FunnelParams) -> ApiResult<ReportView> {
    let Some(view_id) = p
        .view_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        let q = ReportParams {
            from: p.from,
            to: p.to,
            interval: p.interval,
        };
        return report(state, member, Report::Funnel, &q).await;
    };
    let list = LeadListParams {
        view_id: Some(view_id.to_owned()),
        ..Default::default()
    };
    let (leads, _) = crate::routes::lead_data::selection(&state.store, member, &list).await?;
    let scope = state.store.org(member.org_id());
    let funnel = scope.funnel_of_leads(p.from, p.to, &leads).await?;
    Ok(ReportView::Funnel(funnel.map_err(empty_period)?))
}

/// Lead messages by weekday and hour in the organisation's timezone.
#[utoipa::path(get, path = "/analytics/peak-hours", tag = "analytics", params(ReportParams),
    security(("bearer" = [])),
    responses((status = 200, body = PeakHoursReport), (status = 422, body = ErrorBody)))]
pub async fn peak_hours(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    Ok(json(report(&state, &member, Report::PeakHours, &p).await?))
}

/// Lead sources and click-to-WhatsApp ads: leads, qualified, won and what they cost.
#[utoipa::path(get, path = "/analytics/sources", tag = "analytics", params(ReportParams),
    security(("bearer" = [])),
    responses((status = 200, body = SourcesReport), (status = 422, body = ErrorBody)))]
pub async fn sources(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    Ok(json(report(&state, &member, Report::Sources, &p).await?))
}

/// The leads' sentiment per bucket, as the agent's decisions read it.
#[utoipa::path(get, path = "/analytics/sentiment", tag = "analytics", params(ReportParams),
    security(("bearer" = [])),
    responses((status = 200, body = SentimentReport), (status = 422, body = ErrorBody)))]
pub async fn sentiment(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    Ok(json(report(&state, &member, Report::Sentiment, &p).await?))
}

/// The agent's work: decisions by engine and reason, hand-offs, knowledge, guardrail
/// repairs, tokens and model cost.
#[utoipa::path(get, path = "/analytics/agent", tag = "analytics", params(ReportParams),
    security(("bearer" = [])),
    responses((status = 200, body = AgentReport), (status = 422, body = ErrorBody)))]
pub async fn agent(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    Ok(json(report(&state, &member, Report::Agent, &p).await?))
}

/// Meta's charges and the model's per bucket, per conversation and per won lead.
#[utoipa::path(get, path = "/analytics/costs", tag = "analytics", params(ReportParams),
    security(("bearer" = [])),
    responses((status = 200, body = CostsReport), (status = 422, body = ErrorBody)))]
pub async fn costs(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ReportParams>,
) -> ApiResult<Response> {
    Ok(json(report(&state, &member, Report::Costs, &p).await?))
}

/// Any report as CSV: `file` is `{report}.csv` (`volume.csv`, `peak-hours.csv`, …), with the
/// report's parameters (`view_id` for the funnel only).
#[utoipa::path(get, path = "/analytics/{file}", tag = "analytics",
    params(("file" = String, Path, description = "`{report}.csv`: volume, funnel, peak-hours, sources, sentiment, agent or costs"), FunnelParams),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn csv_export(
    State(state): State<AppState>,
    member: Member,
    Path(file): Path<String>,
    ApiQuery(p): ApiQuery<FunnelParams>,
) -> ApiResult<Response> {
    let name = file.strip_suffix(".csv").ok_or(ApiError::NotFound)?;
    let which: Report = name.parse().map_err(|_| ApiError::NotFound)?;
    let view = match which {
        Report::Funnel => funnel_view(&state, &member, &p).await?,
        _ => {
            let q = ReportParams {
                from: p.from,
                to: p.to,
                interval: p.interval,
            };
            report(&state, &member, which, &q).await?
        }
    };
    let body = crate::analytics_csv::render(&view).map_err(|e| ApiError::Internal(e.into()))?;
    let disposition = format!("attachment; filename=\"{}.csv\"", which.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

fn json(view: ReportView) -> Response {
    match view {
        ReportView::Volume(r) => Json(r).into_response(),
        ReportView::Funnel(r) => Json(r).into_response(),
        ReportView::PeakHours(r) => Json(r).into_response(),
        ReportView::Sources(r) => Json(r).into_response(),
        ReportView::Sentiment(r) => Json(r).into_response(),
        ReportView::Agent(r) => Json(r).into_response(),
        ReportView::Costs(r) => Json(r).into_response(),
    }
}
