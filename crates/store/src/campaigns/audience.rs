//! The audience: who a campaign's filter selects, who of them is excluded and why (the
//! domain's first reason), the pre-flight that shows it all before anything is sent, and the
//! start that freezes it into `campaign_recipients`.

use super::{CampaignError, CampaignRecord, Variables, enqueue_sender};
use crate::audit::{self, Actor};
use crate::entities::{campaign, campaign_recipient, lead, message, org};
use crate::error::{Result, StoreError};
use crate::leads::LeadFilter;
use crate::team::OrgScope;
use crate::templates::TemplateRecord;
use crate::{new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::campaigns::{
    AudienceLead, CampaignCommand, PreflightIssue, RecipientReason, RecipientStatus, exclusion,
    messaging_limit,
};
use closer_domain::contact_points::Phone;
use closer_domain::leads::tag_folded;
use closer_domain::messaging::{Direction, MessageType, QualityRating};
use closer_domain::pricing::PricingCategory;
use closer_domain::send_policy::TemplateCategory;
use closer_domain::templates::{TemplateStatus, variable_keys};
use futures_util::TryStreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// One lead of the audience, with the reason it gets nothing (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRecipient {
    pub lead_id: Uuid,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub excluded: Option<RecipientReason>,
}

/// The remaining messaging limit in the rolling 24 hours.
#[derive(Debug, Clone, PartialEq)]
pub struct PreflightLimit {
    pub tier: Option<String>,
    pub limit: Option<u64>,
    pub used_24h: u64,
    pub remaining: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PreflightTemplate {
    pub id: Uuid,
    pub name: String,
    pub category: TemplateCategory,
    pub status: TemplateStatus,
    pub quality: Option<QualityRating>,
}

/// What starting the campaign now would do; nothing is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Preflight {
    pub recipients: u64,
    pub excluded: BTreeMap<RecipientReason, u64>,
    pub messaging_limit: PreflightLimit,
    pub over_limit_by: u64,
    pub template: Option<PreflightTemplate>,
    pub currency: String,
    pub estimated_cost: f64,
    pub cost_by_country: BTreeMap<String, f64>,
    pub blocking: Vec<PreflightIssue>,
    pub warnings: Vec<PreflightIssue>,
    pub duration_seconds: u64,
}

/// The template's placeholders with no mapping in the campaign's variables or its own.
pub fn unmapped(template: &TemplateRecord, own: Option<&Variables>) -> Vec<String> {
    variable_keys(&template.content)
        .into_iter()
        .filter(|k| !own.is_some_and(|v| v.contains_key(k)) && !template.variables.contains_key(k))
        .collect()
}

/// The mapping a send uses: the template's own, overridden by the campaign's.
pub(crate) fn mapping_of(template: &TemplateRecord, own: Option<&Variables>) -> Variables {
    let mut m = template.variables.clone();
    if let Some(own) = own {
        m.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    m
}

pub(super) fn pricing_category(c: TemplateCategory) -> PricingCategory {
    match c {
        TemplateCategory::Marketing => PricingCategory::Marketing,
        TemplateCategory::Utility => PricingCategory::Utility,
        TemplateCategory::Authentication => PricingCategory::Authentication,
    }
}

/// What the audience needs of a lead.
#[derive(sea_orm::FromQueryResult)]
struct AudienceRow {
    id: Uuid,
    phone: Option<String>,
    name: Option<String>,
    profile_name: Option<String>,
    opted_out: bool,
    erased_at: Option<DateTime<Utc>>,
    marketing_opt_out: bool,
    tags: Option<serde_json::Value>,
}

impl OrgScope<'_> {
    /// Every lead `f` selects (and, with `all_tags`, that carries each of them), in id order,
    /// one recipient per phone, each with its first exclusion reason.
    pub async fn plan_audience(
        &self,
        f: &LeadFilter,
        all_tags: Option<&[String]>,
        marketing: bool,
    ) -> Result<Vec<PlannedRecipient>> {
        let cond = self.filter_condition(f);
        let capped = self.marketing_capped().await?;
        let wanted: Vec<String> = all_tags
            .unwrap_or_default()
            .iter()
            .map(|t| tag_folded(t))
            .collect();
        let at = now();
        let (mut out, mut seen) = (vec![], HashSet::new());
        // One statement read as it comes: paging by id would evaluate the filter's tag
        // subquery again for every page (on SQLite, 100 pages × 100,000 tagged leads made a
        // start answer after the request's 30 s), and whole rows would hold every column.
        let mut rows = lead::Entity::find()
            .filter(cond)
            .select_only()
            .columns([
                lead::Column::Id,
                lead::Column::Phone,
                lead::Column::Name,
                lead::Column::ProfileName,
                lead::Column::OptedOut,
                lead::Column::ErasedAt,
                lead::Column::MarketingOptOut,
                lead::Column::Tags,
            ])
            .order_by_asc(lead::Column::Id)
            .into_model::<AudienceRow>()
            .stream(&self.store.db)
            .await?;
        while let Some(l) = rows.try_next().await? {
            if !wanted.is_empty() && !has_all_tags(l.tags.as_ref(), &wanted) {
                continue;
            }
            let phone = l.phone.filter(|p| !p.trim().is_empty());
            let facts = AudienceLead {
                phone: phone.clone(),
                opted_out: l.opted_out || l.erased_at.is_some(),
                marketing_opt_out: l.marketing_opt_out,
                marketing_capped_at: capped.get(&l.id).copied(),
            };
            let dup = phone.as_ref().is_some_and(|p| seen.contains(p));
            let excluded = exclusion(&facts, marketing, dup, at);
            if excluded.is_none()
                && let Some(p) = &phone
            {
                seen.insert(p.clone());
            }
            out.push(PlannedRecipient {
                lead_id: l.id,
                phone,
                name: l.name.or(l.profile_name),
                excluded,
            });
        }
        Ok(out)
    }

    /// Leads Meta refused a marketing template (131049) in the last 24 hours, and when.
    async fn marketing_capped(&self) -> Result<BTreeMap<Uuid, DateTime<Utc>>> {
        let since = now() - Duration::hours(24);
        let rows: Vec<(Uuid, DateTime<Utc>)> = campaign_recipient::Entity::find()
            .select_only()
            .column(campaign_recipient::Column::LeadId)
            .column(campaign_recipient::Column::UpdatedAt)
            .filter(campaign_recipient::Column::OrgId.eq(self.org_id))
            .filter(campaign_recipient::Column::ErrorCode.eq(131049))
            .filter(campaign_recipient::Column::UpdatedAt.gt(since))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Distinct leads we sent a template to in the rolling 24 hours: what Meta's messaging
    /// limit counts (business-initiated conversations).
    pub async fn templates_used_24h(&self) -> Result<u64> {
        let since = now() - Duration::hours(24);
        let n = message::Entity::find()
            .select_only()
            .column(message::Column::ConversationId)
            .distinct()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::Direction.eq(Direction::Outbound))
            .filter(message::Column::Kind.eq(MessageType::Template))
            .filter(message::Column::CreatedAt.gt(since))
            .count(&self.store.db)
            .await?;
        Ok(n)
    }

    /// The pre-flight of `c` over its planned audience.
    pub async fn preflight(
        &self,
        c: &CampaignRecord,
        planned: &[PlannedRecipient],
        number_rate: u32,
    ) -> Result<Preflight> {
        let template = match c.template_id {
            Some(id) => match self.template(id).await {
                Ok(t) => Some(t),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let account = self.whatsapp().await?;
        let (mut excluded, mut recipients) = (BTreeMap::new(), 0u64);
        for p in planned {
            match p.excluded {
                Some(r) => *excluded.entry(r).or_insert(0u64) += 1,
                None => recipients += 1,
            }
        }
        let tier = account.as_ref().and_then(|a| a.messaging_limit.clone());
        let limit = messaging_limit(tier.as_deref());
        let used_24h = self.templates_used_24h().await?;
        let remaining = limit.map(|l| l.saturating_sub(used_24h));
        let over_limit_by = remaining.map_or(0, |r| recipients.saturating_sub(r));
        let card = self.rate_card().await?;
        let category = template.as_ref().map(|t| pricing_category(t.category()));
        let mut cost_by_country: BTreeMap<String, f64> = BTreeMap::new();
        let mut estimated = 0.0;
        if let Some(category) = category {
            for p in planned.iter().filter(|p| p.excluded.is_none()) {
                let country = p
                    .phone
                    .as_deref()
                    .and_then(|ph| Phone::from_stored(ph).ok())
                    .and_then(|ph| ph.country());
                let price = card
                    .price(country.as_deref(), category)
                    .map_or(0.0, |p| p.amount());
                estimated += price;
                *cost_by_country
                    .entry(country.unwrap_or_else(|| "*".into()))
                    .or_insert(0.0) += price;
            }
        }
        let mut issues = vec![];
        if template
            .as_ref()
            .is_none_or(|t| t.status != TemplateStatus::Approved)
        {
            issues.push(PreflightIssue::TemplateNotApproved);
        }
        if account
            .as_ref()
            .is_none_or(|a| a.status != closer_domain::messaging::NumberStatus::Connected)
        {
            issues.push(PreflightIssue::WhatsappNotConnected);
        }
        if recipients == 0 {
            issues.push(PreflightIssue::EmptyAudience);
        }
        if over_limit_by > 0 {
            issues.push(PreflightIssue::OverMessagingLimit);
        }
        if template
            .as_ref()
            .and_then(|t| t.quality)
            .is_some_and(|q| matches!(q, QualityRating::Red | QualityRating::Yellow))
        {
            issues.push(PreflightIssue::TemplateQualityLow);
        }
        if !excluded.is_empty() {
            issues.push(PreflightIssue::SomeExcluded);
        }
        let rate = c.pacing.rate_per_second.min(number_rate).max(1);
        let (blocking, warnings) = issues.into_iter().partition(|i| i.blocks());
        Ok(Preflight {
            recipients,
            excluded,
            messaging_limit: PreflightLimit {
                tier,
                limit,
                used_24h,
                remaining,
            },
            over_limit_by,
            template: template.map(|t| PreflightTemplate {
                id: t.id,
                name: t.content.name.clone(),
                category: t.category(),
                status: t.status,
                quality: t.quality,
            }),
            currency: card.currency.as_str().to_owned(),
            estimated_cost: (estimated * 10_000.0).round() / 10_000.0,
            cost_by_country,
            blocking,
            warnings,
            duration_seconds: recipients.div_ceil(u64::from(rate)),
        })
    }

    /// The organisation's timezone (a local-time schedule falls in it).
    pub async fn org_timezone(&self) -> Result<Option<String>> {
        Ok(org::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .and_then(|o| o.timezone))
    }

    /// Starts the campaign: its audience frozen into recipients (the excluded ones `skipped`
    /// with their reason), each due at `due_of` it (a local-time schedule falls in each
    /// lead's own timezone), and its sender job queued for the first — all in one
    /// transaction, so a start happens once whatever races.
    pub async fn start_campaign(
        &self,
        actor: &Actor,
        c: &CampaignRecord,
        planned: &[PlannedRecipient],
        due_of: impl Fn(&PlannedRecipient) -> DateTime<Utc>,
        later: bool,
    ) -> Result<CampaignRecord> {
        let first_due = planned
            .iter()
            .filter(|p| p.excluded.is_none())
            .map(&due_of)
            .min()
            .unwrap_or_else(now);
        let txn = self.store.begin_write().await?;
        let current = self.campaign_row(&txn, c.id).await?;
        let Some(to) = self
            .move_campaign(&txn, &current, CampaignCommand::Start { later }, None)
            .await?
        else {
            return Err(CampaignError::Status(current.status).into());
        };
        let at = now();
        let mut excluded: BTreeMap<RecipientReason, u64> = BTreeMap::new();
        for chunk in planned.chunks(500) {
            let rows = chunk.iter().map(|p| {
                if let Some(r) = p.excluded {
                    *excluded.entry(r).or_insert(0) += 1;
                }
                campaign_recipient::ActiveModel::from(campaign_recipient::Model {
                    id: new_id(),
                    org_id: self.org_id,
                    campaign_id: c.id,
                    lead_id: p.lead_id,
                    conversation_id: None,
                    phone: p.phone.clone(),
                    name: p.name.clone(),
                    status: if p.excluded.is_some() {
                        RecipientStatus::Skipped
                    } else {
                        RecipientStatus::Pending
                    },
                    reason: p.excluded,
                    error_code: None,
                    error_title: None,
                    attempts: 0,
                    cap_retries: 0,
                    due_at: due_of(p),
                    retry_at: None,
                    lease_until: None,
                    message_id: None,
                    provider_message_id: None,
                    sent_at: None,
                    delivered_at: None,
                    read_at: None,
                    replied_at: None,
                    failed_at: None,
                    created_at: at,
                    updated_at: at,
                })
            });
            campaign_recipient::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await?;
        }
        campaign::Entity::update_many()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .filter(campaign::Column::Id.eq(c.id))
            .col_expr(campaign::Column::Excluded, Expr::value(json!(excluded)))
            .col_expr(campaign::Column::StartedAt, Expr::value(at))
            .exec(&txn)
            .await?;
        enqueue_sender(&txn, self.org_id, c.id, first_due).await?;
        audit::record(
            &txn,
            self.org_id,
            Some(actor),
            "campaign.start",
            format!("campaign:{}", c.id),
            json!({ "status": to, "recipients": planned.len(), "excluded": excluded }),
        )
        .await?;
        txn.commit().await?;
        if planned.len() >= ANALYZE_FROM {
            // The sender claims these rows one by one from now on: plan by what is there.
            self.store
                .analyze_after_bulk_write(&["campaign_recipients"])
                .await?;
        }
        self.campaign(c.id).await
    }
}

/// From how many recipients a start refreshes the planner's statistics of the table.
const ANALYZE_FROM: usize = 1_000;

fn has_all_tags(tags: Option<&serde_json::Value>, wanted: &[String]) -> bool {
    let tags: Vec<String> = tags
        .and_then(|t| t.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str())
                .map(tag_folded)
                .collect()
        })
        .unwrap_or_default();
    wanted.iter().all(|w| tags.contains(w))
}
