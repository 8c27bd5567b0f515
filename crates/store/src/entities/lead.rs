//! The `contacts` table seen as the CRM's lead, with every column including those the CRM
//! added (m0012). `contact` is the same table as the channel writes it; its inserts leave the
//! CRM's columns at their defaults.

use closer_domain::sales::{LeadSource, LeadStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub phone: Option<String>,
    pub wa_user_id: Option<String>,
    pub name: Option<String>,
    pub profile_name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub language: Option<String>,
    pub lead_status: LeadStatus,
    pub score: i32,
    pub tags: Option<Json>,
    pub notes: Option<String>,
    pub custom_fields: Option<Json>,
    pub lead_source: LeadSource,
    pub campaign: Option<Json>,
    pub opted_out: bool,
    pub opted_out_at: Option<DateTimeUtc>,
    pub marketing_opt_out: bool,
    pub marketing_opt_out_at: Option<DateTimeUtc>,
    pub first_seen_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub business: Option<String>,
    pub website: Option<String>,
    pub owner_id: Option<Uuid>,
    pub value_minor: Option<i64>,
    /// Lead fields a person set (`["name", "custom_fields.budget"]`): the agent's slots never
    /// overwrite them.
    pub person_fields: Option<Json>,
    /// When a member erased the lead's personal data (m0015).
    pub erased_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
