//! Agent tests and their runs (issue 10 item 7): the owner's cases, and each run's results as
//! the runner records them. A run is queued as a job in the same transaction as its row, so a
//! run that is `running` always has a worker coming for it.

use crate::entities::{agent_test, agent_test_run};
use crate::error::{Result, StoreError};
use crate::jobs::{self, JobPayload};
use crate::stored::document as read;
use crate::team::OrgScope;
use crate::{Actor, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::agent_tests::{
    AgentTestCase, AgentTestRunStatus, Expectation, TestResult, TestTurn,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;
use uuid::Uuid;

/// Runs a list shows, newest first.
const RUNS_LISTED: u64 = 50;

/// A stored agent test.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentTest {
    pub id: Uuid,
    pub name: String,
    pub turns: Vec<TestTurn>,
    pub expect: Vec<Expectation>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A run of the agent tests.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentTestRun {
    pub id: Uuid,
    pub status: AgentTestRunStatus,
    /// The cases asked for; `None`: all of them.
    pub test_ids: Option<Vec<Uuid>>,
    /// The draft `{documents…, mode}` tested instead of the saved profile.
    pub profile: Option<Value>,
    pub passed: i32,
    pub failed: i32,
    pub results: Vec<TestResult>,
    pub cost_usd: f64,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn json<T: serde::Serialize + ?Sized>(v: &T) -> Value {
    serde_json::to_value(v).expect("test documents serialise")
}

fn test_of(m: agent_test::Model) -> Result<AgentTest> {
    Ok(AgentTest {
        id: m.id,
        name: m.name,
        turns: read("agent test turns", m.turns)?,
        expect: read("agent test expectations", m.expect)?,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn run_of(m: agent_test_run::Model) -> Result<AgentTestRun> {
    Ok(AgentTestRun {
        id: m.id,
        status: m.status,
        test_ids: m.test_ids.map(|v| read("run test ids", v)).transpose()?,
        profile: m.profile,
        passed: m.passed,
        failed: m.failed,
        results: m
            .results
            .map(|v| read("run results", v))
            .transpose()?
            .unwrap_or_default(),
        cost_usd: m.cost_usd,
        error: m.error,
        started_at: m.started_at,
        finished_at: m.finished_at,
    })
}

impl OrgScope<'_> {
    /// Every agent test, oldest first (the order they were written in).
    pub async fn agent_tests(&self) -> Result<Vec<AgentTest>> {
        agent_test::Entity::find()
            .filter(agent_test::Column::OrgId.eq(self.org_id))
            .order_by_asc(agent_test::Column::CreatedAt)
            .order_by_asc(agent_test::Column::Id)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(test_of)
            .collect()
    }

    pub async fn create_agent_test(&self, case: &AgentTestCase) -> Result<AgentTest> {
        let at = now();
        let row = agent_test::Model {
            id: new_id(),
            org_id: self.org_id,
            name: case.name.clone(),
            turns: json(&case.turns),
            expect: json(&case.expect),
            created_at: at,
            updated_at: at,
        };
        agent_test::Entity::insert(agent_test::ActiveModel::from(row.clone()))
            .exec_without_returning(&self.store.db)
            .await?;
        test_of(row)
    }

    pub async fn update_agent_test(&self, id: Uuid, case: &AgentTestCase) -> Result<AgentTest> {
        let row = agent_test::Entity::find()
            .filter(agent_test::Column::OrgId.eq(self.org_id))
            .filter(agent_test::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut update = agent_test::ActiveModel::from(row);
        update.name = Set(case.name.clone());
        update.turns = Set(json(&case.turns));
        update.expect = Set(json(&case.expect));
        update.updated_at = Set(now());
        test_of(update.update(&self.store.db).await?)
    }

    pub async fn delete_agent_test(&self, id: Uuid) -> Result<()> {
        let r = agent_test::Entity::delete_many()
            .filter(agent_test::Column::OrgId.eq(self.org_id))
            .filter(agent_test::Column::Id.eq(id))
            .exec(&self.store.db)
            .await?;
        if r.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a run (`running`) and queues the job that plays it.
    pub async fn start_agent_test_run(
        &self,
        actor: &Actor,
        test_ids: Option<&[Uuid]>,
        profile: Option<Value>,
    ) -> Result<AgentTestRun> {
        let txn = self.store.begin_write().await?;
        let row = agent_test_run::Model {
            id: new_id(),
            org_id: self.org_id,
            status: AgentTestRunStatus::Running,
            test_ids: test_ids.map(json),
            profile,
            passed: 0,
            failed: 0,
            results: None,
            cost_usd: 0.0,
            error: None,
            created_by: Some(actor.user_id),
            started_at: now(),
            finished_at: None,
        };
        agent_test_run::Entity::insert(agent_test_run::ActiveModel::from(row.clone()))
            .exec_without_returning(&*txn)
            .await?;
        let job = JobPayload::AgentTestRun { run_id: row.id };
        jobs::enqueue(&*txn, self.org_id, job, None, now()).await?;
        txn.commit().await?;
        run_of(row)
    }

    /// The latest runs, newest first.
    pub async fn agent_test_runs(&self) -> Result<Vec<AgentTestRun>> {
        agent_test_run::Entity::find()
            .filter(agent_test_run::Column::OrgId.eq(self.org_id))
            .order_by_desc(agent_test_run::Column::StartedAt)
            .limit(RUNS_LISTED)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(run_of)
            .collect()
    }

    pub async fn agent_test_run(&self, id: Uuid) -> Result<AgentTestRun> {
        let row = agent_test_run::Entity::find()
            .filter(agent_test_run::Column::OrgId.eq(self.org_id))
            .filter(agent_test_run::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        run_of(row)
    }

    /// The finished run before `run` (to say what changed since), if any.
    pub async fn agent_test_run_before(&self, run: &AgentTestRun) -> Result<Option<AgentTestRun>> {
        agent_test_run::Entity::find()
            .filter(agent_test_run::Column::OrgId.eq(self.org_id))
            .filter(agent_test_run::Column::Status.eq(AgentTestRunStatus::Done))
            .filter(agent_test_run::Column::StartedAt.lt(run.started_at))
            .order_by_desc(agent_test_run::Column::StartedAt)
            .one(&self.store.db)
            .await?
            .map(run_of)
            .transpose()
    }

    /// The run's results: `done`. Only a running run is finished (a retried job whose first
    /// attempt got there changes nothing).
    pub async fn finish_agent_test_run(
        &self,
        id: Uuid,
        results: &[TestResult],
        cost_usd: f64,
    ) -> Result<()> {
        let passed = results.iter().filter(|r| r.passed).count();
        let update = agent_test_run::ActiveModel {
            status: Set(AgentTestRunStatus::Done),
            passed: Set(passed as i32),
            failed: Set((results.len() - passed) as i32),
            results: Set(Some(json(&results))),
            cost_usd: Set(cost_usd),
            finished_at: Set(Some(now())),
            ..Default::default()
        };
        self.settle_run(id, update).await
    }

    /// The run could not finish: `failed` with the reason.
    pub async fn fail_agent_test_run(&self, id: Uuid, error: &str) -> Result<()> {
        let update = agent_test_run::ActiveModel {
            status: Set(AgentTestRunStatus::Failed),
            error: Set(Some(error.to_owned())),
            finished_at: Set(Some(now())),
            ..Default::default()
        };
        self.settle_run(id, update).await
    }

    async fn settle_run(&self, id: Uuid, update: agent_test_run::ActiveModel) -> Result<()> {
        agent_test_run::Entity::update_many()
            .set(update)
            .filter(agent_test_run::Column::OrgId.eq(self.org_id))
            .filter(agent_test_run::Column::Id.eq(id))
            .filter(agent_test_run::Column::Status.eq(AgentTestRunStatus::Running))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }
}
