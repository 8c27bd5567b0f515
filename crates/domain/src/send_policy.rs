//! May this message go to this lead now? One answer for every sender — the agent, a person
//! in the inbox, follow-ups, and the broadcasts and automations to come — so the rule lives in
//! one place and "nobody can message a lead who opted out" holds by construction.
//!
//! The policy is a list of checks, each passing or refusing with a reason; the agent shows
//! every check among its guardrails, the other senders act on the first refusal.

use crate::engagement::StaleState;
use crate::messaging::{ConversationMode, ServiceWindow};
use chrono::{DateTime, NaiveTime, Utc};

text_enum!(
    /// Who wants to send.
    Sender {
        /// The agent answering the lead's messages.
        Agent = "agent",
        /// A person on the team, from the inbox.
        Human = "human",
        /// The agent nudging a lead who went quiet.
        Followup = "followup",
        /// A template step of the owner's follow-up schedule (+2 d, +5 d, +7 d).
        ScheduledStep = "scheduled_step",
        /// A broadcast to many leads.
        Campaign = "campaign",
        /// An automation or drip sequence step.
        Automation = "automation",
        /// A drip sequence's step (its purpose: owner-scheduled, like a broadcast).
        Sequence = "sequence",
    }
);

/// Why a message goes now — the one property the staleness caps and quiet hours read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An answer to the lead (the agent, a person in the inbox).
    Answer,
    /// The agent (or a rule) reaching out on its own: the staleness caps and quiet hours
    /// bound it.
    Nudge,
    /// A send whose time the owner chose (a follow-up schedule's step, a broadcast, a drip
    /// sequence's step). Its own rules bound it — a cap per silence, stop rules, pacing and
    /// the gap per lead — and it goes to leads who wrote long ago or never (an imported
    /// list), which the staleness caps would always refuse. Opt-outs, the human lock, the
    /// window for free text, the budget and the hourly limit hold as for every bot.
    OwnerScheduled,
}

impl Sender {
    /// Everything but a person in the inbox speaks for the business automatically.
    pub fn is_automatic(self) -> bool {
        self != Sender::Human
    }

    /// The send's purpose, per sender: every new sender must say which it is.
    pub fn purpose(self) -> Purpose {
        match self {
            Sender::Agent | Sender::Human => Purpose::Answer,
            Sender::Followup | Sender::Automation => Purpose::Nudge,
            Sender::ScheduledStep | Sender::Campaign | Sender::Sequence => Purpose::OwnerScheduled,
        }
    }

    /// Messages the lead did not just ask for and the owner did not schedule: they respect
    /// staleness and quiet hours (see [`Purpose`]).
    pub fn is_proactive(self) -> bool {
        self.purpose() == Purpose::Nudge
    }
}

text_enum!(
    /// Meta's template categories; each is priced and policed differently.
    TemplateCategory {
        Marketing = "marketing",
        Utility = "utility",
        Authentication = "authentication",
    }
);

/// What kind of message it is, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Text, interactive or media: only inside the 24 h service window.
    FreeForm,
    /// An approved template: allowed outside the window.
    Template(TemplateCategory),
}

text_enum!(
    /// Each check of the policy, named as the API and the agent's guardrail list name it. As a
    /// refusal it is also the error code a sender is answered with (422 `opted_out`).
    SendRule {
        /// The lead said stop: nothing more goes to them.
        OptedOut = "opted_out",
        /// The lead stopped promotions: no marketing templates.
        MarketingOptedOut = "marketing_opted_out",
        /// A person (or nobody, when paused or closed) owns the conversation: the bot is quiet.
        HumanLock = "human_lock",
        /// Outside the 24 h service window only an approved template may go.
        WindowClosed = "window_closed",
        /// The lead has been quiet too long for this much proactive outreach.
        Stale = "stale",
        /// Unanswered messages have reached what the lead's engagement allows.
        BudgetSpent = "budget_spent",
        /// Too many messages to one lead within the hour (auto-responder loops).
        RateLimited = "rate_limited",
        /// The lead's local night: proactive messages wait for the morning.
        QuietHours = "quiet_hours",
    }
);

/// Bot messages one lead may get in an hour, whatever else allows.
pub const HOURLY_LIMIT: u32 = 20;

/// The hours in the lead's local time when proactive messages wait; `start` may be after
/// `end` (21:00–09:00 spans midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    pub fn contains(self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// What the rules need to know about the lead and the conversation right now.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub opted_out: bool,
    pub marketing_opted_out: bool,
    pub mode: ConversationMode,
    pub window: ServiceWindow,
    pub last_lead_message_at: Option<DateTime<Utc>>,
    /// Messages from the business since the lead last wrote.
    pub unanswered: u32,
    /// Bot messages to this lead in the last hour.
    pub bot_messages_last_hour: u32,
    /// How many unanswered messages the lead's engagement allows (`engagement::message_budget`).
    pub budget: u32,
    /// The lead's local time of day, when their timezone is known.
    pub local_time: Option<NaiveTime>,
}

/// One message someone wants to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outgoing {
    pub sender: Sender,
    pub content: Content,
    /// The one confirmation a lead who just said stop gets ("you won't hear from us again").
    pub opt_out_confirmation: bool,
}

impl Outgoing {
    pub fn free_form(sender: Sender) -> Self {
        Outgoing {
            sender,
            content: Content::FreeForm,
            opt_out_confirmation: false,
        }
    }
}

/// One check's verdict: `None` passed, `Some(why)` refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub rule: SendRule,
    pub refused: Option<String>,
    /// The check does not concern this sender or message (e.g. the human lock for a human).
    pub applies: bool,
}

/// Every check, in order, for `out` to `to` at `now` with the organisation's quiet hours.
pub fn evaluate(
    out: Outgoing,
    to: &Recipient,
    quiet: Option<QuietHours>,
    now: DateTime<Utc>,
) -> Vec<Check> {
    let automatic = out.sender.is_automatic();
    let proactive = out.sender.is_proactive();
    let check = |rule, applies: bool, refused: Option<String>| Check {
        rule,
        applies,
        refused: refused.filter(|_| applies),
    };
    let stale = StaleState::since(to.last_lead_message_at, now);
    vec![
        check(
            SendRule::OptedOut,
            !out.opt_out_confirmation,
            to.opted_out
                .then(|| "the lead opted out: no more messages".to_owned()),
        ),
        check(
            SendRule::MarketingOptedOut,
            out.content == Content::Template(TemplateCategory::Marketing),
            to.marketing_opted_out
                .then(|| "the lead stopped promotions".to_owned()),
        ),
        // The confirmation of a STOP goes whoever owns the conversation: after the opt-out
        // nobody else may write to the lead (a person neither), so only the agent can confirm.
        check(
            SendRule::HumanLock,
            automatic && !out.opt_out_confirmation,
            (!to.mode.bot_may_reply())
                .then(|| format!("mode is {}: the bot records, never replies", to.mode)),
        ),
        check(
            SendRule::WindowClosed,
            out.content == Content::FreeForm,
            (!to.window.is_open(now.timestamp())).then(|| {
                "outside the 24 h service window only an approved template may go".to_owned()
            }),
        ),
        check(
            SendRule::Stale,
            proactive,
            (to.unanswered >= stale.outreach_cap()).then(|| {
                format!(
                    "{stale}: {} proactive message(s) allowed, {} sent",
                    stale.outreach_cap().min(99),
                    to.unanswered
                )
            }),
        ),
        check(
            SendRule::BudgetSpent,
            automatic && !out.opt_out_confirmation,
            (to.unanswered >= to.budget).then(|| {
                format!(
                    "{} unanswered messages reach the budget of {}",
                    to.unanswered, to.budget
                )
            }),
        ),
        check(
            SendRule::RateLimited,
            automatic,
            (to.bot_messages_last_hour >= HOURLY_LIMIT).then(|| {
                format!(
                    "{} messages to this contact in the last hour (limit {HOURLY_LIMIT})",
                    to.bot_messages_last_hour
                )
            }),
        ),
        check(
            SendRule::QuietHours,
            proactive,
            match (quiet, to.local_time) {
                (Some(q), Some(t)) if q.contains(t) => Some(format!(
                    "{} is inside the lead's quiet hours",
                    t.format("%H:%M")
                )),
                _ => None,
            },
        ),
    ]
}

/// Why the message may not go, when it may not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Refused {
    pub rule: SendRule,
    pub detail: String,
}

/// The first refusal of [`evaluate`], or `Ok` when the message may go.
pub fn may_send(
    out: Outgoing,
    to: &Recipient,
    quiet: Option<QuietHours>,
    now: DateTime<Utc>,
) -> Result<(), Refused> {
    match evaluate(out, to, quiet, now)
        .into_iter()
        .find_map(|c| c.refused.map(|detail| (c.rule, detail)))
    {
        Some((rule, detail)) => Err(Refused { rule, detail }),
        None => Ok(()),
    }
}

/// At the moment of handing a queued message to the channel: a lead who opted out after it
/// was queued does not get it. The only message queued after an opt-out is the one the
/// policy let through — its confirmation — so the queue time tells them apart.
pub fn may_deliver(queued_at: DateTime<Utc>, opted_out_at: Option<DateTime<Utc>>) -> bool {
    opted_out_at.is_none_or(|at| queued_at >= at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn engaged() -> Recipient {
        Recipient {
            opted_out: false,
            marketing_opted_out: false,
            mode: ConversationMode::Bot,
            window: ServiceWindow::closed()
                .after_lead_message((now() - Duration::hours(1)).timestamp()),
            last_lead_message_at: Some(now() - Duration::hours(1)),
            unanswered: 0,
            bot_messages_last_hour: 0,
            budget: 3,
            local_time: Some(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
        }
    }

    fn refusal(out: Outgoing, to: &Recipient) -> Option<SendRule> {
        may_send(out, to, None, now()).err().map(|r| r.rule)
    }

    #[test]
    fn an_engaged_lead_may_be_answered_by_anyone() {
        for s in Sender::ALL {
            assert_eq!(refusal(Outgoing::free_form(*s), &engaged()), None, "{s}");
        }
    }

    #[test]
    fn a_person_may_answer_in_human_mode_but_the_bot_may_not() {
        let to = Recipient {
            mode: ConversationMode::Human,
            ..engaged()
        };
        assert_eq!(refusal(Outgoing::free_form(Sender::Human), &to), None);
        assert_eq!(
            refusal(Outgoing::free_form(Sender::Agent), &to),
            Some(SendRule::HumanLock)
        );
    }

    #[test]
    fn outside_the_window_only_templates_go() {
        let to = Recipient {
            window: ServiceWindow::closed(),
            ..engaged()
        };
        assert_eq!(
            refusal(Outgoing::free_form(Sender::Human), &to),
            Some(SendRule::WindowClosed)
        );
        let template = Outgoing {
            content: Content::Template(TemplateCategory::Utility),
            ..Outgoing::free_form(Sender::Human)
        };
        assert_eq!(refusal(template, &to), None);
    }

    #[test]
    fn marketing_stops_for_those_who_stopped_promotions_only() {
        let to = Recipient {
            marketing_opted_out: true,
            ..engaged()
        };
        let with = |c| Outgoing {
            content: Content::Template(c),
            ..Outgoing::free_form(Sender::Campaign)
        };
        assert_eq!(
            refusal(with(TemplateCategory::Marketing), &to),
            Some(SendRule::MarketingOptedOut)
        );
        assert_eq!(refusal(with(TemplateCategory::Utility), &to), None);
    }

    #[test]
    fn quiet_hours_hold_back_proactive_messages_only() {
        let q = QuietHours {
            start: NaiveTime::from_hms_opt(21, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        };
        let to = Recipient {
            local_time: Some(NaiveTime::from_hms_opt(23, 30, 0).unwrap()),
            ..engaged()
        };
        let followup = may_send(Outgoing::free_form(Sender::Followup), &to, Some(q), now());
        assert_eq!(followup.unwrap_err().rule, SendRule::QuietHours);
        assert!(may_send(Outgoing::free_form(Sender::Agent), &to, Some(q), now()).is_ok());
        assert!(q.contains(NaiveTime::from_hms_opt(8, 59, 0).unwrap()));
        assert!(!q.contains(NaiveTime::from_hms_opt(9, 0, 0).unwrap()));
    }

    #[test]
    fn the_opt_out_confirmation_is_the_one_message_after_stop() {
        let to = Recipient {
            opted_out: true,
            ..engaged()
        };
        let confirmation = Outgoing {
            opt_out_confirmation: true,
            ..Outgoing::free_form(Sender::Agent)
        };
        assert_eq!(refusal(confirmation, &to), None);
        // A person's conversation (waiting for one, or taken over) gets it too; nothing else.
        for mode in ConversationMode::ALL {
            let handed = Recipient {
                mode: *mode,
                ..to.clone()
            };
            assert_eq!(refusal(confirmation, &handed), None, "{mode}");
            assert_eq!(
                refusal(Outgoing::free_form(Sender::Agent), &handed),
                Some(SendRule::OptedOut),
                "{mode}"
            );
        }
        let stop = now();
        assert!(may_deliver(stop, Some(stop)));
        assert!(!may_deliver(stop - Duration::seconds(1), Some(stop)));
        assert!(may_deliver(stop - Duration::days(9), None));
    }

    fn sender() -> impl Strategy<Value = Sender> {
        prop::sample::select(Sender::ALL.to_vec())
    }

    fn content() -> impl Strategy<Value = Content> {
        prop_oneof![
            Just(Content::FreeForm),
            prop::sample::select(TemplateCategory::ALL.to_vec()).prop_map(Content::Template),
        ]
    }

    fn recipient() -> impl Strategy<Value = Recipient> {
        (
            any::<bool>(),
            any::<bool>(),
            prop::sample::select(ConversationMode::ALL.to_vec()),
            prop::option::of(0i64..200),
            prop::option::of(0i64..400),
            (0u32..8, 0u32..30, 0u32..6, prop::option::of(0u32..24)),
        )
            .prop_map(
                |(
                    opted_out,
                    marketing,
                    mode,
                    window_h,
                    last_h,
                    (unanswered, hour, budget, local),
                )| {
                    Recipient {
                        opted_out,
                        marketing_opted_out: marketing,
                        mode,
                        window: ServiceWindow {
                            open_until: window_h
                                .map(|h| (now() + Duration::hours(h - 100)).timestamp()),
                        },
                        last_lead_message_at: last_h.map(|h| now() - Duration::hours(h)),
                        unanswered,
                        bot_messages_last_hour: hour,
                        budget,
                        local_time: local.map(|h| NaiveTime::from_hms_opt(h, 0, 0).unwrap()),
                    }
                },
            )
    }

    proptest! {
        /// Nobody can message a lead who opted out, whoever sends and whatever the message,
        /// except the one confirmation of the opt-out itself.
        #[test]
        fn nobody_reaches_an_opted_out_lead(s in sender(), c in content(), mut to in recipient()) {
            to.opted_out = true;
            let out = Outgoing { sender: s, content: c, opt_out_confirmation: false };
            prop_assert_eq!(refusal(out, &to), Some(SendRule::OptedOut));
        }

        /// Free-form messages never go outside the window, whoever sends them.
        #[test]
        fn free_form_needs_the_window(s in sender(), mut to in recipient()) {
            to.window = ServiceWindow::closed();
            prop_assert!(may_send(Outgoing::free_form(s), &to, None, now()).is_err());
        }

        /// The bot never speaks while a person (or nobody) owns the conversation.
        #[test]
        fn the_bot_respects_the_human_lock(s in sender(), c in content(), mut to in recipient()) {
            prop_assume!(s.is_automatic());
            to.mode = ConversationMode::Human;
            let out = Outgoing { sender: s, content: c, opt_out_confirmation: false };
            prop_assert!(may_send(out, &to, None, now()).is_err());
        }

        /// A step of the owner's schedule is bounded by the schedule (planned out of quiet
        /// hours, capped per silence), never by the agent's staleness caps; a person's send-now
        /// may send it at night. Everything else holds for it as for any bot.
        #[test]
        fn a_scheduled_step_is_bounded_by_its_schedule(c in content(), to in recipient(), night in 0u32..24) {
            let out = Outgoing { sender: Sender::ScheduledStep, content: c, opt_out_confirmation: false };
            let quiet = QuietHours {
                start: NaiveTime::from_hms_opt(night, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt((night + 8) % 24, 0, 0).unwrap(),
            };
            for check in evaluate(out, &to, Some(quiet), now()) {
                match check.rule {
                    SendRule::Stale | SendRule::QuietHours => prop_assert!(!check.applies),
                    SendRule::OptedOut | SendRule::HumanLock | SendRule::BudgetSpent
                    | SendRule::RateLimited => prop_assert!(check.applies),
                    _ => {}
                }
            }
        }

        /// Staleness and quiet hours are one property of the send's purpose: they bound a
        /// nudge, and never an answer or a send whose time the owner chose (a broadcast, a
        /// sequence step, a scheduled step), whoever the lead and however long they were quiet.
        #[test]
        fn staleness_follows_the_sends_purpose(s in sender(), c in content(), to in recipient(), night in 0u32..24) {
            let out = Outgoing { sender: s, content: c, opt_out_confirmation: false };
            let quiet = QuietHours {
                start: NaiveTime::from_hms_opt(night, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt((night + 8) % 24, 0, 0).unwrap(),
            };
            let nudge = s.purpose() == Purpose::Nudge;
            for check in evaluate(out, &to, Some(quiet), now()) {
                if matches!(check.rule, SendRule::Stale | SendRule::QuietHours) {
                    prop_assert_eq!(check.applies, nudge, "{:?} for {:?}", check.rule, s);
                }
            }
            if s.purpose() == Purpose::OwnerScheduled {
                prop_assert!(refusal(out, &to) != Some(SendRule::Stale));
            }
        }

        /// `may_send` refuses exactly when some check refuses, with the first one's rule.
        #[test]
        fn may_send_is_the_first_refusal(s in sender(), c in content(), to in recipient(), confirm in any::<bool>()) {
            let out = Outgoing { sender: s, content: c, opt_out_confirmation: confirm };
            let checks = evaluate(out, &to, None, now());
            let first = checks.iter().find(|c| c.refused.is_some()).map(|c| c.rule);
            prop_assert_eq!(refusal(out, &to), first);
            prop_assert!(checks.iter().all(|c| c.applies || c.refused.is_none()));
        }
    }
}
