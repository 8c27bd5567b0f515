//! The team: list members, change role or name, deactivate, remove.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, parse_id};
use crate::routes::schema::{List, ListParams, UserView};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use closer_domain::{PersonName, Role};
use closer_store::UserPatch;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct UserUpdate {
    pub role: Option<Role>,
    pub name: Option<String>,
    /// false signs the member out everywhere and blocks sign-in.
    pub active: Option<bool>,
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
/// the last owner cannot be demoted or deactivated).
#[utoipa::path(patch, path = "/users/{id}", tag = "team", request_body = UserUpdate,
    params(("id" = String, Path, description = "user id")), security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "last_owner", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserView>> {
    let id = parse_id(&id)?;
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
    let user = state
        .store
        .org(member.org_id())
        .update_user(&member.0.user.as_actor(), id, &patch)
        .await?;
    Ok(Json(user.into()))
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
