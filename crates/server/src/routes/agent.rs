//! Agent configuration: the five documents (versioned, with rollback), the CTAs and the
//! knowledge base; and the decision log of a conversation.

use crate::agent_run;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{API_BODY_LIMIT, ApiJson, ApiQuery, Member, parse_id};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use closer_agent::{AgentProfile, EngineMode};
use closer_domain::sales::CtaType;
use closer_store::agent_config::{Cta, CtaInput, KnowledgeItem, NewKnowledge, ProfileVersion};
use closer_store::agent_runs::DecisionItem;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct UserRef {
    pub id: Uuid,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileView {
    /// 0 until the first save (the starter profile).
    pub version: i32,
    /// `rules` or `llm`.
    pub mode: String,
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
        mode: profile.mode.as_str().into(),
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
    /// `rules` or `llm`.
    pub mode: Option<String>,
    pub business_config: Option<Value>,
    pub sales_rules: Option<Value>,
    pub tone_profile: Option<Value>,
    pub guardrails: Option<Value>,
    pub script_library: Option<Value>,
}

/// A 422 naming the document field at fault, e.g. `tone_profile.message_length_max_words`.
fn invalid_document(field: String, message: String) -> ApiError {
    ApiError::Unprocessable {
        code: "invalid_document",
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
            code: "profile_too_large",
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
            profile.mode.as_str(),
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
    member: Member,
    ApiJson(req): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<ProfileView>> {
    member.require_manager()?;
    let (_, current) = agent_run::profile(&state.store, member.org_id()).await?;
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
    let mode = match req.mode.as_deref() {
        None => current.mode,
        Some(m) => {
            EngineMode::parse(m).ok_or_else(|| ApiError::field("mode", "must be rules or llm"))?
        }
    };
    let profile = AgentProfile::from_documents(mode, &docs).map_err(|e| {
        let field = if e.field.is_empty() {
            e.document.to_owned()
        } else {
            format!("{}.{}", e.document, e.field)
        };
        invalid_document(field, e.message)
    })?;
    Ok(Json(save(&state, &member, &current, &profile, None).await?))
}

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub mode: String,
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
    Ok(Json(List {
        items: versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                mode: v.mode,
                updated_at: v.created_at,
                updated_by: v.created_by.map(|(id, name)| UserRef { id, name }),
                changed: v.changed,
                rolled_back_from: v.rolled_back_from,
            })
            .collect(),
        next_cursor: None,
    }))
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
    member: Member,
    Path(version): Path<String>,
) -> ApiResult<Json<ProfileView>> {
    member.require_manager()?;
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

#[derive(Serialize, ToSchema)]
pub struct CtaView {
    pub id: Uuid,
    /// book_call, payment, app_download, send_docs, visit_website, fill_form, schedule_demo, join_webinar.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: bool,
    pub position: i32,
}

impl From<Cta> for CtaView {
    fn from(c: Cta) -> Self {
        CtaView {
            id: c.id,
            kind: c.kind,
            name: c.name,
            link: c.link,
            phone: c.phone,
            enabled: c.enabled,
            position: c.position,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CtaRequest {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: Option<bool>,
    pub position: Option<i32>,
}

impl CtaRequest {
    fn validate(self) -> ApiResult<CtaInput> {
        let mut errors = serde_json::Map::new();
        if self.kind.parse::<CtaType>().is_err() {
            errors.insert("type".into(), json!("must be one of book_call, payment, app_download, send_docs, visit_website, fill_form, schedule_demo, join_webinar"));
        }
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 80 {
            errors.insert("name".into(), json!("must be 1 to 80 characters"));
        }
        let link = self
            .link
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());
        if link.as_ref().is_some_and(|l| {
            !(l.starts_with("https://") || l.starts_with("http://")) || l.len() > 500
        }) {
            errors.insert("link".into(), json!("must be an http(s) URL"));
        }
        let phone = self
            .phone
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        if phone
            .as_ref()
            .is_some_and(|p| p.chars().filter(char::is_ascii_digit).count() < 6 || p.len() > 32)
        {
            errors.insert("phone".into(), json!("must be a phone number"));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(CtaInput {
            kind: self.kind,
            name,
            link,
            phone,
            enabled: self.enabled.unwrap_or(true),
            position: self.position.unwrap_or(0),
        })
    }
}

/// The organisation's calls to action, in order.
#[utoipa::path(get, path = "/ctas", tag = "agent", security(("bearer" = [])), responses((status = 200, body = List<CtaView>)))]
pub async fn list_ctas(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<CtaView>>> {
    let ctas = state.store.org(member.org_id()).ctas().await?;
    Ok(Json(List {
        items: ctas.into_iter().map(CtaView::from).collect(),
        next_cursor: None,
    }))
}

/// Adds a CTA (owner or admin); one per type.
#[utoipa::path(post, path = "/ctas", tag = "agent", request_body = CtaRequest, security(("bearer" = [])),
    responses((status = 201, body = CtaView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_cta(
    State(state): State<AppState>,
    member: Member,
    ApiJson(req): ApiJson<CtaRequest>,
) -> ApiResult<(StatusCode, Json<CtaView>)> {
    member.require_manager()?;
    let input = req.validate()?;
    let cta = state
        .store
        .org(member.org_id())
        .create_cta(&member.0.user.as_actor(), input)
        .await?;
    Ok((StatusCode::CREATED, Json(cta.into())))
}

/// Changes a CTA (owner or admin).
#[utoipa::path(put, path = "/ctas/{id}", tag = "agent", request_body = CtaRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "CTA id")),
    responses((status = 200, body = CtaView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_cta(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CtaRequest>,
) -> ApiResult<Json<CtaView>> {
    member.require_manager()?;
    let id = parse_id(&id)?;
    let input = req.validate()?;
    let cta = state
        .store
        .org(member.org_id())
        .update_cta(&member.0.user.as_actor(), id, input)
        .await?;
    Ok(Json(cta.into()))
}

/// Removes a CTA (owner or admin).
#[utoipa::path(delete, path = "/ctas/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "CTA id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_cta(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    member.require_manager()?;
    state
        .store
        .org(member.org_id())
        .delete_cta(&member.0.user.as_actor(), parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct KnowledgeView {
    pub id: Uuid,
    /// `faq` or `web`.
    pub kind: String,
    pub title: String,
    pub content: String,
    pub source_url: Option<String>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub stale: bool,
    pub created_at: DateTime<Utc>,
}

impl From<KnowledgeItem> for KnowledgeView {
    fn from(k: KnowledgeItem) -> Self {
        KnowledgeView {
            id: k.id,
            kind: k.kind,
            title: k.title,
            content: k.content,
            source_url: k.source_url,
            last_verified_at: k.last_verified_at,
            stale: k.stale,
            created_at: k.created_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// The knowledge base, newest first.
#[utoipa::path(get, path = "/knowledge", tag = "agent", params(PageParams), security(("bearer" = [])),
    responses((status = 200, body = List<KnowledgeView>)))]
pub async fn list_knowledge(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<KnowledgeView>>> {
    let page = ListParams {
        limit: p.limit,
        cursor: p.cursor,
    }
    .page()?;
    let items = state.store.org(member.org_id()).knowledge(page).await?;
    Ok(Json(List::from_page(items, KnowledgeView::from)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeRequest {
    /// `faq`.
    pub kind: String,
    /// The text of a faq.txt: `Q:` / `A:` pairs, blank lines between them.
    pub content: String,
}

#[derive(Serialize, ToSchema)]
pub struct KnowledgeCreated {
    pub created: usize,
    pub items: Vec<KnowledgeView>,
}

/// Most FAQ text one upload may carry.
const FAQ_MAX_BYTES: usize = 512 * 1024;

/// Reads a faq.txt: `Q:`/`A:` lines (also `Question:`/`Answer:`), an answer running on until
/// the next question.
pub fn parse_faq(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    let mut q: Option<String> = None;
    let mut a = String::new();
    let label = |line: &str, names: &[&str]| -> Option<String> {
        let lower = line.to_lowercase();
        names.iter().find_map(|n| {
            lower.starts_with(n).then(|| {
                line[n.len()..]
                    .trim_start_matches([':', '.', ')', ' ', '-'])
                    .trim()
                    .to_owned()
            })
        })
    };
    let mut flush = |q: &mut Option<String>, a: &mut String| {
        if let Some(question) = q.take()
            && !question.is_empty()
            && !a.trim().is_empty()
        {
            out.push((question, a.trim().to_owned()));
        }
        a.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if let Some(question) = label(line, &["question", "q"]).filter(|_| {
            line.len() > 1 && line[1..].trim_start().starts_with([':', '.', ')'])
                || line.to_lowercase().starts_with("question")
        }) {
            flush(&mut q, &mut a);
            q = Some(question);
        } else if let Some(answer) = label(line, &["answer", "a"]).filter(|_| {
            line.len() > 1 && line[1..].trim_start().starts_with([':', '.', ')'])
                || line.to_lowercase().starts_with("answer")
        }) {
            a.push_str(&answer);
        } else if q.is_some() && !line.is_empty() {
            if !a.is_empty() {
                a.push(' ');
            }
            a.push_str(line);
        }
    }
    flush(&mut q, &mut a);
    out
}

/// A faq.txt as a multipart upload (`multipart/form-data`).
#[derive(ToSchema)]
// Documents the form for the OpenAPI document; the handler reads it part by part.
#[allow(dead_code)]
pub struct KnowledgeUpload {
    /// `faq` (the default).
    pub kind: Option<String>,
    /// The faq.txt: UTF-8 text of `Q:` / `A:` pairs, at most 512 KiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The most of a refused upload read (and dropped) so its sender hears why.
const DRAIN_AT_MOST: usize = 4 * 1024 * 1024;

/// A multipart form the server could not read: too big for the API's body limit (413), or
/// not a well-formed form (400).
fn unreadable_form(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(API_BODY_LIMIT)
    } else {
        ApiError::BadRequest(err.body_text())
    }
}

/// Reads an uploaded faq.txt form: a `file` part (required) and a `kind` part (optional).
async fn read_upload(req: Request, state: &AppState) -> ApiResult<KnowledgeRequest> {
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|rej| ApiError::BadRequest(rej.body_text()))?;
    let mut kind: Option<String> = None;
    let mut content: Option<String> = None;
    while let Some(mut field) = form.next_field().await.map_err(unreadable_form)? {
        match field.name() {
            Some("kind") => kind = Some(field.text().await.map_err(unreadable_form)?),
            Some("file") => {
                let mut bytes: Vec<u8> = vec![];
                let mut too_big = false;
                // Read to the end even past the cap (the body limit bounds it): answering
                // mid-upload closes the connection, and the browser would show a reset
                // instead of our message.
                while let Some(piece) = field.chunk().await.map_err(unreadable_form)? {
                    too_big |= bytes.len() + piece.len() > FAQ_MAX_BYTES;
                    if !too_big {
                        bytes.extend_from_slice(&piece);
                    }
                }
                if too_big {
                    return Err(ApiError::field(
                        "file",
                        format!("must be at most {} KiB", FAQ_MAX_BYTES / 1024),
                    ));
                }
                let text = String::from_utf8(bytes)
                    .map_err(|_| ApiError::field("file", "must be a UTF-8 text file"))?;
                content = Some(text.trim_start_matches('\u{feff}').to_owned());
            }
            other => {
                return Err(ApiError::field(
                    other.unwrap_or("form"),
                    "unknown form field; send `file` and optionally `kind`",
                ));
            }
        }
    }
    Ok(KnowledgeRequest {
        kind: kind.unwrap_or_else(|| "faq".into()),
        content: content.ok_or_else(|| ApiError::field("file", "is required"))?,
    })
}

/// Adds FAQ entries from a faq.txt (owner or admin): its text as JSON `{kind, content}`, or
/// the file itself as a multipart upload (`file`, optional `kind`).
#[utoipa::path(post, path = "/knowledge", tag = "agent", security(("bearer" = [])),
    request_body(content((KnowledgeRequest = "application/json"), (KnowledgeUpload = "multipart/form-data"))),
    responses((status = 201, body = KnowledgeCreated), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_knowledge(
    State(state): State<AppState>,
    member: Member,
    req: Request,
) -> ApiResult<(StatusCode, Json<KnowledgeCreated>)> {
    member.require_manager()?;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|ct| ct.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (req, field) = if multipart {
        // The form is read part by part, so the body limit would only bite after the file's
        // own cap: a body declared too large is refused as one, up front.
        if let Some(n) = declared.filter(|n| *n > API_BODY_LIMIT) {
            // A modest overshoot is read and dropped so the client hears the 413 rather than
            // a reset connection; anything bigger is cut off.
            if n <= DRAIN_AT_MOST {
                let _ = axum::body::to_bytes(req.into_body(), DRAIN_AT_MOST).await;
            }
            return Err(ApiError::PayloadTooLarge(API_BODY_LIMIT));
        }
        (read_upload(req, &state).await?, "file")
    } else {
        let ApiJson(req) = ApiJson::<KnowledgeRequest>::from_request(req, &state).await?;
        (req, "content")
    };
    if req.kind != "faq" {
        return Err(ApiError::field(
            "kind",
            "must be faq (use /knowledge/scan for a website)",
        ));
    }
    if req.content.len() > FAQ_MAX_BYTES {
        return Err(ApiError::field(
            field,
            format!("must be at most {} KiB", FAQ_MAX_BYTES / 1024),
        ));
    }
    let pairs = parse_faq(&req.content);
    if pairs.is_empty() {
        return Err(ApiError::Unprocessable {
            code: "no_faq_entries",
            message: "No question and answer pairs were found; write them as `Q: ...` and `A: ...` lines.".into(),
            details: Some(json!({ "field": field })),
        });
    }
    let entries = pairs
        .into_iter()
        .map(|(q, a)| NewKnowledge {
            kind: "faq".into(),
            title: q.chars().take(500).collect(),
            content: a.chars().take(4_000).collect(),
            source_url: None,
        })
        .collect();
    let items = state
        .store
        .org(member.org_id())
        .add_knowledge(&member.0.user.as_actor(), entries)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(KnowledgeCreated {
            created: items.len(),
            items: items.into_iter().map(KnowledgeView::from).collect(),
        }),
    ))
}

/// Removes a knowledge entry (owner or admin).
#[utoipa::path(delete, path = "/knowledge/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "entry id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_knowledge(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    member.require_manager()?;
    state
        .store
        .org(member.org_id())
        .delete_knowledge(&member.0.user.as_actor(), parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    pub id: Uuid,
    pub trigger: String,
    /// llm, rules or fallback.
    pub engine: String,
    pub should_send: bool,
    pub message_type: String,
    pub reason_code: String,
    pub cta_type: Option<String>,
    pub message_text: Option<String>,
    pub confidence: f64,
    pub retrieval_used: bool,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub prompt_tokens: i32,
    pub cost_usd: f64,
    /// `[{rule, action: passed|repaired|blocked, detail}]`.
    pub guardrails: Value,
    pub handoff_required: bool,
    pub handoff_priority: Option<String>,
    pub handoff: Option<Value>,
    /// The reply's delivery status (queued, sent, delivered, read, failed); null when nothing was sent.
    pub send_status: Option<String>,
    pub message_id: Option<Uuid>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub created_at: DateTime<Utc>,
}

impl From<DecisionItem> for DecisionView {
    fn from(d: DecisionItem) -> Self {
        let r = d.row;
        DecisionView {
            id: r.id,
            trigger: r.trigger,
            engine: r.engine,
            should_send: r.should_send,
            message_type: r.message_type,
            reason_code: r.reason_code,
            cta_type: r.cta_type,
            message_text: r.message_text,
            confidence: r.confidence,
            retrieval_used: r.retrieval_used,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            prompt_tokens: r.prompt_tokens,
            cost_usd: r.cost_usd,
            guardrails: r.guardrails.unwrap_or_else(|| json!([])),
            handoff_required: r.handoff_required,
            handoff_priority: r.handoff_priority,
            handoff: r.handoff,
            send_status: d.send_status,
            message_id: r.message_id,
            error: r.error,
            latency_ms: r.latency_ms,
            created_at: r.created_at,
        }
    }
}

/// The agent's decisions on a conversation, newest first.
#[utoipa::path(get, path = "/conversations/{id}/decisions", tag = "agent", params(PageParams,
    ("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = List<DecisionView>), (status = 404, body = ErrorBody)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> ApiResult<Json<List<DecisionView>>> {
    let page = ListParams {
        limit: p.limit,
        cursor: p.cursor,
    }
    .page()?;
    let items = state
        .store
        .org(member.org_id())
        .decisions(parse_id(&id)?, page)
        .await?;
    Ok(Json(List::from_page(items, DecisionView::from)))
}

#[cfg(test)]
mod tests {
    use super::parse_faq;

    #[test]
    fn reads_a_faq_txt() {
        let text = "Q: What are the fees?\nA: The course costs ₹2999.\nEMI available.\n\nQuestion: Where are you?\nAnswer: Mumbai.\n\nQ: Unanswered?\n";
        assert_eq!(
            parse_faq(text),
            vec![
                (
                    "What are the fees?".into(),
                    "The course costs ₹2999. EMI available.".into()
                ),
                ("Where are you?".into(), "Mumbai.".into()),
            ]
        );
        assert!(parse_faq("just some text").is_empty());
    }
}
