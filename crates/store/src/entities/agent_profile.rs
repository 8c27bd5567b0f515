use closer_domain::agent::EngineMode;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agent_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub version: i32,
    pub mode: EngineMode,
    pub business_config: Option<Json>,
    pub sales_rules: Option<Json>,
    pub tone_profile: Option<Json>,
    pub guardrails: Option<Json>,
    pub script_library: Option<Json>,
    pub changed: Option<Json>,
    pub rolled_back_from: Option<i32>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
