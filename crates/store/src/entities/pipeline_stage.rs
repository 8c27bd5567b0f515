use closer_domain::pipeline::StageKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pipeline_stages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    /// `name` lowercased: unique per organisation.
    pub name_folded: String,
    /// 0 = the first column.
    pub position: i32,
    pub kind: StageKind,
    /// `#rrggbb`.
    pub color: String,
    /// The conversation stages that move a lead here (`["cta_offered", …]`).
    pub conversation_stages: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
