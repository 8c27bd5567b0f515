//! Everything inside one organisation: its details, members, invites. Every method here is
//! reached through `Store::org(org_id)`, so every query carries the organisation.

use crate::accounts::{Org, OrgProfile, User};
use crate::audit::{self, Actor};
use crate::entities::{invite, org, recovery_code, session, user};
use crate::error::{Result, StoreError};
use crate::events::Revocation;
use crate::page::{self, Order, Page, PageRequest};
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::{EmailAddress, OrgName, PersonName, Role};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use uuid::Uuid;

pub struct OrgScope<'a> {
    pub(crate) store: &'a Store,
    pub(crate) org_id: Uuid,
}

#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub role: Option<Role>,
    pub name: Option<PersonName>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Invite {
    pub id: Uuid,
    pub role: Role,
    pub email: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl From<invite::Model> for Invite {
    fn from(m: invite::Model) -> Self {
        Invite {
            id: m.id,
            role: m.role,
            email: m.email,
            created_by: m.created_by,
            created_at: m.created_at,
            expires_at: m.expires_at,
        }
    }
}

/// Takes the organisation's row lock before a team change: a no-op UPDATE gives a row lock on
/// PostgreSQL and the write lock on SQLite, so two admins demoting the last two owners at once
/// are serialised and the last-owner rule holds.
async fn lock_org(txn: &DatabaseTransaction, org_id: Uuid) -> Result<()> {
    let res = org::Entity::update_many()
        .col_expr(org::Column::Name, Expr::col(org::Column::Name))
        .filter(org::Column::Id.eq(org_id))
        .exec(txn)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

async fn other_active_owners(txn: &DatabaseTransaction, org_id: Uuid, except: Uuid) -> Result<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Role.eq(Role::Owner.as_str()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.ne(except))
        .count(txn)
        .await?)
}

fn diff(changes: &mut Map<String, Value>, field: &str, old: &Option<String>, new: &Option<String>) {
    if old != new {
        changes.insert(field.to_owned(), json!({ "from": old, "to": new }));
    }
}

impl OrgScope<'_> {
    pub fn id(&self) -> Uuid {
        self.org_id
    }

    async fn find_user(&self, db: &impl ConnectionTrait, id: Uuid) -> Result<user::Model> {
        user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Members' names by id, to show who did something; ids of no member are left out.
    pub(crate) async fn user_names(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, String>> {
        let ids: Vec<Uuid> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.is_in(ids))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect())
    }

    pub async fn details(&self) -> Result<Org> {
        org::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .map(Org::from)
            .ok_or(StoreError::NotFound)
    }

    pub async fn update_details(
        &self,
        actor: &Actor,
        name: &OrgName,
        p: &OrgProfile,
    ) -> Result<Org> {
        let txn = self.store.begin_write().await?;
        let before: Org = org::Entity::find_by_id(self.org_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?
            .into();
        let updated = org::ActiveModel {
            id: Set(self.org_id),
            name: Set(name.as_str().to_owned()),
            industry: Set(p.industry.clone()),
            website: Set(p.website.clone()),
            timezone: Set(p.timezone.clone()),
            city: Set(p.city.clone()),
            support_email: Set(p.support_email.clone()),
            support_phone: Set(p.support_phone.clone()),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let mut changes = Map::new();
        diff(
            &mut changes,
            "name",
            &Some(before.name.clone()),
            &Some(updated.name.clone()),
        );
        let old = &before.profile;
        diff(&mut changes, "industry", &old.industry, &p.industry);
        diff(&mut changes, "website", &old.website, &p.website);
        diff(&mut changes, "timezone", &old.timezone, &p.timezone);
        diff(&mut changes, "city", &old.city, &p.city);
        diff(
            &mut changes,
            "support_email",
            &old.support_email,
            &p.support_email,
        );
        diff(
            &mut changes,
            "support_phone",
            &old.support_phone,
            &p.support_phone,
        );
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "org.updated",
            format!("org:{}", self.org_id),
            Value::Object(changes),
        )
        .await?;
        txn.commit().await?;
        Ok(updated.into())
    }

    /// Members in the order they joined.
    pub async fn users(&self, page: PageRequest) -> Result<Page<User>> {
        let query = user::Entity::find().filter(user::Column::OrgId.eq(self.org_id));
        let page = page::fetch(
            &self.store.db,
            query,
            user::Column::Id,
            Order::OldestFirst,
            page,
            User::from,
            |u| u.id,
        );
        Ok(page.await?)
    }

    pub async fn user(&self, id: Uuid) -> Result<User> {
        self.find_user(&self.store.db, id).await.map(User::from)
    }

    pub async fn update_user(&self, actor: &Actor, id: Uuid, patch: &UserPatch) -> Result<User> {
        let txn = self.store.begin_write().await?;
        lock_org(&txn, self.org_id).await?;
        let target = self.find_user(&txn, id).await?;
        let current: Role = User::from(target.clone()).role;
        // Only an owner may change anything about an owner (name included).
        if !actor.role.may_assign(current, current) {
            return Err(StoreError::Forbidden("only an owner can change an owner"));
        }
        let mut changes = Map::new();
        let mut model: user::ActiveModel = target.clone().into();

        if let Some(role) = patch.role
            && role != current
        {
            if !actor.role.may_assign(current, role) {
                return Err(StoreError::Forbidden(
                    "only an owner can change an owner or make one",
                ));
            }
            model.role = Set(role);
            changes.insert(
                "role".into(),
                json!({ "from": current.as_str(), "to": role.as_str() }),
            );
        }
        if let Some(name) = &patch.name
            && name.as_str() != target.name
        {
            model.name = Set(name.as_str().to_owned());
            changes.insert(
                "name".into(),
                json!({ "from": target.name, "to": name.as_str() }),
            );
        }
        if let Some(active) = patch.active
            && active != target.active
        {
            if !actor.role.may_assign(current, current) {
                return Err(StoreError::Forbidden(
                    "only an owner can deactivate an owner",
                ));
            }
            model.active = Set(active);
            changes.insert(
                "active".into(),
                json!({ "from": target.active, "to": active }),
            );
        }
        let stays_active_owner =
            patch.role.unwrap_or(current) == Role::Owner && patch.active.unwrap_or(target.active);
        if current == Role::Owner
            && target.active
            && !stays_active_owner
            && other_active_owners(&txn, self.org_id, id).await? == 0
        {
            return Err(StoreError::LastOwner);
        }
        if changes.is_empty() {
            return Ok(target.into());
        }
        model.updated_at = Set(now());
        let updated = model.update(&txn).await?;
        if !updated.active {
            // A deactivated member is signed out everywhere at once.
            session::Entity::update_many()
                .col_expr(session::Column::RevokedAt, Expr::value(now()))
                .filter(session::Column::OrgId.eq(self.org_id))
                .filter(session::Column::UserId.eq(id))
                .filter(session::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "user.updated",
            format!("user:{id}"),
            Value::Object(changes),
        )
        .await?;
        txn.commit().await?;
        if !updated.active {
            self.store
                .publish_revocation(Revocation::User {
                    org_id: self.org_id,
                    user_id: id,
                })
                .await;
        }
        Ok(updated.into())
    }

    pub async fn remove_user(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let txn = self.store.begin_write().await?;
        lock_org(&txn, self.org_id).await?;
        let target = self.find_user(&txn, id).await?;
        let role: Role = User::from(target.clone()).role;
        if !actor.role.may_assign(role, role) {
            return Err(StoreError::Forbidden("only an owner can remove an owner"));
        }
        if role == Role::Owner
            && target.active
            && other_active_owners(&txn, self.org_id, id).await? == 0
        {
            return Err(StoreError::LastOwner);
        }
        session::Entity::delete_many()
            .filter(session::Column::OrgId.eq(self.org_id))
            .filter(session::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::OrgId.eq(self.org_id))
            .filter(recovery_code::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        user::Entity::delete_many()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "user.removed",
            format!("user:{id}"),
            json!({ "name": target.name, "email": target.email, "role": role.as_str() }),
        )
        .await?;
        txn.commit().await?;
        self.store
            .publish_revocation(Revocation::User {
                org_id: self.org_id,
                user_id: id,
            })
            .await;
        Ok(())
    }

    pub async fn create_invite(
        &self,
        actor: &Actor,
        role: Role,
        email: Option<&EmailAddress>,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Invite> {
        if !actor.role.may_invite(role) {
            return Err(StoreError::Forbidden(
                "only an owner can invite another owner",
            ));
        }
        let txn = self.store.begin_write().await?;
        let model = invite::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            token_hash: Set(token_hash.to_owned()),
            role: Set(role),
            email: Set(email.map(|e| e.as_str().to_owned())),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now()),
            expires_at: Set(expires_at),
            used_at: Set(None),
            used_by: Set(None),
            revoked_at: Set(None),
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "invite.created",
            format!("invite:{}", model.id),
            json!({ "role": role.as_str(), "email": model.email, "expires_at": expires_at }),
        )
        .await?;
        txn.commit().await?;
        Ok(model.into())
    }

    /// Invites that can still be accepted, newest first.
    pub async fn pending_invites(&self, page: PageRequest) -> Result<Page<Invite>> {
        let query = invite::Entity::find()
            .filter(invite::Column::OrgId.eq(self.org_id))
            .filter(invite::Column::UsedAt.is_null())
            .filter(invite::Column::RevokedAt.is_null())
            .filter(invite::Column::ExpiresAt.gt(now()));
        let page = page::fetch(
            &self.store.db,
            query,
            invite::Column::Id,
            Order::NewestFirst,
            page,
            Invite::from,
            |i| i.id,
        );
        Ok(page.await?)
    }

    pub async fn revoke_invite(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let res = invite::Entity::update_many()
            .col_expr(invite::Column::RevokedAt, Expr::value(now()))
            .filter(invite::Column::OrgId.eq(self.org_id))
            .filter(invite::Column::Id.eq(id))
            .filter(invite::Column::UsedAt.is_null())
            .filter(invite::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "invite.revoked",
            format!("invite:{id}"),
            json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
