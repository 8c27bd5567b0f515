use closer_domain::calendar::{EventKind, EventStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    /// Null for a meeting a person set up on a lead who has no conversation.
    pub conversation_id: Option<Uuid>,
    pub contact_id: Uuid,
    /// The booking action it came from, which follows it (resolved when done or cancelled).
    pub action_id: Option<Uuid>,
    pub kind: EventKind,
    pub status: EventStatus,
    pub title: String,
    /// Null while the time is to be agreed with the lead.
    pub start_at: Option<DateTimeUtc>,
    pub end_at: Option<DateTimeUtc>,
    /// The member who set it up by hand; null when the agent booked it.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
