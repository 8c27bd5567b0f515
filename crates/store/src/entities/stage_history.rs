use closer_domain::pipeline::MoveActor;
use sea_orm::entity::prelude::*;

/// One move of a lead between stages.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub contact_id: Uuid,
    pub from_stage_id: Option<Uuid>,
    pub from_stage_name: Option<String>,
    pub to_stage_id: Uuid,
    pub to_stage_name: String,
    pub actor: MoveActor,
    /// The member (user), or the agent's decision (ai).
    pub actor_id: Option<Uuid>,
    pub reason: Option<String>,
    pub evidence_message_id: Option<Uuid>,
    pub seconds_in_from_stage: Option<i64>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
