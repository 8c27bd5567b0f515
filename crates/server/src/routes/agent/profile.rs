//! The agent's five documents and engine mode, versioned: read, save, list, roll back.

use crate::agent_run;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member};
use crate::routes::schema::{List, UserRef};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use closer_agent::{AgentProfile, EngineMode};
use closer_domain::work::ErrorCode;
use closer_store::agent_config::ProfileVersion;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    /// 0 until the first save (the starter profile).
    pub version: i32,
    pub mode: EngineMode,
    pub business_config: Value,
    pub sales_rules: Value,
    pub tone_profile: Value,
    pub guardrails: Value,
    pub script_library: Value,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<UserRef>,
}

fn view(version: i32, profile: &AgentProfile, saved: Option<&ProfileVersion>) -> ProfileView {
    let mut docs = profile.documents();
    let mut take = |k: &str| docs.remove(k).unwrap_or_else(|| json!({}));
    ProfileView {
        version,
        mode: profile.mode,
        business_config: take("business_config"),
        sales_rules: take("sales_rules"),
        tone_profile: take("tone_profile"),
        guardrails: take("guardrails"),
        script_library: take("script_library"),
        updated_at: saved.map(|s| s.created_at),
        updated_by: saved
            .and_then(|s| s.created_by.clone())
            .map(|(id, name)| UserRef { id, name }),
    }
}

fn parse_saved(v: &ProfileVersion) -> ApiResult<AgentProfile> {
    agent_run::parse_version(v)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored profile invalid: {e}")))
}

/// The agent's current configuration.
#[utoipa::path(get, path = "/agent/profile", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = ProfileView)))]
pub async fn get_profile(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<ProfileView>> {
    let (saved, profile) = agent_run::profile(&state.store, member.org_id()).await?;
    let version = saved.as_ref().map_or(0, |s| s.version);
    Ok(Json(view(version, &profile, saved.as_ref())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    pub mode: Option<EngineMode>,
    pub business_config: Option<Value>,
    pub sales_rules: Option<Value>,
    pub tone_profile: Option<Value>,
    pub guardrails: Option<Value>,
    pub script_library: Option<Value>,
}

/// The agent `req` describes: its documents over `current`'s. 422 naming the field at fault.
pub fn draft(current: &AgentProfile, req: ProfileUpdate) -> ApiResult<AgentProfile> {
    let mut docs: BTreeMap<&str, Value> = current.documents();
    for (name, value) in [
        ("business_config", req.business_config),
        ("sales_rules", req.sales_rules),
        ("tone_profile", req.tone_profile),
        ("guardrails", req.guardrails),
        ("script_library", req.script_library),
    ] {
        if let Some(v) = value {
            if !v.is_object() {
                return Err(invalid_document(
                    name.into(),
                    "must be a JSON object".into(),
                ));
            }
            docs.insert(name, v);
        }
    }
    let mode = req.mode.unwrap_or(current.mode);
    AgentProfile::from_documents(mode, &docs).map_err(|e| {
        let field = if e.field.is_empty() {
            e.document.to_owned()
        } else {
            format!("{}.{}", e.document, e.field)
        };
        invalid_document(field, e.message)
    })
}

/// A 422 naming the document field at fault, e.g. `tone_profile.message_length_max_words`.
fn invalid_document(field: String, message: String) -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::InvalidDocument,
        message: format!("{field}: {message}"),
        details: Some(json!({ "field": field, "message": message })),
    }
}

/// Saves `profile` as the next version, recording which documents (and the mode) differ
/// from `current`.
async fn save(
    state: &AppState,
    member: &Member,
    current: &AgentProfile,
    profile: &AgentProfile,
    rolled_back_from: Option<i32>,
) -> ApiResult<ProfileView> {
    let before = current.documents();
    let mut changed: Vec<String> = profile
        .documents()
        .into_iter()
        .filter(|(k, v)| before.get(k) != Some(v))
        .map(|(k, _)| k.to_owned())
        .collect();
    if profile.mode != current.mode {
        changed.push("mode".into());
    }
    let budget = closer_agent::context::ContextBudget::default();
    let compact = serde_json::to_string(&profile.documents()).unwrap_or_default();
    if let Err(n) = closer_agent::context::stable_fits(&compact, &budget) {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::ProfileTooLarge,
            message: format!(
                "The five documents take {n} tokens; the agent's context allows {}.",
                budget.stable
            ),
            details: Some(json!({ "tokens": n, "limit": budget.stable })),
        });
    }
    let docs: BTreeMap<String, Value> = profile
        .documents()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let saved = state
        .store
        .org(member.org_id())
        .save_agent_profile(
            Some(&member.0.user.as_actor()),
            profile.mode,
            &docs,
            changed,
            rolled_back_from,
        )
        .await?;
    Ok(view(saved.version, profile, Some(&saved)))
}

/// Saves a new version with the given documents (owner or admin).
#[utoipa::path(put, path = "/agent/profile", tag = "agent", request_body = ProfileUpdate, security(("bearer" = [])),
    responses((status = 200, body = ProfileView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_profile(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<ProfileView>> {
    let (_, current) = agent_run::profile(&state.store, member.org_id()).await?;
    let profile = draft(&current, req)?;
    Ok(Json(save(&state, &member, &current, &profile, None).await?))
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub mode: EngineMode,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<UserRef>,
    /// The documents (and `mode`) this version changed.
    pub changed: Vec<String>,
    pub rolled_back_from: Option<i32>,
}

/// Every saved version, newest first.
#[utoipa::path(get, path = "/agent/profile/versions", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = List<VersionView>)))]
pub async fn list_versions(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<VersionView>>> {
    let versions = state
        .store
        .org(member.org_id())
        .agent_profile_versions()
        .await?;
    Ok(Json(List::whole(versions.into_iter().map(|v| {
        VersionView {
            version: v.version,
            mode: v.mode,
            updated_at: v.created_at,
            updated_by: v.created_by.map(|(id, name)| UserRef { id, name }),
            changed: v.changed,
            rolled_back_from: v.rolled_back_from,
        }
    }))))
}

/// The full profile as it was at one version.
#[utoipa::path(get, path = "/agent/profile/versions/{version}", tag = "agent", security(("bearer" = [])),
    params(("version" = i32, Path, description = "version number")),
    responses((status = 200, body = ProfileView), (status = 404, body = ErrorBody)))]
pub async fn get_version(
    State(state): State<AppState>,
    member: Member,
    Path(version): Path<String>,
) -> ApiResult<Json<ProfileView>> {
    let version: i32 = version.parse().map_err(|_| ApiError::NotFound)?;
    let v = state
        .store
        .org(member.org_id())
        .agent_profile_version(version)
        .await?;
    Ok(Json(view(v.version, &parse_saved(&v)?, Some(&v))))
}

/// Makes an old version current again, as a new version (owner or admin).
#[utoipa::path(post, path = "/agent/profile/versions/{version}/rollback", tag = "agent", security(("bearer" = [])),
    params(("version" = i32, Path, description = "version to restore")),
    responses((status = 200, body = ProfileView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rollback(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(version): Path<String>,
) -> ApiResult<Json<ProfileView>> {
    let version: i32 = version.parse().map_err(|_| ApiError::NotFound)?;
    let old = state
        .store
        .org(member.org_id())
        .agent_profile_version(version)
        .await?;
    let profile = parse_saved(&old)?;
    let (_, current) = agent_run::profile(&state.store, member.org_id()).await?;
    Ok(Json(
        save(&state, &member, &current, &profile, Some(version)).await?,
    ))
}
