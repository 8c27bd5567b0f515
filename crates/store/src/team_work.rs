//! A conversation's people: who it is assigned to, and the team's private notes in it.

use crate::entities::{conversation, message, user};
use crate::error::{Result, StoreError};
use crate::inbox::{ConversationItem, MessageItem};
use crate::team::OrgScope;
use crate::{Actor, new_id, now};
use closer_domain::messaging::{Author, DeliveryStatus, Direction, MessageType};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// What an assignment did.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub conversation: ConversationItem,
    /// False when it already was assigned so.
    pub changed: bool,
}

impl OrgScope<'_> {
    /// Assigns the conversation to an active member (or to nobody), with an audit entry.
    /// `NotAMember` for anyone else, so a conversation never points at a stranger.
    pub async fn assign_conversation(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        assignee: Option<Uuid>,
    ) -> Result<Assignment> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&txn, conversation_id).await?;
        if let Some(user_id) = assignee {
            let members = user::Entity::find()
                .filter(user::Column::OrgId.eq(self.org_id))
                .filter(user::Column::Id.eq(user_id))
                .filter(user::Column::Active.eq(true))
                .count(&txn)
                .await?;
            if members == 0 {
                return Err(StoreError::NotAMember);
            }
        }
        let changed = conv.assigned_user_id != assignee;
        if changed {
            conversation::Entity::update_many()
                .filter(conversation::Column::OrgId.eq(self.org_id))
                .filter(conversation::Column::Id.eq(conversation_id))
                .col_expr(conversation::Column::AssignedUserId, Expr::value(assignee))
                .col_expr(conversation::Column::UpdatedAt, Expr::value(now()))
                .exec(&txn)
                .await?;
            crate::assignment::record_assignment(
                &*txn,
                self.org_id,
                Some(actor),
                &conv,
                assignee,
                false,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(Assignment {
            conversation: self.conversation(conversation_id).await?,
            changed,
        })
    }

    /// A member's private note in the transcript. It is stored with author `note` and no send
    /// job, so no sender ever picks it up, and the conversation's preview, unread count and
    /// service window are left as they are: a note is not a message of the chat.
    pub async fn add_private_note(
        &self,
        actor: &Actor,
        conversation_id: Uuid,
        text: &str,
    ) -> Result<MessageItem> {
        let conv = self
            .conversation_row(&self.store.db, conversation_id)
            .await?;
        let at = now();
        let model = message::Model {
            id: new_id(),
            org_id: self.org_id,
            conversation_id: conv.id,
            direction: Direction::Outbound,
            author: Author::Note,
            kind: MessageType::Text,
            text: Some(text.to_owned()),
            media: None,
            provider_message_id: None,
            reply_to: None,
            // Never queued: there is nothing to deliver.
            status: DeliveryStatus::Sent,
            error_code: None,
            error_title: None,
            sent_by: Some(actor.user_id),
            edited_at: None,
            deleted_at: None,
            send_attempt: None,
            ready_at: Some(at),
            pricing: None,
            cost_amount: None,
            cost_currency: None,
            created_at: at,
            updated_at: at,
        };
        message::Entity::insert(message::ActiveModel::from(model.clone()))
            .exec_without_returning(&self.store.db)
            .await?;
        let mut item = MessageItem::try_from(model)?;
        item.sent_by = Some((actor.user_id, Some(actor.name.clone())));
        Ok(item)
    }
}
