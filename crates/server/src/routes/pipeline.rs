//! The pipeline (API.md, *CRM*): stages, the board, moving a lead and its stage history.
//!
//! Roles: every member reads the board, stages and history; anyone but a viewer moves leads;
//! owner/admin define stages. The role is checked before the body is read.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, parse_id};
use crate::routes::leads::{LeadListParams, LeadView, LeadWriter, list_params, view};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::ValidationError;
use closer_domain::pipeline::{self, MoveActor, StageColor, StageKind};
use closer_domain::sales::ConversationStage;
use closer_domain::work::ErrorCode;
use closer_store::pipeline::{
    BoardColumn, HistoryRecord, NewStage, PipelineError, StageChanges, StageRecord,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A pipeline refusal as the API answers it.
pub fn refusal(e: PipelineError) -> ApiError {
    let message = e.to_string();
    match e {
        PipelineError::StageExists => ApiError::Conflict {
            code: ErrorCode::StageExists,
            message,
        },
        PipelineError::StageNotEmpty => ApiError::Conflict {
            code: ErrorCode::StageNotEmpty,
            message,
        },
        PipelineError::LastOpenStage => ApiError::Conflict {
            code: ErrorCode::LastOpenStage,
            message,
        },
        PipelineError::Reference { field, message } => ApiError::field(field, message),
    }
}

// ----- stages -----

/// A stage of the pipeline.
#[derive(Serialize, ToSchema)]
pub struct StageView {
    pub id: Uuid,
    pub name: String,
    /// 0 = the first column.
    pub position: i32,
    pub kind: StageKind,
    /// `#rrggbb`.
    pub color: String,
    /// The conversation stages that move a lead here (the agent's moves).
    pub conversation_stages: Vec<ConversationStage>,
    /// How many leads the stage holds (every lead, no filter).
    pub lead_count: u64,
}

fn stage_view(s: StageRecord, counts: &HashMap<Uuid, u64>) -> StageView {
    StageView {
        lead_count: counts.get(&s.id).copied().unwrap_or(0),
        id: s.id,
        name: s.name,
        position: s.position,
        kind: s.kind,
        color: s.color,
        conversation_stages: s.conversation_stages,
    }
}

#[derive(Serialize, ToSchema)]
pub struct StageList {
    pub items: Vec<StageView>,
}

/// A stage as written: on `PUT`, absent fields stay.
#[derive(Deserialize, ToSchema)]
pub struct StageInput {
    /// 1 to 40 characters, unique in any case (409 `stage_exists`).
    pub name: Option<String>,
    /// `open` (default), `won` or `lost`.
    pub kind: Option<StageKind>,
    /// `#rrggbb`.
    pub color: Option<String>,
    /// Listing a conversation stage here takes it off any other stage.
    pub conversation_stages: Option<Vec<ConversationStage>>,
    /// Where the stage goes (0 = first); the others shift. On create: the end when absent.
    pub position: Option<i32>,
}

fn checked_stage(input: StageInput, creating: bool) -> ApiResult<StageChanges> {
    let mut v = Validator::default();
    let name = match input.name.as_deref() {
        Some(n) => v.check("name", pipeline::stage_name(n)),
        None if creating => {
            v.fail("name", "is required");
            None
        }
        None => None,
    };
    let color = input.color.as_deref().and_then(|c| {
        v.check("color", StageColor::parse(c))
            .map(|c| c.as_str().to_owned())
    });
    if let Some(p) = input.position
        && p < 0
    {
        v.fail("position", "must not be negative");
    }
    let conversation_stages = input.conversation_stages.map(|list| {
        let mut out: Vec<ConversationStage> = Vec::new();
        for c in list {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    });
    v.finish()?;
    Ok(StageChanges {
        name,
        kind: input.kind,
        color,
        conversation_stages,
        position: input.position,
    })
}

/// The pipeline's stages in board order, with how many leads each holds.
#[utoipa::path(get, path = "/pipeline/stages", tag = "crm", security(("bearer" = [])),
    responses((status = 200, body = StageList)))]
pub async fn list_stages(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<StageList>> {
    let org = state.store.org(member.org_id());
    let stages = org.stages().await?;
    let counts = org.stage_counts().await?;
    Ok(Json(StageList {
        items: stages.into_iter().map(|s| stage_view(s, &counts)).collect(),
    }))
}

/// A new stage (owner or admin); the stages from `position` on shift right.
#[utoipa::path(post, path = "/pipeline/stages", tag = "crm", request_body = StageInput,
    security(("bearer" = [])),
    responses((status = 201, body = StageView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_stage(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(input): ApiJson<StageInput>,
) -> ApiResult<(StatusCode, Json<StageView>)> {
    let c = checked_stage(input, true)?;
    let org = state.store.org(member.org_id());
    let stage = org
        .create_stage(
            &member.0.user.as_actor(),
            NewStage {
                name: c.name.expect("validated"),
                kind: c.kind.unwrap_or(StageKind::Open),
                color: c.color.unwrap_or_else(|| "#64748b".into()),
                conversation_stages: c.conversation_stages.unwrap_or_default(),
                position: c.position,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(stage_view(stage, &HashMap::new())),
    ))
}

/// Rename, recolour, re-kind or reorder a stage (owner or admin).
#[utoipa::path(put, path = "/pipeline/stages/{id}", tag = "crm", params(("id" = String, Path)),
    request_body = StageInput, security(("bearer" = [])),
    responses((status = 200, body = StageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_stage(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StageInput>,
) -> ApiResult<Json<StageView>> {
    let id = parse_id(&id)?;
    let c = checked_stage(input, false)?;
    let org = state.store.org(member.org_id());
    let stage = org.update_stage(&member.0.user.as_actor(), id, c).await?;
    // A renamed or recoloured stage shows on every card and lead row.
    crate::announce::leads_bulk(&state.store, member.org_id()).await;
    let counts = org.stage_counts().await?;
    Ok(Json(stage_view(stage, &counts)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteStageParams {
    /// The stage the deleted stage's leads go to (needed while it holds any).
    pub move_to: Option<String>,
}

/// Delete a stage (owner or admin). 409 `stage_not_empty` while it holds leads and no
/// `move_to` is given; 409 `last_open_stage` for the only open stage.
#[utoipa::path(delete, path = "/pipeline/stages/{id}", tag = "crm",
    params(("id" = String, Path), DeleteStageParams), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_stage(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    crate::extract::ApiQuery(p): crate::extract::ApiQuery<DeleteStageParams>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    let move_to = match p
        .move_to
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => {
            Some(Uuid::parse_str(m).map_err(|_| ApiError::field("move_to", "must be a stage id"))?)
        }
        None => None,
    };
    state
        .store
        .org(member.org_id())
        .delete_stage(&member.0.user.as_actor(), id, move_to)
        .await?;
    crate::announce::leads_bulk(&state.store, member.org_id()).await;
    Ok(StatusCode::NO_CONTENT)
}

// ----- the board -----

/// A column of the board.
#[derive(Serialize, ToSchema)]
pub struct BoardColumnView {
    pub stage: StageView,
    /// Every matching lead in the stage, not just these cards.
    pub count: u64,
    /// The matching leads' deal values summed, in the currency's minor unit.
    pub value_sum_minor: i64,
    /// By position, 0 = top.
    pub cards: Vec<LeadView>,
    /// Pass with `stage_id` for the column's next cards.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Board {
    pub columns: Vec<BoardColumnView>,
}

/// The board's own parameters; the lead list's filters (`q`, `tag`, `owner_id`…) apply too.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct BoardParams {
    /// Cards per column, 1 to 100 (20 when absent).
    pub cards: Option<u64>,
    /// Only this column (with `cursor`: its next cards).
    pub stage_id: Option<String>,
}

fn board_params(raw: Option<&str>) -> ApiResult<BoardParams> {
    let mut p = BoardParams::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "cards" => {
                p.cards = Some(
                    v.parse::<u64>()
                        .ok()
                        .filter(|n| (1..=100).contains(n))
                        .ok_or_else(|| ApiError::field("cards", "must be between 1 and 100"))?,
                )
            }
            "stage_id" => p.stage_id = Some(v.to_owned()),
            _ => {}
        }
    }
    Ok(p)
}

/// The board: every stage with its count, deal-value sum and first cards, for the leads
/// matching the list's filters. `stage_id` + `cursor` pages one column.
#[utoipa::path(get, path = "/pipeline", tag = "crm", params(BoardParams, LeadListParams),
    security(("bearer" = [])),
    responses((status = 200, body = Board), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    member: Member,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Board>> {
    let bp = board_params(raw.as_deref())?;
    let p = list_params(raw)?;
    // The list's filters, saved view and filter document narrow the board alike.
    let (f, _) = crate::routes::lead_data::selection(&state.store, &member, &p).await?;
    let only = match &bp.stage_id {
        Some(s) => Some(parse_id(s)?),
        None => None,
    };
    let org = state.store.org(member.org_id());
    let columns = org
        .board(
            &f,
            bp.cards.unwrap_or(20),
            only,
            p.cursor.as_deref().filter(|c| !c.is_empty()),
        )
        .await?;
    let counts = org.stage_counts().await?;
    Ok(Json(Board {
        columns: columns
            .into_iter()
            .map(|c: BoardColumn| BoardColumnView {
                stage: stage_view(c.stage, &counts),
                count: c.count,
                value_sum_minor: c.value_sum_minor,
                cards: c.cards.into_iter().map(view).collect(),
                next_cursor: c.next_cursor,
            })
            .collect(),
    }))
}

// ----- moves and history -----

#[derive(Deserialize, ToSchema)]
pub struct MoveInput {
    pub stage_id: Uuid,
    /// Place in the column, 0 = top (default).
    #[serde(default)]
    pub position: Option<u32>,
    /// Why, in a few words (at most 500 characters).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StageBrief {
    pub id: Uuid,
    pub name: String,
}

/// One move of a lead between stages.
#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    pub id: Uuid,
    /// Null for the lead's entry into the pipeline.
    pub from_stage: Option<StageBrief>,
    pub to_stage: StageBrief,
    pub actor: MoveActor,
    /// The member (`user`) or the agent's decision (`ai`).
    pub actor_id: Option<Uuid>,
    /// A person's words, or the agent's reason code.
    pub reason: Option<String>,
    /// The lead's message that justified the agent's move.
    pub evidence_message_id: Option<Uuid>,
    pub at: DateTime<Utc>,
    pub seconds_in_from_stage: Option<i64>,
}

fn history_view(h: HistoryRecord) -> HistoryView {
    HistoryView {
        id: h.id,
        from_stage: h.from_stage.map(|(id, name)| StageBrief { id, name }),
        to_stage: StageBrief {
            id: h.to_stage.0,
            name: h.to_stage.1,
        },
        actor: h.actor,
        actor_id: h.actor_id,
        reason: h.reason,
        evidence_message_id: h.evidence_message_id,
        at: h.at,
        seconds_in_from_stage: h.seconds_in_from_stage,
    }
}

#[derive(Serialize, ToSchema)]
pub struct MoveResult {
    pub lead: LeadView,
    /// The history row the move wrote; null for a reorder within the stage.
    pub history: Option<HistoryView>,
}

fn reason(raw: Option<String>) -> Result<Option<String>, ValidationError> {
    match raw.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) if r.chars().count() <= 500 => Ok(Some(r.to_owned())),
        Some(_) => Err(ValidationError("must be at most 500 characters".into())),
    }
}

/// Move a lead to a stage at a position (0 = top); a move within the stage reorders. A stage
/// change writes a history row (actor `user`); won/lost stages set `lead_status`.
#[utoipa::path(put, path = "/pipeline/{lead_id}/move", tag = "crm",
    params(("lead_id" = String, Path)), request_body = MoveInput, security(("bearer" = [])),
    responses((status = 200, body = MoveResult), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_lead(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path(lead_id): Path<String>,
    ApiJson(input): ApiJson<MoveInput>,
) -> ApiResult<Json<MoveResult>> {
    let lead_id = parse_id(&lead_id)?;
    let mut v = Validator::default();
    let why = v.check("reason", reason(input.reason)).flatten();
    v.finish()?;
    let org = state.store.org(member.org_id());
    let history = org
        .move_lead(
            &member.0.user.as_actor(),
            lead_id,
            input.stage_id,
            u64::from(input.position.unwrap_or(0)),
            why,
        )
        .await?;
    crate::announce::lead_moved(&state.store, member.org_id(), lead_id, history.as_ref()).await;
    let lead = org.lead(lead_id).await?;
    Ok(Json(MoveResult {
        lead: view(lead),
        history: history.map(history_view),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct HistoryList {
    pub items: Vec<HistoryView>,
}

/// A lead's moves between stages, newest first.
#[utoipa::path(get, path = "/leads/{id}/history", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = HistoryList), (status = 404, body = ErrorBody)))]
pub async fn lead_history(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<HistoryList>> {
    let id = parse_id(&id)?;
    let items = state.store.org(member.org_id()).lead_history(id).await?;
    Ok(Json(HistoryList {
        items: items.into_iter().map(history_view).collect(),
    }))
}
