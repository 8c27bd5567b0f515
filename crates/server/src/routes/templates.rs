//! WhatsApp templates: drafts linted against Meta's limits, submitted to Meta, followed by its
//! webhooks (see `webhooks.rs`), synced from its list, and previewed with a real lead's values.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, Responder, parse_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::messaging::QualityRating;
use closer_domain::send_policy::TemplateCategory;
use closer_domain::templates::{
    self, FilledValue, ParameterFormat, TemplateBody, TemplateButton, TemplateContent,
    TemplateFooter, TemplateHeader, TemplateStatus, VariableMapping, VariableSource,
};
use closer_domain::work::ErrorCode;
use closer_store::templates::{
    RemoteTemplate, TemplateError, TemplateFilter, TemplateRecord, Variables,
};
use closer_whatsapp::SendError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A template as written in the editor: everything Meta reviews, and how each placeholder is
/// filled when it is sent.
#[derive(Deserialize, ToSchema)]
pub struct TemplateInput {
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub parameter_format: ParameterFormat,
    #[serde(default)]
    pub header: Option<TemplateHeader>,
    pub body: TemplateBody,
    #[serde(default)]
    pub footer: Option<TemplateFooter>,
    #[serde(default)]
    pub buttons: Vec<TemplateButton>,
    /// Placeholder (`first_name`, `1`, `header`, `button:INDEX`) → how it is filled.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableMapping>,
}

impl TemplateInput {
    /// What Meta reviews, and how each placeholder is filled.
    fn into_parts(self) -> (TemplateContent, Variables) {
        let content = TemplateContent {
            name: self.name,
            language: self.language,
            category: self.category,
            parameter_format: self.parameter_format,
            header: self.header,
            body: self.body,
            footer: self.footer,
            buttons: self.buttons,
        };
        (content, self.variables)
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateView {
    pub id: Uuid,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub parameter_format: ParameterFormat,
    pub header: Option<TemplateHeader>,
    pub body: TemplateBody,
    pub footer: Option<TemplateFooter>,
    pub buttons: Vec<TemplateButton>,
    pub variables: BTreeMap<String, VariableMapping>,
    pub status: TemplateStatus,
    pub rejected_reason: Option<String>,
    pub status_detail: Option<String>,
    pub quality: Option<QualityRating>,
    pub provider_id: Option<String>,
    /// Until when Meta paused it (3 h the first time, 6 h the second).
    pub paused_until: Option<DateTime<Utc>>,
    /// Every placeholder the template has, in order.
    pub placeholders: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(t: TemplateRecord) -> TemplateView {
    let placeholders = templates::variable_keys(&t.content);
    let c = t.content;
    TemplateView {
        id: t.id,
        name: c.name,
        language: c.language,
        category: c.category,
        parameter_format: c.parameter_format,
        header: c.header,
        body: c.body,
        footer: c.footer,
        buttons: c.buttons,
        variables: t.variables,
        status: t.status,
        rejected_reason: t.rejected_reason,
        status_detail: t.status_detail,
        quality: t.quality,
        provider_id: t.provider_id,
        paused_until: t.paused_until,
        placeholders,
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateView>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub status: Option<TemplateStatus>,
    pub category: Option<TemplateCategory>,
    pub q: Option<String>,
}

/// The content and variables of an input, or 422 naming every field Meta would refuse.
fn checked(input: TemplateInput) -> ApiResult<(TemplateContent, Variables)> {
    let (mut content, variables) = input.into_parts();
    content.name = content.name.trim().to_owned();
    content.language = content.language.trim().to_owned();
    let mut errors = templates::lint(&content).err().unwrap_or_default();
    let keys = templates::variable_keys(&content);
    for (key, m) in &variables {
        let path = format!("variables.{key}");
        if !keys.contains(key) {
            errors.insert(path, "the template has no such placeholder".into());
        } else if m.source == VariableSource::Contact
            && !templates::CONTACT_FIELDS.contains(&m.key.as_str())
        {
            errors.insert(
                path,
                format!("a lead field: {}", templates::CONTACT_FIELDS.join(", ")),
            );
        } else if m.key.trim().is_empty() {
            errors.insert(path, "name a slot, a lead field or the text".into());
        }
    }
    if errors.is_empty() {
        Ok((content, variables))
    } else {
        Err(lint_failed(errors))
    }
}

fn lint_failed(errors: BTreeMap<String, String>) -> ApiError {
    ApiError::Validation(
        errors
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<Map<_, _>>(),
    )
}

/// The organisation's templates, by name.
#[utoipa::path(get, path = "/templates", tag = "templates", params(ListQuery),
    security(("bearer" = [])), responses((status = 200, body = TemplateList)))]
pub async fn list_templates(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<TemplateList>> {
    let filter = TemplateFilter {
        status: q.status,
        category: q.category,
        q: q.q,
    };
    let items = state.store.org(member.org_id()).templates(&filter).await?;
    Ok(Json(TemplateList {
        items: items.into_iter().map(view).collect(),
        next_cursor: None,
    }))
}

/// A new draft. 409 `template_exists` when the name and language are taken.
#[utoipa::path(post, path = "/templates", tag = "templates", request_body = TemplateInput,
    security(("bearer" = [])),
    responses((status = 201, body = TemplateView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_template(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    let (content, variables) = checked(input)?;
    let t = state
        .store
        .org(member.org_id())
        .create_template(&member.0.user.as_actor(), &content, &variables)
        .await?;
    Ok((StatusCode::CREATED, Json(view(t))))
}

#[utoipa::path(get, path = "/templates/{id}", tag = "templates",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody)))]
pub async fn get_template(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    let t = state
        .store
        .org(member.org_id())
        .template(parse_id(&id)?)
        .await?;
    Ok(Json(view(t)))
}

/// Changes a draft or a rejected template (which becomes a draft again); else 409
/// `template_locked`.
#[utoipa::path(put, path = "/templates/{id}", tag = "templates", request_body = TemplateInput,
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_template(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateView>> {
    let id = parse_id(&id)?;
    let (content, variables) = checked(input)?;
    let t = state
        .store
        .org(member.org_id())
        .update_template(&member.0.user.as_actor(), id, &content, &variables)
        .await?;
    Ok(Json(view(t)))
}

/// Deletes the template here and, once submitted, at Meta.
#[utoipa::path(delete, path = "/templates/{id}", tag = "templates",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_template(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let scope = state.store.org(member.org_id());
    let t = scope.template(parse_id(&id)?).await?;
    // Before Meta is asked: a template deleted there cannot come back under its name for 30 days.
    scope.refuse_if_template_in_use(t.id).await?;
    if t.provider_id.is_some()
        && let Some((account, secrets)) = scope.whatsapp_with_secrets().await?
    {
        let deleted = state
            .graph
            .delete_template(&account.waba_id, &secrets.access_token, &t.content.name)
            .await;
        // Already gone at Meta (132001 and friends) is what we wanted.
        if let Err(e) = deleted
            && !matches!(&e, SendError::Graph { status: 404, .. })
        {
            return Err(provider_error(e));
        }
    }
    scope
        .delete_template(&member.0.user.as_actor(), t.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Meta's refusal as 422 `provider_rejected`; Meta unreachable as 502.
fn provider_error(e: SendError) -> ApiError {
    match e {
        SendError::Graph { status, error, .. } if (400..500).contains(&status) => {
            ApiError::Unprocessable {
                code: ErrorCode::ProviderRejected,
                message: format!("Meta refused the template: {}", error.message),
                details: Some(json!({ "code": error.code, "message": error.message,
                "detail": error.error_data.and_then(|d| d.details) })),
            }
        }
        other => ApiError::BadGateway(other.to_string()),
    }
}

/// Sends the template to Meta for review: `pending`, with Meta's id and category.
#[utoipa::path(post, path = "/templates/{id}/submit", tag = "templates",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody),
        (status = 409, description = "`whatsapp_not_connected` or `already_submitted`", body = ErrorBody),
        (status = 422, description = "`validation_failed` or `provider_rejected`", body = ErrorBody)))]
pub async fn submit_template(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    let scope = state.store.org(member.org_id());
    let t = scope.template(parse_id(&id)?).await?;
    if !t.status.editable() {
        return Err(TemplateError::AlreadySubmitted.into_api());
    }
    templates::lint(&t.content).map_err(lint_failed)?;
    let Some((account, secrets)) = scope.whatsapp_with_secrets().await? else {
        return Err(TemplateError::NotConnected.into_api());
    };
    let request = closer_whatsapp::templates::create_request(&t.content);
    let answer = state
        .graph
        .create_template(&account.waba_id, &secrets.access_token, &request)
        .await
        .map_err(provider_error)?;
    let provider_id = match answer.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(ApiError::BadGateway(format!(
                "Meta answered without an id: {answer}"
            )));
        }
    };
    let category = answer
        .get("category")
        .and_then(Value::as_str)
        .and_then(|c| c.parse().ok());
    let t = scope
        .template_submitted(&member.0.user.as_actor(), t.id, &provider_id, category)
        .await?;
    Ok(Json(view(t)))
}

trait IntoApi {
    fn into_api(self) -> ApiError;
}

impl IntoApi for TemplateError {
    fn into_api(self) -> ApiError {
        closer_store::StoreError::Template(self).into()
    }
}

#[derive(Serialize, ToSchema)]
pub struct TemplateStatusView {
    pub status: TemplateStatus,
    pub rejected_reason: Option<String>,
    pub status_detail: Option<String>,
    pub quality: Option<QualityRating>,
    pub category: TemplateCategory,
    pub paused_until: Option<DateTime<Utc>>,
    /// Meta's events, oldest first: `{event, at, reason}`.
    pub history: Vec<Value>,
}

#[utoipa::path(get, path = "/templates/{id}/status", tag = "templates",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = TemplateStatusView), (status = 404, body = ErrorBody)))]
pub async fn template_status(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<TemplateStatusView>> {
    let t = state
        .store
        .org(member.org_id())
        .template(parse_id(&id)?)
        .await?;
    Ok(Json(TemplateStatusView {
        status: t.status,
        rejected_reason: t.rejected_reason,
        status_detail: t.status_detail,
        quality: t.quality,
        category: t.content.category,
        paused_until: t.paused_until,
        history: t.history,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct SyncResult {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// Reads Meta's list of the organisation's templates and brings ours in line.
pub async fn sync_from_meta(state: &AppState, org_id: Uuid) -> ApiResult<SyncResult> {
    let scope = state.store.org(org_id);
    let Some((account, secrets)) = scope.whatsapp_with_secrets().await? else {
        return Err(TemplateError::NotConnected.into_api());
    };
    let list = state
        .graph
        .list_templates(&account.waba_id, &secrets.access_token)
        .await
        .map_err(provider_error)?;
    let remote: Vec<RemoteTemplate> = list
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(closer_whatsapp::templates::from_listed)
        .map(|(provider_id, status, content)| RemoteTemplate {
            provider_id,
            status,
            content,
        })
        .collect();
    let counts = scope.sync_templates(&remote).await?;
    Ok(SyncResult {
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
    })
}

/// On start: every connected organisation's templates, so those made or reviewed while the
/// server was down are current. Failures are logged; the next sync corrects them.
pub async fn sync_all_from_meta(state: AppState) {
    let orgs = match state.store.whatsapp_connected_orgs().await {
        Ok(orgs) => orgs,
        Err(e) => {
            return tracing::warn!(error = %e, "listing connected accounts for the template sync");
        }
    };
    for org_id in orgs {
        if let Err(e) = sync_from_meta(&state, org_id).await {
            tracing::warn!(%org_id, error = %e, "template sync on start failed");
        }
    }
}

#[utoipa::path(post, path = "/templates/sync", tag = "templates", security(("bearer" = [])),
    responses((status = 200, body = SyncResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn sync_templates(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<SyncResult>> {
    Ok(Json(sync_from_meta(&state, member.org_id()).await?))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PreviewRequest {
    /// Fill the placeholders from this conversation's lead.
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    /// Values typed by hand, by placeholder; they win over the mappings.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewView {
    pub header: Option<String>,
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<String>,
    pub variables: BTreeMap<String, FilledValue>,
    /// Placeholders nothing but Meta's sample fills: a send would refuse them.
    pub missing: Vec<String>,
}

#[utoipa::path(post, path = "/templates/{id}/preview", tag = "templates",
    request_body = PreviewRequest, params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = PreviewView), (status = 404, body = ErrorBody)))]
pub async fn preview_template(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewView>> {
    let r = state
        .store
        .org(member.org_id())
        .render_template(parse_id(&id)?, req.conversation_id, &req.variables, true)
        .await?;
    Ok(Json(PreviewView {
        header: r.rendered.header,
        body: r.rendered.body,
        footer: r.rendered.footer,
        buttons: r.rendered.buttons,
        variables: r.values,
        missing: r.missing,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct DraftPreviewRequest {
    pub template: TemplateInput,
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// The editor's live preview: unsaved content filled from a real lead, nothing stored or
/// linted (the lint answers on save).
#[utoipa::path(post, path = "/templates/preview", tag = "templates",
    request_body = DraftPreviewRequest, security(("bearer" = [])),
    responses((status = 200, body = PreviewView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn preview_draft(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<DraftPreviewRequest>,
) -> ApiResult<Json<PreviewView>> {
    let (content, mapping) = req.template.into_parts();
    let (rendered, variables, missing) = state
        .store
        .org(member.org_id())
        .render_content(
            &content,
            &mapping,
            req.conversation_id,
            &req.variables,
            true,
        )
        .await?;
    Ok(Json(PreviewView {
        header: rendered.header,
        body: rendered.body,
        footer: rendered.footer,
        buttons: rendered.buttons,
        variables,
        missing,
    }))
}
