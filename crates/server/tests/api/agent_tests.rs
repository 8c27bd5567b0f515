//! Agent tests (issue 10 item 7): cases written and validated, run in an isolated simulation
//! with the organisation's knowledge and engine (or a draft), results with transcripts and
//! what changed since the last run, starter cases — and other organisations and viewers kept
//! out.

use crate::agent::{add_faq, good_model};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use closer_llm::fake::FakeProvider;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    cases_are_written_validated_and_scoped,
    a_run_plays_each_case_and_nothing_reaches_the_inbox,
    a_draft_is_tested_with_the_configured_model,
    starter_cases_come_from_the_faq_and_the_ctas
);

const TESTS: &str = "/api/v1/agent/tests";

async fn create(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app.post(TESTS, Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

fn fees_case() -> Value {
    json!({"name": "Fees", "turns": [{"text": "hello sir, what are the course fees?"}],
           "expect": [{"kind": "reply_contains", "value": "₹2999"},
                      {"kind": "reply_not_contains", "value": "guarantee"}]})
}

/// Starts a run and waits for it to settle.
async fn run(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app
        .post(&format!("{TESTS}/run"), Some(&s.token), body)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(r.body["status"], "running");
    let id = r.body["id"].as_str().unwrap().to_owned();
    eventually(30, "the run to finish", || async {
        let r = app.get(&format!("{TESTS}/runs/{id}"), &s.token).await;
        (r.body["status"] != "running").then_some(r.body)
    })
    .await
}

async fn count(app: &TestApp, table: &str) -> String {
    app.sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
}

async fn cases_are_written_validated_and_scoped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Tests Co").await;
    // The seeds' spelling is read; the canonical one is written back.
    let t = create(
        &app,
        &owner,
        json!({"name": " Booking ", "turns": [{"text": "Can I book a call?"}],
               "expect": [{"kind": "CTA_OFFERED", "value": "BOOK_CALL"}, {"kind": "handoff"},
                          {"kind": "slot", "value": {"name": "City", "value": "Pune"}}]}),
    )
    .await;
    assert_eq!(t["name"], "Booking");
    assert_eq!(
        t["expect"],
        json!([{"kind": "cta_offered", "value": "book_call"}, {"kind": "handoff"},
               {"kind": "slot", "value": {"name": "city", "value": "Pune"}}])
    );
    let id = t["id"].as_str().unwrap().to_owned();

    // Every wrong field is named at once, and nothing is written.
    let long = "x".repeat(4_097);
    let r = app
        .post(
            TESTS,
            Some(&owner.token),
            json!({"name": "", "turns": [{"text": "hi"}, {"text": long}],
                   "expect": [{"kind": "smiles"}, {"kind": "cta_offered", "value": "lunch"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let fields = &r.body["error"]["details"]["fields"];
    for f in ["name", "turns[1].text", "expect[0].kind", "expect[1].value"] {
        assert!(fields.get(f).is_some(), "{f} not named: {fields}");
    }
    let r = app
        .post(TESTS, Some(&owner.token), json!({"name": "x", "turns": []}))
        .await;
    assert!(
        r.body["error"]["details"]["fields"]["turns"].is_string(),
        "{:?}",
        r.body
    );
    assert_eq!(count(&app, "agent_tests").await, "1");

    let r = app
        .put(&format!("{TESTS}/{id}"), &owner.token, fees_case())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["name"], "Fees");
    let list = app.get(TESTS, &owner.token).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    // A viewer reads but does not write or run; another organisation sees nothing.
    let viewer = app.add_member(&owner, "viewer").await;
    assert_eq!(app.get(TESTS, &viewer.token).await.status, StatusCode::OK);
    for r in [
        app.post(TESTS, Some(&viewer.token), fees_case()).await,
        app.put(&format!("{TESTS}/{id}"), &viewer.token, fees_case())
            .await,
        app.delete(&format!("{TESTS}/{id}"), &viewer.token).await,
        app.post(&format!("{TESTS}/run"), Some(&viewer.token), json!({}))
            .await,
    ] {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    let other = app.signup_org("Other Co").await;
    assert_eq!(app.get(TESTS, &other.token).await.body["items"], json!([]));
    let r = app
        .put(&format!("{TESTS}/{id}"), &other.token, fees_case())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.delete(&format!("{TESTS}/{id}"), &other.token).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &format!("{TESTS}/run"),
            Some(&other.token),
            json!({"test_ids": [id]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["test_ids"].is_string());
    let r = app
        .post(&format!("{TESTS}/run"), Some(&other.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing to run");

    let r = app.delete(&format!("{TESTS}/{id}"), &owner.token).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(count(&app, "agent_tests").await, "0");
    app.finish().await;
}

async fn a_run_plays_each_case_and_nothing_reaches_the_inbox(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Tests Co").await;
    add_faq(&app, &owner).await;
    let fees = create(&app, &owner, fees_case()).await;
    let office = create(
        &app,
        &owner,
        json!({"name": "Office", "turns": [{"text": "Hi"}, {"text": "Where is your office?"}],
               "expect": [{"kind": "reply_contains", "value": "Pune"}]}),
    )
    .await;

    let first = run(&app, &owner, json!({})).await;
    assert_eq!(first["status"], "done", "{first}");
    assert_eq!(
        (first["passed"].as_i64(), first["failed"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(first["cost_usd"], 0.0, "the rules engine costs nothing");
    assert_eq!(first["draft"], false);
    let results = first["results"].as_array().unwrap();
    assert_eq!(results[0]["test_id"], fees["id"]);
    assert_eq!(results[0]["passed"], true);
    let transcript = &results[0]["transcript"];
    assert_eq!(
        transcript[0],
        json!({"author": "lead", "text": "hello sir, what are the course fees?"})
    );
    assert_eq!(transcript[1]["author"], "bot");
    assert!(
        transcript[1]["text"].as_str().unwrap().contains("₹2999"),
        "{transcript}"
    );
    let failed = &results[1];
    assert_eq!(failed["name"], "Office");
    assert_eq!(
        failed["transcript"].as_array().unwrap().len(),
        4,
        "{failed}"
    );
    assert_eq!(failed["failures"][0]["kind"], "reply_contains");
    assert_eq!(failed["failures"][0]["value"], "Pune");
    assert!(
        failed["failures"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Andheri"),
        "the detail says what the agent said instead: {failed}"
    );
    assert_eq!(
        first["changes"],
        json!([]),
        "nothing to compare the first run with"
    );

    // Isolated: no conversation, message, decision or send came of it.
    assert_eq!(count(&app, "conversations").await, "0");
    assert_eq!(count(&app, "messages").await, "0");
    assert_eq!(count(&app, "decisions").await, "0");
    let other_jobs = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE kind <> 'agent_test_run'")
        .await;
    assert_eq!(other_jobs.as_deref(), Some("0"));

    // The owner fixes the case; the next run says what changed.
    let r = app
        .put(
            &format!("{TESTS}/{}", office["id"].as_str().unwrap()),
            &owner.token,
            json!({"name": "Office", "turns": [{"text": "Hi"}, {"text": "Where is your office?"}],
                   "expect": [{"kind": "reply_contains", "value": "Andheri"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let second = run(&app, &owner, json!({})).await;
    assert_eq!(second["passed"], 2, "{second}");
    assert_eq!(
        second["changes"],
        json!([{"test_id": office["id"], "name": "Office", "before": false, "after": true}])
    );
    // Only the cases asked for.
    let third = run(&app, &owner, json!({"test_ids": [fees["id"]]})).await;
    assert_eq!(third["results"].as_array().unwrap().len(), 1);
    let runs = app.get(&format!("{TESTS}/runs"), &owner.token).await;
    let ids: Vec<_> = runs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [
            third["id"].clone(),
            second["id"].clone(),
            first["id"].clone()
        ]
    );
    assert_eq!(runs.body["items"][1]["changes"], second["changes"]);
    let other = app.signup_org("Other Co").await;
    let r = app
        .get(
            &format!("{TESTS}/runs/{}", first["id"].as_str().unwrap()),
            &other.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("{TESTS}/runs"), &other.token).await.body["items"],
        json!([])
    );
    app.finish().await;
}

async fn a_draft_is_tested_with_the_configured_model(b: Backend) {
    let fake = FakeProvider::start(vec![]).await;
    good_model(&fake);
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Draft Co").await;
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
    create(&app, &owner, fees_case()).await;

    // A bad draft is refused before anything runs.
    let r = app
        .post(
            &format!("{TESTS}/run"),
            Some(&owner.token),
            json!({"profile": {"tone_profile": {"message_length_max_words": 500}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "invalid_document");

    let done = run(&app, &owner, json!({"profile": {"mode": "llm"}})).await;
    assert_eq!(done["draft"], true);
    assert_eq!(done["passed"], 1, "{done}");
    assert_eq!(
        done["results"][0]["transcript"][1]["text"],
        "It's ₹2999, and EMI is available. May I have your name?"
    );
    // Three calls of 100 in and 20 out at $2 / $8 per million tokens.
    let cost = done["cost_usd"].as_f64().unwrap();
    assert!((cost - 0.00108).abs() < 1e-9, "{cost}");
    // The saved profile is untouched: still the starter, on the rules engine.
    let p = app.get("/api/v1/agent/profile", &owner.token).await;
    assert_eq!(
        (p.body["version"].as_i64(), p.body["mode"].as_str()),
        (Some(0), Some("rules"))
    );
    app.finish().await;
}

async fn starter_cases_come_from_the_faq_and_the_ctas(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Starter Co").await;
    add_faq(&app, &owner).await;
    let r = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "book_call", "name": "Free counselling call",
                   "link": "https://cal.example.com/starter"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let starters = app.get(&format!("{TESTS}/starters"), &owner.token).await;
    let items = starters.body["items"].as_array().unwrap().clone();
    let named = |n: &str| items.iter().find(|s| s["name"] == n).cloned();
    assert_eq!(items.len(), 3, "{items:?}");
    let fees = named("FAQ: What are the course fees?").expect("one per FAQ entry");
    assert!(named("FAQ: Where is your office?").is_some());
    assert_eq!(
        fees["turns"],
        json!([{"text": "What are the course fees?"}])
    );
    assert_eq!(
        fees["expect"],
        json!([{"kind": "reply_contains", "value": "₹2999"}])
    );
    let call = named("Asks for: Free counselling call").expect("one per CTA");
    assert_eq!(
        call["expect"],
        json!([{"kind": "cta_offered", "value": "book_call"}])
    );
    assert_eq!(count(&app, "agent_tests").await, "0", "offered, not saved");
    // Added as they are, the business's own agent passes them.
    for s in &items {
        create(&app, &owner, s.clone()).await;
    }
    let done = run(&app, &owner, json!({})).await;
    assert_eq!(done["passed"], 3, "{done}");
    app.finish().await;
}
