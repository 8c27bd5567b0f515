//! Replies to WhatsApp leads through the send job, against a local fake Graph API: retries on
//! transient errors, permanent failures shown on the message, dead jobs an admin can retry,
//! and Meta's status webhooks moving the ticks — all heard on the WebSocket.

use crate::conversations::{message_reaches, messages};
use crate::graph::graph_error;
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    replies_reach_whatsapp_and_fail_visibly,
    the_agents_offer_reaches_whatsapp_with_reply_buttons
);

pub const SECRET: &str = "app-secret-value";
pub const NUMBER: &str = "200000000000001";
const LEAD: &str = "15557654321";

pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../whatsapp/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

pub async fn post_webhook(app: &TestApp, body: &Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let r = app
        .http
        .post(format!("{}/webhooks/whatsapp", app.base))
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

/// The lead writes now (the fixture's own timestamp is months old: the window would be shut).
pub async fn lead_writes(app: &TestApp, owner: &Session) -> String {
    lead_says(app, owner, None).await
}

/// The lead writes `text` (the fixture's own text when `None`).
async fn lead_says(app: &TestApp, owner: &Session, text: Option<&str>) -> String {
    let mut body = fixture("inbound_text.json");
    let msg = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    if let Some(text) = text {
        msg["text"]["body"] = json!(text);
    }
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    msg["id"] = json!(format!("wamid.test{}", uuid::Uuid::now_v7().simple()));
    post_webhook(app, &body).await;
    let list = app.get("/api/v1/conversations", &owner.token).await;
    list.body["items"][0]["id"].as_str().unwrap().to_owned()
}

async fn status_webhook(app: &TestApp, wamid: &str, status: &str) {
    let mut body = fixture("status_read.json");
    let s = &mut body["entry"][0]["changes"][0]["value"]["statuses"][0];
    s["id"] = json!(wamid);
    s["status"] = json!(status);
    s["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    post_webhook(app, &body).await;
}

pub async fn reply(app: &TestApp, owner: &Session, conv: &str, text: &str) -> String {
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": text}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    r.body["message"]["id"].as_str().unwrap().to_owned()
}

async fn job_of(app: &TestApp, message: &str, column: &str) -> Option<String> {
    app.sql_text(&format!(
        "SELECT CAST({column} AS TEXT) FROM jobs WHERE kind = 'send_message' AND CAST(payload AS TEXT) LIKE '%{message}%'"
    ))
    .await
}

async fn replies_reach_whatsapp_and_fail_visibly(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let mut ws = app.ws(&owner.token).await;
    let conv = lead_writes(&app, &owner).await;
    let received = ws.expect("message:received", 10).await;
    assert_eq!(received["conversation_id"], conv.as_str());

    // A transient error, then success: exactly two calls, the second recorded.
    graph.script([(500, graph_error(2, "Service temporarily unavailable"))]);
    let id = reply(&app, &owner, &conv, "Yes, size M is in stock.").await;
    assert_eq!(
        ws.expect("message:sent", 10).await["message_id"],
        id.as_str()
    );
    let sent = message_reaches(&app, &owner, &conv, &id, "sent").await;
    assert_eq!(sent["provider_message_id"], "wamid.fake2");
    let sends = graph.sends();
    assert_eq!(sends.len(), 2, "one failed call, one success, no more");
    assert_eq!(sends[1]["to"], format!("+{LEAD}"));
    assert_eq!(sends[1]["type"], "text");
    assert_eq!(sends[1]["text"]["body"], "Yes, size M is in stock.");
    let event = ws.expect("message:status", 10).await;
    assert_eq!(event["message_id"], id.as_str());
    assert_eq!(event["status"], "sent");

    // Meta's statuses move the ticks forward, never back.
    status_webhook(&app, "wamid.fake2", "read").await;
    assert_eq!(ws.expect("message:status", 10).await["status"], "read");
    status_webhook(&app, "wamid.fake2", "delivered").await;
    message_reaches(&app, &owner, &conv, &id, "read").await;

    // A permanent error: one call, the message says why, the job is done (not retried).
    graph.script([(400, graph_error(131026, "Message undeliverable"))]);
    let id = reply(&app, &owner, &conv, "Shall I reserve it?").await;
    let failed = message_reaches(&app, &owner, &conv, &id, "failed").await;
    assert_eq!(failed["error"]["code"], 131026);
    assert_eq!(failed["error"]["title"], "Message undeliverable");
    assert_eq!(graph.sends().len(), 3);
    eventually(10, "the permanent failure's job to be done", || async {
        (job_of(&app, &id, "status").await? == "done").then_some(())
    })
    .await;

    // Transient errors until the attempts run out: the job is dead, visible to admins, and
    // the message failed. A retry gives it new attempts; the failed message is not resent.
    graph.script((0..5).map(|_| (503, graph_error(1, "Unknown error"))));
    let id = reply(&app, &owner, &conv, "Hello?").await;
    eventually(10, "the first attempt to fail", || async {
        (job_of(&app, &id, "attempts").await? == "1"
            && job_of(&app, &id, "status").await? == "pending")
            .then_some(())
    })
    .await;
    app.sql(
        &format!("UPDATE jobs SET max_attempts = 2 WHERE CAST(payload AS TEXT) LIKE '%{id}%'"),
        vec![],
    )
    .await;
    let failed = message_reaches(&app, &owner, &conv, &id, "failed").await;
    assert_eq!(failed["error"]["code"], 1);
    // The message is marked failed inside the job; the job itself is recorded dead just after.
    let job = eventually(10, "the dead job listed", || async {
        let dead = app.get("/api/v1/jobs", &owner.token).await;
        assert_eq!(dead.status, StatusCode::OK);
        let job = dead.body["items"][0].clone();
        (job["kind"] == "send_message").then_some(job)
    })
    .await;
    assert_eq!(job["status"], "dead");
    assert_eq!(job["attempts"], 2);
    assert!(
        job["last_error"]
            .as_str()
            .unwrap()
            .contains("Unknown error")
    );
    let calls = graph.sends().len();
    assert_eq!(calls, 5, "one call per attempt");

    let agent = app.add_member(&owner, "agent").await;
    let job_id = job["id"].as_str().unwrap();
    let path = format!("/api/v1/jobs/{job_id}/retry");
    assert_eq!(
        app.post(&path, Some(&agent.token), json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/jobs", &agent.token).await.status,
        StatusCode::FORBIDDEN
    );
    let r = app.post(&path, Some(&owner.token), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "pending");
    eventually(10, "the retried job to finish", || async {
        (job_of(&app, &id, "status").await? == "done").then_some(())
    })
    .await;
    assert_eq!(
        graph.sends().len(),
        calls,
        "a failed message is never resent"
    );
    let r = app.post(&path, Some(&owner.token), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "only dead jobs are retried");
    assert_eq!(
        app.get("/api/v1/jobs?status=zombie", &owner.token)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(messages(&app, &owner, &conv).await.len(), 4);
    app.finish().await;
}

async fn the_agents_offer_reaches_whatsapp_with_reply_buttons(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let r = app
        .post(
            "/api/v1/ctas",
            Some(&owner.token),
            json!({"type": "book_call", "name": "Discovery call", "link": "https://cal.example/acme"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    // Nothing to qualify: the agent greets, then offers the call.
    let r = app
        .put(
            "/api/v1/agent/profile",
            &owner.token,
            json!({"sales_rules": {"qualification_checklist": {}, "cta_sequencing": {"first": "book_call"}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    lead_says(&app, &owner, Some("hello")).await;
    eventually(20, "the greeting sent to Meta", || async {
        (graph.sends().len() == 1).then_some(())
    })
    .await;
    lead_says(&app, &owner, Some("ok")).await;
    let offer = eventually(20, "the offer sent to Meta", || async {
        graph.sends().get(1).cloned()
    })
    .await;
    assert_eq!(offer["type"], "interactive", "{offer}");
    assert_eq!(offer["interactive"]["type"], "button");
    assert!(
        offer["interactive"]["body"]["text"]
            .as_str()
            .unwrap()
            .contains("https://cal.example/acme")
    );
    let buttons = &offer["interactive"]["action"]["buttons"];
    assert_eq!(buttons[0]["reply"]["id"], "cta:book_call:yes");
    assert_eq!(buttons[1]["reply"]["id"], "cta:book_call:no");
    assert_eq!(buttons[1]["reply"]["title"], "Not now");
    app.finish().await;
}
