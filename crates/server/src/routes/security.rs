//! The account's security: where it is signed in (and signing those out), and the
//! organisation's rule that every member uses two-factor sign-in.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Member, Owner, SignedIn, parse_id};
use crate::routes::schema::List;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_store::SessionInfo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// One place the member is signed in.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    /// A short summary of the browser, e.g. "Chrome on Linux"; null when it sent none.
    pub device: Option<String>,
    /// The address it was last used from.
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    pub last_seen_at: DateTime<Utc>,
    /// This is the session making the request.
    pub current: bool,
}

fn view(s: SessionInfo, current: Uuid) -> SessionView {
    SessionView {
        current: s.id == current,
        id: s.id,
        device: s.device,
        ip: s.ip,
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
    }
}

/// Where you are signed in, most recently used first.
#[utoipa::path(get, path = "/auth/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = List<SessionView>), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> ApiResult<Json<List<SessionView>>> {
    let sessions = state.store.org(me.org_id).live_sessions(me.user.id).await?;
    Ok(Json(List::whole(
        sessions.into_iter().map(|s| view(s, me.session_id)),
    )))
}

/// Sign out one of your sessions (its sockets close at once). Anyone else's: 404.
#[utoipa::path(delete, path = "/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "session id")), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_session(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(me.org_id)
        .revoke_own_session(&me, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out everywhere but here.
#[utoipa::path(post, path = "/auth/sessions/revoke-others", tag = "auth",
    security(("bearer" = [])), responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn revoke_other_sessions(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> ApiResult<StatusCode> {
    state
        .store
        .org(me.org_id)
        .revoke_other_sessions(&me)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SecuritySettings {
    /// Every member must sign in with a second factor; those without one can reach only their
    /// own account's security until they set it up.
    pub require_two_factor: bool,
}

/// The organisation's security rules.
#[utoipa::path(get, path = "/settings/security", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = SecuritySettings), (status = 401, body = ErrorBody)))]
pub async fn get_security(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<SecuritySettings>> {
    let require_two_factor = state
        .store
        .org(member.org_id())
        .requires_two_factor()
        .await?;
    Ok(Json(SecuritySettings { require_two_factor }))
}

/// Change the organisation's security rules (owner only). Requiring two-factor sign-in needs
/// it on for yourself first (409 otherwise).
#[utoipa::path(put, path = "/settings/security", tag = "org", request_body = SecuritySettings,
    security(("bearer" = [])),
    responses((status = 200, body = SecuritySettings), (status = 403, body = ErrorBody),
        (status = 409, description = "you have no second factor yourself", body = ErrorBody)))]
pub async fn update_security(
    State(state): State<AppState>,
    Owner(member): Owner,
    ApiJson(body): ApiJson<SecuritySettings>,
) -> ApiResult<Json<SecuritySettings>> {
    let require_two_factor = state
        .store
        .org(member.org_id())
        .set_requires_two_factor(&member.0.user.as_actor(), body.require_two_factor)
        .await?;
    Ok(Json(SecuritySettings { require_two_factor }))
}
