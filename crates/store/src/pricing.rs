//! The price of every message: each organisation's rate card, the cost a message was given
//! when Meta reported its pricing, and what a conversation cost in all.

use crate::audit::{self, Actor};
use crate::entities::{decision, message, rate_card};
use crate::error::Result;
use crate::now;
use crate::team::OrgScope;
use closer_domain::contact_points::Phone;
use closer_domain::pricing::{MessageCost, MessagePricing, RateCard, message_cost};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// What one conversation cost so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationCost {
    /// The rate card's currency, in which `meta` is counted.
    pub currency: String,
    /// Meta's charges for the conversation's messages, as priced when each was reported.
    pub meta: f64,
    /// Messages Meta billed that the rate card had no price for.
    pub unpriced_messages: u64,
    /// The model's tokens, in US dollars (providers bill in dollars).
    pub model_usd: f64,
}

/// The organisation's card, or Meta's published rates until it saves its own. A stored card
/// this version cannot read is an error: the published rates would price at another card.
pub(crate) async fn card_of(db: &impl ConnectionTrait, org_id: Uuid) -> Result<RateCard> {
    let row = rate_card::Entity::find_by_id(org_id).one(db).await?;
    let card = crate::stored::optional("rate card", row.and_then(|r| r.card))?;
    Ok(card.unwrap_or_else(RateCard::published))
}

/// Keeps Meta's `pricing` on the message it is about, with the cost `card` gives it. Meta
/// repeats pricing on each status (sent, delivered, read) and statuses arrive out of order, so
/// this runs for every report, whether or not the status moved, and the last word stands.
pub(crate) async fn price_message(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    m: &message::Model,
    pricing: &MessagePricing,
    recipient: Option<&Phone>,
    card: &RateCard,
) -> Result<()> {
    let message_id = m.id;
    let cost = message_cost(pricing, recipient, card);
    // Analytics takes back the price the message had and counts the one it has now.
    let was = m.cost_amount.zip(m.cost_currency.as_deref());
    let is = cost.as_ref().map(|c| (c.amount, c.currency.as_str()));
    crate::rollups::note_price(db, org_id, m.conversation_id, m.created_at, was, is).await?;
    message::Entity::update_many()
        .col_expr(
            message::Column::Pricing,
            Expr::value(serde_json::to_value(pricing).ok()),
        )
        .col_expr(
            message::Column::CostAmount,
            Expr::value(cost.as_ref().map(|c| c.amount)),
        )
        .col_expr(
            message::Column::CostCurrency,
            Expr::value(cost.map(|c| c.currency.as_str().to_owned())),
        )
        .filter(message::Column::OrgId.eq(org_id))
        .filter(message::Column::Id.eq(message_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A stored message's pricing and cost, as the API shows them.
pub(crate) fn stored_pricing(
    m: &message::Model,
) -> Result<(Option<MessagePricing>, Option<MessageCost>)> {
    let pricing = crate::stored::optional("message pricing", m.pricing.clone())?;
    let cost = match (m.cost_amount, m.cost_currency.as_deref()) {
        (Some(amount), Some(c)) => Some(MessageCost {
            amount,
            currency: closer_domain::pricing::Currency::parse(c)
                .map_err(|e| crate::stored::unreadable("cost currency", e))?,
        }),
        _ => None,
    };
    Ok((pricing, cost))
}

impl OrgScope<'_> {
    pub async fn rate_card(&self) -> Result<RateCard> {
        card_of(&self.store.db, self.org_id).await
    }

    /// Saves a rate card (already checked). It prices messages reported from now on; what was
    /// priced before keeps the price it had, as Meta's invoice does.
    pub async fn save_rate_card(&self, actor: &Actor, card: &RateCard) -> Result<()> {
        let txn = self.store.begin_write().await?;
        let doc = serde_json::to_value(card).unwrap_or_default();
        rate_card::Entity::insert(rate_card::ActiveModel {
            org_id: Set(self.org_id),
            card: Set(Some(doc)),
            updated_at: Set(now()),
        })
        .on_conflict(
            OnConflict::column(rate_card::Column::OrgId)
                .update_columns([rate_card::Column::Card, rate_card::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "settings.rate_card.update",
            "settings:rate-card".into(),
            serde_json::json!({"currency": card.currency, "rates": card.rates.len()}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// What a conversation cost: Meta's charges summed in each currency they were priced in
    /// (the card's current currency counts; a message priced under an earlier card in another
    /// currency is left out rather than added as if it were the same money), and the model.
    pub async fn conversation_cost(&self, conversation_id: Uuid) -> Result<ConversationCost> {
        let db = &self.store.db;
        let conv = self.conversation_row(db, conversation_id).await?;
        let currency = card_of(db, self.org_id).await?.currency.as_str().to_owned();
        let priced: Vec<(Option<f64>, Option<String>)> = message::Entity::find()
            .select_only()
            .column(message::Column::CostAmount)
            .column(message::Column::CostCurrency)
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conv.id))
            .filter(message::Column::Pricing.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        let mut cost = ConversationCost {
            currency,
            meta: 0.0,
            unpriced_messages: 0,
            model_usd: 0.0,
        };
        for (amount, in_currency) in &priced {
            match (amount, in_currency) {
                (Some(a), Some(c)) if *c == cost.currency => cost.meta += a,
                (Some(_), Some(_)) => {}
                _ => cost.unpriced_messages += 1,
            }
        }
        let model: Vec<f64> = decision::Entity::find()
            .select_only()
            .column(decision::Column::CostUsd)
            .filter(decision::Column::OrgId.eq(self.org_id))
            .filter(decision::Column::ConversationId.eq(conv.id))
            .into_tuple()
            .all(db)
            .await?;
        cost.model_usd = model.iter().sum();
        cost.meta = (cost.meta * 1e6).round() / 1e6;
        cost.model_usd = (cost.model_usd * 1e6).round() / 1e6;
        Ok(cost)
    }
}
