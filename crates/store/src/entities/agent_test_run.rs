//! One run of the agent tests (m0028) and its per-case results.

use closer_domain::agent_tests::AgentTestRunStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_test_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub status: AgentTestRunStatus,
    /// The cases asked for; none means every case the organisation has.
    pub test_ids: Option<Json>,
    /// The draft documents and mode to test instead of the saved profile.
    pub profile: Option<Json>,
    pub passed: i32,
    pub failed: i32,
    pub results: Option<Json>,
    pub cost_usd: f64,
    pub error: Option<String>,
    pub created_by: Option<Uuid>,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
