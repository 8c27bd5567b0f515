//! Automations (API.md, *Campaigns, automations, sequences*): a rule is an event, conditions in
//! the CRM's filter vocabulary (plus the event's own facts), ordered actions, and a delay. This
//! module checks a rule document ([`parse_rule`]), evaluates conditions against what is known
//! when the event happens ([`evaluate`]), and holds the vocabulary of runs and their outcomes.
//! The store keeps rules and runs; the server's engine executes actions.

use crate::lead_filter::{self, Condition, FieldDef, Filter, Kind, Operand, Operator, Problem};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

text_enum!(
    /// What happened that a rule reacts to.
    AutomationEvent {
        MessageReceived = "message_received",
        ConversationCreated = "conversation_created",
        LeadCreated = "lead_created",
        LeadUpdated = "lead_updated",
        TagAdded = "tag_added",
        StageChanged = "stage_changed",
        CtaAccepted = "cta_accepted",
        Handoff = "handoff",
        CampaignReplied = "campaign_replied",
        /// The lead has not answered our last message for `event_params.seconds`.
        NoReplyFor = "no_reply_for",
    }
);

text_enum!(
    /// What a rule does, in order.
    AutomationActionType {
        SendText = "send_text",
        SendTemplate = "send_template",
        AddTag = "add_tag",
        RemoveTag = "remove_tag",
        SetStage = "set_stage",
        SetField = "set_field",
        Assign = "assign",
        AddNote = "add_note",
        PauseBot = "pause_bot",
        StartSequence = "start_sequence",
        StopSequence = "stop_sequence",
        Webhook = "webhook",
    }
);

text_enum!(
    /// Whether a delayed run still happens when the conversation moved on before it was due.
    CancelOn {
        /// Cancelled when, since the event, the lead or a person wrote, or the stage or the
        /// conversation's mode changed.
        MovedOn = "moved_on",
        Never = "never",
    }
);

text_enum!(
    /// What became of one firing of a rule.
    RunStatus {
        /// Waiting for its `due_at`.
        Scheduled = "scheduled",
        Executed = "executed",
        /// The conditions did not hold.
        NoMatch = "no_match",
        /// Not run, for `reason` (`caused_by_rule`, `rate_capped`).
        Skipped = "skipped",
        /// A delayed run whose conversation moved on (`reason` `moved_on`).
        Cancelled = "cancelled",
        Failed = "failed",
    }
);

text_enum!(
    /// Why a run did not execute.
    RunReason {
        /// The event was caused by a rule's own action: the loop guard.
        CausedByRule = "caused_by_rule",
        /// The conversation reached `max_runs_per_conversation_per_hour`.
        RateCapped = "rate_capped",
        /// Since the event the lead or a person wrote, or the stage or mode changed.
        MovedOn = "moved_on",
        /// The lead has no conversation to act in.
        NoConversation = "no_conversation",
        /// The rule was disabled or deleted before a delayed run fell due.
        RuleDisabled = "rule_disabled",
    }
);

text_enum!(
    /// How a condition joins the one before it (AND binds tighter than OR).
    Glue { And = "and", Or = "or" }
);

text_enum!(
    /// What one action of a run came to.
    ActionOutcome { Done = "done", Skipped = "skipped", Failed = "failed" }
);

/// Longest delay of a rule: 30 days.
pub const MAX_DELAY_SECONDS: u32 = 2_592_000;
/// Shortest `no_reply_for` period.
pub const MIN_NO_REPLY_SECONDS: u32 = 5;
/// Most actions one rule may hold.
pub const MAX_ACTIONS: usize = 20;
/// Runs one conversation may execute in an hour unless the organisation says otherwise.
pub const DEFAULT_MAX_RUNS_PER_HOUR: u32 = 20;

/// Who an `assign` action gives the conversation to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignee {
    User(Uuid),
    /// The member with the fewest open conversations.
    RoundRobin,
}

/// One checked action.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SendText {
        text: String,
    },
    SendTemplate {
        template_id: Uuid,
        variables: BTreeMap<String, String>,
    },
    AddTag {
        tag: String,
    },
    RemoveTag {
        tag: String,
    },
    SetStage {
        stage: Uuid,
    },
    SetField {
        key: String,
        value: Value,
    },
    Assign {
        to: Assignee,
    },
    AddNote {
        text: String,
    },
    PauseBot,
    StartSequence {
        sequence_id: Uuid,
    },
    StopSequence,
    Webhook {
        url: String,
    },
}

impl Action {
    pub fn kind(&self) -> AutomationActionType {
        use AutomationActionType as T;
        match self {
            Action::SendText { .. } => T::SendText,
            Action::SendTemplate { .. } => T::SendTemplate,
            Action::AddTag { .. } => T::AddTag,
            Action::RemoveTag { .. } => T::RemoveTag,
            Action::SetStage { .. } => T::SetStage,
            Action::SetField { .. } => T::SetField,
            Action::Assign { .. } => T::Assign,
            Action::AddNote { .. } => T::AddNote,
            Action::PauseBot => T::PauseBot,
            Action::StartSequence { .. } => T::StartSequence,
            Action::StopSequence => T::StopSequence,
            Action::Webhook { .. } => T::Webhook,
        }
    }

    /// The stored and shown form, `{type, params}`.
    pub fn to_json(&self) -> Value {
        let params = match self {
            Action::SendText { text } | Action::AddNote { text } => json!({ "text": text }),
            Action::SendTemplate {
                template_id,
                variables,
            } => json!({ "template_id": template_id, "variables": variables }),
            Action::AddTag { tag } | Action::RemoveTag { tag } => json!({ "tag": tag }),
            Action::SetStage { stage } => json!({ "stage": stage }),
            Action::SetField { key, value } => json!({ "key": key, "value": value }),
            Action::Assign { to } => match to {
                Assignee::User(id) => json!({ "user_id": id }),
                Assignee::RoundRobin => json!({ "user_id": "round_robin" }),
            },
            Action::StartSequence { sequence_id } => json!({ "sequence_id": sequence_id }),
            Action::Webhook { url } => json!({ "url": url }),
            Action::PauseBot | Action::StopSequence => json!({}),
        };
        json!({ "type": self.kind(), "params": params })
    }
}

/// A checked rule (everything but its name and whether it is enabled).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub event: AutomationEvent,
    /// `no_reply_for`'s period; none for other events.
    pub no_reply_seconds: Option<u32>,
    /// The conditions as written (kept to show and to re-check against later custom fields).
    pub conditions_raw: Value,
    pub conditions: Filter,
    pub actions: Vec<Action>,
    pub delay_seconds: u32,
    pub cancel_on: CancelOn,
}

impl Rule {
    pub fn event_params(&self) -> Value {
        match self.no_reply_seconds {
            Some(s) => json!({ "seconds": s }),
            None => json!({}),
        }
    }

    pub fn actions_json(&self) -> Value {
        Value::Array(self.actions.iter().map(Action::to_json).collect())
    }
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
    }
}

/// Checks a rule document `{event, event_params, conditions, actions, delay_seconds,
/// cancel_on}` with the organisation's custom fields; every problem is named by its path
/// (`conditions[1].operator`, `actions[0].params.text`).
pub fn parse_rule(doc: &Value, defs: &[FieldDef]) -> Result<Rule, Vec<Problem>> {
    let mut problems = vec![];
    let get = |k: &str| doc.get(k).unwrap_or(&Value::Null);
    let event = match get("event").as_str().map(str::parse::<AutomationEvent>) {
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            problems.push(problem("event", e.0));
            None
        }
        None => {
            problems.push(problem("event", "is required"));
            None
        }
    };
    let params = get("event_params");
    let no_reply_seconds = match event {
        Some(AutomationEvent::NoReplyFor) => match params.get("seconds").and_then(Value::as_u64) {
            Some(s) if (MIN_NO_REPLY_SECONDS as u64..=MAX_DELAY_SECONDS as u64).contains(&s) => {
                Some(s as u32)
            }
            _ => {
                problems.push(problem(
                        "event_params.seconds",
                        format!("must be a number of seconds from {MIN_NO_REPLY_SECONDS} to {MAX_DELAY_SECONDS}"),
                    ));
                None
            }
        },
        _ => None,
    };
    if !matches!(params, Value::Null | Value::Object(_)) {
        problems.push(problem("event_params", "must be an object"));
    }
    let conditions_raw = match get("conditions") {
        Value::Null => Value::Array(vec![]),
        v => v.clone(),
    };
    let conditions = lead_filter::parse_with_events("conditions", &conditions_raw, defs)
        .unwrap_or_else(|mut p| {
            problems.append(&mut p);
            Filter::default()
        });
    let actions = parse_actions(get("actions"), &mut problems);
    let delay_seconds = match get("delay_seconds") {
        Value::Null => 0,
        v => match v.as_u64() {
            Some(d) if d <= MAX_DELAY_SECONDS as u64 => d as u32,
            _ => {
                problems.push(problem(
                    "delay_seconds",
                    format!("must be a number of seconds from 0 to {MAX_DELAY_SECONDS}"),
                ));
                0
            }
        },
    };
    let cancel_on = match get("cancel_on") {
        Value::Null => CancelOn::MovedOn,
        v => match v.as_str().map(str::parse::<CancelOn>) {
            Some(Ok(c)) => c,
            _ => {
                problems.push(problem("cancel_on", "must be moved_on or never"));
                CancelOn::MovedOn
            }
        },
    };
    match (event, problems.is_empty()) {
        (Some(event), true) => Ok(Rule {
            event,
            no_reply_seconds,
            conditions_raw,
            conditions,
            actions,
            delay_seconds,
            cancel_on,
        }),
        _ => Err(problems),
    }
}

fn parse_actions(raw: &Value, problems: &mut Vec<Problem>) -> Vec<Action> {
    let Value::Array(items) = raw else {
        problems.push(problem("actions", "must be a list of actions"));
        return vec![];
    };
    if items.is_empty() || items.len() > MAX_ACTIONS {
        problems.push(problem(
            "actions",
            format!("must hold 1 to {MAX_ACTIONS} actions"),
        ));
        return vec![];
    }
    let mut out = vec![];
    for (i, item) in items.iter().enumerate() {
        match parse_action(item) {
            Ok(a) => out.push(a),
            Err((path, message)) => problems.push(problem(format!("actions[{i}]{path}"), message)),
        }
    }
    out
}

type ActionProblem = (String, String);

fn text_param(params: &Map<String, Value>, key: &str, max: usize) -> Result<String, ActionProblem> {
    let text = params
        .get(key)
        .and_then(Value::as_str)
        .map(|t| crate::text::storable(t).trim().to_owned())
        .unwrap_or_default();
    if text.is_empty() || text.chars().count() > max {
        return Err((
            format!(".params.{key}"),
            format!("must be text of 1 to {max} characters"),
        ));
    }
    Ok(text)
}

fn id_param(params: &Map<String, Value>, key: &str) -> Result<Uuid, ActionProblem> {
    params
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s.trim()).ok())
        .ok_or_else(|| (format!(".params.{key}"), "must be an id".to_owned()))
}

fn parse_action(item: &Value) -> Result<Action, ActionProblem> {
    let kind = match item.get("type").and_then(Value::as_str) {
        None => return Err((".type".into(), "is required".into())),
        Some(t) => t
            .parse::<AutomationActionType>()
            .map_err(|e| (".type".to_owned(), e.0))?,
    };
    let empty = Map::new();
    let params = match item.get("params") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err((".params".into(), "must be an object".into())),
    };
    use AutomationActionType as T;
    Ok(match kind {
        T::SendText => Action::SendText {
            text: text_param(params, "text", 4_096)?,
        },
        T::AddNote => Action::AddNote {
            text: text_param(params, "text", 10_000)?,
        },
        T::SendTemplate => {
            let template_id = id_param(params, "template_id")?;
            let mut variables = BTreeMap::new();
            match params.get("variables") {
                None | Some(Value::Null) => {}
                Some(Value::Object(m)) => {
                    for (k, v) in m {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            Value::Number(n) => n.to_string(),
                            _ => {
                                return Err((
                                    format!(".params.variables.{k}"),
                                    "must be text".into(),
                                ));
                            }
                        };
                        variables.insert(k.clone(), v);
                    }
                }
                Some(_) => {
                    return Err((".params.variables".into(), "must be an object".into()));
                }
            }
            Action::SendTemplate {
                template_id,
                variables,
            }
        }
        T::AddTag | T::RemoveTag => {
            let raw = params.get("tag").and_then(Value::as_str).unwrap_or("");
            let tag = crate::leads::tag_name(raw).map_err(|e| (".params.tag".to_owned(), e.0))?;
            if kind == T::AddTag {
                Action::AddTag { tag }
            } else {
                Action::RemoveTag { tag }
            }
        }
        T::SetStage => Action::SetStage {
            stage: id_param(params, "stage")?,
        },
        T::SetField => {
            let raw = params.get("key").and_then(Value::as_str).unwrap_or("");
            let raw = raw.strip_prefix("custom_fields.").unwrap_or(raw);
            let key = crate::leads::field_key(raw).map_err(|e| (".params.key".to_owned(), e.0))?;
            let value = params.get("value").cloned().unwrap_or(Value::Null);
            Action::SetField { key, value }
        }
        T::Assign => match params.get("user_id").and_then(Value::as_str) {
            Some("round_robin") => Action::Assign {
                to: Assignee::RoundRobin,
            },
            _ => Action::Assign {
                to: Assignee::User(
                    id_param(params, "user_id")
                        .map_err(|(p, _)| (p, "must be a member's id or round_robin".into()))?,
                ),
            },
        },
        T::PauseBot => Action::PauseBot,
        T::StartSequence => Action::StartSequence {
            sequence_id: id_param(params, "sequence_id")?,
        },
        T::StopSequence => Action::StopSequence,
        T::Webhook => {
            let raw = params.get("url").and_then(Value::as_str).unwrap_or("");
            match url::Url::parse(raw.trim()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    Action::Webhook { url: u.to_string() }
                }
                _ => return Err((".params.url".into(), "must be an http(s) URL".into())),
            }
        }
    })
}

/// A value a condition compares against.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    Text(String),
    Number(f64),
    /// A timestamp (compared by its UTC day).
    Time(DateTime<Utc>),
    Day(NaiveDate),
    Bool(bool),
    Set(Vec<String>),
}

impl Fact {
    pub fn to_json(&self) -> Value {
        match self {
            Fact::Text(t) => json!(t),
            Fact::Number(n) => json!(n),
            Fact::Time(t) => json!(t),
            Fact::Day(d) => json!(d.to_string()),
            Fact::Bool(b) => json!(b),
            Fact::Set(s) => json!(s),
        }
    }
}

/// What is known when the event happens: the lead's fields and the event's facts, by the name
/// a condition uses (`city`, `tags`, `custom_fields.budget`, `message.text`). Absent = null.
pub type Facts = BTreeMap<String, Fact>;

/// One condition's verdict, as the run log and the dry run show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionResult {
    pub field: String,
    pub operator: Operator,
    pub value: Value,
    pub actual: Value,
    pub matched: bool,
}

/// Every condition's verdict in order, and whether the conditions hold (any OR group of which
/// every condition matched; no condition at all matches).
pub fn evaluate(
    filter: &Filter,
    raw: &Value,
    facts: &Facts,
    now: DateTime<Utc>,
) -> (bool, Vec<ConditionResult>) {
    let raw_items = raw.as_array().cloned().unwrap_or_default();
    let mut results = vec![];
    let mut any = filter.groups.is_empty();
    for group in &filter.groups {
        let mut all = true;
        for c in group {
            let name = c.field.name();
            let actual = facts.get(&name);
            let matched = holds(c, actual, now);
            all &= matched;
            results.push(ConditionResult {
                value: raw_items
                    .get(results.len())
                    .and_then(|r| r.get("value"))
                    .cloned()
                    .unwrap_or(Value::Null),
                field: name,
                operator: c.operator,
                actual: actual.map(Fact::to_json).unwrap_or(Value::Null),
                matched,
            });
        }
        any |= all;
    }
    (any, results)
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

fn present(f: Option<&Fact>) -> bool {
    match f {
        None => false,
        Some(Fact::Text(t)) => !t.is_empty(),
        Some(Fact::Set(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// Does one condition hold for `actual`? Text compares without case; a missing value only
/// satisfies the negative operators (`not_equal_to`, `does_not_contain`, `not_in`).
pub fn holds(c: &Condition, actual: Option<&Fact>, now: DateTime<Utc>) -> bool {
    use Operator as O;
    match c.operator {
        O::IsPresent => return present(actual),
        O::IsNotPresent => return !present(actual),
        _ => {}
    }
    let negative = matches!(c.operator, O::NotEqualTo | O::DoesNotContain | O::NotIn);
    let Some(actual) = actual.filter(|a| present(Some(a))) else {
        return negative;
    };
    match (c.field.kind(), actual) {
        (Kind::Set, Fact::Set(have)) => set_holds(c, have),
        (_, Fact::Set(have)) => set_holds(c, have),
        (Kind::Number, Fact::Number(n)) => number_holds(c, *n),
        (Kind::Date, Fact::Time(t)) => day_holds(c, t.date_naive(), now),
        (Kind::Date, Fact::Day(d)) => day_holds(c, *d, now),
        (_, Fact::Bool(b)) => match (&c.operand, c.operator) {
            (Operand::Bool(v), O::EqualTo) => b == v,
            (Operand::Bool(v), O::NotEqualTo) => b != v,
            (Operand::Bools(vs), O::In) => vs.contains(b),
            (Operand::Bools(vs), O::NotIn) => !vs.contains(b),
            _ => false,
        },
        (_, other) => {
            let text = match other {
                Fact::Text(t) => t.clone(),
                Fact::Number(n) => n.to_string(),
                Fact::Time(t) => t.to_rfc3339(),
                Fact::Day(d) => d.to_string(),
                Fact::Bool(b) => b.to_string(),
                Fact::Set(_) => unreachable!("sets are handled above"),
            };
            text_holds(c, &text)
        }
    }
}

fn text_holds(c: &Condition, actual: &str) -> bool {
    use Operator as O;
    let a = fold(actual);
    match (&c.operand, c.operator) {
        (Operand::Text(v), O::EqualTo) => a == fold(v),
        (Operand::Text(v), O::NotEqualTo) => a != fold(v),
        (Operand::Text(v), O::Contains) => a.contains(&fold(v)),
        (Operand::Text(v), O::DoesNotContain) => !a.contains(&fold(v)),
        (Operand::Text(v), O::StartsWith) => a.starts_with(&fold(v)),
        (Operand::Texts(vs), O::In) => vs.iter().any(|v| fold(v) == a),
        (Operand::Texts(vs), O::NotIn) => !vs.iter().any(|v| fold(v) == a),
        _ => false,
    }
}

fn set_holds(c: &Condition, have: &[String]) -> bool {
    use Operator as O;
    let have: Vec<String> = have.iter().map(|h| fold(h)).collect();
    let wanted: Vec<String> = match &c.operand {
        Operand::Texts(vs) => vs.iter().map(|v| fold(v)).collect(),
        Operand::Text(v) => vec![fold(v)],
        _ => return false,
    };
    match c.operator {
        O::In | O::EqualTo | O::Contains => wanted.iter().any(|w| have.contains(w)),
        O::AllOf => wanted.iter().all(|w| have.contains(w)),
        O::NotIn | O::NotEqualTo | O::DoesNotContain => !wanted.iter().any(|w| have.contains(w)),
        _ => false,
    }
}

fn number_holds(c: &Condition, n: f64) -> bool {
    use Operator as O;
    match (&c.operand, c.operator) {
        (Operand::Number(v), O::EqualTo) => n == *v,
        (Operand::Number(v), O::GreaterThan) => n > *v,
        (Operand::Number(v), O::LessThan) => n < *v,
        (Operand::NumberRange(a, b), O::Between) => *a <= n && n <= *b,
        _ => false,
    }
}

fn day_holds(c: &Condition, d: NaiveDate, now: DateTime<Utc>) -> bool {
    use Operator as O;
    match (&c.operand, c.operator) {
        (Operand::Date(v), O::EqualTo) => d == *v,
        (Operand::Date(v), O::GreaterThan) => d > *v,
        (Operand::Date(v), O::LessThan) => d < *v,
        (Operand::DateRange(a, b), O::Between) => *a <= d && d <= *b,
        (Operand::Days(n), O::WithinLastDays) => {
            d >= (now - chrono::Duration::days(i64::from(*n))).date_naive()
        }
        _ => false,
    }
}

/// May a conversation that executed `executed_last_hour` runs in the past hour execute one more?
pub fn within_cap(executed_last_hour: u64, max_per_hour: u32) -> bool {
    executed_last_hour < u64::from(max_per_hour)
}

/// The outcome of an action that was not executed, as the run log writes it: the reason
/// code a sender was refused with, or a short note.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionResult {
    pub kind: AutomationActionType,
    pub status: ActionOutcome,
    pub detail: String,
}

impl ActionResult {
    pub fn done(kind: AutomationActionType, detail: impl Into<String>) -> Self {
        ActionResult {
            kind,
            status: ActionOutcome::Done,
            detail: detail.into(),
        }
    }
    pub fn skipped(kind: AutomationActionType, detail: impl Into<String>) -> Self {
        ActionResult {
            kind,
            status: ActionOutcome::Skipped,
            detail: detail.into(),
        }
    }
    pub fn failed(kind: AutomationActionType, detail: impl Into<String>) -> Self {
        ActionResult {
            kind,
            status: ActionOutcome::Failed,
            detail: detail.into(),
        }
    }
    pub fn to_json(&self) -> Value {
        json!({ "type": self.kind, "status": self.status, "detail": self.detail })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(doc: Value) -> Result<Rule, Vec<String>> {
        parse_rule(&doc, &[]).map_err(|p| p.into_iter().map(|p| p.path).collect())
    }

    fn facts(pairs: &[(&str, Fact)]) -> Facts {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn a_full_rule_parses_and_round_trips_its_actions() {
        let r = rule(json!({
            "event": "MESSAGE_RECEIVED",
            "conditions": [{"field": "message.text", "operator": "contains", "value": "price"}],
            "actions": [
                {"type": "send_text", "params": {"text": "Prices are on the way"}},
                {"type": "add_tag", "params": {"tag": "pricing"}},
                {"type": "assign", "params": {"user_id": "round_robin"}},
                {"type": "pause_bot"}
            ],
            "delay_seconds": 60
        }))
        .unwrap();
        assert_eq!(r.event, AutomationEvent::MessageReceived);
        assert_eq!(r.cancel_on, CancelOn::MovedOn);
        assert_eq!(r.delay_seconds, 60);
        let again = rule(json!({
            "event": "message_received", "actions": r.actions_json()
        }))
        .unwrap();
        assert_eq!(again.actions, r.actions);
    }

    #[test]
    fn problems_name_their_path() {
        let paths = rule(json!({
            "event": "no_reply_for",
            "event_params": {"seconds": 2},
            "conditions": [{"field": "message.text", "operator": "greater_than", "value": 1}],
            "actions": [
                {"type": "send_text", "params": {"text": ""}},
                {"type": "teleport"},
                {"type": "start_sequence", "params": {"sequence_id": "nope"}},
                {"type": "webhook", "params": {"url": "ftp://x"}}
            ],
            "delay_seconds": 9_999_999,
            "cancel_on": "sometimes"
        }))
        .unwrap_err();
        assert_eq!(
            paths,
            vec![
                "event_params.seconds",
                "conditions[0].operator",
                "actions[0].params.text",
                "actions[1].type",
                "actions[2].params.sequence_id",
                "actions[3].params.url",
                "delay_seconds",
                "cancel_on"
            ]
        );
        assert_eq!(
            rule(json!({"actions": []})).unwrap_err(),
            vec!["event", "actions"]
        );
        // Event facts are not lead fields: the CRM's own filter refuses them.
        assert!(
            lead_filter::parse(
                &json!([{"field": "message.text", "operator": "contains", "value": "x"}]),
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn conditions_report_actual_values_and_ignore_case() {
        let r = rule(json!({
            "event": "message_received",
            "conditions": [
                {"field": "message.text", "operator": "contains", "value": "PRICE"},
                {"field": "tags", "operator": "in", "value": ["vip"]},
                {"field": "city", "operator": "equal_to", "value": "Pune", "glue": "or"}
            ],
            "actions": [{"type": "pause_bot"}]
        }))
        .unwrap();
        let now = Utc::now();
        let f = facts(&[
            ("message.text", Fact::Text("What is the price?".into())),
            ("tags", Fact::Set(vec!["VIP".into()])),
        ]);
        let (ok, results) = evaluate(&r.conditions, &r.conditions_raw, &f, now);
        assert!(ok);
        assert_eq!(
            results.iter().map(|r| r.matched).collect::<Vec<_>>(),
            vec![true, true, false]
        );
        assert_eq!(results[0].actual, json!("What is the price?"));
        assert_eq!(results[2].actual, Value::Null);
        assert_eq!(results[2].field, "city");
        let (ok, _) = evaluate(&r.conditions, &r.conditions_raw, &Facts::new(), now);
        assert!(!ok);
    }

    fn text_condition() -> impl Strategy<Value = (Value, Value)> {
        (
            prop::sample::select(vec![
                "equal_to",
                "not_equal_to",
                "contains",
                "does_not_contain",
                "starts_with",
            ]),
            "[a-zA-Z]{1,4}",
            prop::bool::ANY,
        )
            .prop_map(|(op, v, or)| {
                let mut c = json!({"field": "message.text", "operator": op, "value": v});
                if or {
                    c["glue"] = json!("or");
                }
                (c, json!(v))
            })
    }

    proptest! {
        /// The verdict is an OR of AND groups over the per-condition verdicts, in the
        /// document's order, and each verdict has its negation's opposite.
        #[test]
        fn the_verdict_is_or_of_and_groups(
            conds in prop::collection::vec(text_condition(), 0..8),
            text in prop::option::of("[a-zA-Z ]{0,12}"),
        ) {
            let doc = Value::Array(conds.iter().map(|(c, _)| c.clone()).collect());
            let filter = lead_filter::parse_with_events("conditions", &doc, &[]).unwrap();
            let f: Facts = text.clone().map(|t| ("message.text".to_owned(), Fact::Text(t))).into_iter().collect();
            let (ok, results) = evaluate(&filter, &doc, &f, Utc::now());
            prop_assert_eq!(results.len(), conds.len());
            let mut groups: Vec<Vec<bool>> = vec![];
            for (i, ((c, _), r)) in conds.iter().zip(&results).enumerate() {
                if i == 0 || c.get("glue") == Some(&json!("or")) { groups.push(vec![]); }
                groups.last_mut().unwrap().push(r.matched);
            }
            let expected = groups.is_empty() || groups.iter().any(|g| g.iter().all(|m| *m));
            prop_assert_eq!(ok, expected);
            for (c, r) in filter.groups.iter().flatten().zip(&results) {
                let negated = Operator::from_negation(c.operator);
                if let Some(n) = negated {
                    let flipped = Condition { operator: n, ..c.clone() };
                    let actual = f.get("message.text");
                    prop_assert_eq!(holds(&flipped, actual, Utc::now()), !r.matched);
                }
            }
        }

        /// Any document is a rule or a list of problems, never a panic.
        #[test]
        fn any_document_is_answered(event in "[a-z_]{0,16}", kind in "[a-z_]{0,12}", delay in any::<i64>()) {
            let doc = json!({"event": event, "actions": [{"type": kind}], "delay_seconds": delay});
            if let Err(p) = parse_rule(&doc, &[]) { prop_assert!(!p.is_empty()); }
        }

        /// The cap lets exactly `max` runs through in an hour.
        #[test]
        fn the_cap_counts(max in 1u32..100, done in 0u64..200) {
            prop_assert_eq!(within_cap(done, max), done < u64::from(max));
        }
    }

    impl Operator {
        fn from_negation(op: Operator) -> Option<Operator> {
            Some(match op {
                Operator::EqualTo => Operator::NotEqualTo,
                Operator::NotEqualTo => Operator::EqualTo,
                Operator::Contains => Operator::DoesNotContain,
                Operator::DoesNotContain => Operator::Contains,
                _ => return None,
            })
        }
    }
}
