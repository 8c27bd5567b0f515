//! The organisation's phone country (m0012) and currency (m0017) on their own, so reading phones does not load (or
//! change the shape of) the whole organisation row.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub timezone: Option<String>,
    pub default_country: Option<String>,
    /// ISO 4217 (m0017); null = the country's currency.
    pub currency: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
