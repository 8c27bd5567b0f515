use closer_domain::sales::{CtaType, EscalationPriority};
use closer_domain::work::{ActionKind, ActionStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub kind: ActionKind,
    pub cta_type: Option<CtaType>,
    /// Always set since m0018 (older rows were given their kind's priority).
    pub priority: EscalationPriority,
    /// The priority's rank (`EscalationPriority::rank`): the queue sorts on it.
    pub urgency: i32,
    pub title: String,
    pub details: Option<Json>,
    pub status: ActionStatus,
    /// A booking's start.
    pub due_at: Option<DateTimeUtc>,
    pub claimed_by: Option<Uuid>,
    pub claimed_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub outcome: Option<String>,
    pub snoozed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
