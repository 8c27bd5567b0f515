//! How engaged a lead is: staleness (time since they last wrote), their response rate, the
//! trend of their sentiment, and the resulting budget of unanswered messages.
//!
//! Staleness is not the service window (seeds/001 audit #2): the window is Meta's permission
//! to send free-form messages (24 h after the lead's last message); staleness is our own
//! measure of engagement freshness that decides how much proactive outreach is decent.

use crate::sales::Sentiment;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

text_enum!(
    /// Engagement freshness since the lead's last message.
    StaleState {
        Active = "active",
        Cooling = "cooling",
        Cold = "cold",
        Archived = "archived",
    }
);

impl StaleState {
    /// < 6 h active, 6–24 h cooling, 24–72 h cold, beyond that archived. A lead who never
    /// wrote is archived: there is nobody to follow up with.
    pub fn since(last_lead_message_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> StaleState {
        let Some(last) = last_lead_message_at else {
            return StaleState::Archived;
        };
        let elapsed = now - last;
        if elapsed < Duration::hours(6) {
            StaleState::Active
        } else if elapsed < Duration::hours(24) {
            StaleState::Cooling
        } else if elapsed < Duration::hours(72) {
            StaleState::Cold
        } else {
            StaleState::Archived
        }
    }

    /// Proactive messages (follow-ups, nudges) the state allows before the lead writes again:
    /// archived means no outreach at all, only answers when the lead returns.
    pub fn outreach_cap(self) -> u32 {
        match self {
            StaleState::Active => u32::MAX,
            StaleState::Cooling => 2,
            StaleState::Cold => 1,
            StaleState::Archived => 0,
        }
    }
}

/// How often the lead answers the bot.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ResponseRate {
    pub bot_messages: u32,
    pub lead_replies: u32,
}

impl ResponseRate {
    /// Replies per bot message, 1.0 before the bot has said anything.
    pub fn rate(self) -> f32 {
        if self.bot_messages == 0 {
            1.0
        } else {
            (self.lead_replies as f32 / self.bot_messages as f32).min(1.0)
        }
    }
}

/// Slope of the last three sentiments, scaled to −1.0 (falling fast) … +1.0 (improving).
pub fn sentiment_trend(history: &[Sentiment]) -> f32 {
    let recent = &history[history.len().saturating_sub(3)..];
    if recent.len() < 2 {
        return 0.0;
    }
    // Least-squares slope over x = 0, 1, 2; the largest possible slope is 2 per step
    // (very positive → angry is −4 over 2 steps).
    let n = recent.len() as f32;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = recent.iter().map(|s| s.score()).sum::<f32>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, s) in recent.iter().enumerate() {
        let dx = i as f32 - mean_x;
        num += dx * (s.score() - mean_y);
        den += dx * dx;
    }
    (num / den / 2.0).clamp(-1.0, 1.0)
}

/// The trend at or below which the lead is losing patience and a human should look.
pub const DECLINING_TREND: f32 = -0.5;

/// How many messages the bot may send without a reply from the lead (seeds/001 §12):
/// invest in leads with money and momentum, back off from those who don't answer.
pub fn message_budget(budget_value: Option<f64>, rate: ResponseRate, trend: f32) -> u32 {
    let mut base: i32 = 5;
    if budget_value.is_some_and(|b| b > 10_000.0) {
        base += 2;
    }
    if rate.bot_messages >= 3 && rate.rate() < 0.3 {
        base -= 2;
    }
    if trend < 0.0 {
        base -= 1;
    }
    base.max(1) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap() + Duration::hours(h)
    }

    #[test]
    fn staleness_bands() {
        assert_eq!(StaleState::since(Some(t(0)), t(5)), StaleState::Active);
        assert_eq!(StaleState::since(Some(t(0)), t(6)), StaleState::Cooling);
        assert_eq!(StaleState::since(Some(t(0)), t(30)), StaleState::Cold);
        assert_eq!(StaleState::since(Some(t(0)), t(72)), StaleState::Archived);
        assert_eq!(StaleState::since(None, t(0)), StaleState::Archived);
        assert_eq!(StaleState::Archived.outreach_cap(), 0);
    }

    #[test]
    fn trends() {
        use Sentiment::*;
        assert_eq!(sentiment_trend(&[Neutral]), 0.0);
        assert!(sentiment_trend(&[Positive, Neutral, Frustrated]) <= DECLINING_TREND);
        assert!(sentiment_trend(&[Angry, Neutral, Positive]) > 0.5);
        assert_eq!(sentiment_trend(&[VeryPositive, Angry]), -1.0);
    }

    #[test]
    fn budget_rules() {
        let engaged = ResponseRate {
            bot_messages: 4,
            lead_replies: 4,
        };
        let silent = ResponseRate {
            bot_messages: 10,
            lead_replies: 1,
        };
        assert_eq!(message_budget(None, engaged, 0.0), 5);
        assert_eq!(message_budget(Some(50_000.0), engaged, 0.5), 7);
        assert_eq!(message_budget(None, silent, -0.5), 2);
    }

    fn arb_state_time() -> impl Strategy<Value = (i64, i64)> {
        (0i64..1_000, 0i64..1_000)
    }

    proptest! {
        /// The window and staleness measure different things: the lead writing every few hours
        /// keeps both fresh, but a window can be open while staleness has already cooled, and
        /// staleness only ever gets staler as time passes without a message.
        #[test]
        fn staleness_only_worsens_with_silence((a, b) in arb_state_time()) {
            let (early, late) = (a.min(b), a.max(b));
            let rank = |s: StaleState| StaleState::ALL.iter().position(|x| *x == s).unwrap();
            prop_assert!(rank(StaleState::since(Some(t(0)), t(early))) <= rank(StaleState::since(Some(t(0)), t(late))));
        }

        #[test]
        fn window_and_staleness_are_independent(h in 0i64..100) {
            let window = crate::messaging::ServiceWindow::closed().after_lead_message(t(0).timestamp());
            let open = window.is_open(t(h).timestamp());
            let stale = StaleState::since(Some(t(0)), t(h));
            prop_assert_eq!(open, h < 24);
            // Cooling yet still inside the window is a normal state of affairs.
            if (6..24).contains(&h) { prop_assert!(open && stale == StaleState::Cooling); }
        }

        /// The budget is at least 1 and at most 7, and never grows when the lead stops answering.
        #[test]
        fn budget_bounds(b in proptest::option::of(0f64..100_000.0), bot in 0u32..50, replies in 0u32..50, trend in -1f32..=1.0) {
            let rate = ResponseRate { bot_messages: bot, lead_replies: replies.min(bot) };
            let m = message_budget(b, rate, trend);
            prop_assert!((1..=7).contains(&m));
            let worse = ResponseRate { bot_messages: bot + 10, lead_replies: replies.min(bot) };
            prop_assert!(message_budget(b, worse, trend) <= m);
        }

        #[test]
        fn trend_is_bounded(h in prop::collection::vec(prop::sample::select(Sentiment::ALL.to_vec()), 0..8)) {
            let tr = sentiment_trend(&h);
            prop_assert!((-1.0..=1.0).contains(&tr));
        }
    }
}
