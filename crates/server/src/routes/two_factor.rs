//! Setting up, confirming and turning off two-factor sign-in (TOTP), and the recovery codes.
//! Open to a member whom the organisation is forcing to enrol. Codes and passwords given
//! here count against the sign-in limits, so a stolen session cannot guess them quickly.

use crate::credentials::verify_password;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp, SignedIn};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use closer_store::AuthSession;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TwoFactorSetup {
    /// The shared secret in base32, for typing into the app by hand.
    pub secret: String,
    /// `otpauth://totp/…`, what the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

#[derive(Deserialize, ToSchema)]
pub struct CodeRequest {
    /// A 6-digit code from the authenticator app (or, where allowed, a recovery code).
    pub code: String,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordRequest {
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten single-use codes, shown this once: each signs in in place of the app's code.
    pub recovery_codes: Vec<String>,
}

fn limit(state: &AppState, me: &AuthSession, ip: IpAddr) -> ApiResult<()> {
    state
        .login_limits
        .check(&me.user.email, ip)
        .map_err(ApiError::RateLimited)
}

/// Start setting up an authenticator app: a new secret, pending until confirmed with a code.
#[utoipa::path(post, path = "/auth/2fa/setup", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TwoFactorSetup), (status = 401, body = ErrorBody),
        (status = 409, description = "two-factor is already on", body = ErrorBody)))]
pub async fn setup(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> ApiResult<Json<TwoFactorSetup>> {
    let setup = state
        .store
        .org(me.org_id)
        .start_two_factor_setup(&me.user)
        .await?;
    let qr = QrCode::new(setup.otpauth_url.as_bytes())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let qr_svg = qr
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(Json(TwoFactorSetup {
        secret: setup.secret,
        otpauth_url: setup.otpauth_url,
        qr_svg,
    }))
}

/// Confirm the setup with a code from the app: two-factor is on, and the recovery codes are
/// shown this once.
#[utoipa::path(post, path = "/auth/2fa/enable", tag = "auth", request_body = CodeRequest,
    security(("bearer" = [])),
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ErrorBody),
        (status = 409, description = "no setup started, or already on", body = ErrorBody),
        (status = 422, description = "invalid_second_factor", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    SignedIn(me): SignedIn,
    ApiJson(body): ApiJson<CodeRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    limit(&state, &me, ip)?;
    let recovery_codes = state
        .store
        .org(me.org_id)
        .enable_two_factor(&me.user.as_actor(), &body.code)
        .await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}

/// Turn two-factor sign-in off, confirmed with your password.
#[utoipa::path(post, path = "/auth/2fa/disable", tag = "auth", request_body = PasswordRequest,
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 422, description = "wrong password (field `password`)", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    SignedIn(me): SignedIn,
    ApiJson(body): ApiJson<PasswordRequest>,
) -> ApiResult<StatusCode> {
    limit(&state, &me, ip)?;
    let email = closer_domain::EmailAddress::parse(&me.user.email)
        .map_err(|_| ApiError::field("password", "is not your password"))?;
    let hash = state.store.find_login(&email).await?.map(|(_, h)| h);
    if !verify_password(body.password, hash).await {
        // Not 401: the session is fine, the confirmation is not.
        return Err(ApiError::field("password", "is not your password"));
    }
    state
        .store
        .org(me.org_id)
        .disable_two_factor(&me.user.as_actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Replace the recovery codes with ten fresh ones, confirmed with a current code (from the
/// app, or an unused recovery code).
#[utoipa::path(post, path = "/auth/2fa/recovery-codes", tag = "auth", request_body = CodeRequest,
    security(("bearer" = [])),
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ErrorBody),
        (status = 422, description = "invalid_second_factor", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    SignedIn(me): SignedIn,
    ApiJson(body): ApiJson<CodeRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    limit(&state, &me, ip)?;
    let recovery_codes = state
        .store
        .org(me.org_id)
        .regenerate_recovery_codes(&me.user.as_actor(), &body.code)
        .await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}
