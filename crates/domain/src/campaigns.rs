//! Broadcasts (campaigns): a template sent to a frozen audience, paced to what Meta allows.
//! The rules live here, pure: which transitions a campaign may make, who of an audience is
//! excluded and why, how a recipient's status only moves forward, how each of Meta's errors
//! is routed, and how sends are spaced per campaign and per number. The store executes them.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

text_enum!(
    /// Where a campaign is in its life.
    CampaignStatus {
        Draft = "draft",
        Scheduled = "scheduled",
        Running = "running",
        Paused = "paused",
        Completed = "completed",
        Cancelled = "cancelled",
    }
);

impl CampaignStatus {
    /// Its settings may still change (nothing is frozen yet or the start is still ahead).
    pub fn editable(self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Scheduled)
    }

    pub fn is_finished(self) -> bool {
        matches!(self, CampaignStatus::Completed | CampaignStatus::Cancelled)
    }
}

/// What happens to a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignCommand {
    /// A person starts it: `later` when its schedule is in the future.
    Start {
        later: bool,
    },
    /// Its scheduled time came.
    Due,
    Pause,
    Resume,
    Cancel,
    /// Every recipient reached an end.
    Complete,
}

/// `draft` → `scheduled` → `running` ⇄ `paused` → `completed` | `cancelled`. `None`: the
/// command does not apply in that status.
pub fn transition(from: CampaignStatus, cmd: CampaignCommand) -> Option<CampaignStatus> {
    use CampaignCommand as C;
    use CampaignStatus as S;
    match (from, cmd) {
        (S::Draft, C::Start { later: true }) => Some(S::Scheduled),
        (S::Draft, C::Start { later: false }) => Some(S::Running),
        (S::Scheduled, C::Due) => Some(S::Running),
        (S::Running, C::Pause) => Some(S::Paused),
        (S::Paused, C::Resume) => Some(S::Running),
        (S::Draft | S::Scheduled | S::Running | S::Paused, C::Cancel) => Some(S::Cancelled),
        (S::Running, C::Complete) => Some(S::Completed),
        _ => None,
    }
}

text_enum!(
    /// Why a campaign stopped sending until a person resumes it.
    PausedReason {
        User = "user",
        TemplatePaused = "template_paused",
        TemplateDisabled = "template_disabled",
        /// Ten template errors (1320xx) in a row.
        TemplateError = "template_error",
        AccountRestricted = "account_restricted",
        WhatsappDisconnected = "whatsapp_disconnected",
    }
);

text_enum!(
    /// How an audience's tags combine.
    TagsMatch {
        Any = "any",
        All = "all",
    }
);

// Written out: the enum is declared by `text_enum!`, which derives no `Default`.
#[allow(clippy::derivable_impls)]
impl Default for TagsMatch {
    fn default() -> Self {
        TagsMatch::Any
    }
}

/// Who a campaign goes to; every part given must hold (AND). Frozen at start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Audience {
    /// A saved view of the leads list (its filter and search).
    #[serde(default)]
    pub view_id: Option<uuid::Uuid>,
    /// The CRM's filter document `[{field, operator, value, glue}]`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<Object>>))]
    pub filter: Option<serde_json::Value>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub tags_match: TagsMatch,
    #[serde(default)]
    pub lead_ids: Vec<uuid::Uuid>,
}

impl Audience {
    /// Nothing chosen yet: a campaign cannot start to "everyone" by accident.
    pub fn is_empty(&self) -> bool {
        self.view_id.is_none()
            && self
                .filter
                .as_ref()
                .is_none_or(|f| f.as_array().is_some_and(|a| a.is_empty()))
            && self.tags.is_empty()
            && self.lead_ids.is_empty()
    }
}

text_enum!(
    /// What the pre-flight found: the first three block a start, the rest warn.
    PreflightIssue {
        TemplateNotApproved = "template_not_approved",
        WhatsappNotConnected = "whatsapp_not_connected",
        EmptyAudience = "empty_audience",
        /// More recipients than the rolling 24 h limit has room for: the rest wait.
        OverMessagingLimit = "over_messaging_limit",
        /// The template's quality is low (RED or YELLOW): Meta may pause it.
        TemplateQualityLow = "template_quality_low",
        /// Part of the audience is excluded.
        SomeExcluded = "some_excluded",
    }
);

impl PreflightIssue {
    pub fn blocks(self) -> bool {
        matches!(
            self,
            PreflightIssue::TemplateNotApproved
                | PreflightIssue::WhatsappNotConnected
                | PreflightIssue::EmptyAudience
        )
    }
}

text_enum!(
    /// One recipient's send. Only forward: `pending` → `sending` → `sent` → `delivered` →
    /// `read` → `replied`; `retrying` waits for its `retry_at`; `failed` and `skipped` end it.
    RecipientStatus {
        Pending = "pending",
        Sending = "sending",
        Sent = "sent",
        Delivered = "delivered",
        Read = "read",
        Replied = "replied",
        Retrying = "retrying",
        Failed = "failed",
        Skipped = "skipped",
    }
);

impl RecipientStatus {
    /// Waiting for its turn (a sender may claim it once due).
    pub fn is_queued(self) -> bool {
        matches!(self, RecipientStatus::Pending | RecipientStatus::Retrying)
    }

    /// Meta took it: it counts as reached.
    pub fn was_sent(self) -> bool {
        matches!(
            self,
            RecipientStatus::Sent
                | RecipientStatus::Delivered
                | RecipientStatus::Read
                | RecipientStatus::Replied
        )
    }

    pub fn is_final(self) -> bool {
        matches!(self, RecipientStatus::Failed | RecipientStatus::Skipped)
    }

    /// Its place on the way to `replied`; the waiting states share the start.
    fn rank(self) -> u8 {
        match self {
            RecipientStatus::Pending | RecipientStatus::Retrying => 0,
            RecipientStatus::Sending => 1,
            RecipientStatus::Sent => 2,
            RecipientStatus::Delivered => 3,
            RecipientStatus::Read => 4,
            RecipientStatus::Replied => 5,
            RecipientStatus::Failed | RecipientStatus::Skipped => 6,
        }
    }

    /// What a report of `to` makes of the status: only forward (read may skip delivered), a
    /// claim may go back to waiting (re-queued, nothing went out), and a failure after Meta
    /// accepted the message still counts. `None`: the report is old news.
    pub fn advance(self, to: RecipientStatus) -> Option<RecipientStatus> {
        use RecipientStatus as R;
        if self == to || self.is_final() {
            return None;
        }
        match (self, to) {
            // A claim that did not go out, or a send Meta failed afterwards with an error
            // worth another try, waits again: a new attempt, not a step back.
            (R::Sending | R::Sent, R::Pending | R::Retrying) => Some(to),
            // Meta may fail a message it accepted (or that we never heard of as delivered).
            (R::Sending | R::Sent | R::Delivered, R::Failed) => Some(to),
            (_, R::Skipped) if self.rank() <= 1 => Some(to),
            (_, R::Failed) if self.rank() <= 1 => Some(to),
            (_, R::Failed | R::Skipped) => None,
            _ if to.rank() > self.rank() => Some(to),
            _ => None,
        }
    }
}

text_enum!(
    /// Why a recipient was excluded, skipped or failed in the campaign's own words.
    RecipientReason {
        OptedOut = "opted_out",
        MarketingOptedOut = "marketing_opted_out",
        /// Meta delivers no marketing templates to US (+1) numbers.
        UsMarketingBlock = "us_marketing_block",
        NoPhone = "no_phone",
        DuplicatePhone = "duplicate_phone",
        /// Meta refused a marketing template (131049) less than a day ago.
        MarketingCapped = "marketing_capped",
        /// A placeholder the lead's data could not fill, with no fallback.
        MissingVariable = "missing_variable",
        /// A claim lapsed mid-send: it may have reached the lead, so it is never repeated.
        SendInterrupted = "send_interrupted",
        /// The campaign was cancelled before it went.
        Cancelled = "cancelled",
        /// Meta refused it for good.
        ProviderError = "provider_error",
        /// Marketing cap retries ran out (`marketing_cap_days`).
        MarketingCapExhausted = "marketing_cap_exhausted",
        /// Transient errors five times in a row.
        TooManyAttempts = "too_many_attempts",
        /// The lead was deleted before the send.
        LeadGone = "lead_gone",
        /// A person owns the conversation now (the send policy's human lock).
        HumanOwnsConversation = "human_owns_conversation",
        /// Another rule of the send policy refused it (the hourly limit, quiet hours).
        SendPolicy = "send_policy",
    }
);

/// What the exclusion rule reads about one lead of the audience.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudienceLead {
    pub phone: Option<String>,
    pub opted_out: bool,
    pub marketing_opt_out: bool,
    /// Meta refused a marketing template to this lead (131049) at this time.
    pub marketing_capped_at: Option<DateTime<Utc>>,
}

/// Why this lead gets no message, first reason only (in API.md's order); `None` sends.
/// `seen`: the phone already has a recipient in this campaign.
pub fn exclusion(
    lead: &AudienceLead,
    marketing: bool,
    seen: bool,
    now: DateTime<Utc>,
) -> Option<RecipientReason> {
    let phone = lead.phone.as_deref().filter(|p| !p.trim().is_empty());
    if lead.opted_out {
        Some(RecipientReason::OptedOut)
    } else if marketing && lead.marketing_opt_out {
        Some(RecipientReason::MarketingOptedOut)
    } else if marketing && phone.is_some_and(|p| p.starts_with("+1")) {
        Some(RecipientReason::UsMarketingBlock)
    } else if phone.is_none() {
        Some(RecipientReason::NoPhone)
    } else if seen {
        Some(RecipientReason::DuplicatePhone)
    } else if marketing
        && lead
            .marketing_capped_at
            .is_some_and(|at| now - at < Duration::hours(24))
    {
        Some(RecipientReason::MarketingCapped)
    } else {
        None
    }
}

/// How a campaign paces its sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pacing {
    /// Campaign sends per second, 1 up to the number's rate.
    pub rate_per_second: u32,
    /// At least this long after our last message to a lead, ≥ 6.
    pub recipient_gap_seconds: u32,
}

pub const DEFAULT_NUMBER_RATE: u32 = 80;
pub const MIN_RECIPIENT_GAP: u32 = 6;
pub const MAX_NUMBER_RATE: u32 = 1000;

/// A number's rate (`send_rate_per_second`) as typed: 1 up to [`MAX_NUMBER_RATE`], the
/// throughput Meta grants its highest tier. Anything else is refused with the reason.
pub fn number_rate(typed: i64) -> Result<u32, String> {
    match u32::try_from(typed) {
        Ok(rate) if (1..=MAX_NUMBER_RATE).contains(&rate) => Ok(rate),
        _ => Err(format!("must be between 1 and {MAX_NUMBER_RATE}")),
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            rate_per_second: DEFAULT_NUMBER_RATE,
            recipient_gap_seconds: MIN_RECIPIENT_GAP,
        }
    }
}

impl Pacing {
    /// Problems by field path, for a 422.
    pub fn problems(&self, number_rate: u32) -> Vec<(String, String)> {
        let mut out = vec![];
        if self.rate_per_second < 1 || self.rate_per_second > number_rate {
            out.push((
                "pacing.rate_per_second".into(),
                format!("must be between 1 and the number's rate ({number_rate})"),
            ));
        }
        if self.recipient_gap_seconds < MIN_RECIPIENT_GAP {
            out.push((
                "pacing.recipient_gap_seconds".into(),
                format!("must be at least {MIN_RECIPIENT_GAP}"),
            ));
        }
        out
    }
}

/// Meta's answers that the number is over its throughput (130429, 4, 80007): every sender of
/// the number pauses and slows, whatever it was sending.
pub fn is_throughput_error(code: Option<i64>) -> bool {
    matches!(code, Some(130429 | 4 | 80007))
}

/// Retries of Meta's per-user marketing cap (131049).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetryPolicy {
    /// Days a capped recipient is tried again (0–7), one try a day.
    pub marketing_cap_days: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            marketing_cap_days: 3,
        }
    }
}

/// When a campaign sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// Not before this time; `null`: at once.
    #[serde(default)]
    pub send_at: Option<DateTime<Utc>>,
    /// `HH:MM`: the next such time in each lead's timezone (else the organisation's).
    #[serde(default)]
    pub local_time: Option<String>,
}

impl Schedule {
    pub fn problems(&self) -> Vec<(String, String)> {
        match &self.local_time {
            Some(t) if parse_local_time(t).is_none() => vec![(
                "schedule.local_time".into(),
                "must be HH:MM (24 hours)".into(),
            )],
            _ => vec![],
        }
    }

    /// When one lead's message falls due: not before `send_at` (or now), and with a local time
    /// at its next occurrence in `tz` from then.
    pub fn due_for(&self, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
        let from = self.send_at.filter(|at| *at > now).unwrap_or(now);
        match self.local_time.as_deref().and_then(parse_local_time) {
            Some(t) => next_local(from, t, tz),
            None => from,
        }
    }

    /// It starts later than now: the campaign is `scheduled`, not `running`.
    pub fn is_later(&self, now: DateTime<Utc>) -> bool {
        self.send_at
            .is_some_and(|at| at > now + Duration::seconds(1))
    }
}

fn parse_local_time(t: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(t.trim(), "%H:%M").ok()
}

/// The first instant at or after `from` whose wall clock in `tz` reads `t`.
pub fn next_local(from: DateTime<Utc>, t: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local_day = from.with_timezone(&tz).date_naive();
    for add in 0..3 {
        let day = local_day + Duration::days(add);
        // A time skipped by a clock change (spring forward) falls to the next valid instant.
        let at = tz
            .from_local_datetime(&day.and_time(t))
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(day.and_time(t) + Duration::hours(1)))
                    .earliest()
            });
        if let Some(at) = at.map(|a| a.with_timezone(&Utc))
            && at >= from
        {
            return at;
        }
    }
    from
}

/// A messaging-limit tier in numbers: business-initiated conversations per rolling 24 h
/// (`None`: unlimited or unknown).
pub fn messaging_limit(tier: Option<&str>) -> Option<u64> {
    let tier = tier?.trim().to_ascii_uppercase();
    if let Ok(n) = tier.parse::<u64>() {
        return Some(n);
    }
    match tier.as_str() {
        "TIER_50" => Some(50),
        "TIER_250" => Some(250),
        "TIER_1K" => Some(1_000),
        "TIER_2K" => Some(2_000),
        "TIER_10K" => Some(10_000),
        "TIER_100K" => Some(100_000),
        _ => None,
    }
}

/// What to do after Meta refused (or failed) one recipient's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorRoute {
    /// Over the number's throughput (130429, 4, 80007): the whole number pauses and slows;
    /// the recipient waits again.
    NumberThrottled,
    /// Too many messages to this one user (131056): it alone waits ≥ the gap.
    LeadThrottled,
    /// The user's marketing cap (131049): tried again in 24 h, while days remain.
    RetryTomorrow,
    /// Meta's own or the network's trouble: tried again soon, up to five tries.
    RetryTransient,
    /// The lead stopped promotions (131050): failed, and a marketing opt-out recorded.
    MarketingOptOut,
    /// The campaign pauses for a person to look.
    PauseCampaign(PausedReason),
    /// A template error (1320xx other than paused/disabled): failed; ten in a row pause.
    TemplateError,
    /// Failed for good.
    Fail(RecipientReason),
}

pub const TRANSIENT_TRIES: u32 = 5;
pub const TEMPLATE_ERRORS_TO_PAUSE: u32 = 10;

/// Meta's error `code` (none: a timeout or a 5xx without a body), after `attempts` tries and
/// `cap_retries` marketing-cap retries already made, routed as API.md says.
pub fn route_error(
    code: Option<i64>,
    attempts: u32,
    cap_retries: u32,
    retry: RetryPolicy,
) -> ErrorRoute {
    let transient = |attempts: u32| {
        if attempts < TRANSIENT_TRIES {
            ErrorRoute::RetryTransient
        } else {
            ErrorRoute::Fail(RecipientReason::TooManyAttempts)
        }
    };
    match code {
        c if is_throughput_error(c) => ErrorRoute::NumberThrottled,
        Some(131056) => ErrorRoute::LeadThrottled,
        Some(131049) if cap_retries < retry.marketing_cap_days => ErrorRoute::RetryTomorrow,
        Some(131049) => ErrorRoute::Fail(RecipientReason::MarketingCapExhausted),
        Some(131050) => ErrorRoute::MarketingOptOut,
        Some(132015) => ErrorRoute::PauseCampaign(PausedReason::TemplatePaused),
        Some(132016) => ErrorRoute::PauseCampaign(PausedReason::TemplateDisabled),
        Some(131048 | 368) => ErrorRoute::PauseCampaign(PausedReason::AccountRestricted),
        Some(190) => ErrorRoute::PauseCampaign(PausedReason::WhatsappDisconnected),
        Some(c) if (132000..133000).contains(&c) => ErrorRoute::TemplateError,
        Some(1 | 2 | 131000 | 131016 | 131057) | None => transient(attempts),
        Some(c) if (500..600).contains(&c) => transient(attempts),
        Some(_) => ErrorRoute::Fail(RecipientReason::ProviderError),
    }
}

/// One number's shared pace, kept in the database so every replica reads the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberPace {
    /// The earliest time (ms) the next send may reach Meta.
    pub next_slot_ms: i64,
    /// Sends per second now (halved on 130429, climbing back to `max_rate`).
    pub rate: u32,
    pub max_rate: u32,
    /// No send before this time (ms) after a throughput error.
    pub paused_until_ms: i64,
    /// The next pause's length (1 s, doubling to 60 s; back to 1 s once sends go through).
    pub backoff_ms: i64,
}

pub const FIRST_BACKOFF_MS: i64 = 1_000;
pub const MAX_BACKOFF_MS: i64 = 60_000;

impl NumberPace {
    pub fn new(max_rate: u32) -> Self {
        NumberPace {
            next_slot_ms: 0,
            rate: max_rate.max(1),
            max_rate: max_rate.max(1),
            paused_until_ms: 0,
            backoff_ms: FIRST_BACKOFF_MS,
        }
    }

    /// Meta said the number is over its throughput: pause, halve the pace.
    pub fn throttled(self, now_ms: i64) -> Self {
        NumberPace {
            paused_until_ms: now_ms + self.backoff_ms,
            next_slot_ms: self.next_slot_ms.max(now_ms + self.backoff_ms),
            backoff_ms: (self.backoff_ms * 2).min(MAX_BACKOFF_MS),
            rate: (self.rate / 2).max(1),
            ..self
        }
    }

    /// A send went through: the pace climbs back a step, the pause length resets.
    pub fn recovered(self) -> Self {
        NumberPace {
            rate: (self.rate + (self.max_rate / 20).max(1)).min(self.max_rate),
            backoff_ms: FIRST_BACKOFF_MS,
            ..self
        }
    }
}

/// A slot in a pace of `rate` sends per second: sends are spaced by at least `1000 / rate`
/// ms, so no sliding one-second window holds more than `rate` of them. Answers when this
/// send may go (≥ `now_ms`) and the next slot after it.
pub fn take_slot(next_slot_ms: i64, now_ms: i64, rate: u32) -> (i64, i64) {
    let at = next_slot_ms.max(now_ms);
    (at, at + spacing_ms(rate))
}

/// The spacing of a pace, rounded up so the rate is never exceeded.
pub fn spacing_ms(rate: u32) -> i64 {
    let rate = i64::from(rate.max(1));
    (1000 + rate - 1) / rate
}

/// A lead's next message may reach them no sooner than `gap` after our last one.
pub fn gap_wait(
    last_ours: Option<DateTime<Utc>>,
    gap_seconds: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let at = last_ours? + Duration::seconds(i64::from(gap_seconds));
    (at > now).then_some(at)
}

/// A lead's message this soon after a send is that send's reply.
pub const REPLY_ATTRIBUTION_DAYS: i64 = 7;

/// Meta stamps a lead's message to the second: one stamped in the second of our send may
/// have come after it, so the comparison is at that resolution.
pub fn is_reply(sent_at: DateTime<Utc>, lead_wrote_at: DateTime<Utc>) -> bool {
    let sent_second = sent_at.timestamp();
    lead_wrote_at.timestamp() >= sent_second
        && lead_wrote_at - sent_at <= Duration::days(REPLY_ATTRIBUTION_DAYS)
}

/// A share of `of`, in [0, 1]; 0 when nothing was sent.
pub fn rate_of(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        (n as f64 / of as f64).min(1.0)
    }
}

/// The campaign a conversation last got a broadcast from, and when the lead replied to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BroadcastRef {
    pub campaign_id: uuid::Uuid,
    /// The campaign's name when it sent.
    pub name: String,
    pub sent_at: DateTime<Utc>,
    /// `null` until the lead answered the broadcast.
    pub replied_at: Option<DateTime<Utc>>,
}

/// A campaign as a realtime event names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignRef {
    pub id: uuid::Uuid,
    pub name: String,
    pub status: CampaignStatus,
    pub paused_reason: Option<PausedReason>,
}

/// Recipients per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientCounts {
    pub pending: u64,
    pub sending: u64,
    pub sent: u64,
    pub delivered: u64,
    pub read: u64,
    pub replied: u64,
    pub retrying: u64,
    pub failed: u64,
    pub skipped: u64,
}

impl RecipientCounts {
    pub fn add(&mut self, s: RecipientStatus, n: u64) {
        let slot = match s {
            RecipientStatus::Pending => &mut self.pending,
            RecipientStatus::Sending => &mut self.sending,
            RecipientStatus::Sent => &mut self.sent,
            RecipientStatus::Delivered => &mut self.delivered,
            RecipientStatus::Read => &mut self.read,
            RecipientStatus::Replied => &mut self.replied,
            RecipientStatus::Retrying => &mut self.retrying,
            RecipientStatus::Failed => &mut self.failed,
            RecipientStatus::Skipped => &mut self.skipped,
        };
        *slot += n;
    }

    /// Reached the lead's phone at least as far as Meta's acceptance.
    pub fn reached(&self) -> u64 {
        self.sent + self.delivered + self.read + self.replied
    }

    /// Still to go (waiting, retrying or mid-send).
    pub fn open(&self) -> u64 {
        self.pending + self.retrying + self.sending
    }
}

#[cfg(test)]
mod tests;
