//! Analytics: what the dashboard and the reports count, and the pure rules of counting —
//! which day (in the organisation's timezone) a moment falls on, which bucket of an interval
//! a day belongs to, what the previous period of equal length is, the median of a histogram,
//! money as integer micro-units so sums never drift. The store keeps one rollup row per
//! (organisation, day, metric, dimension) and adds to it as things happen.

use crate::sales::{LeadSource, Sentiment};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::Value;

text_enum!(
    /// One counted thing of a rollup row. The row's dimension says which one of a kind
    /// (`—` when the metric has none): an engine, a reason code, `weekday:hour`, a currency,
    /// a lead source.
    RollupMetric {
        /// Leads whose first message fell on the day.
        Leads = "leads",
        /// Conversations whose first message fell on the day.
        Conversations = "conversations",
        MessagesIn = "messages_in",
        MessagesOut = "messages_out",
        /// Lead messages by `weekday:hour` (weekday 0 = Monday) in the organisation's timezone.
        MessagesInByHour = "messages_in_by_hour",
        /// Accepted calls, demos and webinars.
        Bookings = "bookings",
        /// The agent asked for a person.
        Handoffs = "handoffs",
        /// A member took a conversation over.
        Takeovers = "takeovers",
        Qualified = "qualified",
        Won = "won",
        Lost = "lost",
        /// Conversations (dated by their first message) that got a first reply.
        Replied = "replied",
        /// First replies by how many seconds they took (dimension: the seconds): an exact
        /// histogram, so the median is exact too.
        FirstResponseSeconds = "first_response_seconds",
        /// Meta's charges in micro-units of the currency named by the dimension.
        MetaCostMicros = "meta_cost_micros",
        /// The model's cost in micro-dollars.
        ModelCostMicros = "model_cost_micros",
        TokensIn = "tokens_in",
        TokensOut = "tokens_out",
        /// The agent's decisions by engine.
        Decisions = "decisions",
        /// The agent's decisions by reason code.
        DecisionReasons = "decision_reasons",
        HandoffDecisions = "handoff_decisions",
        /// Decisions that answered from the business's knowledge.
        KnowledgeAnswers = "knowledge_answers",
        /// Guardrail repairs by rule.
        GuardrailRepairs = "guardrail_repairs",
        /// The lead's sentiment at each decision, by `positive`, `neutral`, `negative`.
        Sentiment = "sentiment",
        /// By source key (see [`SourceKey`]).
        SourceLeads = "source_leads",
        SourceQualified = "source_qualified",
        SourceWon = "source_won",
        /// Dimension `currency|source key`.
        SourceMetaCostMicros = "source_meta_cost_micros",
        SourceModelCostMicros = "source_model_cost_micros",
        /// Leads entering a pipeline stage for the first time (dimension: the stage id).
        StageEntered = "stage_entered",
        /// Of those, the leads that moved on to a later stage — counted on the day the lead
        /// first entered the stage, so a period's figure is "of the leads that entered then".
        StageConverted = "stage_converted",
        /// Moves out of a stage by how long the lead had been in it (dimension
        /// `stage id|seconds`, the seconds as [`duration_bucket`] keeps them), on the day of
        /// the move.
        StageSeconds = "stage_seconds",
    }
);

text_enum!(
    /// How a report's series is bucketed.
    ReportInterval { Day = "day", Week = "week", Month = "month" }
);

text_enum!(
    /// A report of the Analytics page (its path under `/analytics/`).
    Report {
        Volume = "volume",
        Funnel = "funnel",
        PeakHours = "peak-hours",
        Sources = "sources",
        Sentiment = "sentiment",
        Agent = "agent",
        Costs = "costs",
    }
);

text_enum!(
    /// Sentiment as the reports group it.
    SentimentGroup { Positive = "positive", Neutral = "neutral", Negative = "negative" }
);

// Part of the rollups' primary key; a key that is never an auto-incremented number.
#[cfg(feature = "sea-orm")]
impl sea_orm::TryFromU64 for RollupMetric {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("RollupMetric"))
    }
}

/// The dimension of a metric that has none.
pub const NO_DIMENSION: &str = "-";

impl SentimentGroup {
    pub fn of(s: Sentiment) -> SentimentGroup {
        match s {
            Sentiment::VeryPositive | Sentiment::Positive => SentimentGroup::Positive,
            Sentiment::Neutral => SentimentGroup::Neutral,
            Sentiment::Frustrated | Sentiment::Angry => SentimentGroup::Negative,
        }
    }
}

/// The organisation's timezone; UTC when unset or unknown.
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse().ok()).unwrap_or(Tz::UTC)
}

/// The calendar day `at` falls on in `tz`.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// `weekday:hour` of `at` in `tz` (weekday 0 = Monday … 6 = Sunday, hour 0–23).
pub fn weekday_hour(at: DateTime<Utc>, tz: Tz) -> (u32, u32) {
    let local = at.with_timezone(&tz);
    (local.weekday().num_days_from_monday(), local.hour())
}

/// The key a `messages_in_by_hour` row is kept under.
pub fn hour_key(at: DateTime<Utc>, tz: Tz) -> String {
    let (weekday, hour) = weekday_hour(at, tz);
    format!("{weekday}:{hour}")
}

/// Reads an `hour_key` back.
pub fn parse_hour_key(key: &str) -> Option<(u32, u32)> {
    let (w, h) = key.split_once(':')?;
    let (w, h) = (w.parse().ok()?, h.parse().ok()?);
    (w < 7 && h < 24).then_some((w, h))
}

/// The first day of the bucket `day` belongs to: itself, its week's Monday, its month's 1st.
pub fn bucket_start(day: NaiveDate, interval: ReportInterval) -> NaiveDate {
    match interval {
        ReportInterval::Day => day,
        ReportInterval::Week => day - Duration::days(day.weekday().num_days_from_monday() as i64),
        ReportInterval::Month => day.with_day(1).expect("every month has a 1st"),
    }
}

/// Every bucket from the one holding `first` to the one holding `last`, in order.
pub fn buckets(first: NaiveDate, last: NaiveDate, interval: ReportInterval) -> Vec<NaiveDate> {
    let mut out = vec![];
    let mut day = bucket_start(first, interval);
    while day <= last {
        out.push(day);
        day = match interval {
            ReportInterval::Day => day + Duration::days(1),
            ReportInterval::Week => day + Duration::days(7),
            ReportInterval::Month => {
                let (y, m) = (day.year(), day.month());
                let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).expect("a valid month")
            }
        };
    }
    out
}

/// The moment a local day starts in `tz` (the earliest, when a clock change repeats it).
pub fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.to_utc(),
        // Midnight skipped by a clock change: the day starts an hour later.
        chrono::LocalResult::None => tz
            .from_local_datetime(&(midnight + Duration::hours(1)))
            .earliest()
            .map(|t| t.to_utc())
            .unwrap_or_else(|| Utc.from_utc_datetime(&midnight)),
    }
}

/// A period asked for: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// The period the reader asked for, or the last 30 days: from the start of the day 29
    /// days ago (in `tz`) until now. `None` when `to` is not after `from`.
    pub fn asked(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Option<Period> {
        let to = to.unwrap_or(now);
        let from = from.unwrap_or_else(|| day_start(local_day(to, tz) - Duration::days(29), tz));
        (to > from).then_some(Period { from, to })
    }

    /// The period of equal length just before this one.
    pub fn previous(&self) -> Period {
        Period {
            from: self.from - (self.to - self.from),
            to: self.from,
        }
    }

    /// The local days the period covers, first and last (both included). Rollups are kept per
    /// day: a period counts every day it touches.
    pub fn days(&self, tz: Tz) -> (NaiveDate, NaiveDate) {
        let last = self.to - Duration::nanoseconds(1);
        (local_day(self.from, tz), local_day(last, tz))
    }
}

/// The median of a histogram of `(value, count)`: exact (the mean of the two middle values
/// when the count is even); `None` when empty.
pub fn median(histogram: &[(i64, i64)]) -> Option<f64> {
    let mut sorted: Vec<(i64, i64)> = histogram.iter().copied().filter(|(_, n)| *n > 0).collect();
    sorted.sort_unstable();
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The 0-based ranks of the middle value(s).
    let (lo, hi) = ((total - 1) / 2, total / 2);
    let at_rank = |rank: i64| {
        let mut seen = 0;
        for (value, n) in &sorted {
            seen += n;
            if rank < seen {
                return *value;
            }
        }
        unreachable!("rank below total")
    };
    Some((at_rank(lo) + at_rank(hi)) as f64 / 2.0)
}

/// The value a first response is kept under in its histogram: to the second for the first
/// ten minutes, to the minute within a day, to the hour after — so a busy year keeps a few
/// hundred rows a day at most, and a median is exact where seconds matter.
pub fn response_bucket(seconds: i64) -> i64 {
    match seconds.max(0) {
        s if s < 600 => s,
        s if s < 86_400 => s - s % 60,
        s => s - s % 3_600,
    }
}

/// The value a time spent in a stage is kept under in its histogram: to the second below 100
/// seconds, then to two significant figures (an hour and a quarter is kept as 4,500 s) — a
/// year of moves keeps at most ~90 rows per stage, decade and day, and a median stays within
/// a tenth of the truth (exact when the durations are round).
pub fn duration_bucket(seconds: i64) -> i64 {
    let s = seconds.max(0);
    let mut unit = 1;
    while s / unit >= 100 {
        unit *= 10;
    }
    s - s % unit
}

/// How a run of local days is read: the whole calendar months in it from the monthly rollups,
/// the days before and after them from the daily ones — the same sums in a twelfth of the
/// rows over a year. Both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grains {
    /// Runs of days read day by day.
    pub days: Vec<(NaiveDate, NaiveDate)>,
    /// The first days of the first and last whole months, when there is one.
    pub months: Option<(NaiveDate, NaiveDate)>,
}

/// The first day of the month `day` falls in.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    bucket_start(day, ReportInterval::Month)
}

/// Splits `[first, last]` into whole months and the days around them.
pub fn grains(first: NaiveDate, last: NaiveDate) -> Grains {
    let next_month = |d: NaiveDate| {
        buckets(d, d + Duration::days(31), ReportInterval::Month)
            .into_iter()
            .find(|m| *m > d)
            .expect("a month starts within 31 days")
    };
    let whole_from = if first.day() == 1 {
        first
    } else {
        next_month(first)
    };
    // The day after `last` starts a month when `last` ends one.
    let whole_to = month_of(last + Duration::days(1)) - Duration::days(1);
    if first > last || whole_from > whole_to {
        return Grains {
            days: if first <= last {
                vec![(first, last)]
            } else {
                vec![]
            },
            months: None,
        };
    }
    let mut days = vec![];
    if first < whole_from {
        days.push((first, whole_from - Duration::days(1)));
    }
    if whole_to < last {
        days.push((whole_to + Duration::days(1), last));
    }
    Grains {
        days,
        months: Some((whole_from, month_of(whole_to))),
    }
}

/// Money as integer micro-units (sums of many small prices stay exact).
pub fn to_micros(amount: f64) -> i64 {
    (amount * 1e6).round() as i64
}

pub fn from_micros(micros: i64) -> f64 {
    micros as f64 / 1e6
}

/// `part / whole`, 0 when there is no whole; rounded to 4 places.
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    (part as f64 / whole as f64 * 1e4).round() / 1e4
}

/// Where a lead came from, as the sources report groups it: the lead source, and for a
/// click-to-WhatsApp ad the ad (Meta's `source_id`) and its headline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceKey {
    pub lead_source: LeadSource,
    pub campaign_id: Option<String>,
}

impl SourceKey {
    /// A lead first seen with Meta's `referral` (or without one).
    pub fn of_referral(referral: Option<&Value>) -> SourceKey {
        let referral = referral.filter(|r| !r.is_null());
        SourceKey {
            lead_source: match referral {
                Some(_) => LeadSource::ClickToChatAd,
                None => LeadSource::OrganicInbound,
            },
            campaign_id: referral.and_then(ad_id),
        }
    }

    /// The key a rollup row carries: `lead_source` or `lead_source:ad id`.
    pub fn key(&self) -> String {
        match &self.campaign_id {
            Some(id) => format!("{}:{id}", self.lead_source),
            None => self.lead_source.as_str().to_owned(),
        }
    }

    pub fn parse(key: &str) -> Option<SourceKey> {
        let (source, id) = match key.split_once(':') {
            Some((s, id)) => (s, Some(id.to_owned())),
            None => (key, None),
        };
        Some(SourceKey {
            lead_source: source.parse().ok()?,
            campaign_id: id,
        })
    }
}

/// The ad a referral names (`source_id`), as text whether Meta sent a string or a number.
pub fn ad_id(referral: &Value) -> Option<String> {
    match referral.get("source_id")? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// What the report calls the ad: its headline, else its body, else its id.
pub fn ad_name(referral: &Value) -> Option<String> {
    ["headline", "body"]
        .iter()
        .filter_map(|k| referral.get(*k).and_then(Value::as_str))
        .map(str::trim)
        .find(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect())
        .or_else(|| ad_id(referral))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn days_and_hours_are_the_organisations() {
        let kolkata = zone(Some("Asia/Kolkata"));
        // 23:30 and 00:15 in Kolkata: two days, Sunday and Monday.
        let before = utc("2026-03-01T18:00:00Z");
        let after = utc("2026-03-01T18:45:00Z");
        assert_eq!(local_day(before, kolkata).to_string(), "2026-03-01");
        assert_eq!(local_day(after, kolkata).to_string(), "2026-03-02");
        assert_eq!(hour_key(before, kolkata), "6:23");
        assert_eq!(hour_key(after, kolkata), "0:0");
        assert_eq!(local_day(after, zone(None)).to_string(), "2026-03-01");
        assert_eq!(zone(Some("Not/AZone")), Tz::UTC);
        assert_eq!(parse_hour_key("6:23"), Some((6, 23)));
        assert_eq!(parse_hour_key("7:1"), None);
    }

    #[test]
    fn periods_cover_whole_local_days() {
        let kolkata = zone(Some("Asia/Kolkata"));
        let p = Period {
            from: utc("2026-02-28T18:30:00Z"),
            to: utc("2026-03-02T18:30:00Z"),
        };
        let (first, last) = p.days(kolkata);
        assert_eq!(
            (first.to_string(), last.to_string()),
            ("2026-03-01".into(), "2026-03-02".into())
        );
        assert_eq!(p.previous().to, p.from);
        assert_eq!(p.previous().from, utc("2026-02-26T18:30:00Z"));
        let now = utc("2026-03-10T12:00:00Z");
        let default = Period::asked(None, None, now, kolkata).unwrap();
        assert_eq!(default.days(kolkata).0.to_string(), "2026-02-09");
        assert_eq!(default.to, now);
        assert!(Period::asked(Some(now), Some(now), now, kolkata).is_none());
        assert_eq!(day_start(first, kolkata), p.from);
    }

    #[test]
    fn buckets_by_interval() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let weeks = buckets(d("2026-03-04"), d("2026-03-16"), ReportInterval::Week);
        assert_eq!(
            weeks,
            vec![d("2026-03-02"), d("2026-03-09"), d("2026-03-16")]
        );
        let months = buckets(d("2025-12-31"), d("2026-02-01"), ReportInterval::Month);
        assert_eq!(
            months,
            vec![d("2025-12-01"), d("2026-01-01"), d("2026-02-01")]
        );
        assert_eq!(
            buckets(d("2026-03-01"), d("2026-03-03"), ReportInterval::Day).len(),
            3
        );
    }

    #[test]
    fn medians_of_histograms() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(5, 1)]), Some(5.0));
        assert_eq!(median(&[(10, 1), (2, 1)]), Some(6.0));
        assert_eq!(median(&[(1, 2), (100, 1)]), Some(1.0));
        assert_eq!(median(&[(3, 0)]), None);
        assert_eq!(response_bucket(-3), 0);
        assert_eq!(response_bucket(599), 599);
        assert_eq!(response_bucket(661), 660);
        assert_eq!(response_bucket(90_061), 90_000);
        assert_eq!(duration_bucket(-1), 0);
        assert_eq!(duration_bucket(99), 99);
        assert_eq!(duration_bucket(4_567), 4_500);
        assert_eq!(duration_bucket(86_400), 86_000);
    }

    #[test]
    fn grains_read_whole_months_monthly() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let g = grains(d("2025-03-15"), d("2026-03-14"));
        assert_eq!(g.months, Some((d("2025-04-01"), d("2026-02-01"))));
        assert_eq!(
            g.days,
            vec![
                (d("2025-03-15"), d("2025-03-31")),
                (d("2026-03-01"), d("2026-03-14"))
            ]
        );
        let g = grains(d("2026-02-01"), d("2026-02-28"));
        assert_eq!(
            (g.months, g.days),
            (Some((d("2026-02-01"), d("2026-02-01"))), vec![])
        );
        let g = grains(d("2026-02-10"), d("2026-03-09"));
        assert_eq!(
            (g.months, g.days),
            (None, vec![(d("2026-02-10"), d("2026-03-09"))])
        );
    }

    #[test]
    fn sources_from_referrals() {
        let ad =
            json!({"source_id": "120210000000001", "headline": "Spring sale", "source_type": "ad"});
        let key = SourceKey::of_referral(Some(&ad));
        assert_eq!(key.key(), "click_to_chat_ad:120210000000001");
        assert_eq!(SourceKey::parse(&key.key()), Some(key));
        assert_eq!(ad_name(&ad).as_deref(), Some("Spring sale"));
        assert_eq!(SourceKey::of_referral(None).key(), "organic_inbound");
        assert_eq!(
            SourceKey::of_referral(Some(&Value::Null)).key(),
            "organic_inbound"
        );
        assert_eq!(rate(1, 3), 0.3333);
        assert_eq!(rate(1, 0), 0.0);
    }

    proptest! {
        #[test]
        fn the_median_splits_the_values(values in proptest::collection::vec(0i64..1000, 1..50)) {
            let hist: Vec<(i64, i64)> = values.iter().map(|v| (*v, 1)).collect();
            let m = median(&hist).unwrap();
            let below = values.iter().filter(|v| (**v as f64) < m).count();
            let above = values.iter().filter(|v| (**v as f64) > m).count();
            prop_assert!(below <= values.len() / 2 && above <= values.len() / 2);
        }

        #[test]
        fn grains_cover_every_day_once(offset in 0i64..800, len in 0i64..800) {
            let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(offset);
            let last = first + Duration::days(len);
            let g = grains(first, last);
            for d in 0..=len {
                let day = first + Duration::days(d);
                let by_day = g.days.iter().filter(|(a, b)| *a <= day && day <= *b).count();
                let by_month = g.months.iter().filter(|(a, b)| *a <= month_of(day) && month_of(day) <= *b).count();
                prop_assert_eq!(by_day + by_month, 1);
            }
            // A month read whole lies inside the run.
            if let Some((a, b)) = g.months {
                prop_assert!(a >= first && month_of(last + Duration::days(1)) > b);
            }
        }

        #[test]
        fn a_duration_bucket_is_within_a_tenth(s in 0i64..100_000_000) {
            let b = duration_bucket(s);
            prop_assert!(b <= s && (s - b) * 10 <= s.max(1));
        }

        #[test]
        fn every_day_lands_in_exactly_one_bucket(offset in 0i64..800, len in 0i64..120) {
            let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(offset);
            let last = first + Duration::days(len);
            for interval in ReportInterval::ALL {
                let b = buckets(first, last, *interval);
                for d in 0..=len {
                    let day = first + Duration::days(d);
                    let n = b.iter().filter(|s| bucket_start(day, *interval) == **s).count();
                    prop_assert_eq!(n, 1);
                }
            }
        }
    }
}
