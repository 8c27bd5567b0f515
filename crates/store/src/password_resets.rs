//! Password reset by email: a single-use token, stored only as its hash, that expires; using
//! it sets the new password and ends every session of the member.

use crate::entities::{password_reset, session, user};
use crate::error::Result;
use crate::events::Revocation;
use crate::{Store, User, audit, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::EmailAddress;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// A reset asked for an active member.
#[derive(Debug, Clone)]
pub struct ResetStarted {
    pub id: Uuid,
    pub user: User,
}

impl Store {
    /// Records a reset for the active member with this email; `None` when there is none
    /// (the caller answers the same either way, so nobody learns who has an account).
    pub async fn start_password_reset(
        &self,
        email: &EmailAddress,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Option<ResetStarted>> {
        let Some((user, _)) = self.find_login(email).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        let id = new_id();
        password_reset::Entity::insert(password_reset::ActiveModel {
            id: Set(id),
            org_id: Set(user.org_id),
            user_id: Set(user.id),
            token_hash: Set(token_hash.to_owned()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            created_at: Set(now()),
        })
        .exec_without_returning(&self.db)
        .await?;
        Ok(Some(ResetStarted { id, user }))
    }

    /// Uses a reset token: the new password is set, the token and every other of the member's
    /// unused ones are spent, and every session ends. `None` for an unknown, used or expired
    /// token.
    pub async fn finish_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> Result<Option<Uuid>> {
        let at = now();
        let txn = self.begin_write().await?;
        let Some(reset) = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(token_hash))
            .filter(password_reset::Column::UsedAt.is_null())
            .filter(password_reset::Column::ExpiresAt.gt(at))
            .one(&*txn)
            .await?
        else {
            return Ok(None);
        };
        let spent = password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(at))
            .filter(password_reset::Column::OrgId.eq(reset.org_id))
            .filter(password_reset::Column::UserId.eq(reset.user_id))
            .filter(password_reset::Column::UsedAt.is_null())
            .exec(&*txn)
            .await?;
        if spent.rows_affected == 0 {
            return Ok(None);
        }
        let changed = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(user::Column::UpdatedAt, Expr::value(at))
            .filter(user::Column::OrgId.eq(reset.org_id))
            .filter(user::Column::Id.eq(reset.user_id))
            .filter(user::Column::Active.eq(true))
            .exec(&*txn)
            .await?;
        if changed.rows_affected == 0 {
            return Ok(None);
        }
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(at))
            .filter(session::Column::OrgId.eq(reset.org_id))
            .filter(session::Column::UserId.eq(reset.user_id))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            reset.org_id,
            None,
            "auth.password_reset",
            format!("user:{}", reset.user_id),
            json!({ "reset_id": reset.id }),
        )
        .await?;
        txn.commit().await?;
        self.publish_revocation(Revocation::User {
            org_id: reset.org_id,
            user_id: reset.user_id,
        })
        .await;
        Ok(Some(reset.user_id))
    }

    /// The installation's own secret named `name` (the VAPID key pair), made by `generate`
    /// the first time and sealed; replicas starting together keep the first one written.
    pub async fn installation_key(
        &self,
        name: &str,
        generate: impl FnOnce() -> String,
    ) -> Result<String> {
        use crate::entities::installation_key;
        let sb = self.secret_box()?;
        let open = |sealed: &str| {
            sb.open(sealed)
                .map_err(|e| crate::StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))
        };
        if let Some(k) = installation_key::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await?
        {
            return open(&k.value);
        }
        installation_key::Entity::insert(installation_key::ActiveModel {
            name: Set(name.to_owned()),
            value: Set(sb.seal(&generate())),
            created_at: Set(now()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(installation_key::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        let k = installation_key::Entity::find_by_id(name.to_owned())
            .one(&self.db)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        open(&k.value)
    }
}
