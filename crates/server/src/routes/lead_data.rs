//! The CRM's segments and data moves (API.md, *CRM*): saved views and the filter document,
//! `POST /leads/search`, CSV import (upload → preview → confirm → job → error report), CSV
//! export (streamed) and bulk operations.
//!
//! Roles: every member reads and searches; anyone but a viewer saves views and runs bulk
//! operations except `delete`; owner/admin import, export and bulk-delete. The role is
//! checked before the body is read.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, parse_id};
use crate::routes::leads::{LeadList, LeadListParams, LeadWriter, filter_of, list_params};
use crate::routes::schema::page_limit;
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use closer_domain::lead_csv::{self, CustomColumn};
use closer_domain::lead_filter::{self, FieldDef, Filter};
use closer_domain::leads;
use closer_domain::sales::LeadStatus;
use closer_domain::work::ErrorCode;
use closer_store::lead_bulk::BulkAction;
use closer_store::lead_import::{self, ImportMode, ImportRecord, UploadError};
use closer_store::leads::{CustomFieldDef, LeadFilter, LeadRecord, LeadSort};
use closer_store::saved_views::{SavedView, ViewInput};
use closer_store::{Actor, Store};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Bulk operations over more leads than this run as a job.
pub const BULK_SYNC_LIMIT: u64 = 10_000;

fn field_defs(defs: &[CustomFieldDef]) -> Vec<FieldDef> {
    defs.iter()
        .map(|d| FieldDef {
            key: d.key.clone(),
            kind: d.kind,
            options: d.options.clone(),
        })
        .collect()
}

/// A filter document checked against the organisation's fields, or 422 by path.
pub fn checked_filter(root: &str, raw: &Value, defs: &[CustomFieldDef]) -> ApiResult<Filter> {
    lead_filter::parse_at(root, raw, &field_defs(defs)).map_err(|problems| {
        let mut fields = Map::new();
        for p in problems {
            fields.entry(p.path).or_insert(Value::String(p.message));
        }
        ApiError::Validation(fields)
    })
}

/// Both filters hold: (A1 or A2) and (B1 or B2) = A1B1 or A1B2 or A2B1 or A2B2.
fn both(a: Filter, b: Filter) -> Filter {
    if a.is_empty() {
        return b;
    }
    if b.is_empty() {
        return a;
    }
    let mut groups = Vec::new();
    for x in &a.groups {
        for y in &b.groups {
            groups.push(x.iter().chain(y).cloned().collect());
        }
    }
    Filter { groups }
}

/// What the list parameters select, with a saved view's filter, search and sort applied
/// (`view_id`: another member's private view or another organisation's is not found) and a
/// `filter=` document. One selection for the list, search, export and bulk operations.
pub async fn selection(
    store: &Store,
    member: &Member,
    p: &LeadListParams,
) -> ApiResult<(LeadFilter, LeadSort)> {
    let filter = match p.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(raw) => Some(
            serde_json::from_str::<Value>(raw)
                .map_err(|_| ApiError::field("filter", "must be a JSON list of conditions"))?,
        ),
        None => None,
    };
    selection_with(store, member.org_id(), member.0.user.id, p, filter).await
}

async fn selection_with(
    store: &Store,
    org_id: Uuid,
    user_id: Uuid,
    p: &LeadListParams,
    filter: Option<Value>,
) -> ApiResult<(LeadFilter, LeadSort)> {
    let org = store.org(org_id);
    let defs = org.custom_fields().await?;
    let mut f = filter_of(store, org_id, p).await?;
    let mut doc = match &filter {
        Some(raw) => checked_filter("filter", raw, &defs)?,
        None => Filter::default(),
    };
    let mut sort_text = p.sort.clone().filter(|s| !s.trim().is_empty());
    if let Some(raw) = p
        .view_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        let id = Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)?;
        let view = org.view(user_id, id).await?;
        doc = both(checked_filter("filter", &view.filter, &defs)?, doc);
        if sort_text.is_none() {
            sort_text = view.sort.clone();
        }
        if p.q.as_deref().is_none_or(|q| q.trim().is_empty())
            && let Some(q) = view.q.clone().filter(|q| !q.trim().is_empty())
        {
            let words = filter_of(
                store,
                org_id,
                &LeadListParams {
                    q: Some(q),
                    ..Default::default()
                },
            )
            .await?;
            f.words = words.words;
            f.phone_digits = words.phone_digits;
            f.phone_exact = words.phone_exact;
        }
    }
    let sort = match sort_text.as_deref().map(str::trim) {
        Some(s) => s.parse().map_err(|e: String| ApiError::field("sort", e))?,
        None => LeadSort::default(),
    };
    f.doc = Some(doc);
    Ok((f, sort))
}

// ----- search -----

/// `GET /leads`'s parameters as JSON; `filter` is the document itself.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LeadSearch {
    pub q: Option<String>,
    pub lead_status: Option<LeadStatus>,
    /// Leads with any of these tags.
    #[serde(default)]
    pub tag: Vec<String>,
    pub owner_id: Option<String>,
    pub lead_source: Option<closer_domain::sales::LeadSource>,
    pub opted_out: Option<bool>,
    pub created_after: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub last_seen_after: Option<DateTime<Utc>>,
    pub last_seen_before: Option<DateTime<Utc>>,
    pub view_id: Option<String>,
    /// `[{field, operator, value, glue}]`.
    pub filter: Option<Value>,
    pub sort: Option<String>,
    pub count: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl LeadSearch {
    fn params(&self) -> LeadListParams {
        LeadListParams {
            q: self.q.clone(),
            lead_status: self.lead_status,
            tag: Some(self.tag.clone()),
            owner_id: self.owner_id.clone(),
            lead_source: self.lead_source,
            opted_out: self.opted_out,
            created_after: self.created_after,
            created_before: self.created_before,
            last_seen_after: self.last_seen_after,
            last_seen_before: self.last_seen_before,
            sort: self.sort.clone(),
            view_id: self.view_id.clone(),
            filter: None,
            count: self.count,
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// The leads list with its parameters as a JSON body (long filters do not fit a URL).
#[utoipa::path(post, path = "/leads/search", tag = "crm", request_body = LeadSearch,
    security(("bearer" = [])),
    responses((status = 200, body = LeadList), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn search_leads(
    State(state): State<AppState>,
    member: Member,
    ApiJson(body): ApiJson<LeadSearch>,
) -> ApiResult<Json<LeadList>> {
    let p = body.params();
    let limit = page_limit(p.limit)?;
    let (f, sort) = selection_with(
        &state.store,
        member.org_id(),
        member.0.user.id,
        &p,
        body.filter.clone(),
    )
    .await?;
    let page = state
        .store
        .org(member.org_id())
        .leads(
            &f,
            sort,
            p.cursor.as_deref().filter(|c| !c.is_empty()),
            limit,
            p.count.unwrap_or(false),
        )
        .await?;
    let list = crate::routes::leads::list_of(page);
    Ok(Json(list))
}

// ----- views -----

#[derive(Serialize, ToSchema)]
pub struct ViewOut {
    pub id: Uuid,
    pub name: String,
    /// `[{field, operator, value, glue}]`.
    pub filter: Value,
    pub q: Option<String>,
    pub sort: Option<String>,
    /// Seen by the whole organisation; else by its creator only.
    pub shared: bool,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view_out(v: SavedView) -> ViewOut {
    ViewOut {
        id: v.id,
        name: v.name,
        filter: v.filter,
        q: v.q,
        sort: v.sort,
        shared: v.shared,
        created_by: v.created_by,
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ViewList {
    pub items: Vec<ViewOut>,
}

/// A view as written.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewBody {
    /// 1 to 100 characters.
    pub name: String,
    #[serde(default)]
    pub filter: Option<Value>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub shared: bool,
}

async fn checked_view(state: &AppState, org_id: Uuid, b: ViewBody) -> ApiResult<ViewInput> {
    let defs = state.store.org(org_id).custom_fields().await?;
    let mut v = Validator::default();
    let name = b.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        v.fail("name", "must be 1 to 100 characters");
    }
    let filter = b.filter.unwrap_or_else(|| json!([]));
    let filter_problem = checked_filter("filter", &filter, &defs).err();
    let q = b.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        v.fail("q", "must be at most 200 characters");
    }
    let sort = b
        .sort
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(s) = &sort
        && let Err(e) = s.parse::<LeadSort>()
    {
        v.fail("sort", &e);
    }
    if let Some(ApiError::Validation(fields)) = filter_problem {
        for (k, m) in fields {
            v.fail(&k, m.as_str().unwrap_or("is not valid"));
        }
    }
    v.finish()?;
    Ok(ViewInput {
        name,
        filter,
        q,
        sort,
        shared: b.shared,
    })
}

/// The saved views this member sees: the shared ones and their own.
#[utoipa::path(get, path = "/views", tag = "crm", security(("bearer" = [])),
    responses((status = 200, body = ViewList)))]
pub async fn list_views(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<ViewList>> {
    let views = state
        .store
        .org(member.org_id())
        .views(member.0.user.id)
        .await?;
    Ok(Json(ViewList {
        items: views.into_iter().map(view_out).collect(),
    }))
}

/// Save a view (anyone but a viewer). 422 names a bad condition by path (`filter[2].operator`).
#[utoipa::path(post, path = "/views", tag = "crm", request_body = ViewBody,
    security(("bearer" = [])),
    responses((status = 201, body = ViewOut), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_view(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    ApiJson(body): ApiJson<ViewBody>,
) -> ApiResult<(StatusCode, Json<ViewOut>)> {
    let input = checked_view(&state, member.org_id(), body).await?;
    let v = state
        .store
        .org(member.org_id())
        .create_view(&member.0.user.as_actor(), input)
        .await?;
    Ok((StatusCode::CREATED, Json(view_out(v))))
}

/// A view; another member's private view is not found.
#[utoipa::path(get, path = "/views/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ViewOut), (status = 404, body = ErrorBody)))]
pub async fn get_view(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<ViewOut>> {
    let id = parse_id(&id)?;
    let v = state
        .store
        .org(member.org_id())
        .view(member.0.user.id, id)
        .await?;
    Ok(Json(view_out(v)))
}

/// Change a view (its creator, or an owner/admin for a shared one).
#[utoipa::path(put, path = "/views/{id}", tag = "crm", params(("id" = String, Path)),
    request_body = ViewBody, security(("bearer" = [])),
    responses((status = 200, body = ViewOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_view(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ViewBody>,
) -> ApiResult<Json<ViewOut>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    org.view(member.0.user.id, id).await?;
    let input = checked_view(&state, member.org_id(), body).await?;
    let v = org
        .update_view(&member.0.user.as_actor(), id, input)
        .await?;
    Ok(Json(view_out(v)))
}

/// Delete a view (its creator, or an owner/admin for a shared one).
#[utoipa::path(delete, path = "/views/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_view(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .delete_view(&member.0.user.as_actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- import -----

#[derive(Serialize, ToSchema)]
pub struct ImportColumnOut {
    pub header: String,
    pub samples: Vec<String>,
    /// The detected target (`phone`, `tags`, `custom_fields.budget`…), or null.
    pub target: Option<String>,
}

/// A CSV import: its columns and mapping while `uploaded`, then its progress. The four
/// counts sum to `total_rows` once completed.
#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub id: Uuid,
    /// `uploaded`, `queued`, `running`, `completed` or `failed`.
    pub status: String,
    /// `create`, `update` or `upsert` once confirmed.
    pub mode: Option<String>,
    pub file_name: Option<String>,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub errors: i64,
    pub error: Option<String>,
    pub columns: Vec<ImportColumnOut>,
    /// `{header: target | null}`.
    #[schema(value_type = HashMap<String, Option<String>>)]
    pub mapping: Map<String, Value>,
    /// Every target a column may be mapped to.
    pub targets: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn import_out(r: ImportRecord, targets: Vec<String>) -> ImportOut {
    ImportOut {
        id: r.id,
        status: r.status,
        mode: r.mode,
        file_name: r.file_name,
        total_rows: r.total_rows,
        processed_rows: r.processed_rows,
        created: r.created,
        updated: r.updated,
        skipped: r.skipped,
        errors: r.errors,
        error: r.error,
        columns: r
            .columns
            .into_iter()
            .map(|c| ImportColumnOut {
                header: c.header,
                samples: c.samples,
                target: c.target,
            })
            .collect(),
        mapping: r.mapping,
        targets,
        created_at: r.created_at,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ImportList {
    pub items: Vec<ImportOut>,
}

fn custom_columns(defs: &[CustomFieldDef]) -> Vec<CustomColumn> {
    defs.iter()
        .map(|d| CustomColumn {
            key: d.key.clone(),
            label: d.label.clone(),
        })
        .collect()
}

/// The leads CSV as a multipart upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ImportUpload {
    /// UTF-8 CSV with a header row, at most 50 MB and 200,000 rows.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(lead_import::MAX_BYTES)
    } else {
        ApiError::BadRequest(e.body_text())
    }
}

/// The route's own body limit (the API's 1 MiB default is too small for a spreadsheet).
pub fn import_router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(upload_import, list_imports))
        .layer(axum::extract::DefaultBodyLimit::max(
            lead_import::MAX_BYTES + 64 * 1024,
        ))
}

/// Upload a leads CSV (owner or admin): multipart `file`, or the CSV itself as `text/csv`.
/// Answers with the detected columns and mapping; nothing is imported until confirmed.
#[utoipa::path(post, path = "/leads/import", tag = "crm", security(("bearer" = [])),
    request_body(content((ImportUpload = "multipart/form-data"), (String = "text/csv"))),
    responses((status = 201, body = ImportOut), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_import(
    State(state): State<AppState>,
    Manager(member): Manager,
    req: Request,
) -> ApiResult<(StatusCode, Json<ImportOut>)> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (name, bytes) = if ct.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(req, &state)
            .await
            .map_err(|rej| ApiError::BadRequest(rej.body_text()))?;
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(unreadable)? {
            if field.name() == Some("file") {
                // A file name is the sender's text: kept as a database can store it.
                let name = field
                    .file_name()
                    .map(|n| closer_domain::text::storable(n).into_owned());
                file = Some((name, field.bytes().await.map_err(unreadable)?.to_vec()));
            }
        }
        file.ok_or_else(|| ApiError::field("file", "is required"))?
    } else if ct.starts_with("text/csv") || ct.starts_with("text/plain") {
        let bytes = axum::body::to_bytes(req.into_body(), lead_import::MAX_BYTES + 1)
            .await
            .map_err(|_| ApiError::PayloadTooLarge(lead_import::MAX_BYTES))?;
        (None, bytes.to_vec())
    } else {
        return Err(ApiError::field(
            "file",
            "send the CSV as multipart/form-data (`file`) or as text/csv",
        ));
    };
    if bytes.len() > lead_import::MAX_BYTES {
        return Err(ApiError::PayloadTooLarge(lead_import::MAX_BYTES));
    }
    let org = state.store.org(member.org_id());
    let defs = org.custom_fields().await?;
    let custom = custom_columns(&defs);
    let upload = lead_import::parse_upload(&bytes, &custom).map_err(|e| match e {
        UploadError::Invalid(message) => ApiError::Unprocessable {
            code: ErrorCode::CsvInvalid,
            message,
            details: Some(json!({ "field": "file" })),
        },
        UploadError::TooManyRows(max) => ApiError::Unprocessable {
            code: ErrorCode::TooManyRows,
            message: format!("the file has more than {max} rows; split it"),
            details: Some(json!({ "max_rows": max })),
        },
    })?;
    let rec = org
        .create_import(&member.0.user.as_actor(), name, upload)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(import_out(rec, lead_csv::all_targets(&custom))),
    ))
}

/// The organisation's imports, newest first (owner or admin).
#[utoipa::path(get, path = "/leads/import", tag = "crm", security(("bearer" = [])),
    responses((status = 200, body = ImportList), (status = 403, body = ErrorBody)))]
pub async fn list_imports(
    State(state): State<AppState>,
    Manager(member): Manager,
) -> ApiResult<Json<ImportList>> {
    let org = state.store.org(member.org_id());
    let targets = lead_csv::all_targets(&custom_columns(&org.custom_fields().await?));
    Ok(Json(ImportList {
        items: org
            .lead_imports()
            .await?
            .into_iter()
            .map(|r| import_out(r, targets.clone()))
            .collect(),
    }))
}

/// An import and its progress (owner or admin).
#[utoipa::path(get, path = "/leads/import/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = ImportOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_import(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Json<ImportOut>> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    let targets = lead_csv::all_targets(&custom_columns(&org.custom_fields().await?));
    Ok(Json(import_out(org.lead_import(id).await?, targets)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportConfirm {
    /// `{header: target | null}`; headers left out are not imported.
    #[schema(value_type = HashMap<String, Option<String>>)]
    pub mapping: Map<String, Value>,
    /// `create`, `update` or `upsert`.
    pub mode: String,
}

/// Start an uploaded import (owner or admin): 202, then follow `GET .../import/{id}`. The
/// mapping needs `phone`, `bsuid` or `email`; a second confirmation is 409
/// `import_not_pending`.
#[utoipa::path(post, path = "/leads/import/{id}/confirm", tag = "crm",
    params(("id" = String, Path)), request_body = ImportConfirm, security(("bearer" = [])),
    responses((status = 202, body = ImportOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn confirm_import(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ImportConfirm>,
) -> ApiResult<(StatusCode, Json<ImportOut>)> {
    let id = parse_id(&id)?;
    let org = state.store.org(member.org_id());
    let current = org.lead_import(id).await?;
    let custom = custom_columns(&org.custom_fields().await?);
    let mut v = Validator::default();
    let mode = ImportMode::parse(body.mode.trim());
    if mode.is_none() {
        v.fail("mode", "must be create, update or upsert");
    }
    let headers: Vec<&str> = current.columns.iter().map(|c| c.header.as_str()).collect();
    let mut mapping = Map::new();
    let mut used: Vec<String> = Vec::new();
    for (header, target) in &body.mapping {
        let path = format!("mapping.{header}");
        if !headers.contains(&header.as_str()) {
            v.fail(&path, "the file has no such column");
            continue;
        }
        match target {
            Value::Null => {
                mapping.insert(header.clone(), Value::Null);
            }
            Value::String(t) if lead_csv::is_target(t, &custom) => {
                if used.contains(t) {
                    v.fail(&path, "another column is mapped to this target");
                } else {
                    used.push(t.clone());
                    mapping.insert(header.clone(), Value::String(t.clone()));
                }
            }
            _ => v.fail(&path, "not a target an import can write"),
        }
    }
    if !used
        .iter()
        .any(|t| ["phone", "bsuid", "email"].contains(&t.as_str()))
    {
        v.fail("mapping", "map a column to phone, bsuid or email");
    }
    v.finish()?;
    let confirmed = org
        .confirm_import(
            &member.0.user.as_actor(),
            id,
            mapping,
            mode.expect("validated"),
        )
        .await?;
    match confirmed {
        Some(rec) => Ok((
            StatusCode::ACCEPTED,
            Json(import_out(rec, lead_csv::all_targets(&custom))),
        )),
        None => Err(ApiError::Conflict {
            code: ErrorCode::ImportNotPending,
            message: "this import was already confirmed".into(),
        }),
    }
}

/// The rows an import rejected or skipped as CSV: `line` (header = 1), `status`
/// (error|skipped), `reason`, `field`, `message`, then the row's own columns.
#[utoipa::path(get, path = "/leads/import/{id}/errors", tag = "crm",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import_errors(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let text = state.store.org(member.org_id()).import_report(id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}-errors.csv\""),
            ),
        ],
        text,
    )
        .into_response())
}

// ----- export -----

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn export_row(l: &LeadRecord, keys: &[String], emails: &HashMap<Uuid, String>) -> Vec<String> {
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    let mut row = vec![
        l.id.to_string(),
        o(&l.phone),
        o(&l.bsuid),
        o(&l.name),
        o(&l.email),
        o(&l.business),
        o(&l.website),
        o(&l.city),
        o(&l.language),
        l.lead_status.as_str().to_owned(),
        l.score.to_string(),
        l.value_minor.map(|v| v.to_string()).unwrap_or_default(),
        l.lead_source.as_str().to_owned(),
        String::new(),
        l.owner
            .as_ref()
            .and_then(|(id, _)| emails.get(id).cloned())
            .unwrap_or_default(),
        l.tags.join(";"),
        l.opted_out.to_string(),
        l.created_at.to_rfc3339(),
        l.last_seen_at.to_rfc3339(),
    ];
    for k in keys {
        row.push(l.custom_fields.get(k).map(cell).unwrap_or_default());
    }
    row
}

fn csv_line(fields: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Lead-typed text (a name, a note-like custom field) must not run as a formula when the
    // team opens the export in a spreadsheet.
    let _ = w.write_record(
        fields
            .iter()
            .map(|f| lead_csv::spreadsheet_safe(f).into_owned()),
    );
    w.into_inner().unwrap_or_default()
}

/// Every lead the list parameters select, as CSV (owner or admin), streamed page by page:
/// lead fields, `stage`, `owner_email`, `tags` (`;`-joined) and `cf.KEY`. Importing it back
/// changes nothing.
#[utoipa::path(get, path = "/leads/export", tag = "crm",
    params(crate::routes::leads::LeadListParams), security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn export_leads(
    State(state): State<AppState>,
    Manager(member): Manager,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = list_params(raw)?;
    let (f, sort) = selection(&state.store, &member, &p).await?;
    let org_id = member.org_id();
    let org = state.store.org(org_id);
    let keys: Vec<String> = org
        .custom_fields()
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let emails = org.member_emails().await?;
    let mut head: Vec<String> = lead_csv::EXPORT_HEADERS
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    head.extend(keys.iter().map(|k| format!("cf.{k}")));
    let store = state.store.clone();
    struct Cursor {
        next: Option<String>,
        started: bool,
        done: bool,
    }
    let first = csv_line(&head);
    let pages = futures_util::stream::unfold(
        Cursor {
            next: None,
            started: false,
            done: false,
        },
        move |mut c| {
            let (store, f, keys, emails) = (store.clone(), f.clone(), keys.clone(), emails.clone());
            async move {
                if c.done {
                    return None;
                }
                let page = store
                    .org(org_id)
                    .leads(
                        &f,
                        sort,
                        c.next.as_deref().filter(|_| c.started),
                        500,
                        false,
                    )
                    .await;
                c.started = true;
                match page {
                    Ok(page) => {
                        let mut out = Vec::new();
                        for l in &page.items {
                            out.extend(csv_line(&export_row(l, &keys, &emails)));
                        }
                        c.done = page.next_cursor.is_none();
                        c.next = page.next_cursor;
                        Some((Ok::<_, std::io::Error>(out), c))
                    }
                    Err(e) => {
                        c.done = true;
                        Some((Err(std::io::Error::other(e.to_string())), c))
                    }
                }
            }
        },
    );
    // Fused: the response compression polls once more after the end, which an unfold
    // answers with a panic (the browser's gzip download was cut short).
    let body = futures_util::stream::StreamExt::fuse(futures_util::stream::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(first)]),
        pages,
    ));
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"leads-{stamp}.csv\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

// ----- bulk -----

/// A bulk operation: a selection (`ids`, `filter` or `view_id`), an action and its values.
#[derive(Deserialize, Serialize, ToSchema, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    /// These leads (another organisation's ids are not counted).
    pub ids: Option<Vec<String>>,
    /// `[{field, operator, value, glue}]`.
    pub filter: Option<Value>,
    pub view_id: Option<String>,
    /// `add_tags`, `remove_tags`, `set_stage`, `set_status`, `set_owner`, `opt_out`, `delete`.
    pub action: String,
    pub tags: Option<Vec<String>>,
    pub stage_id: Option<String>,
    pub lead_status: Option<LeadStatus>,
    /// A member's id, or null to clear the owner.
    #[serde(default, deserialize_with = "present_uuid")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    /// Required for `delete`: the number of leads the caller expects to delete.
    pub expected_count: Option<u64>,
    #[serde(default)]
    pub dry_run: bool,
    /// Required for `start_sequence`: the drip sequence to enrol the leads in.
    pub sequence_id: Option<Uuid>,
}

fn present_uuid<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// `{matched, affected}`, or with a job (`status` running) its `id`.
#[derive(Serialize, ToSchema)]
pub struct BulkOut {
    /// The job's id when the operation runs in the background (202).
    pub id: Option<Uuid>,
    /// `completed`, `running` or `failed`.
    pub status: String,
    pub action: String,
    pub matched: u64,
    pub processed: u64,
    pub affected: u64,
    pub dry_run: bool,
    pub error: Option<String>,
}

fn bulk_action(b: &BulkBody) -> ApiResult<BulkAction> {
    let mut v = Validator::default();
    let tags = |v: &mut Validator| -> Vec<String> {
        match &b.tags {
            Some(t) if !t.is_empty() => t
                .iter()
                .enumerate()
                .filter_map(|(i, t)| v.check(&format!("tags[{i}]"), leads::tag_name(t)))
                .collect(),
            _ => {
                v.fail("tags", "list at least one tag");
                vec![]
            }
        }
    };
    let action = match b.action.as_str() {
        "add_tags" => Some(BulkAction::AddTags(tags(&mut v))),
        "remove_tags" => Some(BulkAction::RemoveTags(tags(&mut v))),
        "set_status" => match b.lead_status {
            Some(s) => Some(BulkAction::SetStatus(s)),
            None => {
                v.fail("lead_status", "is required");
                None
            }
        },
        "set_owner" => match b.owner_id {
            Some(o) => Some(BulkAction::SetOwner(o)),
            None => {
                v.fail("owner_id", "is required (null clears the owner)");
                None
            }
        },
        "opt_out" => Some(BulkAction::OptOut),
        "delete" => {
            if b.expected_count.is_none() {
                v.fail(
                    "expected_count",
                    "is required to delete: the number of leads you expect",
                );
            }
            Some(BulkAction::Delete)
        }
        "set_stage" => {
            v.fail("stage_id", "no such pipeline stage");
            None
        }
        "start_sequence" => match b.sequence_id {
            Some(id) => Some(BulkAction::StartSequence(id)),
            None => {
                v.fail("sequence_id", "is required");
                None
            }
        },
        _ => {
            v.fail(
                "action",
                "one of add_tags, remove_tags, set_stage, set_status, set_owner, opt_out, delete, start_sequence",
            );
            None
        }
    };
    v.finish()?;
    Ok(action.expect("validated"))
}

async fn bulk_selection(
    store: &Store,
    org_id: Uuid,
    user_id: Uuid,
    b: &BulkBody,
) -> ApiResult<LeadFilter> {
    let chosen = [b.ids.is_some(), b.filter.is_some(), b.view_id.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    if chosen != 1 {
        return Err(ApiError::field(
            "ids",
            "give exactly one of ids, filter or view_id",
        ));
    }
    if let Some(ids) = &b.ids {
        let mut v = Validator::default();
        let mut out = Vec::new();
        if ids.len() > BULK_SYNC_LIMIT as usize {
            v.fail("ids", "at most 10000 ids; use a filter for more");
        }
        for (i, id) in ids.iter().enumerate() {
            match Uuid::parse_str(id.trim()) {
                Ok(u) => out.push(u),
                Err(_) => v.fail(&format!("ids[{i}]"), "is not an id"),
            }
        }
        v.finish()?;
        return Ok(LeadFilter {
            ids: Some(out),
            ..Default::default()
        });
    }
    let p = LeadListParams {
        view_id: b.view_id.clone(),
        ..Default::default()
    };
    let (f, _) = selection_with(store, org_id, user_id, &p, b.filter.clone()).await?;
    Ok(f)
}

/// Apply an action to every lead a selection matches (anyone but a viewer; `delete` owner or
/// admin, with `expected_count`). Up to 10,000 leads: 200 `{matched, affected}`; more: 202
/// and a job (`GET .../bulk/{id}`). `dry_run` only counts.
#[utoipa::path(post, path = "/leads/bulk", tag = "crm", request_body = BulkBody,
    security(("bearer" = [])),
    responses((status = 200, body = BulkOut), (status = 202, body = BulkOut),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    LeadWriter(member): LeadWriter,
    ApiJson(body): ApiJson<BulkBody>,
) -> ApiResult<(StatusCode, Json<BulkOut>)> {
    if body.action == "delete" && !member.role().can_manage_org() {
        return Err(ApiError::Forbidden(
            "only an owner or admin may delete leads in bulk".into(),
        ));
    }
    let action = bulk_action(&body)?;
    let org = state.store.org(member.org_id());
    if let BulkAction::StartSequence(sequence_id) = action {
        // Enrolling is a sequence write: owners and admins, into one of their sequences.
        if !member.role().can_manage_org() {
            return Err(ApiError::Forbidden(
                "only an owner or admin may enrol leads in a sequence".into(),
            ));
        }
        match org.sequence(sequence_id).await {
            Ok(_) => {}
            Err(closer_store::StoreError::NotFound) => {
                return Err(ApiError::field(
                    "sequence_id",
                    "is not one of your sequences",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let f = bulk_selection(&state.store, member.org_id(), member.0.user.id, &body).await?;
    let matched = org.count_leads(&f).await?;
    if let BulkAction::Delete = action
        && body.expected_count != Some(matched)
    {
        return Err(ApiError::ConflictWith {
            code: ErrorCode::CountMismatch,
            message: format!(
                "{matched} leads match, not {}: check the selection and try again",
                body.expected_count.unwrap_or_default()
            ),
            details: json!({ "matched": matched }),
        });
    }
    let out = |status: &str, matched, affected| BulkOut {
        id: None,
        status: status.into(),
        action: action.name().into(),
        matched,
        processed: if body.dry_run { 0 } else { matched },
        affected,
        dry_run: body.dry_run,
        error: None,
    };
    if body.dry_run {
        return Ok((StatusCode::OK, Json(out("completed", matched, 0))));
    }
    let actor = member.0.user.as_actor();
    if matched > BULK_SYNC_LIMIT {
        let request = json!({
            "body": body,
            "actor": { "user_id": actor.user_id, "name": actor.name, "email": actor.email, "role": actor.role },
        });
        let rec = org
            .create_bulk_op(&actor, &action, request, matched)
            .await?;
        return Ok((StatusCode::ACCEPTED, Json(bulk_out(rec, false))));
    }
    let (matched, affected) = org.bulk_apply(&actor, &f, &action, None).await?;
    if affected > 0 {
        crate::announce::leads_bulk(&state.store, member.org_id()).await;
        if let BulkAction::StartSequence(sequence_id) = action {
            state.store.wake_workers().await;
            crate::announce::publish(
                &state.store,
                member.org_id(),
                vec![closer_store::events::RealtimeEvent::SequenceUpdated { sequence_id }],
            )
            .await;
        }
    }
    Ok((StatusCode::OK, Json(out("completed", matched, affected))))
}

fn bulk_out(r: closer_store::lead_bulk::BulkRecord, dry_run: bool) -> BulkOut {
    BulkOut {
        id: Some(r.id),
        status: r.status,
        action: r.action,
        matched: r.matched.max(0) as u64,
        processed: r.processed.max(0) as u64,
        affected: r.affected.max(0) as u64,
        dry_run,
        error: r.error,
    }
}

/// A background bulk operation's progress.
#[utoipa::path(get, path = "/leads/bulk/{id}", tag = "crm", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = BulkOut), (status = 404, body = ErrorBody)))]
pub async fn get_bulk(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<BulkOut>> {
    let id = parse_id(&id)?;
    let rec = state.store.org(member.org_id()).bulk_op(id).await?;
    Ok(Json(bulk_out(rec, false)))
}

/// The worker's side of a large bulk operation: the selection is evaluated again from the
/// stored request and applied chunk by chunk.
pub async fn run_bulk_job(store: &Store, org_id: Uuid, bulk_id: Uuid) -> Result<(), String> {
    let org = store.org(org_id);
    let rec = org.bulk_op(bulk_id).await.map_err(|e| e.to_string())?;
    if rec.status != "running" {
        return Ok(());
    }
    let outcome = async {
        let body: BulkBody = serde_json::from_value(rec.request["body"].clone())
            .map_err(|e| format!("unreadable request: {e}"))?;
        let a = &rec.request["actor"];
        let actor = Actor {
            user_id: serde_json::from_value(a["user_id"].clone()).map_err(|e| e.to_string())?,
            name: a["name"].as_str().unwrap_or_default().to_owned(),
            email: a["email"].as_str().unwrap_or_default().to_owned(),
            role: serde_json::from_value(a["role"].clone()).map_err(|e| e.to_string())?,
        };
        let action = bulk_action(&body).map_err(|e| e.to_string())?;
        let f = bulk_selection(store, org_id, actor.user_id, &body)
            .await
            .map_err(|e| e.to_string())?;
        org.bulk_apply(&actor, &f, &action, Some(bulk_id))
            .await
            .map_err(|e| e.to_string())
    }
    .await;
    let changed = matches!(outcome, Ok((_, affected)) if affected > 0);
    org.finish_bulk_op(bulk_id, outcome)
        .await
        .map_err(|e| e.to_string())?;
    if changed {
        crate::announce::leads_bulk(store, org_id).await;
    }
    Ok(())
}
