use closer_domain::notify::{DeliveryState, NotificationChannel};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    /// Unique in the organisation: `{notification}:email`, `{notification}:push:{subscription}`,
    /// `reset:{id}`, `invite:{id}`.
    pub idempotency_key: String,
    pub channel: NotificationChannel,
    pub notification_id: Option<Uuid>,
    /// An email address, or a push subscription's id.
    pub recipient: String,
    pub subject: String,
    /// The text, sealed with the secret box (a reset or invite link is a secret).
    pub body: String,
    pub state: DeliveryState,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
