//! What the business says back: a human's reply (which takes the conversation over), taking
//! over and releasing, read state, and the send itself as the send job sees it — a message
//! queued in the same transaction as its job, handed to the provider at most once.

use crate::activity::{self, NewActivity};
use crate::audit::{self, Actor};
use crate::entities::{contact, conversation, message};
use crate::error::{Result, StoreError};
use crate::inbox::{ConversationItem, MessageItem, window_of};
use crate::jobs::JobPayload;
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::contact_points::Phone;
use closer_domain::conversation_rules::{self, ModeSwitch, Owner};
use closer_domain::followup::FollowupStatusReason;
use closer_domain::messaging::{
    Author, Channel, ConversationMode, DeliveryStatus, Direction, MessageType,
};
use closer_domain::send_policy::{self, Outgoing, Recipient, Sender};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

/// A reply queued for sending.
#[derive(Debug, Clone)]
pub struct QueuedReply {
    pub message: MessageItem,
    pub conversation_id: Uuid,
    /// The reply moved the conversation from the bot to a human.
    pub took_over: bool,
    /// The lead's drip sequence, stopped by that takeover.
    pub sequence_stopped: Option<crate::sequences::EnrollmentChange>,
}

/// A change of who answers the lead.
#[derive(Debug, Clone)]
pub struct ModeChange {
    pub conversation: ConversationItem,
    /// False when the conversation already was in that mode.
    pub changed: bool,
    /// The mode before the change.
    pub from: ConversationMode,
    /// The lead's drip sequence, stopped because the bot no longer answers.
    pub sequence_stopped: Option<crate::sequences::EnrollmentChange>,
}

/// What an outbound message is besides its text.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboundBody {
    Text,
    /// Reply buttons `[{id, title}]` under the text.
    Buttons(Value),
    /// An approved template: `{id, name, language, category, variables}`.
    Template(Value),
    /// A file (an image, video, audio or document) with the text as its caption; `media`
    /// is the message's `media` JSON (`{id, mime_type, size_bytes, file_name, ...}`).
    Media {
        kind: MessageType,
        media: Value,
    },
}

/// Everything the send job needs about one outbound message.
#[derive(Debug, Clone)]
pub struct SendTask {
    pub org_id: Uuid,
    pub message_id: Uuid,
    pub conversation_id: Uuid,
    pub channel: Channel,
    pub to_phone: Option<Phone>,
    pub text: Option<String>,
    /// Reply buttons `[{id, title}]` for an interactive message.
    pub buttons: Option<Value>,
    /// The template a template message sends: `{id, name, language, category, variables}`.
    pub template: Option<Value>,
    /// The file a media message sends: its kind and our media id.
    pub media: Option<(MessageType, Uuid)>,
    pub status: DeliveryStatus,
    /// False when the lead opted out after this message was queued: it must not go.
    pub deliverable: bool,
    /// The attempt that handed it to the provider, when one did.
    pub send_attempt: Option<i32>,
}

/// May a person on the team write free text to this lead now? The send policy for a human
/// sender: not to a lead who opted out, not outside the 24 h window (only a template then).
pub(crate) fn person_may_write(
    conv: &conversation::Model,
    lead: &contact::Model,
) -> std::result::Result<(), send_policy::Refused> {
    let to = Recipient {
        opted_out: lead.opted_out,
        marketing_opted_out: false,
        mode: conv.mode,
        window: window_of(conv),
        last_lead_message_at: None,
        unanswered: 0,
        bot_messages_last_hour: 0,
        budget: u32::MAX,
        local_time: None,
    };
    send_policy::may_send(Outgoing::free_form(Sender::Human), &to, None, now())
}

impl OrgScope<'_> {
    /// A human's text reply, if the send policy allows it (not to a lead who opted out, not
    /// outside the 24 h window, where only a template may go): stored as queued with its send
    /// job, and the conversation is the human's.
    pub async fn queue_human_reply(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        text: &str,
    ) -> Result<QueuedReply> {
        self.queue_human(actor, conversation_id, text, None).await
    }

    /// A human's file (an upload not sent yet), with an optional caption, under the same
    /// send policy as a text reply.
    pub async fn queue_human_media(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        media_id: Uuid,
        caption: &str,
    ) -> Result<QueuedReply> {
        self.queue_human(actor, conversation_id, caption, Some(media_id))
            .await
    }

    async fn queue_human(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        text: &str,
        media_id: Option<Uuid>,
    ) -> Result<QueuedReply> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        let lead = self.contact_row(&txn, conv.contact_id).await?;
        person_may_write(&conv, &lead).map_err(|refused| StoreError::SendRefused {
            refused,
            window_open_until: conv.window_open_until,
        })?;
        let took_over = conv.mode != ConversationMode::Human;
        let body = match media_id {
            Some(id) => crate::media::body_of_upload(&txn, self.org_id, id).await?,
            None => OutboundBody::Text,
        };
        let mut message = self
            .queue_outbound(&txn, &conv, Author::Human, Some(actor.user_id), text, body)
            .await?;
        if let Some(id) = media_id {
            crate::media::attach_upload(&txn, self.org_id, id, conversation_id, message.id).await?;
        }
        message.sent_by = Some((actor.user_id, Some(actor.name.clone())));
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .col_expr(
                conversation::Column::Mode,
                Expr::value(ConversationMode::Human.as_str()),
            )
            .col_expr(
                conversation::Column::AssignedUserId,
                Expr::value(actor.user_id),
            )
            // Whoever replies has read the conversation.
            .col_expr(conversation::Column::UnreadCount, Expr::value(0))
            .exec(&txn)
            .await?;
        let mut sequence_stopped = None;
        if took_over {
            // The person's reply takes the conversation over: no bot follow-up after it, and
            // no drip step either (as when the inbox's Take over button is pressed).
            crate::followups::cancel_pending(
                &txn,
                self.org_id,
                conversation_id,
                closer_domain::followup::FollowupStatusReason::Handoff,
            )
            .await?;
            let handoff = closer_domain::sequences::StopReason::Handoff;
            sequence_stopped =
                crate::sequences::stop_active(&txn, self.org_id, conv.contact_id, handoff).await?;
            audit::record(
                &txn,
                self.org_id,
                Some(actor),
                "conversation.takeover",
                format!("conversation:{conversation_id}"),
                json!({ "by_reply": true }),
            )
            .await?;
            let takeover = NewActivity::on(
                conv.contact_id,
                conversation_id,
                ActivityKind::TakeoverStarted,
                ActivityActor::Member,
                json!({ "by_reply": true }),
            );
            activity::append(&txn, self.org_id, vec![takeover.by_member(actor.user_id)]).await?;
        }
        txn.commit().await?;
        Ok(QueuedReply {
            message,
            conversation_id,
            took_over,
            sequence_stopped,
        })
    }

    /// Stores an outbound text as queued, with its send job and the conversation's preview.
    pub(crate) async fn queue_outbound(
        &self,
        txn: &DatabaseTransaction,
        conv: &conversation::Model,
        author: Author,
        sent_by: Option<Uuid>,
        text: &str,
        body: OutboundBody,
    ) -> Result<MessageItem> {
        self.queue_outbound_as(txn, conv, author, sent_by, text, body, ActivityActor::Agent)
            .await
    }

    /// [`Self::queue_outbound`], logged as `actor`'s (an automation's message fires no rule).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn queue_outbound_as(
        &self,
        txn: &DatabaseTransaction,
        conv: &conversation::Model,
        author: Author,
        sent_by: Option<Uuid>,
        text: &str,
        body: OutboundBody,
        actor: ActivityActor,
    ) -> Result<MessageItem> {
        let at = now();
        let (kind, media) = match body {
            OutboundBody::Text => (MessageType::Text, None),
            OutboundBody::Buttons(buttons) => (
                MessageType::Interactive,
                Some(json!({ "buttons": buttons })),
            ),
            OutboundBody::Template(template) => {
                (MessageType::Template, Some(json!({ "template": template })))
            }
            OutboundBody::Media { kind, media } => (kind, Some(media)),
        };
        // A file without a caption has no text: the preview names its kind.
        let preview = if text.is_empty() {
            format!("[{kind}]")
        } else {
            text.chars().take(200).collect::<String>()
        };
        let model = message::Model {
            id: new_id(),
            org_id: self.org_id,
            conversation_id: conv.id,
            direction: Direction::Outbound,
            author,
            kind,
            text: (!text.is_empty() || kind == MessageType::Text).then(|| text.to_owned()),
            media,
            provider_message_id: None,
            reply_to: None,
            status: DeliveryStatus::Queued,
            error_code: None,
            error_title: None,
            sent_by,
            edited_at: None,
            deleted_at: None,
            send_attempt: None,
            ready_at: None,
            pricing: None,
            cost_amount: None,
            cost_currency: None,
            created_at: at,
            updated_at: at,
        };
        message::Entity::insert(message::ActiveModel::from(model.clone()))
            .exec_without_returning(txn)
            .await?;
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conv.id))
            .col_expr(conversation::Column::LastMessageAt, Expr::value(at))
            .col_expr(conversation::Column::LastMessageText, Expr::value(preview))
            .col_expr(
                conversation::Column::LastMessageDirection,
                Expr::value(Direction::Outbound.as_str()),
            )
            .col_expr(
                conversation::Column::LastMessageAuthor,
                Expr::value(author.as_str()),
            )
            .col_expr(conversation::Column::UpdatedAt, Expr::value(at))
            .exec(txn)
            .await?;
        crate::jobs::enqueue(
            txn,
            self.org_id,
            JobPayload::SendMessage {
                message_id: model.id,
            },
            Some(conv.id),
            at,
        )
        .await?;
        let mut sent = NewActivity::on(
            conv.contact_id,
            conv.id,
            ActivityKind::MessageSent,
            actor,
            json!({ "message_id": model.id, "type": kind, "sent_at": at }),
        );
        if let Some(user_id) = sent_by {
            sent = sent.by_member(user_id);
        }
        activity::append(txn, self.org_id, vec![sent]).await?;
        model.try_into()
    }

    /// Who answers the lead, as a member sets it: take over (`Human`), hand back or reopen
    /// (`Bot`), pause or close. The domain's `switch_mode` says what the change settles; an
    /// audit entry and an activity entry record it in the same transaction.
    pub async fn set_mode(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        mode: ConversationMode,
    ) -> Result<ModeChange> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        let switch = conversation_rules::switch_mode(conv.mode, conv.needs_human, mode)
            .map_err(StoreError::ModeRefused)?;
        let mut sequence_stopped = None;
        if let Some(switch) = &switch {
            sequence_stopped = self.apply_mode_switch(&txn, actor, &conv, switch).await?;
        }
        txn.commit().await?;
        Ok(ModeChange {
            conversation: self.conversation(conversation_id).await?,
            changed: switch.is_some(),
            from: conv.mode,
            sequence_stopped,
        })
    }

    async fn apply_mode_switch(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        conv: &conversation::Model,
        switch: &ModeSwitch,
    ) -> Result<Option<crate::sequences::EnrollmentChange>> {
        let mut update = conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conv.id))
            .col_expr(conversation::Column::Mode, Expr::value(switch.to))
            .col_expr(conversation::Column::UpdatedAt, Expr::value(now()));
        if switch.settles_request {
            update = update
                .col_expr(conversation::Column::NeedsHuman, Expr::value(false))
                .col_expr(
                    conversation::Column::Priority,
                    Expr::value(Option::<String>::None),
                );
        }
        update = match switch.owner {
            Owner::Actor => update.col_expr(
                conversation::Column::AssignedUserId,
                Expr::value(actor.user_id),
            ),
            Owner::Nobody => update.col_expr(
                conversation::Column::AssignedUserId,
                Expr::value(Option::<Uuid>::None),
            ),
            Owner::Unchanged => update,
        };
        update.exec(txn).await?;
        let payload = json!({ "from": switch.from, "to": switch.to });
        audit::record(
            txn,
            self.org_id,
            Some(actor),
            switch.audit_action(),
            format!("conversation:{}", conv.id),
            payload.clone(),
        )
        .await?;
        let change = NewActivity::on(
            conv.contact_id,
            conv.id,
            switch.activity_kind(),
            ActivityActor::Member,
            payload,
        );
        activity::append(txn, self.org_id, vec![change.by_member(actor.user_id)]).await?;
        if switch.cancels_followups {
            // The bot is silent from now on: its planned follow-up goes with it.
            let reason = if switch.to == ConversationMode::Human {
                FollowupStatusReason::Handoff
            } else {
                FollowupStatusReason::User
            };
            crate::followups::cancel_pending(txn, self.org_id, conv.id, reason).await?;
            // So does the lead's drip sequence: a person (or nobody) owns the conversation.
            let handoff = closer_domain::sequences::StopReason::Handoff;
            return crate::sequences::stop_active(txn, self.org_id, conv.contact_id, handoff).await;
        }
        Ok(None)
    }

    /// The team has seen the conversation: its unread count goes to zero.
    pub async fn mark_read(&self, conversation_id: Uuid) -> Result<ModeChange> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        let changed = conv.unread_count != 0;
        if changed {
            conversation::Entity::update_many()
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::Id.eq(conversation_id))
                .col_expr(conversation::Column::UnreadCount, Expr::value(0))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(ModeChange {
            from: conv.mode,
            conversation: self.conversation(conversation_id).await?,
            changed,
            sequence_stopped: None,
        })
    }
}

impl Store {
    /// The send job's view of a message.
    pub async fn send_task(&self, org_id: Uuid, message_id: Uuid) -> Result<SendTask> {
        let m = message::Entity::find()
            .filter(message::Column::OrgId.eq(org_id))
            .filter(message::Column::Id.eq(message_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let conv = self
            .org(org_id)
            .conversation_row(&self.db, m.conversation_id)
            .await?;
        let lead = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(org_id))
            .filter(contact::Column::Id.eq(conv.contact_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(SendTask {
            org_id,
            message_id,
            conversation_id: conv.id,
            deliverable: send_policy::may_deliver(m.created_at, lead.opted_out_at),
            channel: conv.channel,
            to_phone: lead
                .phone
                .as_deref()
                .and_then(|p| Phone::from_stored(p).ok()),
            buttons: m
                .media
                .as_ref()
                .filter(|_| m.kind == MessageType::Interactive)
                .and_then(|v| v.get("buttons"))
                .cloned(),
            template: m
                .media
                .as_ref()
                .filter(|_| m.kind == MessageType::Template)
                .and_then(|v| v.get("template"))
                .cloned(),
            media: m
                .media
                .as_ref()
                .filter(|_| closer_domain::media::is_media(m.kind))
                .and_then(|v| v.get("id"))
                .and_then(Value::as_str)
                .and_then(|id| id.parse().ok())
                .map(|id| (m.kind, id)),
            text: m.text,
            status: m.status,
            send_attempt: m.send_attempt,
        })
    }

    fn message_update(task: &SendTask) -> sea_orm::UpdateMany<message::Entity> {
        message::Entity::update_many()
            .filter(message::Column::OrgId.eq(task.org_id))
            .filter(message::Column::Id.eq(task.message_id))
            .col_expr(message::Column::UpdatedAt, Expr::value(now()))
    }

    /// Claims the one hand-over to the provider for `attempt`; false when an earlier attempt
    /// already started it (its outcome is unknown, so it is not sent again).
    pub async fn begin_send(&self, task: &SendTask, attempt: i32) -> Result<bool> {
        let r = Self::message_update(task)
            .filter(message::Column::Status.eq(DeliveryStatus::Queued.as_str()))
            .filter(message::Column::SendAttempt.is_null())
            .col_expr(message::Column::SendAttempt, Expr::value(attempt))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// The provider answered with an error, so nothing went out: a later attempt may send.
    pub async fn send_not_made(&self, task: &SendTask) -> Result<()> {
        Self::message_update(task)
            .col_expr(
                message::Column::SendAttempt,
                Expr::value(Option::<i32>::None),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The provider accepted the message under `provider_message_id`.
    pub async fn record_sent(&self, task: &SendTask, provider_message_id: &str) -> Result<()> {
        Self::message_update(task)
            .filter(message::Column::Status.eq(DeliveryStatus::Queued.as_str()))
            .col_expr(
                message::Column::Status,
                Expr::value(DeliveryStatus::Sent.as_str()),
            )
            .col_expr(
                message::Column::ProviderMessageId,
                Expr::value(provider_message_id),
            )
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Moves a message's status forward (never back); true when it moved.
    pub async fn advance_status(&self, task: &SendTask, to: DeliveryStatus) -> Result<bool> {
        let current = message::Entity::find()
            .filter(message::Column::OrgId.eq(task.org_id))
            .filter(message::Column::Id.eq(task.message_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let from = current.status;
        if from.advance(to).is_none() {
            return Ok(false);
        }
        let r = Self::message_update(task)
            .filter(message::Column::Status.eq(from.as_str()))
            .col_expr(message::Column::Status, Expr::value(to.as_str()))
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// The send failed for good: the message shows why. True when this marked it failed
    /// (false when it had failed already, or reached the phone after all).
    pub async fn record_send_failed(
        &self,
        task: &SendTask,
        code: Option<i64>,
        title: &str,
    ) -> Result<bool> {
        let r = Self::message_update(task)
            .filter(message::Column::Status.is_in([
                DeliveryStatus::Queued.as_str(),
                DeliveryStatus::Sent.as_str(),
            ]))
            .col_expr(
                message::Column::Status,
                Expr::value(DeliveryStatus::Failed.as_str()),
            )
            .col_expr(message::Column::ErrorCode, Expr::value(code))
            .col_expr(
                message::Column::ErrorTitle,
                Expr::value(title.chars().take(500).collect::<String>()),
            )
            .exec(&self.db)
            .await?;
        Ok(r.rows_affected == 1)
    }
}
