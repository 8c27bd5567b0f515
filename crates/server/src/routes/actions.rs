//! The action center: accepted CTAs, handovers, bookings and failed sends waiting for a
//! person; claimed, snoozed and resolved from the dashboard, live over the WebSocket.

use crate::announce;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Member, Responder, blank_as_none, parse_id};
use crate::routes::inbox::ContactSummary;
use crate::routes::schema::page_limit;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use closer_domain::sales::{CtaType, EscalationPriority};
use closer_domain::work::{ActionChange, ActionKind, ActionStatus};
use closer_store::actions::{ActionCursor, ActionFilter, ActionItem, MemberRef};
use closer_store::events::RealtimeEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The longest outcome note a resolution keeps.
const OUTCOME_MAX_CHARS: usize = 2000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionParams {
    /// As the team sees it now: a snooze that ran out is `open`. All statuses when absent.
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<ActionStatus>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub kind: Option<ActionKind>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub priority: Option<EscalationPriority>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A member named on an action.
#[derive(Serialize, ToSchema)]
pub struct ActionMember {
    pub id: Uuid,
    /// Null when the member has since been removed.
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionView {
    pub id: Uuid,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub priority: EscalationPriority,
    pub conversation_id: Uuid,
    /// Null only if the lead was deleted since.
    pub contact: Option<ContactSummary>,
    pub cta_type: Option<CtaType>,
    pub summary: String,
    /// What the agent extracted (the name and time of an accepted CTA, the handoff package,
    /// the failed message's error).
    pub details: Option<Value>,
    /// A booking's start.
    pub due_at: Option<DateTime<Utc>>,
    /// While snoozed: when it comes back.
    pub snoozed_until: Option<DateTime<Utc>>,
    pub claimed_by: Option<ActionMember>,
    pub resolved_by: Option<ActionMember>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionView>,
    pub next_cursor: Option<String>,
}

/// Open actions (an ended snooze counts as open) by kind, every kind present.
#[derive(Serialize, ToSchema)]
pub struct ActionCounts {
    pub total: u64,
    pub cta_accepted: u64,
    pub human_attention: u64,
    pub booking: u64,
    pub send_failed: u64,
    pub agent_alert: u64,
}

#[derive(Deserialize, ToSchema)]
pub struct ResolveRequest {
    /// What was done: the note kept on the action and in the lead's activity.
    #[serde(default)]
    pub outcome: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct SnoozeRequest {
    /// When it is open again; must be in the future.
    pub until: DateTime<Utc>,
}

fn member(m: MemberRef) -> ActionMember {
    ActionMember {
        id: m.id,
        name: m.name,
    }
}

fn view(a: ActionItem) -> ActionView {
    ActionView {
        id: a.id,
        kind: a.kind,
        status: a.status,
        priority: a.priority,
        conversation_id: a.conversation_id,
        contact: a.contact.map(|c| ContactSummary {
            id: c.id,
            name: c.name,
            phone: c.phone,
            opted_out: c.opted_out,
            marketing_opt_out: c.marketing_opt_out,
            erased_at: c.erased_at,
        }),
        cta_type: a.cta_type,
        summary: a.summary,
        details: a.details,
        due_at: a.due_at,
        snoozed_until: a.snoozed_until,
        claimed_by: a.claimed_by.map(member),
        resolved_by: a.resolved_by.map(member),
        outcome: a.outcome,
        created_at: a.created_at,
        resolved_at: a.resolved_at,
    }
}

/// The queue's keyset cursor, opaque to clients: urgency, creation time and id.
fn encode_cursor(c: ActionCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}|{}|{}",
        c.urgency,
        c.created_at.to_rfc3339(),
        c.id
    ))
}

fn decode_cursor(raw: &str) -> ApiResult<ActionCursor> {
    let bad = || ApiError::field("cursor", "is not a cursor this API gave out");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '|');
    let (Some(u), Some(at), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    Ok(ActionCursor {
        urgency: u.parse().map_err(|_| bad())?,
        created_at: DateTime::parse_from_rfc3339(at)
            .map_err(|_| bad())?
            .with_timezone(&Utc),
        id: Uuid::parse_str(id).map_err(|_| bad())?,
    })
}

/// The action center's items: most urgent first (critical, high, medium, low), then oldest.
#[utoipa::path(get, path = "/actions", tag = "actions", params(ActionParams),
    security(("bearer" = [])),
    responses((status = 200, body = ActionList), (status = 422, body = ErrorBody)))]
pub async fn list_actions(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ActionParams>,
) -> ApiResult<Json<ActionList>> {
    let limit = page_limit(p.limit)?;
    let filter = ActionFilter {
        status: p.status,
        kind: p.kind,
        priority: p.priority,
        limit,
        after: p
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(decode_cursor)
            .transpose()?,
    };
    let mut rows = state.store.org(member.org_id()).actions(&filter).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|a| encode_cursor(a.cursor))
    } else {
        None
    };
    Ok(Json(ActionList {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    }))
}

/// How many actions are open, by kind: the sidebar's badge.
#[utoipa::path(get, path = "/actions/counts", tag = "actions", security(("bearer" = [])),
    responses((status = 200, body = ActionCounts)))]
pub async fn action_counts(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<ActionCounts>> {
    let counts = state
        .store
        .org(member.org_id())
        .open_action_counts()
        .await?;
    let n = |k: ActionKind| counts.get(&k).copied().unwrap_or(0);
    Ok(Json(ActionCounts {
        total: counts.values().sum(),
        cta_accepted: n(ActionKind::CtaAccepted),
        human_attention: n(ActionKind::HumanAttention),
        booking: n(ActionKind::Booking),
        send_failed: n(ActionKind::SendFailed),
        agent_alert: n(ActionKind::AgentAlert),
    }))
}

async fn change(
    state: AppState,
    member: Member,
    id: String,
    change: ActionChange,
    outcome: Option<String>,
) -> ApiResult<Json<ActionView>> {
    let org_id = member.org_id();
    let item = state
        .store
        .org(org_id)
        .change_action(&member.0.user.as_actor(), parse_id(&id)?, change, outcome)
        .await?;
    let event = RealtimeEvent::ActionUpdated {
        action_id: item.id,
        status: item.status,
    };
    announce::publish(&state.store, org_id, vec![event]).await;
    Ok(Json(view(item)))
}

/// Takes the action: the team sees who is on it. 409 `action_claimed` when another member
/// holds it, `action_resolved` when it is done.
#[utoipa::path(post, path = "/actions/{id}/claim", tag = "actions", security(("bearer" = [])),
    params(("id" = String, Path, description = "action id")),
    responses((status = 200, body = ActionView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn claim_action(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<Json<ActionView>> {
    change(state, member, id, ActionChange::Claim, None).await
}

/// Marks the action done, with an optional outcome note written to the lead's activity.
#[utoipa::path(post, path = "/actions/{id}/resolve", tag = "actions", request_body = ResolveRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "action id")),
    responses((status = 200, body = ActionView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn resolve_action(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ResolveRequest>,
) -> ApiResult<Json<ActionView>> {
    let outcome = req
        .outcome
        .map(|o| o.replace('\0', "").trim().to_owned())
        .filter(|o| !o.is_empty());
    if outcome
        .as_ref()
        .is_some_and(|o| o.chars().count() > OUTCOME_MAX_CHARS)
    {
        return Err(ApiError::field(
            "outcome",
            format!("must be at most {OUTCOME_MAX_CHARS} characters"),
        ));
    }
    change(state, member, id, ActionChange::Resolve, outcome).await
}

/// Puts the action aside until `until`; it is open again once that time passes.
#[utoipa::path(post, path = "/actions/{id}/snooze", tag = "actions", request_body = SnoozeRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "action id")),
    responses((status = 200, body = ActionView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn snooze_action(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SnoozeRequest>,
) -> ApiResult<Json<ActionView>> {
    change(state, member, id, ActionChange::Snooze(req.until), None).await
}
