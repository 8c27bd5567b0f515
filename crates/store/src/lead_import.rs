//! CSV import of leads (API.md, *CRM*, "Import:"): an upload is read and its columns
//! detected ([`parse_upload`]), kept with the file (`lead_imports`), confirmed with a mapping
//! and a mode, then run by a job ([`OrgScope::run_import`]) in batches of [`BATCH`] rows, one
//! transaction each: the batch's leads, its report lines and the import's counters commit
//! together, so a job cut short resumes exactly at `processed_rows`.
//!
//! Rows, in file order, match an existing lead on normalised phone, then WhatsApp id, then
//! email. A row whose identity an earlier row had is skipped (`duplicate_in_file`, first
//! wins). `create` skips matches (`exists`); `update` skips rows without one (`not_found`);
//! `upsert` does both. An update writes the non-empty cells only (tags are added) and leaves
//! an unchanged lead untouched, so importing an export changes nothing.

use crate::audit::{self, Actor};
use crate::entities::{lead, lead_import, lead_import_row, lead_note, lead_tag, tag, user};
use crate::error::{Result, StoreError};
use crate::jobs::{self, JobPayload};
use crate::leads::tag_color_for;
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::EmailAddress;
use closer_domain::contact_points::{Phone, WebAddress};
use closer_domain::lead_csv::{self, CustomColumn};
use closer_domain::leads::{self, CustomFieldType, tag_folded};
use closer_domain::sales::{LeadSource, LeadStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Rows per transaction.
pub const BATCH: usize = 1_000;

/// The tables an import writes and reads back while it runs.
const IMPORT_WRITES: &[&str] = &[
    "contacts",
    "lead_tags",
    "lead_notes",
    "pipeline_cards",
    "stage_history",
    "lead_search",
    "lead_import_rows",
];
/// Most data rows a file may hold.
pub const MAX_ROWS: usize = 200_000;
/// Largest file accepted.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

/// Why an upload was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum UploadError {
    /// Not UTF-8, not CSV, no header, or no rows (`csv_invalid`).
    Invalid(String),
    /// More than [`MAX_ROWS`] rows (`too_many_rows`).
    TooManyRows(usize),
}

/// A column of an uploaded file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportColumn {
    pub header: String,
    /// Up to three non-empty values from the first rows.
    pub samples: Vec<String>,
    /// The detected target, if any.
    pub target: Option<String>,
}

/// A read upload: its columns and row count.
#[derive(Debug, Clone)]
pub struct Upload {
    pub text: String,
    pub columns: Vec<ImportColumn>,
    pub total_rows: usize,
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Reads an uploaded file: UTF-8 (a BOM is dropped), a header row of distinct names, at least
/// one row and at most [`MAX_ROWS`]; each column's target detected from its header.
pub fn parse_upload(bytes: &[u8], custom: &[CustomColumn]) -> Result<Upload, UploadError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| UploadError::Invalid("the file is not UTF-8 text".into()))?;
    // A NUL is never in a spreadsheet's text, and PostgreSQL cannot store one.
    if text.contains('\0') {
        return Err(UploadError::Invalid(
            "the file holds a NUL byte: it is not a text CSV".into(),
        ));
    }
    let text = text.trim_start_matches('\u{feff}').to_owned();
    let mut rdr = reader(&text);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| UploadError::Invalid(format!("the header row is not CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(UploadError::Invalid("the file has no header row".into()));
    }
    let mut seen = HashSet::new();
    for h in &headers {
        if h.is_empty() {
            return Err(UploadError::Invalid("every column needs a header".into()));
        }
        if !seen.insert(h.to_lowercase()) {
            return Err(UploadError::Invalid(format!(
                "the header \"{h}\" appears twice"
            )));
        }
    }
    let mut samples: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    let mut total = 0usize;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| UploadError::Invalid(format!("not readable as CSV: {e}")))?;
        total += 1;
        if total > MAX_ROWS {
            return Err(UploadError::TooManyRows(MAX_ROWS));
        }
        if total <= 20 {
            for (i, cell) in rec.iter().enumerate().take(headers.len()) {
                let cell = cell.trim();
                if !cell.is_empty() && samples[i].len() < 3 {
                    samples[i].push(cell.chars().take(100).collect());
                }
            }
        }
    }
    if total == 0 {
        return Err(UploadError::Invalid(
            "the file has a header but no rows".into(),
        ));
    }
    let mut taken: HashSet<String> = HashSet::new();
    let columns = headers
        .into_iter()
        .zip(samples)
        .map(|(header, samples)| {
            let target = lead_csv::detect(&header, custom).filter(|t| taken.insert(t.clone()));
            ImportColumn {
                header,
                samples,
                target,
            }
        })
        .collect();
    Ok(Upload {
        text,
        columns,
        total_rows: total,
    })
}

/// Where an import is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Uploaded,
    Queued,
    Running,
    Completed,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Uploaded => "uploaded",
            ImportStatus::Queued => "queued",
            ImportStatus::Running => "running",
            ImportStatus::Completed => "completed",
            ImportStatus::Failed => "failed",
        }
    }
}

/// How a confirmed import treats matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    Create,
    Update,
    Upsert,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Create => "create",
            ImportMode::Update => "update",
            ImportMode::Upsert => "upsert",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(ImportMode::Create),
            "update" => Some(ImportMode::Update),
            "upsert" => Some(ImportMode::Upsert),
            _ => None,
        }
    }
}

/// An import as the API shows it.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub id: Uuid,
    pub status: String,
    pub mode: Option<String>,
    pub file_name: Option<String>,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub created: i64,
    pub updated: i64,
    pub skipped: i64,
    pub errors: i64,
    pub error: Option<String>,
    pub columns: Vec<ImportColumn>,
    pub mapping: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn record(m: lead_import::Model) -> Result<ImportRecord> {
    use crate::stored::or_default;
    Ok(ImportRecord {
        id: m.id,
        status: m.status,
        mode: m.mode,
        file_name: m.file_name,
        total_rows: m.total_rows.into(),
        processed_rows: m.processed_rows.into(),
        created: m.created.into(),
        updated: m.updated.into(),
        skipped: m.skipped.into(),
        errors: m.errors.into(),
        error: m.error,
        columns: or_default("import's columns", m.columns)?,
        mapping: or_default("import's column mapping", m.mapping)?,
        created_at: m.created_at,
        started_at: m.started_at,
        finished_at: m.finished_at,
    })
}

/// Why a row was not imported: its line's report entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RowIssue {
    /// `error` or `skipped`.
    pub status: &'static str,
    pub reason: &'static str,
    pub field: Option<String>,
    pub message: String,
}

fn error(reason: &'static str, field: &str, message: impl Into<String>) -> RowIssue {
    RowIssue {
        status: "error",
        reason,
        field: Some(field.to_owned()).filter(|f| !f.is_empty()),
        message: message.into(),
    }
}

fn skipped(reason: &'static str, message: &str) -> RowIssue {
    RowIssue {
        status: "skipped",
        reason,
        field: None,
        message: message.to_owned(),
    }
}

/// A row's checked values.
#[derive(Debug, Clone, Default)]
struct Prepared {
    phone: Option<String>,
    bsuid: Option<String>,
    email: Option<String>,
    /// Lead text fields (`name`, `city`…) with their values.
    texts: Vec<(&'static str, String)>,
    lead_status: Option<LeadStatus>,
    score: Option<i32>,
    value_minor: Option<i64>,
    lead_source: Option<LeadSource>,
    owner_id: Option<Uuid>,
    tags: Vec<String>,
    note: Option<String>,
    custom: Map<String, Value>,
    /// The row puts the lead on the opt-out list.
    opt_out: bool,
}

/// What the runner knows of the organisation.
struct Context {
    country: String,
    defs: Vec<crate::leads::CustomFieldDef>,
    owners: HashMap<String, Uuid>,
    /// Column index → target.
    targets: Vec<Option<String>>,
}

fn text_cell(field: &'static str, v: &str, max: usize) -> Result<String, RowIssue> {
    if v.chars().count() > max {
        Err(error(
            "value_invalid",
            field,
            format!("must be at most {max} characters"),
        ))
    } else {
        Ok(v.to_owned())
    }
}

impl Context {
    fn prepare(&self, rec: &csv::StringRecord) -> Result<Prepared, RowIssue> {
        let mut p = Prepared::default();
        // Our own export guards formula-like cells with a `'`: read back, they are the value.
        let cell = |i: usize| {
            rec.get(i)
                .map(|c| lead_csv::from_spreadsheet(c.trim()))
                .unwrap_or("")
        };
        // Identity first: its errors have their own reasons.
        for (i, t) in self.targets.iter().enumerate() {
            let v = cell(i);
            match (t.as_deref(), v.is_empty()) {
                (_, true) | (None, _) => {}
                (Some("phone"), _) => match Phone::parse(v, Some(&self.country)) {
                    Ok(ph) => p.phone = Some(ph.to_string()),
                    Err(e) => return Err(error("phone_invalid", "phone", e.0)),
                },
                (Some("email"), _) => match EmailAddress::parse(v) {
                    Ok(e) => p.email = Some(e.to_string()),
                    Err(e) => return Err(error("email_invalid", "email", e.0)),
                },
                (Some("bsuid"), _) => p.bsuid = Some(text_cell("bsuid", v, 128)?),
                _ => {}
            }
        }
        if p.phone.is_none() && p.bsuid.is_none() && p.email.is_none() {
            return Err(error(
                "identity_missing",
                "phone",
                "the row has no phone, WhatsApp id or email",
            ));
        }
        for (i, t) in self.targets.iter().enumerate() {
            let v = cell(i);
            let Some(t) = t.as_deref() else { continue };
            if v.is_empty() {
                continue;
            }
            match t {
                "phone" | "email" | "bsuid" => {}
                "name" => p.texts.push(("name", text_cell("name", v, 200)?)),
                "business" => p.texts.push(("business", text_cell("business", v, 200)?)),
                "city" => p.texts.push(("city", text_cell("city", v, 200)?)),
                "language" => p.texts.push(("language", text_cell("language", v, 35)?)),
                "website" => match WebAddress::parse(v) {
                    Ok(w) => p.texts.push(("website", w.to_string())),
                    Err(e) => return Err(error("value_invalid", "website", e.0)),
                },
                "lead_status" => {
                    p.lead_status =
                        Some(v.parse().map_err(|e: closer_domain::ValidationError| {
                            error("value_invalid", t, e.0)
                        })?)
                }
                "lead_source" => {
                    p.lead_source =
                        Some(v.parse().map_err(|e: closer_domain::ValidationError| {
                            error("value_invalid", t, e.0)
                        })?)
                }
                "score" => match v.parse::<i32>() {
                    Ok(s) if (0..=100).contains(&s) => p.score = Some(s),
                    _ => {
                        return Err(error(
                            "value_invalid",
                            t,
                            "must be a whole number from 0 to 100",
                        ));
                    }
                },
                "value_minor" => match v.parse::<i64>() {
                    Ok(s) if s >= 0 => p.value_minor = Some(s),
                    _ => {
                        return Err(error(
                            "value_invalid",
                            t,
                            "must be a whole number, not negative",
                        ));
                    }
                },
                "owner_email" => match self.owners.get(&v.to_lowercase()) {
                    Some(id) => p.owner_id = Some(*id),
                    None => return Err(error("value_invalid", t, "no member has this email")),
                },
                "tags" => {
                    for name in lead_csv::split_tags(v) {
                        let name =
                            leads::tag_name(&name).map_err(|e| error("value_invalid", t, e.0))?;
                        if !p.tags.iter().any(|x| tag_folded(x) == tag_folded(&name)) {
                            p.tags.push(name);
                        }
                    }
                }
                "note" => {
                    p.note = Some(leads::note_body(v).map_err(|e| error("value_invalid", t, e.0))?)
                }
                "opted_out" => {
                    p.opt_out = closer_domain::compliance::opted_out_cell(v)
                        .map_err(|e| error("value_invalid", t, e.0))?
                }
                "stage" => {
                    return Err(error(
                        "value_invalid",
                        t,
                        "pipeline stages cannot be imported yet; leave the column unmapped",
                    ));
                }
                custom => {
                    let key = custom.trim_start_matches("custom_fields.");
                    let Some(def) = self.defs.iter().find(|d| d.key == key) else {
                        continue;
                    };
                    let raw = if def.kind == CustomFieldType::Multiselect {
                        Value::Array(
                            lead_csv::split_tags(v)
                                .into_iter()
                                .map(Value::String)
                                .collect(),
                        )
                    } else {
                        Value::String(v.to_owned())
                    };
                    let stored = leads::field_value(def.kind, &def.options, &raw)
                        .map_err(|e| error("value_invalid", custom, e.0))?;
                    p.custom.insert(key.to_owned(), stored);
                }
            }
        }
        Ok(p)
    }
}

/// Identities a row claims, for duplicate detection inside the file.
fn identities(p: &Prepared) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(x) = &p.phone {
        out.push(format!("p:{x}"));
    }
    if let Some(x) = &p.bsuid {
        out.push(format!("b:{x}"));
    }
    if let Some(x) = &p.email {
        out.push(format!("e:{}", x.to_lowercase()));
    }
    out
}

/// The lead column a text target writes.
fn text_column(field: &str) -> lead::Column {
    match field {
        "name" => lead::Column::Name,
        "business" => lead::Column::Business,
        "city" => lead::Column::City,
        "language" => lead::Column::Language,
        _ => lead::Column::Website,
    }
}

fn current_text<'a>(m: &'a lead::Model, field: &str) -> Option<&'a str> {
    match field {
        "name" => m.name.as_deref().or(m.profile_name.as_deref()),
        "business" => m.business.as_deref(),
        "city" => m.city.as_deref(),
        "language" => m.language.as_deref(),
        _ => m.website.as_deref(),
    }
}

/// What one batch did.
#[derive(Default)]
struct Counts {
    created: i32,
    updated: i32,
    skipped: i32,
    errors: i32,
}

impl OrgScope<'_> {
    /// Keeps an uploaded file as an import waiting for its confirmation.
    pub async fn create_import(
        &self,
        actor: &Actor,
        file_name: Option<String>,
        upload: Upload,
    ) -> Result<ImportRecord> {
        let mapping: Map<String, Value> = upload
            .columns
            .iter()
            .map(|c| (c.header.clone(), json!(c.target)))
            .collect();
        let m = lead_import::Model {
            id: new_id(),
            org_id: self.org_id,
            status: ImportStatus::Uploaded.as_str().into(),
            mode: None,
            file_name,
            content: upload.text,
            columns: Some(json!(upload.columns)),
            mapping: Some(Value::Object(mapping)),
            total_rows: upload.total_rows as i32,
            processed_rows: 0,
            created: 0,
            updated: 0,
            skipped: 0,
            errors: 0,
            error: None,
            job_id: None,
            created_by: Some(actor.user_id),
            created_at: now(),
            started_at: None,
            finished_at: None,
        };
        lead_import::Entity::insert(lead_import::ActiveModel::from(m.clone()))
            .exec_without_returning(&self.store.db)
            .await?;
        record(m)
    }

    async fn import_row(&self, id: Uuid) -> Result<lead_import::Model> {
        lead_import::Entity::find()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .filter(lead_import::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub async fn lead_import(&self, id: Uuid) -> Result<ImportRecord> {
        record(self.import_row(id).await?)
    }

    /// The newest imports, newest first (without their files).
    pub async fn lead_imports(&self) -> Result<Vec<ImportRecord>> {
        let rows = lead_import::Entity::find()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .order_by_desc(lead_import::Column::Id)
            .limit(50)
            .all(&self.store.db)
            .await?;
        rows.into_iter().map(record).collect()
    }

    /// Queues an uploaded import with its mapping and mode. `Ok(None)`: it is not waiting for
    /// a confirmation any more. Another import queued or running is a conflict.
    pub async fn confirm_import(
        &self,
        actor: &Actor,
        id: Uuid,
        mapping: Map<String, Value>,
        mode: ImportMode,
    ) -> Result<Option<ImportRecord>> {
        let txn = self.store.begin_write().await?;
        let current = lead_import::Entity::find()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .filter(lead_import::Column::Id.eq(id))
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.status != ImportStatus::Uploaded.as_str() {
            return Ok(None);
        }
        let job_id = jobs::enqueue(
            &*txn,
            self.org_id,
            JobPayload::LeadImport { import_id: id },
            None,
            now(),
        )
        .await?;
        let done = lead_import::Entity::update_many()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .filter(lead_import::Column::Id.eq(id))
            .filter(lead_import::Column::Status.eq(ImportStatus::Uploaded.as_str()))
            .col_expr(
                lead_import::Column::Status,
                Expr::value(ImportStatus::Queued.as_str()),
            )
            .col_expr(lead_import::Column::Mode, Expr::value(mode.as_str()))
            .col_expr(
                lead_import::Column::Mapping,
                Expr::value(Value::Object(mapping)),
            )
            .col_expr(lead_import::Column::JobId, Expr::value(job_id))
            .exec(&*txn)
            .await;
        match done {
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(StoreError::Conflict(
                    "another import is running in this organisation; try again when it finishes",
                ));
            }
            other => other?,
        };
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "lead.import_confirmed",
            format!("lead_import:{id}"),
            json!({ "mode": mode.as_str(), "total_rows": current.total_rows }),
        )
        .await?;
        txn.commit().await?;
        self.store.wake_workers().await;
        Ok(Some(self.lead_import(id).await?))
    }

    /// The error report: `line,status,reason,field,message` then the row's own columns.
    pub async fn import_report(&self, id: Uuid) -> Result<String> {
        let imp = self.import_row(id).await?;
        let issues = lead_import_row::Entity::find()
            .filter(lead_import_row::Column::OrgId.eq(self.org_id))
            .filter(lead_import_row::Column::ImportId.eq(id))
            .order_by_asc(lead_import_row::Column::Line)
            .all(&self.store.db)
            .await?;
        let mut rdr = reader(&imp.content);
        let headers: Vec<String> = rdr
            .headers()
            .map(|h| h.iter().map(str::to_owned).collect())
            .unwrap_or_default();
        let mut out = csv::Writer::from_writer(Vec::new());
        let mut head = vec!["line", "status", "reason", "field", "message"]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        head.extend(headers);
        let io = |e: csv::Error| {
            StoreError::Conflict(if e.is_io_error() {
                "write failed"
            } else {
                "csv"
            })
        };
        out.write_record(&head).map_err(io)?;
        let mut next = issues.iter().peekable();
        for (i, rec) in rdr.records().enumerate() {
            let line = i as i32 + 2;
            let Some(issue) = next.next_if(|r| r.line == line) else {
                if next.peek().is_none() {
                    break;
                }
                continue;
            };
            let rec = rec.unwrap_or_default();
            let mut row = vec![
                line.to_string(),
                issue.status.clone(),
                issue.reason.clone(),
                issue.field.clone().unwrap_or_default(),
                issue.message.clone().unwrap_or_default(),
            ];
            row.extend(rec.iter().map(str::to_owned));
            // The report goes back to a spreadsheet: the file's own cells are guarded too.
            let row = row
                .iter()
                .map(|c| lead_csv::spreadsheet_safe(c).into_owned());
            out.write_record(row).map_err(io)?;
        }
        let bytes = out
            .into_inner()
            .map_err(|_| StoreError::Conflict("write failed"))?;
        Ok(String::from_utf8(bytes).unwrap_or_default())
    }

    async fn finish_import(
        &self,
        id: Uuid,
        status: ImportStatus,
        err: Option<String>,
    ) -> Result<()> {
        lead_import::Entity::update_many()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .filter(lead_import::Column::Id.eq(id))
            .col_expr(lead_import::Column::Status, Expr::value(status.as_str()))
            .col_expr(lead_import::Column::Error, Expr::value(err))
            .col_expr(lead_import::Column::FinishedAt, Expr::value(now()))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// The import's job ran out of attempts: the import is `failed` with why, and the rows it
    /// committed stay (each batch committed whole).
    pub async fn give_up_import(&self, id: Uuid, why: &str) -> Result<()> {
        self.finish_import(
            id,
            ImportStatus::Failed,
            Some(format!("the import stopped: {why}")),
        )
        .await
    }

    /// Runs (or resumes) a confirmed import to its end.
    pub async fn run_import(&self, id: Uuid) -> Result<()> {
        let imp = self.import_row(id).await?;
        if !matches!(imp.status.as_str(), "queued" | "running") {
            return Ok(());
        }
        let mode = imp
            .mode
            .as_deref()
            .and_then(ImportMode::parse)
            .unwrap_or(ImportMode::Upsert);
        lead_import::Entity::update_many()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .filter(lead_import::Column::Id.eq(id))
            .col_expr(
                lead_import::Column::Status,
                Expr::value(ImportStatus::Running.as_str()),
            )
            .col_expr(
                lead_import::Column::StartedAt,
                Expr::value(imp.started_at.unwrap_or_else(now)),
            )
            .exec(&self.store.db)
            .await?;
        let mut rdr = reader(&imp.content);
        let headers: Vec<String> = match rdr.headers() {
            Ok(h) => h.iter().map(|h| h.trim().to_owned()).collect(),
            Err(e) => {
                return self
                    .finish_import(id, ImportStatus::Failed, Some(e.to_string()))
                    .await;
            }
        };
        let mapping = match &imp.mapping {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let owners = user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Active.eq(true))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|u| (u.email.to_lowercase(), u.id))
            .collect();
        let ctx = Context {
            country: self.default_country().await?,
            defs: self.custom_fields().await?,
            owners,
            targets: headers
                .iter()
                .map(|h| mapping.get(h).and_then(Value::as_str).map(str::to_owned))
                .collect(),
        };
        let records: Vec<csv::StringRecord> =
            rdr.records().map(|r| r.unwrap_or_default()).collect();
        let start = Ord::max(imp.processed_rows, 0) as usize;
        // Identities of the rows already done: a later row repeating one is a duplicate.
        let mut seen: HashSet<String> = HashSet::new();
        for rec in &records[..start.min(records.len())] {
            if let Ok(p) = ctx.prepare(rec) {
                seen.extend(identities(&p));
            }
        }
        let mut tag_ids: HashMap<String, Uuid> = tag::Entity::find()
            .filter(tag::Column::OrgId.eq(self.org_id))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|t| (t.name_folded, t.id))
            .collect();
        let importer = imp.created_by;
        let importer_name = match importer {
            Some(u) => user::Entity::find_by_id(u)
                .one(&self.store.db)
                .await?
                .map(|u| u.name),
            None => None,
        };
        let mut at = start;
        while at < records.len() {
            let end = (at + BATCH).min(records.len());
            self.import_batch(
                id,
                mode,
                &ctx,
                &records[at..end],
                at,
                &mut seen,
                &mut tag_ids,
                importer.zip(importer_name.clone()),
            )
            .await?;
            // After the first batch of a long import, and at its end: the planner reads the
            // later batches' lookups (identities, cards, stage history) by their indexes
            // rather than by the picture of the tables before the import.
            if (at == start && end < records.len()) || (end == records.len() && end - start > BATCH)
            {
                self.store.analyze_after_bulk_write(IMPORT_WRITES).await?;
            }
            at = end;
        }
        self.finish_import(id, ImportStatus::Completed, None)
            .await?;
        let done = self.import_row(id).await?;
        audit::record(
            &self.store.db,
            self.org_id,
            None,
            "lead.imported",
            format!("lead_import:{id}"),
            json!({ "created": done.created, "updated": done.updated, "skipped": done.skipped, "errors": done.errors }),
        )
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn import_batch(
        &self,
        id: Uuid,
        mode: ImportMode,
        ctx: &Context,
        rows: &[csv::StringRecord],
        first: usize,
        seen: &mut HashSet<String>,
        tag_ids: &mut HashMap<String, Uuid>,
        importer: Option<(Uuid, String)>,
    ) -> Result<()> {
        let mut issues: Vec<(i32, RowIssue)> = Vec::new();
        let mut ready: Vec<(i32, Prepared)> = Vec::new();
        let mut counts = Counts::default();
        for (i, rec) in rows.iter().enumerate() {
            let line = (first + i) as i32 + 2;
            match ctx.prepare(rec) {
                Err(issue) => issues.push((line, issue)),
                Ok(p) => {
                    let ids = identities(&p);
                    if ids.iter().any(|x| seen.contains(x)) {
                        issues.push((
                            line,
                            skipped(
                                "duplicate_in_file",
                                "an earlier row has this phone, WhatsApp id or email",
                            ),
                        ));
                    } else {
                        seen.extend(ids);
                        ready.push((line, p));
                    }
                }
            }
        }
        let txn = self.store.begin_write().await?;
        // The existing leads these rows may be.
        let phones: Vec<String> = ready.iter().filter_map(|(_, p)| p.phone.clone()).collect();
        let bsuids: Vec<String> = ready.iter().filter_map(|(_, p)| p.bsuid.clone()).collect();
        let emails: Vec<String> = ready.iter().filter_map(|(_, p)| p.email.clone()).collect();
        let mut any = Condition::any();
        if !phones.is_empty() {
            any = any.add(lead::Column::Phone.is_in(phones));
        }
        if !bsuids.is_empty() {
            any = any.add(lead::Column::WaUserId.is_in(bsuids));
        }
        if !emails.is_empty() {
            any = any.add(lead::Column::Email.is_in(emails));
        }
        let existing = if ready.is_empty() {
            Vec::new()
        } else {
            lead::Entity::find()
                .filter(lead::Column::OrgId.eq(self.org_id))
                .filter(any)
                .order_by_asc(lead::Column::Id)
                .all(&*txn)
                .await?
        };
        let mut by_phone: HashMap<&str, usize> = HashMap::new();
        let mut by_bsuid: HashMap<&str, usize> = HashMap::new();
        let mut by_email: HashMap<String, usize> = HashMap::new();
        for (i, l) in existing.iter().enumerate() {
            if let Some(p) = &l.phone {
                by_phone.insert(p, i);
            }
            if let Some(b) = &l.wa_user_id {
                by_bsuid.insert(b, i);
            }
            if let Some(e) = &l.email {
                by_email.entry(e.to_lowercase()).or_insert(i);
            }
        }
        let at = now();
        let mut inserts: Vec<lead::ActiveModel> = Vec::new();
        let mut new_tags: Vec<(Uuid, Vec<String>)> = Vec::new();
        let mut notes: Vec<(Uuid, String)> = Vec::new();
        // Leads the file marks opted out (new ones, and existing ones not yet).
        let mut opting_out: Vec<Uuid> = Vec::new();
        let mut tag_rows: Vec<(Uuid, Vec<String>)> = Vec::new();
        for (line, p) in ready {
            let a = p.phone.as_deref().and_then(|x| by_phone.get(x).copied());
            let b = p.bsuid.as_deref().and_then(|x| by_bsuid.get(x).copied());
            let c = p
                .email
                .as_ref()
                .and_then(|x| by_email.get(&x.to_lowercase()).copied());
            let target = a.or(b).or(c);
            let conflict = match target.map(|t| &existing[t]) {
                None => false,
                Some(l) => {
                    (a.is_some() && b.is_some() && a != b)
                        || (p.phone.is_some() && l.phone.is_some() && l.phone != p.phone)
                        || (p.bsuid.is_some() && l.wa_user_id.is_some() && l.wa_user_id != p.bsuid)
                }
            };
            if conflict {
                issues.push((
                    line,
                    error(
                        "identity_conflict",
                        "phone",
                        "the phone, WhatsApp id and email belong to different leads",
                    ),
                ));
                continue;
            }
            match (target, mode) {
                (Some(_), ImportMode::Create) => {
                    issues.push((line, skipped("exists", "a lead with this identity exists")));
                }
                (None, ImportMode::Update) => {
                    issues.push((
                        line,
                        skipped("not_found", "no lead has this phone, WhatsApp id or email"),
                    ));
                }
                (None, _) => {
                    if p.phone.is_none() && p.bsuid.is_none() {
                        issues.push((
                            line,
                            error(
                                "identity_missing",
                                "phone",
                                "a new lead needs a phone number or WhatsApp id",
                            ),
                        ));
                        continue;
                    }
                    let lead_id = new_id();
                    let text = |f: &str| {
                        p.texts
                            .iter()
                            .find(|(k, _)| *k == f)
                            .map(|(_, v)| v.clone())
                    };
                    let mut person: Vec<String> =
                        p.texts.iter().map(|(k, _)| (*k).to_owned()).collect();
                    if p.email.is_some() {
                        person.push("email".into());
                    }
                    if p.value_minor.is_some() {
                        person.push("value_minor".into());
                    }
                    person.extend(p.custom.keys().map(|k| format!("custom_fields.{k}")));
                    inserts.push(lead::ActiveModel {
                        id: Set(lead_id),
                        org_id: Set(self.org_id),
                        phone: Set(p.phone.clone()),
                        wa_user_id: Set(p.bsuid.clone()),
                        name: Set(text("name")),
                        profile_name: Set(None),
                        email: Set(p.email.clone()),
                        city: Set(text("city")),
                        language: Set(text("language")),
                        lead_status: Set(p.lead_status.unwrap_or(LeadStatus::New)),
                        score: Set(p.score.unwrap_or(0)),
                        tags: Set(None),
                        notes: Set(None),
                        custom_fields: Set(Some(Value::Object(p.custom.clone()))),
                        lead_source: Set(p.lead_source.unwrap_or(LeadSource::Import)),
                        campaign: Set(None),
                        opted_out: Set(false),
                        opted_out_at: Set(None),
                        marketing_opt_out: Set(false),
                        marketing_opt_out_at: Set(None),
                        first_seen_at: Set(at),
                        last_seen_at: Set(at),
                        created_at: Set(at),
                        updated_at: Set(at),
                        business: Set(text("business")),
                        website: Set(text("website")),
                        owner_id: Set(p.owner_id),
                        value_minor: Set(p.value_minor),
                        person_fields: Set(Some(json!(person))),
                        erased_at: Set(None),
                    });
                    if !p.tags.is_empty() {
                        new_tags.push((lead_id, p.tags.clone()));
                    }
                    if let Some(n) = p.note.clone() {
                        notes.push((lead_id, n));
                    }
                    if p.opt_out {
                        opting_out.push(lead_id);
                    }
                    counts.created += 1;
                }
                (Some(t), _) => {
                    let l = &existing[t];
                    let mut q = lead::Entity::update_many()
                        .filter(lead::Column::OrgId.eq(self.org_id))
                        .filter(lead::Column::Id.eq(l.id));
                    let mut changed = false;
                    let mut person = crate::leads::person_fields(l)?;
                    let touch = |f: String, person: &mut Vec<String>| {
                        if !person.contains(&f) {
                            person.push(f);
                        }
                    };
                    if p.phone.is_some() && l.phone.is_none() {
                        q = q.col_expr(lead::Column::Phone, Expr::value(p.phone.clone()));
                        changed = true;
                    }
                    if p.bsuid.is_some() && l.wa_user_id.is_none() {
                        q = q.col_expr(lead::Column::WaUserId, Expr::value(p.bsuid.clone()));
                        changed = true;
                    }
                    if let Some(e) = &p.email
                        && l.email.as_ref().map(|x| x.to_lowercase()) != Some(e.to_lowercase())
                    {
                        q = q.col_expr(lead::Column::Email, Expr::value(e.clone()));
                        touch("email".into(), &mut person);
                        changed = true;
                    }
                    for (f, v) in &p.texts {
                        if current_text(l, f) != Some(v.as_str()) {
                            q = q.col_expr(text_column(f), Expr::value(v.clone()));
                            touch((*f).to_owned(), &mut person);
                            changed = true;
                        }
                    }
                    if let Some(s) = p.lead_status.filter(|s| *s != l.lead_status) {
                        q = q.col_expr(lead::Column::LeadStatus, Expr::value(s.as_str()));
                        changed = true;
                    }
                    if let Some(s) = p.lead_source.filter(|s| *s != l.lead_source) {
                        q = q.col_expr(lead::Column::LeadSource, Expr::value(s.as_str()));
                        changed = true;
                    }
                    if let Some(s) = p.score.filter(|s| *s != l.score) {
                        q = q.col_expr(lead::Column::Score, Expr::value(s));
                        changed = true;
                    }
                    if let Some(v) = p.value_minor.filter(|v| Some(*v) != l.value_minor) {
                        q = q.col_expr(lead::Column::ValueMinor, Expr::value(v));
                        touch("value_minor".into(), &mut person);
                        changed = true;
                    }
                    if let Some(o) = p.owner_id.filter(|o| Some(*o) != l.owner_id) {
                        q = q.col_expr(lead::Column::OwnerId, Expr::value(o));
                        changed = true;
                    }
                    let mut custom = match &l.custom_fields {
                        Some(Value::Object(m)) => m.clone(),
                        _ => Map::new(),
                    };
                    let mut custom_changed = false;
                    for (k, v) in &p.custom {
                        if custom.get(k) != Some(v) {
                            custom.insert(k.clone(), v.clone());
                            touch(format!("custom_fields.{k}"), &mut person);
                            custom_changed = true;
                        }
                    }
                    if custom_changed {
                        q = q.col_expr(
                            lead::Column::CustomFields,
                            Expr::value(Value::Object(custom)),
                        );
                        changed = true;
                    }
                    if changed {
                        q.col_expr(lead::Column::PersonFields, Expr::value(json!(person)))
                            .col_expr(lead::Column::UpdatedAt, Expr::value(at))
                            .exec(&*txn)
                            .await?;
                    }
                    if !p.tags.is_empty() {
                        tag_rows.push((l.id, p.tags.clone()));
                    }
                    if let Some(n) = p.note.clone() {
                        notes.push((l.id, n));
                    }
                    if p.opt_out && !l.opted_out {
                        opting_out.push(l.id);
                    }
                    counts.updated += 1;
                }
            }
        }
        // Numbers on the suppression list come back opted out.
        let suppressed =
            crate::compliance::suppress_new_leads(&*txn, self.store, self.org_id, &mut inserts)
                .await?;
        crate::activity::append(&*txn, self.org_id, suppressed).await?;
        for chunk in inserts.chunks(500) {
            lead::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&*txn)
                .await?;
        }
        if !opting_out.is_empty() {
            let how = crate::compliance::OptOutBy {
                source: closer_domain::compliance::OptOutSource::Import,
                by_user_id: importer.as_ref().map(|(id, _)| *id),
                reason: None,
                message_id: None,
            };
            crate::compliance::opt_out_many(&*txn, self.store, self.org_id, &opting_out, &how, at)
                .await?;
        }
        // New leads enter the pipeline's first open stage, on top (one history row each).
        let created: Vec<Uuid> = inserts.iter().map(|m| *m.id.as_ref()).collect();
        crate::pipeline::place_new_leads(
            &*txn,
            self.org_id,
            &created,
            crate::pipeline::MoveBy {
                actor: closer_domain::pipeline::MoveActor::Import,
                actor_id: None,
                reason: Some("import".into()),
                evidence_message_id: None,
            },
        )
        .await?;
        // Tags: created once per name, added to the leads that lack them.
        let mut wanted: Vec<(Uuid, Uuid)> = Vec::new();
        for (lead_id, names) in new_tags.iter().chain(tag_rows.iter()) {
            for name in names {
                let folded = tag_folded(name);
                let tag_id = match tag_ids.get(&folded) {
                    Some(t) => *t,
                    None => {
                        let t = new_id();
                        tag::Entity::insert(tag::ActiveModel {
                            id: Set(t),
                            org_id: Set(self.org_id),
                            name: Set(name.clone()),
                            name_folded: Set(folded.clone()),
                            color: Set(tag_color_for(name)),
                            created_at: Set(at),
                            updated_at: Set(at),
                        })
                        .exec_without_returning(&*txn)
                        .await?;
                        tag_ids.insert(folded, t);
                        t
                    }
                };
                wanted.push((*lead_id, tag_id));
            }
        }
        if !wanted.is_empty() {
            let holders: Vec<Uuid> = tag_rows.iter().map(|(l, _)| *l).collect();
            let have: HashSet<(Uuid, Uuid)> = if holders.is_empty() {
                HashSet::new()
            } else {
                lead_tag::Entity::find()
                    .filter(lead_tag::Column::OrgId.eq(self.org_id))
                    .filter(lead_tag::Column::ContactId.is_in(holders))
                    .all(&*txn)
                    .await?
                    .into_iter()
                    .map(|r| (r.contact_id, r.tag_id))
                    .collect()
            };
            let mut fresh: Vec<lead_tag::ActiveModel> = Vec::new();
            let mut once = HashSet::new();
            for pair in wanted {
                if !have.contains(&pair) && once.insert(pair) {
                    fresh.push(lead_tag::ActiveModel {
                        org_id: Set(self.org_id),
                        contact_id: Set(pair.0),
                        tag_id: Set(pair.1),
                        created_at: Set(at),
                    });
                }
            }
            for chunk in fresh.chunks(1000) {
                lead_tag::Entity::insert_many(chunk.to_vec())
                    .exec_without_returning(&*txn)
                    .await?;
            }
        }
        if !notes.is_empty() {
            let (author_id, author_name) = importer
                .map(|(a, n)| (Some(a), Some(n)))
                .unwrap_or((None, None));
            for chunk in notes.chunks(1000) {
                lead_note::Entity::insert_many(chunk.iter().map(|(lead_id, body)| {
                    lead_note::ActiveModel {
                        id: Set(new_id()),
                        org_id: Set(self.org_id),
                        contact_id: Set(*lead_id),
                        body: Set(body.clone()),
                        author_id: Set(author_id),
                        author_name: Set(author_name.clone()),
                        created_at: Set(at),
                        updated_at: Set(at),
                    }
                }))
                .exec_without_returning(&*txn)
                .await?;
            }
        }
        for (_, issue) in &issues {
            if issue.status == "error" {
                counts.errors += 1;
            } else {
                counts.skipped += 1;
            }
        }
        for chunk in issues.chunks(1000) {
            lead_import_row::Entity::insert_many(chunk.iter().map(|(line, r)| {
                lead_import_row::ActiveModel {
                    import_id: Set(id),
                    line: Set(*line),
                    org_id: Set(self.org_id),
                    status: Set(r.status.to_owned()),
                    reason: Set(r.reason.to_owned()),
                    field: Set(r.field.clone()),
                    message: Set(Some(r.message.clone())),
                }
            }))
            .exec_without_returning(&*txn)
            .await?;
        }
        let add = |c: lead_import::Column, n: i32| Expr::col(c).add(n);
        lead_import::Entity::update_many()
            .filter(lead_import::Column::OrgId.eq(self.org_id))
            .filter(lead_import::Column::Id.eq(id))
            .col_expr(
                lead_import::Column::ProcessedRows,
                add(lead_import::Column::ProcessedRows, rows.len() as i32),
            )
            .col_expr(
                lead_import::Column::Created,
                add(lead_import::Column::Created, counts.created),
            )
            .col_expr(
                lead_import::Column::Updated,
                add(lead_import::Column::Updated, counts.updated),
            )
            .col_expr(
                lead_import::Column::Skipped,
                add(lead_import::Column::Skipped, counts.skipped),
            )
            .col_expr(
                lead_import::Column::Errors,
                add(lead_import::Column::Errors, counts.errors),
            )
            .exec(&*txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
