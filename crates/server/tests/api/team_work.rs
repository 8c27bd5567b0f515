//! The team's working day (issue 16): the action center's queue and its life (claim, snooze,
//! resolve), a booking from the agent, a failed send that needs a person, assignment, private
//! notes that never leave the team, and canned replies.

use crate::conversations::{decided, lead_writes, message_reaches, messages};
use crate::graph::graph_error;
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET};
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    the_queue_puts_the_most_urgent_first,
    an_action_is_claimed_snoozed_and_resolved,
    a_booked_call_is_one_booking_action,
    a_call_moved_after_the_handover_moves_the_items_brief,
    a_call_moved_after_a_member_took_over_gets_no_note_from_the_bot,
    a_failed_send_asks_for_a_person_and_a_note_is_never_sent,
    conversations_are_assigned_to_members,
    a_note_is_not_the_leads_word,
    canned_replies_have_unique_shortcuts,
    other_organisations_and_viewers_are_refused
);

/// A lead asks for a person: the agent hands over and opens a `human_attention` action.
async fn hand_over(app: &TestApp, s: &Session, phone: &str) -> (String, String) {
    let (conv, _) = lead_writes(app, s, phone, "I want to talk to a real person").await;
    let action = eventually(20, "the handover's action", || async {
        list(app, s, "kind=human_attention")
            .await
            .into_iter()
            .find(|a| a["conversation_id"] == conv.as_str())
    })
    .await;
    (conv, action["id"].as_str().unwrap().to_owned())
}

async fn list(app: &TestApp, s: &Session, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/actions?{query}"), &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn counts(app: &TestApp, s: &Session) -> Value {
    let r = app.get("/api/v1/actions/counts", &s.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn act(
    app: &TestApp,
    s: &Session,
    id: &str,
    verb: &str,
    body: Value,
) -> crate::harness::Reply {
    app.post(
        &format!("/api/v1/actions/{id}/{verb}"),
        Some(&s.token),
        body,
    )
    .await
}

async fn the_queue_puts_the_most_urgent_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Queue Co").await;
    let (_, a) = hand_over(&app, &owner, "+91 98000 10001").await;
    let (conv_b, b_id) = hand_over(&app, &owner, "+91 98000 10002").await;
    let (conv_c, c) = hand_over(&app, &owner, "+91 98000 10003").await;
    let item = &list(&app, &owner, "").await[0];
    assert_eq!(item["kind"], "human_attention");
    assert_eq!(item["status"], "open");
    assert_eq!(item["priority"], "high");
    assert_eq!(item["contact"]["phone"], "+919800010001");
    assert!(
        item["summary"].as_str().unwrap().contains("human"),
        "{item}"
    );
    // B became critical, C low: critical first, then high, then low; the oldest first within one.
    for (conv, priority, urgency) in [(&conv_b, "critical", 3), (&conv_c, "low", 0)] {
        app.sql(
            "UPDATE actions SET priority = ?, urgency = ? WHERE conversation_id = ?",
            vec![
                priority.into(),
                urgency.into(),
                uuid::Uuid::parse_str(conv).unwrap().into(),
            ],
        )
        .await;
    }
    let expected = vec![b_id.clone(), a.clone(), c.clone()];
    assert_eq!(ids(&list(&app, &owner, "status=open").await), expected);
    // One at a time through the cursor: the same order, then the end.
    let mut paged = vec![];
    let mut cursor = String::new();
    loop {
        let r = app
            .get(
                &format!("/api/v1/actions?limit=1&cursor={cursor}"),
                &owner.token,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        paged.extend(ids(r.body["items"].as_array().unwrap()));
        match r.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(paged, expected);
    assert_eq!(
        ids(&list(&app, &owner, "priority=critical").await),
        vec![b_id]
    );
    assert_eq!(list(&app, &owner, "kind=HUMAN_ATTENTION").await.len(), 3);
    assert!(list(&app, &owner, "kind=booking").await.is_empty());
    assert!(list(&app, &owner, "status=claimed").await.is_empty());
    let n = counts(&app, &owner).await;
    assert_eq!(
        (n["total"].clone(), n["human_attention"].clone()),
        (json!(3), json!(3))
    );
    assert_eq!(n["booking"], 0);
    for bad in [
        "kind=nap",
        "status=done",
        "priority=urgent",
        "cursor=nope",
        "limit=0",
    ] {
        let r = app
            .get(&format!("/api/v1/actions?{bad}"), &owner.token)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:?}",
            r.body
        );
    }
    app.finish().await;
}

async fn an_action_is_claimed_snoozed_and_resolved(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Claim Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let other = app.add_member(&owner, "agent").await;
    let mut ws = app.ws(&owner.token).await;
    let (conv, id) = hand_over(&app, &owner, "+91 98000 20001").await;
    let created = ws.expect("action:created", 20).await;
    assert_eq!(created["action_id"], id.as_str());
    assert_eq!(created["kind"], "human_attention");
    assert_eq!(created["conversation_id"], conv.as_str());

    let r = act(&app, &agent, &id, "claim", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "claimed");
    assert_eq!(r.body["claimed_by"]["id"], agent.user_id.as_str());
    assert_eq!(r.body["claimed_by"]["name"], "agent member");
    let updated = ws.expect("action:updated", 10).await;
    assert_eq!(
        (updated["action_id"].clone(), updated["status"].clone()),
        (json!(id), json!("claimed"))
    );
    // Claiming again is fine for the holder, refused to anyone else.
    assert_eq!(
        act(&app, &agent, &id, "claim", json!({})).await.status,
        StatusCode::OK
    );
    let r = act(&app, &other, &id, "claim", json!({})).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "action_claimed")
    );
    assert_eq!(
        counts(&app, &owner).await["total"],
        0,
        "a claimed action is not open"
    );

    // A snooze must end later; while it runs the action is not open, after it is again.
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let r = act(&app, &agent, &id, "snooze", json!({"until": past})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["until"].is_string());
    let until = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let r = act(&app, &agent, &id, "snooze", json!({"until": until})).await;
    assert_eq!(r.body["status"], "snoozed", "{:?}", r.body);
    assert!(r.body["snoozed_until"].is_string());
    assert_eq!(
        ids(&list(&app, &owner, "status=snoozed").await),
        vec![id.clone()]
    );
    assert!(list(&app, &owner, "status=open").await.is_empty());
    app.sql(
        "UPDATE actions SET snoozed_until = ?",
        vec![(chrono::Utc::now() - chrono::Duration::seconds(1)).into()],
    )
    .await;
    assert_eq!(
        ids(&list(&app, &owner, "status=open").await),
        vec![id.clone()]
    );
    assert_eq!(counts(&app, &owner).await["human_attention"], 1);

    let r = act(
        &app,
        &other,
        &id,
        "resolve",
        json!({"outcome": "Called her back; demo on Friday"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "resolved");
    assert_eq!(r.body["resolved_by"]["id"], other.user_id.as_str());
    assert_eq!(r.body["outcome"], "Called her back; demo on Friday");
    assert!(r.body["resolved_at"].is_string());
    let logged = app
        .sql_text("SELECT CAST(payload AS TEXT) FROM activities WHERE kind = 'action_resolved'")
        .await
        .expect("the resolution in the activity log");
    assert!(logged.contains("demo on Friday"), "{logged}");
    for verb in ["claim", "resolve"] {
        let r = act(&app, &owner, &id, verb, json!({})).await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::CONFLICT, "action_resolved"),
            "{verb}"
        );
    }
    assert_eq!(ids(&list(&app, &owner, "status=resolved").await), vec![id]);
    assert_eq!(counts(&app, &owner).await["total"], 0);
    app.finish().await;
}

async fn a_booked_call_is_one_booking_action(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Booking Co").await;
    let phone = "+91 98000 30001";
    let (conv, _) = crate::conversations::offered_a_call(&app, &owner, phone).await;
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": phone, "text": "Yes, let's do it", "reply_id": "cta:book_call:yes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    decided(&app, &owner, &conv, 3).await;
    let accepted = list(&app, &owner, "").await;
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0]["kind"], "cta_accepted");
    assert_eq!(accepted[0]["cta_type"], "book_call");
    assert_eq!(accepted[0]["details"]["name"], "Priya");
    let mut ws = app.ws(&owner.token).await;
    lead_writes(&app, &owner, phone, "tomorrow 5pm works").await;
    decided(&app, &owner, &conv, 4).await;
    // The same item became the booking, due at the call's start; no second item.
    let all = list(&app, &owner, "").await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["id"], accepted[0]["id"]);
    assert_eq!(all[0]["kind"], "booking");
    assert_eq!(all[0]["priority"], "high");
    let due = all[0]["due_at"].as_str().expect("due_at");
    let start = app
        .sql_text("SELECT CAST(start_at AS TEXT) FROM calendar_events")
        .await
        .unwrap();
    let due = chrono::DateTime::parse_from_rfc3339(due).unwrap();
    assert!(
        start.contains(&due.format("%H:%M:%S").to_string()),
        "{start} vs {due}"
    );
    assert_eq!(
        ws.expect("action:updated", 20).await["action_id"],
        accepted[0]["id"]
    );
    let n = counts(&app, &owner).await;
    assert_eq!(
        (n["booking"].clone(), n["cta_accepted"].clone()),
        (json!(1), json!(0))
    );
    app.finish().await;
}

/// With no booking link the agent hands a call asked for at "tomorrow 5pm" to the team; the
/// lead then wrote "6pm not 5pm" and the agent remembered it, but the team's item kept the
/// brief of 5pm, and the lead heard nothing. The item's brief now says the time the lead last
/// gave, and the lead, waiting for a person, is told the new time is noted.
async fn a_call_moved_after_the_handover_moves_the_items_brief(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Callback Co").await;
    let phone = "+91 98000 30009";
    let (conv, _) = lead_writes(&app, &owner, phone, "Can I book a call tomorrow 5pm?").await;
    let summary_of = |a: &Value| a["details"]["summary"].as_str().unwrap_or("").to_owned();
    let item = eventually(20, "the handover's action", || async {
        list(&app, &owner, "kind=human_attention")
            .await
            .into_iter()
            .find(|a| a["conversation_id"] == conv.as_str())
    })
    .await;
    assert_eq!(item["details"]["escalation_reason"], "call_requested");
    assert!(summary_of(&item).contains("5:00 PM"), "{item}");
    lead_writes(&app, &owner, phone, "6pm not 5pm").await;
    let moved = eventually(20, "the item's brief at 6pm", || async {
        list(&app, &owner, "kind=human_attention")
            .await
            .into_iter()
            .find(|a| a["id"] == item["id"] && summary_of(a).contains("6:00 PM"))
    })
    .await;
    assert!(!summary_of(&moved).contains("5:00 PM"), "{moved}");
    assert_eq!(list(&app, &owner, "kind=human_attention").await.len(), 1);
    // Nobody from the team has answered yet: the lead hears that the new time is noted.
    let note = eventually(20, "the note to the lead", || async {
        messages(&app, &owner, &conv).await.into_iter().find(|m| {
            m["author"] == "bot" && m["text"].as_str().is_some_and(|t| t.starts_with("Noted"))
        })
    })
    .await;
    assert!(
        note["text"].as_str().unwrap_or("").contains("6:00 PM"),
        "{note}"
    );
    app.finish().await;
}

/// The agent handed a call at 5pm to the team; a member took the conversation over and had
/// not written yet when the lead wrote "6pm not 5pm", and the bot answered "Noted — …" in a
/// conversation a person had taken. Taken over, the conversation is the member's: the item's
/// brief moves, the bot says nothing; handed back and taken over again from the bot, the same.
async fn a_call_moved_after_a_member_took_over_gets_no_note_from_the_bot(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Callback Co").await;
    let phone = "+91 98000 30019";
    let (conv, _) = lead_writes(&app, &owner, phone, "Can I book a call tomorrow 5pm?").await;
    let summary_of = |a: &Value| a["details"]["summary"].as_str().unwrap_or("").to_owned();
    let item = eventually(20, "the handover's action", || async {
        list(&app, &owner, "kind=human_attention")
            .await
            .into_iter()
            .find(|a| a["conversation_id"] == conv.as_str())
    })
    .await;
    let take_over = || async {
        let r = app
            .post(
                &format!("/api/v1/conversations/{conv}/takeover"),
                Some(&owner.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["mode"], "human", "{:?}", r.body);
        assert_eq!(
            r.body["assignee_id"],
            owner.user_id.as_str(),
            "{:?}",
            r.body
        );
    };
    // The agent handed it over (mode human); the member takes it, writing nothing.
    take_over().await;
    lead_writes(&app, &owner, phone, "6pm not 5pm").await;
    eventually(20, "the item's brief at 6pm", || async {
        list(&app, &owner, "kind=human_attention")
            .await
            .into_iter()
            .find(|a| a["id"] == item["id"] && summary_of(a).contains("6:00 PM"))
    })
    .await;
    let noted = |ms: Vec<Value>| {
        ms.into_iter()
            .filter(|m| m["author"] == "bot")
            .any(|m| m["text"].as_str().is_some_and(|t| t.starts_with("Noted")))
    };
    assert!(!noted(messages(&app, &owner, &conv).await), "the bot spoke");

    // Handed back, then taken over from the bot: the same.
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/release"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    take_over().await;
    lead_writes(&app, &owner, phone, "sorry, 7pm please").await;
    // Newest first: the answer to "7pm" sends nothing, and no error says it was held back.
    let d = decided(&app, &owner, &conv, 3).await;
    assert_eq!(d[0]["should_send"], false, "{:?}", d[0]);
    assert!(d[0]["error"].is_null(), "{:?}", d[0]);
    assert!(!noted(messages(&app, &owner, &conv).await), "the bot spoke");
    app.finish().await;
}

async fn a_failed_send_asks_for_a_person_and_a_note_is_never_sent(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let conv = crate::sending::lead_writes(&app, &owner).await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/takeover"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut ws = app.ws(&owner.token).await;
    graph.script([(400, graph_error(131026, "Message undeliverable"))]);
    let id = crate::sending::reply(&app, &owner, &conv, "Shall I reserve it?").await;
    message_reaches(&app, &owner, &conv, &id, "failed").await;
    let failed = eventually(10, "the send_failed action", || async {
        list(&app, &owner, "kind=send_failed").await.pop()
    })
    .await;
    assert_eq!(failed["conversation_id"], conv.as_str());
    assert_eq!(failed["priority"], "high");
    assert_eq!(failed["details"]["message_id"], id.as_str());
    assert!(
        failed["summary"]
            .as_str()
            .unwrap()
            .contains("Message undeliverable")
    );
    let created = ws.expect("action:created", 10).await;
    assert_eq!(created["kind"], "send_failed");

    // A note: in the transcript, never handed to WhatsApp, while a reply after it is.
    let before = graph.sends().len();
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/notes"),
            Some(&owner.token),
            json!({"text": "She prefers calls after 6pm"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["author"], "note");
    let sent = crate::sending::reply(&app, &owner, &conv, "Calling you at 6").await;
    message_reaches(&app, &owner, &conv, &sent, "sent").await;
    let sends = graph.sends();
    assert_eq!(sends.len(), before + 1, "only the reply went out");
    assert!(
        sends.iter().all(|s| !s.to_string().contains("6pm")),
        "{sends:?}"
    );
    let notes = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE CAST(payload AS TEXT) LIKE '%' || (SELECT CAST(id AS TEXT) FROM messages WHERE author = 'note') || '%'")
        .await;
    assert_eq!(notes.as_deref(), Some("0"), "a note has no send job");
    app.finish().await;
}

async fn assignee(app: &TestApp, s: &Session, conv: &str, user: Value) -> crate::harness::Reply {
    app.put(
        &format!("/api/v1/conversations/{conv}/assignee"),
        &s.token,
        json!({"user_id": user}),
    )
    .await
}

async fn inbox(app: &TestApp, s: &Session, query: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/conversations?{query}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    ids(r.body["items"].as_array().unwrap())
}

async fn conversations_are_assigned_to_members(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Assign Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let stranger = app.signup_org("Elsewhere").await;
    let (mine, _) = lead_writes(&app, &owner, "+91 98000 40001", "hi").await;
    let (theirs, _) = lead_writes(&app, &owner, "+91 98000 40002", "hello").await;
    let mut ws = app.ws(&owner.token).await;
    let r = assignee(&app, &owner, &mine, json!(agent.user_id)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["assignee_id"], agent.user_id.as_str());
    // The agent may still be answering the leads: their conversations' updates come too.
    loop {
        let event = ws.expect("conversation:updated", 10).await;
        if event["conversation_id"] == mine.as_str() {
            break;
        }
    }
    assert_eq!(inbox(&app, &agent, "assignee=me").await, vec![mine.clone()]);
    assert_eq!(
        inbox(&app, &owner, &format!("assignee={}", agent.user_id)).await,
        vec![mine.clone()]
    );
    assert_eq!(
        inbox(&app, &owner, "assignee=none").await,
        vec![theirs.clone()]
    );
    assert!(inbox(&app, &owner, "assignee=me").await.is_empty());
    // The existing filters still apply alongside.
    assert_eq!(inbox(&app, &agent, "assignee=me&mode=bot").await.len(), 1);
    assert_eq!(inbox(&app, &owner, "").await.len(), 2);
    let r = app
        .get("/api/v1/conversations?assignee=someone", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Someone of another organisation, or nobody at all, is not a member: 422 on user_id.
    for user in [json!(stranger.user_id), json!(uuid::Uuid::now_v7())] {
        let r = assignee(&app, &owner, &theirs, user).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.body["error"]["details"]["fields"]["user_id"].is_string());
    }
    let r = assignee(&app, &agent, &mine, Value::Null).await;
    assert_eq!(r.body["assignee_id"], Value::Null, "{:?}", r.body);
    assert_eq!(inbox(&app, &owner, "assignee=none").await.len(), 2);
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    let assigns: Vec<&Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "conversation.assign")
        .collect();
    assert_eq!(assigns.len(), 2, "{:?}", audit.body);
    app.finish().await;
}

async fn a_note_is_not_the_leads_word(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Notes Co").await;
    let phone = "+91 98000 50001";
    let (conv, _) = lead_writes(&app, &owner, phone, "hello").await;
    decided(&app, &owner, &conv, 1).await;
    let before = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await
        .body;
    // Words that would hand the lead over if the lead said them.
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/notes"),
            Some(&owner.token),
            json!({"text": "I want to talk to a real person"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["sent_by"]["id"], owner.user_id.as_str());
    lead_writes(&app, &owner, phone, "I'm Priya").await;
    decided(&app, &owner, &conv, 2).await;
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await
        .body;
    assert_eq!(
        detail["mode"], "bot",
        "the note was read as the lead's request: {detail}"
    );
    assert_eq!(detail["needs_human"], false);
    assert!(list(&app, &owner, "").await.is_empty());
    let transcript = messages(&app, &owner, &conv).await;
    let note = transcript
        .iter()
        .find(|m| m["author"] == "note")
        .expect("the note");
    assert_eq!(note["text"], "I want to talk to a real person");
    // The inbox's preview is the chat's, not the note.
    assert_ne!(detail["last_message"]["author"], "note");
    assert_ne!(before["last_message"]["author"], "note");
    for bad in [
        json!({"text": "  "}),
        json!({"text": "x".repeat(4097)}),
        json!({}),
    ] {
        let r = app
            .post(
                &format!("/api/v1/conversations/{conv}/notes"),
                Some(&owner.token),
                bad,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    }
    app.finish().await;
}

async fn canned_replies_have_unique_shortcuts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Canned Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let r = app
        .post(
            "/api/v1/canned-replies",
            Some(&agent.token),
            json!({"shortcut": "price", "text": "Hi {{name}}, the course is ₹2,999."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/canned-replies",
            Some(&owner.token),
            json!({"shortcut": "price", "text": "again"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "shortcut_exists")
    );
    let r = app
        .post(
            "/api/v1/canned-replies",
            Some(&owner.token),
            json!({"shortcut": "address", "text": "Andheri, Mumbai"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let other = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/v1/canned-replies",
            Some(&owner.token),
            json!({"shortcut": "Has Space", "text": ""}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    assert!(
        fields["shortcut"].is_string() && fields["text"].is_string(),
        "{fields}"
    );
    let listed = app.get("/api/v1/canned-replies", &agent.token).await;
    let shortcuts: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shortcut"].as_str().unwrap())
        .collect();
    assert_eq!(shortcuts, vec!["address", "price"]);
    let r = app
        .put(
            &format!("/api/v1/canned-replies/{other}"),
            &owner.token,
            json!({"shortcut": "price", "text": "x"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "shortcut_exists")
    );
    let r = app
        .put(
            &format!("/api/v1/canned-replies/{id}"),
            &owner.token,
            json!({"shortcut": "fees", "text": "₹2,999 for {{name}}"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["shortcut"].clone(), r.body["text"].clone()),
        (json!("fees"), json!("₹2,999 for {{name}}"))
    );
    assert_eq!(
        app.delete(&format!("/api/v1/canned-replies/{id}"), &agent.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/v1/canned-replies/{id}"), &agent.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let stranger = app.signup_org("Theirs Co").await;
    let (conv, action) = hand_over(&app, &owner, "+91 98000 60001").await;
    let r = app
        .post(
            "/api/v1/canned-replies",
            Some(&owner.token),
            json!({"shortcut": "hi", "text": "Hello"}),
        )
        .await;
    let canned = r.body["id"].as_str().unwrap().to_owned();
    let until = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let writes = [
        ("POST", format!("/api/v1/actions/{action}/claim"), json!({})),
        (
            "POST",
            format!("/api/v1/actions/{action}/resolve"),
            json!({"outcome": "x"}),
        ),
        (
            "POST",
            format!("/api/v1/actions/{action}/snooze"),
            json!({"until": until}),
        ),
        (
            "PUT",
            format!("/api/v1/conversations/{conv}/assignee"),
            json!({"user_id": null}),
        ),
        (
            "POST",
            format!("/api/v1/conversations/{conv}/notes"),
            json!({"text": "psst"}),
        ),
        (
            "PUT",
            format!("/api/v1/canned-replies/{canned}"),
            json!({"shortcut": "yo", "text": "Yo"}),
        ),
        (
            "DELETE",
            format!("/api/v1/canned-replies/{canned}"),
            json!({}),
        ),
    ];
    for (method, path, body) in &writes {
        let method: reqwest::Method = method.parse().unwrap();
        let r = app
            .request(
                method.clone(),
                path,
                Some(&stranger.token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "another org {method} {path}: {:?}",
            r.body
        );
        let r = app
            .request(
                method.clone(),
                path,
                Some(&viewer.token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "viewer {method} {path}: {:?}",
            r.body
        );
    }
    let r = app
        .post(
            "/api/v1/canned-replies",
            Some(&viewer.token),
            json!({"shortcut": "v", "text": "v"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Reading is every member's; another organisation sees none of it.
    assert_eq!(list(&app, &viewer, "").await.len(), 1);
    assert_eq!(counts(&app, &viewer).await["total"], 1);
    assert!(list(&app, &stranger, "").await.is_empty());
    assert_eq!(counts(&app, &stranger).await["total"], 0);
    let theirs = app.get("/api/v1/canned-replies", &stranger.token).await;
    assert_eq!(theirs.body["items"], json!([]));
    assert_eq!(inbox(&app, &stranger, "assignee=none").await.len(), 0);
    app.finish().await;
}
