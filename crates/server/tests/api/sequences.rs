//! Drip sequences end to end against the local Graph stand-in: steps go in order with their
//! waits and the pacing gap, a text step outside the window sends its fallback template (or is
//! skipped), a reply and an opt-out stop the enrolment, one active enrolment per lead, bulk
//! enrolment from the leads list, a manual stop, a step that survives a kill -9, validation by
//! field, other organisations' 404s and viewers' 403s.

use crate::graph::{FakeGraph, GOOD_TOKEN};
use crate::harness::{
    Backend, Closer, Session, TestApp, drop_database, eventually, fresh_database,
};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET, fixture, post_webhook};
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    steps_go_in_order_paced_and_fall_back_outside_the_window,
    a_reply_and_an_opt_out_stop_the_enrolment,
    a_takeover_stops_the_enrolment_live,
    one_active_enrolment_per_lead_bulk_and_manual_stop,
    validation_other_organisations_and_viewers,
    a_due_step_survives_kill_9_and_goes_once
);

async fn approved_template(app: &TestApp, s: &Session, name: &str) -> String {
    let t = app
        .post(
            "/api/v1/templates",
            Some(&s.token),
            json!({
                "name": name, "language": "en", "category": "UTILITY",
                "parameter_format": "NAMED",
                "body": {"text": "Hi {{first_name}}, we are still here for you.",
                    "examples": {"first_name": "Maria"}},
                "variables": {"first_name": {"source": "contact", "key": "first_name", "fallback": "there"}},
            }),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    let id = t.body["id"].as_str().unwrap().to_owned();
    app.sql(
        "UPDATE templates SET status = 'approved' WHERE id = ?",
        vec![uuid::Uuid::parse_str(&id).unwrap().into()],
    )
    .await;
    id
}

async fn create_sequence(app: &TestApp, s: &Session, body: Value) -> String {
    let r = app.post("/api/v1/sequences", Some(&s.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn create_lead(app: &TestApp, s: &Session, phone: &str) -> String {
    let r = app
        .post(
            "/api/v1/leads",
            Some(&s.token),
            json!({"phone": phone, "name": "Dee Drip"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn enroll(app: &TestApp, s: &Session, seq: &str, leads: &[&str]) -> Value {
    let r = app
        .post(
            &format!("/api/v1/sequences/{seq}/enroll"),
            Some(&s.token),
            json!({ "lead_ids": leads }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn enrollments(app: &TestApp, s: &Session, seq: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/sequences/{seq}/enrollments"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Waits until the lead's enrolment in `seq` satisfies `check`; on time out, says what the
/// enrolments and the lead's jobs were.
async fn enrollment_where(
    app: &TestApp,
    s: &Session,
    seq: &str,
    lead: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(40);
    loop {
        let all = enrollments(app, s, seq).await;
        if let Some(e) = all.iter().find(|e| e["lead_id"] == lead && check(e)) {
            return e.clone();
        }
        if std::time::Instant::now() > until {
            let jobs = app.get("/api/v1/jobs", &s.token).await.body;
            panic!("timed out waiting for {what}: {all:#?}\njobs: {jobs:#}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The fixture's lead writes `text` now (a greeting the agent answers without handing over:
/// a handover would stop the sequence, as it should). Returns the conversation.
async fn lead_says(app: &TestApp, s: &Session, text: &str) -> String {
    let mut body = fixture("inbound_text.json");
    let msg = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    msg["text"]["body"] = json!(text);
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    msg["id"] = json!(format!("wamid.seq{}", uuid::Uuid::now_v7().simple()));
    post_webhook(app, &body).await;
    let list = app.get("/api/v1/conversations", &s.token).await;
    list.body["items"][0]["id"].as_str().unwrap().to_owned()
}

async fn lead_of(app: &TestApp, s: &Session, conv: &str) -> String {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    r.body["contact"]["id"].as_str().unwrap().to_owned()
}

/// Waits for the realtime event of `seq`'s enrolment reaching `status` (other events skipped).
async fn enrollment_event(ws: &mut crate::harness::Ws, seq: &str, status: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        assert!(!left.is_zero(), "no {status} event for sequence {seq}");
        let e = ws
            .expect("sequence:enrollment_updated", left.as_secs().max(1))
            .await;
        if e["sequence_id"] == seq && e["status"] == status {
            return e;
        }
    }
}

fn sent_texts(graph: &FakeGraph) -> Vec<String> {
    graph
        .sends()
        .iter()
        .filter_map(|s| s["text"]["body"].as_str().map(str::to_owned))
        .collect()
}

async fn steps_go_in_order_paced_and_fall_back_outside_the_window(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let tid = approved_template(&app, &owner, "still_here").await;
    let seq = create_sequence(
        &app,
        &owner,
        json!({"name": "Welcome drip", "steps": [
            {"wait_seconds": 0, "text": "Step one: welcome!"},
            {"wait_seconds": 1, "text": "Step two: any questions?", "fallback_template_id": tid},
            {"wait_seconds": 1, "template_id": tid},
        ]}),
    )
    .await;
    let got = app
        .get(&format!("/api/v1/sequences/{seq}"), &owner.token)
        .await;
    assert_eq!(got.body["stop_on_reply"], true, "{:?}", got.body);
    assert_eq!(got.body["steps"][1]["fallback_template_id"], tid.as_str());

    // A lead who just wrote: the window is open, the texts go, then the template.
    let conv = lead_says(&app, &owner, "Hi, I saw your ad").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let out = enroll(&app, &owner, &seq, &[&lead]).await;
    assert_eq!(out["enrolled"], 1, "{out}");
    assert_eq!(out["skipped"], json!([]));
    let done = enrollment_where(&app, &owner, &seq, &lead, "all three steps", |e| {
        e["status"] == "completed"
    })
    .await;
    assert_eq!(
        (done["step"].as_i64(), &done["stop_reason"]),
        (Some(3), &Value::Null)
    );
    assert_eq!(done["conversation_id"], conv.as_str());
    let texts = sent_texts(&graph);
    let one = texts
        .iter()
        .position(|t| t == "Step one: welcome!")
        .expect("step one went");
    let two = texts
        .iter()
        .position(|t| t == "Step two: any questions?")
        .expect("step two went");
    assert!(one < two, "in order: {texts:?}");
    assert_eq!(
        texts.iter().filter(|t| t.starts_with("Step")).count(),
        2,
        "each once"
    );
    // The last step's message is queued as the enrolment completes; Meta gets it just after.
    eventually(20, "the template step at Meta", || async {
        graph
            .sends()
            .iter()
            .any(|s| s["type"] == "template")
            .then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let templates: Vec<Value> = graph
        .sends()
        .into_iter()
        .filter(|s| s["type"] == "template")
        .collect();
    assert_eq!(templates.len(), 1, "the template step went once");
    assert_eq!(templates[0]["template"]["name"], "still_here");
    // Paced: at least 6 s between two of the sequence's messages to the lead.
    let msgs = crate::conversations::messages(&app, &owner, &conv).await;
    let mut ours: Vec<chrono::DateTime<chrono::Utc>> = msgs
        .iter()
        .filter(|m| {
            m["type"] == "template" || m["text"].as_str().is_some_and(|t| t.starts_with("Step"))
        })
        .map(|m| m["created_at"].as_str().unwrap().parse().unwrap())
        .collect();
    ours.sort();
    assert_eq!(ours.len(), 3, "{msgs:?}");
    for pair in ours.windows(2) {
        assert!(
            (pair[1] - pair[0]).num_milliseconds() >= 5_900,
            "paced: {ours:?}"
        );
    }

    // A lead who never wrote: the window is closed, so the text step sends its fallback
    // template; without a fallback it is skipped and the sequence goes on.
    let quiet = create_lead(&app, &owner, "+15550001111").await;
    let seq2 = create_sequence(
        &app,
        &owner,
        json!({"name": "Cold drip", "steps": [
            {"wait_seconds": 0, "text": "Only inside the window"},
            {"wait_seconds": 0, "text": "Hello again", "fallback_template_id": tid},
        ]}),
    )
    .await;
    enroll(&app, &owner, &seq2, &[&quiet]).await;
    let done = enrollment_where(&app, &owner, &seq2, &quiet, "the cold drip", |e| {
        e["status"] == "completed"
    })
    .await;
    assert!(done["last_message_id"].is_string(), "{done}");
    // The message was queued with the step; its send job hands it to Meta just after.
    let to_quiet: Vec<Value> = eventually(20, "the fallback template at Meta", || async {
        let sends: Vec<Value> = graph
            .sends()
            .into_iter()
            .filter(|s| s["to"] == "+15550001111")
            .collect();
        (!sends.is_empty()).then_some(sends)
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(to_quiet.len(), 1, "{to_quiet:?}");
    assert_eq!(to_quiet[0]["type"], "template");
    assert!(
        !sent_texts(&graph)
            .iter()
            .any(|t| t == "Only inside the window")
    );
    app.finish().await;
}

async fn a_reply_and_an_opt_out_stop_the_enrolment(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let conv = lead_says(&app, &owner, "Hi, I saw your ad").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let seq = create_sequence(
        &app,
        &owner,
        json!({"name": "Reply stops", "steps": [
            {"wait_seconds": 0, "text": "First nudge"},
            {"wait_seconds": 3600, "text": "Never sent"},
        ]}),
    )
    .await;
    let mut ws = app.ws(&owner.token).await;
    enroll(&app, &owner, &seq, &[&lead]).await;
    let e = enrollment_where(&app, &owner, &seq, &lead, "the first step", |e| {
        e["step"] == 1
    })
    .await;
    assert_eq!(e["status"], "active");
    let event = ws.expect("sequence:enrollment_updated", 20).await;
    assert_eq!(event["sequence_id"], seq.as_str());
    // The lead replies: the enrolment stops in the same transaction as their message.
    lead_says(&app, &owner, "ok, noted").await;
    let e = enrollment_where(&app, &owner, &seq, &lead, "stopped by the reply", |e| {
        e["status"] != "active"
    })
    .await;
    assert_eq!(
        (&e["status"], &e["stop_reason"]),
        (&json!("stopped"), &json!("replied"))
    );

    // Without stop_on_reply the reply does not stop it; the opt-out does, before the next
    // step goes.
    let seq2 = create_sequence(
        &app,
        &owner,
        json!({"name": "Opt-out stops", "stop_on_reply": false, "steps": [
            {"wait_seconds": 0, "text": "Hello from drip two"},
            {"wait_seconds": 3600, "text": "Must not reach an opted-out lead"},
        ]}),
    )
    .await;
    enroll(&app, &owner, &seq2, &[&lead]).await;
    enrollment_where(&app, &owner, &seq2, &lead, "drip two's first step", |e| {
        e["step"] == 1
    })
    .await;
    lead_says(&app, &owner, "ok thanks").await;
    let r = app
        .post(
            &format!("/api/v1/leads/{lead}/opt-out"),
            Some(&owner.token),
            json!({"reason": "asked by phone"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let e = enrollment_where(&app, &owner, &seq2, &lead, "stopped by the opt-out", |e| {
        e["status"] != "active"
    })
    .await;
    assert_eq!(e["stop_reason"], "opted_out", "{e}");
    // The sequence's page hears of it at once (its next step was an hour away).
    let event = enrollment_event(&mut ws, &seq2, "stopped").await;
    assert_eq!(event["lead_id"], lead.as_str());
    assert!(!sent_texts(&graph).iter().any(|t| t.starts_with("Must not")));
    assert!(!sent_texts(&graph).iter().any(|t| t == "Never sent"));
    // An opted-out lead is not enrolled again.
    let out = enroll(&app, &owner, &seq, &[&lead]).await;
    assert_eq!(out["enrolled"], 0);
    assert_eq!(out["skipped"][0]["reason"], "opted_out");
    app.finish().await;
}

async fn one_active_enrolment_per_lead_bulk_and_manual_stop(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Drips").await;
    let long =
        |name: &str| json!({"name": name, "steps": [{"wait_seconds": 86400, "text": "Later"}]});
    let a = create_sequence(&app, &owner, long("A")).await;
    let bseq = create_sequence(&app, &owner, long("B")).await;
    let l1 = create_lead(&app, &owner, "+15550002001").await;
    let l2 = create_lead(&app, &owner, "+15550002002").await;

    enroll(&app, &owner, &a, &[&l1]).await;
    let out = enroll(&app, &owner, &bseq, &[&l1]).await;
    assert_eq!(out["enrolled"], 1);
    let old = &enrollments(&app, &owner, &a).await[0];
    assert_eq!(
        (&old["status"], &old["stop_reason"]),
        (&json!("stopped"), &json!("replaced"))
    );
    let out = enroll(&app, &owner, &bseq, &[&l1, &l1]).await;
    assert_eq!(out["enrolled"], 0);
    assert_eq!(
        out["skipped"],
        json!([{"lead_id": l1, "reason": "already_enrolled"}])
    );

    // Bulk from the leads list: both leads into A; l1 leaves B.
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"ids": [l1, l2], "action": "start_sequence", "sequence_id": a}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["matched"].as_u64(), r.body["affected"].as_u64()),
        (Some(2), Some(2))
    );
    let active: Vec<Value> = enrollments(&app, &owner, &a)
        .await
        .into_iter()
        .filter(|e| e["status"] == "active")
        .collect();
    assert_eq!(active.len(), 2);
    assert_eq!(active[0]["source"], "bulk");
    assert!(active[0]["next_step_at"].is_string());
    let b_rows = enrollments(&app, &owner, &bseq).await;
    assert_eq!(b_rows[0]["stop_reason"], "replaced");
    let listed = app.get("/api/v1/sequences", &owner.token).await;
    let seq_a = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == a.as_str())
        .unwrap()
        .clone();
    assert_eq!(seq_a["enrollments"]["active"], 2, "{seq_a}");
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"ids": [l1], "action": "start_sequence"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A stop condition that comes to hold stops the enrolment before its step, with its
    // outcome.
    let won = create_sequence(
        &app,
        &owner,
        json!({"name": "Until won", "steps": [{"wait_seconds": 2, "text": "Still deciding?"}],
            "stop_conditions": [{"field": "lead_status", "operator": "equal_to", "value": "won", "outcome": "success"}]}),
    )
    .await;
    let l3 = create_lead(&app, &owner, "+15550002003").await;
    enroll(&app, &owner, &won, &[&l3]).await;
    let r = app
        .put(
            &format!("/api/v1/leads/{l3}"),
            &owner.token,
            json!({"lead_status": "won"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let e = enrollment_where(&app, &owner, &won, &l3, "stopped as won", |e| {
        e["status"] != "active"
    })
    .await;
    assert_eq!(
        (&e["status"], &e["stop_reason"]),
        (&json!("stopped"), &json!("success"))
    );
    assert_eq!(e["step"], 0, "nothing went");

    // A person stops one; stopping it again is a conflict.
    let id = active[0]["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/sequences/enrollments/{id}/stop"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (&r.body["status"], &r.body["stop_reason"]),
        (&json!("stopped"), &json!("manual"))
    );
    let again = app
        .post(
            &format!("/api/v1/sequences/enrollments/{id}/stop"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "enrollment_not_active");

    // Turning the sequence off stops the rest; deleting it removes it.
    let mut def = app
        .get(&format!("/api/v1/sequences/{a}"), &owner.token)
        .await
        .body;
    def["enabled"] = json!(false);
    for k in ["id", "enrollments", "created_at", "updated_at"] {
        def.as_object_mut().unwrap().remove(k);
    }
    let r = app
        .put(&format!("/api/v1/sequences/{a}"), &owner.token, def)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["enrollments"]["active"], 0, "{:?}", r.body);
    let out = enroll(&app, &owner, &a, &[&l2]).await;
    assert_eq!(out["skipped"][0]["reason"], "sequence_disabled");
    let r = app
        .delete(&format!("/api/v1/sequences/{a}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get(&format!("/api/v1/sequences/{a}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn validation_other_organisations_and_viewers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine").await;
    let r = app
        .post(
            "/api/v1/sequences",
            Some(&owner.token),
            json!({"name": "", "steps": [
                {"wait_seconds": 0},
                {"wait_seconds": 0, "template_id": uuid::Uuid::now_v7()},
            ], "start_conditions": [{"field": "nope", "operator": "equal_to", "value": 1}],
            "stop_conditions": [{"field": "lead_status", "operator": "equal_to", "value": "won", "outcome": "success"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let fields = &r.body["error"]["details"]["fields"];
    for f in [
        "name",
        "steps[0].text",
        "steps[1].template_id",
        "start_conditions[0].field",
    ] {
        assert!(fields[f].is_string(), "{f}: {fields}");
    }
    assert!(
        fields.get("stop_conditions[0].operator").is_none(),
        "{fields}"
    );
    let seq = create_sequence(
        &app,
        &owner,
        json!({"name": "Mine", "start_conditions": [{"field": "city", "operator": "equal_to", "value": "Pune"}],
            "steps": [{"wait_seconds": 86400, "text": "hi"}]}),
    )
    .await;
    let lead = create_lead(&app, &owner, "+15550003001").await;
    let out = enroll(&app, &owner, &seq, &[&lead]).await;
    assert_eq!(out["skipped"][0]["reason"], "conditions_not_met", "{out}");

    // Another organisation: 404 on every route, its lead not found, its bulk refused.
    let other = app.signup_org("Theirs").await;
    let body = json!({"name": "x", "steps": [{"wait_seconds": 1, "text": "hi"}]});
    let t = &other.token;
    assert_eq!(
        app.get(&format!("/api/v1/sequences/{seq}"), t).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.put(&format!("/api/v1/sequences/{seq}"), t, body.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&format!("/api/v1/sequences/{seq}"), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/sequences/{seq}/enroll"),
            Some(t),
            json!({"lead_ids": [lead]})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/sequences/{seq}/enrollments"), t)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let theirs = create_sequence(&app, &other, body.clone()).await;
    let out = enroll(&app, &other, &theirs, &[&lead]).await;
    assert_eq!(out["skipped"][0]["reason"], "not_found");
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&owner.token),
            json!({"ids": [lead], "action": "start_sequence", "sequence_id": theirs}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        app.get("/api/v1/sequences", t).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != seq.as_str())
    );

    // An enrolment of ours: theirs to stop? Not found.
    let open = create_sequence(
        &app,
        &owner,
        json!({"name": "Open", "steps": [{"wait_seconds": 86400, "text": "hi"}]}),
    )
    .await;
    enroll(&app, &owner, &open, &[&lead]).await;
    let e = enrollments(&app, &owner, &open).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stop = format!("/api/v1/sequences/enrollments/{e}/stop");
    assert_eq!(
        app.post(&stop, Some(t), json!({})).await.status,
        StatusCode::NOT_FOUND
    );

    // A viewer reads but writes nothing.
    let viewer = app.add_member(&owner, "viewer").await;
    let v = &viewer.token;
    assert_eq!(app.get("/api/v1/sequences", v).await.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/sequences/{open}/enrollments"), v)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post("/api/v1/sequences", Some(v), body.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.put(&format!("/api/v1/sequences/{open}"), v, body.clone())
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&format!("/api/v1/sequences/{open}"), v)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/sequences/{open}/enroll"),
            Some(v),
            json!({"lead_ids": [lead]})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&stop, Some(v), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let agent = app.add_member(&owner, "agent").await;
    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&agent.token),
            json!({"ids": [lead], "action": "start_sequence", "sequence_id": open}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    app.finish().await;
}

/// Posts Meta's webhook, signed, to a server started as a child process.
async fn child_webhook(http: &reqwest::Client, base: &str, body: &Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let r = http
        .post(format!("{base}/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            closer_whatsapp::signature::sign(SECRET.as_bytes(), &raw),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn a_due_step_survives_kill_9_and_goes_once(b: Backend) {
    let graph = FakeGraph::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(b, dir.path()).await;
    let http = reqwest::Client::new();
    let env = [("CLOSER_WHATSAPP_GRAPH_URL", graph.url.as_str())];
    let first = Closer::start(&url, dir.path(), &env).await;
    let owner = first.signup_owner(&http).await;
    let call = |method: reqwest::Method, base: &str, path: &str, body: Value| {
        http.request(method, format!("{base}/api/v1{path}"))
            .bearer_auth(&owner.token)
            .json(&body)
            .send()
    };
    let r = call(
        reqwest::Method::POST,
        &first.base,
        "/settings/whatsapp/connect",
        json!({"phone_number_id": NUMBER, "waba_id": "100000000000001", "access_token": GOOD_TOKEN,
            "app_secret": SECRET, "verify_token": "verify-me"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut inbound = fixture("inbound_text.json");
    let msg = &mut inbound["entry"][0]["changes"][0]["value"]["messages"][0];
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    msg["text"]["body"] = json!("Hi, I saw your ad");
    child_webhook(&http, &first.base, &inbound).await;
    let lead: Value = eventually(20, "the lead", || async {
        let r = call(reqwest::Method::GET, &first.base, "/leads", json!({}))
            .await
            .ok()?;
        let body: Value = r.json().await.ok()?;
        body["items"].as_array()?.first().cloned()
    })
    .await;
    let r = call(
        reqwest::Method::POST,
        &first.base,
        "/sequences",
        json!({"name": "Crash drip", "stop_on_reply": false,
            "steps": [{"wait_seconds": 4, "text": "After the crash"}]}),
    )
    .await
    .unwrap();
    let seq: Value = r.json().await.unwrap();
    let seq = seq["id"].as_str().unwrap().to_owned();
    let r = call(
        reqwest::Method::POST,
        &first.base,
        &format!("/sequences/{seq}/enroll"),
        json!({"lead_ids": [lead["id"]]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Killed before the step is due: its job is in the database, not in the process.
    first.kill_9();
    let second = Closer::start(&url, dir.path(), &env).await;
    let done: Value = eventually(40, "the step after the restart", || async {
        let r = call(
            reqwest::Method::GET,
            &second.base,
            &format!("/sequences/{seq}/enrollments"),
            json!({}),
        )
        .await
        .ok()?;
        let body: Value = r.json().await.ok()?;
        body["items"][0]
            .clone()
            .as_object()
            .cloned()
            .map(Value::Object)
            .filter(|e| e["status"] == "completed")
    })
    .await;
    assert!(done["last_message_id"].is_string(), "{done}");
    eventually(20, "the text to reach Meta", || async {
        sent_texts(&graph)
            .iter()
            .any(|t| t == "After the crash")
            .then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        sent_texts(&graph)
            .iter()
            .filter(|t| *t == "After the crash")
            .count(),
        1,
        "sent once"
    );
    drop(second);
    if let Some(db) = pg {
        drop_database(&db).await;
    }
}

/// `seq`'s enrolment of `lead` was announced stopped and reads stopped by the handoff.
async fn stopped_by_handoff(
    app: &TestApp,
    s: &Session,
    ws: &mut crate::harness::Ws,
    seq: &str,
    lead: &str,
) {
    enrollment_event(ws, seq, "stopped").await;
    let e = enrollment_where(app, s, seq, lead, "stopped", |e| e["status"] == "stopped").await;
    assert_eq!(e["stop_reason"], "handoff", "{e}");
}

/// A person taking the conversation over (the inbox's button, or simply replying) stops the
/// lead's drip sequence at once, and the sequence's page hears of it.
async fn a_takeover_stops_the_enrolment_live(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let conv = lead_says(&app, &owner, "Hi, I saw your ad").await;
    let lead = lead_of(&app, &owner, &conv).await;
    let steps = json!([
        {"wait_seconds": 3600, "text": "A nudge an hour later"},
        {"wait_seconds": 3600, "text": "Another"},
    ]);
    let by_button = create_sequence(
        &app,
        &owner,
        json!({"name": "Stopped by the button", "steps": steps}),
    )
    .await;
    let mut ws = app.ws(&owner.token).await;
    enroll(&app, &owner, &by_button, &[&lead]).await;
    let r = crate::modes::set_mode(&app, &owner, &conv, "human").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    stopped_by_handoff(&app, &owner, &mut ws, &by_button, &lead).await;

    // Handed back to the bot, enrolled again: a person's reply takes over and stops it too.
    let r = crate::modes::set_mode(&app, &owner, &conv, "bot").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let by_reply = create_sequence(
        &app,
        &owner,
        json!({"name": "Stopped by a reply", "steps": steps}),
    )
    .await;
    enroll(&app, &owner, &by_reply, &[&lead]).await;
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Hi, this is Priya from the institute"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    stopped_by_handoff(&app, &owner, &mut ws, &by_reply, &lead).await;
    app.finish().await;
}
