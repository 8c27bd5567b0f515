use closer_domain::messaging::{NumberStatus, QualityRating};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "whatsapp_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub phone_number_id: String,
    pub waba_id: String,
    pub display_phone_number: Option<String>,
    pub access_token: String,
    pub app_secret: String,
    pub verify_token: String,
    pub status: NumberStatus,
    pub quality_rating: Option<QualityRating>,
    pub messaging_limit: Option<String>,
    pub last_webhook_at: Option<DateTimeUtc>,
    pub quality_event: Option<String>,
    pub account_event: Option<String>,
    pub restrictions: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
