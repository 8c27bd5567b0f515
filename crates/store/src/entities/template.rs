use closer_domain::messaging::QualityRating;
use closer_domain::send_policy::TemplateCategory;
use closer_domain::templates::{ParameterFormat, TemplateStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub language: String,
    pub category: TemplateCategory,
    pub parameter_format: ParameterFormat,
    /// The whole `TemplateContent` (header, body, footer, buttons and the fields above).
    pub content: Json,
    pub variables: Option<Json>,
    pub status: TemplateStatus,
    pub rejected_reason: Option<String>,
    pub status_detail: Option<String>,
    pub quality: Option<QualityRating>,
    pub provider_id: Option<String>,
    pub paused_until: Option<DateTimeUtc>,
    pub history: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
