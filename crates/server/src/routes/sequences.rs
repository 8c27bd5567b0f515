//! Drip sequences (API.md, *Campaigns, automations, sequences*): the owner's sequences
//! (written by owners and admins, read by every member), enrolling leads, each sequence's
//! enrolments and stopping one.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, blank_as_none, parse_id};
use crate::routes::schema::List;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::lead_filter::FieldDef;
use closer_domain::sequences::{
    EnrollSkip, EnrollSource, EnrollmentStatus, SequenceCondition, SequenceDefinition,
    SequenceStep, StepSkip, StopCondition, StopReason,
};
use closer_domain::work::ErrorCode;
use closer_store::events::RealtimeEvent;
use closer_store::sequences::{EnrollOutcome, EnrollmentChange, EnrollmentRecord, SequenceRecord};
use closer_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Enrolments of a sequence by status.
#[derive(Serialize, ToSchema)]
pub struct EnrollmentCounts {
    pub active: u64,
    pub completed: u64,
    pub stopped: u64,
}

#[derive(Serialize, ToSchema)]
pub struct SequenceView {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub steps: Vec<SequenceStep>,
    pub start_conditions: Vec<SequenceCondition>,
    pub stop_conditions: Vec<StopCondition>,
    pub stop_on_reply: bool,
    pub enrollments: EnrollmentCounts,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(s: SequenceRecord) -> SequenceView {
    let n = |st| s.counts.get(&st).copied().unwrap_or(0);
    SequenceView {
        id: s.id,
        enrollments: EnrollmentCounts {
            active: n(EnrollmentStatus::Active),
            completed: n(EnrollmentStatus::Completed),
            stopped: n(EnrollmentStatus::Stopped),
        },
        name: s.definition.name,
        enabled: s.definition.enabled,
        steps: s.definition.steps,
        start_conditions: s.definition.start_conditions,
        stop_conditions: s.definition.stop_conditions,
        stop_on_reply: s.definition.stop_on_reply,
        created_at: s.created_at,
        updated_at: s.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentLead {
    pub id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EnrollmentView {
    pub id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub lead: EnrollmentLead,
    pub conversation_id: Option<Uuid>,
    pub status: EnrollmentStatus,
    /// Steps handled so far: the 0-based index of the next step.
    pub step: i32,
    pub next_step_at: Option<DateTime<Utc>>,
    pub stop_reason: Option<StopReason>,
    pub source: EnrollSource,
    /// The last step's message, when it sent one.
    pub last_message_id: Option<Uuid>,
    /// Why the last step went nowhere, when it did not send.
    pub last_skip: Option<StepSkip>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

fn enrollment_view(e: EnrollmentRecord) -> EnrollmentView {
    EnrollmentView {
        id: e.id,
        sequence_id: e.sequence_id,
        lead_id: e.lead_id,
        lead: EnrollmentLead {
            id: e.lead_id,
            name: e.lead_name,
            phone: e.lead_phone,
        },
        conversation_id: e.conversation_id,
        status: e.status,
        step: e.step,
        next_step_at: e.next_step_at,
        stop_reason: e.stop_reason,
        source: e.source,
        last_message_id: e.last_message_id,
        last_skip: e.last_skip,
        created_at: e.created_at,
        updated_at: e.updated_at,
        ended_at: e.ended_at,
    }
}

/// The realtime event of an enrolment that changed.
pub fn enrollment_event(c: EnrollmentChange) -> RealtimeEvent {
    RealtimeEvent::SequenceEnrollmentUpdated {
        sequence_id: c.sequence_id,
        enrollment_id: c.enrollment_id,
        lead_id: c.lead_id,
        status: c.status,
    }
}

/// The realtime events for enrolments that changed.
pub async fn announce_enrollments(store: &Store, org_id: Uuid, changes: &[EnrollmentChange]) {
    let events: Vec<RealtimeEvent> = changes.iter().copied().map(enrollment_event).collect();
    if !events.is_empty() {
        crate::announce::publish(store, org_id, events).await;
    }
}

async fn announce_sequence(store: &Store, org_id: Uuid, sequence_id: Uuid) {
    crate::announce::publish(
        store,
        org_id,
        vec![RealtimeEvent::SequenceUpdated { sequence_id }],
    )
    .await;
}

/// Every problem with a definition, by field: the domain's rules, then the templates it
/// names (the organisation's own).
async fn checked(store: &Store, org_id: Uuid, def: &SequenceDefinition) -> ApiResult<()> {
    let scope = store.org(org_id);
    let defs: Vec<FieldDef> = scope
        .custom_fields()
        .await?
        .into_iter()
        .map(|d| FieldDef {
            key: d.key,
            kind: d.kind,
            options: d.options,
        })
        .collect();
    let mut problems = def.problems(&defs);
    for (i, step) in def.steps.iter().enumerate() {
        for (key, id) in [
            ("template_id", step.template_id),
            ("fallback_template_id", step.fallback_template_id),
        ] {
            let Some(id) = id else { continue };
            match scope.template(id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => problems.push((
                    format!("steps[{i}].{key}"),
                    "is not one of your templates".into(),
                )),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::fields(problems))
}

/// The organisation's sequences, newest first, with their enrolment counts.
#[utoipa::path(get, path = "/sequences", tag = "sequences", security(("bearer" = [])),
    responses((status = 200, body = List<SequenceView>)))]
pub async fn list_sequences(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<SequenceView>>> {
    let items = state.store.org(member.org_id()).sequences().await?;
    Ok(Json(List::whole(items.into_iter().map(view))))
}

/// Creates a sequence (owner or admin); 422 names the field.
#[utoipa::path(post, path = "/sequences", tag = "sequences", request_body = SequenceDefinition,
    security(("bearer" = [])),
    responses((status = 201, body = SequenceView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_sequence(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(def): ApiJson<SequenceDefinition>,
) -> ApiResult<(StatusCode, Json<SequenceView>)> {
    let org_id = member.org_id();
    checked(&state.store, org_id, &def).await?;
    let s = state
        .store
        .org(org_id)
        .create_sequence(&member.0.user.as_actor(), &def)
        .await?;
    announce_sequence(&state.store, org_id, s.id).await;
    Ok((StatusCode::CREATED, Json(view(s))))
}

#[utoipa::path(get, path = "/sequences/{id}", tag = "sequences",
    params(("id" = String, Path, description = "sequence id")), security(("bearer" = [])),
    responses((status = 200, body = SequenceView), (status = 404, body = ErrorBody)))]
pub async fn get_sequence(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<SequenceView>> {
    let s = state
        .store
        .org(member.org_id())
        .sequence(parse_id(&id)?)
        .await?;
    Ok(Json(view(s)))
}

/// Replaces a sequence (owner or admin). Active enrolments go on with the new steps from the
/// step they are at; turning the sequence off stops them (`manual`).
#[utoipa::path(put, path = "/sequences/{id}", tag = "sequences", request_body = SequenceDefinition,
    params(("id" = String, Path, description = "sequence id")), security(("bearer" = [])),
    responses((status = 200, body = SequenceView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_sequence(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(def): ApiJson<SequenceDefinition>,
) -> ApiResult<Json<SequenceView>> {
    let org_id = member.org_id();
    let id = parse_id(&id)?;
    let scope = state.store.org(org_id);
    scope.sequence(id).await?;
    checked(&state.store, org_id, &def).await?;
    let (s, stopped) = scope
        .update_sequence(&member.0.user.as_actor(), id, &def)
        .await?;
    announce_enrollments(&state.store, org_id, &stopped).await;
    announce_sequence(&state.store, org_id, id).await;
    Ok(Json(view(s)))
}

/// Deletes a sequence and its enrolments (owner or admin); active ones stop first.
#[utoipa::path(delete, path = "/sequences/{id}", tag = "sequences",
    params(("id" = String, Path, description = "sequence id")), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_sequence(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let org_id = member.org_id();
    let id = parse_id(&id)?;
    let stopped = state
        .store
        .org(org_id)
        .delete_sequence(&member.0.user.as_actor(), id)
        .await?;
    announce_enrollments(&state.store, org_id, &stopped).await;
    announce_sequence(&state.store, org_id, id).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// Leads to enrol (at most 1,000; for more, the leads list's bulk `start_sequence`).
    pub lead_ids: Vec<Uuid>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedLeadView {
    pub lead_id: Uuid,
    pub reason: EnrollSkip,
}

#[derive(Serialize, ToSchema)]
pub struct EnrollResult {
    /// How many leads started the sequence.
    pub enrolled: u64,
    pub skipped: Vec<SkippedLeadView>,
}

pub fn enroll_result(out: &EnrollOutcome) -> EnrollResult {
    EnrollResult {
        enrolled: out.enrolled.len() as u64,
        skipped: out
            .skipped
            .iter()
            .map(|s| SkippedLeadView {
                lead_id: s.lead_id,
                reason: s.reason,
            })
            .collect(),
    }
}

/// Enrols leads (owner or admin). A lead in another sequence leaves it (`replaced`); one
/// who opted out, has no phone, is in this sequence already or does not match the start
/// conditions is skipped with the reason.
#[utoipa::path(post, path = "/sequences/{id}/enroll", tag = "sequences", request_body = EnrollRequest,
    params(("id" = String, Path, description = "sequence id")), security(("bearer" = [])),
    responses((status = 200, body = EnrollResult), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> ApiResult<Json<EnrollResult>> {
    let org_id = member.org_id();
    let id = parse_id(&id)?;
    if req.lead_ids.is_empty() || req.lead_ids.len() > 1000 {
        return Err(ApiError::field("lead_ids", "list 1 to 1000 leads"));
    }
    let out = state
        .store
        .org(org_id)
        .enroll_leads(
            &member.0.user.as_actor(),
            id,
            &req.lead_ids,
            EnrollSource::Manual,
        )
        .await?;
    announce_enrollments(&state.store, org_id, &out.replaced).await;
    announce_enrollments(&state.store, org_id, &out.enrolled).await;
    Ok(Json(enroll_result(&out)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrollmentParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<EnrollmentStatus>,
    /// 1 to 500 (default 200).
    pub limit: Option<u64>,
}

/// A sequence's enrolments, newest first.
#[utoipa::path(get, path = "/sequences/{id}/enrollments", tag = "sequences",
    params(("id" = String, Path, description = "sequence id"), EnrollmentParams),
    security(("bearer" = [])),
    responses((status = 200, body = List<EnrollmentView>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_enrollments(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<EnrollmentParams>,
) -> ApiResult<Json<List<EnrollmentView>>> {
    let limit = p.limit.unwrap_or(200);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 500"));
    }
    let items = state
        .store
        .org(member.org_id())
        .enrollments(parse_id(&id)?, p.status, limit)
        .await?;
    Ok(Json(List::whole(items.into_iter().map(enrollment_view))))
}

/// Stops an active enrolment (owner or admin; `stopped`, `manual`); 409
/// `enrollment_not_active` when it had ended.
#[utoipa::path(post, path = "/sequences/enrollments/{id}/stop", tag = "sequences",
    params(("id" = String, Path, description = "enrolment id")), security(("bearer" = [])),
    responses((status = 200, body = EnrollmentView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn stop_enrollment(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<EnrollmentView>> {
    let org_id = member.org_id();
    let id = parse_id(&id)?;
    let scope = state.store.org(org_id);
    let stopped = scope.stop_enrollment(&member.0.user.as_actor(), id).await?;
    let now = scope.enrollment(id).await?;
    match stopped {
        Some(change) => {
            announce_enrollments(&state.store, org_id, &[change]).await;
            Ok(Json(enrollment_view(now)))
        }
        None => Err(ApiError::Conflict {
            code: ErrorCode::EnrollmentNotActive,
            message: format!("this enrolment is {} already", now.status),
        }),
    }
}
