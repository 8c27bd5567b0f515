//! Agent tests as an owner writes them: played into a fresh simulated conversation, each
//! expectation judged against what the agent did.

use crate::support::{book_call, conversation, faq, profile};
use closer_agent::testing::{run_case, starter_cases};
use closer_domain::agent_tests::{AgentTestCase, ExpectationKind};
use closer_domain::messaging::Author;
use serde_json::json;

fn case(turns: &[&str], expect: serde_json::Value) -> AgentTestCase {
    let turns: Vec<_> = turns.iter().map(|t| json!({ "text": t })).collect();
    AgentTestCase::parse("t", &json!(turns), &expect).expect("a valid case")
}

#[tokio::test]
async fn a_met_expectation_passes_and_the_transcript_alternates() {
    let c = case(
        &["Do you have weekend batches?"],
        json!([{"kind": "reply_contains", "value": "saturday"},
               {"kind": "reply_not_contains", "value": "guarantee"}]),
    );
    let out = run_case(conversation(profile()), &c.turns, &c.expect, None).await;
    assert!(out.passed, "{:?}", out.failures);
    assert_eq!(out.transcript[0].author, Author::Lead);
    assert_eq!(out.transcript[1].author, Author::Bot);
    assert_eq!(out.cost_usd, 0.0, "the rules engine costs nothing");
}

#[tokio::test]
async fn a_missed_expectation_says_what_the_agent_did_instead() {
    let c = case(
        &["Do you have weekend batches?"],
        json!([{"kind": "reply_contains", "value": "we never close"},
               {"kind": "silent"},
               {"kind": "handoff"},
               {"kind": "slot", "value": {"name": "city", "value": "Pune"}}]),
    );
    let out = run_case(conversation(profile()), &c.turns, &c.expect, None).await;
    assert!(!out.passed);
    let kinds: Vec<_> = out.failures.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            ExpectationKind::ReplyContains,
            ExpectationKind::Silent,
            ExpectationKind::Handoff,
            ExpectationKind::Slot
        ]
    );
    assert!(
        out.failures[0].detail.contains("Saturday"),
        "{:?}",
        out.failures[0]
    );
    assert_eq!(out.failures[3].detail, "city was never filled");
}

#[tokio::test]
async fn slots_and_handoffs_are_judged_over_the_whole_conversation() {
    let c = case(
        &[
            "Hi, I'm Priya from Pune",
            "This is useless, I want to talk to a real person NOW",
        ],
        json!([{"kind": "slot", "value": {"name": "city", "value": "pune"}},
               {"kind": "handoff"}]),
    );
    let out = run_case(conversation(profile()), &c.turns, &c.expect, None).await;
    assert!(out.passed, "{:?}\n{:?}", out.failures, out.transcript);
}

#[tokio::test]
async fn starter_cases_cover_each_faq_and_call_to_action() {
    let knowledge = vec![
        faq(
            "What are the fees?",
            "The course costs ₹2999 for three months.",
        ),
        faq("Is there a hostel?", "Yes, for outstation students."),
        faq("When are the weekend batches?", "Every Saturday at 10 AM."),
    ];
    let starters = starter_cases(&knowledge, &[book_call()]);
    let names: Vec<_> = starters.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "FAQ: What are the fees?",
            "FAQ: Is there a hostel?",
            "FAQ: When are the weekend batches?",
            "Asks for: Free counselling call"
        ]
    );
    assert_eq!(
        serde_json::to_value(&starters[0].expect).unwrap(),
        json!([{"kind": "reply_contains", "value": "₹2999"}])
    );
    assert_eq!(
        serde_json::to_value(&starters[1].expect).unwrap(),
        json!([{"kind": "reply_contains", "value": "Yes, for outstation"}])
    );
    assert_eq!(
        serde_json::to_value(&starters[2].expect).unwrap(),
        json!([{"kind": "reply_contains", "value": "10 AM"}])
    );
    // The business's own agent passes the starters it is offered.
    for s in &starters {
        let c = conversation(profile()).with_knowledge(knowledge.clone());
        let out = run_case(c, &s.turns, &s.expect, None).await;
        assert!(
            out.passed,
            "{}: {:?} {:?}",
            s.name, out.failures, out.transcript
        );
    }
}
