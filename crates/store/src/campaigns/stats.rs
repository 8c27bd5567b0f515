//! A campaign's numbers: recipients per status, rates of those reached, cost (estimated from
//! the rate card, billed from Meta's pricing on each status), the send rate of the last ten
//! seconds and the time left; and its recipients, page by page.

use super::CampaignRecord;
use crate::entities::{campaign_recipient, message};
use crate::error::Result;
use crate::now;
use crate::team::OrgScope;
use chrono::{DateTime, Duration, Utc};
use closer_domain::campaigns::{RecipientCounts, RecipientReason, RecipientStatus, rate_of};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub struct CampaignStats {
    pub recipients: u64,
    pub excluded: BTreeMap<RecipientReason, u64>,
    pub counts: RecipientCounts,
    pub delivered_rate: f64,
    pub read_rate: f64,
    pub replied_rate: f64,
    pub currency: String,
    pub estimated_cost: f64,
    pub billed_cost: f64,
    pub sends_per_second: f64,
    pub eta_seconds: Option<u64>,
}

/// One recipient as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipientItem {
    pub id: Uuid,
    pub lead_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub status: RecipientStatus,
    pub reason: Option<RecipientReason>,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    pub attempts: i32,
    pub due_at: DateTime<Utc>,
    pub retry_at: Option<DateTime<Utc>>,
    pub provider_message_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct RecipientPage {
    pub items: Vec<RecipientItem>,
    pub next: Option<Uuid>,
}

fn item(m: campaign_recipient::Model) -> RecipientItem {
    RecipientItem {
        id: m.id,
        lead_id: m.lead_id,
        conversation_id: m.conversation_id,
        phone: m.phone,
        name: m.name,
        status: m.status,
        reason: m.reason,
        error_code: m.error_code,
        error_title: m.error_title,
        attempts: m.attempts,
        due_at: m.due_at,
        retry_at: m.retry_at,
        provider_message_id: m.provider_message_id,
        sent_at: m.sent_at,
        delivered_at: m.delivered_at,
        read_at: m.read_at,
        replied_at: m.replied_at,
        failed_at: m.failed_at,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

impl OrgScope<'_> {
    /// Recipients per status.
    pub async fn recipient_counts(&self, campaign_id: Uuid) -> Result<RecipientCounts> {
        let rows: Vec<(RecipientStatus, i64)> = campaign_recipient::Entity::find()
            .select_only()
            .column(campaign_recipient::Column::Status)
            .column_as(
                sea_orm::ExprTrait::count(Expr::col(campaign_recipient::Column::Id)),
                "n",
            )
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
            .group_by(campaign_recipient::Column::Status)
            .into_tuple()
            .all(&self.store.db)
            .await?;
        let mut counts = RecipientCounts::default();
        for (s, n) in rows {
            counts.add(s, n.max(0) as u64);
        }
        Ok(counts)
    }

    /// Sends Meta took in the last ten seconds, per second.
    pub async fn sends_per_second(&self, campaign_id: Uuid) -> Result<f64> {
        let since = now() - Duration::seconds(10);
        let n = campaign_recipient::Entity::find()
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
            .filter(campaign_recipient::Column::SentAt.gt(since))
            .count(&self.store.db)
            .await?;
        Ok(n as f64 / 10.0)
    }

    pub async fn campaign_stats(&self, c: &CampaignRecord) -> Result<CampaignStats> {
        let counts = self.recipient_counts(c.id).await?;
        let reached = counts.reached();
        let card = self.rate_card().await?;
        let estimated = self.estimated_cost(c, &card).await?;
        let billed: Option<f64> = message::Entity::find()
            .select_only()
            .column_as(
                sea_orm::ExprTrait::sum(Expr::col(message::Column::CostAmount)),
                "billed",
            )
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(
                message::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(campaign_recipient::Column::MessageId)
                        .from(campaign_recipient::Entity)
                        .and_where(campaign_recipient::Column::OrgId.eq(self.org_id))
                        .and_where(campaign_recipient::Column::CampaignId.eq(c.id))
                        .and_where(campaign_recipient::Column::MessageId.is_not_null())
                        .to_owned(),
                ),
            )
            .into_tuple::<Option<f64>>()
            .one(&self.store.db)
            .await?
            .flatten();
        let sends_per_second = self.sends_per_second(c.id).await?;
        let pace = f64::from(c.pacing.rate_per_second.max(1));
        let open = counts.open();
        let eta_seconds = (open > 0).then(|| {
            let rate = if sends_per_second > 0.0 {
                sends_per_second
            } else {
                pace
            };
            (open as f64 / rate).ceil() as u64
        });
        let total = reached + open + counts.failed + counts.skipped;
        let recipients = total.saturating_sub(c.excluded.values().sum::<u64>());
        Ok(CampaignStats {
            recipients,
            excluded: c.excluded.clone(),
            counts,
            delivered_rate: rate_of(counts.delivered + counts.read + counts.replied, reached),
            read_rate: rate_of(counts.read + counts.replied, reached),
            replied_rate: rate_of(counts.replied, reached),
            currency: card.currency.as_str().to_owned(),
            estimated_cost: (estimated * 10_000.0).round() / 10_000.0,
            billed_cost: billed.unwrap_or(0.0),
            sends_per_second,
            eta_seconds,
        })
    }

    /// The rate card's price of every recipient not skipped, by their phone's country (as the
    /// pre-flight estimated it).
    async fn estimated_cost(
        &self,
        c: &CampaignRecord,
        card: &closer_domain::pricing::RateCard,
    ) -> Result<f64> {
        let Some(template) = c.template_id else {
            return Ok(0.0);
        };
        let category = match self.template(template).await {
            Ok(t) => super::audience::pricing_category(t.category()),
            Err(crate::StoreError::NotFound) => return Ok(0.0),
            Err(e) => return Err(e),
        };
        let phones: Vec<Option<String>> = campaign_recipient::Entity::find()
            .select_only()
            .column(campaign_recipient::Column::Phone)
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(c.id))
            .filter(campaign_recipient::Column::Status.ne(RecipientStatus::Skipped))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(phones
            .iter()
            .map(|p| {
                let country = p
                    .as_deref()
                    .and_then(|p| closer_domain::contact_points::Phone::from_stored(p).ok())
                    .and_then(|p| p.country());
                card.price(country.as_deref(), category)
                    .map_or(0.0, |p| p.amount())
            })
            .sum())
    }

    /// A page of the campaign's recipients in order, after `after`.
    pub async fn campaign_recipients(
        &self,
        campaign_id: Uuid,
        status: Option<RecipientStatus>,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<RecipientPage> {
        let mut q = campaign_recipient::Entity::find()
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::CampaignId.eq(campaign_id));
        if let Some(s) = status {
            q = q.filter(campaign_recipient::Column::Status.eq(s));
        }
        if let Some(a) = after {
            q = q.filter(campaign_recipient::Column::Id.gt(a));
        }
        let mut rows = q
            .order_by_asc(campaign_recipient::Column::Id)
            .limit(limit + 1)
            .all(&self.store.db)
            .await?;
        let next = (rows.len() as u64 > limit).then(|| {
            rows.truncate(limit as usize);
            rows.last().map(|r| r.id)
        });
        Ok(RecipientPage {
            items: rows.into_iter().map(item).collect(),
            next: next.flatten(),
        })
    }
}
