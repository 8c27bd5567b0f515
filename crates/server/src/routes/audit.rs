//! The audit log of every mutating action.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Manager};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use closer_store::AuditEntry;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct AuditActor {
    pub id: Option<Uuid>,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditLogView {
    pub id: Uuid,
    /// Who did it, as they were named at the time; null for the system.
    pub actor: Option<AuditActor>,
    /// What was done, e.g. `user.updated`, `invite.created`, `org.updated`.
    pub action: String,
    /// What it was done to, as `kind:id`.
    pub target: String,
    pub at: DateTime<Utc>,
    /// The change, e.g. `{"role": {"from": "agent", "to": "admin"}}`.
    pub details: Value,
}

impl From<AuditEntry> for AuditLogView {
    fn from(e: AuditEntry) -> Self {
        let actor = (e.actor_id.is_some() || e.actor_name.is_some()).then_some(AuditActor {
            id: e.actor_id,
            name: e.actor_name,
            email: e.actor_email,
        });
        AuditLogView {
            id: e.id,
            actor,
            action: e.action,
            target: e.target,
            at: e.at,
            details: e.details,
        }
    }
}

/// Newest first (owner or admin).
#[utoipa::path(get, path = "/audit-logs", tag = "organisation", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = List<AuditLogView>), (status = 403, body = ErrorBody)))]
pub async fn list_audit_logs(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<List<AuditLogView>>> {
    let page = state
        .store
        .org(member.org_id())
        .audit_log(params.page()?)
        .await?;
    Ok(Json(List::from_page(page, AuditLogView::from)))
}
