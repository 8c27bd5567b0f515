//! The dashboard and the reports, read from the rollups: totals of a period from whole months
//! and the days around them, series day by day — never from messages or the stage history
//! (but for the funnel of a saved view's leads, which reads those leads' history). What the numbers mean is in
//! `closer_domain::reports`; this module only fetches.

use crate::entities::analytics::{campaign, rollup, rollup_month};
use crate::entities::{conversation, lead, org, pipeline_stage, stage_history};
use crate::error::Result;
use crate::leads::LeadFilter;
use crate::rollups::{HistoryRow, funnel_move, stage_places};
use crate::team::OrgScope;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use closer_domain::analytics::{Period, Report, ReportInterval, RollupMetric, grains, zone};
use closer_domain::funnel::LeadFunnel;
use closer_domain::messaging::ConversationMode;
use closer_domain::reports::{
    self, AgentReport, CostsReport, DASHBOARD_METRICS, DashboardStats, FunnelReport, FunnelStage,
    PeakHoursReport, QueueCount, RollupRow, Rollups, SentimentReport, SourcesReport, VolumeReport,
};
use closer_domain::sales::EscalationPriority;
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// `SUM(value)` as a 64-bit integer on both databases (PostgreSQL sums bigints as numeric).
fn summed() -> SimpleExpr {
    Expr::cust("CAST(SUM(value) AS BIGINT)")
}

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

    /// The sums of `metrics` by dimension over the days `period` touches: whole calendar
    /// months from the monthly rollups, the days around them from the daily ones, summed by
    /// the database (a year reads a few thousand rows). For figures that are totals of the
    /// period; the rows carry the period's first day.
    async fn rollup_totals(
        &self,
        metrics: &[RollupMetric],
        period: Period,
        tz: Tz,
    ) -> Result<Rollups> {
        if metrics.is_empty() {
            return Ok(Rollups::default());
        }
        let (first, last) = period.days(tz);
        let g = grains(first, last);
        let db = &self.store.db;
        let mut sums: Vec<(RollupMetric, String, i64)> = vec![];
        for (from, to) in g.days {
            sums.extend(
                rollup::Entity::find()
                    .select_only()
                    .columns([rollup::Column::Metric, rollup::Column::Dim])
                    .column_as(summed(), "value")
                    .filter(rollup::Column::OrgId.eq(self.org_id))
                    .filter(rollup::Column::Metric.is_in(metrics.iter().copied()))
                    .filter(rollup::Column::Day.between(from, to))
                    .group_by(rollup::Column::Metric)
                    .group_by(rollup::Column::Dim)
                    .into_tuple::<(RollupMetric, String, i64)>()
                    .all(db)
                    .await?,
            );
        }
        if let Some((from, to)) = g.months {
            sums.extend(
                rollup_month::Entity::find()
                    .select_only()
                    .columns([rollup_month::Column::Metric, rollup_month::Column::Dim])
                    .column_as(summed(), "value")
                    .filter(rollup_month::Column::OrgId.eq(self.org_id))
                    .filter(rollup_month::Column::Metric.is_in(metrics.iter().copied()))
                    .filter(rollup_month::Column::Month.between(from, to))
                    .group_by(rollup_month::Column::Metric)
                    .group_by(rollup_month::Column::Dim)
                    .into_tuple::<(RollupMetric, String, i64)>()
                    .all(db)
                    .await?,
            );
        }
        Ok(Rollups::new(
            sums.into_iter()
                .map(|(metric, dim, value)| RollupRow {
                    metric,
                    day: first,
                    dim,
                    value,
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
        let now = self.rollup_totals(DASHBOARD_METRICS, period, tz).await?;
        let before = self
            .rollup_totals(DASHBOARD_METRICS, period.previous(), tz)
            .await?;
        let queue = self.needs_human_queue().await?;
        Ok(Ok(DashboardStats {
            figures: reports::figures(&now, period, &currency),
            needs_human_open: queue.iter().map(|q| q.open).sum(),
            needs_human_by_priority: queue,
            compare: reports::figures(&before, period.previous(), &currency),
        }))
    }

    /// Open conversations waiting for a person, by priority (most urgent first), counted by
    /// the database from its index.
    async fn needs_human_queue(&self) -> Result<Vec<QueueCount>> {
        let rows: Vec<(Option<EscalationPriority>, i64)> = conversation::Entity::find()
            .select_only()
            .column(conversation::Column::Priority)
            .column_as(Expr::cust("COUNT(*)"), "open")
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::NeedsHuman.eq(true))
            .filter(conversation::Column::Mode.ne(ConversationMode::Closed))
            .group_by(conversation::Column::Priority)
            .into_tuple()
            .all(&self.store.db)
            .await?;
        let counts: HashMap<Option<EscalationPriority>, i64> = rows.into_iter().collect();
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
        let metrics = reports::metrics_of(report);
        // Series need their days; every other report is a total of the period.
        let r = match report {
            Report::Volume | Report::Sentiment | Report::Costs => {
                self.rollups(metrics, period, tz).await?
            }
            _ => self.rollup_totals(metrics, period, tz).await?,
        };
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
            Report::Funnel => {
                ReportView::Funnel(reports::funnel(&self.funnel_stages().await?, &r, period))
            }
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

    async fn funnel_stages(&self) -> Result<Vec<FunnelStage>> {
        Ok(pipeline_stage::Entity::find()
            .filter(pipeline_stage::Column::OrgId.eq(self.org_id))
            .all(&self.store.db)
            .await?
            .into_iter()
            .map(|s| FunnelStage {
                id: s.id,
                name: s.name,
                kind: s.kind,
                position: s.position,
            })
            .collect())
    }

    /// The funnel of the leads a filter (a saved view's) selects: their whole stage history
    /// through the rule the rollups are kept with, the counts of the period's days kept — the
    /// figures the rollups would give if they were kept for these leads alone.
    pub async fn funnel_of_leads(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        leads: &LeadFilter,
    ) -> Result<std::result::Result<FunnelReport, EmptyPeriod>> {
        let tz = self.analytics_zone().await?;
        let Some(period) = Period::asked(from, to, crate::now(), tz) else {
            return Ok(Err(EmptyPeriod));
        };
        let db = &self.store.db;
        let chosen = Query::select()
            .column(lead::Column::Id)
            .from(lead::Entity)
            .cond_where(self.filter_condition(leads))
            .to_owned();
        let history: Vec<HistoryRow> = stage_history::Entity::find()
            .select_only()
            .columns([
                stage_history::Column::ContactId,
                stage_history::Column::FromStageId,
                stage_history::Column::ToStageId,
                stage_history::Column::SecondsInFromStage,
                stage_history::Column::At,
            ])
            .filter(stage_history::Column::OrgId.eq(self.org_id))
            .filter(stage_history::Column::ContactId.in_subquery(chosen))
            .order_by_asc(stage_history::Column::ContactId)
            .order_by_asc(stage_history::Column::At)
            .order_by_asc(stage_history::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        let stages = stage_places(db, Some(self.org_id)).await?;
        let (first, last) = period.days(tz);
        let mut funnels: HashMap<Uuid, LeadFunnel> = HashMap::new();
        let mut rows = vec![];
        for row in &history {
            let counts = funnels
                .entry(row.0)
                .or_default()
                .apply(&funnel_move(row, tz), &stages);
            for c in counts {
                let (metric, day, dim) = c.rollup();
                if (first..=last).contains(&day) {
                    rows.push(RollupRow {
                        metric,
                        day,
                        dim,
                        value: 1,
                    });
                }
            }
        }
        Ok(Ok(reports::funnel(
            &self.funnel_stages().await?,
            &Rollups::new(rows),
            period,
        )))
    }
}
