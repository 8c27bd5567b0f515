//! Agent tests: an owner's scripted lead turns and what the agent must (or must not) do in
//! answer, checked in an isolated simulation before a real lead hears it (API.md, *Agent
//! tests*). The shapes and their validation live here; running them is the agent crate's.

use crate::sales::{CtaType, ReasonCode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Turns in one test, at most.
pub const MAX_TURNS: usize = 20;
/// Characters in one turn, at most (a long WhatsApp message).
pub const TURN_MAX_CHARS: usize = 4_096;
/// Expectations in one test, at most.
pub const MAX_EXPECTATIONS: usize = 20;
/// Characters in a test's name, at most.
pub const NAME_MAX_CHARS: usize = 120;
/// Characters in an expectation's text, at most.
pub const VALUE_MAX_CHARS: usize = 500;

text_enum!(
    /// What an expectation checks.
    ExpectationKind {
        /// The agent's reply to the last turn contains the text (any case).
        ReplyContains = "reply_contains",
        /// The agent's reply to the last turn does not contain the text (any case).
        ReplyNotContains = "reply_not_contains",
        /// By the end, the slot `name` holds `value` (any case).
        Slot = "slot",
        /// The agent offered this call to action at some turn.
        CtaOffered = "cta_offered",
        /// The agent handed the conversation to a person at some turn.
        Handoff = "handoff",
        /// The agent sent nothing in answer to the last turn.
        Silent = "silent",
        /// The agent's decision on the last turn carries this reason code.
        ReasonCode = "reason_code",
    }
);

text_enum!(
    /// Where a run of the agent tests is.
    AgentTestRunStatus {
        Running = "running",
        Done = "done",
        /// The run could not finish (e.g. the model kept failing); `error` says why.
        Failed = "failed",
    }
);

/// A slot the agent must have filled by the end of the test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotExpectation {
    pub name: String,
    pub value: String,
}

/// One thing the agent must (not) do. On the wire `{kind, value?}`: `value` is text for the
/// two reply kinds, `{name, value}` for `slot`, a CTA type, a reason code, and absent for
/// `handoff` and `silent`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Expectation {
    ReplyContains(String),
    ReplyNotContains(String),
    Slot(SlotExpectation),
    CtaOffered(CtaType),
    Handoff,
    Silent,
    ReasonCode(ReasonCode),
}

/// A field of a test that is wrong: its path in the request (`turns[2].text`, `expect[0].kind`)
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

fn wrong(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

impl Expectation {
    pub fn kind(&self) -> ExpectationKind {
        match self {
            Expectation::ReplyContains(_) => ExpectationKind::ReplyContains,
            Expectation::ReplyNotContains(_) => ExpectationKind::ReplyNotContains,
            Expectation::Slot(_) => ExpectationKind::Slot,
            Expectation::CtaOffered(_) => ExpectationKind::CtaOffered,
            Expectation::Handoff => ExpectationKind::Handoff,
            Expectation::Silent => ExpectationKind::Silent,
            Expectation::ReasonCode(_) => ExpectationKind::ReasonCode,
        }
    }

    /// The `value` as the wire carries it (null for the kinds without one).
    pub fn value(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("value").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// Reads `{kind, value?}` at `path` (e.g. `expect[0]`); the kind and the CTA or reason
    /// code take the seeds' spelling too. The error names the exact field.
    pub fn parse(doc: &Value, path: &str) -> Result<Expectation, FieldError> {
        let Some(obj) = doc.as_object() else {
            return Err(wrong(path, "must be an object {kind, value}"));
        };
        let kind = match obj.get("kind") {
            Some(Value::String(k)) => k
                .parse::<ExpectationKind>()
                .map_err(|e| wrong(format!("{path}.kind"), e.0))?,
            _ => return Err(wrong(format!("{path}.kind"), "is required")),
        };
        let value = obj.get("value").filter(|v| !v.is_null());
        let at = format!("{path}.value");
        let text = |v: Option<&Value>| -> Result<String, FieldError> {
            let t = v.and_then(Value::as_str).map(str::trim).unwrap_or("");
            if t.is_empty() {
                return Err(wrong(&at, "must be non-empty text"));
            }
            if t.chars().count() > VALUE_MAX_CHARS {
                return Err(wrong(&at, format!("at most {VALUE_MAX_CHARS} characters")));
            }
            Ok(t.to_owned())
        };
        Ok(match kind {
            ExpectationKind::ReplyContains => Expectation::ReplyContains(text(value)?),
            ExpectationKind::ReplyNotContains => Expectation::ReplyNotContains(text(value)?),
            ExpectationKind::Slot => Expectation::Slot(slot(value, &at)?),
            ExpectationKind::CtaOffered => Expectation::CtaOffered(
                text(value)?
                    .parse()
                    .map_err(|e: crate::ValidationError| wrong(&at, e.0))?,
            ),
            ExpectationKind::ReasonCode => Expectation::ReasonCode(
                text(value)?
                    .parse()
                    .map_err(|e: crate::ValidationError| wrong(&at, e.0))?,
            ),
            ExpectationKind::Handoff | ExpectationKind::Silent if value.is_some() => {
                return Err(wrong(&at, "takes no value"));
            }
            ExpectationKind::Handoff => Expectation::Handoff,
            ExpectationKind::Silent => Expectation::Silent,
        })
    }
}

fn slot(value: Option<&Value>, at: &str) -> Result<SlotExpectation, FieldError> {
    let empty = Map::new();
    let Some(obj) = value.map(|v| v.as_object().unwrap_or(&empty)) else {
        return Err(wrong(at, "must be {name, value}"));
    };
    let field = |k: &str| -> Result<String, FieldError> {
        let t = obj.get(k).and_then(Value::as_str).map(str::trim);
        match t {
            Some(t) if !t.is_empty() && t.chars().count() <= VALUE_MAX_CHARS => Ok(t.to_owned()),
            _ => Err(wrong(format!("{at}.{k}"), "must be non-empty text")),
        }
    };
    Ok(SlotExpectation {
        name: field("name")?.to_lowercase(),
        value: field("value")?,
    })
}

impl<'de> Deserialize<'de> for Expectation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let doc = Value::deserialize(d)?;
        Expectation::parse(&doc, "expectation")
            .map_err(|e| serde::de::Error::custom(format!("{}: {}", e.field, e.message)))
    }
}

/// A lead's turn in a test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestTurn {
    pub text: String,
}

/// A test as the owner wrote it, validated: a name, 1–20 turns of at most 4,096 characters,
/// and at most 20 expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentTestCase {
    pub name: String,
    pub turns: Vec<TestTurn>,
    pub expect: Vec<Expectation>,
}

impl AgentTestCase {
    /// Every wrong field at once, so one answer names them all.
    pub fn parse(name: &str, turns: &Value, expect: &Value) -> Result<Self, Vec<FieldError>> {
        let mut errors = vec![];
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS {
            errors.push(wrong(
                "name",
                format!("must be 1 to {NAME_MAX_CHARS} characters"),
            ));
        }
        let turns = parse_turns(turns, &mut errors);
        let expect = parse_expectations(expect, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AgentTestCase {
            name: name.to_owned(),
            turns,
            expect,
        })
    }
}

fn parse_turns(doc: &Value, errors: &mut Vec<FieldError>) -> Vec<TestTurn> {
    let Some(items) = doc.as_array() else {
        errors.push(wrong("turns", "must be a list of {text}"));
        return vec![];
    };
    if items.is_empty() || items.len() > MAX_TURNS {
        errors.push(wrong("turns", format!("must hold 1 to {MAX_TURNS} turns")));
    }
    let mut turns = vec![];
    for (i, item) in items.iter().enumerate() {
        let text = item.get("text").and_then(Value::as_str).map(str::trim);
        match text {
            Some(t) if !t.is_empty() && t.chars().count() <= TURN_MAX_CHARS => {
                turns.push(TestTurn { text: t.to_owned() })
            }
            _ => errors.push(wrong(
                format!("turns[{i}].text"),
                format!("must be 1 to {TURN_MAX_CHARS} characters"),
            )),
        }
    }
    turns
}

fn parse_expectations(doc: &Value, errors: &mut Vec<FieldError>) -> Vec<Expectation> {
    let Some(items) = doc.as_array() else {
        errors.push(wrong("expect", "must be a list of {kind, value}"));
        return vec![];
    };
    if items.len() > MAX_EXPECTATIONS {
        errors.push(wrong(
            "expect",
            format!("at most {MAX_EXPECTATIONS} expectations"),
        ));
    }
    let mut expect = vec![];
    for (i, item) in items.iter().enumerate() {
        match Expectation::parse(item, &format!("expect[{i}]")) {
            Ok(e) => expect.push(e),
            Err(e) => errors.push(e),
        }
    }
    expect
}

/// A line of a test's transcript: the lead's turn or the agent's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TranscriptLine {
    pub author: crate::messaging::Author,
    pub text: String,
}

/// An expectation the agent did not meet, and what it did instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpectationFailure {
    pub kind: ExpectationKind,
    /// The expectation's value as written (null for `handoff`, `silent`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub value: Value,
    pub detail: String,
}

/// What one case of a run came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TestResult {
    pub test_id: uuid::Uuid,
    pub name: String,
    pub passed: bool,
    pub transcript: Vec<TranscriptLine>,
    pub failures: Vec<ExpectationFailure>,
}

/// A case whose verdict differs from the run before: `before` is null for a case that run
/// did not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerdictChange {
    pub test_id: uuid::Uuid,
    pub name: String,
    pub before: Option<bool>,
    pub after: bool,
}

/// What changed from `before` (the previous finished run) to `after`: cases that now pass or
/// fail where they did not, and new cases.
pub fn verdict_changes(before: &[TestResult], after: &[TestResult]) -> Vec<VerdictChange> {
    after
        .iter()
        .filter_map(|a| {
            let was = before
                .iter()
                .find(|b| b.test_id == a.test_id)
                .map(|b| b.passed);
            (was != Some(a.passed)).then(|| VerdictChange {
                test_id: a.test_id,
                name: a.name.clone(),
                before: was,
                after: a.passed,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn every_kind_reads_back_what_it_writes() {
        let all = vec![
            Expectation::ReplyContains("weekend batch".into()),
            Expectation::ReplyNotContains("guarantee".into()),
            Expectation::Slot(SlotExpectation {
                name: "city".into(),
                value: "Pune".into(),
            }),
            Expectation::CtaOffered(CtaType::BookCall),
            Expectation::Handoff,
            Expectation::Silent,
            Expectation::ReasonCode(ReasonCode::PricingDiscussion),
        ];
        for e in all {
            let wire = serde_json::to_value(&e).unwrap();
            assert_eq!(wire["kind"], e.kind().as_str());
            let back: Expectation = serde_json::from_value(wire).unwrap();
            assert_eq!(back, e);
        }
        assert_eq!(
            serde_json::to_value(Expectation::Handoff).unwrap(),
            json!({"kind": "handoff"})
        );
    }

    #[test]
    fn the_seeds_spelling_is_accepted() {
        let e = Expectation::parse(&json!({"kind": "CTA_OFFERED", "value": "BOOK_CALL"}), "e");
        assert_eq!(e, Ok(Expectation::CtaOffered(CtaType::BookCall)));
        let e = Expectation::parse(&json!({"kind": "reason_code", "value": "CTA_PUSH"}), "e");
        assert_eq!(e, Ok(Expectation::ReasonCode(ReasonCode::CtaPush)));
        let e = Expectation::parse(&json!({"kind": "handoff", "value": null}), "e");
        assert_eq!(e, Ok(Expectation::Handoff));
    }

    #[test]
    fn a_wrong_field_is_named() {
        let cases = [
            (json!({"kind": "smiles"}), "expect[3].kind"),
            (json!({"value": "x"}), "expect[3].kind"),
            (json!({"kind": "reply_contains"}), "expect[3].value"),
            (
                json!({"kind": "reply_contains", "value": "  "}),
                "expect[3].value",
            ),
            (
                json!({"kind": "cta_offered", "value": "lunch"}),
                "expect[3].value",
            ),
            (
                json!({"kind": "slot", "value": {"name": "city"}}),
                "expect[3].value.value",
            ),
            (
                json!({"kind": "slot", "value": "city"}),
                "expect[3].value.name",
            ),
            (json!({"kind": "silent", "value": "now"}), "expect[3].value"),
            (json!("reply_contains"), "expect[3]"),
        ];
        for (doc, field) in cases {
            let e = Expectation::parse(&doc, "expect[3]").unwrap_err();
            assert_eq!(e.field, field, "{doc}");
        }
    }

    #[test]
    fn a_case_reports_every_wrong_field_at_once() {
        let errors = AgentTestCase::parse(
            " ",
            &json!([{"text": "hi"}, {"text": ""}]),
            &json!([{"kind": "nope"}]),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "turns[1].text", "expect[0].kind"]);
        let errors = AgentTestCase::parse("t", &json!([]), &json!([])).unwrap_err();
        assert_eq!(errors[0].field, "turns");
        let too_long = "x".repeat(TURN_MAX_CHARS + 1);
        let errors =
            AgentTestCase::parse("t", &json!([{ "text": too_long }]), &json!([])).unwrap_err();
        assert_eq!(errors[0].field, "turns[0].text");
    }

    fn result(n: u128, passed: bool) -> TestResult {
        TestResult {
            test_id: uuid::Uuid::from_u128(n),
            name: format!("case {n}"),
            passed,
            transcript: vec![],
            failures: vec![],
        }
    }

    #[test]
    fn changes_list_new_cases_and_flipped_verdicts_only() {
        let before = [result(1, true), result(2, false), result(3, true)];
        let after = [
            result(1, true),
            result(2, true),
            result(3, false),
            result(4, true),
        ];
        let changes = verdict_changes(&before, &after);
        let seen: Vec<_> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.before, c.after))
            .collect();
        assert_eq!(
            seen,
            [
                ("case 2", Some(false), true),
                ("case 3", Some(true), false),
                ("case 4", None, true)
            ]
        );
        assert!(verdict_changes(&after, &after).is_empty());
    }

    proptest! {
        /// Whatever the turns, a case is accepted exactly when each is 1–4,096 characters
        /// after trimming and there are 1–20 of them.
        #[test]
        fn turns_are_accepted_by_the_documented_limits(
            turns in proptest::collection::vec("[ a-z]{0,12}", 0..24)
        ) {
            let doc: Vec<Value> = turns.iter().map(|t| json!({"text": t})).collect();
            let ok = !turns.is_empty()
                && turns.len() <= MAX_TURNS
                && turns.iter().all(|t| !t.trim().is_empty());
            let parsed = AgentTestCase::parse("t", &Value::Array(doc), &json!([]));
            prop_assert_eq!(parsed.is_ok(), ok);
            if let Ok(case) = parsed {
                prop_assert_eq!(case.turns.len(), turns.len());
            }
        }
    }
}
