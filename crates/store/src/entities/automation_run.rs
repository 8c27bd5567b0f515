use closer_domain::automation::{AutomationEvent, RunReason, RunStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "automation_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub rule_id: Uuid,
    pub event: AutomationEvent,
    /// The activity-log entry that fired the rule: one run per rule and entry.
    pub trigger_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub lead_id: Option<Uuid>,
    pub status: RunStatus,
    pub reason: Option<RunReason>,
    pub conditions: Option<Json>,
    pub actions: Option<Json>,
    pub event_at: DateTimeUtc,
    pub due_at: Option<DateTimeUtc>,
    pub executed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
