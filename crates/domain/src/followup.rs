//! Follow-ups: the vocabulary of a scheduled nudge to a lead who went quiet, and the
//! organisation's settings for them (validated here, so the API and the store share one rule).

use crate::sales::ConversationStage;
use crate::send_policy::QuietHours;
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

text_enum!(
    /// Inside the 24 h window the agent writes the nudge; outside it an approved template goes.
    FollowupKind {
        InWindow = "in_window",
        Template = "template",
    }
);

text_enum!(
    /// Where a follow-up is: waiting, gone out, skipped when due (a rule no longer held),
    /// cancelled before it was due, or failed to send.
    FollowupStatus {
        Pending = "pending",
        Sent = "sent",
        Skipped = "skipped",
        Cancelled = "cancelled",
        Failed = "failed",
    }
);

text_enum!(
    /// Why the follow-up was planned, and so when.
    FollowupReason {
        /// The lead simply went quiet after the agent's reply.
        LeadQuiet = "lead_quiet",
        /// An offer waits for the lead's answer: checked on sooner.
        CtaUnanswered = "cta_unanswered",
        /// A hot lead: checked on sooner.
        HighIntent = "high_intent",
        /// A lead who rarely answers: given more room.
        LowResponseRate = "low_response_rate",
        /// The next step of the outside-window template schedule.
        ScheduleStep = "schedule_step",
        /// A person on the team scheduled it.
        Manual = "manual",
    }
);

text_enum!(
    /// Why a follow-up did not (or no longer will) go out.
    FollowupStatusReason {
        /// The lead wrote: the conversation is alive again.
        LeadReplied = "lead_replied",
        /// The lead opted out: nothing more goes to them.
        OptedOut = "opted_out",
        /// The lead stopped promotions and the step's template is marketing.
        MarketingOptedOut = "marketing_opted_out",
        /// A person owns the conversation, or the agent asked for one.
        Handoff = "handoff",
        /// The conversation reached a stage the settings stop on (won, lost, ...).
        StageClosed = "stage_closed",
        /// Follow-ups (or this kind of follow-up) were turned off.
        Disabled = "disabled",
        /// A person cancelled it.
        User = "user",
        /// A newer plan took its place (the agent replied again, or a new step was planned).
        Replaced = "replaced",
        /// The follow-ups allowed per silence were used up.
        CapReached = "cap_reached",
        /// The 24 h window closed before an in-window follow-up could go.
        WindowClosed = "window_closed",
        /// The step's template is missing or not approved.
        TemplateNotAvailable = "template_not_available",
        /// The agent thought and decided that nothing should go (a guardrail held it back).
        AgentSilent = "agent_silent",
    }
);

text_enum!(
    /// What happens inside the 24 h window when the lead goes quiet.
    InWindowPolicy {
        /// The agent picks the moment and writes the nudge.
        Agent = "agent",
        /// Nothing inside the window; only the template schedule.
        Off = "off",
    }
);

/// One step of the outside-window schedule: `after_hours` from the lead's last message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleStep {
    pub after_hours: u32,
    pub template_id: Uuid,
}

/// Quiet hours as the API spells them, `"21:00"` to `"09:00"` in the lead's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietHoursSetting {
    pub start: String,
    pub end: String,
}

/// The organisation's follow-up settings (`GET/PUT /api/v1/settings/followups`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowupSettings {
    pub enabled: bool,
    pub in_window: InWindowPolicy,
    pub outside_window: Vec<ScheduleStep>,
    pub quiet_hours: Option<QuietHoursSetting>,
    pub max_followups: u32,
    pub stop_on_stages: Vec<ConversationStage>,
}

pub const MAX_STEPS: usize = 5;
/// Meta's window is 24 h; a template step earlier than that would land inside it.
pub const MIN_STEP_HOURS: u32 = 24;
/// A lead is not nudged more than this many times per silence, whatever the settings say.
pub const MAX_FOLLOWUPS: u32 = 10;

impl Default for FollowupSettings {
    fn default() -> Self {
        FollowupSettings {
            enabled: true,
            in_window: InWindowPolicy::Agent,
            outside_window: vec![],
            quiet_hours: Some(QuietHoursSetting {
                start: "21:00".into(),
                end: "09:00".into(),
            }),
            max_followups: 3,
            stop_on_stages: vec![ConversationStage::ClosedWon, ConversationStage::ClosedLost],
        }
    }
}

fn clock(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

impl FollowupSettings {
    /// Every problem, by field path (`outside_window[1].after_hours`), for a 422.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = vec![];
        if self.outside_window.len() > MAX_STEPS {
            out.push((
                "outside_window".into(),
                format!("at most {MAX_STEPS} steps"),
            ));
        }
        let mut previous = 0;
        for (i, step) in self.outside_window.iter().enumerate() {
            if step.after_hours < MIN_STEP_HOURS {
                out.push((
                    format!("outside_window[{i}].after_hours"),
                    format!("must be at least {MIN_STEP_HOURS} (the window is open before)"),
                ));
            } else if step.after_hours <= previous {
                out.push((
                    format!("outside_window[{i}].after_hours"),
                    "must be later than the step before".into(),
                ));
            }
            previous = step.after_hours;
        }
        if let Some(q) = &self.quiet_hours {
            let (start, end) = (clock(&q.start), clock(&q.end));
            if start.is_none() {
                out.push((
                    "quiet_hours.start".into(),
                    "must be a time like 21:00".into(),
                ));
            }
            if end.is_none() {
                out.push(("quiet_hours.end".into(), "must be a time like 09:00".into()));
            }
            if start.is_some() && start == end {
                out.push((
                    "quiet_hours.end".into(),
                    "must differ from the start".into(),
                ));
            }
        }
        if self.max_followups > MAX_FOLLOWUPS {
            out.push((
                "max_followups".into(),
                format!("must be at most {MAX_FOLLOWUPS}"),
            ));
        }
        out
    }

    /// The quiet hours as times (None when unset or unreadable; `problems` refuses the latter).
    pub fn quiet(&self) -> Option<QuietHours> {
        let q = self.quiet_hours.as_ref()?;
        Some(QuietHours {
            start: clock(&q.start)?,
            end: clock(&q.end)?,
        })
    }

    pub fn stops_on(&self, stage: ConversationStage) -> bool {
        // An archived conversation is never chased, whatever the settings say.
        stage == ConversationStage::Archived || self.stop_on_stages.contains(&stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_problems_name_the_field() {
        assert!(FollowupSettings::default().problems().is_empty());
        let id = Uuid::nil();
        let s = FollowupSettings {
            outside_window: vec![
                ScheduleStep {
                    after_hours: 48,
                    template_id: id,
                },
                ScheduleStep {
                    after_hours: 30,
                    template_id: id,
                },
                ScheduleStep {
                    after_hours: 12,
                    template_id: id,
                },
            ],
            quiet_hours: Some(QuietHoursSetting {
                start: "25:00".into(),
                end: "09:00".into(),
            }),
            max_followups: 99,
            ..Default::default()
        };
        let fields: Vec<String> = s.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "outside_window[1].after_hours",
                "outside_window[2].after_hours",
                "quiet_hours.start",
                "max_followups"
            ]
        );
    }

    #[test]
    fn enums_read_the_seeds_spelling() {
        assert_eq!(
            "IN_WINDOW".parse::<FollowupKind>().unwrap(),
            FollowupKind::InWindow
        );
        assert_eq!(
            "lead_replied".parse::<FollowupStatusReason>().unwrap(),
            FollowupStatusReason::LeadReplied
        );
        assert!("later".parse::<FollowupStatus>().is_err());
    }
}
