//! The jobs table: delayed work (agent runs, sends, follow-ups) that survives restarts and is
//! shared by every replica.

use crate::entities::job;
use crate::error::Result;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// Adds a pending job, inside the caller's transaction so the job exists exactly when the
/// change that asked for it does.
pub(crate) async fn enqueue(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    kind: &str,
    conversation_id: Option<Uuid>,
    payload: Option<Value>,
    run_at: DateTime<Utc>,
) -> Result<Uuid> {
    let id = new_id();
    job::Entity::insert(job::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        kind: Set(kind.into()),
        conversation_id: Set(conversation_id),
        payload: Set(payload),
        status: Set("pending".into()),
        run_at: Set(run_at),
        attempts: Set(0),
        max_attempts: Set(DEFAULT_MAX_ATTEMPTS),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}
