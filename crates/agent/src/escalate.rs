//! When a human must take over (SPEC §5.3), how urgently, and the brief they get first.

use crate::extract::Extraction;
use crate::language::{Line, line};
use crate::state::{ConversationState, HandoffPackage};
use chrono::{DateTime, NaiveDateTime, Utc};
use closer_domain::agent::{EscalationTrigger, HandoverReason};
use closer_domain::cta::CtaState;
use closer_domain::engagement::{DECLINING_TREND, sentiment_trend};
use closer_domain::hours::{TeamBack, WorkingSchedule};
use closer_domain::sales::{EscalationPriority, Intent, Sentiment};

/// Confused exchanges in a row that call for a human.
pub const CONFUSED_LIMIT: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub reason: HandoverReason,
    pub priority: EscalationPriority,
    pub recommended_action: &'static str,
}

impl Escalation {
    /// An angry lead, a failed payment or a falling mood: the line telling the lead a person is
    /// coming starts with an apology instead of a cheerful hand-off.
    pub fn lead_is_upset(&self) -> bool {
        matches!(
            self.reason,
            HandoverReason::Trigger(
                EscalationTrigger::AngrySentiment
                    | EscalationTrigger::PaymentFailure
                    | EscalationTrigger::DecliningSentiment
            )
        )
    }
}

/// What the lead hears when a person takes over, a pure function of the working hours, the
/// local time and the lead's mood: inside the hours (or none known) the owner's handover line
/// (`own`, "they'll reply here shortly"); outside them when the team is back ("Our team is back
/// at 9:00 AM tomorrow (Mon); they'll reply here then"), never "shortly" at 04:30. An upset
/// lead hears the apology first.
pub fn handover_line(
    schedule: &WorkingSchedule,
    local_now: NaiveDateTime,
    upset: bool,
    lang: &str,
    own: Option<&str>,
) -> String {
    let promise = match schedule.team_back(local_now) {
        TeamBack::Now => own.unwrap_or(line(Line::Handoff, lang)).to_owned(),
        TeamBack::At(at) => said_at(Line::HandoffLater, at, local_now, lang),
    };
    if upset {
        format!("{} {promise}", line(Line::Apology, lang))
    } else {
        promise
    }
}

/// What a lead waiting for a person hears when they ask whether anyone is there: sorry for
/// the wait, and that a person will reply here — shortly inside the working hours (or none
/// known), outside them when the team is back, as [`handover_line`] says it.
pub fn person_coming_line(
    schedule: &WorkingSchedule,
    local_now: NaiveDateTime,
    lang: &str,
) -> String {
    let promise = match schedule.team_back(local_now) {
        TeamBack::Now => line(Line::PersonComing, lang).to_owned(),
        TeamBack::At(at) => said_at(Line::HandoffLater, at, local_now, lang),
    };
    format!("{} {promise}", line(Line::SorryForTheWait, lang))
}

/// When the team will have answered a question the agent passed on to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerDue {
    /// No working hours known: no time is promised.
    Unknown,
    /// Someone is at work for the next hour.
    WithinTheHour,
    /// An hour after the team is next back (local time): at 04:30 nobody answers "within the
    /// hour", and a team closing in ten minutes may not either.
    By(NaiveDateTime),
}

/// When the team answers a question asked at `local_now`: within the hour while someone is
/// at work through the next hour; else an hour after the next opening.
pub fn answer_due(schedule: &WorkingSchedule, local_now: NaiveDateTime) -> AnswerDue {
    if schedule.is_empty() {
        return AnswerDue::Unknown;
    }
    let hour = chrono::Duration::hours(1);
    let last_minute = local_now + hour - chrono::Duration::minutes(1);
    if schedule.is_open(local_now) && schedule.is_open(last_minute) {
        return AnswerDue::WithinTheHour;
    }
    schedule
        .next_opening(local_now)
        .map_or(AnswerDue::Unknown, |at| AnswerDue::By(at + hour))
}

/// "Let me check that with the team and get back to you by 10:00 AM tomorrow (Wed)": the
/// promise the agent makes when nothing it knows answers the lead, with a time it can keep
/// (a pure function of the hours and the local time, like [`handover_line`]).
pub fn check_with_team_line(due: AnswerDue, local_now: NaiveDateTime, lang: &str) -> String {
    promise_line(Unanswered::Question, due, local_now, lang)
}

/// What the team is to answer, as the promise to the lead words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unanswered<'a> {
    /// A question nothing the business gave the agent answers.
    Question,
    /// A request for details of `topic` ("the NEET repeater batch") nothing covers: the
    /// promise names what the lead will get.
    Details(&'a str),
    /// A question asked again after the agent answered it: what it knows was said above,
    /// never sent again word for word; the team adds the rest.
    AskedAgain,
    /// Several questions, some answered in the same reply: the team answers the others.
    Rest,
}

/// [`check_with_team_line`] for any of the things the team is to answer, with the same time.
pub fn promise_line(
    what: Unanswered<'_>,
    due: AnswerDue,
    local_now: NaiveDateTime,
    lang: &str,
) -> String {
    let (plain, by) = match what {
        Unanswered::Question => (Line::NoAnswer, Line::NoAnswerBy),
        Unanswered::Details(_) => (Line::DetailsFromTeam, Line::DetailsFromTeamBy),
        Unanswered::AskedAgain => (Line::SaidAbove, Line::SaidAboveBy),
        Unanswered::Rest => (Line::RestFromTeam, Line::RestFromTeamBy),
    };
    let when = match due {
        AnswerDue::Unknown => None,
        AnswerDue::WithinTheHour => Some(line(Line::WithinTheHour, lang).to_owned()),
        AnswerDue::By(at) => Some(said_at(Line::ByTime, at, local_now, lang)),
    };
    let said = match when {
        None => line(plain, lang).to_owned(),
        Some(when) => line(by, lang).replace("{when}", &when),
    };
    match what {
        // The topic opens the Hinglish line: "Hostel ki details…".
        Unanswered::Details(topic) => {
            let said = said.replace("{topic}", topic);
            let mut chars = said.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
        Unanswered::Question | Unanswered::AskedAgain | Unanswered::Rest => said,
    }
}

/// `template` with its `{time}` and `{day}` filled for the local moment `at`, the day named
/// as the lead reads it at `local_now`: today, tomorrow (Wed), on Fri.
fn said_at(template: Line, at: NaiveDateTime, local_now: NaiveDateTime, lang: &str) -> String {
    let day = match (at.date() - local_now.date()).num_days() {
        0 => line(Line::Today, lang),
        1 => line(Line::Tomorrow, lang),
        _ => line(Line::OnDay, lang),
    }
    .replace("{weekday}", &at.format("%a").to_string());
    line(template, lang)
        .replace("{time}", &at.format("%-I:%M %p").to_string())
        .replace("{day}", &day)
}

/// Which code rules the sales rules' `escalation_triggers` switch on, and which of the
/// owner's triggers only the model reads (free text such as "lead asks for a discount").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TriggerSwitches {
    /// Named in the documents, or always on.
    pub on: Vec<EscalationTrigger>,
    /// The owner's own words: no code rule checks them; the LLM engine reads them.
    pub model_only: Vec<String>,
}

impl TriggerSwitches {
    pub fn is_on(&self, trigger: EscalationTrigger) -> bool {
        self.on.contains(&trigger)
    }
}

/// Reads the documents' escalation triggers: each code (in any spelling the vocabulary
/// accepts) switches its rule on; the rules that are always on stay on whatever is listed.
pub fn switches(triggers: &[String]) -> TriggerSwitches {
    let mut out = TriggerSwitches::default();
    for raw in triggers {
        match raw.parse::<EscalationTrigger>() {
            Ok(t) => {
                if !out.on.contains(&t) {
                    out.on.push(t);
                }
            }
            Err(_) if !raw.trim().is_empty() => out.model_only.push(raw.trim().to_owned()),
            Err(_) => {}
        }
    }
    for t in EscalationTrigger::ALL {
        if t.always_on() && !out.on.contains(t) {
            out.on.push(*t);
        }
    }
    out.on.sort();
    out
}

/// The most urgent reason to hand over among the rules switched on, if any. `state` already
/// holds this turn's sentiment and confusion count.
pub fn check(
    x: &Extraction,
    state: &ConversationState,
    switches: &TriggerSwitches,
) -> Option<Escalation> {
    let trend = sentiment_trend(&state.sentiments());
    let candidates = [
        (
            x.compliance_risk,
            EscalationTrigger::ComplianceRisk,
            EscalationPriority::Critical,
            "Reply personally, promise nothing, and involve whoever handles legal matters.",
        ),
        (
            x.payment_failure,
            EscalationTrigger::PaymentFailure,
            EscalationPriority::Critical,
            "Check the payment or booking and offer another way to complete it.",
        ),
        (
            matches!(x.sentiment, Some((Sentiment::Angry, _))),
            EscalationTrigger::AngrySentiment,
            EscalationPriority::High,
            "Apologise and resolve the complaint personally.",
        ),
        (
            x.wants_human,
            EscalationTrigger::HumanRequested,
            EscalationPriority::High,
            "The lead asked for a person: reply yourself.",
        ),
        (
            state.confused_streak >= CONFUSED_LIMIT,
            EscalationTrigger::ComplexQuestion3x,
            EscalationPriority::Medium,
            "Answer the question the agent could not; the lead is confused.",
        ),
        (
            state.sentiment_history.len() >= 3 && trend <= DECLINING_TREND,
            EscalationTrigger::DecliningSentiment,
            EscalationPriority::Medium,
            "Reassure the lead and simplify; their mood is falling.",
        ),
    ];
    candidates
        .into_iter()
        .filter(|c| c.0 && switches.is_on(c.1))
        .max_by_key(|c| c.2.rank())
        .map(|(_, trigger, priority, recommended_action)| Escalation {
            reason: trigger.into(),
            priority,
            recommended_action,
        })
}

/// A lead the agent has run out of things to do for: every question asked, no offer left to
/// make, none taken up, and the lead has not said no. Letting go politely would drop a
/// qualified lead; a person should pick it up.
pub fn nothing_left_to_offer(x: &Extraction, state: &ConversationState) -> Option<Escalation> {
    let taken_up = state
        .cta_states
        .values()
        .any(|r| matches!(r.state, CtaState::Clicked | CtaState::Completed));
    // A lead who closed with "thanks" ended the exchange themselves: nobody let them go.
    (!x.declines && !x.thanks && !taken_up).then_some(Escalation {
        reason: HandoverReason::NothingLeftToOffer,
        priority: EscalationPriority::Medium,
        recommended_action:
            "The agent has asked everything and has no offer left to make: follow up yourself.",
    })
}

/// The agent told the lead "let me check that with the team": nothing the business gave it
/// answers the question. Without a person the promise goes nowhere and the lead waits forever.
pub fn unanswered_question() -> Escalation {
    Escalation {
        reason: HandoverReason::UnansweredQuestion,
        priority: EscalationPriority::Medium,
        recommended_action: "Answer the lead's question yourself (the agent promised the team \
            would), then add the answer to the knowledge base so the agent can answer it next time.",
    }
}

/// Handovers by which the lead only waits for an answer: they asked for nobody and are not
/// upset (the agent had no answer, or nothing left to offer).
pub fn lead_only_waits_for_an_answer(escalation_reason: HandoverReason) -> bool {
    escalation_reason.lead_only_waits_for_an_answer()
}

/// Words by which a reply promises that the team will answer ("let me check with the team",
/// "team se confirm karke batata hun"): whoever wrote it, a person must keep it.
const PROMISES_TO_CHECK: &[&str] = &[
    "check with the team",
    "check with our team",
    "check that with the team",
    "check this with the team",
    "confirm with the team",
    "confirm with our team",
    "ask the team",
    "ask our team",
    "team will get back",
    "get back to you",
    "team se confirm",
    "team se puch",
    "team se pooch",
    "confirm karke batata",
    "confirm karke bataunga",
    "check karke batata",
    "puch ke batata",
    "pooch ke batata",
];

/// Whether `reply` promises the lead an answer from the team.
pub fn promises_to_check(reply: &str) -> bool {
    crate::extract::has_any(&crate::extract::normalize(reply), PROMISES_TO_CHECK)
}

/// The lead asked for a call at a time and the agent has no booking link to book it: it said
/// the team will confirm the time. A lead asking to talk is worth answering soon.
pub fn call_requested() -> Escalation {
    Escalation {
        reason: HandoverReason::CallRequested,
        priority: EscalationPriority::High,
        recommended_action: "Confirm the call at the time the lead asked for (in the agent's \
            promises), or offer another. Add a booking link to the call to action so the agent \
            can book calls itself.",
    }
}

/// The brief shown first to the human who takes over.
pub fn package(e: &Escalation, state: &ConversationState, at: DateTime<Utc>) -> HandoffPackage {
    let sentiments = state.sentiments();
    let trend = sentiment_trend(&sentiments);
    let direction = if trend <= DECLINING_TREND {
        "declining"
    } else if trend >= 0.5 {
        "improving"
    } else {
        "stable"
    };
    let sentiment_trend = match sentiments.last() {
        Some(s) => format!("{direction} (now {s})"),
        None => direction.to_owned(),
    };
    HandoffPackage {
        escalation_reason: e.reason,
        priority: e.priority,
        summary: state.summary.clone(),
        key_slots: state
            .slots
            .iter()
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect(),
        sentiment_trend,
        recommended_action: e.recommended_action.into(),
        conversation_value_score: value_score(state),
        at,
    }
}

/// 0–100: intent, money and progress make a conversation worth more of a human's time.
pub fn value_score(state: &ConversationState) -> u32 {
    let intent = match state.intent {
        Some(Intent::VeryHigh) => 40,
        Some(Intent::High) => 30,
        Some(Intent::Medium) => 20,
        Some(Intent::Low) => 5,
        Some(Intent::Unknown) | None => 10,
    };
    let money = match state.budget() {
        Some(b) if b > 10_000.0 => 30,
        Some(_) => 20,
        None => 0,
    };
    let facts = (state.slots.len() as u32 * 5).min(20);
    let progress = if state
        .cta_states
        .values()
        .any(|r| matches!(r.state, CtaState::Clicked | CtaState::Completed))
    {
        10
    } else {
        0
    };
    (intent + money + facts + progress).min(100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn codes_switch_rules_on_and_free_text_is_for_the_model() {
        let s = switches(&words(&[
            "payment_failure",
            "ANGRY_SENTIMENT",
            "Lead asks for a discount above 20%",
            "  ",
        ]));
        assert!(s.is_on(EscalationTrigger::PaymentFailure));
        assert!(s.is_on(EscalationTrigger::AngrySentiment));
        assert!(!s.is_on(EscalationTrigger::ComplexQuestion3x));
        assert!(!s.is_on(EscalationTrigger::DecliningSentiment));
        assert_eq!(s.model_only, ["Lead asks for a discount above 20%"]);
    }

    #[test]
    fn a_person_and_legal_risk_are_never_switched_off() {
        let s = switches(&[]);
        assert_eq!(
            s.on,
            [
                EscalationTrigger::ComplianceRisk,
                EscalationTrigger::HumanRequested
            ]
        );
    }

    fn angry_and_confused() -> (Extraction, ConversationState) {
        let x = Extraction {
            sentiment: Some((Sentiment::Angry, 0.9)),
            ..Default::default()
        };
        let state = ConversationState {
            confused_streak: CONFUSED_LIMIT,
            ..Default::default()
        };
        (x, state)
    }

    #[test]
    fn a_rule_switched_off_does_not_hand_over() {
        let (x, state) = angry_and_confused();
        let off = switches(&words(&["payment_failure"]));
        assert_eq!(check(&x, &state, &off), None);
        let confused = switches(&words(&["complex_question_3x"]));
        assert_eq!(
            check(&x, &state, &confused).map(|e| e.reason),
            Some(EscalationTrigger::ComplexQuestion3x.into())
        );
        let both = switches(&words(&["complex_question_3x", "angry_sentiment"]));
        assert_eq!(
            check(&x, &state, &both).map(|e| e.reason),
            Some(EscalationTrigger::AngrySentiment.into())
        );
    }

    fn schedule() -> impl Strategy<Value = WorkingSchedule> {
        use chrono::NaiveTime;
        use closer_domain::hours::OpenHours;
        let day = proptest::sample::select(closer_domain::hours::EVERY_DAY.to_vec());
        let time = (0u32..24, prop_oneof![Just(0u32), Just(30u32)])
            .prop_map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default());
        let span = (proptest::collection::vec(day, 1..7), time.clone(), time)
            .prop_map(|(days, open, close)| OpenHours { days, open, close });
        proptest::collection::vec(span, 0..3).prop_map(WorkingSchedule)
    }

    /// A moment `minutes` into three weeks from a Saturday (UTC), as the clock reads in `zone`:
    /// the local date often differs from UTC's.
    fn local_time(zone: &str, minutes: i64) -> NaiveDateTime {
        use chrono::TimeZone;
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 14, 0, 0, 0).unwrap()
            + chrono::Duration::minutes(minutes);
        now.with_timezone(&tz).naive_local()
    }

    proptest! {
        /// The handover line, in the organisation's timezone, across midnight and the week's
        /// end: "shortly" exactly when someone is at work (or no hours are known); otherwise
        /// the time and day of the next opening, named from the lead's local date; the
        /// apology exactly when the lead is upset.
        #[test]
        fn the_handover_promises_a_person_only_when_one_is_at_work(
            s in schedule(),
            minutes in 0i64..21 * 24 * 60,
            zone in proptest::sample::select(vec!["Asia/Kolkata", "America/New_York", "Pacific/Auckland"]),
            upset in any::<bool>(),
            hinglish in any::<bool>(),
        ) {
            let local = local_time(zone, minutes);
            let lang = if hinglish { "hi-en" } else { "en" };
            let said = handover_line(&s, local, upset, lang, None);
            let apology = line(Line::Apology, lang);
            prop_assert_eq!(said.starts_with(apology), upset);
            let promise = said.trim_start_matches(apology).trim();
            if s.is_empty() || s.is_open(local) {
                prop_assert_eq!(promise, line(Line::Handoff, lang));
            } else {
                let at = s.next_opening(local).expect("an opening within the week");
                prop_assert!(!promise.contains("shortly") && !promise.contains("jaldi"));
                let time = at.format("%-I:%M %p").to_string();
                prop_assert!(promise.contains(&time), "{promise} lacks {time}");
                let weekday = at.format("%a").to_string();
                let days = (at.date() - local.date()).num_days();
                let (en, hi) = match days {
                    0 => ("today".to_owned(), "aaj".to_owned()),
                    1 => (format!("tomorrow ({weekday})"), format!("kal ({weekday})")),
                    _ => (format!("on {weekday}"), format!("{weekday} ko")),
                };
                let day = if hinglish { hi } else { en };
                prop_assert!(promise.contains(&day), "{promise} lacks {day} ({local} → {at})");
            }
        }

        /// The promise to answer, across midnight and the week's end in three zones: "within
        /// the hour" only while someone is at work for that whole hour; otherwise a time an
        /// hour after a moment the team is at work, after now, said with its day as the lead
        /// reads it; no time at all when no hours are known.
        #[test]
        fn the_team_answers_by_a_time_it_is_at_work(
            s in schedule(),
            minutes in 0i64..21 * 24 * 60,
            zone in proptest::sample::select(vec!["Asia/Kolkata", "America/New_York", "Pacific/Auckland"]),
            hinglish in any::<bool>(),
        ) {
            let local = local_time(zone, minutes);
            let lang = if hinglish { "hi-en" } else { "en" };
            let due = answer_due(&s, local);
            let said = check_with_team_line(due, local, lang);
            let hour = chrono::Duration::hours(1);
            match due {
                AnswerDue::Unknown => {
                    prop_assert!(s.is_empty() || (!s.is_open(local) && s.next_opening(local).is_none()));
                    prop_assert_eq!(said, line(Line::NoAnswer, lang));
                }
                AnswerDue::WithinTheHour => {
                    prop_assert!(s.is_open(local));
                    prop_assert!(s.is_open(local + hour - chrono::Duration::minutes(1)));
                    prop_assert!(said.contains(line(Line::WithinTheHour, lang)));
                }
                AnswerDue::By(at) => {
                    prop_assert!(at - hour > local);
                    prop_assert!(s.is_open(at - hour), "closed at {}", at - hour);
                    prop_assert!(!said.contains(line(Line::WithinTheHour, lang)));
                    let time = at.format("%-I:%M %p").to_string();
                    prop_assert!(said.contains(&time), "{said} lacks {time}");
                    let weekday = at.format("%a").to_string();
                    let (en, hi) = match (at.date() - local.date()).num_days() {
                        0 => ("today".to_owned(), "aaj".to_owned()),
                        1 => (format!("tomorrow ({weekday})"), format!("kal ({weekday})")),
                        _ => (format!("on {weekday}"), format!("{weekday} ko")),
                    };
                    let day = if hinglish { hi } else { en };
                    prop_assert!(said.contains(&day), "{said} lacks {day} ({local} → {at})");
                }
            }
        }

        /// Whatever the owner lists, the always-on rules are on, every code listed is on,
        /// and nothing listed is lost: each entry is a switch or a model-only trigger.
        #[test]
        fn every_trigger_is_a_switch_or_model_only(list in proptest::collection::vec(
            prop_oneof![
                proptest::sample::select(EscalationTrigger::ALL.iter().map(|t| t.as_str().to_owned()).collect::<Vec<_>>()),
                "[a-z ]{3,20}",
            ], 0..8)) {
            let s = switches(&list);
            for t in EscalationTrigger::ALL {
                if t.always_on() { prop_assert!(s.is_on(*t)); }
            }
            for raw in &list {
                let code = raw.parse::<EscalationTrigger>().ok();
                match code {
                    Some(t) => prop_assert!(s.is_on(t)),
                    None => prop_assert!(raw.trim().is_empty() || s.model_only.contains(&raw.trim().to_owned())),
                }
            }
        }
    }
}
