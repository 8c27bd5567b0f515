//! The dashboard and the reports, read from the rollups (one indexed range read per report)
//! and, for the funnel, from the stage history of the period. What the numbers mean is in
//! `closer_domain::reports`; this module only fetches.

use crate::entities::analytics::{campaign, rollup};
use crate::entities::{conversation, org, pipeline_stage, stage_history};
use crate::error::Result;
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use closer_domain::analytics::{Period, Report, ReportInterval, RollupMetric, zone};
use closer_domain::messaging::ConversationMode;
use closer_domain::reports::{
    self, AgentReport, CostsReport, DASHBOARD_METRICS, DashboardStats, FunnelReport, FunnelStage,
    PeakHoursReport, QueueCount, RollupRow, Rollups, SentimentReport, SourcesReport, StageMove,
    VolumeReport,
};
use closer_domain::sales::EscalationPriority;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// What a report was asked for.
#[derive(Debug, Clone, Copy)]
pub struct ReportQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub interval: ReportInterval,
}

/// A report as computed, one variant per report.
#[derive(Debug, Clone)]
pub enum ReportView {
    Volume(VolumeReport),
    Funnel(FunnelReport),
    PeakHours(PeakHoursReport),
    Sources(SourcesReport),
    Sentiment(SentimentReport),
    Agent(AgentReport),
    Costs(CostsReport),
}

/// A query whose `to` is not after its `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptyPeriod;

impl OrgScope<'_> {
    /// The organisation's timezone, which every day of a report is counted in.
    pub async fn analytics_zone(&self) -> Result<Tz> {
        let tz: Option<Option<String>> = org::Entity::find_by_id(self.org_id)
            .select_only()
            .column(org::Column::Timezone)
            .into_tuple()
            .one(&self.store.db)
            .await?;
        Ok(zone(tz.flatten().as_deref()))
    }

    /// The rollup rows of `metrics` on the days `period` touches.
    async fn rollups(&self, metrics: &[RollupMetric], period: Period, tz: Tz) -> Result<Rollups> {
        if metrics.is_empty() {
            return Ok(Rollups::default());
        }
        let (first, last) = period.days(tz);
        let rows = rollup::Entity::find()
            .filter(rollup::Column::OrgId.eq(self.org_id))
            .filter(rollup::Column::Metric.is_in(metrics.iter().copied()))
            .filter(rollup::Column::Day.between(first, last))
            .all(&self.store.db)
            .await?;
        Ok(Rollups::new(
            rows.into_iter()
                .map(|r| RollupRow {
                    metric: r.metric,
                    day: r.day,
                    dim: r.dim,
                    value: r.value,
                })
                .collect(),
        ))
    }

    /// The currency Meta's charges are reported in: the rate card's.
    async fn report_currency(&self) -> Result<String> {
        let card = crate::pricing::card_of(&self.store.db, self.org_id).await?;
        Ok(card.currency.as_str().to_owned())
    }

    /// The key numbers of the period and of the one before it, and the open queue now.
    pub async fn dashboard_stats(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<std::result::Result<DashboardStats, EmptyPeriod>> {
        let tz = self.analytics_zone().await?;
        let Some(period) = Period::asked(from, to, crate::now(), tz) else {
            return Ok(Err(EmptyPeriod));
        };
        let currency = self.report_currency().await?;
        let now = self.rollups(DASHBOARD_METRICS, period, tz).await?;
        let before = self
            .rollups(DASHBOARD_METRICS, period.previous(), tz)
            .await?;
        let queue = self.needs_human_queue().await?;
        Ok(Ok(DashboardStats {
            figures: reports::figures(&now, period, &currency),
            needs_human_open: queue.iter().map(|q| q.open).sum(),
            needs_human_by_priority: queue,
            compare: reports::figures(&before, period.previous(), &currency),
        }))
    }

    /// Open conversations waiting for a person, by priority (most urgent first).
    async fn needs_human_queue(&self) -> Result<Vec<QueueCount>> {
        let rows: Vec<Option<EscalationPriority>> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Priority)
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::NeedsHuman.eq(true))
            .filter(conversation::Column::Mode.ne(ConversationMode::Closed))
            .into_tuple()
            .all(&self.store.db)
            .await?;
        let mut counts: HashMap<Option<EscalationPriority>, i64> = HashMap::new();
        for p in rows {
            *counts.entry(p).or_default() += 1;
        }
        let order = EscalationPriority::ALL
            .iter()
            .copied()
            .map(Some)
            .chain([None]);
        Ok(order
            .map(|priority| QueueCount {
                priority,
                open: counts.get(&priority).copied().unwrap_or(0),
            })
            .collect())
    }

    /// One report of the Analytics page.
    pub async fn report(
        &self,
        report: Report,
        q: ReportQuery,
    ) -> Result<std::result::Result<ReportView, EmptyPeriod>> {
        let tz = self.analytics_zone().await?;
        let Some(period) = Period::asked(q.from, q.to, crate::now(), tz) else {
            return Ok(Err(EmptyPeriod));
        };
        let r = self
            .rollups(reports::metrics_of(report), period, tz)
            .await?;
        let view = match report {
            Report::Volume => ReportView::Volume(reports::volume(&r, period, tz, q.interval)),
            Report::PeakHours => ReportView::PeakHours(reports::peak_hours(&r, period)),
            Report::Sentiment => {
                ReportView::Sentiment(reports::sentiment(&r, period, tz, q.interval))
            }
            Report::Agent => ReportView::Agent(reports::agent(&r, period)),
            Report::Costs => {
                let currency = self.report_currency().await?;
                ReportView::Costs(reports::costs(&r, period, tz, q.interval, &currency))
            }
            Report::Sources => {
                let currency = self.report_currency().await?;
                let names = self.campaign_names().await?;
                ReportView::Sources(reports::sources(&r, period, &currency, &names))
            }
            Report::Funnel => ReportView::Funnel(self.funnel(period).await?),
        };
        Ok(Ok(view))
    }

    async fn campaign_names(&self) -> Result<HashMap<String, String>> {
        let rows = campaign::Entity::find()
            .filter(campaign::Column::OrgId.eq(self.org_id))
            .all(&self.store.db)
            .await?;
        Ok(rows.into_iter().map(|c| (c.campaign_id, c.name)).collect())
    }

    /// The funnel from the period's stage history (indexed by organisation and time).
    async fn funnel(&self, period: Period) -> Result<FunnelReport> {
        let db = &self.store.db;
        let stages: Vec<FunnelStage> = pipeline_stage::Entity::find()
            .filter(pipeline_stage::Column::OrgId.eq(self.org_id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| FunnelStage {
                id: s.id,
                name: s.name,
                kind: s.kind,
                position: s.position,
            })
            .collect();
        let moves: Vec<(Uuid, Option<Uuid>, Uuid, Option<i64>)> = stage_history::Entity::find()
            .select_only()
            .columns([
                stage_history::Column::ContactId,
                stage_history::Column::FromStageId,
                stage_history::Column::ToStageId,
                stage_history::Column::SecondsInFromStage,
            ])
            .filter(stage_history::Column::OrgId.eq(self.org_id))
            .filter(stage_history::Column::At.gte(period.from))
            .filter(stage_history::Column::At.lt(period.to))
            .order_by_asc(stage_history::Column::At)
            .order_by_asc(stage_history::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let moves: Vec<StageMove> = moves
            .into_iter()
            .map(|(lead, from, to, seconds_in_from)| StageMove {
                lead,
                from,
                to,
                seconds_in_from,
            })
            .collect();
        Ok(reports::funnel(&stages, &moves, period))
    }
}
