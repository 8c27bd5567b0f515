//! Canned replies: the organisation's saved answers, each under a shortcut unique in it.

use crate::entities::canned_reply;
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use crate::{Actor, new_id, now};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub use canned_reply::Model as CannedReply;

fn taken(e: sea_orm::DbErr) -> StoreError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => StoreError::ShortcutExists,
        _ => StoreError::Db(e),
    }
}

impl OrgScope<'_> {
    /// Every canned reply, by shortcut.
    pub async fn canned_replies(&self) -> Result<Vec<CannedReply>> {
        Ok(canned_reply::Entity::find()
            .filter(canned_reply::Column::OrgId.eq(self.org_id))
            .order_by_asc(canned_reply::Column::Shortcut)
            .all(&self.store.db)
            .await?)
    }

    /// A new canned reply; `ShortcutExists` when the shortcut is taken (checked by the
    /// unique index, so two at once cannot both win).
    pub async fn create_canned_reply(
        &self,
        actor: &Actor,
        shortcut: &str,
        text: &str,
    ) -> Result<CannedReply> {
        let at = now();
        let row = CannedReply {
            id: new_id(),
            org_id: self.org_id,
            shortcut: shortcut.to_owned(),
            text: text.to_owned(),
            created_by: Some(actor.user_id),
            created_at: at,
            updated_at: at,
        };
        canned_reply::Entity::insert(canned_reply::ActiveModel::from(row.clone()))
            .exec_without_returning(&self.store.db)
            .await
            .map_err(taken)?;
        Ok(row)
    }

    pub async fn update_canned_reply(
        &self,
        id: Uuid,
        shortcut: &str,
        text: &str,
    ) -> Result<CannedReply> {
        let row = self.canned_reply_row(id).await?;
        let mut update = canned_reply::ActiveModel::from(row);
        update.shortcut = Set(shortcut.to_owned());
        update.text = Set(text.to_owned());
        update.updated_at = Set(now());
        update.update(&self.store.db).await.map_err(taken)
    }

    pub async fn delete_canned_reply(&self, id: Uuid) -> Result<()> {
        let r = canned_reply::Entity::delete_many()
            .filter(canned_reply::Column::OrgId.eq(self.org_id))
            .filter(canned_reply::Column::Id.eq(id))
            .exec(&self.store.db)
            .await?;
        if r.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn canned_reply_row(&self, id: Uuid) -> Result<CannedReply> {
        canned_reply::Entity::find()
            .filter(canned_reply::Column::OrgId.eq(self.org_id))
            .filter(canned_reply::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)
    }
}
