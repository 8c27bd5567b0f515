//! The LLM engine against local fake OpenAI-compatible and Anthropic servers over real HTTP:
//! the three stages, malformed and invalid answers, rate limits, timeouts, and a model that
//! tries to break every guardrail.

use crate::support::*;
use closer_agent::guardrails::GuardAction;
use closer_agent::simulator::Conversation;
use closer_agent::{Decision, Engine, EngineMode};
use closer_domain::sales::{CtaType, ReasonCode};
use closer_llm::fake::{FakeProvider, Recorded, Reply};
use closer_llm::{LlmClient, Prices, Provider, ProviderConfig};
use serde_json::{Value, json};
use std::time::Duration;

const KEY: &str = "sk-agent-test-7731";

fn client(provider: Provider, fake: &FakeProvider, timeout: Duration) -> LlmClient {
    let base_url = match provider {
        Provider::OpenAi => fake.url("/v1"),
        Provider::Anthropic => fake.url(""),
    };
    LlmClient::new(ProviderConfig {
        provider,
        base_url,
        model: "fake-model".into(),
        api_key: KEY.into(),
        timeout,
        max_attempts: 2,
        prices: Prices {
            input_usd_per_mtok: 2.0,
            output_usd_per_mtok: 8.0,
        },
        egress: closer_llm::EgressPolicy::any_address(),
    })
    .expect("client")
    .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

fn llm_conversation() -> Conversation {
    let mut p = profile();
    p.mode = EngineMode::Llm;
    conversation(p)
}

/// The system prompt of a recorded request, either wire format.
fn system_of(r: &Recorded) -> String {
    if let Some(s) = r.body.get("system").and_then(Value::as_str) {
        return s.to_owned();
    }
    r.body["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Everything the model was shown in a request.
fn prompt_of(r: &Recorded) -> String {
    r.body.to_string()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Stage {
    Planner,
    Writer,
    Critic,
}

fn stage_of(r: &Recorded) -> Stage {
    let system = system_of(r);
    if system.starts_with("You plan") {
        Stage::Planner
    } else if system.starts_with("You write") {
        Stage::Writer
    } else {
        assert!(system.starts_with("You check"), "unknown stage: {system}");
        Stage::Critic
    }
}

/// A model that answers each stage with `answers(stage)`, in the provider's wire format.
fn scripted(
    fake: &FakeProvider,
    provider: Provider,
    answers: impl Fn(Stage) -> Value + Send + Sync + 'static,
) {
    fake.respond_with(move |r| {
        let text = answers(stage_of(r)).to_string();
        match provider {
            Provider::OpenAi => Reply::openai(&text),
            Provider::Anthropic => Reply::anthropic(&text),
        }
    });
}

fn good_answers(stage: Stage) -> Value {
    match stage {
        Stage::Planner => json!({
            "reason_code": "pricing_discussion", "cta_type": null, "ask": "name",
            "key_points": ["₹2999 for three months", "EMI available"], "confidence": 0.8
        }),
        Stage::Writer => json!({
            "message_text": "It's ₹2999 for three months, and EMI is available. May I have your name?"
        }),
        Stage::Critic => json!({"verdict": "approve", "issues": [], "revised_text": null}),
    }
}

fn guardrail(d: &Decision, rule: &str) -> GuardAction {
    d.guardrails
        .iter()
        .find(|g| g.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:?}", d.guardrails))
        .action
}

async fn plans_writes_and_critiques(provider: Provider) {
    let fake = FakeProvider::start(vec![]).await;
    scripted(&fake, provider, good_answers);
    let model = client(provider, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    let d = c
        .lead_says("Hi, what are your fees?", Some(&model))
        .await
        .decision
        .clone();

    assert_eq!(d.engine, Engine::Llm, "{:?}", d.error);
    assert_eq!(d.reason_code, ReasonCode::PricingDiscussion);
    assert_eq!(
        d.message_text.as_deref(),
        Some("It's ₹2999 for three months, and EMI is available. May I have your name?")
    );
    // Three calls of 100 in / 20 out each (the fake's usage), at $2 / $8 per million.
    assert_eq!((d.input_tokens, d.output_tokens), (300, 60));
    assert!((d.cost_usd - (300.0 * 2.0 + 60.0 * 8.0) / 1e6).abs() < 1e-12);
    assert!(
        d.prompt_tokens > 0 && d.prompt_tokens <= 3_500,
        "{}",
        d.prompt_tokens
    );
    assert_eq!(guardrail(&d, "llm_critic"), GuardAction::Passed);
    assert!(d.retrieval_used);
    // The plan's question is remembered, so the lead's answer fills it.
    assert_eq!(c.state.pending_question.as_deref(), Some("name"));
    c.lead_says("Anita", Some(&model)).await;
    assert_eq!(c.state.slot_value("name"), Some("Anita"));

    let requests = fake.requests();
    assert_eq!(requests.len(), 6);
    let stages: Vec<Stage> = requests.iter().take(3).map(stage_of).collect();
    assert_eq!(stages, [Stage::Planner, Stage::Writer, Stage::Critic]);
    let planner = &requests[0];
    // The compiled context: the business, the FAQ it retrieved, the lead's words.
    for seen in ["Acme Academy", "₹2999", "what are your fees?"] {
        assert!(
            prompt_of(planner).contains(seen),
            "planner prompt lacks {seen}"
        );
    }
    assert!(
        prompt_of(&requests[1]).contains("pricing_discussion"),
        "the writer sees the plan"
    );
    assert!(
        prompt_of(&requests[2]).contains("May I have your name?"),
        "the critic sees the draft"
    );
    match provider {
        Provider::OpenAi => {
            assert_eq!(planner.path, "/v1/chat/completions");
            assert_eq!(
                planner.header("authorization"),
                Some(&*format!("Bearer {KEY}"))
            );
            assert_eq!(planner.body["response_format"]["type"], "json_object");
        }
        Provider::Anthropic => {
            assert_eq!(planner.path, "/v1/messages");
            assert_eq!(planner.header("x-api-key"), Some(KEY));
        }
    }
}

#[tokio::test]
async fn the_llm_engine_plans_writes_and_critiques_over_openai() {
    plans_writes_and_critiques(Provider::OpenAi).await;
}

#[tokio::test]
async fn the_llm_engine_plans_writes_and_critiques_over_anthropic() {
    plans_writes_and_critiques(Provider::Anthropic).await;
}

#[tokio::test]
async fn malformed_json_gets_one_repair_and_then_works() {
    let fake = FakeProvider::start(vec![Reply::openai(
        "Sure! Here is the plan: {reason_code: pricing_discussion, confidence",
    )])
    .await;
    scripted(&fake, Provider::OpenAi, good_answers);
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    let d = c
        .lead_says("what are your fees?", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Llm, "{:?}", d.error);
    let requests = fake.requests();
    assert_eq!(requests.len(), 4, "planner twice, writer, critic");
    let repair = prompt_of(&requests[1]);
    assert!(repair.contains("not valid"), "{repair}");
    assert!(
        repair.contains("Sure! Here is the plan"),
        "the bad answer is quoted back"
    );
    assert_eq!(
        (d.input_tokens, d.output_tokens),
        (400, 80),
        "the bad answer is paid for too"
    );
}

#[tokio::test]
async fn schema_violations_twice_fall_back_to_the_safe_reply_and_alert() {
    let fake = FakeProvider::start(vec![]).await;
    scripted(&fake, Provider::OpenAi, |stage| match stage {
        Stage::Planner => json!({"reason_code": "close_the_deal", "confidence": 0.9}),
        other => good_answers(other),
    });
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    let o = c
        .lead_says("what are your fees?", Some(&model))
        .await
        .clone();
    let d = &o.decision;
    assert_eq!(d.engine, Engine::Fallback);
    let error = d.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("planner") && error.contains("reason_code"),
        "{error}"
    );
    assert!(
        o.patch
            .alert
            .as_deref()
            .unwrap_or_default()
            .contains("safe reply")
    );
    assert!(d.should_send, "the lead still gets an answer");
    assert_eq!(d.reason_code, ReasonCode::ClarificationRequest);
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(d.input_tokens, 200);

    // A wrong type is named by its field, too.
    let fake = FakeProvider::start(vec![]).await;
    scripted(&fake, Provider::OpenAi, |stage| match stage {
        Stage::Planner => json!({"reason_code": "discovery", "confidence": "very"}),
        other => good_answers(other),
    });
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let d = llm_conversation()
        .lead_says("hello", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Fallback);
    assert!(d.error.unwrap_or_default().contains("confidence"));

    // A writer that answers with nothing to say fails the same way.
    let fake = FakeProvider::start(vec![]).await;
    scripted(&fake, Provider::OpenAi, |stage| match stage {
        Stage::Writer => json!({"message_text": "   "}),
        other => good_answers(other),
    });
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let d = llm_conversation()
        .lead_says("hello", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Fallback);
    assert!(d.error.unwrap_or_default().contains("writer: "));
}

#[tokio::test]
async fn a_rate_limit_is_retried_and_the_turn_succeeds() {
    let fake = FakeProvider::start(vec![
        Reply::json(
            429,
            json!({"error": {"message": "Rate limit reached", "type": "requests"}}),
        )
        .header("retry-after-ms", "20"),
    ])
    .await;
    scripted(&fake, Provider::OpenAi, good_answers);
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let d = llm_conversation()
        .lead_says("what are your fees?", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Llm, "{:?}", d.error);
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn a_model_that_never_answers_in_time_falls_back() {
    let fake = FakeProvider::start(vec![]).await;
    fake.respond_with(|r| match stage_of(r) {
        Stage::Writer => Reply::openai("{}").delay(Duration::from_secs(2)),
        other => Reply::openai(&good_answers(other).to_string()),
    });
    let model = client(Provider::OpenAi, &fake, Duration::from_millis(300));
    let d = llm_conversation()
        .lead_says("what are your fees?", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Fallback);
    let error = d.error.unwrap_or_default();
    assert!(
        error.starts_with("writer: ") && error.contains("did not answer within 300 ms"),
        "{error}"
    );
    assert!(d.should_send);
    // Planner once, writer twice (the client retries a timeout once).
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn a_model_that_tries_to_break_every_guardrail_is_held_by_the_code() {
    let fake = FakeProvider::start(vec![]).await;
    let rant = "I am a real human, not a bot! Guaranteed returns for everyone who joins today. \
        Do you want to join? Will you pay now? Can I call you? Is tomorrow fine? Why wait? \
        Our academy has taught thousands of happy students from every corner of the country \
        and every single one of them has become rich beyond their wildest dreams within weeks \
        of finishing the course with our expert mentors who are available around the clock to \
        help you succeed in every trade you ever make.";
    assert!(rant.split_whitespace().count() >= 80);
    scripted(&fake, Provider::OpenAi, move |stage| match stage {
        Stage::Planner => json!({
            "reason_code": "cta_push", "cta_type": "BOOK_CALL", "ask": null,
            "key_points": [], "confidence": 1.0
        }),
        Stage::Writer => json!({ "message_text": rant }),
        Stage::Critic => json!({"verdict": "approve"}),
    });
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    let max_words = c.profile.tone_profile.message_length_max_words as usize;
    let mut pushed = 0;
    for (turn, line) in ["hi", "tell me more", "hmm", "ok and?"].iter().enumerate() {
        let d = c.lead_says(line, Some(&model)).await.decision.clone();
        assert_eq!(d.engine, Engine::Llm, "{:?}", d.error);
        let text = d.message_text.clone().expect("something safe still goes");
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("human") && !lower.contains("not a bot"),
            "{text}"
        );
        assert!(!lower.contains("guaranteed"), "{text}");
        assert!(text.matches('?').count() <= 1, "{text}");
        assert!(text.split_whitespace().count() <= max_words, "{text}");
        assert_eq!(guardrail(&d, "never_claim_human"), GuardAction::Repaired);
        assert_eq!(guardrail(&d, "forbidden_phrases"), GuardAction::Repaired);
        assert_eq!(guardrail(&d, "one_question"), GuardAction::Repaired);
        assert_eq!(guardrail(&d, "max_words"), GuardAction::Repaired);
        if d.cta_type == Some(CtaType::BookCall) {
            pushed += 1;
            assert_eq!(guardrail(&d, "cta_state"), GuardAction::Passed);
        } else {
            assert!(turn >= 2, "the first two offers may go");
            assert_eq!(guardrail(&d, "cta_state"), GuardAction::Repaired);
        }
    }
    assert_eq!(pushed, 2, "the same CTA every turn is cut to two offers");
    assert_eq!(c.state.cta_states[&CtaType::BookCall].offered_count, 2);
}

#[tokio::test]
async fn a_critic_revision_replaces_the_draft_and_rules_mode_never_calls_the_model() {
    let fake = FakeProvider::start(vec![]).await;
    scripted(&fake, Provider::Anthropic, |stage| match stage {
        Stage::Critic => json!({
            "verdict": "revise", "issues": ["too pushy"],
            "revised_text": "The course is ₹2999 for three months. May I know your name?"
        }),
        other => good_answers(other),
    });
    let model = client(Provider::Anthropic, &fake, Duration::from_secs(5));
    let d = llm_conversation()
        .lead_says("fees?", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(
        d.message_text.as_deref(),
        Some("The course is ₹2999 for three months. May I know your name?")
    );
    assert_eq!(guardrail(&d, "llm_critic"), GuardAction::Repaired);
    assert_eq!(fake.requests().len(), 3);

    // The same model, a rules-mode profile: no call at all.
    let d = conversation(profile())
        .lead_says("fees?", Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Rules);
    assert_eq!((d.input_tokens, d.cost_usd), (0, 0.0));
    assert_eq!(fake.requests().len(), 3);
}

#[tokio::test]
async fn the_model_writes_a_follow_up_and_never_turns_it_into_a_pitch() {
    let fake = FakeProvider::start(vec![]).await;
    scripted(&fake, Provider::OpenAi, |stage| match stage {
        // The model tries a fresh pitch: a follow-up stays a follow-up.
        Stage::Planner => json!({
            "reason_code": "discovery", "cta_type": null, "ask": null,
            "key_points": [], "confidence": 0.7
        }),
        Stage::Writer => json!({"message_text": "Hi again! Any questions about the course fees?"}),
        Stage::Critic => json!({"verdict": "approve", "issues": [], "revised_text": null}),
    });
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    c.lead_says("Hi, what are your fees?", Some(&model)).await;
    let before = fake.requests().len();
    let d = c
        .followup(chrono::Duration::hours(1), Some(&model))
        .await
        .decision
        .clone();
    assert_eq!(d.engine, Engine::Llm, "{:?}", d.error);
    assert_eq!(d.trigger, closer_agent::Trigger::Followup);
    assert_eq!(
        d.message_text.as_deref(),
        Some("Hi again! Any questions about the course fees?")
    );
    assert!(
        closer_agent::followup::FOLLOWUP_REASONS.contains(&d.reason_code),
        "{:?}",
        d.reason_code
    );
    let planner = &fake.requests()[before];
    assert!(
        prompt_of(planner).contains("has not answered"),
        "the planner knows why"
    );
}

/// A model that plans a plain reply and writes `text`, approved by its critic.
fn writes(fake: &FakeProvider, text: &'static str) {
    scripted(fake, Provider::OpenAi, move |stage| match stage {
        Stage::Planner => json!({
            "reason_code": "clarification_request", "cta_type": null, "ask": null,
            "key_points": [], "confidence": 0.7
        }),
        Stage::Writer => json!({ "message_text": text }),
        Stage::Critic => json!({"verdict": "approve", "issues": [], "revised_text": null}),
    });
}

/// With a model configured, the call asked for with no booking link was not handed to the
/// team, and "let me check with the team" made no needs-human item: only the rules engine
/// kept those promises. Now both engines do, by the same code: the call's time is read back
/// and handed over; a question the knowledge base does not answer is the model's to answer,
/// and a promise to check that the model writes is kept by a person.
#[tokio::test]
async fn with_a_model_the_promises_to_the_lead_still_go_to_the_team() {
    use closer_domain::agent::HandoverReason;
    use closer_domain::messaging::ConversationMode;
    use closer_domain::sales::EscalationPriority;
    let fake = FakeProvider::start(vec![]).await;
    writes(
        &fake,
        "Sure! What day and time would suit you for the call?",
    );
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut p = closer_agent::AgentProfile::starter("Acme Academy");
    p.business_config.timezone = "Asia/Kolkata".into();
    p.mode = EngineMode::Llm;
    let mut c = Conversation::new(p.clone(), morning_in_india());
    let o = c
        .lead_says("can I book a call?", Some(&model))
        .await
        .clone();
    assert_eq!(o.decision.engine, Engine::Llm, "{:?}", o.decision.error);
    assert_eq!(o.patch.handoff, None);
    let asked = fake.requests().len();
    let o = c.lead_says("tomorrow 5pm", Some(&model)).await.clone();
    assert_eq!(
        o.decision.message_text.as_deref(),
        Some("Wed 18 Nov, 5:00 PM — noted, I'll have the team confirm it.")
    );
    assert_eq!(o.patch.handoff, Some(EscalationPriority::High));
    let brief = o.decision.handoff.expect("a brief for the team");
    assert_eq!(brief.escalation_reason, HandoverReason::CallRequested);
    assert!(brief.summary.contains("Wed 18 Nov, 5:00 PM"), "{brief:?}");
    assert_eq!(c.mode, ConversationMode::Human);
    assert_eq!(
        fake.requests().len(),
        asked,
        "the code's reply, not the model's"
    );

    // A question the knowledge base does not answer: the model, which also reads the
    // business's documents, is asked; an answer that promises nothing hands nothing over.
    let fake = FakeProvider::start(vec![]).await;
    writes(
        &fake,
        "Our centre is in Pune; students from other cities usually stay in PGs nearby.",
    );
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    // What the agent already owes the lead stays owed: only the promise to check is taken
    // back.
    let owed = closer_agent::state::Commitment {
        what: "Book a call at Wed 18 Nov, 5:00 PM".into(),
        due: None,
        source_message_id: Some("m0".into()),
    };
    c.state.commitments.agent.push(owed.clone());
    let o = c
        .lead_says(
            "Is there a hostel near your centre for outstation students?",
            Some(&model),
        )
        .await
        .clone();
    assert_eq!(o.decision.engine, Engine::Llm, "{:?}", o.decision.error);
    assert!(!fake.requests().is_empty(), "the model was asked");
    assert_eq!(o.patch.handoff, None);
    assert_eq!(
        c.state.commitments.agent,
        [owed],
        "{:?}",
        c.state.commitments
    );

    // The model promises to check on its own: a person keeps that promise too.
    let fake = FakeProvider::start(vec![]).await;
    writes(
        &fake,
        "Good question! Let me check with the team and get back to you.",
    );
    let model = client(Provider::OpenAi, &fake, Duration::from_secs(5));
    let mut c = llm_conversation();
    let o = c
        .lead_says("Do you have weekend batches?", Some(&model))
        .await
        .clone();
    assert_eq!(o.decision.engine, Engine::Llm, "{:?}", o.decision.error);
    assert_eq!(o.patch.handoff, Some(EscalationPriority::Medium));
    assert_eq!(
        o.decision.handoff.map(|b| b.escalation_reason),
        Some(HandoverReason::UnansweredQuestion)
    );
    assert_eq!(
        c.state.commitments.agent.len(),
        1,
        "{:?}",
        c.state.commitments
    );
}
