//! Storing what a channel delivered — a webhook from Meta or a simulator message — in one
//! transaction: contacts, conversations, messages (idempotent on the provider's id), delivery
//! statuses (only forward), the service window, cancellation of pending follow-ups, and one
//! processing job per touched conversation.

use crate::entities::{contact, conversation, job, message};
use crate::error::Result;
use crate::jobs::status as job_status;
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::messaging::{
    Author, ConversationMode, DeliveryStatus, Direction, MessageType, SERVICE_WINDOW_HOURS,
};
use sea_orm::ActiveValue::Set;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

/// How long a burst of lead messages is collected before the agent thinks once.
pub const DEBOUNCE_SECONDS: i64 = 2;

pub const JOB_PROCESS_CONVERSATION: &str = "process_conversation";
pub const JOB_FOLLOWUP: &str = "followup";

#[derive(Debug, Clone, Default)]
pub struct InboundContact {
    /// E.164 digits as WhatsApp gives them (`wa_id`).
    pub phone: Option<String>,
    /// Business-scoped user id (2026 usernames).
    pub wa_user_id: Option<String>,
    pub profile_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct InboundMessage {
    pub provider_message_id: String,
    pub contact: InboundContact,
    pub kind: MessageType,
    pub text: Option<String>,
    pub media: Option<Value>,
    /// The wamid this message quotes.
    pub reply_to: Option<String>,
    pub sent_at: DateTime<Utc>,
    /// Click-to-WhatsApp ad attribution, kept as campaign metadata on a new lead.
    pub referral: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct StatusReport {
    pub provider_message_id: String,
    pub status: DeliveryStatus,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Amendment {
    Edited {
        provider_message_id: String,
        text: Option<String>,
    },
    Revoked {
        provider_message_id: String,
    },
}

/// Everything one delivery (one webhook POST, for one organisation) carried.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusReport>,
    pub amendments: Vec<Amendment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedStatus {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
    pub status: DeliveryStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOutcome {
    /// (conversation id, message id) of every newly stored message.
    pub stored: Vec<(Uuid, Uuid)>,
    pub duplicates: usize,
    /// Statuses that moved a message forward.
    pub statuses: Vec<AppliedStatus>,
    /// Conversations whose state changed, for realtime events.
    pub conversations: Vec<Uuid>,
}

impl OrgScope<'_> {
    /// Stores a delivery under `channel` ("whatsapp" or "sandbox") in one transaction.
    pub async fn ingest(&self, channel: &str, delivery: &Delivery) -> Result<IngestOutcome> {
        let mut out = IngestOutcome::default();
        // Meta retries deliveries: a plain read first spares a retried one the write lock.
        let known = self.known_provider_ids(delivery).await?;
        let fresh: Vec<&InboundMessage> = delivery
            .messages
            .iter()
            .filter(|m| !known.contains(&m.provider_message_id))
            .collect();
        out.duplicates = delivery.messages.len() - fresh.len();
        if fresh.is_empty() && delivery.statuses.is_empty() && delivery.amendments.is_empty() {
            return Ok(out);
        }
        let txn = self.store.begin_write().await?;
        for msg in fresh {
            let contact_id = self
                .upsert_contact(&txn, &msg.contact, msg.referral.as_ref(), msg.sent_at)
                .await?;
            let conv = self.upsert_conversation(&txn, contact_id, channel).await?;
            let conversation_id = conv.id;
            let message_id = new_id();
            let inserted = message::Entity::insert(message::ActiveModel {
                id: Set(message_id),
                org_id: Set(self.org_id),
                conversation_id: Set(conversation_id),
                direction: Set(Direction::Inbound.as_str().into()),
                author: Set(Author::Lead.as_str().into()),
                kind: Set(msg.kind.as_str().into()),
                text: Set(msg.text.clone()),
                media: Set(msg.media.clone()),
                provider_message_id: Set(Some(msg.provider_message_id.clone())),
                reply_to: Set(msg.reply_to.clone()),
                // Inbound messages have arrived: "delivered" is the truth for the inbox.
                status: Set(DeliveryStatus::Delivered.as_str().into()),
                error_code: Set(None),
                error_title: Set(None),
                sent_by: Set(None),
                edited_at: Set(None),
                deleted_at: Set(None),
                send_attempt: Set(None),
                ready_at: Set(None),
                created_at: Set(msg.sent_at),
                updated_at: Set(now()),
            })
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
            if inserted == 0 {
                out.duplicates += 1;
                continue;
            }
            self.note_lead_message(&txn, &conv, msg).await?;
            out.stored.push((conversation_id, message_id));
            if !out.conversations.contains(&conversation_id) {
                out.conversations.push(conversation_id);
            }
        }
        // Once per conversation, however many of its messages the delivery carried.
        for &conversation_id in &out.conversations {
            self.schedule_processing(&txn, conversation_id).await?;
        }
        for status in &delivery.statuses {
            if let Some(applied) = self.apply_status(&txn, status).await? {
                if !out.conversations.contains(&applied.conversation_id) {
                    out.conversations.push(applied.conversation_id);
                }
                out.statuses.push(applied);
            }
        }
        for amendment in &delivery.amendments {
            self.apply_amendment(&txn, amendment).await?;
        }
        txn.commit().await?;
        Ok(out)
    }

    async fn known_provider_ids(&self, delivery: &Delivery) -> Result<Vec<String>> {
        if delivery.messages.is_empty() {
            return Ok(vec![]);
        }
        Ok(message::Entity::find()
            .select_only()
            .column(message::Column::ProviderMessageId)
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(
                message::Column::ProviderMessageId.is_in(
                    delivery
                        .messages
                        .iter()
                        .map(|m| m.provider_message_id.clone()),
                ),
            )
            .into_tuple::<Option<String>>()
            .all(&self.store.db)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    async fn upsert_contact(
        &self,
        txn: &DatabaseTransaction,
        c: &InboundContact,
        referral: Option<&Value>,
        at: DateTime<Utc>,
    ) -> Result<Uuid> {
        if let Some(existing) = self.find_contact(txn, c).await? {
            let mut update = contact::Entity::update_many()
                .col_expr(
                    contact::Column::LastSeenAt,
                    Expr::value(Ord::max(at, existing.last_seen_at)),
                )
                .col_expr(contact::Column::UpdatedAt, Expr::value(now()));
            if let Some(name) = &c.profile_name {
                update = update.col_expr(contact::Column::ProfileName, Expr::value(name.clone()));
            }
            // A lead first seen by phone later gains a scoped id, and the other way round.
            if existing.wa_user_id.is_none() && c.wa_user_id.is_some() {
                update =
                    update.col_expr(contact::Column::WaUserId, Expr::value(c.wa_user_id.clone()));
            }
            if existing.phone.is_none() && c.phone.is_some() {
                update = update.col_expr(contact::Column::Phone, Expr::value(c.phone.clone()));
            }
            update
                .filter(contact::Column::OrgId.eq(self.org_id))
                .filter(contact::Column::Id.eq(existing.id))
                .exec(txn)
                .await?;
            return Ok(existing.id);
        }
        let source = if referral.is_some() {
            "click_to_chat_ad"
        } else {
            "organic_inbound"
        };
        contact::Entity::insert(contact::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            phone: Set(c.phone.clone()),
            wa_user_id: Set(c.wa_user_id.clone()),
            name: Set(c.profile_name.clone()),
            profile_name: Set(c.profile_name.clone()),
            email: Set(None),
            city: Set(None),
            language: Set(None),
            lead_status: Set("new".into()),
            score: Set(0),
            tags: Set(None),
            notes: Set(None),
            custom_fields: Set(None),
            lead_source: Set(source.into()),
            campaign: Set(referral.cloned()),
            opted_out: Set(false),
            first_seen_at: Set(at),
            last_seen_at: Set(at),
            created_at: Set(now()),
            updated_at: Set(now()),
        })
        // Two deliveries racing to create one lead: the loser's insert does nothing and it
        // reads the winner's row below.
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(txn)
        .await?;
        Ok(self
            .find_contact(txn, c)
            .await?
            .expect("the contact exists after insert-or-ignore")
            .id)
    }

    async fn find_contact(
        &self,
        txn: &DatabaseTransaction,
        c: &InboundContact,
    ) -> Result<Option<contact::Model>> {
        let mut q = contact::Entity::find().filter(contact::Column::OrgId.eq(self.org_id));
        q = match (&c.phone, &c.wa_user_id) {
            (Some(phone), Some(uid)) => q.filter(
                contact::Column::Phone
                    .eq(phone.clone())
                    .or(contact::Column::WaUserId.eq(uid.clone())),
            ),
            (Some(phone), None) => q.filter(contact::Column::Phone.eq(phone.clone())),
            (None, Some(uid)) => q.filter(contact::Column::WaUserId.eq(uid.clone())),
            (None, None) => return Ok(None),
        };
        Ok(q.one(txn).await?)
    }

    async fn upsert_conversation(
        &self,
        txn: &DatabaseTransaction,
        contact_id: Uuid,
        channel: &str,
    ) -> Result<conversation::Model> {
        let find = || {
            conversation::Entity::find()
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::ContactId.eq(contact_id))
                .filter(conversation::Column::Channel.eq(channel))
        };
        if let Some(c) = find().one(txn).await? {
            return Ok(c);
        }
        let at = now();
        conversation::Entity::insert(conversation::ActiveModel {
            id: Set(new_id()),
            org_id: Set(self.org_id),
            contact_id: Set(contact_id),
            channel: Set(channel.into()),
            mode: Set(ConversationMode::Bot.as_str().into()),
            stage: Set("new".into()),
            needs_human: Set(false),
            priority: Set(None),
            intent: Set(None),
            assigned_user_id: Set(None),
            unread_count: Set(0),
            window_open_until: Set(None),
            last_message_at: Set(None),
            last_message_text: Set(None),
            last_message_direction: Set(None),
            last_message_author: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(txn)
        .await?;
        Ok(find()
            .one(txn)
            .await?
            .expect("the conversation exists after insert-or-ignore"))
    }

    /// A new lead message: last-message preview, unread count and the 24 h window.
    async fn note_lead_message(
        &self,
        txn: &DatabaseTransaction,
        conv: &conversation::Model,
        msg: &InboundMessage,
    ) -> Result<()> {
        let conversation_id = conv.id;
        let window = msg.sent_at + Duration::hours(SERVICE_WINDOW_HOURS);
        let window = conv
            .window_open_until
            .map_or(window, |w| Ord::max(w, window));
        let mut update = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::UnreadCount,
                Expr::col(conversation::Column::UnreadCount).add(1),
            )
            .col_expr(conversation::Column::WindowOpenUntil, Expr::value(window))
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now()));
        // A late webhook for an older message must not replace the newer preview.
        if conv.last_message_at.is_none_or(|last| msg.sent_at >= last) {
            let preview = msg
                .text
                .clone()
                .unwrap_or_else(|| format!("[{}]", msg.kind));
            update = update
                .col_expr(
                    conversation::Column::LastMessageAt,
                    Expr::value(msg.sent_at),
                )
                .col_expr(
                    conversation::Column::LastMessageText,
                    Expr::value(preview.chars().take(200).collect::<String>()),
                )
                .col_expr(
                    conversation::Column::LastMessageDirection,
                    Expr::value(Direction::Inbound.as_str()),
                )
                .col_expr(
                    conversation::Column::LastMessageAuthor,
                    Expr::value(Author::Lead.as_str()),
                );
        }
        update
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .exec(txn)
            .await?;
        Ok(())
    }

    /// The lead wrote: pending follow-ups are void, and the agent's processing job (one
    /// pending per conversation) runs once the burst is over.
    async fn schedule_processing(
        &self,
        txn: &DatabaseTransaction,
        conversation_id: Uuid,
    ) -> Result<()> {
        cancel_followups(txn, self.org_id, conversation_id).await?;

        // The burst goes on: push the pending job back so it runs once, after the burst.
        let run_at = now() + Duration::seconds(DEBOUNCE_SECONDS);
        let postponed = job::Entity::update_many()
            .col_expr(job::Column::RunAt, Expr::value(run_at))
            .col_expr(job::Column::UpdatedAt, Expr::value(now()))
            .filter(job::Column::OrgId.eq(self.org_id))
            .filter(job::Column::ConversationId.eq(conversation_id))
            .filter(job::Column::Kind.eq(JOB_PROCESS_CONVERSATION))
            .filter(job::Column::Status.eq(job_status::PENDING))
            .exec(txn)
            .await?;
        if postponed.rows_affected == 0 {
            crate::jobs::enqueue(
                txn,
                self.org_id,
                JOB_PROCESS_CONVERSATION,
                Some(conversation_id),
                None,
                run_at,
            )
            .await?;
        }
        Ok(())
    }

    async fn apply_status(
        &self,
        txn: &DatabaseTransaction,
        s: &StatusReport,
    ) -> Result<Option<AppliedStatus>> {
        let Some(m) = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ProviderMessageId.eq(s.provider_message_id.clone()))
            .one(txn)
            .await?
        else {
            // A status for a message we never sent (e.g. sent from another tool): nothing to do.
            return Ok(None);
        };
        let current: DeliveryStatus = m.status.parse().unwrap_or(DeliveryStatus::Queued);
        let Some(next) = current.advance(s.status) else {
            return Ok(None);
        };
        let mut update = message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value(next.as_str()))
            .col_expr(message::Column::UpdatedAt, Expr::value(now()));
        if next == DeliveryStatus::Failed {
            update = update
                .col_expr(message::Column::ErrorCode, Expr::value(s.error_code))
                .col_expr(
                    message::Column::ErrorTitle,
                    Expr::value(s.error_title.clone()),
                );
        }
        update
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::Id.eq(m.id))
            .exec(txn)
            .await?;
        Ok(Some(AppliedStatus {
            conversation_id: m.conversation_id,
            message_id: m.id,
            status: next,
        }))
    }

    async fn apply_amendment(&self, txn: &DatabaseTransaction, a: &Amendment) -> Result<()> {
        let (id, update) = match a {
            Amendment::Edited {
                provider_message_id,
                text,
            } => (
                provider_message_id,
                message::Entity::update_many()
                    .col_expr(message::Column::Text, Expr::value(text.clone()))
                    .col_expr(message::Column::EditedAt, Expr::value(now())),
            ),
            Amendment::Revoked {
                provider_message_id,
            } => (
                provider_message_id,
                message::Entity::update_many()
                    .col_expr(message::Column::DeletedAt, Expr::value(now())),
            ),
        };
        update
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ProviderMessageId.eq(id.clone()))
            .exec(txn)
            .await?;
        Ok(())
    }
}

/// Pending follow-up checks of a conversation are void once the lead writes (or the agent
/// schedules a newer one).
pub(crate) async fn cancel_followups(
    txn: &impl ConnectionTrait,
    org_id: Uuid,
    conversation_id: Uuid,
) -> Result<()> {
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(job_status::CANCELLED))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::OrgId.eq(org_id))
        .filter(job::Column::ConversationId.eq(conversation_id))
        .filter(job::Column::Kind.eq(JOB_FOLLOWUP))
        .filter(job::Column::Status.eq(job_status::PENDING))
        .exec(txn)
        .await?;
    Ok(())
}
