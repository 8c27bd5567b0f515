//! Drip sequences: steps that go to one lead, each `wait_seconds` after the one before, until
//! the last went or something stopped them (the lead replied, opted out, a person took over,
//! a stop condition held). The definition is validated here, the enrolment's life is a small
//! state machine, and "what does the next step do now" is one pure function — the store and
//! the runner only execute what these decide.

use crate::lead_filter::{self, FieldDef};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

text_enum!(
    /// Where a lead's enrolment is: its steps still going, all gone, or stopped early.
    EnrollmentStatus {
        Active = "active",
        Completed = "completed",
        Stopped = "stopped",
    }
);

text_enum!(
    /// Why an enrolment stopped before its last step.
    StopReason {
        /// The lead wrote (and the sequence stops on a reply).
        Replied = "replied",
        /// The lead opted out: nothing more goes to them.
        OptedOut = "opted_out",
        /// A stop condition with outcome `success` held (the lead won, booked, ...).
        Success = "success",
        /// A stop condition with outcome `failure` held (the lead was lost, ...).
        Failure = "failure",
        /// A person owns the conversation (human mode, paused or closed).
        Handoff = "handoff",
        /// The lead was enrolled in another sequence: one active enrolment per lead.
        Replaced = "replaced",
        /// A person stopped it, or the sequence was turned off or deleted.
        Manual = "manual",
    }
);

text_enum!(
    /// What a stop condition means when it holds.
    SequenceOutcome { Success = "success", Failure = "failure" }
);

impl SequenceOutcome {
    pub fn stop_reason(self) -> StopReason {
        match self {
            SequenceOutcome::Success => StopReason::Success,
            SequenceOutcome::Failure => StopReason::Failure,
        }
    }
}

text_enum!(
    /// Who enrolled the lead.
    EnrollSource {
        /// A person, from the sequence's page.
        Manual = "manual",
        /// A bulk operation on the leads list.
        Bulk = "bulk",
        /// An automation's `start_sequence` action.
        Automation = "automation",
        /// A campaign's `sequence_id`, once the lead's message went.
        Campaign = "campaign",
    }
);

text_enum!(
    /// Why a lead asked for was not enrolled.
    EnrollSkip {
        /// No such lead in the organisation.
        NotFound = "not_found",
        /// The lead opted out (or was erased): nothing goes to them.
        OptedOut = "opted_out",
        /// Neither a phone nor a WhatsApp id to write to.
        NoPhone = "no_phone",
        /// The lead is in this sequence already.
        AlreadyEnrolled = "already_enrolled",
        /// The sequence's start conditions do not hold for the lead.
        ConditionsNotMet = "conditions_not_met",
        /// The sequence is turned off.
        SequenceDisabled = "sequence_disabled",
    }
);

text_enum!(
    /// Why a due step went nowhere (the enrolment moves on to the next step).
    StepSkip {
        /// A text step outside the 24 h window, with no fallback template.
        WindowClosed = "window_closed",
        /// The lead stopped promotions and the step's template is marketing.
        MarketingOptedOut = "marketing_opted_out",
        /// The template is gone, not approved, or its variables cannot be filled.
        TemplateNotAvailable = "template_not_available",
        /// Another rule of the send policy refused it (the hourly limit, ...).
        Refused = "refused",
    }
);

/// One step: wait, then a text (inside the window) or a template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequenceStep {
    /// Seconds after the step before (after enrolment for the first).
    pub wait_seconds: u32,
    /// Free text; goes only inside the 24 h window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// An approved template; goes inside or outside the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<Uuid>,
    /// Values for the template's placeholders (`{placeholder: value}`); the rest come from
    /// the template's own mapping (the lead's fields).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// For a text step: the template that goes instead when the window is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_template_id: Option<Uuid>,
}

/// One condition in the CRM's filter vocabulary (`{field, operator, value, glue}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequenceCondition {
    pub field: String,
    pub operator: String,
    #[serde(default)]
    pub value: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glue: Option<String>,
}

impl SequenceCondition {
    /// The condition as the filter document writes it.
    pub fn doc(&self) -> Value {
        let mut v = json!({ "field": self.field, "operator": self.operator, "value": self.value });
        if let Some(g) = &self.glue {
            v["glue"] = json!(g);
        }
        v
    }
}

/// A stop condition: when it holds for the lead, the enrolment stops with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StopCondition {
    pub field: String,
    pub operator: String,
    #[serde(default)]
    pub value: Value,
    pub outcome: SequenceOutcome,
}

impl StopCondition {
    /// This condition alone, as a filter document.
    pub fn filter_doc(&self) -> Value {
        json!([{ "field": self.field, "operator": self.operator, "value": self.value }])
    }
}

fn yes() -> bool {
    true
}

/// A sequence as the owner writes it (`POST/PUT /api/v1/sequences`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequenceDefinition {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub steps: Vec<SequenceStep>,
    /// The lead must match these (all of them, `or` glue as in views) to be enrolled.
    #[serde(default)]
    pub start_conditions: Vec<SequenceCondition>,
    /// Each is checked on its own before every step.
    #[serde(default)]
    pub stop_conditions: Vec<StopCondition>,
    /// The lead's message stops the enrolment.
    #[serde(default = "yes")]
    pub stop_on_reply: bool,
}

pub const MAX_STEPS: usize = 20;
pub const MAX_NAME: usize = 120;
pub const MAX_TEXT: usize = 4096;
/// 90 days between two steps at most.
pub const MAX_WAIT_SECONDS: u32 = 90 * 86_400;
/// Least time between two of our messages to one lead (as campaigns pace them).
pub const RECIPIENT_GAP_SECONDS: i64 = 6;

impl SequenceDefinition {
    /// The start conditions as one filter document.
    pub fn start_doc(&self) -> Value {
        Value::Array(self.start_conditions.iter().map(|c| c.doc()).collect())
    }

    /// The stop conditions as one document (glue-less: each stands alone), for checking.
    fn stop_doc(&self) -> Value {
        Value::Array(
            self.stop_conditions
                .iter()
                .map(|c| json!({ "field": c.field, "operator": c.operator, "value": c.value }))
                .collect(),
        )
    }

    /// Every problem, by field path (`steps[1].text`), for a 422. `defs` are the
    /// organisation's custom fields, which conditions may name.
    pub fn problems(&self, defs: &[FieldDef]) -> Vec<(String, String)> {
        let mut out = vec![];
        let name = self.name.trim();
        if name.is_empty() {
            out.push(("name".into(), "is required".into()));
        } else if name.chars().count() > MAX_NAME {
            out.push(("name".into(), format!("at most {MAX_NAME} characters")));
        }
        if self.steps.is_empty() {
            out.push(("steps".into(), "add at least one step".into()));
        } else if self.steps.len() > MAX_STEPS {
            out.push(("steps".into(), format!("at most {MAX_STEPS} steps")));
        }
        for (i, step) in self.steps.iter().enumerate() {
            out.extend(
                step_problems(step)
                    .into_iter()
                    .map(|(f, m)| (format!("steps[{i}].{f}"), m)),
            );
        }
        for (root, doc) in [
            ("start_conditions", self.start_doc()),
            ("stop_conditions", self.stop_doc()),
        ] {
            if let Err(problems) = lead_filter::parse_at(root, &doc, defs) {
                out.extend(problems.into_iter().map(|p| (p.path, p.message)));
            }
        }
        out
    }
}

fn step_problems(step: &SequenceStep) -> Vec<(String, String)> {
    let mut out = vec![];
    if step.wait_seconds > MAX_WAIT_SECONDS {
        out.push(("wait_seconds".into(), "at most 90 days".into()));
    }
    let text = step.text.as_deref().map(str::trim);
    match (text, step.template_id) {
        (Some(_), Some(_)) => out.push((
            "text".into(),
            "give a text or a template_id, not both".into(),
        )),
        (None, None) => out.push(("text".into(), "give a text or a template_id".into())),
        (Some(""), None) => out.push(("text".into(), "must not be empty".into())),
        (Some(t), None) if t.chars().count() > MAX_TEXT => {
            out.push(("text".into(), format!("at most {MAX_TEXT} characters")))
        }
        _ => {}
    }
    if step.template_id.is_some() && step.fallback_template_id.is_some() {
        out.push((
            "fallback_template_id".into(),
            "only a text step has a fallback: a template goes outside the window itself".into(),
        ));
    }
    if step.template_id.is_none() && !step.variables.is_empty() {
        out.push((
            "variables".into(),
            "only a template step has variables".into(),
        ));
    }
    out
}

/// What happened to an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollmentEvent {
    /// A step was handled (sent or skipped); `last` when it was the final one.
    StepDone {
        last: bool,
    },
    Stop(StopReason),
}

/// The enrolment's next status, or `None` when the event changes nothing (a finished
/// enrolment stays finished: a late job or a second stop cannot revive or re-stop it).
pub fn next_status(
    status: EnrollmentStatus,
    event: EnrollmentEvent,
) -> Option<(EnrollmentStatus, Option<StopReason>)> {
    if status != EnrollmentStatus::Active {
        return None;
    }
    Some(match event {
        EnrollmentEvent::StepDone { last: true } => (EnrollmentStatus::Completed, None),
        EnrollmentEvent::StepDone { last: false } => (EnrollmentStatus::Active, None),
        EnrollmentEvent::Stop(why) => (EnrollmentStatus::Stopped, Some(why)),
    })
}

/// What the rules need to know about the lead when a step falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepFacts {
    pub opted_out: bool,
    /// A person (or nobody: paused, closed) owns the conversation.
    pub human_owns: bool,
    pub window_open: bool,
}

/// What a due step does.
#[derive(Debug, Clone, PartialEq)]
pub enum StepAction {
    SendText(String),
    /// A template: the step's own, or a text step's fallback outside the window.
    SendTemplate {
        template_id: Uuid,
        variables: BTreeMap<String, String>,
    },
    Skip(StepSkip),
    Stop(StopReason),
}

/// The next step, now: opted out → stop; a person owns the conversation → stop (handoff);
/// a text step inside the window → the text, outside → its fallback template, else skipped;
/// a template step → the template (the send policy still checks it when queued).
pub fn plan_step(step: &SequenceStep, facts: StepFacts) -> StepAction {
    if facts.opted_out {
        return StepAction::Stop(StopReason::OptedOut);
    }
    if facts.human_owns {
        return StepAction::Stop(StopReason::Handoff);
    }
    if let Some(template_id) = step.template_id {
        return StepAction::SendTemplate {
            template_id,
            variables: step.variables.clone(),
        };
    }
    match (facts.window_open, step.fallback_template_id) {
        (true, _) => StepAction::SendText(step.text.clone().unwrap_or_default()),
        (false, Some(template_id)) => StepAction::SendTemplate {
            template_id,
            variables: BTreeMap::new(),
        },
        (false, None) => StepAction::Skip(StepSkip::WindowClosed),
    }
}

/// When step `index` falls due, `after` the step before it (or the enrolment).
pub fn step_due(
    steps: &[SequenceStep],
    index: usize,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    steps
        .get(index)
        .map(|s| after + Duration::seconds(i64::from(s.wait_seconds)))
}

/// Pacing: a step due at `due` waits until at least the gap after our last message to the
/// lead. `None` when it may go at `now`.
pub fn paced_until(
    now: DateTime<Utc>,
    last_ours: Option<DateTime<Utc>>,
    gap_seconds: i64,
) -> Option<DateTime<Utc>> {
    let earliest = last_ours? + Duration::seconds(gap_seconds);
    (earliest > now).then_some(earliest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn text(t: &str) -> SequenceStep {
        SequenceStep {
            text: Some(t.into()),
            ..Default::default()
        }
    }

    fn def(steps: Vec<SequenceStep>) -> SequenceDefinition {
        SequenceDefinition {
            name: "Welcome".into(),
            enabled: true,
            steps,
            start_conditions: vec![],
            stop_conditions: vec![],
            stop_on_reply: true,
        }
    }

    #[test]
    fn problems_name_the_field() {
        assert!(def(vec![text("hi")]).problems(&[]).is_empty());
        let id = Uuid::nil();
        let mut d = def(vec![
            text("hi"),
            SequenceStep {
                text: Some("x".into()),
                template_id: Some(id),
                ..Default::default()
            },
            SequenceStep {
                template_id: Some(id),
                fallback_template_id: Some(id),
                ..Default::default()
            },
            SequenceStep {
                wait_seconds: MAX_WAIT_SECONDS + 1,
                text: Some("  ".into()),
                ..Default::default()
            },
        ]);
        d.name = " ".into();
        d.stop_conditions = vec![StopCondition {
            field: "lead_status".into(),
            operator: "bogus".into(),
            value: json!("won"),
            outcome: SequenceOutcome::Success,
        }];
        let fields: Vec<String> = d.problems(&[]).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "name",
                "steps[1].text",
                "steps[2].fallback_template_id",
                "steps[3].wait_seconds",
                "steps[3].text",
                "stop_conditions[0].operator",
            ]
        );
        assert_eq!(def(vec![]).problems(&[])[0].0, "steps");
    }

    #[test]
    fn conditions_use_the_crm_vocabulary() {
        let mut d = def(vec![text("hi")]);
        d.start_conditions = vec![SequenceCondition {
            field: "tags".into(),
            operator: "in".into(),
            value: json!(["vip"]),
            glue: None,
        }];
        d.stop_conditions = vec![StopCondition {
            field: "lead_status".into(),
            operator: "equal_to".into(),
            value: json!("won"),
            outcome: SequenceOutcome::Success,
        }];
        assert!(d.problems(&[]).is_empty(), "{:?}", d.problems(&[]));
        d.start_conditions[0].field = "nope".into();
        assert_eq!(d.problems(&[])[0].0, "start_conditions[0].field");
    }

    #[test]
    fn the_api_spelling_reads_with_defaults() {
        let d: SequenceDefinition = serde_json::from_value(json!({
            "name": "N", "steps": [{"wait_seconds": 5, "text": "hi", "fallback_template_id": Uuid::nil()}],
            "stop_conditions": [{"field": "lead_status", "operator": "equal_to", "value": "lost", "outcome": "failure"}]
        }))
        .unwrap();
        assert!(d.enabled && d.stop_on_reply);
        assert_eq!(
            d.stop_conditions[0].outcome.stop_reason(),
            StopReason::Failure
        );
        assert_eq!(
            "REPLACED".parse::<StopReason>().unwrap(),
            StopReason::Replaced
        );
    }

    #[test]
    fn a_sequence_template_reaches_a_lead_who_never_wrote_but_never_one_who_opted_out() {
        use crate::messaging::{ConversationMode, ServiceWindow};
        use crate::send_policy::{
            Content, Outgoing, Recipient, SendRule, Sender, TemplateCategory, may_send,
        };
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap();
        let never_wrote = Recipient {
            opted_out: false,
            marketing_opted_out: false,
            mode: ConversationMode::Bot,
            window: ServiceWindow::closed(),
            last_lead_message_at: None,
            unanswered: 0,
            bot_messages_last_hour: 0,
            budget: u32::MAX,
            local_time: None,
        };
        let template = Outgoing {
            sender: Sender::Sequence,
            content: Content::Template(TemplateCategory::Utility),
            opt_out_confirmation: false,
        };
        assert_eq!(may_send(template, &never_wrote, None, now), Ok(()));
        let opted_out = Recipient {
            opted_out: true,
            ..never_wrote.clone()
        };
        assert_eq!(
            may_send(template, &opted_out, None, now).unwrap_err().rule,
            SendRule::OptedOut
        );
        assert_eq!(
            may_send(
                Outgoing::free_form(Sender::Sequence),
                &never_wrote,
                None,
                now
            )
            .unwrap_err()
            .rule,
            SendRule::WindowClosed
        );
    }

    fn facts() -> impl Strategy<Value = StepFacts> {
        (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(o, h, w)| StepFacts {
            opted_out: o,
            human_owns: h,
            window_open: w,
        })
    }

    fn step() -> impl Strategy<Value = SequenceStep> {
        (any::<bool>(), any::<bool>(), 0u32..1000).prop_map(|(is_text, fallback, wait)| {
            if is_text {
                SequenceStep {
                    wait_seconds: wait,
                    text: Some("hello".into()),
                    fallback_template_id: fallback.then(|| Uuid::from_u128(2)),
                    ..Default::default()
                }
            } else {
                SequenceStep {
                    wait_seconds: wait,
                    template_id: Some(Uuid::from_u128(1)),
                    ..Default::default()
                }
            }
        })
    }

    fn status() -> impl Strategy<Value = EnrollmentStatus> {
        prop::sample::select(EnrollmentStatus::ALL.to_vec())
    }

    fn event() -> impl Strategy<Value = EnrollmentEvent> {
        prop_oneof![
            any::<bool>().prop_map(|last| EnrollmentEvent::StepDone { last }),
            prop::sample::select(StopReason::ALL.to_vec()).prop_map(EnrollmentEvent::Stop),
        ]
    }

    proptest! {
        #[test]
        fn nothing_goes_to_a_lead_who_opted_out_or_free_text_outside_the_window(
            s in step(), f in facts()
        ) {
            let a = plan_step(&s, f);
            if f.opted_out {
                prop_assert_eq!(a, StepAction::Stop(StopReason::OptedOut));
            } else if f.human_owns {
                prop_assert_eq!(a, StepAction::Stop(StopReason::Handoff));
            } else {
                if let StepAction::SendText(_) = a {
                    prop_assert!(f.window_open);
                }
                // A text step outside the window: its fallback, or nothing.
                if s.text.is_some() && !f.window_open {
                    match s.fallback_template_id {
                        Some(id) => {
                            let fallback = matches!(a, StepAction::SendTemplate { template_id, .. } if template_id == id);
                            prop_assert!(fallback);
                        }
                        None => prop_assert_eq!(a, StepAction::Skip(StepSkip::WindowClosed)),
                    }
                }
            }
        }

        #[test]
        fn a_finished_enrolment_never_moves_and_stops_carry_their_reason(
            s in status(), e in event()
        ) {
            match (s, next_status(s, e)) {
                (EnrollmentStatus::Active, Some((to, why))) => match e {
                    EnrollmentEvent::Stop(r) => prop_assert_eq!((to, why), (EnrollmentStatus::Stopped, Some(r))),
                    EnrollmentEvent::StepDone { last } => {
                        prop_assert_eq!(why, None);
                        prop_assert_eq!(to == EnrollmentStatus::Completed, last);
                    }
                },
                (EnrollmentStatus::Active, None) => prop_assert!(false, "active always moves"),
                (_, next) => prop_assert_eq!(next, None),
            }
        }

        #[test]
        fn pacing_keeps_the_gap_and_never_hurries(
            now_s in 0i64..1_000_000, last in proptest::option::of(0i64..1_000_000), gap in 0i64..60
        ) {
            let t = |s: i64| Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap();
            match paced_until(t(now_s), last.map(t), gap) {
                Some(until) => {
                    prop_assert!(until > t(now_s));
                    prop_assert_eq!(until, t(last.unwrap()) + Duration::seconds(gap));
                }
                None => prop_assert!(last.is_none_or(|l| t(l) + Duration::seconds(gap) <= t(now_s))),
            }
        }

        #[test]
        fn steps_fall_due_their_wait_after_the_one_before(
            steps in proptest::collection::vec(step(), 1..5), at in 0i64..1_000_000
        ) {
            let after = Utc.timestamp_opt(1_700_000_000 + at, 0).unwrap();
            for (i, s) in steps.iter().enumerate() {
                let due = step_due(&steps, i, after).unwrap();
                prop_assert_eq!((due - after).num_seconds(), i64::from(s.wait_seconds));
            }
            prop_assert_eq!(step_due(&steps, steps.len(), after), None);
        }
    }
}
