//! The agent's decisions on a conversation, as the inbox shows them.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Member, parse_id};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use closer_domain::agent::{DecisionEngine, GuardAction, Trigger};
use closer_domain::messaging::{DeliveryStatus, MessageType};
use closer_domain::sales::{CtaType, EscalationPriority, ReasonCode};
use closer_store::agent_runs::DecisionItem;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct DecisionView {
    pub id: Uuid,
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
    pub prompt_tokens: i32,
    pub cost_usd: f64,
    /// What each guardrail did to the draft, in the order they ran.
    pub guardrails: Vec<GuardrailView>,
    pub handoff_required: bool,
    pub handoff_priority: Option<EscalationPriority>,
    pub handoff: Option<Value>,
    /// The reply's delivery status; null when nothing was sent.
    pub send_status: Option<DeliveryStatus>,
    pub message_id: Option<Uuid>,
    pub error: Option<String>,
    pub latency_ms: i32,
    pub created_at: DateTime<Utc>,
}

/// One guardrail's verdict on a draft reply.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct GuardrailView {
    pub rule: String,
    pub action: GuardAction,
    #[serde(default)]
    pub detail: String,
}

impl TryFrom<DecisionItem> for DecisionView {
    type Error = ApiError;

    fn try_from(d: DecisionItem) -> ApiResult<Self> {
        let r = d.row;
        let guardrails = match r.guardrails {
            Some(g) => serde_json::from_value(g).map_err(|e| {
                ApiError::Internal(anyhow::anyhow!(
                    "decision {} guardrails unreadable: {e}",
                    r.id
                ))
            })?,
            None => vec![],
        };
        Ok(DecisionView {
            id: r.id,
            trigger: r.trigger,
            engine: r.engine,
            should_send: r.should_send,
            message_type: r.message_type,
            reason_code: r.reason_code,
            cta_type: r.cta_type,
            message_text: r.message_text,
            confidence: r.confidence,
            retrieval_used: r.retrieval_used,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            prompt_tokens: r.prompt_tokens,
            cost_usd: r.cost_usd,
            guardrails,
            handoff_required: r.handoff_required,
            handoff_priority: r.handoff_priority,
            handoff: r.handoff,
            send_status: d.send_status,
            message_id: r.message_id,
            error: r.error,
            latency_ms: r.latency_ms,
            created_at: r.created_at,
        })
    }
}

/// The agent's decisions on a conversation, newest first.
#[utoipa::path(get, path = "/conversations/{id}/decisions", tag = "agent", params(ListParams,
    ("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = List<DecisionView>), (status = 404, body = ErrorBody)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<List<DecisionView>>> {
    let page = p.page()?;
    let items = state
        .store
        .org(member.org_id())
        .decisions(parse_id(&id)?, page)
        .await?;
    Ok(Json(List {
        items: items
            .items
            .into_iter()
            .map(DecisionView::try_from)
            .collect::<ApiResult<_>>()?,
        next_cursor: items.next_cursor,
    }))
}
