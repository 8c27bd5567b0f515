//! A member's own sessions: the list of where they are signed in, and signing one or all
//! the others out. Every revocation is audit-logged and closes the sockets it opened.

use crate::accounts::{AuthSession, SessionInfo};
use crate::audit;
use crate::entities::session;
use crate::error::{Result, StoreError};
use crate::events::Revocation;
use crate::now;
use crate::team::OrgScope;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

impl OrgScope<'_> {
    /// A member's live sessions, most recently used first.
    pub async fn live_sessions(&self, user_id: Uuid) -> Result<Vec<SessionInfo>> {
        let at = now();
        let rows = session::Entity::find()
            .filter(session::Column::OrgId.eq(self.org_id))
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(at))
            .order_by_desc(session::Column::LastSeenAt)
            .order_by_desc(session::Column::Id)
            .all(&self.store.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| SessionInfo {
                id: m.id,
                device: m.device,
                ip: m.ip,
                created_at: m.created_at,
                last_seen_at: m.last_seen_at.unwrap_or(m.created_at),
            })
            .collect())
    }

    /// Signs out one of the caller's own sessions; anyone else's is not found.
    pub async fn revoke_own_session(&self, by: &AuthSession, session_id: Uuid) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let res = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(now()))
            .filter(session::Column::OrgId.eq(self.org_id))
            .filter(session::Column::UserId.eq(by.user.id))
            .filter(session::Column::Id.eq(session_id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &txn,
            self.org_id,
            Some(&by.user.as_actor()),
            "auth.session_revoked",
            format!("session:{session_id}"),
            json!({ "current": session_id == by.session_id }),
        )
        .await?;
        txn.commit().await?;
        self.store
            .publish_revocation(Revocation::Session {
                org_id: self.org_id,
                session_id,
            })
            .await;
        Ok(())
    }

    /// Signs out every session of the caller but this one; answers how many ended.
    pub async fn revoke_other_sessions(&self, by: &AuthSession) -> Result<Vec<Uuid>> {
        let txn = self.store.begin_write().await?;
        let others: Vec<Uuid> = session::Entity::find()
            .filter(session::Column::OrgId.eq(self.org_id))
            .filter(session::Column::UserId.eq(by.user.id))
            .filter(session::Column::Id.ne(by.session_id))
            .filter(session::Column::RevokedAt.is_null())
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        if !others.is_empty() {
            session::Entity::update_many()
                .col_expr(session::Column::RevokedAt, Expr::value(now()))
                .filter(session::Column::OrgId.eq(self.org_id))
                .filter(session::Column::Id.is_in(others.clone()))
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            self.org_id,
            Some(&by.user.as_actor()),
            "auth.other_sessions_revoked",
            format!("user:{}", by.user.id),
            json!({ "count": others.len() }),
        )
        .await?;
        txn.commit().await?;
        for session_id in &others {
            self.store
                .publish_revocation(Revocation::Session {
                    org_id: self.org_id,
                    session_id: *session_id,
                })
                .await;
        }
        Ok(others)
    }
}
