//! Settings → WhatsApp: connect a number (checked against the Graph API first), see its true
//! status, change its configuration, disconnect.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use closer_domain::campaigns::DEFAULT_NUMBER_RATE;
use closer_domain::messaging::{NumberStatus, QualityRating};
use closer_store::{NumberHealth, WhatsappAccount, WhatsappCredentials};
use closer_whatsapp::{ErrorClass, SendError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct ConnectRequest {
    pub phone_number_id: String,
    pub waba_id: String,
    /// A system-user access token with whatsapp_business_messaging. Never returned.
    pub access_token: String,
    /// The Meta app's secret, used to verify webhook signatures. Never returned.
    pub app_secret: String,
    /// The token you type into Meta's webhook settings.
    pub verify_token: String,
    pub display_phone_number: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ConfigUpdate {
    pub phone_number_id: Option<String>,
    pub waba_id: Option<String>,
    pub access_token: Option<String>,
    pub app_secret: Option<String>,
    pub verify_token: Option<String>,
    pub display_phone_number: Option<String>,
    /// Messages per second this number sends at most, all senders together (1–1000; 80 until
    /// set). Changing only this does not ask Meta again.
    pub send_rate_per_second: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct WhatsappStatus {
    pub connected: bool,
    pub phone_number_id: Option<String>,
    pub display_phone_number: Option<String>,
    pub waba_id: Option<String>,
    pub status: NumberStatus,
    pub quality_rating: Option<QualityRating>,
    pub messaging_limit: Option<String>,
    pub last_webhook_at: Option<DateTime<Utc>>,
    /// Paste into Meta's webhook settings as the callback URL.
    pub webhook_url: String,
    /// Paste into Meta's webhook settings as the verify token.
    pub verify_token: Option<String>,
    /// Meta's last quality event for the number (`DOWNGRADE`, `FLAGGED`, `UPGRADE`...).
    pub quality_event: Option<String>,
    /// Meta's last account event (`ACCOUNT_RESTRICTION`, `ACCOUNT_VIOLATION`...).
    pub account_event: Option<String>,
    /// Limits Meta put on the account, with when they end.
    pub restrictions: Vec<RestrictionView>,
    /// Messages per second the number sends at most, campaigns, sequences, automations and
    /// the agent's templates together (Meta's throughput; 80 by default).
    pub send_rate_per_second: u32,
}

#[derive(Serialize, ToSchema)]
pub struct RestrictionView {
    /// Meta's restriction, e.g. `RESTRICTED_BIZ_INITIATED_MESSAGING`.
    #[serde(rename = "type")]
    pub kind: String,
    pub until: Option<DateTime<Utc>>,
}

/// The status as the page shows it, with the number's rate.
async fn status_with_rate(
    state: &AppState,
    org_id: uuid::Uuid,
    account: Option<WhatsappAccount>,
    webhook_url: String,
) -> ApiResult<WhatsappStatus> {
    let rate = match &account {
        Some(a) => {
            state
                .store
                .org(org_id)
                .number_rate(&a.phone_number_id)
                .await?
        }
        None => DEFAULT_NUMBER_RATE,
    };
    Ok(status_of(account, webhook_url, rate))
}

fn status_of(
    account: Option<WhatsappAccount>,
    webhook_url: String,
    send_rate_per_second: u32,
) -> WhatsappStatus {
    match account {
        Some(a) => WhatsappStatus {
            connected: a.status != NumberStatus::Disconnected,
            phone_number_id: Some(a.phone_number_id),
            display_phone_number: a.display_phone_number,
            waba_id: Some(a.waba_id),
            status: a.status,
            quality_rating: a.quality_rating,
            messaging_limit: a.messaging_limit,
            last_webhook_at: a.last_webhook_at,
            webhook_url,
            verify_token: Some(a.verify_token),
            quality_event: a.quality_event,
            account_event: a.account_event,
            restrictions: a
                .restrictions
                .into_iter()
                .map(|r| RestrictionView {
                    kind: r.kind,
                    until: r.until,
                })
                .collect(),
            send_rate_per_second,
        },
        None => WhatsappStatus {
            connected: false,
            phone_number_id: None,
            display_phone_number: None,
            waba_id: None,
            status: NumberStatus::Disconnected,
            quality_rating: None,
            messaging_limit: None,
            last_webhook_at: None,
            webhook_url,
            verify_token: None,
            quality_event: None,
            account_event: None,
            restrictions: vec![],
            send_rate_per_second,
        },
    }
}

fn required(v: &mut Validator, field: &str, value: &str, max: usize) -> String {
    let t = value.trim();
    if t.is_empty() {
        v.fail(field, "is required");
    } else if t.chars().count() > max {
        v.fail(field, &format!("must be at most {max} characters"));
    } else if t.chars().any(char::is_whitespace) {
        v.fail(field, "must not contain spaces");
    } else if !t.chars().all(|c| c.is_ascii_graphic()) {
        // Tokens and secrets go into HTTP headers and HMAC keys as they are: Meta's are
        // printable ASCII, and anything else could never be sent.
        v.fail(field, "must contain only printable ASCII characters");
    }
    t.to_owned()
}

fn validate(body: &ConnectRequest) -> ApiResult<WhatsappCredentials> {
    let mut v = Validator::default();
    let creds = WhatsappCredentials {
        phone_number_id: required(&mut v, "phone_number_id", &body.phone_number_id, 64),
        waba_id: required(&mut v, "waba_id", &body.waba_id, 64),
        access_token: required(&mut v, "access_token", &body.access_token, 1024),
        app_secret: required(&mut v, "app_secret", &body.app_secret, 256),
        verify_token: required(&mut v, "verify_token", &body.verify_token, 256),
        display_phone_number: crate::validate::optional(body.display_phone_number.as_deref()),
    };
    for (field, value) in [
        ("phone_number_id", &creds.phone_number_id),
        ("waba_id", &creds.waba_id),
    ] {
        if !value.is_empty() && !value.chars().all(|c| c.is_ascii_digit()) {
            v.fail(field, "must be the numeric id shown in Meta's dashboard");
        }
    }
    v.finish()?;
    Ok(creds)
}

/// Asks Meta about the number with the given token: proves the token works for it.
async fn check_with_meta(state: &AppState, creds: &WhatsappCredentials) -> ApiResult<NumberHealth> {
    match state
        .graph
        .phone_number(&creds.phone_number_id, &creds.access_token)
        .await
    {
        Ok(info) => Ok(NumberHealth {
            display_phone_number: info.display_phone_number,
            quality_rating: info.quality_rating,
            messaging_limit: info.messaging_limit_tier,
        }),
        Err(SendError::Transport(e)) => Err(ApiError::BadGateway(format!(
            "could not reach Meta's Graph API: {e}"
        ))),
        Err(e) if e.class() == ErrorClass::Auth => Err(ApiError::field(
            "access_token",
            format!("Meta refused this token: {e}"),
        )),
        Err(e) => Err(ApiError::field(
            "phone_number_id",
            format!("Meta refused this number with this token: {e}"),
        )),
    }
}

/// Connect the organisation's WhatsApp number (owner or admin).
#[utoipa::path(post, path = "/settings/whatsapp/connect", tag = "whatsapp", request_body = ConnectRequest,
    security(("bearer" = [])),
    responses((status = 200, body = WhatsappStatus), (status = 403, body = ErrorBody),
        (status = 409, description = "phone_number_taken", body = ErrorBody),
        (status = 422, description = "invalid fields or Meta refused the token", body = ErrorBody),
        (status = 502, description = "Meta's Graph API could not be reached", body = ErrorBody)))]
pub async fn connect(
    State(state): State<AppState>,
    headers: HeaderMap,
    Manager(member): Manager,
    ApiJson(body): ApiJson<ConnectRequest>,
) -> ApiResult<Json<WhatsappStatus>> {
    let creds = validate(&body)?;
    let health = check_with_meta(&state, &creds).await?;
    let account = state
        .store
        .org(member.org_id())
        .connect_whatsapp(&member.0.user.as_actor(), &creds, &health)
        .await?;
    // Templates made in Meta's own tools show up at once, not at the next manual sync.
    let (sync_state, org_id) = (state.clone(), member.org_id());
    tokio::spawn(async move {
        if let Err(e) = crate::routes::templates::sync_from_meta(&sync_state, org_id).await {
            tracing::warn!(error = %e, "template sync after connecting failed");
        }
    });
    let url = webhook_url(&state, &headers);
    Ok(Json(
        status_with_rate(&state, member.org_id(), Some(account), url).await?,
    ))
}

fn webhook_url(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}/webhooks/whatsapp", state.public_base(headers))
}

/// The number's true status (any member).
#[utoipa::path(get, path = "/settings/whatsapp/status", tag = "whatsapp", security(("bearer" = [])),
    responses((status = 200, body = WhatsappStatus)))]
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    member: Member,
) -> ApiResult<Json<WhatsappStatus>> {
    let account = state.store.org(member.org_id()).whatsapp().await?;
    let url = webhook_url(&state, &headers);
    Ok(Json(
        status_with_rate(&state, member.org_id(), account, url).await?,
    ))
}

/// Change some of the connection's settings; the result is checked with Meta again.
#[utoipa::path(put, path = "/settings/whatsapp/config", tag = "whatsapp", request_body = ConfigUpdate,
    security(("bearer" = [])),
    responses((status = 200, body = WhatsappStatus), (status = 404, description = "not connected", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_config(
    State(state): State<AppState>,
    headers: HeaderMap,
    Manager(member): Manager,
    ApiJson(body): ApiJson<ConfigUpdate>,
) -> ApiResult<Json<WhatsappStatus>> {
    let scope = state.store.org(member.org_id());
    let (current, secrets) = scope
        .whatsapp_with_secrets()
        .await?
        .ok_or(ApiError::NotFound)?;
    let rate = body
        .send_rate_per_second
        .map(|typed| {
            closer_domain::campaigns::number_rate(typed)
                .map_err(|why| ApiError::field("send_rate_per_second", why))
        })
        .transpose()?;
    let credentials_changed = body.phone_number_id.is_some()
        || body.waba_id.is_some()
        || body.access_token.is_some()
        || body.app_secret.is_some()
        || body.verify_token.is_some()
        || body.display_phone_number.is_some();
    let account = if credentials_changed {
        let merged = ConnectRequest {
            phone_number_id: body.phone_number_id.unwrap_or(current.phone_number_id),
            waba_id: body.waba_id.unwrap_or(current.waba_id),
            access_token: body.access_token.unwrap_or(secrets.access_token),
            app_secret: body.app_secret.unwrap_or(secrets.app_secret),
            verify_token: body.verify_token.unwrap_or(current.verify_token),
            display_phone_number: body.display_phone_number.or(current.display_phone_number),
        };
        let creds = validate(&merged)?;
        let health = check_with_meta(&state, &creds).await?;
        scope
            .connect_whatsapp(&member.0.user.as_actor(), &creds, &health)
            .await?
    } else {
        current
    };
    if let Some(rate) = rate {
        scope
            .set_number_rate(&member.0.user.as_actor(), &account.phone_number_id, rate)
            .await?;
    }
    let url = webhook_url(&state, &headers);
    Ok(Json(
        status_with_rate(&state, member.org_id(), Some(account), url).await?,
    ))
}

/// Disconnect the number: its credentials are deleted.
#[utoipa::path(delete, path = "/settings/whatsapp/disconnect", tag = "whatsapp", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<StatusCode> {
    state
        .store
        .org(member.org_id())
        .disconnect_whatsapp(&member.0.user.as_actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
