//! The dashboard's figures and the Analytics reports, assembled from rollup rows by pure
//! functions (the store only fetches the rows): what each number means is decided here, once,
//! and tested without a database.

use crate::agent::DecisionEngine;
use crate::analytics::{
    Period, ReportInterval, RollupMetric as M, SentimentGroup, SourceKey, bucket_start, buckets,
    day_start, from_micros, median, parse_hour_key, rate,
};
use crate::pipeline::StageKind;
use crate::sales::{EscalationPriority, LeadSource};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// The currency model providers bill in.
pub const MODEL_CURRENCY: &str = "USD";

/// One rollup row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRow {
    pub metric: M,
    pub day: NaiveDate,
    pub dim: String,
    pub value: i64,
}

/// Rollup rows summed the ways the reports need.
#[derive(Debug, Default)]
pub struct Rollups {
    rows: Vec<RollupRow>,
}

impl Rollups {
    pub fn new(rows: Vec<RollupRow>) -> Rollups {
        Rollups { rows }
    }

    fn of(&self, metric: M) -> impl Iterator<Item = &RollupRow> {
        self.rows.iter().filter(move |r| r.metric == metric)
    }

    /// The metric over every day read, all dimensions.
    pub fn total(&self, metric: M) -> i64 {
        self.of(metric).map(|r| r.value).sum()
    }

    /// The metric over the days in `[first, last]`.
    pub fn total_between(&self, metric: M, first: NaiveDate, last: NaiveDate) -> i64 {
        self.of(metric)
            .filter(|r| r.day >= first && r.day <= last)
            .map(|r| r.value)
            .sum()
    }

    /// The metric by dimension.
    pub fn by_dim(&self, metric: M) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for r in self.of(metric) {
            *out.entry(r.dim.clone()).or_default() += r.value;
        }
        out
    }

    /// The metric by the bucket of `interval` its day falls in.
    fn by_bucket(&self, metric: M, interval: ReportInterval) -> BTreeMap<NaiveDate, i64> {
        let mut out = BTreeMap::new();
        for r in self.of(metric) {
            *out.entry(bucket_start(r.day, interval)).or_default() += r.value;
        }
        out
    }

    fn by_bucket_dim(
        &self,
        metric: M,
        interval: ReportInterval,
        dim: &str,
    ) -> BTreeMap<NaiveDate, i64> {
        let mut out = BTreeMap::new();
        for r in self.of(metric).filter(|r| r.dim == dim) {
            *out.entry(bucket_start(r.day, interval)).or_default() += r.value;
        }
        out
    }

    /// Meta's charges in `currency` (micro-units).
    fn meta_micros(&self, currency: &str) -> i64 {
        self.by_dim(M::MetaCostMicros)
            .get(currency)
            .copied()
            .unwrap_or(0)
    }
}

/// A period as answered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl From<Period> for PeriodView {
    fn from(p: Period) -> Self {
        PeriodView {
            from: p.from,
            to: p.to,
        }
    }
}

/// What something cost: Meta's charges in the rate card's currency, the model's in US dollars,
/// and their sum when both are the same money (`null` across two currencies).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostView {
    /// The rate card's currency (ISO 4217), in which `meta` is counted.
    pub currency: String,
    pub meta: f64,
    /// US dollars.
    pub model: f64,
    pub total: Option<f64>,
}

impl CostView {
    pub fn of(currency: &str, meta_micros: i64, model_micros: i64) -> CostView {
        let same = currency == MODEL_CURRENCY;
        CostView {
            currency: currency.to_owned(),
            meta: from_micros(meta_micros),
            model: from_micros(model_micros),
            total: same.then(|| from_micros(meta_micros + model_micros)),
        }
    }

    /// The cost per one of `n` (rounded to 6 places): the total when there is one, else
    /// Meta's charges alone; `null` when `n` is 0.
    fn per(&self, n: i64) -> Option<f64> {
        (n > 0).then(|| {
            let amount = self.total.unwrap_or(self.meta);
            (amount / n as f64 * 1e6).round() / 1e6
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageCounts {
    #[serde(rename = "in")]
    pub inbound: i64,
    pub out: i64,
}

/// Open conversations waiting for a person, at one priority.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueCount {
    /// `null`: waiting without a priority.
    pub priority: Option<EscalationPriority>,
    pub open: i64,
}

/// The key numbers of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub period: PeriodView,
    /// Leads whose first message fell in the period.
    pub new_leads: i64,
    /// Conversations whose first message fell in the period.
    pub conversations: i64,
    pub qualified_leads: i64,
    pub won_leads: i64,
    pub lost_leads: i64,
    /// Of the period's conversations, the share that got a reply (0–1).
    pub reply_rate: f64,
    /// Of the period's conversations that got a reply, the median seconds to the first one.
    pub median_first_response_seconds: Option<f64>,
    /// The agent asked for a person.
    pub handoffs: i64,
    /// A member took a conversation over.
    pub takeovers: i64,
    pub bookings: i64,
    pub messages: MessageCounts,
    pub cost: CostView,
}

/// `GET /dashboard/stats`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardStats {
    #[serde(flatten)]
    pub figures: Figures,
    /// Open conversations waiting for a person now (not a figure of the period).
    pub needs_human_open: i64,
    pub needs_human_by_priority: Vec<QueueCount>,
    /// The same figures for the period of equal length just before.
    pub compare: Figures,
}

/// The key numbers of `period` from its rollups (read for its days).
pub fn figures(r: &Rollups, period: Period, currency: &str) -> Figures {
    let conversations = r.total(M::Conversations);
    let histogram: Vec<(i64, i64)> = r
        .by_dim(M::FirstResponseSeconds)
        .into_iter()
        .filter_map(|(s, n)| Some((s.parse().ok()?, n)))
        .collect();
    Figures {
        period: period.into(),
        new_leads: r.total(M::Leads),
        conversations,
        qualified_leads: r.total(M::Qualified),
        won_leads: r.total(M::Won),
        lost_leads: r.total(M::Lost),
        reply_rate: rate(r.total(M::Replied), conversations),
        median_first_response_seconds: median(&histogram),
        handoffs: r.total(M::Handoffs),
        takeovers: r.total(M::Takeovers),
        bookings: r.total(M::Bookings),
        messages: MessageCounts {
            inbound: r.total(M::MessagesIn),
            out: r.total(M::MessagesOut),
        },
        cost: CostView::of(
            currency,
            r.meta_micros(currency),
            r.total(M::ModelCostMicros),
        ),
    }
}

/// The buckets of a period, with the UTC moment each starts (in the organisation's timezone).
fn bucket_times(
    period: Period,
    tz: Tz,
    interval: ReportInterval,
) -> Vec<(NaiveDate, DateTime<Utc>)> {
    let (first, last) = period.days(tz);
    buckets(first, last, interval)
        .into_iter()
        .map(|d| (d, day_start(d, tz)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumePoint {
    /// When the bucket starts (midnight in the organisation's timezone).
    pub at: DateTime<Utc>,
    /// The bucket's first day, in the organisation's timezone.
    pub day: NaiveDate,
    pub leads: i64,
    pub conversations: i64,
    pub messages_in: i64,
    pub messages_out: i64,
    pub bookings: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeReport {
    pub period: PeriodView,
    pub interval: ReportInterval,
    pub series: Vec<VolumePoint>,
}

pub fn volume(r: &Rollups, period: Period, tz: Tz, interval: ReportInterval) -> VolumeReport {
    let get = |m| r.by_bucket(m, interval);
    let (leads, convs, inb, out, book) = (
        get(M::Leads),
        get(M::Conversations),
        get(M::MessagesIn),
        get(M::MessagesOut),
        get(M::Bookings),
    );
    let n = |map: &BTreeMap<NaiveDate, i64>, d| map.get(&d).copied().unwrap_or(0);
    VolumeReport {
        period: period.into(),
        interval,
        series: bucket_times(period, tz, interval)
            .into_iter()
            .map(|(day, at)| VolumePoint {
                at,
                day,
                leads: n(&leads, day),
                conversations: n(&convs, day),
                messages_in: n(&inb, day),
                messages_out: n(&out, day),
                bookings: n(&book, day),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeakCell {
    /// 0 = Monday … 6 = Sunday, in the organisation's timezone.
    pub weekday: u32,
    /// 0–23, in the organisation's timezone.
    pub hour: u32,
    pub messages_in: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeakHoursReport {
    pub period: PeriodView,
    /// All 168 cells, Monday 0:00 first.
    pub cells: Vec<PeakCell>,
}

pub fn peak_hours(r: &Rollups, period: Period) -> PeakHoursReport {
    let mut grid = [[0i64; 24]; 7];
    for (key, n) in r.by_dim(M::MessagesInByHour) {
        if let Some((w, h)) = parse_hour_key(&key) {
            grid[w as usize][h as usize] += n;
        }
    }
    let cells = (0..7u32)
        .flat_map(|weekday| (0..24u32).map(move |hour| (weekday, hour)))
        .map(|(weekday, hour)| PeakCell {
            weekday,
            hour,
            messages_in: grid[weekday as usize][hour as usize],
        })
        .collect();
    PeakHoursReport {
        period: period.into(),
        cells,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentimentPoint {
    pub at: DateTime<Utc>,
    pub day: NaiveDate,
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentimentReport {
    pub period: PeriodView,
    pub interval: ReportInterval,
    /// The lead's sentiment as each of the agent's decisions read it.
    pub series: Vec<SentimentPoint>,
}

pub fn sentiment(r: &Rollups, period: Period, tz: Tz, interval: ReportInterval) -> SentimentReport {
    let get = |g: SentimentGroup| r.by_bucket_dim(M::Sentiment, interval, g.as_str());
    let (pos, neu, neg) = (
        get(SentimentGroup::Positive),
        get(SentimentGroup::Neutral),
        get(SentimentGroup::Negative),
    );
    let n = |map: &BTreeMap<NaiveDate, i64>, d| map.get(&d).copied().unwrap_or(0);
    SentimentReport {
        period: period.into(),
        interval,
        series: bucket_times(period, tz, interval)
            .into_iter()
            .map(|(day, at)| SentimentPoint {
                at,
                day,
                positive: n(&pos, day),
                neutral: n(&neu, day),
                negative: n(&neg, day),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdRef {
    /// Meta's ad id (`source_id` of the referral).
    pub id: String,
    /// The ad's headline.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceRow {
    pub lead_source: LeadSource,
    pub campaign: Option<AdRef>,
    pub leads: i64,
    pub qualified: i64,
    pub won: i64,
    /// Meta's charges plus the model's for these leads' conversations in the period, in
    /// `currency` (Meta's alone when the rate card is not in US dollars; `model_cost` then
    /// says the model's).
    pub cost: f64,
    pub model_cost: f64,
    pub cost_per_lead: Option<f64>,
    pub cost_per_won_lead: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourcesReport {
    pub period: PeriodView,
    pub currency: String,
    /// Most leads first.
    pub items: Vec<SourceRow>,
}

pub fn sources(
    r: &Rollups,
    period: Period,
    currency: &str,
    names: &HashMap<String, String>,
) -> SourcesReport {
    let leads = r.by_dim(M::SourceLeads);
    let qualified = r.by_dim(M::SourceQualified);
    let won = r.by_dim(M::SourceWon);
    let model = r.by_dim(M::SourceModelCostMicros);
    let mut meta: BTreeMap<String, i64> = BTreeMap::new();
    for (dim, v) in r.by_dim(M::SourceMetaCostMicros) {
        if let Some((c, source)) = dim.split_once('|')
            && c == currency
        {
            *meta.entry(source.to_owned()).or_default() += v;
        }
    }
    let keys: BTreeSet<&String> = leads
        .keys()
        .chain(qualified.keys())
        .chain(won.keys())
        .chain(meta.keys())
        .chain(model.keys())
        .collect();
    let n = |map: &BTreeMap<String, i64>, k: &str| map.get(k).copied().unwrap_or(0);
    let mut items: Vec<SourceRow> = keys
        .into_iter()
        .filter_map(|k| {
            let key = SourceKey::parse(k)?;
            let cost = CostView::of(currency, n(&meta, k), n(&model, k));
            let (l, w) = (n(&leads, k), n(&won, k));
            Some(SourceRow {
                lead_source: key.lead_source,
                campaign: key.campaign_id.map(|id| AdRef {
                    name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                    id,
                }),
                leads: l,
                qualified: n(&qualified, k),
                won: w,
                cost: cost.total.unwrap_or(cost.meta),
                model_cost: cost.model,
                cost_per_lead: cost.per(l),
                cost_per_won_lead: cost.per(w),
            })
        })
        .collect();
    // Most leads first; then by source and ad, as they spell.
    let key = |i: &SourceRow| {
        (
            -i.leads,
            i.lead_source.as_str(),
            i.campaign.as_ref().map(|c| c.id.clone()),
        )
    };
    items.sort_by(|a, b| key(a).cmp(&key(b)));

    SourcesReport {
        period: period.into(),
        currency: currency.to_owned(),
        items,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EngineCounts {
    pub rules: i64,
    pub llm: i64,
    pub fallback: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenCounts {
    #[serde(rename = "in")]
    pub input: i64,
    pub out: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentReport {
    pub period: PeriodView,
    pub decisions: i64,
    pub by_engine: EngineCounts,
    /// Decisions by reason code (`cta_push`: 3, …).
    pub by_reason_code: BTreeMap<String, i64>,
    /// Share of decisions that asked for a person (0–1).
    pub handoff_rate: f64,
    /// Share of decisions that answered from the business's knowledge (0–1).
    pub answered_from_knowledge_rate: f64,
    /// Guardrail repairs by rule.
    pub guardrail_repairs: BTreeMap<String, i64>,
    /// US dollars.
    pub model_cost: f64,
    pub tokens: TokenCounts,
}

pub fn agent(r: &Rollups, period: Period) -> AgentReport {
    let engines = r.by_dim(M::Decisions);
    let engine = |e: DecisionEngine| engines.get(e.as_str()).copied().unwrap_or(0);
    let decisions = r.total(M::Decisions);
    AgentReport {
        period: period.into(),
        decisions,
        by_engine: EngineCounts {
            rules: engine(DecisionEngine::Rules),
            llm: engine(DecisionEngine::Llm),
            fallback: engine(DecisionEngine::Fallback),
        },
        by_reason_code: r.by_dim(M::DecisionReasons),
        handoff_rate: rate(r.total(M::HandoffDecisions), decisions),
        answered_from_knowledge_rate: rate(r.total(M::KnowledgeAnswers), decisions),
        guardrail_repairs: r.by_dim(M::GuardrailRepairs),
        model_cost: from_micros(r.total(M::ModelCostMicros)),
        tokens: TokenCounts {
            input: r.total(M::TokensIn),
            out: r.total(M::TokensOut),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostPoint {
    pub at: DateTime<Utc>,
    pub day: NaiveDate,
    pub meta: f64,
    pub model: f64,
    pub total: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CostsReport {
    pub period: PeriodView,
    pub interval: ReportInterval,
    /// Meta's charges are in `currency`; the model's in US dollars.
    pub currency: String,
    pub series: Vec<CostPoint>,
    pub cost: CostView,
    /// The period's cost per conversation started in it (the total, or Meta's alone across
    /// two currencies); `null` without conversations.
    pub per_conversation: Option<f64>,
    /// Per lead won in the period; `null` without a won lead.
    pub per_won_lead: Option<f64>,
}

pub fn costs(
    r: &Rollups,
    period: Period,
    tz: Tz,
    interval: ReportInterval,
    currency: &str,
) -> CostsReport {
    let meta = r.by_bucket_dim(M::MetaCostMicros, interval, currency);
    let model = r.by_bucket(M::ModelCostMicros, interval);
    let n = |map: &BTreeMap<NaiveDate, i64>, d| map.get(&d).copied().unwrap_or(0);
    let cost = CostView::of(
        currency,
        r.meta_micros(currency),
        r.total(M::ModelCostMicros),
    );
    CostsReport {
        period: period.into(),
        interval,
        currency: currency.to_owned(),
        series: bucket_times(period, tz, interval)
            .into_iter()
            .map(|(day, at)| {
                let c = CostView::of(currency, n(&meta, day), n(&model, day));
                CostPoint {
                    at,
                    day,
                    meta: c.meta,
                    model: c.model,
                    total: c.total,
                }
            })
            .collect(),
        per_conversation: cost.per(r.total(M::Conversations)),
        per_won_lead: cost.per(r.total(M::Won)),
        cost,
    }
}

/// A pipeline stage as the funnel lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelStage {
    pub id: Uuid,
    pub name: String,
    pub kind: StageKind,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelStageView {
    pub stage_id: Uuid,
    pub name: String,
    pub kind: StageKind,
    /// Leads that entered the stage for the first time in the period.
    pub entered: i64,
    /// Of those, the leads that have moved on to a later stage (not a lost one) since.
    pub converted_to_next: i64,
    pub conversion_rate: f64,
    /// Median seconds leads spent in the stage, over the moves out of it in the period (to
    /// two significant figures above 100 s).
    pub median_seconds_in_stage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelReport {
    pub period: PeriodView,
    pub stages: Vec<FunnelStageView>,
    /// Leads that first entered a won stage in the period.
    pub won: i64,
    pub lost: i64,
}

/// The funnel from the period's rollups, stages in board order.
pub fn funnel(stages: &[FunnelStage], r: &Rollups, period: Period) -> FunnelReport {
    let entered = r.by_dim(M::StageEntered);
    let converted = r.by_dim(M::StageConverted);
    let mut stayed: HashMap<Uuid, Vec<(i64, i64)>> = HashMap::new();
    for (key, n) in r.by_dim(M::StageSeconds) {
        if let Some((stage, seconds)) = crate::funnel::parse_stay_key(&key) {
            stayed.entry(stage).or_default().push((seconds, n));
        }
    }
    let count =
        |map: &BTreeMap<String, i64>, id: Uuid| map.get(&id.to_string()).copied().unwrap_or(0);
    let kind_total = |kind: StageKind| {
        stages
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| count(&entered, s.id))
            .sum()
    };
    let mut ordered: Vec<&FunnelStage> = stages.iter().collect();
    ordered.sort_by_key(|s| s.position);
    FunnelReport {
        period: period.into(),
        stages: ordered
            .into_iter()
            .map(|s| {
                let (e, c) = (count(&entered, s.id), count(&converted, s.id));
                FunnelStageView {
                    stage_id: s.id,
                    name: s.name.clone(),
                    kind: s.kind,
                    entered: e,
                    converted_to_next: c,
                    conversion_rate: rate(c, e),
                    median_seconds_in_stage: median(stayed.get(&s.id).map_or(&[][..], |v| v)),
                }
            })
            .collect(),
        won: kind_total(StageKind::Won),
        lost: kind_total(StageKind::Lost),
    }
}

/// The metrics each report reads.
pub fn metrics_of(report: crate::analytics::Report) -> &'static [M] {
    use crate::analytics::Report as R;
    match report {
        R::Volume => &[
            M::Leads,
            M::Conversations,
            M::MessagesIn,
            M::MessagesOut,
            M::Bookings,
        ],
        R::Funnel => &[M::StageEntered, M::StageConverted, M::StageSeconds],
        R::PeakHours => &[M::MessagesInByHour],
        R::Sources => &[
            M::SourceLeads,
            M::SourceQualified,
            M::SourceWon,
            M::SourceMetaCostMicros,
            M::SourceModelCostMicros,
        ],
        R::Sentiment => &[M::Sentiment],
        R::Agent => &[
            M::Decisions,
            M::DecisionReasons,
            M::HandoffDecisions,
            M::KnowledgeAnswers,
            M::GuardrailRepairs,
            M::ModelCostMicros,
            M::TokensIn,
            M::TokensOut,
        ],
        R::Costs => &[
            M::MetaCostMicros,
            M::ModelCostMicros,
            M::Conversations,
            M::Won,
        ],
    }
}

/// What the dashboard reads.
pub const DASHBOARD_METRICS: &[M] = &[
    M::Leads,
    M::Conversations,
    M::Qualified,
    M::Won,
    M::Lost,
    M::Replied,
    M::FirstResponseSeconds,
    M::Handoffs,
    M::Takeovers,
    M::Bookings,
    M::MessagesIn,
    M::MessagesOut,
    M::MetaCostMicros,
    M::ModelCostMicros,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::zone;

    fn row(metric: M, day: &str, dim: &str, value: i64) -> RollupRow {
        RollupRow {
            metric,
            day: day.parse().unwrap(),
            dim: dim.into(),
            value,
        }
    }

    fn period() -> Period {
        Period {
            from: "2026-02-28T18:30:00Z".parse().unwrap(),
            to: "2026-03-02T18:30:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn figures_add_up_the_days() {
        let r = Rollups::new(vec![
            row(M::Conversations, "2026-03-01", "-", 3),
            row(M::Conversations, "2026-03-02", "-", 1),
            row(M::Replied, "2026-03-01", "-", 2),
            row(M::FirstResponseSeconds, "2026-03-01", "30", 1),
            row(M::FirstResponseSeconds, "2026-03-02", "90", 1),
            row(M::MetaCostMicros, "2026-03-01", "USD", 115_000),
            row(M::MetaCostMicros, "2026-03-01", "INR", 999_000),
            row(M::ModelCostMicros, "2026-03-02", "-", 5_000),
        ]);
        let f = figures(&r, period(), "USD");
        assert_eq!(f.conversations, 4);
        assert_eq!(f.reply_rate, 0.5);
        assert_eq!(f.median_first_response_seconds, Some(60.0));
        assert_eq!(
            f.cost,
            CostView {
                currency: "USD".into(),
                meta: 0.115,
                model: 0.005,
                total: Some(0.12)
            }
        );
        assert_eq!(figures(&r, period(), "INR").cost.total, None);
    }

    #[test]
    fn series_cover_every_bucket_in_the_org_timezone() {
        let kolkata = zone(Some("Asia/Kolkata"));
        let r = Rollups::new(vec![row(M::Leads, "2026-03-02", "-", 2)]);
        let v = volume(&r, period(), kolkata, ReportInterval::Day);
        assert_eq!(v.series.len(), 2);
        assert_eq!(
            v.series[0].at,
            "2026-02-28T18:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!((v.series[0].leads, v.series[1].leads), (0, 2));
    }

    #[test]
    fn the_funnel_reads_its_rollups() {
        use crate::funnel::{FunnelMove, LeadFunnel, StagePlace};
        let ids: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let kinds = [
            StageKind::Open,
            StageKind::Open,
            StageKind::Won,
            StageKind::Lost,
        ];
        let stages: Vec<FunnelStage> = (0..4)
            .map(|i| FunnelStage {
                id: ids[i],
                name: format!("s{i}"),
                kind: kinds[i],
                position: i as i32,
            })
            .collect();
        let places: HashMap<Uuid, StagePlace> = stages
            .iter()
            .map(|s| {
                (
                    s.id,
                    StagePlace {
                        position: s.position,
                        kind: s.kind,
                    },
                )
            })
            .collect();
        let mv = |from: Option<usize>, to: usize, s| FunnelMove {
            from: from.map(|f| ids[f]),
            to: ids[to],
            day: "2026-03-01".parse().unwrap(),
            seconds_in_from: s,
        };
        let a = [
            mv(None, 0, None),
            mv(Some(0), 1, Some(100)),
            mv(Some(1), 0, Some(10)),
            mv(Some(0), 1, Some(300)),
            mv(Some(1), 2, Some(50)),
        ];
        let b = [mv(None, 0, None), mv(Some(0), 3, Some(20))];
        let mut rows = vec![];
        for lead in [&a[..], &b[..]] {
            let mut f = LeadFunnel::default();
            for m in lead {
                for c in f.apply(m, &places) {
                    let (metric, day, dim) = c.rollup();
                    rows.push(RollupRow {
                        metric,
                        day,
                        dim,
                        value: 1,
                    });
                }
            }
        }
        let f = funnel(&stages, &Rollups::new(rows), period());
        assert_eq!((f.stages[0].entered, f.stages[0].converted_to_next), (2, 1));
        assert_eq!(f.stages[0].median_seconds_in_stage, Some(100.0));
        assert_eq!((f.stages[1].entered, f.stages[1].converted_to_next), (1, 1));
        assert_eq!(f.stages[1].median_seconds_in_stage, Some(30.0));
        assert_eq!((f.won, f.lost), (1, 1));
    }
}
