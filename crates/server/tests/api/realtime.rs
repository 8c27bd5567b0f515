//! The WebSocket hub: token auth, per-organisation delivery, and replicas sharing events and
//! jobs through one PostgreSQL.

use crate::conversations::{lead_writes, message_reaches};
use crate::harness::{Backend, TestApp, eventually};
use crate::on_both_databases;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(events_reach_only_their_organisation);
on_both_databases!(lead_and_pipeline_changes_are_heard);

async fn events_reach_only_their_organisation(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.signup_org("A").await;
    let other = app.signup_org("B").await;
    let url = app.base.replacen("http://", "ws://", 1);
    for bad in ["", "?token=", "?token=not-a-session"] {
        let refused = tokio_tungstenite::connect_async(format!("{url}/api/v1/ws{bad}")).await;
        assert!(refused.is_err(), "{bad:?} must be refused");
    }
    let mut ws_a = app.ws(&a.token).await;
    let mut ws_b = app.ws(&other.token).await;

    let (conv_a, msg_a) = lead_writes(&app, &a, "15550006666", "hello A").await;
    let received = ws_a.expect("message:received", 10).await;
    assert_eq!(
        received,
        json!({"conversation_id": conv_a, "message_id": msg_a})
    );
    assert_eq!(
        ws_a.expect("conversation:updated", 10).await["conversation_id"],
        conv_a.as_str()
    );

    // B's first event is about B's own lead: nothing of A's reached it.
    let (conv_b, _) = lead_writes(&app, &other, "15550007777", "hello B").await;
    let first = ws_b.next(10).await.expect("B hears its own lead");
    assert_eq!(first["type"], "message:received");
    assert_eq!(first["data"]["conversation_id"], conv_b.as_str());

    // Takeover and the human's reply, with its ticks.
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&a.token),
            json!({"conversation_id": conv_a, "text": "Hi from a human"}),
        )
        .await;
    let id = r.body["message"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ws_a.expect("conversation:takeover_started", 10).await["conversation_id"],
        conv_a.as_str()
    );
    let sent = ws_a.expect("message:sent", 10).await;
    assert_eq!(sent["message_id"], id.as_str());
    let mut statuses = vec![];
    while statuses.len() < 2 {
        let s = ws_a.expect("message:status", 10).await;
        assert_eq!(s["message_id"], id.as_str());
        statuses.push(s["status"].as_str().unwrap().to_owned());
    }
    assert_eq!(statuses, ["sent", "delivered"]);
    app.post(
        &format!("/api/v1/conversations/{conv_a}/release"),
        Some(&a.token),
        json!({}),
    )
    .await;
    ws_a.expect("conversation:takeover_ended", 10).await;

    // A logged-out token cannot open a socket.
    app.post("/api/v1/auth/logout", Some(&other.token), json!({}))
        .await;
    let refused =
        tokio_tungstenite::connect_async(format!("{url}/api/v1/ws?token={}", other.token)).await;
    assert!(refused.is_err());
    app.finish().await;
}

/// The leads list and the board stay live: a lead's first message, a person's edits, a move on
/// the board and a bulk change each reach the organisation's sockets, and only theirs.
async fn lead_and_pipeline_changes_are_heard(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.signup_org("A").await;
    let other = app.signup_org("B").await;
    let mut ws = app.ws(&a.token).await;
    let mut ws_other = app.ws(&other.token).await;

    let (conv, _) = lead_writes(&app, &a, "15550006661", "hello").await;
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &a.token)
        .await;
    let first_message_lead = detail.body["contact"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ws.expect("lead:created", 10).await["lead_id"],
        first_message_lead.as_str()
    );

    let r = app
        .post(
            "/api/v1/leads",
            Some(&a.token),
            json!({"name": "Asha Patil", "phone": "+91 98220 12345"}),
        )
        .await;
    let lead = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        ws.expect("lead:created", 10).await["lead_id"],
        lead.as_str()
    );

    app.put(
        &format!("/api/v1/leads/{lead}"),
        &a.token,
        json!({"city": "Pune"}),
    )
    .await;
    assert_eq!(
        ws.expect("lead:updated", 10).await["lead_id"],
        lead.as_str()
    );

    let stages = app.get("/api/v1/pipeline/stages", &a.token).await;
    let items = stages.body["items"].as_array().unwrap();
    let (new, engaged) = (items[0]["id"].clone(), items[1]["id"].clone());
    let r = app
        .put(
            &format!("/api/v1/pipeline/{lead}/move"),
            &a.token,
            json!({"stage_id": engaged}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let moved = ws.expect("pipeline:moved", 10).await;
    assert_eq!(
        moved,
        json!({"lead_id": lead, "from_stage_id": new, "to_stage_id": engaged, "actor": "user"})
    );

    let r = app
        .post(
            "/api/v1/leads/bulk",
            Some(&a.token),
            json!({"ids": [lead, first_message_lead], "action": "add_tags", "tags": ["pune"]}),
        )
        .await;
    assert_eq!(r.body["affected"], 2, "{:?}", r.body);
    ws.expect("leads:bulk", 10).await;

    app.delete(&format!("/api/v1/leads/{lead}"), &a.token).await;
    assert_eq!(
        ws.expect("lead:deleted", 10).await["lead_id"],
        lead.as_str()
    );

    // B's first event is about B's own lead: none of A's lead events reached it.
    lead_writes(&app, &other, "15550007771", "hello B").await;
    let first = ws_other.next(10).await.expect("B hears its own lead");
    assert_eq!(first["type"], "message:received");
    app.finish().await;
}

/// Two servers on one PostgreSQL: a client of one hears what happened on the other, and every
/// job runs exactly once however the replicas race for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_share_events_and_jobs_on_postgres() {
    let one = TestApp::spawn(Backend::Postgres).await;
    let two = one.replica().await;
    let owner = one.signup_org("Replicas").await;
    let mut ws_two = two.ws(&owner.token).await;

    let (conv, msg) = lead_writes(&one, &owner, "15550008888", "hello").await;
    let heard = ws_two.expect("message:received", 10).await;
    assert_eq!(heard["conversation_id"], conv.as_str());
    assert_eq!(heard["message_id"], msg.as_str());

    // Many leads and replies, half through each replica.
    let mut replies = vec![];
    for i in 0..20 {
        let app = if i % 2 == 0 { &one } else { &two };
        let (conv, _) = lead_writes(app, &owner, &format!("1555001{i:04}"), "hi").await;
        for n in 0..2 {
            let r = app
                .post(
                    "/api/v1/messages/send",
                    Some(&owner.token),
                    json!({"conversation_id": conv, "text": format!("reply {n}")}),
                )
                .await;
            replies.push((
                conv.clone(),
                r.body["message"]["id"].as_str().unwrap().to_owned(),
            ));
        }
    }
    for (conv, id) in &replies {
        message_reaches(&one, &owner, conv, id, "delivered").await;
    }
    // Follow-ups wait hours by design; everything else must be done.
    eventually(20, "every job to finish", || async {
        let open = one
            .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE status NOT IN ('done', 'cancelled') AND kind NOT IN ('followup', 'followup_due')")
            .await?;
        (open == "0").then_some(())
    })
    .await;
    let claimed_twice = one
        .sql_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE attempts <> 1 AND status <> 'pending'",
        )
        .await
        .unwrap();
    assert_eq!(claimed_twice, "0", "no job was claimed twice");
    // Which replica ran which job is up to the race (usually both did); that each ran once is
    // the guarantee.
    let leaders = one
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM leader_leases")
        .await
        .unwrap();
    assert_eq!(leaders, "1");
    two.finish().await;
    one.finish().await;
}
