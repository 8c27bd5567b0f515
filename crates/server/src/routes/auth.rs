//! Sign-up, sign-in (with a second factor when the member has one), sign-out and "who am I".
//! Sign-up and sign-in answer the token in the body (API clients) and set it as the
//! dashboard's HttpOnly session cookie; sign-out clears it.

use crate::credentials::{hash_password, new_token, verify_password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp, SignedIn, clear_session_cookie, set_session_cookie};
use crate::routes::schema::{OrgRef, SessionUser};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Response};
use chrono::Duration;
use closer_domain::{EmailAddress, OrgName, Password, PersonName};
use closer_store::{NewAccount, SecondFactor, SessionOrigin, StoreError, TwoFactorStatus, User};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::net::IpAddr;
use utoipa::ToSchema;

/// How long a sign-in lasts before the member must sign in again.
const SESSION_DAYS: i64 = 30;
/// The longest User-Agent summary kept when the browser is not recognised.
const DEVICE_MAX_CHARS: usize = 80;

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
    /// With two-factor sign-in on: the 6-digit code from the authenticator app, or one of
    /// the recovery codes.
    pub code: Option<String>,
}

/// The member's second factor, and whether their organisation requires one.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorView {
    pub enabled: bool,
    pub required: bool,
}

impl From<TwoFactorStatus> for TwoFactorView {
    fn from(s: TwoFactorStatus) -> Self {
        TwoFactorView {
            enabled: s.enabled,
            required: s.required,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuthResponse {
    /// Bearer token for `Authorization: Bearer <token>` and the WebSocket's `?token=`. The
    /// dashboard uses the HttpOnly `closer_session` cookie set with it instead.
    pub token: String,
    pub user: SessionUser,
    pub org: OrgRef,
    pub two_factor: TwoFactorView,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: SessionUser,
    pub org: OrgRef,
    pub two_factor: TwoFactorView,
}

/// Whether the browser reached us over https, so the session cookie may be `Secure`.
pub fn over_https(state: &AppState, headers: &HeaderMap) -> bool {
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    forwarded
        || state
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
}

/// "Chrome on Linux" from the User-Agent; the raw header, shortened, when it is not known.
pub fn device_of(headers: &HeaderMap) -> Option<String> {
    let ua = headers.get(header::USER_AGENT)?.to_str().ok()?.trim();
    let known = |v: &str| !v.is_empty() && v != woothee::woothee::VALUE_UNKNOWN;
    let summary = woothee::parser::Parser::new().parse(ua).and_then(|r| {
        match (known(r.name).then_some(r.name), known(r.os).then_some(r.os)) {
            (Some(b), Some(os)) => Some(format!("{b} on {os}")),
            (Some(b), None) => Some(b.to_owned()),
            (None, Some(os)) => Some(os.to_owned()),
            (None, None) => None,
        }
    });
    summary.or_else(|| (!ua.is_empty()).then(|| ua.chars().take(DEVICE_MAX_CHARS).collect()))
}

/// A new session for `user`, answered as the body's token and the dashboard's cookie.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    ip: IpAddr,
    user: &User,
    org: OrgRef,
    required: bool,
) -> ApiResult<(
    AppendHeaders<[(header::HeaderName, header::HeaderValue); 1]>,
    AuthResponse,
)> {
    let token = new_token();
    let expires = closer_store::now() + Duration::days(SESSION_DAYS);
    let origin = SessionOrigin {
        device: device_of(headers),
        ip: Some(ip.to_string()),
    };
    state
        .store
        .create_session(user, &closer_store::token_hash(&token), expires, &origin)
        .await?;
    let cookie = set_session_cookie(
        &token,
        Duration::days(SESSION_DAYS).num_seconds(),
        over_https(state, headers),
    );
    let resp = AuthResponse {
        token,
        user: user.into(),
        org,
        two_factor: TwoFactorView {
            enabled: user.two_factor_enabled,
            required,
        },
    };
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), resp))
}

/// Create an organisation with its owner, or join one by invite. Limited per client address
/// (a burst of 10, then one a minute).
#[utoipa::path(post, path = "/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 201, body = AuthResponse),
        (status = 404, description = "invite unknown, expired or used", body = ErrorBody),
        (status = 409, description = "email_taken", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "rate_limited, with Retry-After", body = ErrorBody),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignupRequest>,
) -> ApiResult<Response> {
    state
        .login_limits
        .check_signup(ip)
        .map_err(ApiError::RateLimited)?;
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
        return Err(StoreError::EmailTaken.into());
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
    let required = state.store.org(org.id).requires_two_factor().await?;
    let org_ref = OrgRef {
        id: org.id,
        name: org.name,
    };
    let (cookie, resp) = start_session(&state, &headers, ip, &user, org_ref, required).await?;
    Ok((StatusCode::CREATED, cookie, Json(resp)).into_response())
}

/// Sign in with email and password, plus a code when two-factor sign-in is on.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = AuthResponse),
        (status = 401, description = "invalid_credentials; second_factor_required (two-factor is on and no code was given); invalid_second_factor (wrong or already used code)", body = ErrorBody),
        (status = 429, description = "rate_limited, with Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    // A malformed email cannot belong to an account: same answer as a wrong password.
    let email = EmailAddress::parse(&body.email).map_err(|_| ApiError::InvalidCredentials)?;
    // Every attempt counts, with or without a code: a code is guessed no faster than a password.
    state
        .login_limits
        .check(email.as_str(), ip)
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
    let second_factor = second_factor(&scope, &user, body.code.as_deref()).await?;
    let org = scope.details().await?;
    let required = scope.requires_two_factor().await?;
    let org_ref = OrgRef {
        id: org.id,
        name: org.name,
    };
    let (cookie, resp) = start_session(&state, &headers, ip, &user, org_ref, required).await?;
    scope
        .record(
            &user.as_actor(),
            "auth.login",
            format!("user:{}", user.id),
            json!({ "ip": ip.to_string(), "second_factor": second_factor }),
        )
        .await?;
    Ok((cookie, Json(resp)).into_response())
}

/// Checks and uses up the sign-in's second factor, when the member has one.
async fn second_factor(
    scope: &closer_store::OrgScope<'_>,
    user: &User,
    code: Option<&str>,
) -> ApiResult<Option<&'static str>> {
    if !user.two_factor_enabled {
        return Ok(None);
    }
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or(ApiError::SecondFactorRequired)?;
    match scope.use_second_factor(user.id, code).await {
        Ok(SecondFactor::Totp) => Ok(Some("totp")),
        Ok(SecondFactor::RecoveryCode) => Ok(Some("recovery_code")),
        Err(StoreError::InvalidSecondFactor) => {
            Err(ApiError::InvalidSecondFactor(StatusCode::UNAUTHORIZED))
        }
        Err(err) => Err(err.into()),
    }
}

/// Sign out: the token stops working at once, the dashboard's cookie is cleared and every
/// socket the session opened is closed.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    member: Result<SignedIn, ApiError>,
) -> Response {
    let clear = AppendHeaders([(
        header::SET_COOKIE,
        clear_session_cookie(over_https(&state, &headers)),
    )]);
    let outcome = match member {
        Ok(SignedIn(session)) => state
            .store
            .revoke_session(&session)
            .await
            .map_err(Into::into),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(()) => (StatusCode::NO_CONTENT, clear).into_response(),
        Err(err) => (clear, err).into_response(),
    }
}

/// The signed-in member, their organisation, and where they stand with two-factor sign-in.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)))]
pub async fn me(SignedIn(s): SignedIn) -> Json<MeResponse> {
    Json(MeResponse {
        user: (&s.user).into(),
        org: OrgRef {
            id: s.org_id,
            name: s.org_name,
        },
        two_factor: s.two_factor.into(),
    })
}
