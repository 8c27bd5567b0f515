//! Sign-up, sign-in, sign-out and "who am I".

use crate::credentials::{hash_password, new_token, verify_password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Member};
use crate::routes::schema::{OrgRef, SessionUser};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use chrono::Duration;
use closer_domain::{EmailAddress, OrgName, Password, PersonName};
use closer_store::{NewAccount, User};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::SocketAddr;
use utoipa::ToSchema;

/// How long a sign-in lasts before the member must sign in again.
const SESSION_DAYS: i64 = 30;

#[derive(Deserialize, ToSchema)]
pub struct SignupRequest {
    /// Creates a new organisation with you as its owner. Give this or `invite_token`.
    pub org_name: Option<String>,
    /// Joins the organisation that invited you, with the invite's role.
    pub invite_token: Option<String>,
    pub name: String,
    pub email: String,
    /// At least 8 characters.
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuthResponse {
    /// Bearer token for `Authorization: Bearer <token>` and the WebSocket's `?token=`.
    pub token: String,
    pub user: SessionUser,
    pub org: OrgRef,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: SessionUser,
    pub org: OrgRef,
}

async fn start_session(state: &AppState, user: &User, org: OrgRef) -> ApiResult<AuthResponse> {
    let token = new_token();
    let expires = closer_store::now() + Duration::days(SESSION_DAYS);
    state
        .store
        .create_session(user, &closer_store::token_hash(&token), expires)
        .await?;
    Ok(AuthResponse {
        token,
        user: user.into(),
        org,
    })
}

/// Create an organisation with its owner, or join one by invite.
#[utoipa::path(post, path = "/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 201, body = AuthResponse),
        (status = 404, description = "invite unknown, expired or used", body = ErrorBody),
        (status = 409, description = "email_taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignupRequest>,
) -> ApiResult<(StatusCode, Json<AuthResponse>)> {
    let mut v = Validator::default();
    let name = v.check("name", PersonName::parse(&body.name));
    let email = v.check("email", EmailAddress::parse(&body.email));
    let password = v.check("password", Password::parse(&body.password));
    let invite = body
        .invite_token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let org_name = match (invite, body.org_name.as_deref()) {
        (Some(_), _) => None,
        (None, Some(raw)) => v.check("org_name", OrgName::parse(raw)),
        (None, None) => {
            v.fail("org_name", "is required (or join with an invite_token)");
            None
        }
    };
    v.finish()?;
    let (name, email, password) = (name.unwrap(), email.unwrap(), password.unwrap());
    if state.store.find_login(&email).await?.is_some() {
        return Err(closer_store::StoreError::EmailTaken.into());
    }
    let account = NewAccount {
        name,
        email,
        password_hash: hash_password(password).await?,
    };
    let (org, user) = match (invite, org_name) {
        (Some(token), _) => {
            state
                .store
                .accept_invite(&closer_store::token_hash(token), &account)
                .await?
        }
        (None, Some(org_name)) => {
            state
                .store
                .create_org_with_owner(&org_name, &account)
                .await?
        }
        (None, None) => unreachable!("validated above"),
    };
    let org_ref = OrgRef {
        id: org.id,
        name: org.name,
    };
    let resp = start_session(&state, &user, org_ref).await?;
    Ok((StatusCode::CREATED, Json(resp)))
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = AuthResponse),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 429, description = "rate_limited, with Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<AuthResponse>> {
    // A malformed email cannot belong to an account: same answer as a wrong password.
    let email = EmailAddress::parse(&body.email).map_err(|_| ApiError::InvalidCredentials)?;
    state
        .login_limits
        .check(email.as_str(), peer.ip())
        .map_err(ApiError::RateLimited)?;
    let found = state.store.find_login(&email).await?;
    let hash = found.as_ref().map(|(_, hash)| hash.clone());
    if !verify_password(body.password, hash).await {
        return Err(ApiError::InvalidCredentials);
    }
    let (user, _) = found.ok_or(ApiError::InvalidCredentials)?;
    if !user.active {
        return Err(ApiError::InvalidCredentials);
    }
    let scope = state.store.org(user.org_id);
    let org = scope.details().await?;
    let resp = start_session(
        &state,
        &user,
        OrgRef {
            id: org.id,
            name: org.name,
        },
    )
    .await?;
    scope
        .record(
            &user.as_actor(),
            "auth.login",
            format!("user:{}", user.id),
            json!({ "ip": peer.ip().to_string() }),
        )
        .await?;
    Ok(Json(resp))
}

/// Sign out: the token stops working at once.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, member: Member) -> ApiResult<StatusCode> {
    state.store.revoke_session(&member.0).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in member and their organisation.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(member: Member) -> Json<MeResponse> {
    let s = member.0;
    Json(MeResponse {
        user: (&s.user).into(),
        org: OrgRef {
            id: s.org_id,
            name: s.org_name,
        },
    })
}
