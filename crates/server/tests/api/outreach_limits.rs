//! Issue 13's last gaps: the number's pace is a setting every template of the number shares,
//! a full messaging limit makes recipients wait rather than fail, a local time falls in each
//! lead's own timezone, a template a campaign will still send cannot be deleted, and a reply
//! that ends a drip sequence is announced.

use crate::campaigns::approved_template;
use crate::conversations::lead_writes;
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET};
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    the_numbers_pace_is_set_with_the_whatsapp_settings,
    every_template_of_a_number_takes_a_slot_of_its_pace,
    a_template_a_campaign_will_send_cannot_be_deleted,
    over_limit_recipients_wait_for_budget,
    a_local_time_falls_in_each_leads_own_timezone,
    a_reply_that_ends_a_sequence_is_announced
);

async fn lead(app: &TestApp, owner: &Session, phone: &str, tag: &str) -> String {
    let r = app
        .post(
            "/api/v1/leads",
            Some(&owner.token),
            json!({"phone": phone, "name": "Lee", "tags": [tag]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn campaign(app: &TestApp, owner: &Session, body: Value) -> String {
    let r = app
        .post("/api/v1/campaigns", Some(&owner.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn start(app: &TestApp, owner: &Session, id: &str, body: Value) -> crate::harness::Reply {
    app.post(
        &format!("/api/v1/campaigns/{id}/start"),
        Some(&owner.token),
        body,
    )
    .await
}

async fn recipients(app: &TestApp, owner: &Session, id: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/campaigns/{id}/recipients?limit=200"),
            &owner.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn pace(app: &TestApp, owner: &Session, rate: Value) -> crate::harness::Reply {
    app.put(
        "/api/v1/settings/whatsapp/config",
        &owner.token,
        json!({ "send_rate_per_second": rate }),
    )
    .await
}

async fn the_numbers_pace_is_set_with_the_whatsapp_settings(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let status = app
        .get("/api/v1/settings/whatsapp/status", &owner.token)
        .await;
    assert_eq!(status.body["send_rate_per_second"], 80, "{:?}", status.body);
    for bad in [json!(0), json!(1001), json!(-5)] {
        let r = pace(&app, &owner, bad.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {:?}",
            r.body
        );
        assert_eq!(
            r.body["error"]["details"]["fields"]["send_rate_per_second"],
            "must be between 1 and 1000"
        );
    }
    let r = pace(&app, &owner, json!(5)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["send_rate_per_second"], 5);
    assert_eq!(r.body["status"], "connected", "the connection is as it was");
    let status = app
        .get("/api/v1/settings/whatsapp/status", &owner.token)
        .await;
    assert_eq!(status.body["send_rate_per_second"], 5);
    let audited = app
        .sql_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM audit_logs WHERE action = 'whatsapp.send_rate'",
        )
        .await;
    assert_eq!(audited.as_deref(), Some("1"));
    // A campaign may not go faster than its number.
    let t = approved_template(&app, &owner, "pace_offer", "UTILITY").await;
    let r = app
        .post(
            "/api/v1/campaigns",
            Some(&owner.token),
            json!({"name": "Too fast", "template_id": t["id"], "audience": {"tags": ["x"]},
                "pacing": {"rate_per_second": 6}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.body["error"]["details"]["fields"]["pacing.rate_per_second"]
            .as_str()
            .unwrap()
            .contains("(5)"),
        "{:?}",
        r.body
    );
    // Members see the pace; only owners and admins change it.
    let viewer = app.add_member(&owner, "viewer").await;
    let r = pace(&app, &viewer, json!(10)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    app.finish().await;
}

async fn every_template_of_a_number_takes_a_slot_of_its_pace(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let t = approved_template(&app, &owner, "pace_note", "UTILITY").await;
    // A WhatsApp conversation (the simulator's is not Meta's): the lead writes by webhook.
    let mut inbound = crate::sending::fixture("inbound_text.json");
    inbound["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!(chrono::Utc::now().timestamp().to_string());
    crate::sending::post_webhook(&app, &inbound).await;
    let conv = eventually(10, "the WhatsApp conversation", || async {
        let list = app.get("/api/v1/conversations", &owner.token).await;
        list.body["items"].as_array()?.iter().find_map(|c| {
            (c["channel"] == "whatsapp").then(|| c["id"].as_str().unwrap().to_owned())
        })
    })
    .await;
    let before = chrono::Utc::now().timestamp_millis();
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "template_id": t["id"], "variables": {}}),
        )
        .await;
    assert!(r.status.is_success(), "{:?}", r.body);
    eventually(20, "the template to reach Meta", || async {
        graph
            .sends()
            .iter()
            .any(|s| s["type"] == "template")
            .then_some(())
    })
    .await;
    // The number's pace row moved past the send: the next template of the number, a
    // campaign's or anyone's, waits behind it.
    let next_slot: i64 = app
        .sql_text("SELECT CAST(next_slot_ms AS TEXT) FROM number_pacing")
        .await
        .expect("the number's pace row")
        .parse()
        .unwrap();
    assert!(next_slot > before, "{next_slot} <= {before}");
    app.finish().await;
}

async fn a_template_a_campaign_will_send_cannot_be_deleted(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let t = approved_template(&app, &owner, "later_offer", "UTILITY").await;
    lead(&app, &owner, "+919876500201", "later").await;
    let later = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let id = campaign(
        &app,
        &owner,
        json!({"name": "Tomorrow's offer", "template_id": t["id"], "audience": {"tags": ["later"]},
            "schedule": {"send_at": later}}),
    )
    .await;
    let r = start(&app, &owner, &id, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "scheduled");
    let tid = t["id"].as_str().unwrap();
    let r = app
        .delete(&format!("/api/v1/templates/{tid}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "template_in_use");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Tomorrow's offer"),
        "{:?}",
        r.body
    );
    assert_eq!(
        app.get(&format!("/api/v1/templates/{tid}"), &owner.token)
            .await
            .status,
        StatusCode::OK,
        "refused, nothing changed"
    );
    let r = app
        .post(
            &format!("/api/v1/campaigns/{id}/cancel"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .delete(&format!("/api/v1/templates/{tid}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    app.finish().await;
}

async fn over_limit_recipients_wait_for_budget(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let t = approved_template(&app, &owner, "limit_offer", "UTILITY").await;
    for i in 0..3 {
        lead(&app, &owner, &format!("+91987650030{i}"), "limit").await;
    }
    // Meta lowered the number to two new conversations a day.
    app.sql("UPDATE whatsapp_accounts SET messaging_limit = '2'", vec![])
        .await;
    let id = campaign(
        &app,
        &owner,
        json!({"name": "Over the limit", "template_id": t["id"], "audience": {"tags": ["limit"]}}),
    )
    .await;
    let r = start(&app, &owner, &id, json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "over_messaging_limit");
    let r = start(&app, &owner, &id, json!({"confirm_over_limit": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let list = eventually(20, "two sent and one waiting", || async {
        let list = recipients(&app, &owner, &id).await;
        let sent = list.iter().filter(|r| r["status"] == "sent").count();
        let waiting: Vec<&Value> = list.iter().filter(|r| r["status"] == "pending").collect();
        let later = chrono::Utc::now() + chrono::Duration::hours(23);
        let waits = waiting.len() == 1
            && waiting[0]["due_at"]
                .as_str()
                .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
                .is_some_and(|d| d > later);
        (sent == 2 && waits).then_some(list)
    })
    .await;
    assert!(
        list.iter()
            .all(|r| r["status"] != "failed" && r["status"] != "skipped"),
        "{list:?}"
    );
    assert_eq!(graph.sends().len(), 2);
    let c = app
        .get(&format!("/api/v1/campaigns/{id}"), &owner.token)
        .await;
    assert_eq!(c.body["status"], "running", "it goes on when budget frees");
    app.finish().await;
}

async fn a_local_time_falls_in_each_leads_own_timezone(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let t = approved_template(&app, &owner, "morning_offer", "UTILITY").await;
    let india = lead(&app, &owner, "+919876500401", "morning").await;
    let dubai = lead(&app, &owner, "+971501234401", "morning").await;
    let us = lead(&app, &owner, "+14155550401", "morning").await;
    let id = campaign(
        &app,
        &owner,
        json!({"name": "Good morning", "template_id": t["id"], "audience": {"tags": ["morning"]},
            "schedule": {"local_time": "09:00"}}),
    )
    .await;
    let r = start(&app, &owner, &id, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "scheduled");
    let list = recipients(&app, &owner, &id).await;
    let due = |lead: &str| {
        let r = list.iter().find(|r| r["lead_id"] == lead).unwrap();
        chrono::DateTime::parse_from_rfc3339(r["due_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let local =
        |lead: &str, tz: chrono_tz::Tz| due(lead).with_timezone(&tz).format("%H:%M").to_string();
    assert_eq!(local(&india, chrono_tz::Asia::Kolkata), "09:00");
    assert_eq!(local(&dubai, chrono_tz::Asia::Dubai), "09:00");
    // A US number spans several zones: the organisation's (UTC here) is used.
    assert_eq!(local(&us, chrono_tz::UTC), "09:00");
    assert_ne!(due(&india), due(&dubai));
    app.finish().await;
}

async fn a_reply_that_ends_a_sequence_is_announced(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Drip Co").await;
    let mut ws = app.ws(&owner.token).await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 50001", "hi").await;
    let r = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    let lead_id = r.body["contact"]["id"].as_str().unwrap().to_owned();
    let seq = app
        .post(
            "/api/v1/sequences",
            Some(&owner.token),
            json!({"name": "Nurture", "steps": [{"wait_seconds": 86400, "text": "Still there?"}]}),
        )
        .await;
    assert_eq!(seq.status, StatusCode::CREATED, "{:?}", seq.body);
    let seq_id = seq.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/sequences/{seq_id}/enroll"),
            Some(&owner.token),
            json!({ "lead_ids": [lead_id] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["enrolled"], 1, "{:?}", r.body);
    // The lead writes again: the enrolment stops on the reply, and the page hears of it.
    lead_writes(&app, &owner, "+91 98000 50001", "yes, tell me more").await;
    loop {
        let e = ws.expect("sequence:enrollment_updated", 10).await;
        if e["lead_id"] == lead_id.as_str() && e["status"] == "stopped" {
            assert_eq!(e["sequence_id"], seq_id.as_str());
            break;
        }
    }
    let list = app
        .get(
            &format!("/api/v1/sequences/{seq_id}/enrollments"),
            &owner.token,
        )
        .await;
    assert_eq!(
        list.body["items"][0]["stop_reason"], "replied",
        "{:?}",
        list.body
    );
    app.finish().await;
}
