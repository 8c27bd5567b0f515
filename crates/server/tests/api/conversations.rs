//! The simulator, human replies, takeover and release, read state and the service window.

use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_human_answers_a_simulated_lead,
    simulator_input_is_validated,
    takeover_and_release,
    the_window_closes_replies,
    other_organisations_see_nothing
);

/// The agent's decisions on `conv`, oldest first, once there are at least `n`.
pub async fn decided(app: &TestApp, s: &Session, conv: &str, n: usize) -> Vec<Value> {
    eventually(20, &format!("{n} decision(s)"), || async {
        let r = app
            .get(&format!("/api/v1/conversations/{conv}/decisions"), &s.token)
            .await;
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        (items.len() >= n).then_some(items)
    })
    .await
}

/// An organisation whose agent offers a discovery call as soon as it knows the lead's name;
/// the lead at `phone` greets and gives their name. Returns the conversation and the agent's
/// two decisions (the second one offers the call).
pub async fn offered_a_call(app: &TestApp, owner: &Session, phone: &str) -> (String, Vec<Value>) {
    let r = app.post("/api/v1/ctas", Some(&owner.token), json!({"type": "book_call", "name": "Discovery call", "link": "https://cal.example/acme"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // A checklist with one slot: the CTA comes right after it.
    let r = app.put("/api/v1/agent/profile", &owner.token, json!({"sales_rules": {"qualification_checklist": {"name": "required"}, "cta_sequencing": {"first": "book_call"}}})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // A WhatsApp name that is no name: the name is asked, then given.
    let (conv, _) = lead_writes_as(app, owner, phone, "Redmi Note", "hello").await;
    decided(app, owner, &conv, 1).await;
    lead_writes_as(app, owner, phone, "Redmi Note", "I'm Priya").await;
    let d = decided(app, owner, &conv, 2).await;
    (conv, d)
}

/// A lead writes through the simulator; returns (conversation id, message id).
pub async fn lead_writes(app: &TestApp, s: &Session, phone: &str, text: &str) -> (String, String) {
    lead_writes_as(app, s, phone, "Lee Lead", text).await
}

/// A lead whose WhatsApp profile is named `name` writes ("Redmi Note" is no person's name:
/// the agent asks for theirs; "Lee Lead" is taken as it).
pub async fn lead_writes_as(
    app: &TestApp,
    s: &Session,
    phone: &str,
    name: &str,
    text: &str,
) -> (String, String) {
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&s.token),
            json!({"phone": phone, "name": name, "text": text}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    (
        r.body["conversation_id"].as_str().unwrap().to_owned(),
        r.body["message_id"].as_str().unwrap().to_owned(),
    )
}

pub async fn messages(app: &TestApp, s: &Session, conversation: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/conversations/{conversation}/messages"),
            &s.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Waits until message `id` of the conversation has `status`, and returns it.
pub async fn message_reaches(
    app: &TestApp,
    s: &Session,
    conversation: &str,
    id: &str,
    status: &str,
) -> Value {
    eventually(15, &format!("message {id} to be {status}"), || async {
        messages(app, s, conversation)
            .await
            .into_iter()
            .find(|m| m["id"] == id && m["status"] == status)
    })
    .await
}

async fn conversation(app: &TestApp, s: &Session, id: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/conversations/{id}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn a_human_answers_a_simulated_lead(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Sim").await;
    let (conv, first) = lead_writes(
        &app,
        &owner,
        "+1 555 000 1111",
        "Hi, I'm interested in the course",
    )
    .await;
    let (same_conv, _) = lead_writes(
        &app,
        &owner,
        "15550001111",
        "Looking for home delivery in Pune",
    )
    .await;
    assert_eq!(conv, same_conv, "one conversation per lead and channel");

    let list = app
        .get("/api/v1/conversations?channel=sandbox", &owner.token)
        .await;
    let item = &list.body["items"][0];
    assert_eq!(item["id"], conv.as_str());
    assert_eq!(item["channel"], "sandbox");
    assert_eq!(item["contact"]["phone"], "+15550001111");
    assert_eq!(item["contact"]["name"], "Lee Lead");
    assert_eq!(item["unread_count"], 2);
    assert_eq!(item["mode"], "bot");
    let none = app
        .get("/api/v1/conversations?channel=whatsapp", &owner.token)
        .await;
    assert_eq!(none.body["items"], json!([]));
    let by_status = app
        .get("/api/v1/conversations?status=new", &owner.token)
        .await;
    assert_eq!(by_status.body["items"][0]["id"], conv.as_str());
    let none = app
        .get("/api/v1/conversations?status=won", &owner.token)
        .await;
    assert_eq!(none.body["items"], json!([]));
    let bad = app
        .get("/api/v1/conversations?channel=sms", &owner.token)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The processing job makes the lead's messages ready for the agent after the debounce.
    eventually(15, "lead messages marked ready", || async {
        let ready = app
            .sql_text(
                "SELECT CAST(COUNT(*) AS TEXT) FROM messages WHERE ready_at IS NOT NULL AND direction = 'in' AND conversation_id IN (SELECT id FROM conversations WHERE channel = 'sandbox')"
                )
            .await?;
        (ready == "2").then_some(())
    })
    .await;

    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "  Hello from a human  "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let sent = &r.body["message"];
    assert_eq!(sent["direction"], "out");
    assert_eq!(sent["author"], "human");
    assert_eq!(sent["text"], "Hello from a human");
    assert_eq!(sent["status"], "queued");
    assert_eq!(sent["sent_by"]["name"], "Olivia Owner");
    assert_eq!(sent["sent_by"]["id"], owner.user_id.as_str());
    let id = sent["id"].as_str().unwrap();

    // The sandbox delivers to the simulator, never to Meta (no Graph API is reachable here).
    let delivered = message_reaches(&app, &owner, &conv, id, "delivered").await;
    assert!(
        delivered["provider_message_id"]
            .as_str()
            .unwrap()
            .starts_with("sandbox.")
    );
    assert_eq!(delivered["sent_by"]["name"], "Olivia Owner");
    let c = conversation(&app, &owner, &conv).await;
    assert_eq!(c["mode"], "human", "replying takes over");
    assert_eq!(c["unread_count"], 0, "replying reads the conversation");
    assert_eq!(c["last_message"]["author"], "human");
    // The agent answered the burst once; the human's reply follows it.
    let texts: Vec<_> = messages(&app, &owner, &conv)
        .await
        .iter()
        .filter(|m| m["author"] != "bot")
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(
        texts,
        vec![
            json!("Hi, I'm interested in the course"),
            json!("Looking for home delivery in Pune"),
            json!("Hello from a human")
        ]
    );
    assert_eq!(
        messages(&app, &owner, &conv).await[0]["id"],
        first.as_str(),
        "oldest first"
    );

    // Read state: a new lead message is unread until the team opens it.
    lead_writes(&app, &owner, "15550001111", "Thanks!").await;
    assert_eq!(conversation(&app, &owner, &conv).await["unread_count"], 1);
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv}/read"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["unread_count"], 0);

    // The takeover is in the audit log.
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "conversation.takeover")
    );
    app.finish().await;
}

async fn simulator_input_is_validated(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Sim").await;
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": "12ab", "text": "  ", "name": "x".repeat(101)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    assert!(
        fields["phone"].is_string() && fields["text"].is_string() && fields["name"].is_string()
    );
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            json!({"phone": 15550001111_i64, "text": "hi"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a number is not a string"
    );
    let r = app
        .post(
            "/api/v1/sandbox/inbound",
            None,
            json!({"phone": "15550001111", "text": "hi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let (conv, _) = lead_writes(&app, &owner, "15550002222", "hi").await;
    for text in [json!(""), json!("   "), json!("x".repeat(4097))] {
        let r = app
            .post(
                "/api/v1/messages/send",
                Some(&owner.token),
                json!({"conversation_id": conv, "text": text}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
        assert!(r.body["error"]["details"]["fields"]["text"].is_string());
    }
    let r = app.get("/api/v1/conversations", &owner.token).await;
    assert_eq!(
        r.body["items"].as_array().unwrap().len(),
        1,
        "nothing else was stored"
    );
    assert_eq!(messages(&app, &owner, &conv).await.len(), 1);
    app.finish().await;
}

async fn takeover_and_release(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Modes").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    let (conv, _) = lead_writes(&app, &owner, "15550003333", "hi").await;
    let path = |action: &str| format!("/api/v1/conversations/{conv}/{action}");

    let r = app
        .post(&path("takeover"), Some(&agent.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["mode"], "human");
    let again = app
        .post(&path("takeover"), Some(&agent.token), json!({}))
        .await;
    assert_eq!(again.body["mode"], "human", "taking over twice is harmless");

    app.sql("UPDATE conversations SET needs_human = TRUE", vec![])
        .await;
    let r = app
        .post(&path("release"), Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["mode"], "bot");
    assert_eq!(r.body["needs_human"], false);

    for action in ["takeover", "release"] {
        let r = app
            .post(&path(action), Some(&viewer.token), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "viewers only read");
    }
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&viewer.token),
            json!({"conversation_id": conv, "text": "hi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(&path("read"), Some(&viewer.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "reading is for everyone");

    let missing = "/api/v1/conversations/00000000-0000-7000-8000-000000000000/takeover";
    assert_eq!(
        app.post(missing, Some(&owner.token), json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "/api/v1/conversations/nope/release",
            Some(&owner.token),
            json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

async fn the_window_closes_replies(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Window").await;
    let (conv, _) = lead_writes(&app, &owner, "15550004444", "hi").await;
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    app.sql(
        "UPDATE conversations SET window_open_until = ?",
        vec![past.into()],
    )
    .await;
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Still there?"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "window_closed");
    assert!(r.body["error"]["details"]["window_open_until"].is_string());
    assert_eq!(
        messages(&app, &owner, &conv).await.len(),
        1,
        "nothing queued"
    );
    assert_eq!(
        conversation(&app, &owner, &conv).await["mode"],
        "bot",
        "a refused reply takes nothing over"
    );
    // The lead writes again: the window reopens.
    lead_writes(&app, &owner, "15550004444", "yes").await;
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Great"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    app.finish().await;
}

async fn other_organisations_see_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.signup_org("A").await;
    let other = app.signup_org("B").await;
    let (conv, _) = lead_writes(&app, &a, "15550005555", "hi").await;
    for action in ["takeover", "release", "read"] {
        let r = app
            .post(
                &format!("/api/v1/conversations/{conv}/{action}"),
                Some(&other.token),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&other.token),
            json!({"conversation_id": conv, "text": "hi"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    for path in [
        format!("/api/v1/conversations/{conv}"),
        format!("/api/v1/conversations/{conv}/messages"),
    ] {
        assert_eq!(
            app.get(&path, &other.token).await.status,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        app.get("/api/v1/conversations", &other.token).await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/jobs?status=done", &other.token).await.body["items"],
        json!([])
    );
    assert_eq!(
        conversation(&app, &a, &conv).await["mode"],
        "bot",
        "untouched"
    );
    app.finish().await;
}
