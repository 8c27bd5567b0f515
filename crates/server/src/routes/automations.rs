//! Automations (API.md, *Campaigns, automations, sequences*): rules, their run log, the
//! per-conversation cap, and the editor's dry run. Everyone reads; owners and admins write
//! (audited). A rule is checked whole — its event, conditions, actions and what they refer to
//! (templates, stages, members, custom fields) — and refused with 422 `invalid_rule` naming
//! every bad path.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Manager, Member, parse_id};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::automation::{
    Action, ActionOutcome, ActionResult, Assignee, AutomationActionType, AutomationEvent, CancelOn,
    ConditionResult, Glue, RunReason, RunStatus, parse_rule,
};
use closer_domain::lead_filter::{FieldDef, Operator, Problem};
use closer_domain::work::ErrorCode;
use closer_store::OrgScope;
use closer_store::automations::{AutomationInput, AutomationRecord, RunFilter, RunRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Most runs one conversation may execute per hour, at most.
const MAX_CAP: u32 = 1_000;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RuleCondition {
    /// A lead field (`city`, `tags`, `custom_fields.KEY`) or an event fact (`message.text`,
    /// `message.type`, `tag`, `stage.from`, `stage.to`, `cta.type`, `campaign.id`,
    /// `conversation.mode`).
    pub field: String,
    pub operator: Operator,
    #[serde(default)]
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glue: Option<Glue>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RuleAction {
    #[serde(rename = "type")]
    pub kind: AutomationActionType,
    /// `send_text {text}`, `send_template {template_id, variables}`, `add_tag|remove_tag
    /// {tag}`, `set_stage {stage}`, `set_field {key, value}`, `assign {user_id |
    /// "round_robin"}`, `add_note {text}`, `start_sequence {sequence_id}`, `webhook {url}`.
    #[serde(default)]
    pub params: Value,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct EventParams {
    /// `no_reply_for`: seconds (≥ 5) without an answer from the lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct AutomationView {
    pub id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub event: AutomationEvent,
    pub event_params: EventParams,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<RuleAction>,
    pub delay_seconds: u32,
    pub cancel_on: CancelOn,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored part of a rule or run as the API shows it. One this version cannot read is an
/// error, never shown as empty: the editor would save the rule back without it.
fn stored<T: serde::de::DeserializeOwned>(what: &str, v: Value) -> ApiResult<T> {
    Ok(closer_store::stored::document(what, v)?)
}

fn view(r: AutomationRecord) -> ApiResult<AutomationView> {
    Ok(AutomationView {
        id: r.id,
        name: r.name,
        enabled: r.enabled,
        event: r.event,
        event_params: stored("rule's event parameters", r.event_params)?,
        conditions: stored("rule's conditions", r.conditions)?,
        actions: stored("rule's actions", r.actions)?,
        delay_seconds: r.delay_seconds,
        cancel_on: r.cancel_on,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// A rule as written in the editor.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // The body is read as JSON and checked by path; this documents it.
pub struct AutomationRequest {
    pub name: String,
    /// Default true.
    pub enabled: Option<bool>,
    pub event: AutomationEvent,
    pub event_params: Option<EventParams>,
    /// `[]` (or absent) always matches.
    pub conditions: Option<Vec<RuleCondition>>,
    /// 1 to 20, run in order.
    pub actions: Vec<RuleAction>,
    /// 0 to 2,592,000 (30 days); default 0.
    pub delay_seconds: Option<u32>,
    /// Default `moved_on`.
    pub cancel_on: Option<CancelOn>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ConditionResultView {
    pub field: String,
    pub operator: Operator,
    pub value: Value,
    /// What the lead or the event had, null when nothing.
    pub actual: Value,
    pub matched: bool,
}

fn condition_view(c: ConditionResult) -> ConditionResultView {
    ConditionResultView {
        field: c.field,
        operator: c.operator,
        value: c.value,
        actual: c.actual,
        matched: c.matched,
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActionResultView {
    #[serde(rename = "type")]
    pub kind: AutomationActionType,
    pub status: ActionOutcome,
    /// What it did, or why not (`window_closed`, `human_owns_conversation`, `opted_out`).
    pub detail: String,
}

fn action_view(a: ActionResult) -> ActionResultView {
    ActionResultView {
        kind: a.kind,
        status: a.status,
        detail: a.detail,
    }
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    pub id: Uuid,
    pub rule_id: Uuid,
    pub event: AutomationEvent,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub status: RunStatus,
    /// Why a run was skipped or cancelled.
    pub reason: Option<RunReason>,
    pub conditions: Vec<ConditionResultView>,
    pub actions: Vec<ActionResultView>,
    /// When a delayed run falls (or fell) due.
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn run_view(r: RunRecord) -> ApiResult<RunView> {
    Ok(RunView {
        id: r.id,
        rule_id: r.rule_id,
        event: r.event,
        conversation_id: r.conversation_id,
        lead_id: r.lead_id,
        status: r.status,
        reason: r.reason,
        conditions: stored("run's conditions", r.conditions)?,
        actions: stored("run's actions", r.actions)?,
        due_at: r.due_at,
        created_at: r.created_at,
    })
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AutomationSettings {
    /// Runs one conversation may execute per hour (1–1000, default 20); more are skipped
    /// `rate_capped`.
    pub max_runs_per_conversation_per_hour: u32,
}

#[derive(Deserialize, ToSchema)]
pub struct DryRunRequest {
    /// A conversation of the organisation to try the rule against.
    pub conversation_id: Uuid,
    /// The lead's message to pretend was received (`message.text`).
    pub message_text: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DryRunView {
    pub would_run: bool,
    pub conditions: Vec<ConditionResultView>,
    /// What each action would do now (nothing is written or sent).
    pub actions: Vec<ActionResultView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunParams {
    pub conversation_id: Option<Uuid>,
    pub status: Option<RunStatus>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn invalid(problems: Vec<Problem>) -> ApiError {
    let mut fields = Map::new();
    for p in problems {
        fields.entry(p.path).or_insert(Value::String(p.message));
    }
    ApiError::Unprocessable {
        code: ErrorCode::InvalidRule,
        message: "the rule is not valid".into(),
        details: Some(serde_json::json!({ "fields": fields })),
    }
}

/// The body checked whole: the rule, then what its actions refer to.
async fn checked(scope: &OrgScope<'_>, body: &Value) -> ApiResult<AutomationInput> {
    let defs: Vec<FieldDef> = scope
        .custom_fields()
        .await?
        .into_iter()
        .map(|d| FieldDef {
            key: d.key,
            kind: d.kind,
            options: d.options,
        })
        .collect();
    let mut problems = vec![];
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(|n| closer_domain::text::storable(n).trim().to_owned())
        .unwrap_or_default();
    if name.is_empty() || name.chars().count() > 120 {
        problems.push(Problem {
            path: "name".into(),
            message: "must be text of 1 to 120 characters".into(),
        });
    }
    let enabled = match body.get("enabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            problems.push(Problem {
                path: "enabled".into(),
                message: "must be true or false".into(),
            });
            true
        }
    };
    let rule = match parse_rule(body, &defs) {
        Ok(r) => Some(r),
        Err(mut p) => {
            problems.append(&mut p);
            None
        }
    };
    let Some(mut rule) = rule else {
        return Err(invalid(problems));
    };
    for (i, action) in rule.actions.iter_mut().enumerate() {
        if let Some((param, message)) = reference_problem(scope, &defs, action).await? {
            problems.push(Problem {
                path: format!("actions[{i}].params.{param}"),
                message,
            });
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    Ok(AutomationInput {
        name,
        enabled,
        rule,
    })
}

/// What an action names must exist in the organisation; a field's value is normalised.
async fn reference_problem(
    scope: &OrgScope<'_>,
    defs: &[FieldDef],
    action: &mut Action,
) -> ApiResult<Option<(&'static str, String)>> {
    Ok(match action {
        Action::SendTemplate { template_id, .. } => match scope.template(*template_id).await {
            Ok(_) => None,
            Err(closer_store::StoreError::NotFound) => Some((
                "template_id",
                "is not a template of this organisation".into(),
            )),
            Err(e) => return Err(e.into()),
        },
        Action::StartSequence { sequence_id } => match scope.sequence(*sequence_id).await {
            Ok(_) => None,
            Err(closer_store::StoreError::NotFound) => Some((
                "sequence_id",
                "is not a drip sequence of this organisation".into(),
            )),
            Err(e) => return Err(e.into()),
        },
        Action::SetStage { stage } => (!scope.has_stage(*stage).await?)
            .then(|| ("stage", "is not a stage of this pipeline".into())),
        Action::Assign {
            to: Assignee::User(id),
        } => (!scope.is_assignable(*id).await?).then(|| {
            (
                "user_id",
                "is not an active member who works conversations".into(),
            )
        }),
        Action::SetField { key, value } => match defs.iter().find(|d| d.key == *key) {
            None => Some(("key", "is not a custom field".into())),
            Some(d) => match closer_domain::leads::field_value(d.kind, &d.options, value) {
                Ok(v) => {
                    *value = v;
                    None
                }
                Err(e) => Some(("value", e.0)),
            },
        },
        _ => None,
    })
}

/// Every rule, oldest first (one page: an organisation has few).
#[utoipa::path(get, path = "/automations", tag = "automations", security(("bearer" = [])),
    responses((status = 200, body = List<AutomationView>)))]
pub async fn list_automations(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<AutomationView>>> {
    let rows = state.store.org(member.org_id()).automations().await?;
    let views = rows.into_iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(List::whole(views)))
}

#[utoipa::path(post, path = "/automations", tag = "automations", request_body = AutomationRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AutomationView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_automation(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<AutomationView>)> {
    let scope = state.store.org(member.org_id());
    let input = checked(&scope, &body).await?;
    let row = scope
        .create_automation(&member.0.user.as_actor(), input)
        .await?;
    Ok((StatusCode::CREATED, Json(view(row)?)))
}

#[utoipa::path(get, path = "/automations/{id}", tag = "automations", security(("bearer" = [])),
    params(("id" = String, Path, description = "automation id")),
    responses((status = 200, body = AutomationView), (status = 404, body = ErrorBody)))]
pub async fn get_automation(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<AutomationView>> {
    let id = parse_id(&id)?;
    let row = state.store.org(member.org_id()).automation(id).await?;
    Ok(Json(view(row)?))
}

/// Replaces the rule (the whole document, as on create).
#[utoipa::path(put, path = "/automations/{id}", tag = "automations", request_body = AutomationRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "automation id")),
    responses((status = 200, body = AutomationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_automation(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<AutomationView>> {
    let id = parse_id(&id)?;
    let scope = state.store.org(member.org_id());
    scope.automation(id).await?;
    let input = checked(&scope, &body).await?;
    let row = scope
        .update_automation(&member.0.user.as_actor(), id, input)
        .await?;
    Ok(Json(view(row)?))
}

#[utoipa::path(delete, path = "/automations/{id}", tag = "automations", security(("bearer" = [])),
    params(("id" = String, Path, description = "automation id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_automation(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .delete_automation(&member.0.user.as_actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/automations/settings", tag = "automations", security(("bearer" = [])),
    responses((status = 200, body = AutomationSettings)))]
pub async fn get_automation_settings(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<AutomationSettings>> {
    let max = state.store.org(member.org_id()).automation_cap().await?;
    Ok(Json(AutomationSettings {
        max_runs_per_conversation_per_hour: max,
    }))
}

#[utoipa::path(put, path = "/automations/settings", tag = "automations",
    request_body = AutomationSettings, security(("bearer" = [])),
    responses((status = 200, body = AutomationSettings), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_automation_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<AutomationSettings>,
) -> ApiResult<Json<AutomationSettings>> {
    let max = req.max_runs_per_conversation_per_hour;
    if !(1..=MAX_CAP).contains(&max) {
        return Err(ApiError::field(
            "max_runs_per_conversation_per_hour",
            format!("must be from 1 to {MAX_CAP}"),
        ));
    }
    let max = state
        .store
        .org(member.org_id())
        .set_automation_cap(&member.0.user.as_actor(), max)
        .await?;
    Ok(Json(AutomationSettings {
        max_runs_per_conversation_per_hour: max,
    }))
}

async fn runs(
    state: &AppState,
    org_id: Uuid,
    rule_id: Option<Uuid>,
    params: RunParams,
) -> ApiResult<Json<List<RunView>>> {
    let page = ListParams {
        limit: params.limit,
        cursor: params.cursor,
    }
    .page()?;
    let filter = RunFilter {
        rule_id,
        conversation_id: params.conversation_id,
        status: params.status,
    };
    let rows = state
        .store
        .org(org_id)
        .automation_runs(&filter, page)
        .await?;
    Ok(Json(List::try_from_page(rows, run_view)?))
}

/// One rule's run log, newest first.
#[utoipa::path(get, path = "/automations/{id}/runs", tag = "automations", security(("bearer" = [])),
    params(("id" = String, Path, description = "automation id"), RunParams),
    responses((status = 200, body = List<RunView>), (status = 404, body = ErrorBody)))]
pub async fn list_rule_runs(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<RunParams>,
) -> ApiResult<Json<List<RunView>>> {
    let id = parse_id(&id)?;
    state.store.org(member.org_id()).automation(id).await?;
    runs(&state, member.org_id(), Some(id), params).await
}

/// Every rule's runs, newest first.
#[utoipa::path(get, path = "/automations/runs", tag = "automations", security(("bearer" = [])),
    params(RunParams), responses((status = 200, body = List<RunView>)))]
pub async fn list_runs(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(params): ApiQuery<RunParams>,
) -> ApiResult<Json<List<RunView>>> {
    runs(&state, member.org_id(), None, params).await
}

/// Tries the saved rule against a real conversation: which conditions match and what each
/// action would do. Nothing is written or sent.
#[utoipa::path(post, path = "/automations/{id}/dry-run", tag = "automations",
    request_body = DryRunRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "automation id")),
    responses((status = 200, body = DryRunView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dry_run(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DryRunRequest>,
) -> ApiResult<Json<DryRunView>> {
    let id = parse_id(&id)?;
    let org_id = member.org_id();
    let rule = state.store.org(org_id).automation(id).await?;
    let text = req
        .message_text
        .map(|t| closer_domain::text::storable(&t).into_owned());
    let (would_run, conditions, actions) =
        crate::automation_run::dry_run(&state.store, org_id, &rule, req.conversation_id, text)
            .await
            .map_err(|e| match e {
                closer_store::StoreError::NotFound => ApiError::field(
                    "conversation_id",
                    "is not a conversation of this organisation",
                ),
                other => other.into(),
            })?;
    Ok(Json(DryRunView {
        would_run,
        conditions: conditions.into_iter().map(condition_view).collect(),
        actions: actions.into_iter().map(action_view).collect(),
    }))
}
