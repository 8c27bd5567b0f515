//! Round-robin assignment: the organisation's switch. Each member's availability travels
//! with the member (`PATCH /users/{id}` `{available}`).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSettings {
    /// When the agent hands an unassigned conversation over, give it to the next available
    /// member in turn (none available: it stays unassigned).
    pub round_robin: bool,
}

/// The organisation's assignment settings (owner or admin).
#[utoipa::path(get, path = "/settings/assignment", tag = "team", security(("bearer" = [])),
    responses((status = 200, body = AssignmentSettings), (status = 403, body = ErrorBody)))]
pub async fn get_assignment_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<AssignmentSettings>> {
    let round_robin = state.store.org(member.org_id()).round_robin().await?;
    Ok(Json(AssignmentSettings { round_robin }))
}

/// Turns round-robin assignment on or off (owner or admin; audited).
#[utoipa::path(put, path = "/settings/assignment", tag = "team",
    request_body = AssignmentSettings, security(("bearer" = [])),
    responses((status = 200, body = AssignmentSettings), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_assignment_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<AssignmentSettings>,
) -> ApiResult<Json<AssignmentSettings>> {
    let round_robin = state
        .store
        .org(member.org_id())
        .set_round_robin(&member.0.user.as_actor(), req.round_robin)
        .await?;
    Ok(Json(AssignmentSettings { round_robin }))
}
