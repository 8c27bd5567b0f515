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
    pub priority: Option<EscalationPriority>,
    pub title: String,
    pub details: Option<Json>,
    pub status: ActionStatus,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
