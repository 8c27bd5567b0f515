//! "Forgot password?": a reset link by email, valid for an hour and once. Asking always
//! answers 202, whether or not the address has an account, so nobody learns who does.

use crate::credentials::{hash_password, new_token};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;
use closer_domain::{EmailAddress, Password};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a reset link works.
const RESET_MINUTES: i64 = 60;

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// Asks for a reset link by email. Always 202 (unless throttled), with or without an account
/// and a mail server: the answer tells nothing about the address.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 202), (status = 429, description = "rate_limited, with Retry-After", body = ErrorBody)))]
pub async fn request_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    state
        .login_limits
        .check_signup(ip)
        .map_err(ApiError::RateLimited)?;
    let Ok(email) = EmailAddress::parse(&body.email) else {
        return Ok(StatusCode::ACCEPTED);
    };
    let token = new_token();
    let expires = closer_store::now() + Duration::minutes(RESET_MINUTES);
    let started = state
        .store
        .start_password_reset(&email, &closer_store::token_hash(&token), expires)
        .await?;
    if let Some(reset) = started {
        let link = format!(
            "{}/reset-password?token={token}",
            state.public_base(&headers)
        );
        let text = format!(
            "Hello {},\n\nSomeone (we hope you) asked to reset your Closer password. Choose a \
             new one here within {RESET_MINUTES} minutes:\n\n{link}\n\nIf it was not you, ignore \
             this email: your password stays as it is.\n",
            reset.user.name
        );
        let queued = state
            .store
            .org(reset.user.org_id)
            .queue_email(
                &format!("reset:{}", reset.id),
                &reset.user.email,
                "Reset your Closer password",
                &text,
            )
            .await?;
        if queued {
            state.store.wake_workers().await;
        } else {
            tracing::warn!(user = %reset.user.id, "a password reset was asked for, but the organisation has no mail server");
        }
    }
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordResetConfirm {
    /// From the emailed link.
    pub token: String,
    /// The new password, at least 8 characters.
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetDone {
    /// Every session of the member ended: sign in with the new password.
    pub signed_out_everywhere: bool,
}

/// Sets the new password with the emailed token (once, within the hour) and ends every
/// session of the member. 422 on `token` when it is unknown, used or expired.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth",
    request_body = PasswordResetConfirm,
    responses((status = 200, body = PasswordResetDone), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<PasswordResetConfirm>,
) -> ApiResult<Json<PasswordResetDone>> {
    state
        .login_limits
        .check_signup(ip)
        .map_err(ApiError::RateLimited)?;
    let mut v = Validator::default();
    let token = body.token.trim();
    if token.is_empty() {
        v.fail("token", "is required");
    }
    let password = v.check("password", Password::parse(&body.password));
    v.finish()?;
    let hash = hash_password(password.expect("validated")).await?;
    let done = state
        .store
        .finish_password_reset(&closer_store::token_hash(token), &hash)
        .await?;
    match done {
        Some(_) => Ok(Json(PasswordResetDone {
            signed_out_everywhere: true,
        })),
        None => Err(ApiError::field(
            "token",
            "this link is unknown, used or expired: ask for a new one",
        )),
    }
}
