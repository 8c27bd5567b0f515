use closer_domain::automation::{AutomationEvent, CancelOn};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "automations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub enabled: bool,
    pub event: AutomationEvent,
    pub event_params: Option<Json>,
    pub conditions: Option<Json>,
    pub actions: Option<Json>,
    pub delay_seconds: i32,
    pub cancel_on: CancelOn,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
