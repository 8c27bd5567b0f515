use closer_domain::pipeline::MoveActor;
use sea_orm::entity::prelude::*;

/// A lead's place on the board: one row per lead.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pipeline_cards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub contact_id: Uuid,
    pub org_id: Uuid,
    pub stage_id: Uuid,
    /// Order in the column, lower = higher up; sparse (see `closer_domain::pipeline::RANK_GAP`).
    pub rank: i64,
    pub entered_at: DateTimeUtc,
    /// Who made the last move.
    pub moved_by: MoveActor,
    /// The conversation's stage when that move was made (the agent's rule reads it).
    pub moved_at_conversation_stage: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
