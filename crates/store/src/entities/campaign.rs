use closer_domain::campaigns::{CampaignStatus, PausedReason};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub name: String,
    pub status: CampaignStatus,
    pub template_id: Option<Uuid>,
    pub variables: Option<Json>,
    pub audience: Option<Json>,
    pub schedule: Option<Json>,
    pub pacing: Option<Json>,
    pub retry: Option<Json>,
    pub sequence_id: Option<Uuid>,
    pub paused_reason: Option<PausedReason>,
    /// Template errors (1320xx) in a row; ten pause the campaign.
    pub template_error_streak: i32,
    /// The campaign's own pace: the earliest time (ms) its next send may go.
    pub next_slot_ms: i64,
    /// Who was left out at start, by reason: `{reason: n}`.
    pub excluded: Option<Json>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub paused_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
