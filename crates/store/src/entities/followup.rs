use closer_domain::followup::{FollowupKind, FollowupReason, FollowupStatus, FollowupStatusReason};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "followups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub contact_id: Uuid,
    pub kind: FollowupKind,
    pub step: i32,
    pub due_at: DateTimeUtc,
    pub status: FollowupStatus,
    pub reason: FollowupReason,
    pub status_reason: Option<FollowupStatusReason>,
    pub template_id: Option<Uuid>,
    pub template_name: Option<String>,
    pub message_id: Option<Uuid>,
    pub decision_id: Option<Uuid>,
    pub job_id: Option<Uuid>,
    /// A person pressed "send now": the timing rules (quiet hours) no longer apply.
    pub forced: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
