//! One person on the opt-out (and suppression) list (m0015): keyed hashes of their phone and
//! WhatsApp id, never the numbers themselves.

use closer_domain::compliance::OptOutSource;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "opt_outs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    /// The newest lead of this person; gone when that lead was deleted.
    pub contact_id: Option<Uuid>,
    pub phone_hash: Option<String>,
    pub bsuid_hash: Option<String>,
    pub source: OptOutSource,
    pub reason: Option<String>,
    pub by_user_id: Option<Uuid>,
    /// The lead's message that said stop.
    pub message_id: Option<Uuid>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
