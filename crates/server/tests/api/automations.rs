//! Automations (issue 13 item 4): rules checked whole, each event firing its rules, conditions
//! reported with what the lead had, each action through the product's own doors (the send
//! policy, the egress guard), the loop guard, the per-conversation cap, delays that cancel
//! themselves, the dry run that writes nothing, and the organisation's walls.

use crate::conversations::{lead_writes, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use closer_llm::fake::{FakeProvider, Reply as ProviderReply};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    rules_are_checked_whole,
    a_message_fires_a_rule_and_each_action_runs,
    what_a_rule_causes_fires_no_rule,
    the_cap_and_delays_hold,
    sends_obey_opt_out_window_and_human_mode,
    each_event_fires,
    an_accepted_cta_fires_with_its_type,
    a_dry_run_writes_nothing,
    other_organisations_and_viewers_are_refused,
    round_robin_assign_takes_the_rotations_turn
);

async fn create(app: &TestApp, s: &Session, body: Value) -> Value {
    let r = app.post("/api/v1/automations", Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

fn rule(name: &str, event: &str, conditions: Value, actions: Value) -> Value {
    json!({"name": name, "event": event, "conditions": conditions, "actions": actions})
}

async fn runs(app: &TestApp, s: &Session, rule_id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/automations/{rule_id}/runs"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Waits until the rule has a run with `status` (newest first), and returns it; an executed
/// run once its actions are written (it is recorded before it acts).
async fn run_with(app: &TestApp, s: &Session, rule_id: &str, status: &str) -> Value {
    eventually(20, &format!("a {status} run of {rule_id}"), || async {
        runs(app, s, rule_id).await.into_iter().find(|r| {
            r["status"] == status
                && (status != "executed" || !r["actions"].as_array().unwrap().is_empty())
        })
    })
    .await
}

async fn lead_of(app: &TestApp, s: &Session, conv: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let lead_id = r.body["contact"]["id"].as_str().unwrap().to_owned();
    let r = app.get(&format!("/api/v1/leads/{lead_id}"), &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn rules_are_checked_whole(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Rules Co").await;
    let r = app
        .post(
            "/api/v1/automations",
            Some(&owner.token),
            json!({
                "name": "",
                "event": "no_reply_for",
                "event_params": {"seconds": 1},
                "conditions": [{"field": "message.text", "operator": "greater_than", "value": 3}],
                "actions": [
                    {"type": "send_text", "params": {}},
                    {"type": "set_stage", "params": {"stage": "not-an-id"}},
                    {"type": "fly"}
                ],
                "delay_seconds": -1,
                "cancel_on": "tomorrow"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_rule");
    let fields = r.body["error"]["details"]["fields"].as_object().unwrap();
    for path in [
        "name",
        "event_params.seconds",
        "conditions[0].operator",
        "actions[0].params.text",
        "actions[1].params.stage",
        "actions[2].type",
        "delay_seconds",
        "cancel_on",
    ] {
        assert!(fields.contains_key(path), "{path} in {fields:?}");
    }
    // What actions name must be the organisation's own.
    let nobody = "00000000-0000-7000-8000-000000000000";
    let r = app
        .post(
            "/api/v1/automations",
            Some(&owner.token),
            rule(
                "refs",
                "tag_added",
                json!([]),
                json!([
                    {"type": "send_template", "params": {"template_id": nobody}},
                    {"type": "set_stage", "params": {"stage": nobody}},
                    {"type": "assign", "params": {"user_id": nobody}},
                    {"type": "set_field", "params": {"key": "budget", "value": 3}},
                    {"type": "start_sequence", "params": {"sequence_id": nobody}}
                ]),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let fields = r.body["error"]["details"]["fields"].as_object().unwrap();
    let mut paths: Vec<&String> = fields.keys().collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "actions[0].params.template_id",
            "actions[1].params.stage",
            "actions[2].params.user_id",
            "actions[3].params.key",
            "actions[4].params.sequence_id"
        ]
    );
    // The seeds' spelling is read; the canonical one comes back, with the defaults.
    let made = create(
        &app,
        &owner,
        json!({
            "name": "Tag pricing questions",
            "event": "MESSAGE_RECEIVED",
            "conditions": [{"field": "message.text", "operator": "CONTAINS", "value": "price"}],
            "actions": [{"type": "ADD_TAG", "params": {"tag": "pricing"}}]
        }),
    )
    .await;
    assert_eq!(made["event"], "message_received");
    assert_eq!(made["enabled"], true);
    assert_eq!(made["delay_seconds"], 0);
    assert_eq!(made["cancel_on"], "moved_on");
    assert_eq!(made["conditions"][0]["operator"], "contains");
    assert_eq!(made["actions"][0]["type"], "add_tag");
    let rid = id(&made);
    let mut changed = rule(
        "Tag pricing questions",
        "message_received",
        json!([]),
        json!([{"type": "pause_bot"}]),
    );
    changed["enabled"] = json!(false);
    changed["delay_seconds"] = json!(90);
    changed["cancel_on"] = json!("never");
    let r = app
        .put(&format!("/api/v1/automations/{rid}"), &owner.token, changed)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (
            r.body["enabled"].clone(),
            r.body["delay_seconds"].clone(),
            r.body["cancel_on"].clone()
        ),
        (json!(false), json!(90), json!("never"))
    );
    let list = app.get("/api/v1/automations", &owner.token).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    // The cap: 20 by default, 1..1000.
    let s = app.get("/api/v1/automations/settings", &owner.token).await;
    assert_eq!(s.body["max_runs_per_conversation_per_hour"], 20);
    let bad = app
        .put(
            "/api/v1/automations/settings",
            &owner.token,
            json!({"max_runs_per_conversation_per_hour": 0}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .put(
            "/api/v1/automations/settings",
            &owner.token,
            json!({"max_runs_per_conversation_per_hour": 5}),
        )
        .await;
    assert_eq!(ok.body["max_runs_per_conversation_per_hour"], 5);
    // Audited.
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "automation.created",
        "automation.updated",
        "automation.settings_updated",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let r = app
        .delete(&format!("/api/v1/automations/{rid}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get(&format!("/api/v1/automations/{rid}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn a_message_fires_a_rule_and_each_action_runs(b: Backend) {
    let hook = FakeProvider::start(vec![ProviderReply::openai("OK")]).await;
    let port = hook.url("").rsplit(':').next().unwrap().to_owned();
    let app = TestApp::spawn_with_egress(b, &[format!("127.0.0.1:{port}").as_str()]).await;
    let owner = app.signup_org("Actions Co").await;
    let r = app
        .post(
            "/api/v1/custom-fields",
            Some(&owner.token),
            json!({"key": "budget", "label": "Budget", "type": "number"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let stages = app.get("/api/v1/pipeline/stages", &owner.token).await;
    let interested = stages.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Interested")
        .map(id)
        .unwrap();
    // A drip sequence the rule enrols the lead in (one step, a day later).
    let seq = app
        .post(
            "/api/v1/sequences",
            Some(&owner.token),
            json!({"name": "Price follow-up", "steps": [
                {"wait_seconds": 86400, "text": "Did the price list help?"}]}),
        )
        .await;
    assert_eq!(seq.status, StatusCode::CREATED, "{:?}", seq.body);
    let sequence_id = id(&seq.body);
    let made = create(
        &app,
        &owner,
        rule(
            "Pricing questions",
            "message_received",
            json!([
                {"field": "message.text", "operator": "contains", "value": "PRICE"},
                {"field": "opted_out", "operator": "equal_to", "value": false}
            ]),
            json!([
                {"type": "send_text", "params": {"text": "Our price list is on its way."}},
                {"type": "add_tag", "params": {"tag": "pricing"}},
                {"type": "set_field", "params": {"key": "budget", "value": "5000"}},
                {"type": "set_stage", "params": {"stage": interested}},
                {"type": "assign", "params": {"user_id": "round_robin"}},
                {"type": "add_note", "params": {"text": "Asked for prices"}},
                {"type": "start_sequence", "params": {"sequence_id": sequence_id}},
                {"type": "webhook", "params": {"url": hook.url("/hook")}},
                {"type": "pause_bot"}
            ]),
        ),
    )
    .await;
    let rid = id(&made);
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 20001", "hello there").await;
    let miss = run_with(&app, &owner, &rid, "no_match").await;
    assert_eq!(miss["conditions"][0]["actual"], "hello there");
    assert_eq!(miss["conditions"][0]["matched"], false);
    assert_eq!(miss["conditions"][1]["actual"], false);
    assert_eq!(miss["conditions"][1]["matched"], true);
    assert!(miss["actions"].as_array().unwrap().is_empty());
    lead_writes(&app, &owner, "+91 98000 20001", "What's the price?").await;
    let run = run_with(&app, &owner, &rid, "executed").await;
    assert_eq!(run["event"], "message_received");
    assert_eq!(run["conversation_id"], conv.as_str());
    assert_eq!(run["conditions"][0]["actual"], "What's the price?");
    assert_eq!(run["conditions"][0]["matched"], true);
    let outcomes: Vec<(String, String)> = run["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["type"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let done = |t: &str| (t.to_owned(), "done".to_owned());
    assert_eq!(
        outcomes,
        vec![
            done("send_text"),
            done("add_tag"),
            done("set_field"),
            done("set_stage"),
            done("assign"),
            done("add_note"),
            done("start_sequence"),
            done("webhook"),
            done("pause_bot"),
        ],
        "{run}"
    );
    let enrolled = app
        .get(
            &format!("/api/v1/sequences/{sequence_id}/enrollments"),
            &owner.token,
        )
        .await;
    let enrolled = enrolled.body["items"].as_array().unwrap().clone();
    assert_eq!(enrolled.len(), 1, "{enrolled:?}");
    assert_eq!(enrolled[0]["status"], "active");
    let lead = lead_of(&app, &owner, &conv).await;
    assert_eq!(lead["tags"], json!(["pricing"]));
    assert_eq!(lead["custom_fields"]["budget"], 5000);
    assert_eq!(lead["stage"]["name"], "Interested");
    assert!(
        lead["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["body"] == "Asked for prices"),
        "{lead}"
    );
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(c.body["mode"], "paused");
    assert_eq!(
        c.body["assignee_id"],
        owner.user_id.as_str(),
        "{:?}",
        c.body
    );
    let sent = messages(&app, &owner, &conv).await;
    assert!(
        sent.iter()
            .any(|m| m["text"] == "Our price list is on its way." && m["direction"] == "out"),
        "{sent:?}"
    );
    let calls = hook.requests();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/hook");
    assert_eq!(calls[0].body["rule"]["id"], rid.as_str());
    assert_eq!(calls[0].body["conversation_id"], conv.as_str());
    // The log across rules, filtered by conversation and status.
    let all = app
        .get(
            &format!("/api/v1/automations/runs?conversation_id={conv}&status=executed"),
            &owner.token,
        )
        .await;
    assert_eq!(
        all.body["items"].as_array().unwrap().len(),
        1,
        "{:?}",
        all.body
    );
    app.finish().await;
}

async fn what_a_rule_causes_fires_no_rule(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Loops Co").await;
    let tagger = create(
        &app,
        &owner,
        rule(
            "Tag everyone",
            "message_received",
            json!([]),
            json!([{"type": "add_tag", "params": {"tag": "seen"}}]),
        ),
    )
    .await;
    let on_tag = create(
        &app,
        &owner,
        rule(
            "On tag",
            "tag_added",
            json!([{"field": "tag", "operator": "equal_to", "value": "seen"}]),
            json!([{"type": "add_tag", "params": {"tag": "seen-again"}}]),
        ),
    )
    .await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 30001", "hi").await;
    run_with(&app, &owner, &id(&tagger), "executed").await;
    let guarded = run_with(&app, &owner, &id(&on_tag), "skipped").await;
    assert_eq!(guarded["reason"], "caused_by_rule");
    assert!(guarded["actions"].as_array().unwrap().is_empty());
    let lead = lead_of(&app, &owner, &conv).await;
    assert_eq!(lead["tags"], json!(["seen"]));
    // The same event caused by a person does fire it.
    let lead_id = id(&lead);
    let r = app
        .put(
            &format!("/api/v1/leads/{lead_id}"),
            &owner.token,
            json!({"tags": ["seen", "vip"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .put(
            &format!("/api/v1/leads/{lead_id}"),
            &owner.token,
            json!({"tags": ["vip"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .put(
            &format!("/api/v1/leads/{lead_id}"),
            &owner.token,
            json!({"tags": ["vip", "seen"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    run_with(&app, &owner, &id(&on_tag), "executed").await;
    let lead = lead_of(&app, &owner, &conv).await;
    assert!(
        lead["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("seen-again")),
        "{lead}"
    );
    app.finish().await;
}

async fn the_cap_and_delays_hold(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Caps Co").await;
    let r = app
        .put(
            "/api/v1/automations/settings",
            &owner.token,
            json!({"max_runs_per_conversation_per_hour": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let capped = create(
        &app,
        &owner,
        rule(
            "Note every message",
            "message_received",
            json!([{"field": "message.text", "operator": "starts_with", "value": "cap"}]),
            json!([{"type": "add_note", "params": {"text": "wrote"}}]),
        ),
    )
    .await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 40001", "cap one").await;
    run_with(&app, &owner, &id(&capped), "executed").await;
    lead_writes(&app, &owner, "+91 98000 40001", "cap two").await;
    let skipped = run_with(&app, &owner, &id(&capped), "skipped").await;
    assert_eq!(skipped["reason"], "rate_capped");
    let notes = lead_of(&app, &owner, &conv).await["notes"].clone();
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
    let r = app
        .put(
            "/api/v1/automations/settings",
            &owner.token,
            json!({"max_runs_per_conversation_per_hour": 20}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Delayed: one cancels itself when the lead writes again, the other runs regardless.
    let mut moved = rule(
        "Later unless moved on",
        "message_received",
        json!([{"field": "message.text", "operator": "equal_to", "value": "later"}]),
        json!([{"type": "add_tag", "params": {"tag": "later-moved"}}]),
    );
    moved["delay_seconds"] = json!(3);
    let moved = create(&app, &owner, moved).await;
    let mut never = rule(
        "Later regardless",
        "message_received",
        json!([{"field": "message.text", "operator": "equal_to", "value": "later"}]),
        json!([{"type": "add_tag", "params": {"tag": "later-anyway"}}]),
    );
    never["delay_seconds"] = json!(3);
    never["cancel_on"] = json!("never");
    let never = create(&app, &owner, never).await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 40002", "later").await;
    let scheduled = run_with(&app, &owner, &id(&moved), "scheduled").await;
    assert!(scheduled["due_at"].is_string(), "{scheduled}");
    lead_writes(&app, &owner, "+91 98000 40002", "actually, one more thing").await;
    let cancelled = run_with(&app, &owner, &id(&moved), "cancelled").await;
    assert_eq!(cancelled["reason"], "moved_on");
    assert_eq!(cancelled["id"], scheduled["id"]);
    run_with(&app, &owner, &id(&never), "executed").await;
    let lead = lead_of(&app, &owner, &conv).await;
    assert_eq!(lead["tags"], json!(["later-anyway"]));
    // Each ran once (the second message matched neither).
    for rule in [&moved, &never] {
        let all = runs(&app, &owner, &id(rule)).await;
        let fired: Vec<&Value> = all.iter().filter(|r| r["status"] != "no_match").collect();
        assert_eq!(fired.len(), 1, "{all:?}");
    }
    app.finish().await;
}

async fn sends_obey_opt_out_window_and_human_mode(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Policy Co").await;
    let made = create(
        &app,
        &owner,
        rule(
            "Welcome VIPs",
            "tag_added",
            json!([{"field": "tag", "operator": "equal_to", "value": "vip"}]),
            json!([{"type": "send_text", "params": {"text": "Welcome, VIP!"}}]),
        ),
    )
    .await;
    let rid = id(&made);
    let tag = |lead_id: String| {
        let app = &app;
        let token = owner.token.clone();
        async move {
            let r = app
                .put(
                    &format!("/api/v1/leads/{lead_id}"),
                    &token,
                    json!({"tags": ["vip"]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        }
    };
    let outcome = |conv: String| {
        let app = &app;
        let owner = &owner;
        let rid = rid.clone();
        async move {
            eventually(20, "the run for the conversation", || async {
                // Recorded before it acts: its actions come once they ran.
                runs(app, owner, &rid).await.into_iter().find(|r| {
                    r["conversation_id"] == conv.as_str()
                        && !r["actions"].as_array().unwrap().is_empty()
                })
            })
            .await["actions"][0]
                .clone()
        }
    };
    // Opted out: nothing goes.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 50001", "hello").await;
    let lead_id = id(&lead_of(&app, &owner, &conv).await);
    let r = app
        .post(
            &format!("/api/v1/leads/{lead_id}/opt-out"),
            Some(&owner.token),
            json!({"reason": "asked"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    tag(lead_id).await;
    let a = outcome(conv.clone()).await;
    assert_eq!(
        (a["status"].clone(), a["detail"].clone()),
        (json!("skipped"), json!("opted_out"))
    );
    // A person owns the conversation.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 50002", "hello").await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/takeover"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    tag(id(&lead_of(&app, &owner, &conv).await)).await;
    let a = outcome(conv.clone()).await;
    assert_eq!(a["detail"], "human_owns_conversation", "{a}");
    // The 24 h window closed.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 50003", "hello").await;
    app.sql(
        "UPDATE conversations SET window_open_until = ? WHERE id = ?",
        vec![
            (chrono::Utc::now() - chrono::Duration::hours(1)).into(),
            uuid::Uuid::parse_str(&conv).unwrap().into(),
        ],
    )
    .await;
    tag(id(&lead_of(&app, &owner, &conv).await)).await;
    let a = outcome(conv.clone()).await;
    assert_eq!(a["detail"], "window_closed", "{a}");
    // None of them got the text.
    for phone_conv in runs(&app, &owner, &rid).await {
        let conv = phone_conv["conversation_id"].as_str().unwrap();
        let sent = messages(&app, &owner, conv).await;
        assert!(
            !sent.iter().any(|m| m["text"] == "Welcome, VIP!"),
            "{sent:?}"
        );
    }
    app.finish().await;
}

async fn each_event_fires(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Events Co").await;
    let note = |t: &str| json!([{"type": "add_note", "params": {"text": t}}]);
    let mut made = std::collections::BTreeMap::new();
    for event in [
        "conversation_created",
        "lead_created",
        "lead_updated",
        "stage_changed",
        "handoff",
    ] {
        let r = create(&app, &owner, rule(event, event, json!([]), note(event))).await;
        made.insert(event, id(&r));
    }
    let mut quiet = rule("quiet", "no_reply_for", json!([]), note("quiet"));
    quiet["event_params"] = json!({"seconds": 5});
    let quiet = id(&create(&app, &owner, quiet).await);
    let (conv, _) = lead_writes(
        &app,
        &owner,
        "+91 98000 60001",
        "I want to talk to a real person",
    )
    .await;
    for event in ["conversation_created", "lead_created", "handoff"] {
        let run = run_with(&app, &owner, &made[event], "executed").await;
        assert_eq!(run["event"], event);
        assert_eq!(run["conversation_id"], conv.as_str());
    }
    let lead_id = id(&lead_of(&app, &owner, &conv).await);
    let r = app
        .put(
            &format!("/api/v1/leads/{lead_id}"),
            &owner.token,
            json!({"city": "Pune"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    run_with(&app, &owner, &made["lead_updated"], "executed").await;
    let stages = app.get("/api/v1/pipeline/stages", &owner.token).await;
    let won = stages.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "won")
        .map(id)
        .unwrap();
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead_id}/move"),
            &owner.token,
            json!({"stage_id": won}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let moved = run_with(&app, &owner, &made["stage_changed"], "executed").await;
    let to = moved["conditions"].as_array().unwrap().len();
    assert_eq!(to, 0);
    // The agent answered the lead; the lead stays silent for 5 s.
    let run = eventually(30, "the no-reply run", || async {
        runs(&app, &owner, &quiet)
            .await
            .into_iter()
            .find(|r| r["status"] == "executed")
    })
    .await;
    assert_eq!(run["event"], "no_reply_for");
    app.finish().await;
}

async fn a_dry_run_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Dry Co").await;
    let made = create(
        &app,
        &owner,
        rule(
            "Disabled pricing",
            "message_received",
            json!([
                {"field": "message.text", "operator": "contains", "value": "price"},
                {"field": "tags", "operator": "in", "value": ["vip"], "glue": "or"}
            ]),
            json!([
                {"type": "send_text", "params": {"text": "Prices!"}},
                {"type": "add_tag", "params": {"tag": "pricing"}},
                {"type": "pause_bot"}
            ]),
        ),
    )
    .await;
    let rid = id(&made);
    let mut off = made.clone();
    off["enabled"] = json!(false);
    let r = app
        .put(&format!("/api/v1/automations/{rid}"), &owner.token, off)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 70001", "hello").await;
    let before = messages(&app, &owner, &conv).await.len();
    let r = app
        .post(
            &format!("/api/v1/automations/{rid}/dry-run"),
            Some(&owner.token),
            json!({"conversation_id": conv, "message_text": "What's your PRICE?"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["would_run"], true);
    assert_eq!(r.body["conditions"][0]["actual"], "What's your PRICE?");
    assert_eq!(r.body["conditions"][0]["matched"], true);
    assert_eq!(r.body["conditions"][1]["actual"], json!([]));
    assert_eq!(r.body["conditions"][1]["matched"], false);
    let actions = r.body["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 3);
    assert_eq!(actions[0]["status"], "done");
    assert_eq!(actions[0]["detail"], "would send the text");
    assert_eq!(actions[1]["detail"], "would tag pricing");
    let r = app
        .post(
            &format!("/api/v1/automations/{rid}/dry-run"),
            Some(&owner.token),
            json!({"conversation_id": conv, "message_text": "hello"}),
        )
        .await;
    assert_eq!(r.body["would_run"], false);
    // Nothing was written or sent.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(runs(&app, &owner, &rid).await.is_empty());
    let lead = lead_of(&app, &owner, &conv).await;
    assert_eq!(lead["tags"], json!([]));
    assert!(
        messages(&app, &owner, &conv).await.len() <= before + 1,
        "only the agent's own answer may have arrived"
    );
    assert!(
        !messages(&app, &owner, &conv)
            .await
            .iter()
            .any(|m| m["text"] == "Prices!")
    );
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(c.body["mode"], "bot");
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Walls Co").await;
    let other = app.signup_org("Other Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let made = create(
        &app,
        &owner,
        rule(
            "Walls",
            "message_received",
            json!([]),
            json!([{"type": "pause_bot"}]),
        ),
    )
    .await;
    let rid = id(&made);
    let body = rule(
        "x",
        "message_received",
        json!([]),
        json!([{"type": "pause_bot"}]),
    );
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 80001", "hi").await;
    let (other_conv, _) = lead_writes(&app, &other, "+91 98000 80002", "hi").await;
    // Another organisation's rule does not exist for them.
    for path in [
        format!("/api/v1/automations/{rid}"),
        format!("/api/v1/automations/{rid}/runs"),
    ] {
        let r = app.get(&path, &other.token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = app
        .put(
            &format!("/api/v1/automations/{rid}"),
            &other.token,
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .delete(&format!("/api/v1/automations/{rid}"), &other.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .post(
            &format!("/api/v1/automations/{rid}/dry-run"),
            Some(&other.token),
            json!({"conversation_id": other_conv}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = app.get("/api/v1/automations", &other.token).await;
    assert!(list.body["items"].as_array().unwrap().is_empty());
    let all = app.get("/api/v1/automations/runs", &other.token).await;
    assert!(
        all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["rule_id"] != rid.as_str())
    );
    // Their conversation is not ours to try a rule on.
    let r = app
        .post(
            &format!("/api/v1/automations/{rid}/dry-run"),
            Some(&owner.token),
            json!({"conversation_id": other_conv}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    // A viewer reads but does not write.
    assert_eq!(
        app.get("/api/v1/automations", &viewer.token).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/automations/{rid}/runs"), &viewer.token)
            .await
            .status,
        StatusCode::OK
    );
    let forbidden = [
        app.post("/api/v1/automations", Some(&viewer.token), body.clone())
            .await,
        app.put(
            &format!("/api/v1/automations/{rid}"),
            &viewer.token,
            body.clone(),
        )
        .await,
        app.delete(&format!("/api/v1/automations/{rid}"), &viewer.token)
            .await,
        app.put(
            "/api/v1/automations/settings",
            &viewer.token,
            json!({"max_runs_per_conversation_per_hour": 3}),
        )
        .await,
        app.post(
            &format!("/api/v1/automations/{rid}/dry-run"),
            Some(&viewer.token),
            json!({"conversation_id": conv}),
        )
        .await,
    ];
    for r in forbidden {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    app.finish().await;
}

async fn an_accepted_cta_fires_with_its_type(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Cta Co").await;
    let made = create(
        &app,
        &owner,
        rule(
            "Booked",
            "cta_accepted",
            json!([{"field": "cta.type", "operator": "equal_to", "value": "BOOK_CALL"}]),
            json!([{"type": "add_tag", "params": {"tag": "booked"}}]),
        ),
    )
    .await;
    let phone = "+91 98000 90001";
    let (conv, _) = crate::conversations::offered_a_call(&app, &owner, phone).await;
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": phone, "text": "Yes, let's do it", "reply_id": "cta:book_call:yes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let run = run_with(&app, &owner, &id(&made), "executed").await;
    assert_eq!(run["conditions"][0]["actual"], "book_call");
    assert_eq!(run["conversation_id"], conv.as_str());
    let lead = lead_of(&app, &owner, &conv).await;
    assert!(
        lead["tags"].as_array().unwrap().contains(&json!("booked")),
        "{lead}"
    );
    app.finish().await;
}

/// With the organisation's rotation on, a rule's `assign: round_robin` takes the same turn a
/// hand-over would (recorded, so the next hand-over goes to the next member); away members
/// are passed over.
async fn round_robin_assign_takes_the_rotations_turn(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Rota Co").await;
    let first = app.add_member(&owner, "agent").await;
    let second = app.add_member(&owner, "agent").await;
    let r = app
        .put(
            "/api/v1/settings/assignment",
            &owner.token,
            json!({"round_robin": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Only `second` is available: the owner and `first` are away.
    for s in [&owner, &first] {
        let r = app
            .patch(
                &format!("/api/v1/users/{}", s.user_id),
                &owner.token,
                json!({"available": false}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let made = create(
        &app,
        &owner,
        rule(
            "Share the new ones",
            "conversation_created",
            json!([]),
            json!([{"type": "assign", "params": {"user_id": "round_robin"}}]),
        ),
    )
    .await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 90001", "hello").await;
    let run = run_with(&app, &owner, &id(&made), "executed").await;
    assert_eq!(run["actions"][0]["status"], "done", "{run}");
    assert!(
        run["actions"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("round-robin turn"),
        "{run}"
    );
    let c = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        c.body["assignee_id"],
        second.user_id.as_str(),
        "{:?}",
        c.body
    );
    // The turn was recorded: the rotation moves on from `second`.
    let recorded = app
        .sql_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM assignment_rotations \
             WHERE last_user_id IS NOT NULL",
        )
        .await;
    assert_eq!(recorded.as_deref(), Some("1"));
    app.finish().await;
}
