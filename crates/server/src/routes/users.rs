//! The team: list members, change role or name, deactivate, remove.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, parse_id};
use crate::routes::schema::{List, ListParams, UserView};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use closer_domain::{PersonName, Role};
use closer_store::UserPatch;
use closer_store::events::RealtimeEvent;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct UserUpdate {
    pub role: Option<Role>,
    pub name: Option<String>,
    /// false signs the member out everywhere and blocks sign-in.
    pub active: Option<bool>,
    /// Takes new conversations from the round-robin. A member sets their own; an owner or
    /// admin anyone's (a viewer answers no leads: 403).
    pub available: Option<bool>,
}

/// Members of the organisation, in the order they joined.
#[utoipa::path(get, path = "/users", tag = "team", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = List<UserView>), (status = 401, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<List<UserView>>> {
    let page = state
        .store
        .org(member.org_id())
        .users(params.page()?)
        .await?;
    Ok(Json(List::from_page(page, UserView::from)))
}

/// Change a member's role, name or active flag (owner or admin; only an owner touches owners;
/// the last owner cannot be demoted or deactivated), or whether they are available for new
/// conversations (also the member themself).
#[utoipa::path(patch, path = "/users/{id}", tag = "team", request_body = UserUpdate,
    params(("id" = String, Path, description = "user id")), security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "last_owner", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserView>> {
    let id = parse_id(&id)?;
    let role = member.0.user.role;
    let manages = body.role.is_some() || body.name.is_some() || body.active.is_some();
    if (manages || id != member.0.user.id) && !role.can_manage_org() {
        return Err(ApiError::forbidden());
    }
    if body.available.is_some() && !role.can_work_conversations() {
        return Err(ApiError::forbidden());
    }
    if manages {
        update_details(&state, &member, id, &body).await?;
    }
    let org = state.store.org(member.org_id());
    if let Some(available) = body.available
        && org
            .set_available(&member.0.user.as_actor(), id, available)
            .await?
    {
        let event = RealtimeEvent::AvailabilityChanged {
            user_id: id,
            available,
        };
        crate::announce::publish(&state.store, member.org_id(), vec![event]).await;
    }
    Ok(Json(org.user(id).await?.into()))
}

/// The manager's part of a change: role, name, active.
async fn update_details(
    state: &AppState,
    member: &Member,
    id: uuid::Uuid,
    body: &UserUpdate,
) -> ApiResult<()> {
    let mut v = Validator::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| v.check("name", PersonName::parse(n)));
    v.finish()?;
    let patch = UserPatch {
        role: body.role,
        name,
        active: body.active,
    };
    state
        .store
        .org(member.org_id())
        .update_user(&member.0.user.as_actor(), id, &patch)
        .await?;
    Ok(())
}

/// Remove a member from the organisation (owner or admin; never the last owner).
#[utoipa::path(delete, path = "/users/{id}", tag = "team",
    params(("id" = String, Path, description = "user id")), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "last_owner", body = ErrorBody)))]
pub async fn remove_user(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .remove_user(&member.0.user.as_actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
