use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub contact_id: Uuid,
    pub channel: String,
    pub mode: String,
    pub stage: String,
    pub needs_human: bool,
    pub priority: Option<String>,
    pub intent: Option<String>,
    pub assigned_user_id: Option<Uuid>,
    pub unread_count: i32,
    pub window_open_until: Option<DateTimeUtc>,
    pub last_message_at: Option<DateTimeUtc>,
    pub last_message_text: Option<String>,
    pub last_message_direction: Option<String>,
    pub last_message_author: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
