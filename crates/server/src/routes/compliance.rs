//! Compliance (API.md, *CRM*, opt-out): opting a lead out and back in with a reason, the
//! opt-out list, and erasing a lead's personal data.
//!
//! Roles: anyone but a viewer opts a lead out (an agent on the phone hears "stop calling me");
//! only an owner or admin opts a lead back in or erases one. Every member reads the list. The
//! role is checked before the body is read.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, parse_id};
use crate::routes::leads::{LeadView, LeadWriter, MemberRef, view};
use crate::routes::schema::{List, decode_cursor, encode_cursor, page_limit};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use closer_domain::compliance::{self, OptOutSource};
use closer_domain::contact_points::Phone;
use closer_domain::followup::FollowupStatus;
use closer_domain::realtime::RealtimeEvent;
use closer_store::compliance::OutreachEnded;
use closer_store::opt_outs::{OptOutEntry, OptOutQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, ToSchema, Default)]
pub struct OptOutInput {
    /// Why (at most 500 characters): "asked on a call", "complaint by email".
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct OptInInput {
    /// Required: how the person asked to hear from the business again (1 to 500 characters).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One person on the opt-out list.
#[derive(Serialize, ToSchema)]
pub struct OptOutEntryView {
    /// Null once the lead was deleted: the number stays suppressed all the same.
    pub lead_id: Option<Uuid>,
    /// Null for an erased or deleted lead (and a lead nobody named).
    pub name: Option<String>,
    /// E.164; null for an erased or deleted lead (the list keeps only a keyed hash).
    pub phone: Option<String>,
    /// When the lead's personal data was erased.
    pub erased_at: Option<DateTime<Utc>>,
    /// When the person opted out.
    pub at: DateTime<Utc>,
    pub source: OptOutSource,
    /// The member who opted the lead out; null when the lead did (`keyword`, `button`).
    pub by: Option<MemberRef>,
    pub reason: Option<String>,
    /// The lead's message that said stop.
    pub message_id: Option<Uuid>,
}

pub(crate) fn entry_view(e: OptOutEntry) -> OptOutEntryView {
    OptOutEntryView {
        lead_id: e.lead_id,
        name: e.name,
        phone: e.phone,
        erased_at: e.erased_at,
        at: e.at,
        source: e.source,
        by: e.by.map(|(id, name)| MemberRef { id, name }),
        reason: e.reason,
        message_id: e.message_id,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OptOutParams {
    /// A name, email or reason (words), or a phone in any format — found by its hash even
    /// when the lead was erased or deleted.
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::blank_as_none")]
    #[param(value_type = Option<OptOutSource>)]
    pub source: Option<OptOutSource>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct EraseInput {
    /// The lead whose personal data goes.
    pub lead_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct ErasedView {
    pub lead_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// The lead changed (the leads pages refetch), its conversations too (opt-out flag, redacted
/// texts), their pending follow-ups were cancelled (the inbox refetches) and its drip
/// sequence stopped (the sequence's page does).
async fn announce(
    state: &AppState,
    org_id: Uuid,
    lead_id: Uuid,
    conversations: Vec<Uuid>,
    ended: OutreachEnded,
) {
    let events = std::iter::once(RealtimeEvent::LeadUpdated { lead_id })
        .chain(
            ended
                .sequence
                .map(crate::routes::sequences::enrollment_event),
        )
        .chain(
            ended
                .followups
                .into_iter()
                .map(
                    |(conversation_id, followup_id)| RealtimeEvent::FollowupUpdated {
                        conversation_id,
                        followup_id,
                        status: FollowupStatus::Cancelled,
                    },
                ),
        )
        .chain(
            conversations
                .into_iter()
                .map(RealtimeEvent::conversation_updated),
        )
        .collect();
    crate::announce::publish(&state.store, org_id, events).await;
}

async fn lead_after(
    state: &AppState,
    org_id: Uuid,
    id: Uuid,
    ended: OutreachEnded,
) -> ApiResult<Json<LeadView>> {
    let org = state.store.org(org_id);
    let lead = org.lead(id).await?;
    let conversations = org.lead_extras(id).await?.conversations;
    let ids = conversations.iter().map(|c| c.id).collect();
    announce(state, org_id, id, ids, ended).await;
    Ok(Json(view(lead)))
}

/// Opt a lead out: nobody may message them (a send answers 422 `opted_out`) and their number
/// stays suppressed. Idempotent: an opted-out lead stays as it was.
#[utoipa::path(post, path = "/leads/{id}/opt-out", tag = "crm", params(("id" = String, Path)),
    request_body = OptOutInput, security(("bearer" = [])),
    responses((status = 200, body = LeadView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn opt_out(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OptOutInput>,
) -> ApiResult<Json<LeadView>> {
    let id = parse_id(&id)?;
    let reason =
        compliance::reason(input.reason.as_deref()).map_err(|e| ApiError::field("reason", e.0))?;
    let org = state.store.org(member.org_id());
    let ended = org.opt_out(&member.0.user.as_actor(), id, reason).await?;
    lead_after(&state, member.org_id(), id, ended).await
}

/// Opt a lead back in (owner or admin), saying how the person asked. Idempotent. An erased
/// lead answers 409 `lead_erased`: the person opts in by writing START.
#[utoipa::path(post, path = "/leads/{id}/opt-in", tag = "crm", params(("id" = String, Path)),
    request_body = OptInInput, security(("bearer" = [])),
    responses((status = 200, body = LeadView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn opt_in(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OptInInput>,
) -> ApiResult<Json<LeadView>> {
    let id = parse_id(&id)?;
    let reason = compliance::reason(input.reason.as_deref())
        .map_err(|e| ApiError::field("reason", e.0))?
        .ok_or_else(|| ApiError::field("reason", "say how the person asked to hear from you"))?;
    let org = state.store.org(member.org_id());
    org.opt_in(&member.0.user.as_actor(), id, Some(reason))
        .await?;
    lead_after(&state, member.org_id(), id, OutreachEnded::default()).await
}

/// The opt-out list, newest first: who, when, how, by whom and why.
#[utoipa::path(get, path = "/opt-outs", tag = "crm", params(OptOutParams),
    security(("bearer" = [])),
    responses((status = 200, body = List<OptOutEntryView>), (status = 422, body = ErrorBody)))]
pub async fn list_opt_outs(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<OptOutParams>,
) -> ApiResult<Json<List<OptOutEntryView>>> {
    let limit = page_limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()?;
    let org = state.store.org(member.org_id());
    let mut query = OptOutQuery {
        source: p.source,
        after,
        limit,
        ..Default::default()
    };
    if let Some(q) = p.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if q.chars().count() > 200 {
            return Err(ApiError::field("q", "must be at most 200 characters"));
        }
        if let Some(digits) = closer_domain::leads::phone_like_digits(q) {
            let country = org.default_country().await?;
            query.phone = Phone::parse(q, Some(&country)).ok().map(|p| p.to_string());
            // Part of a number (`43210`) finds the leads whose phone holds it.
            query.phone_digits = Some(digits.trim_start_matches('0').to_owned())
                .filter(|d| query.phone.is_none() && !d.is_empty());
        } else {
            query.words = q.split_whitespace().take(8).map(str::to_owned).collect();
        }
    }
    let mut items = org.opt_outs(&query).await?;
    let next_cursor = if items.len() as u64 > limit {
        items.truncate(limit as usize);
        items.last().map(|e| encode_cursor(e.at, e.id))
    } else {
        None
    };
    Ok(Json(List {
        items: items.into_iter().map(entry_view).collect(),
        next_cursor,
    }))
}

/// Erase a lead's personal data (owner or admin): identity, profile, fields and notes are
/// cleared; their name, phone in any spelling, email and slot values become `[redacted]` in
/// messages, the agent's memory and decisions; counts, stage history and costs stay; the
/// number stays suppressed. Idempotent; audited as `privacy.erase` without the data.
#[utoipa::path(post, path = "/privacy/erase", tag = "crm", request_body = EraseInput,
    security(("bearer" = [])),
    responses((status = 200, body = ErasedView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(input): ApiJson<EraseInput>,
) -> ApiResult<Json<ErasedView>> {
    let id = Uuid::parse_str(input.lead_id.trim())
        .map_err(|_| ApiError::field("lead_id", "must be a lead's id"))?;
    let erased = state
        .store
        .org(member.org_id())
        .erase_lead(&member.0.user.as_actor(), id)
        .await?;
    announce(
        &state,
        member.org_id(),
        erased.lead_id,
        erased.conversation_ids,
        erased.ended,
    )
    .await;
    Ok(Json(ErasedView {
        lead_id: erased.lead_id,
        erased_at: erased.erased_at,
    }))
}
