use closer_domain::agent::{DecisionEngine, Trigger};
use closer_domain::messaging::MessageType;
use closer_domain::sales::{CtaType, EscalationPriority, ReasonCode};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub trigger: Trigger,
    pub engine: DecisionEngine,
    pub should_send: bool,
    pub message_type: MessageType,
    pub reason_code: ReasonCode,
    pub cta_type: Option<CtaType>,
    pub message_text: Option<String>,
    pub confidence: f64,
    pub retrieval_used: bool,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub cost_usd: f64,
    pub prompt_tokens: i32,
    pub guardrails: Option<Json>,
    pub handoff_required: bool,
    pub handoff_priority: Option<EscalationPriority>,
    pub handoff: Option<Json>,
    pub state_after: Option<Json>,
    pub message_id: Option<Uuid>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
