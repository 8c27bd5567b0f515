use closer_domain::messaging::{Author, DeliveryStatus, Direction, MessageType};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub direction: Direction,
    pub author: Author,
    pub kind: MessageType,
    pub text: Option<String>,
    pub media: Option<Json>,
    pub provider_message_id: Option<String>,
    pub reply_to: Option<String>,
    pub status: DeliveryStatus,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    pub sent_by: Option<Uuid>,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub send_attempt: Option<i32>,
    pub ready_at: Option<DateTimeUtc>,
    /// Meta's `pricing` from the message's status webhooks.
    pub pricing: Option<Json>,
    /// What the rate card said the message cost when Meta reported its pricing.
    pub cost_amount: Option<f64>,
    pub cost_currency: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
