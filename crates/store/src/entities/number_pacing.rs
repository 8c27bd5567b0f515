use sea_orm::entity::prelude::*;

/// One WhatsApp number's pace, shared by every replica (see `closer_domain::campaigns::NumberPace`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "number_pacing")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub next_slot_ms: i64,
    pub rate: i32,
    pub max_rate: i32,
    pub paused_until_ms: i64,
    pub backoff_ms: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
