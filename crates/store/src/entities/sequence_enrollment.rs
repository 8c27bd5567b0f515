//! One lead's way through a sequence (m0026). `step` is the index of the next step to go
//! (= the steps handled so far); its `sequence_step` job names that index, so a late or
//! repeated job finds the row moved on and does nothing.

use closer_domain::sequences::{EnrollSource, EnrollmentStatus, StepSkip, StopReason};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sequence_enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub sequence_id: Uuid,
    pub lead_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub status: EnrollmentStatus,
    pub step: i32,
    pub next_step_at: Option<DateTimeUtc>,
    pub stop_reason: Option<StopReason>,
    /// Copied from the sequence at enrolment, so the inbound path stops on a reply with one
    /// UPDATE that reads no other table but conversations.
    pub stop_on_reply: bool,
    pub source: EnrollSource,
    pub job_id: Option<Uuid>,
    pub last_message_id: Option<Uuid>,
    pub last_skip: Option<StepSkip>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
