//! The audit log: who did what to which thing, written in the same transaction as the change.

use crate::entities::audit_log;
use crate::error::Result;
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use closer_domain::Role;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

/// The signed-in member performing an action.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub target: String,
    pub details: Value,
    pub at: DateTime<Utc>,
}

pub(crate) async fn record(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    actor: Option<&Actor>,
    action: &str,
    target: String,
    details: Value,
) -> Result<()> {
    let entry = audit_log::ActiveModel {
        id: Set(crate::new_id()),
        org_id: Set(org_id),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_name: Set(actor.map(|a| a.name.clone())),
        actor_email: Set(actor.map(|a| a.email.clone())),
        action: Set(action.to_owned()),
        target: Set(target),
        details: Set(details),
        at: Set(crate::now()),
    };
    audit_log::Entity::insert(entry)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

impl OrgScope<'_> {
    /// Records an action that changed nothing in the tables (sign-in, sign-out).
    pub async fn record(
        &self,
        actor: &Actor,
        action: &str,
        target: String,
        details: Value,
    ) -> Result<()> {
        record(
            &self.store.db,
            self.org_id,
            Some(actor),
            action,
            target,
            details,
        )
        .await
    }

    /// Newest first.
    pub async fn audit_log(&self, page: PageRequest) -> Result<Page<AuditEntry>> {
        let query = audit_log::Entity::find().filter(audit_log::Column::OrgId.eq(self.org_id));
        let convert = |m: audit_log::Model| AuditEntry {
            id: m.id,
            actor_id: m.actor_id,
            actor_name: m.actor_name,
            actor_email: m.actor_email,
            action: m.action,
            target: m.target,
            details: m.details,
            at: m.at,
        };
        let page = page::fetch(
            &self.store.db,
            query,
            audit_log::Column::Id,
            Order::NewestFirst,
            page,
            convert,
            |e| e.id,
        );
        Ok(page.await?)
    }
}
