//! Settings → Email: the organisation's mail server (owner or admin), which sends notification
//! emails, password resets and invites; the password is write-only; "Send test email" sends
//! one real message to the member asking.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager};
use crate::notify::send_email;
use crate::state::AppState;
use crate::validate::optional;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use closer_domain::notify::SmtpTls;
use closer_store::email_settings::{EmailSettings, EmailSettingsInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const HOST_MAX: usize = 253;
const TEXT_MAX: usize = 320;

#[derive(Serialize, ToSchema)]
pub struct EmailSettingsView {
    /// False until the first save (the other fields are then empty defaults).
    pub configured: bool,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub username: Option<String>,
    /// The password is write-only: only whether one is saved.
    pub has_password: bool,
    /// The sender, `name@example.com` or `Name <name@example.com>`.
    pub from: String,
    pub tls: SmtpTls,
    pub updated_at: Option<DateTime<Utc>>,
}

fn view(s: Option<EmailSettings>) -> EmailSettingsView {
    match s {
        Some(s) => EmailSettingsView {
            configured: true,
            smtp_host: s.smtp_host,
            smtp_port: s.smtp_port,
            username: s.username,
            has_password: s.has_password,
            from: s.from,
            tls: s.tls,
            updated_at: Some(s.updated_at),
        },
        None => EmailSettingsView {
            configured: false,
            smtp_host: String::new(),
            smtp_port: 587,
            username: None,
            has_password: false,
            from: String::new(),
            tls: SmtpTls::Starttls,
            updated_at: None,
        },
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettingsRequest {
    pub smtp_host: String,
    /// 1 to 65535.
    pub smtp_port: i64,
    /// Blank: the server takes mail without signing in.
    pub username: Option<String>,
    /// Write-only. Absent keeps the saved password; `""` removes it.
    pub password: Option<String>,
    pub from: String,
    pub tls: SmtpTls,
}

/// The organisation's mail server, without its password.
#[utoipa::path(get, path = "/settings/email", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = EmailSettingsView), (status = 403, body = ErrorBody)))]
pub async fn get_email_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<EmailSettingsView>> {
    let s = state.store.org(member.org_id()).email_settings().await?;
    Ok(Json(view(s)))
}

/// Saves the mail server. 422 names every bad field; a host at a private address is refused
/// unless CLOSER_EGRESS_ALLOW names it.
#[utoipa::path(put, path = "/settings/email", tag = "settings", security(("bearer" = [])),
    request_body = EmailSettingsRequest,
    responses((status = 200, body = EmailSettingsView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_email_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<EmailSettingsRequest>,
) -> ApiResult<Json<EmailSettingsView>> {
    let input = checked(&state, &req).await?;
    let saved = state
        .store
        .org(member.org_id())
        .save_email_settings(&member.0.user.as_actor(), input)
        .await?;
    Ok(Json(view(Some(saved))))
}

async fn checked(state: &AppState, req: &EmailSettingsRequest) -> ApiResult<EmailSettingsInput> {
    let mut fields = serde_json::Map::new();
    let host = req.smtp_host.trim().to_ascii_lowercase();
    let port = u16::try_from(req.smtp_port).ok().filter(|p| *p > 0);
    let host_ok = !host.is_empty()
        && host.len() <= HOST_MAX
        && reqwest::Url::parse(&format!("http://{host}/")).is_ok_and(|u| u.host().is_some());
    if !host_ok {
        fields.insert("smtp_host".into(), "must be a host name or address".into());
    } else if let Some(p) = port
        && let Ok(url) = reqwest::Url::parse(&format!("http://{host}:{p}/"))
        && let Err(refused) = state.egress.check_resolved(&url).await
    {
        fields.insert("smtp_host".into(), refused.to_string().into());
    }
    if port.is_none() {
        fields.insert("smtp_port".into(), "must be 1 to 65535".into());
    }
    let from = req.from.trim().to_owned();
    if from.len() > TEXT_MAX || from.parse::<lettre::message::Mailbox>().is_err() {
        fields.insert(
            "from".into(),
            "must be an address, like Closer <team@example.com>".into(),
        );
    }
    let username = optional(req.username.as_deref());
    if username.as_ref().is_some_and(|u| u.len() > TEXT_MAX) {
        fields.insert("username".into(), "is too long".into());
    }
    if req.password.as_ref().is_some_and(|p| p.len() > TEXT_MAX) {
        fields.insert("password".into(), "is too long".into());
    }
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    Ok(EmailSettingsInput {
        smtp_host: host,
        smtp_port: port.unwrap_or_default(),
        username,
        password: req.password.clone(),
        from,
        tls: req.tls,
    })
}

#[derive(Serialize, ToSchema)]
pub struct EmailTest {
    pub ok: bool,
    /// Where the test went: the signed-in member's address.
    pub to: String,
    /// When not ok: what the mail server said (never the password).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Sends one test email, now, to the member asking, through the saved mail server. A server
/// that refuses is still a 200 (`ok: false`): the test ran. 409 `email_not_configured` before
/// the first save.
#[utoipa::path(post, path = "/settings/email/test", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = EmailTest), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn test_email(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<EmailTest>> {
    let server = state
        .store
        .org(member.org_id())
        .smtp_server()
        .await?
        .ok_or(ApiError::Conflict {
            code: closer_domain::work::ErrorCode::EmailNotConfigured,
            message: "save the mail server first".into(),
        })?;
    let to = member.0.user.email.clone();
    let sent = send_email(
        &state.egress,
        &server,
        &to,
        "Closer: test email",
        "This is a test from Closer. Your mail server works: notifications, password resets \
         and invites will be sent through it.\n",
    )
    .await;
    Ok(Json(EmailTest {
        ok: sent.is_ok(),
        to,
        message: sent.err().map(|f| f.message),
    }))
}
