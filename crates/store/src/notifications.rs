//! Notifications to the team: the member's bell (recorded with the change that caused it,
//! in its transaction), their choices per kind, their browsers' push subscriptions, and each
//! email or push on its way as a delivery row plus a `deliver_notification` job. A delivery's
//! `idempotency_key` is unique, so a change recorded twice or a job retried never sends twice.

use crate::entities::{
    email_setting, notification, notification_delivery, notification_preference, push_subscription,
    user,
};
use crate::error::{Result, StoreError};
use crate::jobs::{self, JobPayload};
use crate::page::{self, Order, Page, PageRequest};
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::notify::{
    ChannelChoice, DeliveryState, NotificationChannel, NotificationKind, Teammate, mentioned,
    preferences,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Something the team should hear about.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    /// Where the dashboard opens it, e.g. `/inbox/{conversation}`.
    pub link: Option<String>,
    pub conversation_id: Option<Uuid>,
}

/// A notification recorded for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notified {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: NotificationKind,
    /// On their bell (they may have chosen email or push only).
    pub in_app: bool,
}

/// A notification on a member's bell.
#[derive(Debug, Clone)]
pub struct NotificationItem {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<notification::Model> for NotificationItem {
    fn from(m: notification::Model) -> Self {
        NotificationItem {
            id: m.id,
            kind: m.kind,
            title: m.title,
            body: m.body,
            link: m.link,
            read_at: m.read_at,
            created_at: m.created_at,
        }
    }
}

/// What a delivery job sends.
#[derive(Debug, Clone)]
pub struct DeliveryTask {
    pub id: Uuid,
    pub org_id: Uuid,
    pub channel: NotificationChannel,
    pub state: DeliveryState,
    /// An email address, or (push) the subscription.
    pub recipient: String,
    pub subject: String,
    /// The opened text: an email's body, or a push's JSON payload.
    pub body: String,
}

/// A browser's push subscription.
#[derive(Debug, Clone)]
pub struct PushSubscription {
    pub id: Uuid,
    pub user_id: Uuid,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// The active members, as the audience rules see them.
pub(crate) async fn teammates(db: &impl ConnectionTrait, org_id: Uuid) -> Result<Vec<Teammate>> {
    let rows = user::Entity::find()
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|u| Teammate {
            id: u.id,
            name: u.name,
            role: u.role,
            active: u.active,
        })
        .collect())
}

/// A member's saved choices over the defaults, every kind present.
async fn choices_of(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    user_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, BTreeMap<NotificationKind, ChannelChoice>>> {
    let rows = notification_preference::Entity::find()
        .filter(notification_preference::Column::OrgId.eq(org_id))
        .filter(notification_preference::Column::UserId.is_in(user_ids.clone()))
        .all(db)
        .await?;
    let saved: HashMap<Uuid, BTreeMap<NotificationKind, ChannelChoice>> = rows
        .into_iter()
        .map(|r| {
            let choices = crate::stored::document("notification preferences", r.choices)?;
            Ok((r.user_id, choices))
        })
        .collect::<Result<_>>()?;
    Ok(user_ids
        .into_iter()
        .map(|id| {
            (
                id,
                preferences(&saved.get(&id).cloned().unwrap_or_default()),
            )
        })
        .collect())
}

/// One email or push on its way: its row and its job, unless the same key was queued before.
#[allow(clippy::too_many_arguments)]
async fn queue_delivery(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    key: String,
    channel: NotificationChannel,
    notification_id: Option<Uuid>,
    recipient: String,
    subject: &str,
    body: &str,
) -> Result<bool> {
    let id = new_id();
    let inserted = notification_delivery::Entity::insert(notification_delivery::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        idempotency_key: Set(key),
        channel: Set(channel),
        notification_id: Set(notification_id),
        recipient: Set(recipient),
        subject: Set(subject.to_owned()),
        body: Set(store.secret_box()?.seal(body)),
        state: Set(DeliveryState::Pending),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now()),
    })
    .on_conflict(
        OnConflict::columns([
            notification_delivery::Column::OrgId,
            notification_delivery::Column::IdempotencyKey,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    jobs::enqueue(
        db,
        org_id,
        JobPayload::DeliverNotification { delivery_id: id },
        None,
        now(),
    )
    .await?;
    Ok(true)
}

/// Records `notice` for each member of `audience` on the channels they chose for its kind, in
/// the caller's transaction: the bell's row, an email when the organisation has a mail server,
/// a push to each of their browsers.
pub(crate) async fn notify(
    db: &impl ConnectionTrait,
    store: &Store,
    org_id: Uuid,
    notice: &NewNotice,
    audience: Vec<Uuid>,
) -> Result<Vec<Notified>> {
    if audience.is_empty() {
        return Ok(vec![]);
    }
    let choices = choices_of(db, org_id, audience.clone()).await?;
    let emails: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::OrgId.eq(org_id))
        .filter(user::Column::Id.is_in(audience.clone()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    let mail_server = email_setting::Entity::find_by_id(org_id)
        .one(db)
        .await?
        .is_some();
    let browsers = push_subscription::Entity::find()
        .filter(push_subscription::Column::OrgId.eq(org_id))
        .filter(push_subscription::Column::UserId.is_in(audience.clone()))
        .all(db)
        .await?;
    let at = now();
    let push_payload = serde_json::json!({
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
        "kind": notice.kind,
    })
    .to_string();
    let mut out = vec![];
    for user_id in audience {
        let Some(email) = emails.get(&user_id) else {
            continue;
        };
        let choice = choices[&user_id][&notice.kind];
        if !choice.any() {
            continue;
        }
        let id = new_id();
        notification::Entity::insert(notification::ActiveModel {
            id: Set(id),
            org_id: Set(org_id),
            user_id: Set(user_id),
            kind: Set(notice.kind),
            title: Set(notice.title.clone()),
            body: Set(notice.body.clone()),
            link: Set(notice.link.clone()),
            conversation_id: Set(notice.conversation_id),
            in_app: Set(choice.in_app),
            read_at: Set(None),
            created_at: Set(at),
        })
        .exec_without_returning(db)
        .await?;
        if choice.email && mail_server {
            let text = email_text(notice);
            queue_delivery(
                db,
                store,
                org_id,
                format!("{id}:email"),
                NotificationChannel::Email,
                Some(id),
                email.clone(),
                &notice.title,
                &text,
            )
            .await?;
        }
        if choice.push {
            for b in browsers.iter().filter(|b| b.user_id == user_id) {
                queue_delivery(
                    db,
                    store,
                    org_id,
                    format!("{id}:push:{}", b.id),
                    NotificationChannel::Push,
                    Some(id),
                    b.id.to_string(),
                    &notice.title,
                    &push_payload,
                )
                .await?;
            }
        }
        out.push(Notified {
            id,
            user_id,
            kind: notice.kind,
            in_app: choice.in_app,
        });
    }
    Ok(out)
}

/// The email's text: what happened and where to look (the link is the dashboard's path; the
/// server prefixes its public address when it sends).
fn email_text(n: &NewNotice) -> String {
    let mut text = format!("{}\n\n{}\n", n.title, n.body);
    if let Some(link) = &n.link {
        text.push_str(&format!("\nOpen it: {{base}}{link}\n"));
    }
    text
}

/// Whom a conversation's news goes to: its assignee, else the working team.
pub(crate) async fn conversation_audience(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    assignee: Option<Uuid>,
) -> Result<Vec<Uuid>> {
    let team = teammates(db, org_id).await?;
    Ok(closer_domain::notify::conversation_audience(
        &team, assignee,
    ))
}

impl OrgScope<'_> {
    /// The members a private note names with `@` hear about it (not its author).
    pub async fn notify_mentions(
        &self,
        author: &crate::Actor,
        conversation_id: Uuid,
        note: &str,
    ) -> Result<Vec<Notified>> {
        let team = teammates(&self.store.db, self.org_id).await?;
        let named = mentioned(note, &team, author.user_id);
        if named.is_empty() {
            return Ok(vec![]);
        }
        let excerpt: String = note.chars().take(200).collect();
        let notice = NewNotice {
            kind: NotificationKind::Mention,
            title: format!("{} mentioned you in a note", author.name),
            body: excerpt,
            link: Some(format!("/inbox/{conversation_id}")),
            conversation_id: Some(conversation_id),
        };
        let txn = self.store.begin_write().await?;
        let done = notify(&*txn, self.store, self.org_id, &notice, named).await?;
        txn.commit().await?;
        Ok(done)
    }

    /// A member's bell, newest first (`unread` only: those not read yet).
    pub async fn notifications(
        &self,
        user_id: Uuid,
        unread: bool,
        page: PageRequest,
    ) -> Result<Page<NotificationItem>> {
        let mut q = notification::Entity::find()
            .filter(notification::Column::OrgId.eq(self.org_id))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::InApp.eq(true));
        if unread {
            q = q.filter(notification::Column::ReadAt.is_null());
        }
        Ok(page::fetch(
            &self.store.db,
            q,
            notification::Column::Id,
            Order::NewestFirst,
            page,
            NotificationItem::from,
            |n| n.id,
        )
        .await?)
    }

    pub async fn unread_notifications(&self, user_id: Uuid) -> Result<u64> {
        Ok(notification::Entity::find()
            .filter(notification::Column::OrgId.eq(self.org_id))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::InApp.eq(true))
            .filter(notification::Column::ReadAt.is_null())
            .count(&self.store.db)
            .await?)
    }

    /// Marks the member's notifications read: those of `ids` (others' ids are ignored), or all.
    pub async fn read_notifications(&self, user_id: Uuid, ids: Option<Vec<Uuid>>) -> Result<u64> {
        let mut q = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(now()))
            .filter(notification::Column::OrgId.eq(self.org_id))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null());
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(0);
            }
            q = q.filter(notification::Column::Id.is_in(ids));
        }
        Ok(q.exec(&self.store.db).await?.rows_affected)
    }

    /// The member's channels per kind, every kind present.
    pub async fn notification_preferences(
        &self,
        user_id: Uuid,
    ) -> Result<BTreeMap<NotificationKind, ChannelChoice>> {
        let mut all = choices_of(&self.store.db, self.org_id, vec![user_id]).await?;
        Ok(all.remove(&user_id).unwrap_or_default())
    }

    /// Saves the kinds given; the others keep their choice.
    pub async fn save_notification_preferences(
        &self,
        user_id: Uuid,
        changes: &BTreeMap<NotificationKind, ChannelChoice>,
    ) -> Result<BTreeMap<NotificationKind, ChannelChoice>> {
        let mut all = self.notification_preferences(user_id).await?;
        all.extend(changes.iter().map(|(k, c)| (*k, *c)));
        let choices = serde_json::to_value(&all)
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("preferences: {e}"))))?;
        notification_preference::Entity::insert(notification_preference::ActiveModel {
            org_id: Set(self.org_id),
            user_id: Set(user_id),
            choices: Set(choices),
            updated_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([
                notification_preference::Column::OrgId,
                notification_preference::Column::UserId,
            ])
            .update_columns([
                notification_preference::Column::Choices,
                notification_preference::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&self.store.db)
        .await?;
        Ok(all)
    }

    /// Saves a browser's subscription for the member; the same endpoint again (a re-subscribe,
    /// or another member signing in on that browser) moves it to them with its new keys.
    pub async fn save_push_subscription(
        &self,
        user_id: Uuid,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
    ) -> Result<Uuid> {
        push_subscription::Entity::insert(push_subscription::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            user_id: Set(user_id),
            endpoint: Set(endpoint.to_owned()),
            p256dh: Set(p256dh.to_owned()),
            auth: Set(auth.to_owned()),
            created_at: Set(now()),
        })
        .on_conflict(
            OnConflict::columns([
                push_subscription::Column::OrgId,
                push_subscription::Column::Endpoint,
            ])
            .update_columns([
                push_subscription::Column::UserId,
                push_subscription::Column::P256dh,
                push_subscription::Column::Auth,
            ])
            .to_owned(),
        )
        .exec_without_returning(&self.store.db)
        .await?;
        let row = push_subscription::Entity::find()
            .filter(push_subscription::Column::OrgId.eq(self.org_id))
            .filter(push_subscription::Column::Endpoint.eq(endpoint))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.id)
    }

    pub async fn push_subscription(&self, id: Uuid) -> Result<PushSubscription> {
        let r = push_subscription::Entity::find()
            .filter(push_subscription::Column::OrgId.eq(self.org_id))
            .filter(push_subscription::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(PushSubscription {
            id: r.id,
            user_id: r.user_id,
            endpoint: r.endpoint,
            p256dh: r.p256dh,
            auth: r.auth,
        })
    }

    /// The push service said the subscription is gone (404/410): forget it.
    pub async fn forget_push_subscription(&self, id: Uuid) -> Result<()> {
        push_subscription::Entity::delete_many()
            .filter(push_subscription::Column::OrgId.eq(self.org_id))
            .filter(push_subscription::Column::Id.eq(id))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }

    /// Queues one email outside any notification (a password reset, an invite), once per
    /// `key`. False when the organisation has no mail server (nothing is queued).
    pub async fn queue_email(
        &self,
        key: &str,
        to: &str,
        subject: &str,
        text: &str,
    ) -> Result<bool> {
        if email_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        let txn = self.store.begin_write().await?;
        let queued = queue_delivery(
            &*txn,
            self.store,
            self.org_id,
            key.to_owned(),
            NotificationChannel::Email,
            None,
            to.to_owned(),
            subject,
            text,
        )
        .await?;
        txn.commit().await?;
        Ok(queued)
    }

    /// A delivery for its job, the text opened.
    pub async fn delivery(&self, id: Uuid) -> Result<DeliveryTask> {
        let r = notification_delivery::Entity::find()
            .filter(notification_delivery::Column::OrgId.eq(self.org_id))
            .filter(notification_delivery::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let body = self
            .store
            .secret_box()?
            .open(&r.body)
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(e.to_string())))?;
        Ok(DeliveryTask {
            id: r.id,
            org_id: r.org_id,
            channel: r.channel,
            state: r.state,
            recipient: r.recipient,
            subject: r.subject,
            body,
        })
    }

    /// Records how a delivery ended: sent, or failed for good with why.
    pub async fn finish_delivery(&self, id: Uuid, error: Option<&str>) -> Result<()> {
        let (state, sent_at) = match error {
            None => (DeliveryState::Sent, Some(now())),
            Some(_) => (DeliveryState::Failed, None),
        };
        notification_delivery::Entity::update_many()
            .col_expr(notification_delivery::Column::State, Expr::value(state))
            .col_expr(notification_delivery::Column::SentAt, Expr::value(sent_at))
            .col_expr(
                notification_delivery::Column::LastError,
                Expr::value(error.map(|e| e.chars().take(500).collect::<String>())),
            )
            .filter(notification_delivery::Column::OrgId.eq(self.org_id))
            .filter(notification_delivery::Column::Id.eq(id))
            .filter(notification_delivery::Column::State.eq(DeliveryState::Pending))
            .exec(&self.store.db)
            .await?;
        Ok(())
    }
}
