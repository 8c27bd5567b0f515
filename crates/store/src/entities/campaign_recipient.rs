use closer_domain::campaigns::{RecipientReason, RecipientStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_recipients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub campaign_id: Uuid,
    pub lead_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub status: RecipientStatus,
    pub reason: Option<RecipientReason>,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    pub attempts: i32,
    /// Marketing-cap (131049) retries made.
    pub cap_retries: i32,
    pub due_at: DateTimeUtc,
    pub retry_at: Option<DateTimeUtc>,
    /// A claim (`sending`) is ours until then; past it, it is never sent again.
    pub lease_until: Option<DateTimeUtc>,
    pub message_id: Option<Uuid>,
    pub provider_message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub read_at: Option<DateTimeUtc>,
    pub replied_at: Option<DateTimeUtc>,
    pub failed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
