//! Storing what a channel delivered — a webhook from Meta or a simulator message — in one
//! transaction: contacts, conversations, messages (idempotent on the provider's id), delivery
//! statuses (only forward), the service window, cancellation of pending follow-ups, and one
//! processing job per touched conversation.

use crate::Store;
use crate::activity::{self, NewActivity};
use crate::entities::{contact, conversation, job, message};
use crate::error::Result;
use crate::error::StoreError;
use crate::inbox::{facts_of, window_end};
use crate::jobs::JobPayload;
use crate::pricing;
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::contact_points::Phone;
use closer_domain::conversation_rules;
use closer_domain::messaging::{
    Author, Channel, ConversationMode, DeliveryStatus, Direction, MessageType,
};
use closer_domain::pricing::{MessagePricing, RateCard};
use closer_domain::sales::{ConversationStage, LeadSource, LeadStatus};
use closer_domain::work::{ActionKind, JobKind, JobStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

mod plain;

/// How long a burst of lead messages is collected before the agent thinks once.
pub const DEBOUNCE_SECONDS: i64 = 2;

/// A lead first seen now.
fn new_contact(
    org_id: Uuid,
    id: Uuid,
    c: &InboundContact,
    referral: Option<&Value>,
    at: DateTime<Utc>,
) -> contact::ActiveModel {
    let source = if referral.is_some() {
        LeadSource::ClickToChatAd
    } else {
        LeadSource::OrganicInbound
    };
    contact::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        phone: Set(phone_text(c)),
        wa_user_id: Set(c.wa_user_id.clone()),
        name: Set(c.profile_name.clone()),
        profile_name: Set(c.profile_name.clone()),
        email: Set(None),
        city: Set(None),
        language: Set(None),
        lead_status: Set(LeadStatus::New),
        score: Set(0),
        tags: Set(None),
        notes: Set(None),
        custom_fields: Set(None),
        lead_source: Set(source),
        campaign: Set(referral.cloned()),
        opted_out: Set(false),
        opted_out_at: Set(None),
        marketing_opt_out: Set(false),
        marketing_opt_out_at: Set(None),
        first_seen_at: Set(at),
        last_seen_at: Set(at),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
}

/// A known lead wrote again: seen later, under the profile name Meta sends now.
fn lead_seen_again(key: contact::Column) -> OnConflict {
    OnConflict::columns([contact::Column::OrgId, key])
        .value(
            contact::Column::LastSeenAt,
            Expr::cust(
                "CASE WHEN excluded.last_seen_at > contacts.last_seen_at \
                 THEN excluded.last_seen_at ELSE contacts.last_seen_at END",
            ),
        )
        .value(
            contact::Column::ProfileName,
            Expr::cust("COALESCE(excluded.profile_name, contacts.profile_name)"),
        )
        .update_column(contact::Column::UpdatedAt)
        .to_owned()
}

/// A conversation first opened now, in bot mode.
pub(crate) fn new_conversation(
    org_id: Uuid,
    id: Uuid,
    contact_id: Uuid,
    channel: Channel,
    at: DateTime<Utc>,
) -> conversation::ActiveModel {
    conversation::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        contact_id: Set(contact_id),
        channel: Set(channel),
        mode: Set(ConversationMode::Bot),
        stage: Set(ConversationStage::New),
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
        broadcast: Set(None),
    }
}

/// A lead's message as stored.
fn inbound_message(
    org_id: Uuid,
    conversation_id: Uuid,
    id: Uuid,
    msg: &InboundMessage,
) -> message::ActiveModel {
    message::ActiveModel {
        id: Set(id),
        org_id: Set(org_id),
        conversation_id: Set(conversation_id),
        direction: Set(Direction::Inbound),
        author: Set(Author::Lead),
        kind: Set(msg.kind),
        text: Set(msg.text.clone()),
        media: Set(msg.media.clone()),
        provider_message_id: Set(Some(msg.provider_message_id.clone())),
        reply_to: Set(msg.reply_to.clone()),
        // Inbound messages have arrived: "delivered" is the truth for the inbox.
        status: Set(DeliveryStatus::Delivered),
        error_code: Set(None),
        error_title: Set(None),
        sent_by: Set(None),
        edited_at: Set(None),
        deleted_at: Set(None),
        send_attempt: Set(None),
        ready_at: Set(None),
        pricing: Set(None),
        cost_amount: Set(None),
        cost_currency: Set(None),
        created_at: Set(msg.sent_at),
        updated_at: Set(now()),
    }
}

/// The lead's phone as the column holds it (E.164).
fn phone_text(c: &InboundContact) -> Option<String> {
    c.phone.as_ref().map(|p| p.as_str().to_owned())
}

#[derive(Debug, Clone, Default)]
pub struct InboundContact {
    pub phone: Option<Phone>,
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
    /// Meta's `pricing` when the status carried it.
    pub pricing: Option<MessagePricing>,
    /// The recipient's number, which picks the country on the rate card.
    pub recipient: Option<Phone>,
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
    /// The `send_failed` action a failure report opened.
    pub failed_action: Option<Uuid>,
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
    /// Leads this delivery created (their first message).
    pub leads_created: Vec<Uuid>,
    /// Closed conversations a lead's message reopened in bot mode.
    pub reopened: Vec<Uuid>,
    /// Campaigns whose recipients moved (a delivery status, a reply): their progress is
    /// announced.
    pub campaigns: Vec<Uuid>,
    /// Drip-sequence enrolments the lead's reply stopped: announced like any other stop.
    pub sequences_stopped: Vec<crate::sequences::EnrollmentChange>,
}

impl OrgScope<'_> {
    /// Stores a delivery under `channel` in one transaction.
    pub async fn ingest(&self, channel: Channel, delivery: &Delivery) -> Result<IngestOutcome> {
        // Meta retries deliveries. On SQLite a plain read first spares a retried one the one
        // write lock. On PostgreSQL that read was a round trip per webhook through a pool a
        // surge keeps busy (about a millisecond each at 64 senders), so the group looks up its
        // deliveries' ids together instead (`Store::look_up_known`).
        let known = match self.store.backend() {
            crate::Backend::Sqlite => Some(self.known_provider_ids(delivery).await?),
            crate::Backend::Postgres => None,
        };
        if let Some(known) = &known
            && nothing_fresh(delivery, known)
        {
            return Ok(only_duplicates(delivery));
        }
        let queued = QueuedDelivery {
            org_id: self.org_id,
            channel,
            delivery: delivery.clone(),
            looked_up: known.is_some(),
            known: known.unwrap_or_default(),
        };
        self.store.ingest_in_group(queued).await
    }

    /// Stores a delivery inside the caller's write transaction. `known`: the provider ids
    /// already stored when the delivery was read.
    async fn ingest_in(
        &self,
        txn: &DatabaseTransaction,
        channel: Channel,
        delivery: &Delivery,
        known: &[String],
    ) -> Result<IngestOutcome> {
        let mut out = IngestOutcome::default();
        let fresh: Vec<&InboundMessage> = delivery
            .messages
            .iter()
            .filter(|m| !known.contains(&m.provider_message_id))
            .collect();
        out.duplicates = delivery.messages.len() - fresh.len();
        let mut log = vec![];
        let mut fresh_conversations = vec![];
        // Conversations with a voice note that waits for its transcript, and with anything
        // else: the agent answers a voice note once it can read it (the fetch job then
        // processes the conversation), unless the lead wrote something else meanwhile.
        let (mut held, mut spoken) = (vec![], vec![]);
        let mut replies = vec![];
        for msg in fresh {
            // A message from no one (a sender Meta did not name, or a number that is not a
            // phone number) has no lead to belong to; the rest of its delivery is still stored.
            if msg.contact.phone.is_none() && msg.contact.wa_user_id.is_none() {
                continue;
            }
            let (contact_id, created) = self
                .upsert_contact(txn, &msg.contact, msg.referral.as_ref(), msg.sent_at)
                .await?;
            if created {
                // A new lead enters the first open stage, on top.
                crate::pipeline::place_new_lead(
                    txn,
                    self.org_id,
                    contact_id,
                    None,
                    crate::pipeline::MoveBy {
                        actor: closer_domain::pipeline::MoveActor::Rule,
                        actor_id: None,
                        reason: Some("first_message".into()),
                        evidence_message_id: None,
                    },
                )
                .await?;
                // A number on the suppression list comes back opted out.
                let (phone, bsuid) = (msg.contact.phone.as_ref(), &msg.contact.wa_user_id);
                crate::compliance::keep_suppressed(
                    txn,
                    self.store,
                    self.org_id,
                    contact_id,
                    phone.map(|p| p.as_str()),
                    bsuid.as_deref(),
                )
                .await?;
            }
            let (conv, new_conversation) =
                self.upsert_conversation(txn, contact_id, channel).await?;
            if new_conversation {
                fresh_conversations.push(conv.id);
            }
            let conversation_id = conv.id;
            let message_id = new_id();
            let row = inbound_message(self.org_id, conversation_id, message_id, msg);
            let inserted = message::Entity::insert(row)
                .on_conflict(OnConflict::new().do_nothing().to_owned())
                .exec_without_returning(txn)
                .await?;
            if inserted == 0 {
                out.duplicates += 1;
                continue;
            }
            let reopened = self.note_lead_message(txn, &conv, msg).await?;
            replies.extend(crate::campaigns::awaiting_reply(&conv, msg.sent_at));
            if closer_domain::media::is_media(msg.kind) {
                crate::media::note_inbound(
                    txn,
                    self.org_id,
                    conversation_id,
                    message_id,
                    msg.kind,
                    msg.media.as_ref(),
                )
                .await?;
            }
            if msg.kind == MessageType::Voice && self.transcribes(txn).await? {
                held.push(conversation_id);
            } else {
                spoken.push(conversation_id);
            }
            let lead = |kind, payload| {
                NewActivity::on(
                    contact_id,
                    conversation_id,
                    kind,
                    ActivityActor::Lead,
                    payload,
                )
            };
            if created {
                out.leads_created.push(contact_id);
                let source = json!({ "channel": channel, "referral": msg.referral });
                log.push(lead(ActivityKind::LeadCreated, source));
            }
            let seen =
                json!({ "message_id": message_id, "type": msg.kind, "sent_at": msg.sent_at });
            if fresh_conversations.contains(&conversation_id)
                && !log.iter().any(|e: &NewActivity| {
                    e.kind == ActivityKind::ConversationCreated
                        && e.conversation_id == Some(conversation_id)
                })
            {
                log.push(lead(
                    ActivityKind::ConversationCreated,
                    json!({ "channel": channel }),
                ));
            }
            log.push(lead(ActivityKind::MessageReceived, seen));
            if reopened {
                let change =
                    json!({ "from": conv.mode, "to": ConversationMode::Bot, "by": "lead_message" });
                log.push(lead(ActivityKind::ModeChanged, change));
                out.reopened.push(conversation_id);
            }
            out.stored.push((conversation_id, message_id));
            if !out.conversations.contains(&conversation_id) {
                out.conversations.push(conversation_id);
            }
        }
        // Once per conversation, however many of its messages the delivery carried.
        for &conversation_id in &out.conversations {
            if held.contains(&conversation_id) && !spoken.contains(&conversation_id) {
                continue;
            }
            let created = fresh_conversations.contains(&conversation_id);
            let stopped = self
                .schedule_processing(txn, conversation_id, created)
                .await?;
            out.sequences_stopped.extend(stopped);
        }
        let mut card = None;
        for status in &delivery.statuses {
            if let Some(applied) = self
                .apply_status(txn, status, &mut card, &mut out.campaigns)
                .await?
            {
                if !out.conversations.contains(&applied.conversation_id) {
                    out.conversations.push(applied.conversation_id);
                }
                out.statuses.push(applied);
            }
        }
        for amendment in &delivery.amendments {
            self.apply_amendment(txn, amendment).await?;
        }
        for (_, campaign_id) in crate::campaigns::note_replies(txn, replies).await? {
            if !out.campaigns.contains(&campaign_id) {
                out.campaigns.push(campaign_id);
            }
        }
        activity::append(txn, self.org_id, log).await?;
        Ok(out)
    }

    async fn known_provider_ids(&self, delivery: &Delivery) -> Result<Vec<String>> {
        let ids: Vec<(Uuid, &str)> = (delivery.messages.iter())
            .map(|m| (self.org_id, m.provider_message_id.as_str()))
            .collect();
        let stored = stored_provider_ids(&self.store.db, &ids).await?;
        Ok(stored.into_iter().map(|(_, id)| id).collect())
    }

    async fn upsert_contact(
        &self,
        txn: &DatabaseTransaction,
        c: &InboundContact,
        referral: Option<&Value>,
        at: DateTime<Utc>,
    ) -> Result<(Uuid, bool)> {
        // One identity (nearly every lead): one statement finds or creates the lead.
        let key = match (&c.phone, &c.wa_user_id) {
            (Some(_), None) => Some(contact::Column::Phone),
            (None, Some(_)) => Some(contact::Column::WaUserId),
            _ => None,
        };
        if let Some(key) = key {
            let id = new_id();
            let row = contact::Entity::insert(new_contact(self.org_id, id, c, referral, at))
                .on_conflict(lead_seen_again(key))
                .exec_with_returning(txn)
                .await?;
            return Ok((row.id, row.id == id));
        }
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
                update = update.col_expr(contact::Column::Phone, Expr::value(phone_text(c)));
            }
            update
                .filter(contact::Column::OrgId.eq(self.org_id))
                .filter(contact::Column::Id.eq(existing.id))
                .exec(txn)
                .await?;
            return Ok((existing.id, false));
        }
        let inserted = contact::Entity::insert(new_contact(self.org_id, new_id(), c, referral, at))
            // Two deliveries racing to create one lead: the loser's insert does nothing and it
            // reads the winner's row below.
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(txn)
            .await?;
        let found = self
            .find_contact(txn, c)
            .await?
            .expect("the contact exists after insert-or-ignore");
        Ok((found.id, inserted == 1))
    }

    async fn find_contact(
        &self,
        txn: &DatabaseTransaction,
        c: &InboundContact,
    ) -> Result<Option<contact::Model>> {
        let mut q = contact::Entity::find().filter(contact::Column::OrgId.eq(self.org_id));
        q = match (phone_text(c), &c.wa_user_id) {
            (Some(phone), Some(uid)) => q.filter(
                contact::Column::Phone
                    .eq(phone)
                    .or(contact::Column::WaUserId.eq(uid.clone())),
            ),
            (Some(phone), None) => q.filter(contact::Column::Phone.eq(phone)),
            (None, Some(uid)) => q.filter(contact::Column::WaUserId.eq(uid.clone())),
            (None, None) => return Ok(None),
        };
        Ok(q.one(txn).await?)
    }

    /// The lead's conversation on this channel, found or created in one statement; true when
    /// it was created (nothing of it exists yet: no jobs to cancel or postpone).
    async fn upsert_conversation(
        &self,
        txn: &DatabaseTransaction,
        contact_id: Uuid,
        channel: Channel,
    ) -> Result<(conversation::Model, bool)> {
        let at = now();
        let id = new_id();
        let row = conversation::Entity::insert(new_conversation(
            self.org_id,
            id,
            contact_id,
            channel,
            at,
        ))
        .on_conflict(
            OnConflict::columns([
                conversation::Column::OrgId,
                conversation::Column::ContactId,
                conversation::Column::Channel,
            ])
            .update_column(conversation::Column::UpdatedAt)
            .to_owned(),
        )
        .exec_with_returning(txn)
        .await?;
        let created = row.id == id;
        Ok((row, created))
    }

    /// A new lead message: last-message preview, unread count, the 24 h window, and a closed
    /// conversation reopened in bot mode (true then).
    async fn note_lead_message(
        &self,
        txn: &DatabaseTransaction,
        conv: &conversation::Model,
        msg: &InboundMessage,
    ) -> Result<bool> {
        let conversation_id = conv.id;
        let effect = conversation_rules::lead_message(&facts_of(conv), msg.sent_at);
        // Unread is added to, not overwritten: two deliveries may race on PostgreSQL.
        let mut update = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::UnreadCount,
                Expr::col(conversation::Column::UnreadCount).add(effect.unread_delta),
            )
            .col_expr(
                conversation::Column::WindowOpenUntil,
                Expr::value(window_end(effect.window)),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now()));
        if effect.reopens {
            update = update.col_expr(
                conversation::Column::Mode,
                Expr::value(ConversationMode::Bot),
            );
        }
        if effect.replaces_preview {
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
                    Expr::value(Direction::Inbound),
                )
                .col_expr(
                    conversation::Column::LastMessageAuthor,
                    Expr::value(Author::Lead),
                );
        }
        update
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .exec(txn)
            .await?;
        Ok(effect.reopens)
    }

    /// The lead wrote: pending follow-ups are void, and the agent's processing job (one
    /// pending per conversation) runs once the burst is over.
    pub(crate) async fn schedule_processing(
        &self,
        txn: &DatabaseTransaction,
        conversation_id: Uuid,
        created: bool,
    ) -> Result<Vec<crate::sequences::EnrollmentChange>> {
        let run_at = now() + Duration::seconds(DEBOUNCE_SECONDS);
        let mut stopped = vec![];
        // A conversation created in this transaction has no jobs yet: nothing to cancel or
        // postpone.
        let postponed = if created {
            false
        } else {
            crate::followups::void_when_leads_write(txn, &[self.org_id], &[conversation_id])
                .await?;
            stopped =
                crate::sequences::stop_when_leads_write(txn, &[self.org_id], &[conversation_id])
                    .await?
                    .into_iter()
                    .map(|(_, change)| change)
                    .collect();
            // The burst goes on: push the pending job back so it runs once, after the burst.
            job::Entity::update_many()
                .col_expr(job::Column::RunAt, Expr::value(run_at))
                .col_expr(job::Column::UpdatedAt, Expr::value(now()))
                .filter(job::Column::OrgId.eq(self.org_id))
                .filter(job::Column::ConversationId.eq(conversation_id))
                .filter(job::Column::Kind.eq(JobKind::ProcessConversation))
                .filter(job::Column::Status.eq(JobStatus::Pending))
                .exec(txn)
                .await?
                .rows_affected
                > 0
        };
        if !postponed {
            crate::jobs::enqueue(
                txn,
                self.org_id,
                JobPayload::ProcessConversation,
                Some(conversation_id),
                run_at,
            )
            .await?;
        }
        Ok(stopped)
    }

    async fn apply_status(
        &self,
        txn: &DatabaseTransaction,
        s: &StatusReport,
        card: &mut Option<RateCard>,
        campaigns: &mut Vec<Uuid>,
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
        if let Some(pricing) = &s.pricing {
            // Read once per delivery, and only when a status carries pricing.
            if card.is_none() {
                *card = Some(pricing::card_of(txn, self.org_id).await?);
            }
            let card = card.as_ref().expect("read above");
            pricing::price_message(txn, self.org_id, &m, pricing, s.recipient.as_ref(), card)
                .await?;
        }
        let current = m.status;
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
        // Only a template can be a campaign's: other messages cost no look-up here.
        if m.kind == MessageType::Template
            && let Some(campaign_id) = crate::campaigns::note_delivery(
                self,
                txn,
                m.id,
                next,
                s.error_code,
                s.error_title.as_deref(),
            )
            .await?
            && !campaigns.contains(&campaign_id)
        {
            campaigns.push(campaign_id);
        }
        let failed_action = if next == DeliveryStatus::Failed {
            Some(self.ask_for_a_person(txn, &m, s).await?)
        } else {
            None
        };
        Ok(Some(AppliedStatus {
            conversation_id: m.conversation_id,
            message_id: m.id,
            status: next,
            failed_action,
        }))
    }

    /// Meta reported a message failed after accepting it (e.g. undeliverable, or the window
    /// shut first): as with a send the worker could not make, a `send_failed` action asks the
    /// team to reach the lead another way. Once per message: only the status that moved it
    /// to failed gets here.
    async fn ask_for_a_person(
        &self,
        txn: &DatabaseTransaction,
        m: &message::Model,
        s: &StatusReport,
    ) -> Result<Uuid> {
        let why = s
            .error_title
            .clone()
            .unwrap_or_else(|| "reported failed by WhatsApp".into());
        let row = crate::actions::new_row(
            self.org_id,
            crate::actions::NewAction {
                conversation_id: m.conversation_id,
                kind: ActionKind::SendFailed,
                title: format!("A message could not be sent: {why}"),
                details: json!({
                    "message_id": m.id,
                    "error_code": s.error_code,
                    "error": why,
                }),
            },
            now(),
        );
        let id = row.id;
        crate::entities::action::Entity::insert(crate::entities::action::ActiveModel::from(row))
            .exec_without_returning(txn)
            .await?;
        Ok(id)
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

/// Which of these (organisation, provider message id) pairs are stored, in one read per
/// thousand.
async fn stored_provider_ids(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[(Uuid, &str)],
) -> Result<std::collections::HashSet<(Uuid, String)>> {
    let mut stored = std::collections::HashSet::new();
    for chunk in ids.chunks(1_000) {
        let orgs: std::collections::BTreeSet<Uuid> = chunk.iter().map(|(o, _)| *o).collect();
        let rows: Vec<(Uuid, Option<String>)> = message::Entity::find()
            .select_only()
            .column(message::Column::OrgId)
            .column(message::Column::ProviderMessageId)
            .filter(message::Column::OrgId.is_in(orgs))
            .filter(message::Column::ProviderMessageId.is_in(chunk.iter().map(|(_, id)| *id)))
            .into_tuple()
            .all(db)
            .await?;
        stored.extend(rows.into_iter().filter_map(|(o, id)| Some((o, id?))));
    }
    Ok(stored)
}

/// Whether a delivery holds nothing but messages stored already (`known`).
fn nothing_fresh(delivery: &Delivery, known: &[String]) -> bool {
    delivery.statuses.is_empty()
        && delivery.amendments.is_empty()
        && delivery
            .messages
            .iter()
            .all(|m| known.contains(&m.provider_message_id))
}

/// The outcome of a delivery of messages stored already.
fn only_duplicates(delivery: &Delivery) -> IngestOutcome {
    IngestOutcome {
        duplicates: delivery.messages.len(),
        ..Default::default()
    }
}

/// A delivery waiting to be written with others.
#[derive(Debug)]
pub(crate) struct QueuedDelivery {
    org_id: Uuid,
    channel: Channel,
    delivery: Delivery,
    /// The provider ids of its messages stored already.
    known: Vec<String>,
    /// Whether `known` was looked up (else the group looks it up).
    looked_up: bool,
}

type Reply = tokio::sync::oneshot::Sender<Result<IngestOutcome>>;

/// Deliveries waiting for SQLite's writer, each with where its outcome goes.
pub(crate) type IngestQueue = std::sync::Arc<std::sync::Mutex<Vec<(QueuedDelivery, Reply)>>>;

/// Deliveries stored in one SQLite transaction at most: a batch stays a few milliseconds.
const GROUP_MAX: usize = 128;

/// The runtime ingest groups are written on: a thread of their own. A group is a chain of
/// statements, each awaited in turn while every other delivery waits for the group; on the
/// server's runtime each of those awaits queued behind the HTTP work of a surge (a new-lead
/// group's nine placement statements took 4 ms under load), here it resumes at once.
fn group_writer() -> &'static tokio::runtime::Handle {
    static WRITER: std::sync::OnceLock<tokio::runtime::Handle> = std::sync::OnceLock::new();
    WRITER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("ingest-writer")
            .build()
            .expect("the ingest writer's runtime");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("ingest-writer".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()))
            .expect("the ingest writer's thread");
        handle
    })
}

impl Store {
    /// Whether webhooks are surging into this process (the workers then leave it the cores).
    pub fn ingest_surging(&self) -> bool {
        let last = *self.last_crowded_group.lock().expect("surge mark");
        closer_domain::work::ingest_surging(last.map(|at| at.elapsed()))
    }

    /// Group commit. On SQLite, which has one writer, a transaction costs more in hand-offs
    /// between threads than in work; on PostgreSQL each statement is a round trip and every
    /// new lead updates its organisation's running totals, one row that concurrent
    /// transactions queue on. So deliveries that arrive while a group is being written wait
    /// in line and are then written together, in one transaction, plain ones set-wise (see
    /// [`plain`]); one group is written at a time per process. Each delivery is answered only
    /// once its transaction committed, so nothing acknowledged is lost; the group runs in its
    /// own task, so a sender that goes away mid-write cannot cancel the others' writes.
    pub(crate) async fn ingest_in_group(&self, queued: QueuedDelivery) -> Result<IngestOutcome> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.ingest_queue
            .lock()
            .expect("ingest queue")
            .push((queued, reply));
        let store = self.clone();
        let writer = group_writer().spawn(async move {
            let queued_at = std::time::Instant::now();
            let turn = store.writer.clone().lock_owned().await;
            let batch: Vec<(QueuedDelivery, Reply)> = {
                let mut queue = store.ingest_queue.lock().expect("ingest queue");
                let n = queue.len().min(GROUP_MAX);
                queue.drain(..n).collect()
            };
            if closer_domain::work::crowded_group(batch.len()) {
                *store.last_crowded_group.lock().expect("surge mark") = Some(queued_at);
            }
            // An earlier writer may have taken this delivery with its own batch already.
            if !batch.is_empty() {
                let (n, started) = (batch.len(), std::time::Instant::now());
                store.write_group(batch).await;
                // What a load run needs to tell queueing from writing
                // (RUST_LOG=closer_store::ingest=debug).
                tracing::debug!(
                    n,
                    waited_us = (started - queued_at).as_micros() as u64,
                    wrote_us = started.elapsed().as_micros() as u64,
                    "ingest group"
                );
            }
            drop(turn);
        });
        match answer.await {
            Ok(result) => result,
            // The writer task ended without answering (it panicked): nothing of this delivery
            // was committed by it, so it is written on its own.
            Err(_) => {
                let _ = writer.await;
                Err(StoreError::Db(sea_orm::DbErr::Custom(
                    "the delivery's writer stopped before answering".into(),
                )))
            }
        }
    }

    /// Writes a group in one transaction; if that fails, each delivery on its own, so one bad
    /// delivery never loses the others.
    async fn write_group(&self, mut batch: Vec<(QueuedDelivery, Reply)>) {
        if let Err(err) = self.look_up_known(&mut batch).await {
            let message = err.to_string();
            for (_, reply) in batch {
                let failed = StoreError::Db(sea_orm::DbErr::Custom(message.clone()));
                let _ = reply.send(Err(failed));
            }
            return;
        }
        // A retried delivery with nothing new is answered without a transaction.
        let (repeats, batch): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .partition(|(q, _)| nothing_fresh(&q.delivery, &q.known));
        for (q, reply) in repeats {
            let _ = reply.send(Ok(only_duplicates(&q.delivery)));
        }
        if batch.is_empty() {
            return;
        }
        if batch.len() > 1 {
            match self.write_all(&batch).await {
                Ok(outcomes) => {
                    for ((_, reply), out) in batch.into_iter().zip(outcomes) {
                        let _ = reply.send(Ok(out));
                    }
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %err, n = batch.len(), "group write failed; writing one by one")
                }
            }
        }
        for (q, reply) in batch {
            let single = [(q, ())];
            let one = self.write_all(&single).await;
            let _ = reply.send(one.map(|mut outs| outs.remove(0)));
        }
    }

    /// Which of the group's messages are stored already, for the deliveries not looked up
    /// when they arrived: one read for the whole group.
    async fn look_up_known(&self, batch: &mut [(QueuedDelivery, Reply)]) -> Result<()> {
        let wanted: Vec<(Uuid, &str)> = batch
            .iter()
            .filter(|(q, _)| !q.looked_up)
            .flat_map(|(q, _)| {
                let ids = q.delivery.messages.iter();
                ids.map(|m| (q.org_id, m.provider_message_id.as_str()))
            })
            .collect();
        let stored = stored_provider_ids(&self.db, &wanted).await?;
        for (q, _) in batch.iter_mut().filter(|(q, _)| !q.looked_up) {
            let org = q.org_id;
            q.known = (q.delivery.messages.iter())
                .map(|m| m.provider_message_id.clone())
                .filter(|id| stored.contains(&(org, id.clone())))
                .collect();
            q.looked_up = true;
        }
        Ok(())
    }

    /// Plain deliveries (a lead's text, see [`plain::is_plain`]) are written set-wise, the
    /// others one by one, all in one transaction.
    async fn write_all<R>(&self, batch: &[(QueuedDelivery, R)]) -> Result<Vec<IngestOutcome>> {
        let txn = self.begin_write_in_turn().await?;
        let mut outcomes = vec![IngestOutcome::default(); batch.len()];
        let (simple, other): (Vec<_>, Vec<_>) = batch
            .iter()
            .map(|(q, _)| q)
            .enumerate()
            .partition(|(_, q)| plain::is_plain(q));
        plain::write(self, &*txn, &simple, &mut outcomes).await?;
        for (slot, q) in other {
            outcomes[slot] = self
                .org(q.org_id)
                .ingest_in(&txn, q.channel, &q.delivery, &q.known)
                .await?;
        }
        txn.commit().await?;
        Ok(outcomes)
    }
}
