//! Invites: a single-use link, valid for 7 days, that lets someone join with a given role.

use crate::credentials::new_token;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, parse_id};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use crate::validate::{Validator, optional};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, Utc};
use closer_domain::{EmailAddress, Role};
use closer_store::Invite;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

const INVITE_DAYS: i64 = 7;

#[derive(Deserialize, ToSchema)]
pub struct InviteRequest {
    pub role: Role,
    /// When given, only this address can accept the invite, and the link is emailed to it
    /// (when Settings → Email has a mail server).
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedInvite {
    pub id: Uuid,
    /// Shown once: only its hash is stored.
    pub token: String,
    /// The sign-up link to send, with the organisation pre-filled.
    pub url: String,
    pub expires_at: DateTime<Utc>,
    /// The link was queued to be emailed to `email`.
    pub emailed: bool,
}

#[derive(Serialize, ToSchema)]
pub struct InviteView {
    pub id: Uuid,
    pub role: Role,
    pub email: Option<String>,
    /// The member who created it.
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<Invite> for InviteView {
    fn from(i: Invite) -> Self {
        InviteView {
            id: i.id,
            role: i.role,
            email: i.email,
            created_by: i.created_by,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InviteOrg {
    pub name: String,
}

/// What the sign-up page shows for an invite link.
#[derive(Serialize, ToSchema)]
pub struct InvitePreviewView {
    pub org: InviteOrg,
    pub role: Role,
    pub email: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Create an invite link (owner or admin; only an owner may invite an owner).
#[utoipa::path(post, path = "/invites", tag = "team", request_body = InviteRequest, security(("bearer" = [])),
    responses((status = 201, body = CreatedInvite), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_invite(
    State(state): State<AppState>,
    headers: HeaderMap,
    Manager(member): Manager,
    ApiJson(body): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<CreatedInvite>)> {
    let mut v = Validator::default();
    let email =
        optional(body.email.as_deref()).and_then(|e| v.check("email", EmailAddress::parse(&e)));
    v.finish()?;
    let token = new_token();
    let expires_at = closer_store::now() + Duration::days(INVITE_DAYS);
    let invite = state
        .store
        .org(member.org_id())
        .create_invite(
            &member.0.user.as_actor(),
            body.role,
            email.as_ref(),
            &closer_store::token_hash(&token),
            expires_at,
        )
        .await?;
    let url = format!("{}/signup?invite={token}", state.public_base(&headers));
    let emailed = match &email {
        Some(to) => {
            let scope = state.store.org(member.org_id());
            let org = scope.details().await?;
            let text = format!(
                "{} invited you to join {} on Closer as {}.\n\nAccept within {INVITE_DAYS} \
                 days:\n\n{url}\n",
                member.0.user.name,
                org.name,
                body.role.as_str()
            );
            let subject = format!("Join {} on Closer", org.name);
            let key = format!("invite:{}", invite.id);
            let queued = scope
                .queue_email(&key, to.as_str(), &subject, &text)
                .await?;
            if queued {
                state.store.wake_workers().await;
            }
            queued
        }
        None => false,
    };
    Ok((
        StatusCode::CREATED,
        Json(CreatedInvite {
            id: invite.id,
            token,
            url,
            expires_at: invite.expires_at,
            emailed,
        }),
    ))
}

/// Invites not yet accepted, revoked or expired (owner or admin).
#[utoipa::path(get, path = "/invites", tag = "team", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = List<InviteView>), (status = 403, body = ErrorBody)))]
pub async fn list_invites(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<List<InviteView>>> {
    let page = state
        .store
        .org(member.org_id())
        .pending_invites(params.page()?)
        .await?;
    Ok(Json(List::from_page(page, InviteView::from)))
}

/// Public: what an invite link is for. 404 when unknown, expired, revoked or used.
#[utoipa::path(get, path = "/invites/{token}", tag = "team",
    params(("token" = String, Path, description = "the token from the invite link")),
    responses((status = 200, body = InvitePreviewView), (status = 404, body = ErrorBody)))]
pub async fn lookup_invite(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<InvitePreviewView>> {
    let p = state
        .store
        .invite_preview(&closer_store::token_hash(&token))
        .await?;
    Ok(Json(InvitePreviewView {
        org: InviteOrg { name: p.org_name },
        role: p.role,
        email: p.email,
        expires_at: p.expires_at,
    }))
}

/// Revoke a pending invite by its id (owner or admin). Shares its path with the public
/// lookup: a token and an id never look alike.
#[utoipa::path(delete, path = "/invites/{token}", tag = "team",
    params(("token" = String, Path, description = "the invite's id")), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_invite(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .revoke_invite(&member.0.user.as_actor(), id)
        .await
        .map_err(ApiError::from)?;
    Ok(StatusCode::NO_CONTENT)
}
