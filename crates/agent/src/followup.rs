//! When to follow up with a lead who went quiet, and with what: a pure function of the
//! conversation's facts and the organisation's settings. The store executes the plan; when the
//! follow-up falls due, [`recheck`] asks the same questions again.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use closer_domain::engagement::{ResponseRate, StaleState};
use closer_domain::followup::{
    FollowupKind, FollowupReason, FollowupSettings, FollowupStatusReason, InWindowPolicy,
};
use closer_domain::messaging::ConversationMode;
use closer_domain::sales::{ConversationStage, Intent};
use closer_domain::send_policy::QuietHours;
use uuid::Uuid;

/// An in-window follow-up that would land this close to the window's end goes as the first
/// template step instead: the lead might answer after the window closed.
const WINDOW_MARGIN_MINUTES: i64 = 30;

/// Everything the plan depends on, gathered by the caller.
#[derive(Debug, Clone)]
pub struct FollowupFacts {
    pub now: DateTime<Utc>,
    pub opted_out: bool,
    pub mode: ConversationMode,
    pub needs_human: bool,
    pub stage: ConversationStage,
    pub window_open_until: Option<DateTime<Utc>>,
    pub last_lead_message_at: Option<DateTime<Utc>>,
    /// Follow-ups already sent since the lead last wrote (the cap counts these).
    pub sent_in_silence: u32,
    /// Of those, template steps (the schedule continues after them).
    pub steps_sent_in_silence: u32,
    /// Messages from the business since the lead last wrote (the agent's reply included).
    pub unanswered: u32,
    pub response_rate: ResponseRate,
    pub intent: Option<Intent>,
    /// An offer waits for the lead's answer.
    pub open_cta: bool,
    /// The lead's zone, else the organisation's, else UTC.
    pub tz: Tz,
    /// Templates that may go now (approved); a step whose template is not here is passed over.
    pub approved_templates: Vec<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowupPlan {
    pub kind: FollowupKind,
    /// 1-based: the n-th follow-up of this silence (in the window), or the schedule's step.
    pub step: u32,
    pub due_at: DateTime<Utc>,
    pub reason: FollowupReason,
    pub template_id: Option<Uuid>,
}

/// The lead's zone: the contact's, else the organisation's, else UTC.
pub fn zone(contact: Option<&str>, org: Option<&str>) -> Tz {
    contact
        .and_then(|z| z.parse().ok())
        .or_else(|| org.and_then(|z| z.parse().ok()))
        .unwrap_or(chrono_tz::UTC)
}

/// The rules that forbid any follow-up at all, in the order they are reported.
pub fn blocked(f: &FollowupFacts, s: &FollowupSettings) -> Option<FollowupStatusReason> {
    if f.opted_out {
        Some(FollowupStatusReason::OptedOut)
    } else if !s.enabled {
        Some(FollowupStatusReason::Disabled)
    } else if f.mode != ConversationMode::Bot || f.needs_human {
        Some(FollowupStatusReason::Handoff)
    } else if s.stops_on(f.stage) {
        Some(FollowupStatusReason::StageClosed)
    } else if f.sent_in_silence >= s.max_followups {
        Some(FollowupStatusReason::CapReached)
    } else {
        None
    }
}

/// The next follow-up, or none when no rule allows one.
pub fn plan_followup(f: &FollowupFacts, s: &FollowupSettings) -> Option<FollowupPlan> {
    if blocked(f, s).is_some() {
        return None;
    }
    let quiet = s.quiet();
    if s.in_window == InWindowPolicy::Agent
        && let Some(until) = f.window_open_until.filter(|u| *u > f.now)
    {
        let (hours, reason) = in_window_delay(f);
        // Each further nudge of the same silence waits longer.
        let due = push_past_quiet(
            f.now + Duration::hours(hours * (f.sent_in_silence as i64 + 1)),
            quiet,
            f.tz,
        );
        // The agent's staleness guardrail would hold back a nudge the lead's silence no
        // longer allows (two unanswered messages at most after 6 h, one after a day): such a
        // follow-up is not planned rather than planned to be skipped.
        let allowed = StaleState::since(f.last_lead_message_at, due).outreach_cap();
        if due + Duration::minutes(WINDOW_MARGIN_MINUTES) <= until && f.unanswered < allowed {
            return Some(FollowupPlan {
                kind: FollowupKind::InWindow,
                step: f.sent_in_silence + 1,
                due_at: due,
                reason,
                template_id: None,
            });
        }
    }
    let from = f.last_lead_message_at?;
    let (index, step) = s
        .outside_window
        .iter()
        .enumerate()
        .skip(f.steps_sent_in_silence as usize)
        .find(|(_, st)| f.approved_templates.contains(&st.template_id))?;
    let due = Ord::max(from + Duration::hours(step.after_hours as i64), f.now);
    Some(FollowupPlan {
        kind: FollowupKind::Template,
        step: index as u32 + 1,
        due_at: push_past_quiet(due, quiet, f.tz),
        reason: FollowupReason::ScheduleStep,
        template_id: Some(step.template_id),
    })
}

/// Hours to wait inside the window: sooner after an offer or with a hot lead, later with one
/// who rarely answers.
fn in_window_delay(f: &FollowupFacts) -> (i64, FollowupReason) {
    let rr = f.response_rate;
    if rr.bot_messages >= 3 && rr.rate() < 0.3 {
        (8, FollowupReason::LowResponseRate)
    } else if f.open_cta {
        (3, FollowupReason::CtaUnanswered)
    } else if matches!(f.intent, Some(Intent::High | Intent::VeryHigh)) {
        (4, FollowupReason::HighIntent)
    } else {
        (6, FollowupReason::LeadQuiet)
    }
}

/// `at`, or the end of the quiet hours it falls into, in the lead's zone.
pub fn push_past_quiet(at: DateTime<Utc>, quiet: Option<QuietHours>, tz: Tz) -> DateTime<Utc> {
    let Some(q) = quiet else { return at };
    let local = at.with_timezone(&tz);
    if !q.contains(local.time()) {
        return at;
    }
    let today = local.date_naive();
    let day = if q.start > q.end && local.time() >= q.start {
        today + Duration::days(1)
    } else {
        today
    };
    let end = local_instant(tz, day, q.end).unwrap_or(at + Duration::hours(1));
    // A daylight-saving jump can leave the computed end still quiet (or behind us): walk on.
    if end <= at || q.contains(end.with_timezone(&tz).time()) {
        let mut t = Ord::max(end, at);
        for _ in 0..48 {
            t += Duration::minutes(30);
            if !q.contains(t.with_timezone(&tz).time()) {
                return t;
            }
        }
        return t;
    }
    end
}

fn local_instant(tz: Tz, day: chrono::NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    // A time skipped by a spring-forward jump does not exist: an hour later does.
    tz.from_local_datetime(&day.and_time(time))
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(day.and_time(time) + Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// When a follow-up falls due: may it still go? `forced` (a person pressed "send now") skips
/// the timing rules (quiet hours), never the hard ones.
pub fn recheck(
    f: &FollowupFacts,
    s: &FollowupSettings,
    kind: FollowupKind,
    planned_at: DateTime<Utc>,
    manual: bool,
) -> Result<(), FollowupStatusReason> {
    if f.last_lead_message_at.is_some_and(|at| at > planned_at) {
        return Err(FollowupStatusReason::LeadReplied);
    }
    match blocked(f, s) {
        // A person's own follow-up is theirs: the cap and the switch are for the automatic ones.
        Some(FollowupStatusReason::CapReached | FollowupStatusReason::Disabled) if manual => {}
        Some(reason) => return Err(reason),
        None => {}
    }
    if kind == FollowupKind::InWindow {
        if s.in_window == InWindowPolicy::Off && !manual {
            return Err(FollowupStatusReason::Disabled);
        }
        if f.window_open_until.is_none_or(|u| u <= f.now) {
            return Err(FollowupStatusReason::WindowClosed);
        }
    }
    Ok(())
}

/// When a due follow-up finds itself in the quiet hours: the time it should wait for.
pub fn quiet_until(now: DateTime<Utc>, s: &FollowupSettings, tz: Tz) -> Option<DateTime<Utc>> {
    let later = push_past_quiet(now, s.quiet(), tz);
    (later > now).then_some(later)
}

/// The rules engine's follow-up, when a lead has gone quiet inside the window: short, no
/// pressure, one of soft nudge (an open offer or question), clarification, value add, and —
/// from the third unanswered message on — a graceful exit that leaves the door open.
pub fn nudge(
    s: &crate::Snapshot,
    state: &crate::ConversationState,
    lang: &str,
) -> crate::guardrails::Draft {
    use closer_domain::sales::ReasonCode;
    let hinglish = lang == "hi-en" || lang == "hi";
    let name = state
        .slot_value("name")
        .map(str::to_owned)
        .or_else(|| s.profile_name.clone())
        .and_then(|n| n.split_whitespace().next().map(str::to_owned));
    let hi = match (&name, hinglish) {
        (Some(n), false) => format!("Hi {n}, "),
        (Some(n), true) => format!("Hi {n}, "),
        (None, _) => "Hi, ".to_owned(),
    };
    let open_cta = state.last_cta.filter(|c| {
        state.cta_states.get(c).is_some_and(|r| {
            matches!(
                r.state,
                closer_domain::cta::CtaState::OfferedOnce
                    | closer_domain::cta::CtaState::OfferedTwice
            )
        })
    });
    // The last message the guardrails will allow before the lead writes again (their budget,
    // or what the silence allows) is a graceful exit, never one more nudge.
    let allowed = Ord::min(
        closer_domain::engagement::message_budget(
            state.budget(),
            // As it will be once this message went: the budget shrinks with every unanswered one.
            ResponseRate {
                bot_messages: state.response_rate.bot_messages + 1,
                ..state.response_rate
            },
            closer_domain::engagement::sentiment_trend(&state.sentiments()),
        ),
        StaleState::since(state.last_lead_message_at, s.now).outreach_cap(),
    );
    let last_allowed = s.bot_messages_since_lead >= 2 && s.bot_messages_since_lead + 1 >= allowed;
    let (reason, text, cta) = if s.bot_messages_since_lead >= 3 || last_allowed {
        let t = if hinglish {
            "lagta hai abhi sahi time nahi hai, koi baat nahi. Jab bhi aap ready hon, bas yahan message kar dijiye."
        } else {
            "it seems now isn't the right time, and that's completely fine. Whenever you're ready, just message here."
        };
        (ReasonCode::ExitGraceful, t.to_owned(), None)
    } else if let Some(cta) = open_cta {
        let t = if hinglish {
            format!(
                "bas check kar raha tha, kya aap abhi bhi {} mein interested hain?",
                cta.label().to_lowercase()
            )
        } else {
            format!(
                "just checking in: are you still interested in the {}?",
                cta.label().to_lowercase()
            )
        };
        (ReasonCode::SoftNudge, t, Some(cta))
    } else if let Some(slot) = state
        .pending_question
        .as_deref()
        // A nudge asks again only for what shapes the advice (the class, the budget, the
        // city), never the name alone: "share your name so I can suggest the right option" is
        // not true, reads as a form, and contradicts the "Hi Sneha" it opens with.
        .filter(|q| !q.contains(':') && *q != "name" && state.slot_value(q).is_none())
    {
        // The business's own question for it (what the agent would ask in the conversation).
        let question = crate::rules_engine::question_for(s, slot, lang);
        let t = if hinglish {
            format!("jab time mile: {question} Taaki main sahi option suggest kar sakun.")
        } else {
            format!("whenever you get a moment: {question} Then I can suggest the right option.")
        };
        (ReasonCode::ClarificationRequest, t, None)
    } else if s.bot_messages_since_lead >= 2 {
        let t = if hinglish {
            "ek baat share karni thi: humare zyada tar customers pehle ek chhota sa sawaal puchte hain, aur wahin se shuru karte hain. Koi bhi sawaal ho to pooch lijiye."
        } else {
            "a thought: most of our customers started with one small question. If anything is on your mind, ask away."
        };
        (ReasonCode::ValueAdd, t.to_owned(), None)
    } else {
        let t = if hinglish {
            "bas follow up kar raha tha. Agar koi sawaal ho to main yahin hun."
        } else {
            "just following up. If you have any questions, I'm right here."
        };
        (ReasonCode::SoftNudge, t.to_owned(), None)
    };
    crate::guardrails::Draft {
        should_send: true,
        text: format!("{hi}{text}"),
        reason_code: reason,
        cta_type: cta,
        confidence: 0.8,
        answer: vec![],
        thanks: None,
    }
}

/// What a follow-up may be: never a hard sell to someone who did not answer.
pub const FOLLOWUP_REASONS: &[closer_domain::sales::ReasonCode] = &[
    closer_domain::sales::ReasonCode::SoftNudge,
    closer_domain::sales::ReasonCode::ValueAdd,
    closer_domain::sales::ReasonCode::ClarificationRequest,
    closer_domain::sales::ReasonCode::SocialProof,
    closer_domain::sales::ReasonCode::ExitGraceful,
];

/// The LLM planner's task when the lead went quiet (the rules' nudge is its safe suggestion).
pub fn plan_task(s: &crate::Snapshot, suggestion: &crate::guardrails::Draft) -> String {
    let reasons: Vec<&str> = FOLLOWUP_REASONS.iter().map(|r| r.as_str()).collect();
    format!(
        "The lead has not answered the last {} message(s). Plan one short, friendly follow-up, \
         never pushy: reason_code one of {reasons:?} (exit_graceful after several unanswered \
         messages, leaving the door open). Ask for nothing new unless it clarifies what the lead \
         already asked. The rules engine would say ({}): {}",
        s.bot_messages_since_lead, suggestion.reason_code, suggestion.text
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use closer_domain::followup::{QuietHoursSetting, ScheduleStep};
    use proptest::prelude::*;

    fn facts(now: DateTime<Utc>) -> FollowupFacts {
        FollowupFacts {
            now,
            opted_out: false,
            mode: ConversationMode::Bot,
            needs_human: false,
            stage: ConversationStage::Discovery,
            window_open_until: Some(now + Duration::hours(23)),
            last_lead_message_at: Some(now - Duration::hours(1)),
            sent_in_silence: 0,
            steps_sent_in_silence: 0,
            unanswered: 1,
            response_rate: ResponseRate::default(),
            intent: None,
            open_cta: false,
            tz: chrono_tz::Asia::Kolkata,
            approved_templates: vec![],
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        // 2026-03-10 in Kolkata (UTC+5:30).
        chrono_tz::Asia::Kolkata
            .with_ymd_and_hms(2026, 3, 10, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_quiet_lead_is_nudged_within_the_window_and_sooner_after_an_offer() {
        let s = FollowupSettings::default();
        let p = plan_followup(&facts(at(10, 0)), &s).unwrap();
        assert_eq!(p.kind, FollowupKind::InWindow);
        assert_eq!(p.reason, FollowupReason::LeadQuiet);
        assert_eq!(p.due_at, at(16, 0));
        let cta = FollowupFacts {
            open_cta: true,
            ..facts(at(10, 0))
        };
        let p = plan_followup(&cta, &s).unwrap();
        assert_eq!(
            (p.reason, p.due_at),
            (FollowupReason::CtaUnanswered, at(13, 0))
        );
    }

    /// What a lead who goes quiet experiences over a week: every follow-up the planner sends,
    /// one after the other, as (kind, step, local time, reason). The lead wrote at 19:30 on a
    /// Tuesday in Pune and the agent answered at once.
    fn week_of_silence(s: &FollowupSettings) -> Vec<(FollowupKind, u32, String, FollowupReason)> {
        let wrote = at(19, 30);
        let mut f = facts(wrote);
        f.window_open_until = Some(wrote + Duration::hours(24));
        f.last_lead_message_at = Some(wrote);
        f.approved_templates = s.outside_window.iter().map(|st| st.template_id).collect();
        let mut sent = vec![];
        while let Some(p) = plan_followup(&f, s) {
            if p.due_at > wrote + Duration::days(8) {
                break;
            }
            let local = p.due_at.with_timezone(&f.tz);
            sent.push((
                p.kind,
                p.step,
                local.format("%a %H:%M").to_string(),
                p.reason,
            ));
            f.now = p.due_at;
            f.sent_in_silence += 1;
            f.unanswered += 1;
            if p.kind == FollowupKind::Template {
                f.steps_sent_in_silence += 1;
            }
        }
        sent
    }

    #[test]
    fn a_week_of_silence_with_the_default_settings_and_a_three_step_schedule() {
        use FollowupKind::{InWindow, Template};
        // Out of the box no template is chosen: one soft nudge inside the window, at 09:00
        // the next morning rather than at 01:30 (quiet hours), then nothing.
        assert_eq!(
            week_of_silence(&FollowupSettings::default()),
            vec![(InWindow, 1, "Wed 09:00".into(), FollowupReason::LeadQuiet)]
        );
        // With the schedule the settings page suggests (+2 d, +5 d, +7 d) and the default cap
        // of three: the nudge, then the first two steps, each at 09:00 once it falls due in
        // the night; the cap holds back the third.
        let s = FollowupSettings {
            outside_window: [48, 120, 168]
                .into_iter()
                .enumerate()
                .map(|(i, after_hours)| ScheduleStep {
                    after_hours,
                    template_id: Uuid::from_u128(i as u128 + 1),
                })
                .collect(),
            ..Default::default()
        };
        assert_eq!(
            week_of_silence(&s),
            vec![
                (InWindow, 1, "Wed 09:00".into(), FollowupReason::LeadQuiet),
                (
                    Template,
                    1,
                    "Thu 19:30".into(),
                    FollowupReason::ScheduleStep
                ),
                (
                    Template,
                    2,
                    "Sun 19:30".into(),
                    FollowupReason::ScheduleStep
                ),
            ]
        );
    }

    #[test]
    fn quiet_hours_push_to_their_end_in_the_leads_zone() {
        let s = FollowupSettings::default();
        // 18:00 + 6 h = 00:00, inside 21:00–09:00: moved to 09:00 the next morning.
        let p = plan_followup(&facts(at(18, 0)), &s).unwrap();
        assert_eq!(p.due_at, at(9, 0) + Duration::days(1));
    }

    #[test]
    fn past_the_window_the_next_approved_step_goes() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let s = FollowupSettings {
            outside_window: vec![
                ScheduleStep {
                    after_hours: 48,
                    template_id: a,
                },
                ScheduleStep {
                    after_hours: 120,
                    template_id: b,
                },
            ],
            ..Default::default()
        };
        let mut f = facts(at(12, 0));
        f.window_open_until = Some(at(13, 0));
        f.last_lead_message_at = Some(at(11, 0));
        f.approved_templates = vec![b];
        let p = plan_followup(&f, &s).unwrap();
        assert_eq!(
            (p.kind, p.step, p.template_id),
            (FollowupKind::Template, 2, Some(b))
        );
        assert_eq!(p.due_at, at(11, 0) + Duration::hours(120));
        f.approved_templates = vec![];
        assert_eq!(plan_followup(&f, &s), None);
    }

    fn stage() -> impl Strategy<Value = ConversationStage> {
        prop::sample::select(ConversationStage::ALL.to_vec())
    }

    fn zone_strategy() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            chrono_tz::UTC,
            chrono_tz::Asia::Kolkata,
            chrono_tz::America::New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Adelaide,
        ])
    }

    prop_compose! {
        fn arbitrary_case()(
            now_s in 1_700_000_000i64..1_800_000_000,
            opted_out in any::<bool>(),
            human in 0u8..4,
            stage in stage(),
            window_h in -30i64..30,
            silent_h in 0i64..400,
            sent in 0u32..6,
            bot in 0u32..10,
            replies in 0u32..10,
            open_cta in any::<bool>(),
            tz in zone_strategy(),
            enabled in any::<bool>(),
            agent in any::<bool>(),
            quiet in prop::option::of((0u32..24, 0u32..24)),
            max in 0u32..5,
            steps in prop::collection::vec(24u32..60, 0..5),
            approved in any::<u8>(),
        ) -> (FollowupFacts, FollowupSettings) {
            let now = DateTime::from_timestamp(now_s, 0).unwrap();
            let mut hours = 0;
            let outside_window: Vec<ScheduleStep> = steps.iter().enumerate().map(|(i, h)| {
                hours += h;
                ScheduleStep { after_hours: hours, template_id: Uuid::from_u128(i as u128) }
            }).collect();
            let approved_templates = outside_window.iter().enumerate()
                .filter(|(i, _)| approved & (1 << i) != 0).map(|(_, s)| s.template_id).collect();
            let quiet_hours = quiet.filter(|(a, b)| a != b).map(|(a, b)| QuietHoursSetting {
                start: format!("{a:02}:00"), end: format!("{b:02}:30"),
            });
            let s = FollowupSettings {
                enabled,
                in_window: if agent { InWindowPolicy::Agent } else { InWindowPolicy::Off },
                outside_window,
                quiet_hours,
                max_followups: max,
                stop_on_stages: vec![ConversationStage::ClosedWon, ConversationStage::ClosedLost],
            };
            let f = FollowupFacts {
                now,
                opted_out,
                mode: if human == 0 { ConversationMode::Human } else { ConversationMode::Bot },
                needs_human: human == 1,
                stage,
                window_open_until: Some(now + Duration::hours(window_h)),
                last_lead_message_at: Some(now - Duration::hours(silent_h)),
                sent_in_silence: sent,
                steps_sent_in_silence: sent / 2,
                unanswered: sent + 1,
                response_rate: ResponseRate { bot_messages: bot, lead_replies: replies },
                intent: None,
                open_cta,
                tz,
                approved_templates,
            };
            (f, s)
        }
    }

    proptest! {
        #[test]
        fn a_plan_never_breaks_a_rule((f, s) in arbitrary_case()) {
            let Some(p) = plan_followup(&f, &s) else { return Ok(()) };
            prop_assert!(!f.opted_out, "never for an opted-out lead");
            prop_assert!(f.sent_in_silence < s.max_followups, "never past the cap");
            prop_assert!(!s.stops_on(f.stage), "never after a closed stage");
            prop_assert!(f.mode == ConversationMode::Bot && !f.needs_human);
            prop_assert!(s.enabled);
            prop_assert!(p.due_at >= f.now, "never in the past");
            if let Some(q) = s.quiet() {
                let local = p.due_at.with_timezone(&f.tz).time();
                prop_assert!(!q.contains(local), "never inside quiet hours: {local}");
            }
            match p.kind {
                FollowupKind::InWindow => {
                    prop_assert!(p.due_at < f.window_open_until.unwrap());
                    let cap = StaleState::since(f.last_lead_message_at, p.due_at).outreach_cap();
                    prop_assert!(f.unanswered < cap, "never what staleness would hold back");
                    prop_assert_eq!(s.in_window, InWindowPolicy::Agent);
                }
                FollowupKind::Template => {
                    let t = p.template_id.unwrap();
                    prop_assert!(f.approved_templates.contains(&t), "only approved templates");
                    prop_assert!(p.step as usize > f.steps_sent_in_silence as usize);
                }
            }
            if p.kind == FollowupKind::InWindow {
                // What was planned passes the re-check as long as nothing changed.
                prop_assert_eq!(recheck(&f, &s, p.kind, f.now, false), Ok(()));
            }
        }

        #[test]
        fn pushed_times_leave_the_quiet_hours(
            t in 1_700_000_000i64..1_800_000_000, a in 0u32..24, b in 0u32..24, tz in zone_strategy()
        ) {
            prop_assume!(a != b);
            let q = QuietHours {
                start: NaiveTime::from_hms_opt(a, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(b, 15, 0).unwrap(),
            };
            let at = DateTime::from_timestamp(t, 0).unwrap();
            let pushed = push_past_quiet(at, Some(q), tz);
            prop_assert!(pushed >= at);
            prop_assert!(!q.contains(pushed.with_timezone(&tz).time()));
            prop_assert!(pushed - at <= Duration::hours(26));
        }
    }
}
