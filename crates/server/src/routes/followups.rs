//! Follow-ups: the organisation's settings (owner/admin), each conversation's scheduled
//! follow-ups, and a person's "send now", "cancel" and manual follow-up (agents and up).

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, Responder, blank_as_none, parse_id};
use crate::routes::schema::{List, decode_cursor, encode_cursor};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::followup::{
    FollowupKind, FollowupReason, FollowupSettings, FollowupStatus, FollowupStatusReason,
};
use closer_domain::work::ErrorCode;
use closer_store::events::RealtimeEvent;
use closer_store::followups::{FollowupItem, NewFollowup, Transition};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct FollowupContact {
    pub id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FollowupTemplate {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct FollowupView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub contact: FollowupContact,
    pub kind: FollowupKind,
    /// 1-based.
    pub step: i32,
    pub due_at: DateTime<Utc>,
    pub status: FollowupStatus,
    pub reason: FollowupReason,
    pub status_reason: Option<FollowupStatusReason>,
    pub template: Option<FollowupTemplate>,
    pub message_id: Option<Uuid>,
    pub decision_id: Option<Uuid>,
    /// A person pressed "send now": quiet hours and the agent's timing no longer apply.
    pub forced: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(f: FollowupItem) -> FollowupView {
    FollowupView {
        id: f.id,
        conversation_id: f.conversation_id,
        contact: FollowupContact {
            id: f.contact_id,
            name: f.contact_name,
            phone: f.contact_phone,
        },
        kind: f.kind,
        step: f.step,
        due_at: f.due_at,
        status: f.status,
        reason: f.reason,
        status_reason: f.status_reason,
        template: f.template.map(|(id, name)| FollowupTemplate { id, name }),
        message_id: f.message_id,
        decision_id: f.decision_id,
        forced: f.forced,
        created_at: f.created_at,
        updated_at: f.updated_at,
    }
}

async fn announce(state: &AppState, org_id: Uuid, f: &FollowupItem) {
    crate::announce::publish(
        &state.store,
        org_id,
        vec![
            RealtimeEvent::FollowupUpdated {
                conversation_id: f.conversation_id,
                followup_id: f.id,
                status: f.status,
            },
            RealtimeEvent::conversation_updated(f.conversation_id),
        ],
    )
    .await;
}

/// The organisation's follow-up settings (owner or admin); defaults until first saved.
#[utoipa::path(get, path = "/settings/followups", tag = "followups", security(("bearer" = [])),
    responses((status = 200, body = FollowupSettings), (status = 403, body = ErrorBody)))]
pub async fn get_followup_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<FollowupSettings>> {
    Ok(Json(
        state.store.org(member.org_id()).followup_settings().await?,
    ))
}

/// Saves the follow-up settings (owner or admin); 422 names the field. Turning follow-ups
/// off cancels every pending one (`disabled`).
#[utoipa::path(put, path = "/settings/followups", tag = "followups", request_body = FollowupSettings,
    security(("bearer" = [])),
    responses((status = 200, body = FollowupSettings), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_followup_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(settings): ApiJson<FollowupSettings>,
) -> ApiResult<Json<FollowupSettings>> {
    let scope = state.store.org(member.org_id());
    let mut problems = settings.problems();
    for (i, step) in settings.outside_window.iter().enumerate() {
        match scope.template(step.template_id).await {
            Ok(_) => {}
            Err(closer_store::StoreError::NotFound) => problems.push((
                format!("outside_window[{i}].template_id"),
                "is not one of your templates".into(),
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if !problems.is_empty() {
        let fields: Map<String, Value> = problems
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        return Err(ApiError::Validation(fields));
    }
    let cancelled = scope
        .save_followup_settings(&member.0.user.as_actor(), &settings)
        .await?;
    let events = cancelled
        .into_iter()
        .map(RealtimeEvent::conversation_updated)
        .collect();
    crate::announce::publish(&state.store, member.org_id(), events).await;
    Ok(Json(scope.followup_settings().await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowupParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<FollowupStatus>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub conversation_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub limit: Option<u64>,
}

/// The organisation's follow-ups, soonest first.
#[utoipa::path(get, path = "/followups", tag = "followups", params(FollowupParams),
    security(("bearer" = [])),
    responses((status = 200, body = List<FollowupView>), (status = 422, body = ErrorBody)))]
pub async fn list_followups(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<FollowupParams>,
) -> ApiResult<Json<List<FollowupView>>> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "must be between 1 and 200"));
    }
    let after = p
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()?;
    let mut items = state
        .store
        .org(member.org_id())
        .followups(p.status, p.conversation_id, after, limit + 1)
        .await?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|f| encode_cursor(f.due_at, f.id))
    } else {
        None
    };
    Ok(Json(List {
        items: items.into_iter().map(view).collect(),
        next_cursor,
    }))
}

/// A conversation's follow-ups, newest first.
#[utoipa::path(get, path = "/conversations/{id}/followups", tag = "followups",
    params(("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = List<FollowupView>), (status = 404, body = ErrorBody)))]
pub async fn conversation_followups(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<List<FollowupView>>> {
    let items = state
        .store
        .org(member.org_id())
        .conversation_followups(parse_id(&id)?)
        .await?;
    Ok(Json(List::whole(items.into_iter().map(view))))
}

#[utoipa::path(get, path = "/followups/{id}", tag = "followups",
    params(("id" = String, Path, description = "follow-up id")), security(("bearer" = [])),
    responses((status = 200, body = FollowupView), (status = 404, body = ErrorBody)))]
pub async fn get_followup(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<FollowupView>> {
    let f = state
        .store
        .org(member.org_id())
        .followup(parse_id(&id)?)
        .await?;
    Ok(Json(view(f)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewFollowupRequest {
    pub conversation_id: Uuid,
    pub due_at: DateTime<Utc>,
    /// `in_window` unless a template is named.
    pub kind: Option<FollowupKind>,
    pub template_id: Option<Uuid>,
}

/// A person schedules a follow-up (reason `manual`), replacing the pending one. Hard rules
/// hold: 422 `opted_out`, `window_closed` (an in-window follow-up due after the window),
/// `template_not_approved`.
#[utoipa::path(post, path = "/followups", tag = "followups", request_body = NewFollowupRequest,
    security(("bearer" = [])),
    responses((status = 201, body = FollowupView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_followup(
    State(state): State<AppState>,
    Responder(member): Responder,
    ApiJson(req): ApiJson<NewFollowupRequest>,
) -> ApiResult<(StatusCode, Json<FollowupView>)> {
    let org_id = member.org_id();
    let scope = state.store.org(org_id);
    let kind = req.kind.unwrap_or(if req.template_id.is_some() {
        FollowupKind::Template
    } else {
        FollowupKind::InWindow
    });
    let inputs = scope.followup_inputs(req.conversation_id).await?;
    let refuse = |code: ErrorCode, message: &str| ApiError::Unprocessable {
        code,
        message: message.into(),
        details: None,
    };
    if inputs.opted_out {
        return Err(refuse(
            ErrorCode::OptedOut,
            "This lead opted out: no follow-up may go to them.",
        ));
    }
    if kind == FollowupKind::Template {
        // Template follow-ups wait for the templates store (approved templates and their send).
        return Err(refuse(
            ErrorCode::TemplateNotApproved,
            "No approved template is available for follow-ups yet.",
        ));
    }
    if req.due_at < Utc::now() - chrono::Duration::minutes(1) {
        return Err(ApiError::field("due_at", "must not be in the past"));
    }
    if inputs.window_open_until.is_none_or(|u| u <= req.due_at) {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::WindowClosed,
            message: "the 24-hour window is closed by then: only a template may go".into(),
            details: Some(serde_json::json!({ "window_open_until": inputs.window_open_until })),
        });
    }
    let (cancelled, created) = scope
        .replace_followup(
            req.conversation_id,
            Some(NewFollowup {
                kind,
                step: inputs.sent_in_silence as i32 + 1,
                due_at: req.due_at,
                reason: FollowupReason::Manual,
                template: None,
            }),
            FollowupStatusReason::Replaced,
            Some(&member.0.user.as_actor()),
        )
        .await?;
    let created = created.ok_or(ApiError::NotFound)?;
    let _ = cancelled;
    announce(&state, org_id, &created).await;
    state.store.wake_workers().await;
    Ok((StatusCode::CREATED, Json(view(created))))
}

fn transition(t: Transition) -> ApiResult<FollowupItem> {
    match t {
        Transition::Done(f) => Ok(f),
        Transition::NotPending(f) => Err(ApiError::Conflict {
            code: ErrorCode::FollowupNotPending,
            message: format!("this follow-up is {} already", f.status),
        }),
    }
}

/// Sends the follow-up within seconds, past quiet hours and the agent's timing; the hard
/// rules (opt-out, a person in charge, a closed stage, the window) still hold when it runs.
#[utoipa::path(post, path = "/followups/{id}/send-now", tag = "followups",
    params(("id" = String, Path, description = "follow-up id")), security(("bearer" = [])),
    responses((status = 202, body = FollowupView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn send_followup_now(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<FollowupView>)> {
    let org_id = member.org_id();
    let t = state
        .store
        .org(org_id)
        .send_followup_now(&member.0.user.as_actor(), parse_id(&id)?)
        .await?;
    let f = transition(t)?;
    state.store.wake_workers().await;
    announce(&state, org_id, &f).await;
    Ok((StatusCode::ACCEPTED, Json(view(f))))
}

async fn cancel_one(state: AppState, member: Member, id: String) -> ApiResult<Json<FollowupView>> {
    let org_id = member.org_id();
    let t = state
        .store
        .org(org_id)
        .cancel_followup(&member.0.user.as_actor(), parse_id(&id)?)
        .await?;
    let f = transition(t)?;
    announce(&state, org_id, &f).await;
    Ok(Json(view(f)))
}

/// Cancels a pending follow-up (`cancelled`, `user`).
#[utoipa::path(post, path = "/followups/{id}/cancel", tag = "followups",
    params(("id" = String, Path, description = "follow-up id")), security(("bearer" = [])),
    responses((status = 200, body = FollowupView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_followup(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<Json<FollowupView>> {
    cancel_one(state, member, id).await
}

/// The same as `POST /followups/{id}/cancel`.
#[utoipa::path(delete, path = "/followups/{id}", tag = "followups",
    params(("id" = String, Path, description = "follow-up id")), security(("bearer" = [])),
    responses((status = 200, body = FollowupView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_followup(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<Json<FollowupView>> {
    cancel_one(state, member, id).await
}
