use closer_domain::notify::SmtpTls;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "email_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: Uuid,
    pub smtp_host: String,
    pub smtp_port: i32,
    pub username: Option<String>,
    /// Sealed with the secret box; never shown again.
    pub password: Option<String>,
    pub from_address: String,
    pub tls: SmtpTls,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
