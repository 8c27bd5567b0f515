//! Saved views of the leads list: a filter document, search text and sort with a name.
//! A private view is its creator's alone (others get "not found"); a shared one is seen by
//! the whole organisation and changed by its creator or an owner/admin.

use crate::audit::{self, Actor};
use crate::entities::saved_view;
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub id: Uuid,
    pub name: String,
    /// The filter document as written (checked when saved and again when used).
    pub filter: Value,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub shared: bool,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A view as written; values are checked by the caller.
#[derive(Debug, Clone)]
pub struct ViewInput {
    pub name: String,
    pub filter: Value,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub shared: bool,
}

fn record(m: saved_view::Model) -> SavedView {
    SavedView {
        id: m.id,
        name: m.name,
        filter: m.filter.unwrap_or_else(|| json!([])),
        q: m.q,
        sort: m.sort,
        shared: m.shared,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

impl OrgScope<'_> {
    fn visible_to(&self, user_id: Uuid) -> Condition {
        Condition::all()
            .add(saved_view::Column::OrgId.eq(self.org_id))
            .add(
                Condition::any()
                    .add(saved_view::Column::Shared.eq(true))
                    .add(saved_view::Column::CreatedBy.eq(user_id)),
            )
    }

    /// The views `user_id` sees: the shared ones and their own, by name.
    pub async fn views(&self, user_id: Uuid) -> Result<Vec<SavedView>> {
        Ok(saved_view::Entity::find()
            .filter(self.visible_to(user_id))
            .order_by_asc(saved_view::Column::Name)
            .order_by_asc(saved_view::Column::Id)
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    /// A view `user_id` may see; another member's private view is not found.
    pub async fn view(&self, user_id: Uuid, id: Uuid) -> Result<SavedView> {
        saved_view::Entity::find()
            .filter(self.visible_to(user_id))
            .filter(saved_view::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .map(record)
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_view(&self, actor: &Actor, v: ViewInput) -> Result<SavedView> {
        let at = now();
        let txn = self.store.begin_write().await?;
        let m = saved_view::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            name: Set(v.name),
            filter: Set(Some(v.filter)),
            q: Set(v.q),
            sort: Set(v.sort),
            shared: Set(v.shared),
            created_by: Set(actor.user_id),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&*txn)
        .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "view.created",
            format!("view:{}", m.id),
            json!({ "name": m.name, "shared": m.shared }),
        )
        .await?;
        txn.commit().await?;
        Ok(record(m))
    }

    /// A shared view is changed by its creator or an owner/admin; a private one by its
    /// creator only (others do not see it).
    async fn may_change(&self, actor: &Actor, id: Uuid) -> Result<SavedView> {
        let v = self.view(actor.user_id, id).await?;
        if v.created_by != actor.user_id && !actor.role.can_manage_org() {
            return Err(StoreError::Forbidden(
                "only its creator or an owner/admin may change a shared view",
            ));
        }
        Ok(v)
    }

    pub async fn update_view(&self, actor: &Actor, id: Uuid, v: ViewInput) -> Result<SavedView> {
        let current = self.may_change(actor, id).await?;
        let txn = self.store.begin_write().await?;
        let m = saved_view::ActiveModel {
            id: Set(current.id),
            name: Set(v.name),
            filter: Set(Some(v.filter)),
            q: Set(v.q),
            sort: Set(v.sort),
            shared: Set(v.shared),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&*txn)
        .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "view.updated",
            format!("view:{id}"),
            json!({ "name": m.name, "shared": m.shared }),
        )
        .await?;
        txn.commit().await?;
        Ok(record(m))
    }

    pub async fn delete_view(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let current = self.may_change(actor, id).await?;
        let txn = self.store.begin_write().await?;
        saved_view::Entity::delete_many()
            .filter(saved_view::Column::OrgId.eq(self.org_id))
            .filter(saved_view::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "view.deleted",
            format!("view:{id}"),
            json!({ "name": current.name }),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
