//! Agent tests (API.md, *Agent tests*): the owner's cases, their runs in an isolated
//! simulation, and starter cases drawn from the FAQ and the calls to action.

use crate::agent_run;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, parse_id};
use crate::routes::agent::profile::{ProfileUpdate, draft};
use crate::routes::schema::List;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_agent::testing::starter_cases;
use closer_domain::agent_tests::{
    AgentTestCase, AgentTestRunStatus, Expectation, TestResult, TestTurn, VerdictChange,
    verdict_changes,
};
use closer_store::agent_tests::{AgentTest, AgentTestRun};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct AgentTestView {
    pub id: Uuid,
    pub name: String,
    pub turns: Vec<TestTurn>,
    pub expect: Vec<Expectation>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<AgentTest> for AgentTestView {
    fn from(t: AgentTest) -> Self {
        AgentTestView {
            id: t.id,
            name: t.name,
            turns: t.turns,
            expect: t.expect,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A case as written: 1–20 turns of at most 4,096 characters, expectations `{kind, value?}`.
#[derive(Deserialize, ToSchema)]
pub struct AgentTestRequest {
    pub name: String,
    #[schema(value_type = Vec<TestTurn>)]
    pub turns: Value,
    #[serde(default = "no_expectations")]
    #[schema(value_type = Vec<Expectation>)]
    pub expect: Value,
}

fn no_expectations() -> Value {
    json!([])
}

impl AgentTestRequest {
    /// The case, or a 422 naming every wrong field (`turns[1].text`, `expect[0].kind`).
    fn case(&self) -> ApiResult<AgentTestCase> {
        AgentTestCase::parse(&self.name, &self.turns, &self.expect)
            .map_err(|errors| ApiError::fields(errors.into_iter().map(|e| (e.field, e.message))))
    }
}

/// Every agent test, in the order they were written.
#[utoipa::path(get, path = "/agent/tests", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = List<AgentTestView>)))]
pub async fn list_tests(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<AgentTestView>>> {
    let tests = state.store.org(member.org_id()).agent_tests().await?;
    Ok(Json(List::whole(
        tests.into_iter().map(AgentTestView::from),
    )))
}

/// Adds a test (owner or admin).
#[utoipa::path(post, path = "/agent/tests", tag = "agent", request_body = AgentTestRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AgentTestView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_test(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<AgentTestRequest>,
) -> ApiResult<(StatusCode, Json<AgentTestView>)> {
    let case = req.case()?;
    let test = state
        .store
        .org(member.org_id())
        .create_agent_test(&case)
        .await?;
    Ok((StatusCode::CREATED, Json(test.into())))
}

/// Rewrites a test (owner or admin).
#[utoipa::path(put, path = "/agent/tests/{id}", tag = "agent", request_body = AgentTestRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "agent test id")),
    responses((status = 200, body = AgentTestView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_test(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AgentTestRequest>,
) -> ApiResult<Json<AgentTestView>> {
    let id = parse_id(&id)?;
    let case = req.case()?;
    let test = state
        .store
        .org(member.org_id())
        .update_agent_test(id, &case)
        .await?;
    Ok(Json(test.into()))
}

/// Removes a test (owner or admin); past runs keep its result.
#[utoipa::path(delete, path = "/agent/tests/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent test id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_test(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    state
        .store
        .org(member.org_id())
        .delete_agent_test(id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A starter case: not saved until the owner adds it.
#[derive(Serialize, ToSchema)]
pub struct AgentTestStarterView {
    pub name: String,
    pub turns: Vec<TestTurn>,
    pub expect: Vec<Expectation>,
}

/// Starter cases the owner may add: one per FAQ entry (its question; the reply must carry the
/// answer's first figure or words) and one per enabled call to action (a lead asking for it).
#[utoipa::path(get, path = "/agent/tests/starters", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = List<AgentTestStarterView>)))]
pub async fn starters(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<AgentTestStarterView>>> {
    let (ctas, knowledge) = agent_run::ctas_and_knowledge(&state.store, member.org_id()).await?;
    let items = starter_cases(&knowledge, &ctas)
        .into_iter()
        .map(|s| AgentTestStarterView {
            name: s.name,
            turns: s.turns,
            expect: s.expect,
        });
    Ok(Json(List::whole(items)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentTestRunRequest {
    /// The cases to run; all of them when absent.
    pub test_ids: Option<Vec<Uuid>>,
    /// A draft to test instead of the saved profile: the documents it changes and the mode.
    pub profile: Option<ProfileUpdate>,
}

#[derive(Serialize, ToSchema)]
pub struct AgentTestRunView {
    pub id: Uuid,
    pub status: AgentTestRunStatus,
    pub passed: i32,
    pub failed: i32,
    pub results: Vec<TestResult>,
    /// Verdicts that differ from the finished run before this one (filled once it is done).
    pub changes: Vec<VerdictChange>,
    /// True when the run tested a draft rather than the saved profile.
    pub draft: bool,
    pub cost_usd: f64,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn test_run_view(run: AgentTestRun, changes: Vec<VerdictChange>) -> AgentTestRunView {
    AgentTestRunView {
        id: run.id,
        status: run.status,
        passed: run.passed,
        failed: run.failed,
        results: run.results,
        changes,
        draft: run.profile.is_some(),
        cost_usd: run.cost_usd,
        error: run.error,
        started_at: run.started_at,
        finished_at: run.finished_at,
    }
}

/// Runs the tests (owner or admin) in an isolated simulation: nothing appears in the inbox,
/// nothing is sent or queued for a lead. 202: poll the run for its results.
#[utoipa::path(post, path = "/agent/tests/run", tag = "agent", request_body = AgentTestRunRequest,
    security(("bearer" = [])),
    responses((status = 202, body = AgentTestRunView), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn run_tests(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<AgentTestRunRequest>,
) -> ApiResult<(StatusCode, Json<AgentTestRunView>)> {
    let scope = state.store.org(member.org_id());
    let profile = match req.profile {
        Some(update) => {
            let (_, current) = agent_run::profile(&state.store, member.org_id()).await?;
            let p = draft(&current, update)?;
            let mut doc = serde_json::Map::new();
            for (k, v) in p.documents() {
                doc.insert(k.to_owned(), v);
            }
            doc.insert("mode".into(), json!(p.mode));
            Some(Value::Object(doc))
        }
        None => None,
    };
    let known: Vec<Uuid> = scope.agent_tests().await?.iter().map(|t| t.id).collect();
    let unknown = req.test_ids.iter().flatten().find(|id| !known.contains(id));
    if let Some(unknown) = unknown {
        return Err(ApiError::field("test_ids", format!("no test {unknown}")));
    }
    let chosen = req.test_ids.as_ref().map_or(known.len(), Vec::len);
    if chosen == 0 {
        return Err(ApiError::field("test_ids", "there are no tests to run"));
    }
    let run = scope
        .start_agent_test_run(&member.0.user.as_actor(), req.test_ids.as_deref(), profile)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(test_run_view(run, vec![]))))
}

/// The latest runs, newest first.
#[utoipa::path(get, path = "/agent/tests/runs", tag = "agent", security(("bearer" = [])),
    responses((status = 200, body = List<AgentTestRunView>)))]
pub async fn list_test_runs(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<List<AgentTestRunView>>> {
    let runs = state.store.org(member.org_id()).agent_test_runs().await?;
    // Each run against the finished one before it, from the page itself (runs are newest
    // first): no query per run.
    let mut items = Vec::with_capacity(runs.len());
    for (i, run) in runs.iter().enumerate() {
        let before = runs[i + 1..]
            .iter()
            .find(|r| r.status == AgentTestRunStatus::Done);
        items.push(test_run_view(run.clone(), changes_since(run, before)));
    }
    Ok(Json(List::whole(items)))
}

/// One run with each case's transcript and failed expectations, and what changed since the
/// finished run before it.
#[utoipa::path(get, path = "/agent/tests/runs/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "run id")),
    responses((status = 200, body = AgentTestRunView), (status = 404, body = ErrorBody)))]
pub async fn get_test_run(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<AgentTestRunView>> {
    let scope = state.store.org(member.org_id());
    let run = scope.agent_test_run(parse_id(&id)?).await?;
    let before = scope.agent_test_run_before(&run).await?;
    let changes = changes_since(&run, before.as_ref());
    Ok(Json(test_run_view(run, changes)))
}

fn changes_since(run: &AgentTestRun, before: Option<&AgentTestRun>) -> Vec<VerdictChange> {
    match (run.status, before) {
        (AgentTestRunStatus::Done, Some(b)) => verdict_changes(&b.results, &run.results),
        _ => vec![],
    }
}
