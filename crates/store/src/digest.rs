//! The daily digest: planned once per member and local day (a unique `daily_digests` row and
//! its `daily_digest` job, in one transaction), then built and sent once — the row is marked
//! sent in the same transaction that records the notification, so a retried or repeated job
//! finds it sent and does nothing.

use crate::entities::{action, calendar_event, contact, conversation, daily_digest, org, user};
use crate::error::Result;
use crate::jobs::{self, JobPayload};
use crate::notifications::{NewNotice, Notified, notify};
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use closer_domain::calendar::{EventStatus, zone};
use closer_domain::digest::{DigestFacts, day_bounds, digest_day, digest_text};
use closer_domain::notify::NotificationKind;
use closer_domain::sales::EscalationPriority;
use closer_domain::work::ActionStatus;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

impl Store {
    /// Plans the digests due at `now`: for each organisation past its digest hour, one row
    /// and one job per active member for its local day, unless planned before. `known` are
    /// the organisation-days this process planned already (skipped without a query); returns
    /// those planned now.
    pub async fn plan_daily_digests(
        &self,
        now: DateTime<Utc>,
        known: &std::collections::HashSet<(Uuid, NaiveDate)>,
    ) -> Result<Vec<(Uuid, NaiveDate)>> {
        let orgs: Vec<(Uuid, Option<String>)> = org::Entity::find()
            .select_only()
            .column(org::Column::Id)
            .column(org::Column::Timezone)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut planned = vec![];
        for (org_id, timezone) in orgs {
            let Some(day) = digest_day(now, zone(timezone.as_deref())) else {
                continue;
            };
            if known.contains(&(org_id, day)) {
                continue;
            }
            self.plan_org_digests(org_id, day).await?;
            planned.push((org_id, day));
        }
        Ok(planned)
    }

    async fn plan_org_digests(&self, org_id: Uuid, day: NaiveDate) -> Result<()> {
        let txn = self.begin_write().await?;
        let members: Vec<Uuid> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::OrgId.eq(org_id))
            .filter(user::Column::Active.eq(true))
            .into_tuple()
            .all(&*txn)
            .await?;
        let at = now();
        for user_id in members {
            let id = new_id();
            let inserted = daily_digest::Entity::insert(daily_digest::ActiveModel {
                id: Set(id),
                org_id: Set(org_id),
                user_id: Set(user_id),
                day: Set(day.to_string()),
                sent_at: Set(None),
                created_at: Set(at),
            })
            .on_conflict(
                OnConflict::columns([
                    daily_digest::Column::OrgId,
                    daily_digest::Column::UserId,
                    daily_digest::Column::Day,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&*txn)
            .await?;
            if inserted == 1 {
                let job = JobPayload::DailyDigest { digest_id: id };
                jobs::enqueue(&*txn, org_id, job, None, at).await?;
            }
        }
        txn.commit().await?;
        Ok(())
    }
}

impl OrgScope<'_> {
    /// Builds and sends one member's digest through their notification channels. Nothing
    /// (an empty list) when it was sent before.
    pub async fn send_daily_digest(&self, digest_id: Uuid) -> Result<Vec<Notified>> {
        let tz = zone(self.details().await?.profile.timezone.as_deref());
        let txn = self.store.begin_write().await?;
        let at = now();
        let claimed = daily_digest::Entity::update_many()
            .col_expr(daily_digest::Column::SentAt, Expr::value(at))
            .filter(daily_digest::Column::OrgId.eq(self.org_id))
            .filter(daily_digest::Column::Id.eq(digest_id))
            .filter(daily_digest::Column::SentAt.is_null())
            .exec(&*txn)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(vec![]);
        }
        let row = daily_digest::Entity::find_by_id(digest_id)
            .one(&*txn)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        let day: NaiveDate = row
            .day
            .parse()
            .map_err(|e| sea_orm::DbErr::Custom(format!("digest day: {e}")))?;
        let facts = self.digest_facts(&*txn, row.user_id, day, tz, at).await?;
        let (title, body) = digest_text(day, &facts, tz);
        let notice = NewNotice {
            kind: NotificationKind::DailyDigest,
            title,
            body,
            link: Some("/actions".into()),
            conversation_id: None,
        };
        let done = notify(&*txn, self.store, self.org_id, &notice, vec![row.user_id]).await?;
        txn.commit().await?;
        Ok(done)
    }

    async fn digest_facts(
        &self,
        db: &impl ConnectionTrait,
        user_id: Uuid,
        day: NaiveDate,
        tz: chrono_tz::Tz,
        at: DateTime<Utc>,
    ) -> Result<DigestFacts> {
        let new_leads = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::CreatedAt.gte(at - Duration::hours(24)))
            .count(db)
            .await?;
        let (start, end) = day_bounds(day, tz);
        let bookings: Vec<(String, Option<DateTime<Utc>>)> = calendar_event::Entity::find()
            .select_only()
            .column(calendar_event::Column::Title)
            .column(calendar_event::Column::StartAt)
            .filter(calendar_event::Column::OrgId.eq(self.org_id))
            .filter(calendar_event::Column::StartAt.gte(start))
            .filter(calendar_event::Column::StartAt.lt(end))
            .filter(
                calendar_event::Column::Status
                    .is_in([EventStatus::Booked, EventStatus::Rescheduled]),
            )
            .order_by_asc(calendar_event::Column::StartAt)
            .limit(50)
            .into_tuple()
            .all(db)
            .await?;
        let open_actions: Vec<(EscalationPriority, i64)> = action::Entity::find()
            .select_only()
            .column(action::Column::Priority)
            .column_as(action::Column::Id.count(), "n")
            .filter(action::Column::OrgId.eq(self.org_id))
            .filter(action::Column::Status.ne(ActionStatus::Resolved))
            .group_by(action::Column::Priority)
            .into_tuple()
            .all(db)
            .await?;
        let waiting = || {
            conversation::Entity::find()
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::NeedsHuman.eq(true))
        };
        Ok(DigestFacts {
            new_leads,
            bookings_today: bookings
                .into_iter()
                .filter_map(|(t, s)| Some((t, s?)))
                .collect(),
            open_actions: open_actions
                .into_iter()
                .map(|(p, n)| (p, n.max(0) as u64))
                .collect(),
            handoffs_waiting: waiting().count(db).await?,
            handoffs_yours: waiting()
                .filter(conversation::Column::AssignedUserId.eq(user_id))
                .count(db)
                .await?,
        })
    }
}
