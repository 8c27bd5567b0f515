//! The team's day (issue 16, the rest): handed-over conversations shared out in turn among
//! the members who are available, the daily digest, the lead's timeline of bookings, modes
//! and assignments, and erasure that takes the lead's files with it.

use crate::conversations::lead_writes;
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::smtp_sink::SmtpSink;
use chrono::Timelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    handovers_go_round_the_available_members,
    availability_and_the_switch_are_guarded,
    the_daily_digest_goes_out_once_per_member,
    erasing_a_lead_deletes_its_files,
    bookings_and_modes_are_on_the_leads_timeline,
    handovers_at_once_on_two_replicas_share_fairly
);

/// A lead asks for a person; returns the conversation once the agent handed it over.
async fn hand_over(app: &TestApp, s: &Session, phone: &str) -> String {
    let (conv, _) = lead_writes(app, s, phone, "I want to talk to a real person").await;
    eventually(20, "the handover", || async {
        let r = app
            .get(&format!("/api/v1/conversations/{conv}"), &s.token)
            .await;
        (r.body["needs_human"] == true).then_some(())
    })
    .await;
    conv
}

async fn conversation(app: &TestApp, s: &Session, conv: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn round_robin(app: &TestApp, s: &Session, on: bool) -> crate::harness::Reply {
    app.put(
        "/api/v1/settings/assignment",
        &s.token,
        json!({"round_robin": on}),
    )
    .await
}

async fn available(app: &TestApp, s: &Session, who: &str, on: bool) -> crate::harness::Reply {
    app.patch(
        &format!("/api/v1/users/{who}"),
        &s.token,
        json!({"available": on}),
    )
    .await
}

async fn handovers_go_round_the_available_members(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Turns Co").await;
    let first = app.add_member(&owner, "agent").await;
    let away = app.add_member(&owner, "agent").await;
    let _viewer = app.add_member(&owner, "viewer").await;

    // Off (the default): a handover stays with nobody.
    let conv = hand_over(&app, &owner, "+91 98000 70001").await;
    assert_eq!(
        conversation(&app, &owner, &conv).await["assignee_id"],
        Value::Null
    );

    let r = round_robin(&app, &owner, true).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["round_robin"], true);
    let r = app.get("/api/v1/settings/assignment", &owner.token).await;
    assert_eq!(r.body, json!({"round_robin": true}));
    let r = available(&app, &away, &away.user_id, false).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["available"], false);
    let me = app.get("/api/v1/auth/me", &away.token).await;
    assert_eq!(me.body["user"]["available"], false, "{:?}", me.body);

    // In the order they joined, skipping the one away and the viewer (who answers nobody).
    let mut ws = app.ws(&owner.token).await;
    let mut given = vec![];
    for n in 0..3 {
        let conv = hand_over(&app, &owner, &format!("+91 98000 7010{n}")).await;
        let event = ws.expect("conversation:assigned", 20).await;
        assert_eq!(event["conversation_id"], conv.as_str());
        assert_eq!(event["round_robin"], true);
        let c = conversation(&app, &owner, &conv).await;
        assert_eq!(c["assignee_id"], event["user_id"]);
        given.push((conv, c["assignee_id"].as_str().unwrap().to_owned()));
    }
    let who: Vec<&str> = given.iter().map(|(_, u)| u.as_str()).collect();
    assert_eq!(
        who,
        [owner.user_id.as_str(), &first.user_id, &owner.user_id]
    );
    // The member it was given to finds it under "assigned to me".
    let r = app
        .get("/api/v1/conversations?assignee=me", &first.token)
        .await;
    let mine: Vec<&str> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(mine, [given[1].0.as_str()]);

    // Each is on the lead's timeline and in the audit log.
    let lead = conversation(&app, &owner, &given[1].0).await["contact"]["id"].clone();
    let timeline = app
        .get(
            &format!("/api/v1/leads/{}/timeline", lead.as_str().unwrap()),
            &owner.token,
        )
        .await;
    let entry = timeline.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "assignment")
        .unwrap_or_else(|| panic!("no assignment on {:?}", timeline.body))
        .clone();
    assert_eq!(entry["actor"], "system");
    assert_eq!(entry["data"]["payload"]["to"], first.user_id.as_str());
    assert_eq!(entry["data"]["payload"]["round_robin"], true);
    let audit = app.get("/api/v1/audit-logs?limit=200", &owner.token).await;
    let turns = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "conversation.assign" && e["details"]["round_robin"] == true)
        .count();
    assert_eq!(turns, 3, "{:?}", audit.body);

    // A conversation someone already has is not taken from them.
    let (mine, _) = lead_writes(&app, &owner, "+91 98000 70200", "hello").await;
    let r = app
        .put(
            &format!("/api/v1/conversations/{mine}/assignee"),
            &owner.token,
            json!({"user_id": away.user_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    lead_writes(
        &app,
        &owner,
        "+91 98000 70200",
        "I want to talk to a real person",
    )
    .await;
    eventually(20, "the second handover", || async {
        let c = conversation(&app, &owner, &mine).await;
        (c["needs_human"] == true).then_some(())
    })
    .await;
    assert_eq!(
        conversation(&app, &owner, &mine).await["assignee_id"],
        away.user_id.as_str()
    );

    // Nobody available: it stays unassigned.
    for s in [&owner, &first] {
        let r = available(&app, s, &s.user_id, false).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let conv = hand_over(&app, &owner, "+91 98000 70300").await;
    assert_eq!(
        conversation(&app, &owner, &conv).await["assignee_id"],
        Value::Null
    );
    // Back, the turn goes on from where it stood.
    let r = available(&app, &owner, &away.user_id, true).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let conv = hand_over(&app, &owner, "+91 98000 70301").await;
    assert_eq!(
        conversation(&app, &owner, &conv).await["assignee_id"],
        away.user_id.as_str()
    );
    app.finish().await;
}

async fn availability_and_the_switch_are_guarded(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Guard Co").await;
    let agent = app.add_member(&owner, "agent").await;
    let other = app.add_member(&owner, "agent").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let stranger = app.signup_org("Elsewhere Co").await;

    for s in [&agent, &viewer] {
        let r = round_robin(&app, s, true).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
        let r = app.get("/api/v1/settings/assignment", &s.token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    }
    // Each organisation has its own switch.
    assert_eq!(
        round_robin(&app, &stranger, true).await.status,
        StatusCode::OK
    );
    let r = app.get("/api/v1/settings/assignment", &owner.token).await;
    assert_eq!(r.body["round_robin"], false);
    let r = app
        .put(
            "/api/v1/settings/assignment",
            &owner.token,
            json!({"round_robin": "yes"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);

    // A member sets their own; not another's, and a viewer (who answers nobody) not at all.
    assert_eq!(
        available(&app, &agent, &agent.user_id, false).await.status,
        StatusCode::OK
    );
    let r = available(&app, &agent, &other.user_id, false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = available(&app, &viewer, &viewer.user_id, false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    // An agent cannot slip a role change in with it.
    let r = app
        .patch(
            &format!("/api/v1/users/{}", agent.user_id),
            &agent.token,
            json!({"available": true, "role": "admin"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    // Another organisation's member is not found.
    let r = available(&app, &stranger, &agent.user_id, true).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
    // An owner sets anyone's; the list shows it.
    assert_eq!(
        available(&app, &owner, &other.user_id, false).await.status,
        StatusCode::OK
    );
    let users = app.get("/api/v1/users", &owner.token).await;
    let away: Vec<&str> = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["available"] == false)
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(away.len(), 2);
    assert!(away.contains(&agent.user_id.as_str()) && away.contains(&other.user_id.as_str()));
    let audit = app.get("/api/v1/audit-logs", &stranger.token).await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "settings.assignment"),
        "{:?}",
        audit.body
    );
    app.finish().await;
}

/// A fixed-offset zone where the local hour is `hour` now (`Etc/GMT-5` is UTC+5).
fn zone_at_hour(hour: i64) -> String {
    let utc = i64::from(chrono::Utc::now().hour());
    let offset = (-12..=14)
        .find(|o| (utc + o).rem_euclid(24) == hour)
        .expect("some offset gives every hour");
    match offset {
        0 => "Etc/GMT+0".into(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

async fn set_timezone(app: &TestApp, s: &Session, zone: &str) {
    let r = app
        .put(
            "/api/v1/org",
            &s.token,
            json!({"name": "Digest Co", "timezone": zone}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

fn digests(sink: &SmtpSink) -> Vec<crate::smtp_sink::Mail> {
    sink.mails()
        .into_iter()
        .filter(|m| m.data.contains("Subject: Your day"))
        .collect()
}

async fn the_daily_digest_goes_out_once_per_member(b: Backend) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Digest Co").await;
    // Before eight in the organisation's day: nothing is due yet.
    set_timezone(&app, &owner, &zone_at_hour(2)).await;
    let r = app
        .put(
            "/api/v1/settings/email",
            &owner.token,
            json!({"smtp_host": "127.0.0.1", "smtp_port": sink.port, "username": "mailer",
                "password": "s3cret-pass", "from": "Closer <team@example.com>", "tls": "none"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let agent = app.add_member(&owner, "agent").await;
    let quiet = app.add_member(&owner, "agent").await;
    // One member wants no digest at all.
    let r = app
        .put(
            "/api/v1/notifications/preferences",
            &quiet.token,
            json!({"daily_digest": {"in_app": false, "email": false, "push": false}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    hand_over(&app, &owner, "+91 98000 80001").await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    assert!(digests(&sink).is_empty(), "a digest before eight");

    // Noon there: each member who wants one gets one.
    set_timezone(&app, &owner, &zone_at_hour(12)).await;
    let mails = eventually(60, "two digests", || async {
        let d = digests(&sink);
        (d.len() >= 2).then_some(d)
    })
    .await;
    let mut to: Vec<String> = mails
        .iter()
        .flat_map(|m| m.to.clone())
        .map(|t| t.trim_matches(['<', '>']).to_owned())
        .collect();
    to.sort();
    let mut expected = vec![owner.email.clone(), agent.email.clone()];
    expected.sort();
    assert_eq!(to, expected);
    let text = mails[0].text();
    assert!(text.contains("New leads in the last 24 hours: 1"), "{text}");
    assert!(text.contains("Handoffs waiting for a person: 1"), "{text}");
    assert!(text.contains("Open actions: 1 (1 "), "{text}");

    // Another replica (or this one restarted) plans the day again: nothing more is sent.
    let other = closer_store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let planned = other
        .plan_daily_digests(chrono::Utc::now(), &Default::default())
        .await
        .unwrap();
    assert!(!planned.is_empty());
    tokio::time::sleep(std::time::Duration::from_secs(8)).await;
    assert_eq!(digests(&sink).len(), 2);
    app.finish().await;
}

/// A lead's photo arrives through the webhook and is kept in the media store; erasing the
/// lead deletes the file, and its message says so.
async fn erasing_a_lead_deletes_its_files(b: Backend) {
    let (app, owner, graph) =
        crate::whatsapp_settings::app_with_graph(b, crate::sending::NUMBER, crate::sending::SECRET)
            .await;
    graph.add_media(
        "400000000000001",
        "image/jpeg",
        b"\xff\xd8\xff\xe0 a photo".to_vec(),
    );
    let mut body = crate::sending::fixture("inbound_image.json");
    let msg = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    crate::sending::post_webhook(&app, &body).await;
    let list = app.get("/api/v1/conversations", &owner.token).await;
    let conv = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let lead = list.body["items"][0]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let photo = eventually(20, "the photo kept", || async {
        crate::conversations::messages(&app, &owner, &conv)
            .await
            .into_iter()
            .find(|m| m["type"] == "image" && m["media"]["status"] == "stored")
    })
    .await;
    let media_id = photo["media"]["id"].as_str().unwrap().to_owned();
    let file = app
        .data_dir()
        .join("media")
        .join(&owner.org_id)
        .join(&media_id);
    assert!(file.exists(), "{file:?}");

    let r = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": lead}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    eventually(20, "the file deleted", || async {
        (!file.exists()).then_some(())
    })
    .await;
    let after = crate::conversations::messages(&app, &owner, &conv).await;
    let m = after.iter().find(|m| m["id"] == photo["id"]).unwrap();
    assert_eq!(m["media"]["status"], "erased", "{m}");
    assert_eq!(m["media"]["url"], Value::Null, "{m}");
    let r = app
        .get(&format!("/api/v1/media/{media_id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

/// What happened to the lead's calendar and conversation mode is on their timeline, newest
/// first, with who did it.
async fn bookings_and_modes_are_on_the_leads_timeline(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Timeline Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 90001", "hello").await;
    let lead = conversation(&app, &owner, &conv).await["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let r = app
        .post(
            "/api/v1/calendar",
            Some(&owner.token),
            json!({"lead_id": lead, "kind": "call", "title": "Fees call", "starts_at": start}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let event = r.body["id"].as_str().unwrap().to_owned();
    let later = start + chrono::Duration::hours(3);
    for change in [json!({"starts_at": later}), json!({"status": "cancelled"})] {
        let r = app
            .patch(&format!("/api/v1/calendar/{event}"), &owner.token, change)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r = app
        .put(
            &format!("/api/v1/conversations/{conv}/mode"),
            &owner.token,
            json!({"mode": "paused"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let timeline = eventually(10, "the timeline", || async {
        let r = app
            .get(&format!("/api/v1/leads/{lead}/timeline"), &owner.token)
            .await;
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .any(|e| e["type"] == "mode_change")
            .then_some(items)
    })
    .await;
    let calendar: Vec<&Value> = timeline
        .iter()
        .filter(|e| e["type"] == "calendar")
        .collect();
    let events: Vec<&str> = calendar
        .iter()
        .map(|e| e["data"]["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "calendar_cancelled",
            "calendar_rescheduled",
            "calendar_booked"
        ],
        "{timeline:?}"
    );
    assert!(calendar.iter().all(|e| e["actor"] == "member"
        && e["actor_user_id"] == owner.user_id.as_str()
        && e["data"]["payload"]["event_id"] == event.as_str()
        && e["data"]["payload"]["title"] == "Fees call"));
    let moved = &calendar[1]["data"]["payload"];
    let at = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap()
    };
    assert_eq!(at(&moved["to"]).timestamp(), later.timestamp());
    assert_eq!(at(&moved["from"]).timestamp(), start.timestamp());
    let mode = timeline
        .iter()
        .find(|e| e["type"] == "mode_change")
        .unwrap();
    assert_eq!(mode["data"]["payload"]["to"], "paused", "{mode}");
    // Another organisation reads none of it.
    let stranger = app.signup_org("Elsewhere Co").await;
    let r = app
        .get(&format!("/api/v1/leads/{lead}/timeline"), &stranger.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

/// Six leads ask for a person at once, through two replicas whose workers hand them over in
/// parallel: the turn is kept in the database, so the two members get three each.
async fn handovers_at_once_on_two_replicas_share_fairly(b: Backend) {
    let app = TestApp::spawn(b).await;
    let replica = app.replica().await;
    let owner = app.signup_org("Fair Co").await;
    let agent = app.add_member(&owner, "agent").await;
    assert_eq!(round_robin(&app, &owner, true).await.status, StatusCode::OK);
    let asks = (0..6).map(|n| {
        let via = if n % 2 == 0 { &app } else { &replica };
        let owner = &owner;
        async move {
            let phone = format!("+91 98000 9100{n}");
            lead_writes(via, owner, &phone, "I want to talk to a real person")
                .await
                .0
        }
    });
    let convs = futures_util::future::join_all(asks).await;
    let mut given = std::collections::HashMap::new();
    for conv in &convs {
        let assignee = eventually(30, "a handover", || async {
            let c = conversation(&app, &owner, conv).await;
            (c["needs_human"] == true).then(|| c["assignee_id"].clone())
        })
        .await;
        *given
            .entry(assignee.as_str().unwrap_or("nobody").to_owned())
            .or_insert(0) += 1;
    }
    assert_eq!(given.get(owner.user_id.as_str()), Some(&3), "{given:?}");
    assert_eq!(given.get(agent.user_id.as_str()), Some(&3), "{given:?}");
    replica.finish().await;
    app.finish().await;
}
