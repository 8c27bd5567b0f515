//! What happens to a campaign's message after Meta took it: delivery statuses move its
//! recipient forward (a failure is routed like a refused send), and a lead's message within a
//! week of a send is that send's reply. Both run inside the webhook's transaction, and only
//! for messages and conversations a campaign touched: the webhook path pays nothing otherwise.

use super::record;
use crate::activity::{self, NewActivity};
use crate::entities::{campaign_recipient, conversation};
use crate::error::Result;
use crate::now;
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::campaigns::{ErrorRoute, RecipientStatus, is_reply, route_error};
use closer_domain::messaging::DeliveryStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

/// A lead's message that answers a campaign send.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub org_id: Uuid,
    pub conversation_id: Uuid,
    pub contact_id: Uuid,
    pub campaign_id: Uuid,
    pub recipient_id: Uuid,
    pub broadcast: Value,
    pub at: DateTime<Utc>,
}

/// The reply a lead's message at `wrote_at` makes, if the conversation's last campaign send
/// is unanswered and less than a week old. Reads only the conversation row already loaded.
pub(crate) fn awaiting_reply(conv: &conversation::Model, wrote_at: DateTime<Utc>) -> Option<Reply> {
    let b = conv.broadcast.as_ref()?;
    if !b.get("replied_at").is_none_or(Value::is_null) {
        return None;
    }
    let sent_at: DateTime<Utc> = b.get("sent_at")?.as_str()?.parse().ok()?;
    if !is_reply(sent_at, wrote_at) {
        return None;
    }
    Some(Reply {
        org_id: conv.org_id,
        conversation_id: conv.id,
        contact_id: conv.contact_id,
        campaign_id: b.get("campaign_id")?.as_str()?.parse().ok()?,
        recipient_id: b.get("recipient_id")?.as_str()?.parse().ok()?,
        broadcast: b.clone(),
        at: wrote_at,
    })
}

/// Marks each replied recipient `replied` (once), stamps the conversation's `broadcast`, and
/// raises `campaign_replied`. Answers `(conversation, campaign)` of each reply counted.
pub(crate) async fn note_replies(
    db: &impl ConnectionTrait,
    replies: Vec<Reply>,
) -> Result<Vec<(Uuid, Uuid)>> {
    let mut done: Vec<(Uuid, Uuid)> = vec![];
    let mut seen = std::collections::HashSet::new();
    for r in replies {
        if !seen.insert(r.conversation_id) {
            continue;
        }
        let moved = campaign_recipient::Entity::update_many()
            .filter(campaign_recipient::Column::OrgId.eq(r.org_id))
            .filter(campaign_recipient::Column::Id.eq(r.recipient_id))
            .filter(campaign_recipient::Column::Status.is_in([
                RecipientStatus::Sent,
                RecipientStatus::Delivered,
                RecipientStatus::Read,
            ]))
            .col_expr(
                campaign_recipient::Column::Status,
                Expr::value(RecipientStatus::Replied),
            )
            .col_expr(campaign_recipient::Column::RepliedAt, Expr::value(r.at))
            .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now()))
            .exec(db)
            .await?;
        let mut broadcast = r.broadcast.clone();
        broadcast["replied_at"] = json!(r.at);
        conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(r.org_id))
            .filter(conversation::Column::Id.eq(r.conversation_id))
            .col_expr(conversation::Column::Broadcast, Expr::value(broadcast))
            .exec(db)
            .await?;
        if moved.rows_affected == 1 {
            raise_campaign_replied(db, &r).await?;
            done.push((r.conversation_id, r.campaign_id));
        }
    }
    Ok(done)
}

/// The `campaign_replied` moment: an activity entry in the lead's timeline (what automations
/// read as their trigger), raised in the transaction that stored the reply. The realtime
/// side goes out after the commit (`IngestOutcome::campaigns_replied`).
async fn raise_campaign_replied(db: &impl ConnectionTrait, r: &Reply) -> Result<()> {
    let entry = NewActivity::on(
        r.contact_id,
        r.conversation_id,
        ActivityKind::CampaignReplied,
        ActivityActor::Lead,
        json!({ "campaign_id": r.campaign_id, "recipient_id": r.recipient_id }),
    );
    activity::append(db, r.org_id, vec![entry]).await
}

fn reported(s: DeliveryStatus) -> Option<RecipientStatus> {
    match s {
        DeliveryStatus::Sent => Some(RecipientStatus::Sent),
        DeliveryStatus::Delivered => Some(RecipientStatus::Delivered),
        DeliveryStatus::Read => Some(RecipientStatus::Read),
        DeliveryStatus::Failed => Some(RecipientStatus::Failed),
        _ => None,
    }
}

/// A status webhook moved a template message on: its recipient (if a campaign sent it)
/// moves forward only; a failure is routed (131049 → retrying tomorrow, 131050 → failed and
/// a marketing opt-out...). Answers the campaign touched.
pub(crate) async fn note_delivery(
    scope: &OrgScope<'_>,
    txn: &DatabaseTransaction,
    message_id: Uuid,
    status: DeliveryStatus,
    code: Option<i64>,
    title: Option<&str>,
) -> Result<Option<Uuid>> {
    let Some(to) = reported(status) else {
        return Ok(None);
    };
    let Some(r) = campaign_recipient::Entity::find()
        .filter(campaign_recipient::Column::OrgId.eq(scope.org_id))
        .filter(campaign_recipient::Column::MessageId.eq(message_id))
        .one(txn)
        .await?
    else {
        return Ok(None);
    };
    if to == RecipientStatus::Failed {
        let c = record(scope.campaign_row(txn, r.campaign_id).await?)?;
        let mut route = route_error(
            code,
            r.attempts.max(0) as u32,
            r.cap_retries.max(0) as u32,
            c.retry,
        );
        if c.status.is_finished() && matches!(route, ErrorRoute::PauseCampaign(_)) {
            route = ErrorRoute::Fail(closer_domain::campaigns::RecipientReason::ProviderError);
        }
        let title = title.unwrap_or("Meta could not deliver the message.");
        scope
            .route_failure(
                txn,
                &c,
                r.id,
                r.lead_id,
                route,
                r.attempts.max(0) as u32,
                code,
                title,
            )
            .await?;
        return Ok(Some(c.id));
    }
    if r.status.advance(to).is_none() {
        return Ok(None);
    }
    let stamp = match to {
        RecipientStatus::Delivered => campaign_recipient::Column::DeliveredAt,
        RecipientStatus::Read => campaign_recipient::Column::ReadAt,
        _ => campaign_recipient::Column::SentAt,
    };
    campaign_recipient::Entity::update_many()
        .filter(campaign_recipient::Column::OrgId.eq(scope.org_id))
        .filter(campaign_recipient::Column::Id.eq(r.id))
        .filter(campaign_recipient::Column::Status.eq(r.status))
        .col_expr(campaign_recipient::Column::Status, Expr::value(to))
        .col_expr(stamp, Expr::value(now()))
        .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now()))
        .exec(txn)
        .await?;
    Ok(Some(r.campaign_id))
}
