//! The opt-out list as members work it: opting a lead out or back in with a reason (one
//! transaction with the lead's flag, the list's row, the activity log and the audit log), and
//! the list itself, newest first, searchable by name, reason or any spelling of a phone —
//! found by its keyed hash even when the lead is gone.

use crate::activity::{self, NewActivity};
use crate::audit::{self, Actor};
use crate::compliance::{Fingerprints, OptOutBy, cancel_followups, opt_out_lead, unlist_person};
use crate::entities::{lead, opt_out, user};
use crate::error::{Result, StoreError};
use crate::now;
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::compliance::{self, OptOutSource};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// One entry of the opt-out list as the API shows it.
#[derive(Debug, Clone)]
pub struct OptOutEntry {
    pub id: Uuid,
    /// None once the lead was deleted (the number stays suppressed).
    pub lead_id: Option<Uuid>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub erased_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
    pub source: OptOutSource,
    pub by: Option<(Uuid, String)>,
    pub reason: Option<String>,
    pub message_id: Option<Uuid>,
}

/// What the list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct OptOutQuery {
    pub source: Option<OptOutSource>,
    /// Words prefix-matching the lead's name or email, or the reason.
    pub words: Vec<String>,
    /// An E.164 phone: its fingerprint finds the entry even when the lead is gone.
    pub phone: Option<String>,
    /// Digits of part of a phone: the listed leads whose phone holds them.
    pub phone_digits: Option<String>,
    /// `(at, id)` of the last entry of the previous page.
    pub after: Option<(DateTime<Utc>, Uuid)>,
    pub limit: u64,
}

impl OrgScope<'_> {
    async fn lead_for_update(&self, db: &impl ConnectionTrait, id: Uuid) -> Result<lead::Model> {
        lead::Entity::find()
            .filter(lead::Column::OrgId.eq(self.org_id))
            .filter(lead::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A member opts a lead out (idempotent: an opted-out lead stays as it was). The
    /// follow-ups and sequence it ended.
    pub async fn opt_out(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: Option<String>,
    ) -> Result<crate::compliance::OutreachEnded> {
        let txn = self.store.begin_write().await?;
        let l = self.lead_for_update(&*txn, id).await?;
        let how = OptOutBy::member(OptOutSource::Manual, actor, reason);
        let mut cancelled = crate::compliance::OutreachEnded::default();
        if opt_out_lead(&*txn, self.store, self.org_id, &l, &how, now()).await? {
            cancelled = cancel_followups(&*txn, self.org_id, id).await?;
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                "lead.opted_out",
                format!("lead:{id}"),
                json!({ "source": how.source }),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(cancelled)
    }

    /// A member opts a lead back in (idempotent). An erased lead cannot be: their number stays
    /// suppressed until the person themselves comes back and opts in.
    pub async fn opt_in(&self, actor: &Actor, id: Uuid, reason: Option<String>) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let l = self.lead_for_update(&*txn, id).await?;
        if l.erased_at.is_some() {
            return Err(crate::leads::LeadError::Erased.into());
        }
        let fp = Fingerprints::of_lead(self.store, &l)?;
        unlist_person(&*txn, self.org_id, id, &fp).await?;
        if l.opted_out {
            let at = now();
            lead::Entity::update_many()
                .filter(lead::Column::OrgId.eq(self.org_id))
                .filter(lead::Column::Id.eq(id))
                .col_expr(lead::Column::OptedOut, Expr::value(false))
                .col_expr(
                    lead::Column::OptedOutAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    lead::Column::LeadStatus,
                    Expr::value(compliance::status_after_opt_in(l.lead_status).as_str()),
                )
                .col_expr(lead::Column::UpdatedAt, Expr::value(at))
                .exec(&*txn)
                .await?;
            let event = NewActivity {
                contact_id: Some(id),
                conversation_id: None,
                kind: ActivityKind::OptedIn,
                actor: ActivityActor::Member,
                actor_user_id: Some(actor.user_id),
                payload: json!({ "source": OptOutSource::Manual, "reason": reason }),
            };
            activity::append(&*txn, self.org_id, vec![event]).await?;
            audit::record(
                &*txn,
                self.org_id,
                Some(actor),
                "lead.opted_in",
                format!("lead:{id}"),
                json!({}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The list's entry of a lead, when they are on it.
    pub async fn opt_out_of(&self, lead_id: Uuid) -> Result<Option<OptOutEntry>> {
        let row = opt_out::Entity::find()
            .filter(opt_out::Column::OrgId.eq(self.org_id))
            .filter(opt_out::Column::ContactId.eq(lead_id))
            .one(&self.store.db)
            .await?;
        Ok(match row {
            Some(row) => self.entries(vec![row]).await?.pop(),
            None => None,
        })
    }

    /// A page of the list, newest first (one row more than `limit`: the caller pages).
    pub async fn opt_outs(&self, q: &OptOutQuery) -> Result<Vec<OptOutEntry>> {
        let mut query = opt_out::Entity::find().filter(opt_out::Column::OrgId.eq(self.org_id));
        if let Some(s) = q.source {
            query = query.filter(opt_out::Column::Source.eq(s.as_str()));
        }
        if let Some(c) = self.search_condition(q)? {
            query = query.filter(c);
        }
        if let Some((at, id)) = q.after {
            query = query.filter(
                Condition::any()
                    .add(opt_out::Column::At.lt(at))
                    .add(opt_out::Column::At.eq(at).and(opt_out::Column::Id.lt(id))),
            );
        }
        let rows = query
            .order_by_desc(opt_out::Column::At)
            .order_by_desc(opt_out::Column::Id)
            .limit(q.limit + 1)
            .all(&self.store.db)
            .await?;
        self.entries(rows).await
    }

    fn search_condition(&self, q: &OptOutQuery) -> Result<Option<Condition>> {
        if let Some(phone) = &q.phone {
            let fp = Fingerprints::of(self.store, Some(phone), None)?;
            let live = Query::select()
                .column(lead::Column::Id)
                .from(lead::Entity)
                .and_where(lead::Column::OrgId.eq(self.org_id))
                .and_where(lead::Column::Phone.eq(phone.clone()))
                .to_owned();
            return Ok(Some(
                Condition::any()
                    .add(opt_out::Column::PhoneHash.eq(fp.phone))
                    .add(opt_out::Column::ContactId.in_subquery(live)),
            ));
        }
        if let Some(digits) = &q.phone_digits {
            let like = format!("%{}%", crate::lead_filter::like_escape(digits));
            let holding = Query::select()
                .column(lead::Column::Id)
                .from(lead::Entity)
                .and_where(lead::Column::OrgId.eq(self.org_id))
                .and_where(lead::Column::Phone.like(like.as_str()))
                .to_owned();
            return Ok(Some(
                Condition::all().add(opt_out::Column::ContactId.in_subquery(holding)),
            ));
        }
        if q.words.is_empty() {
            return Ok(None);
        }
        let lower = |c: lead::Column| Expr::expr(Func::lower(Expr::col((lead::Entity, c))));
        let mut leads = Condition::all();
        let mut reasons = Condition::all();
        for w in &q.words {
            let like = format!("%{}%", crate::lead_filter::like_escape(&w.to_lowercase()));
            leads = leads.add(
                Condition::any()
                    .add(lower(lead::Column::Name).like(like.as_str()))
                    .add(lower(lead::Column::ProfileName).like(like.as_str()))
                    .add(lower(lead::Column::Email).like(like.as_str())),
            );
            reasons = reasons.add(
                Expr::expr(Func::lower(Expr::col(opt_out::Column::Reason))).like(like.as_str()),
            );
        }
        let matching = Query::select()
            .column(lead::Column::Id)
            .from(lead::Entity)
            .and_where(lead::Column::OrgId.eq(self.org_id))
            .cond_where(leads)
            .to_owned();
        Ok(Some(
            Condition::any()
                .add(opt_out::Column::ContactId.in_subquery(matching))
                .add(reasons),
        ))
    }

    /// Rows with their lead's name and phone and the member's name filled in.
    async fn entries(&self, rows: Vec<opt_out::Model>) -> Result<Vec<OptOutEntry>> {
        let db = &self.store.db;
        let lead_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.contact_id).collect();
        let leads: HashMap<Uuid, lead::Model> = if lead_ids.is_empty() {
            HashMap::new()
        } else {
            lead::Entity::find()
                .filter(lead::Column::OrgId.eq(self.org_id))
                .filter(lead::Column::Id.is_in(lead_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|l| (l.id, l))
                .collect()
        };
        let user_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.by_user_id).collect();
        let users: HashMap<Uuid, String> = if user_ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::OrgId.eq(self.org_id))
                .filter(user::Column::Id.is_in(user_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect()
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let l = r.contact_id.and_then(|id| leads.get(&id));
                OptOutEntry {
                    id: r.id,
                    lead_id: l.map(|l| l.id),
                    name: l.and_then(|l| l.name.clone().or(l.profile_name.clone())),
                    phone: l.and_then(|l| l.phone.clone()),
                    erased_at: l.and_then(|l| l.erased_at),
                    at: r.at,
                    source: r.source,
                    by: r
                        .by_user_id
                        .and_then(|u| users.get(&u).map(|n| (u, n.clone()))),
                    reason: r.reason,
                    message_id: r.message_id,
                }
            })
            .collect())
    }
}
