use closer_domain::messaging::{Author, Channel, ConversationMode, Direction};
use closer_domain::sales::{ConversationStage, EscalationPriority, Intent};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub contact_id: Uuid,
    pub channel: Channel,
    pub mode: ConversationMode,
    pub stage: ConversationStage,
    pub needs_human: bool,
    pub priority: Option<EscalationPriority>,
    pub intent: Option<Intent>,
    pub assigned_user_id: Option<Uuid>,
    pub unread_count: i32,
    pub window_open_until: Option<DateTimeUtc>,
    pub last_message_at: Option<DateTimeUtc>,
    pub last_message_text: Option<String>,
    pub last_message_direction: Option<Direction>,
    pub last_message_author: Option<Author>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The last campaign send to this conversation, `{campaign_id, recipient_id, name,
    /// sent_at, replied_at}` (m0024): a lead's reply within a week is attributed to it.
    pub broadcast: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
