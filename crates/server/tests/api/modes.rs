//! Conversation modes and the inbox's order (issue 16 item 5): pausing, closing and reopening
//! from the inbox, a lead's message reopening a closed conversation for the agent, the agent
//! silent while paused or taken over, the inbox's filters and sorts, a failure Meta reports
//! asking for a person, and notes written whatever the window.

use crate::conversations::{decided, lead_writes, message_reaches, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET, fixture, post_webhook};
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    modes_are_set_from_the_inbox,
    the_agent_waits_while_paused_or_taken_over_and_answers_a_reopened_conversation,
    the_inbox_filters_and_sorts,
    a_failure_meta_reports_asks_for_a_person,
    a_note_is_written_whatever_the_window,
    a_takeover_while_the_agent_thinks_keeps_its_waiting_note_unsent,
    stop_in_a_taken_over_conversation_is_confirmed_and_nothing_follows
);

/// `PUT /conversations/{conv}/mode` as `s`.
pub(crate) async fn set_mode(
    app: &TestApp,
    s: &Session,
    conv: &str,
    mode: &str,
) -> crate::harness::Reply {
    app.put(
        &format!("/api/v1/conversations/{conv}/mode"),
        &s.token,
        json!({ "mode": mode }),
    )
    .await
}

async fn detail(app: &TestApp, s: &Session, conv: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn audit_actions(app: &TestApp, s: &Session) -> Vec<String> {
    let r = app.get("/api/v1/audit-logs", &s.token).await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn modes_are_set_from_the_inbox(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Modes Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let stranger = app.signup_org("Elsewhere").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 60001", "hello").await;
    decided(&app, &owner, &conv, 1).await;
    app.sql(
        "UPDATE conversations SET needs_human = TRUE, priority = 'high'",
        vec![],
    )
    .await;
    let mut ws = app.ws(&owner.token).await;

    // Taken over, then paused: nobody owns it, the request for a person is settled.
    let r = set_mode(&app, &agent, &conv, "human").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["assignee_id"], agent.user_id.as_str());
    assert_eq!(r.body["needs_human"], true);
    let heard = ws.expect("conversation:mode_changed", 10).await;
    assert_eq!(
        (heard["from"].clone(), heard["to"].clone()),
        (json!("bot"), json!("human"))
    );
    let r = set_mode(&app, &agent, &conv, "PAUSED").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["mode"], "paused");
    assert_eq!(r.body["assignee_id"], Value::Null);
    assert_eq!(r.body["needs_human"], false);
    assert_eq!(r.body["priority"], Value::Null);
    let heard = ws.expect("conversation:mode_changed", 10).await;
    assert_eq!(heard["conversation_id"], conv.as_str());
    assert_eq!(
        (heard["from"].clone(), heard["to"].clone()),
        (json!("human"), json!("paused"))
    );
    assert_eq!(
        ws.expect("conversation:updated", 10).await["conversation_id"],
        conv.as_str()
    );
    // The same mode again changes nothing.
    let r = set_mode(&app, &agent, &conv, "paused").await;
    assert_eq!(r.body["mode"], "paused");

    // Closed keeps whoever worked it; a closed conversation is not paused.
    set_mode(&app, &agent, &conv, "human").await;
    let r = set_mode(&app, &owner, &conv, "closed").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["mode"], "closed");
    assert_eq!(r.body["assignee_id"], agent.user_id.as_str());
    let r = set_mode(&app, &owner, &conv, "paused").await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "mode_change_refused")
    );
    assert_eq!(detail(&app, &owner, &conv).await["mode"], "closed");
    // Reopened by hand: the bot answers again.
    let r = set_mode(&app, &owner, &conv, "bot").await;
    assert_eq!(r.body["mode"], "bot", "{:?}", r.body);
    assert_eq!(r.body["assignee_id"], Value::Null);

    let audit = audit_actions(&app, &owner).await;
    for action in [
        "conversation.takeover",
        "conversation.pause",
        "conversation.close",
        "conversation.reopen",
    ] {
        assert!(audit.iter().any(|a| a == action), "{action}: {audit:?}");
    }
    let logged = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM activities WHERE kind = 'mode_changed'")
        .await;
    assert_eq!(logged.as_deref(), Some("3"), "pause, close, reopen");

    // Bad input changes nothing; viewers read only; other organisations see nothing.
    for bad in [json!({"mode": "asleep"}), json!({})] {
        let r = app
            .put(
                &format!("/api/v1/conversations/{conv}/mode"),
                &owner.token,
                bad,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(
            r.body["error"]["details"]["fields"]["mode"].is_string(),
            "{:?}",
            r.body
        );
    }
    let r = set_mode(&app, &viewer, &conv, "closed").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = set_mode(&app, &stranger, &conv, "closed").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = set_mode(
        &app,
        &owner,
        "00000000-0000-7000-8000-000000000000",
        "closed",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(detail(&app, &owner, &conv).await["mode"], "bot");
    app.finish().await;
}

/// The lead writes `text` through the webhook now.
async fn lead_says(app: &TestApp, text: &str) {
    let mut body = fixture("inbound_text.json");
    let msg = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    msg["text"]["body"] = json!(text);
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    msg["id"] = json!(format!("wamid.test{}", uuid::Uuid::now_v7().simple()));
    post_webhook(app, &body).await;
}

/// A lead who said hello on WhatsApp and was greeted: the app, its owner, Meta's stand-in and
/// the conversation.
async fn greeted(b: Backend) -> (TestApp, Session, crate::graph::FakeGraph, String) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    lead_says(&app, "hello").await;
    let conv = app.get("/api/v1/conversations", &owner.token).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(20, "the greeting sent to Meta", || async {
        (graph.sends().len() == 1).then_some(())
    })
    .await;
    decided(&app, &owner, &conv, 1).await;
    (app, owner, graph, conv)
}

async fn the_agent_waits_while_paused_or_taken_over_and_answers_a_reopened_conversation(
    b: Backend,
) {
    let (app, owner, graph, conv) = greeted(b).await;

    // Paused, then taken over: the agent reads the lead's messages and says nothing.
    for (n, mode) in [(2, "paused"), (3, "human")] {
        assert_eq!(
            set_mode(&app, &owner, &conv, mode).await.status,
            StatusCode::OK
        );
        lead_says(&app, "ok, thanks").await;
        decided(&app, &owner, &conv, n).await;
        assert_eq!(detail(&app, &owner, &conv).await["mode"], mode);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        graph.sends().len(),
        1,
        "the bot stayed silent: {:?}",
        graph.sends()
    );

    // Closed: the lead's next message reopens it in bot mode and the agent answers. The socket
    // opens before closing: on PostgreSQL events travel through NOTIFY, so the closing's own
    // event could otherwise reach a socket opened after it and be taken for the reopening.
    let mut ws = app.ws(&owner.token).await;
    assert_eq!(
        set_mode(&app, &owner, &conv, "closed").await.status,
        StatusCode::OK
    );
    let heard = ws.expect("conversation:mode_changed", 10).await;
    assert_eq!(
        (heard["from"].clone(), heard["to"].clone()),
        (json!("human"), json!("closed"))
    );
    lead_says(&app, "hello again").await;
    let heard = ws.expect("conversation:mode_changed", 10).await;
    assert_eq!(
        (heard["from"].clone(), heard["to"].clone()),
        (json!("closed"), json!("bot"))
    );
    eventually(20, "the agent's answer sent to Meta", || async {
        (graph.sends().len() == 2).then_some(())
    })
    .await;
    let after = detail(&app, &owner, &conv).await;
    assert_eq!(after["mode"], "bot", "{:?}", graph.sends());
    let bot = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .filter(|m| m["author"] == "bot")
        .count();
    assert_eq!(bot, 2, "the greeting and the answer after reopening");
    let reopened = app
        .sql_text(
            "SELECT CAST(payload AS TEXT) FROM activities WHERE kind = 'mode_changed' \
             AND actor = 'lead'",
        )
        .await
        .expect("the reopening in the activity log");
    assert!(reopened.contains("lead_message"), "{reopened}");
    app.finish().await;
}

async fn inbox(app: &TestApp, s: &Session, query: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/conversations?{query}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn ids(app: &TestApp, s: &Session, query: &str) -> Vec<String> {
    inbox(app, s, query)
        .await
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of `query`, one item at a time through the cursor.
async fn paged(app: &TestApp, s: &Session, query: &str) -> Vec<String> {
    let mut all = vec![];
    let mut cursor = String::new();
    loop {
        let r = app
            .get(
                &format!("/api/v1/conversations?{query}&limit=1&cursor={cursor}"),
                &s.token,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        all.extend(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        match r.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return all,
        }
    }
}

async fn the_inbox_filters_and_sorts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Order Co").await;
    let stranger = app.signup_org("Elsewhere").await;
    let mut convs = vec![];
    for n in 1..=4 {
        let (conv, _) = lead_writes(&app, &owner, &format!("+91 98000 7000{n}"), "hi").await;
        decided(&app, &owner, &conv, 1).await;
        convs.push(conv);
    }
    let [a, b_, c, d] = [&convs[0], &convs[1], &convs[2], &convs[3]];
    let now = chrono::Utc::now();
    let hours = |h: i64| sea_orm::Value::from(now - chrono::Duration::hours(h));
    let uuid = |id: &str| sea_orm::Value::from(uuid::Uuid::parse_str(id).unwrap());
    // (priority, mode, stage, lead writes last?, last message hours ago, updated hours ago,
    // unread)
    let setup = [
        (a, Some("critical"), "human", "cta_offered", false, 5, 4, 0),
        (b_, Some("low"), "bot", "discovery", true, 3, 3, 2),
        (c, Some("high"), "closed", "discovery", true, 2, 2, 0),
        (d, None, "paused", "new", true, 1, 1, 1),
    ];
    for (id, priority, mode, stage, lead_last, last_h, updated_h, unread) in setup {
        app.sql(
            "UPDATE conversations SET priority = ?, mode = ?, stage = ?, \
             last_message_direction = ?, last_message_at = ?, updated_at = ?, unread_count = ? \
             WHERE id = ?",
            vec![
                priority.map(str::to_owned).into(),
                mode.into(),
                stage.into(),
                (if lead_last { "in" } else { "out" }).into(),
                hours(last_h),
                hours(updated_h),
                unread.into(),
                uuid(id),
            ],
        )
        .await;
    }
    app.sql(
        "UPDATE contacts SET lead_status = 'hot', lead_source = 'click_to_chat_ad' \
         WHERE id = (SELECT contact_id FROM conversations WHERE id = ?)",
        vec![uuid(b_)],
    )
    .await;
    let owned = |v: [&String; 4]| v.iter().map(|s| (*s).clone()).collect::<Vec<_>>();

    // Newest activity first (the default), the most urgent first, the longest waiting first
    // (a closed conversation waits for nobody; then the rest, longest silent first).
    assert_eq!(ids(&app, &owner, "").await, owned([d, c, b_, a]));
    assert_eq!(ids(&app, &owner, "sort=recent").await, owned([d, c, b_, a]));
    assert_eq!(
        ids(&app, &owner, "sort=priority").await,
        owned([a, c, b_, d])
    );
    assert_eq!(
        ids(&app, &owner, "sort=WAITING").await,
        owned([b_, d, a, c])
    );
    for sort in ["recent", "priority", "waiting"] {
        assert_eq!(
            paged(&app, &owner, &format!("sort={sort}")).await,
            ids(&app, &owner, &format!("sort={sort}")).await,
            "{sort}: the pages follow the order"
        );
    }
    let listed = inbox(&app, &owner, "sort=waiting").await;
    assert!(listed[0]["waiting_since"].is_string());
    assert!(listed[3]["waiting_since"].is_null(), "closed: nobody waits");

    // Filters, alone and together.
    let one = |v: &String| vec![v.clone()];
    assert_eq!(ids(&app, &owner, "mode=closed").await, one(c));
    assert_eq!(ids(&app, &owner, "mode=PAUSED").await, one(d));
    assert_eq!(ids(&app, &owner, "stage=cta_offered").await, one(a));
    assert_eq!(ids(&app, &owner, "priority=critical").await, one(a));
    assert_eq!(ids(&app, &owner, "lead_status=hot").await, one(b_));
    assert_eq!(ids(&app, &owner, "status=hot").await, one(b_));
    assert_eq!(ids(&app, &owner, "source=click_to_chat_ad").await, one(b_));
    assert_eq!(
        ids(&app, &owner, "unread=true&sort=waiting").await,
        vec![b_.clone(), d.clone()]
    );
    assert_eq!(
        ids(&app, &owner, "stage=discovery&sort=priority").await,
        vec![c.clone(), b_.clone()]
    );
    assert!(
        ids(&app, &owner, "stage=discovery&priority=critical")
            .await
            .is_empty()
    );
    assert!(
        ids(&app, &stranger, "").await.is_empty(),
        "another organisation's inbox"
    );

    for (bad, field) in [
        ("sort=oldest", "sort"),
        ("mode=asleep", "mode"),
        ("stage=nowhere", "stage"),
        ("lead_status=lukewarm", "lead_status"),
        ("source=pigeon", "source"),
        ("priority=urgent", "priority"),
        ("unread=maybe", "unread"),
        ("sort=priority&cursor=nope", "cursor"),
    ] {
        let r = app
            .get(&format!("/api/v1/conversations?{bad}"), &owner.token)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:?}",
            r.body
        );
        assert!(
            r.body["error"]["details"]["fields"][field].is_string(),
            "{bad}: {:?}",
            r.body
        );
    }
    app.finish().await;
}

async fn a_failure_meta_reports_asks_for_a_person(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let conv = crate::sending::lead_writes(&app, &owner).await;
    set_mode(&app, &owner, &conv, "human").await;
    let id = crate::sending::reply(&app, &owner, &conv, "Shall I reserve it?").await;
    let sent = message_reaches(&app, &owner, &conv, &id, "sent").await;
    let wamid = sent["provider_message_id"].as_str().unwrap().to_owned();
    let mut ws = app.ws(&owner.token).await;
    let mut body = fixture("status_failed_131026.json");
    let s = &mut body["entry"][0]["changes"][0]["value"]["statuses"][0];
    s["id"] = json!(wamid);
    s["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    // Meta repeats webhooks: the second report opens nothing more.
    post_webhook(&app, &body).await;
    post_webhook(&app, &body).await;
    let failed = message_reaches(&app, &owner, &conv, &id, "failed").await;
    assert_eq!(failed["error"]["code"], 131026);
    let created = ws.expect("action:created", 10).await;
    assert_eq!(created["kind"], "send_failed");
    assert_eq!(created["conversation_id"], conv.as_str());
    let r = app
        .get("/api/v1/actions?kind=send_failed", &owner.token)
        .await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["details"]["message_id"], id.as_str());
    assert_eq!(items[0]["priority"], "high");
    assert!(
        items[0]["summary"]
            .as_str()
            .unwrap()
            .contains("could not be sent"),
        "{items:?}"
    );
    app.finish().await;
}

async fn a_note_is_written_whatever_the_window(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Late Notes").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 80001", "hi").await;
    decided(&app, &owner, &conv, 1).await;
    let past = chrono::Utc::now() - chrono::Duration::hours(30);
    app.sql(
        "UPDATE conversations SET window_open_until = ?",
        vec![past.into()],
    )
    .await;
    // A reply may not go now; a note is never sent, so the window does not matter.
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "hello?"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "window_closed")
    );
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/notes"),
            Some(&owner.token),
            json!({"text": "Call her on Monday, she is travelling"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["author"], "note");
    // Closed or paused, a note still goes in.
    set_mode(&app, &owner, &conv, "closed").await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/notes"),
            Some(&owner.token),
            json!({"text": "Closed: she bought elsewhere"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let notes = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .filter(|m| m["author"] == "note")
        .count();
    assert_eq!(notes, 2);
    assert_eq!(
        detail(&app, &owner, &conv).await["mode"],
        "closed",
        "a note reopens nothing"
    );
    app.finish().await;
}

/// The agent handed the conversation over and, while it was thinking about the lead's next
/// message, a member pressed Take over: the mode stays human and nobody has written yet, so
/// only the takeover it did not see tells that the waiting note must not go.
async fn a_takeover_while_the_agent_thinks_keeps_its_waiting_note_unsent(b: Backend) {
    use closer_domain::agent::{DecisionEngine, Trigger};
    use closer_domain::messaging::MessageType;
    use closer_domain::sales::ReasonCode;
    use closer_store::agent_runs::{AgentPatch, DecisionRecord};
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Race Co").await;
    let phone = "+91 98000 00031";
    let (conv, _) = lead_writes(&app, &owner, phone, "I want to talk to a real person").await;
    decided(&app, &owner, &conv, 1).await;
    assert_eq!(detail(&app, &owner, &conv).await["mode"], "human");
    let store = closer_store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let (org, conv_id) = (owner.org_id.parse().unwrap(), conv.parse().unwrap());
    let scope = store.org(org);
    // What the agent read before the takeover, and the note it decided on.
    let read = scope.agent_input(conv_id).await.unwrap();
    assert_eq!(read.taken_over_at, None);
    let note = || DecisionRecord {
        trigger: Trigger::LeadMessage,
        engine: DecisionEngine::Rules,
        should_send: true,
        message_type: MessageType::Text,
        reason_code: ReasonCode::NeedsHuman,
        cta_type: None,
        message_text: Some("Noted, the team has your question and will reply here.".into()),
        confidence: 1.0,
        retrieval_used: false,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0.0,
        prompt_tokens: 0,
        guardrails: json!({}),
        handoff_required: false,
        handoff_priority: None,
        handoff: None,
        error: None,
        latency_ms: 1,
        buttons: None,
        while_handed_over: true,
        seen_takeover_at: read.taken_over_at,
    };
    let patch = || AgentPatch {
        state: read.state.clone().unwrap_or_default(),
        ..AgentPatch::default()
    };
    // Nobody came: the note goes to the waiting lead.
    let went = scope
        .apply_decision(conv_id, &[], note(), patch())
        .await
        .unwrap();
    assert!(went.message.is_some() && !went.suppressed);
    // A member takes it over; the agent, still on what it read, decides the same note.
    assert_eq!(
        set_mode(&app, &owner, &conv, "human").await.status,
        StatusCode::OK
    );
    let held = scope
        .apply_decision(conv_id, &[], note(), patch())
        .await
        .unwrap();
    assert!(held.message.is_none() && held.suppressed, "{held:?}");
    let bot = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .filter(|m| m["author"] == "bot")
        .count();
    assert_eq!(
        bot, 2,
        "the holding message and the one note before the takeover"
    );
    app.finish().await;
}

/// Played against a fresh Pune institute: handed to the team, the lead wrote STOP, was opted
/// out, and heard nothing. The confirmation of a STOP is a compliance message, and after it
/// nobody may write to the lead (a person neither): it reaches the lead even in a conversation
/// a person has taken over, and nothing goes after it.
async fn stop_in_a_taken_over_conversation_is_confirmed_and_nothing_follows(b: Backend) {
    let (app, owner, graph, conv) = greeted(b).await;
    assert_eq!(
        set_mode(&app, &owner, &conv, "human").await.status,
        StatusCode::OK
    );

    lead_says(&app, "STOP").await;
    let sent = eventually(20, "the confirmation sent to Meta", || async {
        let sends = graph.sends();
        (sends.len() == 2).then(|| sends[1].clone())
    })
    .await;
    let text = sent["text"]["body"].as_str().unwrap_or_default();
    assert!(text.contains("START"), "{sent}");
    let d = decided(&app, &owner, &conv, 2).await;
    let stop = d
        .iter()
        .find(|d| d["reason_code"] == "exit_graceful")
        .expect("the STOP's decision");
    assert_eq!(stop["should_send"], true, "{stop}");
    let after = detail(&app, &owner, &conv).await;
    assert_eq!(after["mode"], "human", "still the person's conversation");
    let lead = app
        .get(
            &format!("/api/v1/leads/{}", after["contact"]["id"].as_str().unwrap()),
            &owner.token,
        )
        .await;
    assert_eq!(lead.body["opted_out"], true, "{:?}", lead.body);

    // Nothing after it.
    lead_says(&app, "hello??").await;
    decided(&app, &owner, &conv, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(graph.sends().len(), 2, "{:?}", graph.sends());
    app.finish().await;
}
