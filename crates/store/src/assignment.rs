//! Who answers a handed-over conversation: the organisation's round-robin switch, each
//! member's availability, and the turn, kept in the database (`assignment_rotations`) so
//! every replica hands out the same next turn.

use crate::activity::NewActivity;
use crate::entities::{assignment_rotation, conversation, user};
use crate::error::{Result, StoreError};
use crate::team::OrgScope;
use crate::{Actor, audit, now};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::assignment::{Candidate, next_in_turn};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

/// A conversation the round-robin gave to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnTaken {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
}

/// The member whose turn it is, recorded as the last one given a conversation, in the
/// caller's transaction; `None` when round-robin is off or nobody is available. The first
/// statement writes the organisation's rotation row, so on PostgreSQL a concurrent hand-over
/// waits for this transaction and then reads the turn it recorded: no two replicas give out
/// the same turn. (SQLite has one writer at a time.)
pub(crate) async fn take_turn(db: &impl ConnectionTrait, org_id: Uuid) -> Result<Option<Uuid>> {
    let on = assignment_rotation::Entity::update_many()
        .col_expr(assignment_rotation::Column::UpdatedAt, Expr::value(now()))
        .filter(assignment_rotation::Column::OrgId.eq(org_id))
        .filter(assignment_rotation::Column::RoundRobin.eq(true))
        .exec(db)
        .await?;
    if on.rows_affected == 0 {
        return Ok(None);
    }
    let last = assignment_rotation::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .and_then(|r| r.last_user_id);
    let members: Vec<Candidate> = user::Entity::find()
        .filter(user::Column::OrgId.eq(org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| Candidate {
            id: u.id,
            role: u.role,
            active: u.active,
            available: u.available,
        })
        .collect();
    let Some(next) = next_in_turn(&members, last) else {
        return Ok(None);
    };
    assignment_rotation::Entity::update_many()
        .col_expr(assignment_rotation::Column::LastUserId, Expr::value(next))
        .filter(assignment_rotation::Column::OrgId.eq(org_id))
        .exec(db)
        .await?;
    Ok(Some(next))
}

/// Gives a handed-over, unassigned conversation to the member whose turn it is, with its
/// audit and activity entries, in the caller's transaction.
pub(crate) async fn assign_in_turn(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    conv: &conversation::Model,
) -> Result<Option<TurnTaken>> {
    if conv.assigned_user_id.is_some() {
        return Ok(None);
    }
    let Some(user_id) = take_turn(db, org_id).await? else {
        return Ok(None);
    };
    conversation::Entity::update_many()
        .filter(conversation::Column::OrgId.eq(org_id))
        .filter(conversation::Column::Id.eq(conv.id))
        .col_expr(conversation::Column::AssignedUserId, Expr::value(user_id))
        .exec(db)
        .await?;
    record_assignment(db, org_id, None, conv, Some(user_id), true).await?;
    Ok(Some(TurnTaken {
        conversation_id: conv.id,
        user_id,
    }))
}

/// The audit entry and the lead's timeline entry of an assignment.
pub(crate) async fn record_assignment(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    actor: Option<&Actor>,
    conv: &conversation::Model,
    to: Option<Uuid>,
    round_robin: bool,
) -> Result<()> {
    let details = json!({ "from": conv.assigned_user_id, "to": to, "round_robin": round_robin });
    audit::record(
        db,
        org_id,
        actor,
        "conversation.assign",
        format!("conversation:{}", conv.id),
        details.clone(),
    )
    .await?;
    let mut entry = NewActivity::on(
        conv.contact_id,
        conv.id,
        ActivityKind::Assigned,
        match actor {
            Some(_) => ActivityActor::Member,
            None => ActivityActor::System,
        },
        details,
    );
    entry.actor_user_id = actor.map(|a| a.user_id);
    crate::activity::append(db, org_id, vec![entry]).await
}

impl OrgScope<'_> {
    /// Whether handed-over conversations are shared out in turn.
    pub async fn round_robin(&self) -> Result<bool> {
        Ok(assignment_rotation::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .is_some_and(|r| r.round_robin))
    }

    /// Turns the round-robin on or off (the turn is kept), with an audit entry.
    pub async fn set_round_robin(&self, actor: &Actor, on: bool) -> Result<bool> {
        let txn = self.store.begin_write().await?;
        assignment_rotation::Entity::insert(assignment_rotation::ActiveModel {
            org_id: Set(self.org_id),
            round_robin: Set(on),
            last_user_id: Set(None),
            updated_at: Set(now()),
        })
        .on_conflict(
            OnConflict::column(assignment_rotation::Column::OrgId)
                .update_columns([
                    assignment_rotation::Column::RoundRobin,
                    assignment_rotation::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "settings.assignment",
            "assignment".into(),
            json!({ "round_robin": on }),
        )
        .await?;
        txn.commit().await?;
        Ok(on)
    }

    /// Marks a member available for new conversations, or away. A member sets their own;
    /// an owner or admin anyone's. False when it already was so.
    pub async fn set_available(
        &self,
        actor: &Actor,
        user_id: Uuid,
        available: bool,
    ) -> Result<bool> {
        if actor.user_id != user_id && !actor.role.can_manage_org() {
            return Err(StoreError::Forbidden(
                "only an owner or admin can change another member's availability",
            ));
        }
        let txn = self.store.begin_write().await?;
        let member = user::Entity::find()
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(user_id))
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if member.available == available {
            return Ok(false);
        }
        user::Entity::update_many()
            .col_expr(user::Column::Available, Expr::value(available))
            .col_expr(user::Column::UpdatedAt, Expr::value(now()))
            .filter(user::Column::OrgId.eq(self.org_id))
            .filter(user::Column::Id.eq(user_id))
            .exec(&*txn)
            .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "user.availability",
            format!("user:{user_id}"),
            json!({ "from": member.available, "to": available }),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }
}
