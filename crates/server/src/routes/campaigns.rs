//! Campaigns (broadcasts): settings (owner/admin write, everyone reads), the pre-flight, the
//! start that freezes the audience, pause / resume / cancel, the recipients (also as CSV) and
//! the stats. The rules are `closer_domain::campaigns`; sending is `crate::campaign_run`.

use crate::campaign_run::announce_updated;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, blank_as_none, parse_id};
use crate::routes::leads::LeadListParams;
use crate::routes::schema::List;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use closer_domain::campaigns::{
    Audience, CampaignCommand, CampaignStatus, DEFAULT_NUMBER_RATE, Pacing, PausedReason,
    PreflightIssue, RecipientCounts, RecipientReason, RecipientStatus, RetryPolicy, Schedule,
    TagsMatch,
};
use closer_domain::contact_points::Phone;
use closer_domain::messaging::QualityRating;
use closer_domain::send_policy::TemplateCategory;
use closer_domain::templates::{TemplateStatus, VariableMapping};
use closer_store::campaigns::{
    CampaignError, CampaignInput, CampaignRecord, CampaignStats, PlannedRecipient, Preflight,
    RecipientItem, unmapped,
};
use closer_store::leads::LeadFilter;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

// ----- views -----

#[derive(Serialize, ToSchema)]
pub struct CampaignCost {
    pub currency: String,
    /// What the reached and remaining recipients cost at the rate card's price.
    pub estimated: f64,
    /// What Meta's pricing on the status webhooks says was billed.
    pub billed: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignRates {
    /// Of those Meta took (sent and beyond).
    pub delivered: f64,
    pub read: f64,
    pub replied: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignStatsView {
    /// Recipients to send to (the audience less those excluded).
    pub recipients: u64,
    /// Excluded at start, by reason.
    pub excluded: BTreeMap<RecipientReason, u64>,
    pub counts: RecipientCounts,
    pub rates: CampaignRates,
    pub cost: CampaignCost,
    pub sends_per_second: f64,
    pub eta_seconds: Option<u64>,
}

fn stats_view(s: CampaignStats) -> CampaignStatsView {
    CampaignStatsView {
        recipients: s.recipients,
        excluded: s.excluded,
        counts: s.counts,
        rates: CampaignRates {
            delivered: s.delivered_rate,
            read: s.read_rate,
            replied: s.replied_rate,
        },
        cost: CampaignCost {
            currency: s.currency,
            estimated: s.estimated_cost,
            billed: s.billed_cost,
        },
        sends_per_second: s.sends_per_second,
        eta_seconds: s.eta_seconds,
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignView {
    pub id: Uuid,
    pub name: String,
    pub status: CampaignStatus,
    pub template_id: Option<Uuid>,
    /// The campaign's own mapping; `null`: the template's.
    pub variables: Option<BTreeMap<String, VariableMapping>>,
    pub audience: Audience,
    pub schedule: Schedule,
    pub pacing: Pacing,
    pub retry: RetryPolicy,
    pub sequence_id: Option<Uuid>,
    pub paused_reason: Option<PausedReason>,
    pub stats: CampaignStatsView,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

async fn view(state: &AppState, org_id: Uuid, c: CampaignRecord) -> ApiResult<CampaignView> {
    let stats = state.store.org(org_id).campaign_stats(&c).await?;
    Ok(CampaignView {
        stats: stats_view(stats),
        id: c.id,
        name: c.name,
        status: c.status,
        template_id: c.template_id,
        variables: c.variables,
        audience: c.audience,
        schedule: c.schedule,
        pacing: c.pacing,
        retry: c.retry,
        sequence_id: c.sequence_id,
        paused_reason: c.paused_reason,
        created_by: c.created_by,
        created_at: c.created_at,
        updated_at: c.updated_at,
        started_at: c.started_at,
        paused_at: c.paused_at,
        completed_at: c.completed_at,
        cancelled_at: c.cancelled_at,
    })
}

// ----- settings -----

/// A campaign's settings as written. Only `name` is required to save a draft.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    pub name: String,
    pub template_id: Option<Uuid>,
    /// `{placeholder: {source, key, fallback}}`; `null`: the template's own mapping.
    pub variables: Option<BTreeMap<String, VariableMapping>>,
    #[serde(default)]
    pub audience: Audience,
    #[serde(default)]
    pub schedule: Schedule,
    pub pacing: Option<PacingBody>,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// A drip sequence each recipient joins once sent.
    pub sequence_id: Option<Uuid>,
}

/// `pacing` with either part left to its default.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PacingBody {
    pub rate_per_second: Option<u32>,
    pub recipient_gap_seconds: Option<u32>,
}

/// The number's rate, which caps a campaign's (`send_rate_per_second`).
async fn number_rate(state: &AppState, org_id: Uuid) -> ApiResult<u32> {
    let scope = state.store.org(org_id);
    Ok(match scope.whatsapp().await? {
        Some(a) => scope.number_rate(&a.phone_number_id).await?,
        None => DEFAULT_NUMBER_RATE,
    })
}

/// Checks the body: 422 names every field that is wrong, 422 `unmapped_variables` for
/// template placeholders with no mapping.
async fn checked(state: &AppState, member: &Member, b: CampaignBody) -> ApiResult<CampaignInput> {
    let org_id = member.org_id();
    let scope = state.store.org(org_id);
    let rate = number_rate(state, org_id).await?;
    let pacing = Pacing {
        rate_per_second: b
            .pacing
            .as_ref()
            .and_then(|p| p.rate_per_second)
            .unwrap_or(rate),
        recipient_gap_seconds: b
            .pacing
            .as_ref()
            .and_then(|p| p.recipient_gap_seconds)
            .unwrap_or(closer_domain::campaigns::MIN_RECIPIENT_GAP),
    };
    let mut problems: Vec<(String, String)> = vec![];
    let name = closer_domain::text::storable(b.name.trim()).into_owned();
    if name.is_empty() || name.chars().count() > 200 {
        problems.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    problems.extend(pacing.problems(rate));
    problems.extend(b.schedule.problems());
    if b.retry.marketing_cap_days > 7 {
        problems.push((
            "retry.marketing_cap_days".into(),
            "must be between 0 and 7".into(),
        ));
    }
    if b.audience.tags.iter().any(|t| t.trim().is_empty()) {
        problems.push(("audience.tags".into(), "tags must not be empty".into()));
    }
    let template = match b.template_id {
        Some(id) => match scope.template(id).await {
            Ok(t) => Some(t),
            Err(closer_store::StoreError::NotFound) => {
                problems.push(("template_id".into(), "is not one of your templates".into()));
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    if !problems.is_empty() {
        return Err(ApiError::fields(problems));
    }
    // The audience's filter and view must be readable now, not at start.
    audience_filter(state, member, &b.audience).await?;
    if let Some(t) = &template {
        let missing = unmapped(t, b.variables.as_ref());
        if !missing.is_empty() {
            return Err(CampaignError::Unmapped(missing).into());
        }
    }
    Ok(CampaignInput {
        name,
        template_id: b.template_id,
        variables: b.variables,
        audience: b.audience,
        schedule: b.schedule,
        pacing,
        retry: b.retry,
        sequence_id: b.sequence_id,
    })
}

/// The audience as the leads list selects it (a saved view, the CRM's filter, tags, ids), and
/// the tags every recipient must carry when they must match all.
async fn audience_filter(
    state: &AppState,
    member: &Member,
    a: &Audience,
) -> ApiResult<(LeadFilter, Option<Vec<String>>)> {
    let params = LeadListParams {
        view_id: a.view_id.map(|v| v.to_string()),
        filter: a.filter.as_ref().map(|f| f.to_string()),
        tag: (!a.tags.is_empty()).then(|| a.tags.clone()),
        ..Default::default()
    };
    let (mut f, _) = crate::routes::lead_data::selection(&state.store, member, &params)
        .await
        .map_err(|e| match e {
            ApiError::NotFound => ApiError::field("audience.view_id", "is not a view you can use"),
            other => other,
        })?;
    if !a.lead_ids.is_empty() {
        f.ids = Some(a.lead_ids.clone());
    }
    let all = (a.tags_match == TagsMatch::All && a.tags.len() > 1).then(|| a.tags.clone());
    Ok((f, all))
}

fn id_of(raw: &str) -> ApiResult<Uuid> {
    parse_id(raw)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<CampaignStatus>,
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn limit_of(limit: Option<u64>) -> ApiResult<u64> {
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 200"));
    }
    Ok(limit)
}

fn cursor_of(raw: Option<&str>) -> ApiResult<Option<Uuid>> {
    raw.filter(|c| !c.is_empty())
        .map(|c| {
            Uuid::parse_str(c)
                .map_err(|_| ApiError::field("cursor", "is not a cursor this API gave out"))
        })
        .transpose()
}

/// The organisation's campaigns, newest first.
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", params(CampaignParams),
    security(("bearer" = [])),
    responses((status = 200, body = List<CampaignView>), (status = 422, body = ErrorBody)))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<CampaignParams>,
) -> ApiResult<Json<List<CampaignView>>> {
    let limit = limit_of(p.limit)?;
    let before = cursor_of(p.cursor.as_deref())?;
    let org_id = member.org_id();
    let mut rows = state
        .store
        .org(org_id)
        .campaigns(p.status, before, limit + 1)
        .await?;
    let next_cursor = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|c| c.id.to_string())
    });
    let mut items = vec![];
    for c in rows {
        items.push(view(&state, org_id, c).await?);
    }
    Ok(Json(List {
        items,
        next_cursor: next_cursor.flatten(),
    }))
}

/// A new campaign, as a draft (owner or admin).
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", request_body = CampaignBody,
    security(("bearer" = [])),
    responses((status = 201, body = CampaignView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(body): ApiJson<CampaignBody>,
) -> ApiResult<(StatusCode, Json<CampaignView>)> {
    let input = checked(&state, &member, body).await?;
    let org_id = member.org_id();
    let c = state
        .store
        .org(org_id)
        .create_campaign(&member.0.user.as_actor(), &input)
        .await?;
    announce_updated(&state.store, org_id, c.id).await;
    Ok((StatusCode::CREATED, Json(view(&state, org_id, c).await?)))
}

#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    let org_id = member.org_id();
    let c = state.store.org(org_id).campaign(id_of(&id)?).await?;
    Ok(Json(view(&state, org_id, c).await?))
}

/// New settings (owner or admin); only a draft or scheduled campaign, else 409
/// `campaign_status`.
#[utoipa::path(put, path = "/campaigns/{id}", tag = "campaigns", request_body = CampaignBody,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CampaignBody>,
) -> ApiResult<Json<CampaignView>> {
    let id = id_of(&id)?;
    let org_id = member.org_id();
    let scope = state.store.org(org_id);
    let current = scope.campaign(id).await?;
    if !current.status.editable() {
        return Err(CampaignError::Status(current.status).into());
    }
    let input = checked(&state, &member, body).await?;
    let c = scope
        .update_campaign(&member.0.user.as_actor(), id, &input)
        .await?;
    announce_updated(&state.store, org_id, id).await;
    Ok(Json(view(&state, org_id, c).await?))
}

/// Deletes a campaign that is not sending (owner or admin); running or paused → 409.
#[utoipa::path(delete, path = "/campaigns/{id}", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn delete_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .org(member.org_id())
        .delete_campaign(&member.0.user.as_actor(), id_of(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- pre-flight and start -----

#[derive(Serialize, ToSchema)]
pub struct MessagingLimitView {
    /// Meta's tier (`TIER_1K`) or number.
    pub tier: Option<String>,
    pub limit: Option<u64>,
    /// Distinct leads sent a template in the rolling 24 hours.
    pub used_24h: u64,
    pub remaining: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct PreflightTemplateView {
    pub id: Uuid,
    pub name: String,
    pub category: TemplateCategory,
    pub status: TemplateStatus,
    pub quality: Option<QualityRating>,
}

#[derive(Serialize, ToSchema)]
pub struct EstimatedCost {
    pub currency: String,
    pub amount: f64,
    /// By recipient country (ISO 3166 alpha-2; `*` when unknown).
    pub by_country: BTreeMap<String, f64>,
}

#[derive(Serialize, ToSchema)]
pub struct PreflightView {
    pub recipients: u64,
    pub excluded: BTreeMap<RecipientReason, u64>,
    pub messaging_limit: MessagingLimitView,
    pub over_limit_by: u64,
    pub template: Option<PreflightTemplateView>,
    pub estimated_cost: EstimatedCost,
    /// Any of these: the start is refused (409 with the code).
    pub blocking: Vec<PreflightIssue>,
    pub warnings: Vec<PreflightIssue>,
    /// At the campaign's pace.
    pub duration_seconds: u64,
}

fn preflight_view(p: Preflight) -> PreflightView {
    PreflightView {
        recipients: p.recipients,
        excluded: p.excluded,
        messaging_limit: MessagingLimitView {
            tier: p.messaging_limit.tier,
            limit: p.messaging_limit.limit,
            used_24h: p.messaging_limit.used_24h,
            remaining: p.messaging_limit.remaining,
        },
        over_limit_by: p.over_limit_by,
        template: p.template.map(|t| PreflightTemplateView {
            id: t.id,
            name: t.name,
            category: t.category,
            status: t.status,
            quality: t.quality,
        }),
        estimated_cost: EstimatedCost {
            currency: p.currency,
            amount: p.estimated_cost,
            by_country: p.cost_by_country,
        },
        blocking: p.blocking,
        warnings: p.warnings,
        duration_seconds: p.duration_seconds,
    }
}

/// The audience planned now and what a start would meet.
async fn plan(
    state: &AppState,
    member: &Member,
    c: &CampaignRecord,
) -> ApiResult<(Vec<PlannedRecipient>, Preflight)> {
    let scope = state.store.org(member.org_id());
    let (f, all) = audience_filter(state, member, &c.audience).await?;
    let marketing = match c.template_id {
        Some(t) => scope
            .template(t)
            .await
            .map(|t| t.category() == TemplateCategory::Marketing)
            .unwrap_or(true),
        None => true,
    };
    let planned = if c.audience.is_empty() {
        vec![]
    } else {
        scope.plan_audience(&f, all.as_deref(), marketing).await?
    };
    let rate = number_rate(state, member.org_id()).await?;
    let preflight = scope.preflight(c, &planned, rate).await?;
    Ok((planned, preflight))
}

/// What starting the campaign now would do (owner or admin): nothing is written.
#[utoipa::path(post, path = "/campaigns/{id}/preflight", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PreflightView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn preflight(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<PreflightView>> {
    let c = state
        .store
        .org(member.org_id())
        .campaign(id_of(&id)?)
        .await?;
    let (_, p) = plan(&state, &member, &c).await?;
    Ok(Json(preflight_view(p)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// Start even with more recipients than the messaging limit has room for.
    #[serde(default)]
    pub confirm_over_limit: bool,
}

/// Starts a draft (owner or admin): the audience is frozen, `running` (or `scheduled` with a
/// later `send_at` / a local time). Blocking pre-flight findings → 409 with their code.
#[utoipa::path(post, path = "/campaigns/{id}/start", tag = "campaigns", request_body = StartBody,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn start_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<CampaignView>> {
    // The body is optional: no body is `{}`. One past the API's limit is 413 in the error shape.
    let body = body.map_err(crate::extract::unreadable_body)?;
    let confirm = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        serde_json::from_slice::<StartBody>(&body)
            .map_err(|e| ApiError::field("confirm_over_limit", e.to_string()))?
            .confirm_over_limit
    };
    let org_id = member.org_id();
    let scope = state.store.org(org_id);
    let c = scope.campaign(id_of(&id)?).await?;
    if c.status != CampaignStatus::Draft {
        return Err(CampaignError::Status(c.status).into());
    }
    let (planned, p) = plan(&state, &member, &c).await?;
    if let Some(issue) = p.blocking.first() {
        return Err(CampaignError::Blocked(*issue).into());
    }
    if let Some(t) = c.template_id {
        let missing = unmapped(&scope.template(t).await?, c.variables.as_ref());
        if !missing.is_empty() {
            return Err(CampaignError::Unmapped(missing).into());
        }
    }
    if p.over_limit_by > 0 && !confirm {
        return Err(CampaignError::OverLimit {
            recipients: p.recipients,
            remaining: p.messaging_limit.remaining.unwrap_or(0),
        }
        .into());
    }
    let now = Utc::now();
    let org_tz = scope.org_timezone().await?;
    // A local time falls in each lead's own timezone (told by their number's country), else
    // in the organisation's.
    let local = c.schedule.local_time.is_some();
    let due_of = |p: &closer_store::campaigns::PlannedRecipient| {
        // Parsing the number is only worth it when the lead's clock matters.
        let lead_tz = p
            .phone
            .as_deref()
            .filter(|_| local)
            .and_then(|ph| Phone::from_stored(ph).ok())
            .and_then(|ph| ph.timezone());
        c.schedule.due_for(
            closer_agent::followup::zone(lead_tz, org_tz.as_deref()),
            now,
        )
    };
    let first = planned
        .iter()
        .filter(|p| p.excluded.is_none())
        .map(due_of)
        .min()
        .unwrap_or(now);
    let later = first > now + chrono::Duration::seconds(1);
    let started = scope
        .start_campaign(&member.0.user.as_actor(), &c, &planned, due_of, later)
        .await?;
    state.store.wake_workers().await;
    announce_updated(&state.store, org_id, c.id).await;
    Ok(Json(view(&state, org_id, started).await?))
}

async fn command(
    state: AppState,
    member: Member,
    id: &str,
    cmd: CampaignCommand,
) -> ApiResult<Json<CampaignView>> {
    let org_id = member.org_id();
    let c = state
        .store
        .org(org_id)
        .command_campaign(&member.0.user.as_actor(), id_of(id)?, cmd)
        .await?;
    if cmd == CampaignCommand::Resume {
        state.store.wake_workers().await;
    }
    announce_updated(&state.store, org_id, c.id).await;
    Ok(Json(view(&state, org_id, c).await?))
}

/// Pauses a running campaign (owner or admin): no send starts more than 2 s after the answer.
#[utoipa::path(post, path = "/campaigns/{id}/pause", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn pause_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    command(state, member, &id, CampaignCommand::Pause).await
}

/// Resumes a paused campaign, whatever paused it (owner or admin).
#[utoipa::path(post, path = "/campaigns/{id}/resume", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resume_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    command(state, member, &id, CampaignCommand::Resume).await
}

/// Cancels a campaign (owner or admin): every unsent recipient is `skipped`.
#[utoipa::path(post, path = "/campaigns/{id}/cancel", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_campaign(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignView>> {
    command(state, member, &id, CampaignCommand::Cancel).await
}

// ----- recipients and stats -----

#[derive(Serialize, ToSchema)]
pub struct RecipientError {
    /// Meta's error code, when it gave one.
    pub code: Option<i64>,
    pub title: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientView {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub status: RecipientStatus,
    /// Why it was skipped or failed.
    pub reason: Option<RecipientReason>,
    pub error: Option<RecipientError>,
    pub attempts: i32,
    pub due_at: DateTime<Utc>,
    pub retry_at: Option<DateTime<Utc>>,
    pub provider_message_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn recipient_view(r: RecipientItem) -> RecipientView {
    RecipientView {
        error: r.error_title.map(|title| RecipientError {
            code: r.error_code,
            title,
        }),
        id: r.id,
        lead_id: r.lead_id,
        conversation_id: r.conversation_id,
        phone: r.phone,
        name: r.name,
        status: r.status,
        reason: r.reason,
        attempts: r.attempts,
        due_at: r.due_at,
        retry_at: r.retry_at,
        provider_message_id: r.provider_message_id,
        sent_at: r.sent_at,
        delivered_at: r.delivered_at,
        read_at: r.read_at,
        replied_at: r.replied_at,
        failed_at: r.failed_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecipientParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<RecipientStatus>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `csv`: every recipient (with the status filter) as a CSV download.
    pub format: Option<String>,
}

/// A campaign's recipients in order (`?status=`); `&format=csv` exports them all.
#[utoipa::path(get, path = "/campaigns/{id}/recipients", tag = "campaigns",
    params(("id" = String, Path), RecipientParams), security(("bearer" = [])),
    responses((status = 200, description = "The page, or with `format=csv` every recipient as CSV",
            content((List<RecipientView> = "application/json"), (String = "text/csv"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_recipients(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RecipientParams>,
) -> ApiResult<Response> {
    let scope = state.store.org(member.org_id());
    let c = scope.campaign(id_of(&id)?).await?;
    match p.format.as_deref().filter(|f| !f.is_empty()) {
        Some("csv") => return export_csv(&scope, &c, p.status).await,
        Some(_) => return Err(ApiError::field("format", "must be csv")),
        None => {}
    }
    let limit = limit_of(p.limit)?;
    let after = cursor_of(p.cursor.as_deref())?;
    let page = scope
        .campaign_recipients(c.id, p.status, after, limit)
        .await?;
    Ok(Json(List {
        items: page.items.into_iter().map(recipient_view).collect(),
        next_cursor: page.next.map(|n| n.to_string()),
    })
    .into_response())
}

async fn export_csv(
    scope: &closer_store::OrgScope<'_>,
    c: &CampaignRecord,
    status: Option<RecipientStatus>,
) -> ApiResult<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = [
        "id",
        "lead_id",
        "phone",
        "name",
        "status",
        "reason",
        "error_code",
        "error_title",
        "attempts",
        "sent_at",
        "delivered_at",
        "read_at",
        "replied_at",
        "failed_at",
    ];
    let csv_failed = |e: csv::Error| ApiError::Internal(e.into());
    w.write_record(head).map_err(csv_failed)?;
    let when = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let mut after = None;
    loop {
        let page = scope.campaign_recipients(c.id, status, after, 1000).await?;
        for r in &page.items {
            w.write_record([
                r.id.to_string(),
                r.lead_id.to_string(),
                r.phone.clone().unwrap_or_default(),
                r.name.clone().unwrap_or_default(),
                r.status.to_string(),
                r.reason.map(|x| x.to_string()).unwrap_or_default(),
                r.error_code.map(|x| x.to_string()).unwrap_or_default(),
                r.error_title.clone().unwrap_or_default(),
                r.attempts.to_string(),
                when(r.sent_at),
                when(r.delivered_at),
                when(r.read_at),
                when(r.replied_at),
                when(r.failed_at),
            ])
            .map_err(csv_failed)?;
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"campaign-{}-recipients.csv\"", c.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A campaign's counts, rates, cost, send rate and time left (= the campaign's `stats`).
#[utoipa::path(get, path = "/campaigns/{id}/stats", tag = "campaigns",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = CampaignStatsView), (status = 404, body = ErrorBody)))]
pub async fn campaign_stats(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<CampaignStatsView>> {
    let scope = state.store.org(member.org_id());
    let c = scope.campaign(id_of(&id)?).await?;
    Ok(Json(stats_view(scope.campaign_stats(&c).await?)))
}
