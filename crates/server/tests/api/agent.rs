//! The agent end to end through the simulator: FAQ answers with a decision logged, opt-out,
//! handoff, CTA acceptance with a booking, the profile's versions and rollback, CTAs and the
//! knowledge base, and other organisations seeing none of it.

use crate::conversations::{decided, lead_writes, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use closer_llm::fake::{FakeProvider, Reply};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    the_agent_answers_from_the_faq_and_logs_its_decision,
    an_opt_out_gets_one_confirmation_then_silence,
    a_request_for_a_person_hands_over,
    an_accepted_call_is_booked_and_flagged,
    profile_versions_and_rollback,
    ctas_and_knowledge_are_validated_and_scoped,
    the_llm_engine_answers_and_a_failing_model_falls_back
);

async fn decisions(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}/decisions"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

pub async fn add_faq(app: &TestApp, s: &Session) {
    let r = app
        .post(
            "/api/v1/knowledge",
            Some(&s.token),
            json!({"kind": "faq", "content": "Q: What are the course fees?\nA: The course costs ₹2999 with EMI options.\n\nQ: Where is your office?\nA: We are in Andheri, Mumbai."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["created"], 2);
}

async fn the_agent_answers_from_the_faq_and_logs_its_decision(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Faq Co").await;
    add_faq(&app, &owner).await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00001", "Hi, what are the fees?").await;
    let d = decided(&app, &owner, &conv, 1).await;
    let d = &d[0];
    assert_eq!(d["engine"], "rules");
    assert_eq!(d["reason_code"], "pricing_discussion");
    assert_eq!(d["should_send"], true);
    assert_eq!(d["retrieval_used"], true);
    assert!(d["message_text"].as_str().unwrap().contains("₹2999"), "{d}");
    let rules: Vec<&str> = d["guardrails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "opted_out",
        "human_lock",
        "window_closed",
        "budget_spent",
        "rate_limited",
        "never_claim_human",
        "forbidden_phrases",
        "cta_state",
        "one_question",
        "max_words",
    ] {
        assert!(rules.contains(&rule), "{rule} missing from {rules:?}");
    }
    // The reply is a bot message delivered to the simulator.
    let reply = eventually(15, "the bot's reply delivered", || async {
        messages(&app, &owner, &conv)
            .await
            .into_iter()
            .find(|m| m["author"] == "bot" && m["status"] == "delivered")
    })
    .await;
    assert_eq!(reply["text"], d["message_text"]);
    let d = decisions(&app, &owner, &conv).await;
    assert_eq!(d[0]["send_status"], "delivered");
    assert_eq!(d[0]["message_id"], reply["id"]);

    // The memory: language, sentiment, and the question asked next.
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    let state = &detail.body["state"];
    assert_eq!(state["language"], "en");
    assert_eq!(state["staleness"], "active");
    assert!(state["sentiment_history"].as_array().unwrap().len() == 1);
    assert_eq!(detail.body["handoff"], Value::Null);

    // The lead answers the name question: the slot is filled and the contact renamed.
    lead_writes(&app, &owner, "+91 98000 00001", "my name is Rajesh Kumar").await;
    decided(&app, &owner, &conv, 2).await;
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        detail.body["state"]["slots"]["name"]["value"],
        "Rajesh Kumar"
    );
    assert!(
        detail.body["state"]["slots"]["name"]["confidence"]
            .as_f64()
            .unwrap()
            >= 0.8
    );
    assert_eq!(detail.body["contact"]["name"], "Rajesh Kumar");
    app.finish().await;
}

async fn an_opt_out_gets_one_confirmation_then_silence(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Stop Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00002", "band karo ye messages").await;
    let d = decided(&app, &owner, &conv, 1).await;
    assert_eq!(d[0]["should_send"], true);
    assert_eq!(d[0]["reason_code"], "exit_graceful");
    lead_writes(&app, &owner, "+91 98000 00002", "hello?").await;
    let d = decided(&app, &owner, &conv, 2).await;
    assert_eq!(d[0]["should_send"], false);
    let blocked: Vec<&Value> = d[0]["guardrails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["action"] == "blocked")
        .collect();
    assert_eq!(blocked[0]["rule"], "opted_out", "{blocked:?}");
    let bot = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .filter(|m| m["author"] == "bot")
        .count();
    assert_eq!(bot, 1, "exactly one confirmation");
    let status = app
        .sql_text("SELECT lead_status FROM contacts WHERE phone = '+919800000002'")
        .await;
    assert_eq!(status.as_deref(), Some("opted_out"));
    app.finish().await;
}

async fn a_request_for_a_person_hands_over(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Handoff Co").await;
    let mut ws = app.ws(&owner.token).await;
    let (conv, _) = lead_writes(
        &app,
        &owner,
        "+91 98000 00003",
        "I want to talk to a real person",
    )
    .await;
    let event = ws.expect("action:human_attention_required", 20).await;
    assert_eq!(event["conversation_id"], conv.as_str());
    assert_eq!(event["priority"], "high");
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(detail.body["mode"], "human");
    assert_eq!(detail.body["needs_human"], true);
    assert_eq!(detail.body["priority"], "high");
    assert_eq!(
        detail.body["handoff"]["escalation_reason"],
        "human_requested"
    );
    assert!(
        detail.body["handoff"]["recommended_action"]
            .as_str()
            .unwrap()
            .len()
            > 5
    );
    // In human mode the agent records and extracts but never replies.
    lead_writes(
        &app,
        &owner,
        "+91 98000 00003",
        "my email is lee@example.com",
    )
    .await;
    let d = decided(&app, &owner, &conv, 2).await;
    assert_eq!(d[0]["should_send"], false);
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        detail.body["state"]["slots"]["email"]["value"],
        "lee@example.com"
    );
    let bot = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .filter(|m| m["author"] == "bot")
        .count();
    assert_eq!(bot, 1, "only the holding message");
    // Release clears the brief.
    app.post(
        &format!("/api/v1/conversations/{conv}/release"),
        Some(&owner.token),
        json!({}),
    )
    .await;
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(detail.body["handoff"], Value::Null);
    app.finish().await;
}

async fn an_accepted_call_is_booked_and_flagged(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Book Co").await;
    let phone = "+91 98000 00004";
    let (conv, d) = crate::conversations::offered_a_call(&app, &owner, phone).await;
    assert_eq!(d[0]["reason_code"], "cta_push", "{}", d[0]);
    assert_eq!(d[0]["cta_type"], "book_call");
    assert_eq!(d[0]["message_type"], "interactive");
    // The offer goes out with reply buttons.
    let offer = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .find(|m| m["type"] == "interactive")
        .expect("an interactive offer");
    assert_eq!(offer["media"]["buttons"][0]["id"], "cta:book_call:yes");
    assert_eq!(offer["media"]["buttons"][1]["id"], "cta:book_call:no");
    let mut ws = app.ws(&owner.token).await;
    // The lead taps "yes": taken up at once, and the agent asks when.
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": phone, "text": "Yes, let's do it", "reply_id": "cta:book_call:yes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let flagged = ws.expect("action:conversations_flagged", 20).await;
    assert_eq!(flagged["cta"], "book_call");
    assert_eq!(flagged["name"], "Priya");
    let d = decided(&app, &owner, &conv, 3).await;
    assert_eq!(d[0]["reason_code"], "confirmation");
    assert_eq!(d[0]["message_text"], "What day and time suits you?");
    lead_writes(&app, &owner, phone, "tomorrow 5pm works").await;
    let flagged = ws.expect("action:conversations_flagged", 20).await;
    assert!(flagged["at"].is_string(), "{flagged}");
    let d = decided(&app, &owner, &conv, 4).await;
    assert_eq!(d[0]["reason_code"], "confirmation");
    let events = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM calendar_events")
        .await;
    assert_eq!(events.as_deref(), Some("1"));
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        detail.body["state"]["cta_states"]["book_call"]["state"],
        "clicked"
    );
    assert_eq!(detail.body["lead_status"], "hot");
    app.finish().await;
}

async fn profile_versions_and_rollback(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Version Co").await;
    let p = app.get("/api/v1/agent/profile", &owner.token).await;
    assert_eq!(p.body["version"], 0);
    assert_eq!(p.body["mode"], "rules");
    assert_eq!(p.body["business_config"]["business_name"], "Version Co");
    let mut tone = p.body["tone_profile"].clone();
    tone["message_length_max_words"] = json!(15);
    let v1 = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"tone_profile": tone}),
        )
        .await;
    assert_eq!(v1.body["version"], 1);
    assert_eq!(v1.body["updated_by"]["id"], owner.user_id.as_str());
    tone["message_length_max_words"] = json!(20);
    let v2 = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"tone_profile": tone, "mode": "llm"}),
        )
        .await;
    assert_eq!(v2.body["version"], 2);
    // Bad documents change nothing and name the field.
    tone["message_length_max_words"] = json!(500);
    let bad = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"tone_profile": tone}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.body["error"]["code"], "invalid_document");
    assert_eq!(
        bad.body["error"]["details"]["field"],
        "tone_profile.message_length_max_words"
    );
    let bad = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"mode": "magic"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let versions = app
        .get("/api/v1/agent/profile/versions", &owner.token)
        .await;
    let items = versions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["changed"], json!(["tone_profile", "mode"]));
    let rolled = app
        .post(
            "/api/v1/agent/profile/versions/1/rollback",
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(rolled.status, StatusCode::OK, "{:?}", rolled.body);
    assert_eq!(rolled.body["version"], 3);
    assert_eq!(rolled.body["mode"], "rules");
    assert_eq!(rolled.body["tone_profile"]["message_length_max_words"], 15);
    let v = app
        .get("/api/v1/agent/profile/versions/2", &owner.token)
        .await;
    assert_eq!(v.body["tone_profile"]["message_length_max_words"], 20);
    assert_eq!(
        app.get("/api/v1/agent/profile/versions/9", &owner.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Agents may read, not change.
    let agent = app.add_member(&owner, "agent").await;
    assert_eq!(
        app.put(
            "/api/v1/agent/profile",
            &agent.token,
            json!({"mode": "llm"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "/api/v1/agent/profile/versions/1/rollback",
            Some(&agent.token),
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "agent.profile.rollback")
    );
    app.finish().await;
}

async fn ctas_and_knowledge_are_validated_and_scoped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Cta Co").await;
    let other = app.signup_org("Other Co").await;
    let bad = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "teleport", "name": "", "link": "ftp://x"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = bad.body["error"]["details"]["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("type") && fields.contains_key("name") && fields.contains_key("link"),
        "{fields:?}"
    );
    let c = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "payment", "name": "Pay", "link": "https://pay.example"}),
        )
        .await;
    assert_eq!(c.status, StatusCode::CREATED);
    let dup = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "payment", "name": "Pay again"}),
        )
        .await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    let id = c.body["id"].as_str().unwrap();
    let u = app
        .put(
            &format!("/api/v1/ctas/{id}"),
            &owner.token,
            json!({"type": "payment", "name": "Pay now", "enabled": false}),
        )
        .await;
    assert_eq!(u.body["enabled"], false);
    assert_eq!(
        app.put(
            &format!("/api/v1/ctas/{id}"),
            &other.token,
            json!({"type": "payment", "name": "x"})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/ctas/{id}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/ctas", &other.token).await.body["items"],
        json!([])
    );
    assert_eq!(
        app.delete(&format!("/api/v1/ctas/{id}"), &owner.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    let none = app
        .post(
            "/api/v1/knowledge",
            Some(&owner.token),
            json!({"kind": "faq", "content": "nothing here"}),
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(none.body["error"]["code"], "no_faq_entries");
    add_faq(&app, &owner).await;
    let list = app.get("/api/v1/knowledge", &owner.token).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get("/api/v1/knowledge", &other.token).await.body["items"],
        json!([])
    );
    let kid = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.delete(&format!("/api/v1/knowledge/{kid}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/knowledge/{kid}"), &owner.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00005", "hi").await;
    decided(&app, &owner, &conv, 1).await;
    assert_eq!(
        app.get(
            &format!("/api/v1/conversations/{conv}/decisions"),
            &other.token
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

/// A model that plans, writes and approves one good answer.
pub fn good_model(fake: &FakeProvider) {
    fake.respond_with(|r| {
        let system = r.body["messages"][0]["content"]
            .as_str()
            .unwrap_or_default();
        let answer = if system.starts_with("You plan") {
            json!({"reason_code": "pricing_discussion", "cta_type": null, "ask": "name",
                   "key_points": ["₹2999 with EMI"], "confidence": 0.8})
        } else if system.starts_with("You write") {
            json!({"message_text": "It's ₹2999, and EMI is available. May I have your name?"})
        } else {
            json!({"verdict": "approve", "issues": []})
        };
        Reply::openai(&answer.to_string())
    });
}

async fn the_llm_engine_answers_and_a_failing_model_falls_back(b: Backend) {
    let fake = FakeProvider::start(vec![]).await;
    good_model(&fake);
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Llm Co").await;
    add_faq(&app, &owner).await;
    let r = app
        .put(
            "/api/v1/settings/llm",
            &owner.token,
            json!({"provider": "openai", "base_url": fake.url("/v1"), "model": "gpt-fake",
                   "api_key": "sk-live-secret-1", "timeout_ms": 5000,
                   "input_usd_per_mtok": 2.0, "output_usd_per_mtok": 8.0}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"mode": "llm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00077", "what are the fees?").await;
    let d = decided(&app, &owner, &conv, 1).await;
    let d = &d[0];
    assert_eq!(d["engine"], "llm", "{d}");
    assert_eq!(d["reason_code"], "pricing_discussion");
    assert_eq!(
        d["message_text"],
        "It's ₹2999, and EMI is available. May I have your name?"
    );
    // Three calls of 100 in and 20 out (the fake's usage) at the configured prices.
    assert_eq!(d["input_tokens"], 300);
    assert_eq!(d["output_tokens"], 60);
    let cost = d["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - (300.0 * 2.0 + 60.0 * 8.0) / 1e6).abs() < 1e-9,
        "{cost}"
    );
    assert!(
        d["guardrails"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["rule"] == "llm_critic" && g["action"] == "passed")
    );
    let reply = eventually(15, "the model's reply delivered", || async {
        messages(&app, &owner, &conv)
            .await
            .into_iter()
            .find(|m| m["author"] == "bot" && m["status"] == "delivered")
    })
    .await;
    assert_eq!(reply["text"], d["message_text"]);
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sk-live-secret-1")
    );
    assert!(
        requests[0].body.to_string().contains("₹2999"),
        "the FAQ is in the prompt"
    );
    // The plan's question is remembered.
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(detail.body["state"]["pending_question"], "name");

    // The provider goes down: the lead still gets the safe reply, and an admin is told.
    fake.respond_with(|_| Reply::json(500, json!({"error": {"message": "overloaded"}})));
    lead_writes(&app, &owner, "+91 98000 00077", "and is there EMI?").await;
    let d = decided(&app, &owner, &conv, 2).await;
    let d = &d[0];
    assert_eq!(d["engine"], "fallback", "{d}");
    assert_eq!(d["should_send"], true);
    let error = d["error"].as_str().unwrap_or_default();
    assert!(error.starts_with("planner: "), "{error}");
    assert!(!error.contains("sk-live-secret-1"));
    let alert = app
        .sql_text("SELECT kind FROM actions WHERE kind = 'agent_alert'")
        .await;
    assert_eq!(alert.as_deref(), Some("agent_alert"));
    app.finish().await;
}
