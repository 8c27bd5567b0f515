//! Follow-ups end to end through the simulator: planned after the agent's reply, cancelled
//! when the lead writes, pushed past quiet hours, sent now by a person (the agent writes it,
//! trigger `followup`), cancelled, capped, stopped by a closed stage and an opt-out, settings
//! validated, viewers refused and other organisations seeing nothing.

use crate::conversations::{lead_writes, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use chrono::{Duration, Timelike, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_followup_is_planned_sent_now_and_cancelled_when_the_lead_writes,
    cancel_cap_closed_stage_and_opt_out,
    settings_are_validated_and_quiet_hours_push_the_time,
    unreadable_settings_are_an_error_never_the_defaults,
    other_organisations_and_viewers_are_refused,
    past_the_window_the_approved_template_step_goes,
    a_message_that_arrives_after_its_window_closed_gets_the_template_step,
    the_organisations_followups_page_soonest_first
);

async fn followups(app: &TestApp, s: &Session, conv: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/conversations/{conv}/followups"), &s.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Waits until the conversation's newest follow-up satisfies `check`.
async fn newest_where(
    app: &TestApp,
    s: &Session,
    conv: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    eventually(20, what, || async {
        followups(app, s, conv)
            .await
            .into_iter()
            .next()
            .filter(|f| check(f))
    })
    .await
}

async fn pending(app: &TestApp, s: &Session, conv: &str) -> Value {
    newest_where(app, s, conv, "a pending follow-up", |f| {
        f["status"] == "pending"
    })
    .await
}

async fn a_followup_is_planned_sent_now_and_cancelled_when_the_lead_writes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Nudge Co").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00011", "Hi, I saw your ad").await;
    let f = pending(&app, &owner, &conv).await;
    assert_eq!(f["kind"], "in_window");
    assert_eq!(f["step"], 1);
    assert_eq!(f["reason"], "lead_quiet");
    assert_eq!(f["contact"]["name"], "Lee Lead");
    let due: chrono::DateTime<Utc> = f["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > Utc::now() + Duration::hours(5), "{f}");
    // Also listed organisation-wide, and by id.
    let all = app
        .get(
            &format!("/api/v1/followups?status=pending&conversation_id={conv}"),
            &owner.token,
        )
        .await;
    assert_eq!(all.body["items"][0]["id"], f["id"]);
    let id = f["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/followups/{id}"), &owner.token)
            .await
            .body["id"],
        f["id"]
    );

    let before = messages(&app, &owner, &conv).await.len();
    let r = app
        .post(
            &format!("/api/v1/followups/{id}/send-now"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    assert_eq!(r.body["forced"], true);
    let sent = eventually(20, "the follow-up sent", || async {
        let r = app
            .get(&format!("/api/v1/followups/{id}"), &owner.token)
            .await;
        (r.body["status"] == "sent").then_some(r.body)
    })
    .await;
    assert!(
        sent["message_id"].is_string() && sent["decision_id"].is_string(),
        "{sent}"
    );
    let msgs = messages(&app, &owner, &conv).await;
    assert_eq!(msgs.len(), before + 1);
    let d = app
        .get(
            &format!("/api/v1/conversations/{conv}/decisions"),
            &owner.token,
        )
        .await;
    let d = &d.body["items"][0];
    assert_eq!(d["trigger"], "followup");
    // WhatsApp's "Lee Lead" is the lead's name: the nudge asks for what is still to learn.
    assert_eq!(d["reason_code"], "clarification_request");
    assert_eq!(d["id"], sent["decision_id"]);
    // Two unanswered messages are all a silence of more than 6 h allows (the staleness
    // guardrail), and no template step is configured: nothing more is planned.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(followups(&app, &owner, &conv).await[0]["status"], "sent");
    // The lead writes: the agent answers and a new follow-up is planned; the lead writes again
    // and it is cancelled in the same transaction as their message.
    lead_writes(&app, &owner, "+91 98000 00011", "ok, noted").await;
    let next = pending(&app, &owner, &conv).await;
    assert_eq!(next["step"], 1);
    lead_writes(&app, &owner, "+91 98000 00011", "ok thanks").await;
    let gone = followups(&app, &owner, &conv)
        .await
        .into_iter()
        .find(|f| f["id"] == next["id"])
        .unwrap();
    assert_eq!(gone["status"], "cancelled");
    assert_eq!(gone["status_reason"], "lead_replied");
    app.finish().await;
}

async fn cancel_cap_closed_stage_and_opt_out(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Rules Co").await;
    let mut settings = app
        .get("/api/v1/settings/followups", &owner.token)
        .await
        .body;
    settings["max_followups"] = json!(1);
    let r = app
        .put("/api/v1/settings/followups", &owner.token, settings)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // Cancel, then cancel again: 409.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00021", "Hello there").await;
    let f = pending(&app, &owner, &conv).await;
    let id = f["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/followups/{id}/cancel"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["status_reason"].as_str()),
        (Some("cancelled"), Some("user"))
    );
    let again = app
        .delete(&format!("/api/v1/followups/{id}"), &owner.token)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "followup_not_pending");
    let r = app
        .post(
            &format!("/api/v1/followups/{id}/send-now"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.code(), "followup_not_pending");

    // The cap: one per silence, so after it went nothing more is planned.
    lead_writes(&app, &owner, "+91 98000 00021", "Hello again").await;
    let f = pending(&app, &owner, &conv).await;
    let id = f["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/followups/{id}/send-now"),
        Some(&owner.token),
        json!({}),
    )
    .await;
    newest_where(&app, &owner, &conv, "sent", |f| f["status"] == "sent").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(followups(&app, &owner, &conv).await[0]["status"], "sent");

    // A closed stage: the due follow-up re-checks and skips itself.
    let (conv2, _) = lead_writes(&app, &owner, "+91 98000 00022", "Hi").await;
    let f = pending(&app, &owner, &conv2).await;
    app.sql(
        "UPDATE conversations SET stage = 'closed_won' WHERE id = ?",
        vec![uuid::Uuid::parse_str(&conv2).unwrap().into()],
    )
    .await;
    let id = f["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/followups/{id}/send-now"),
        Some(&owner.token),
        json!({}),
    )
    .await;
    let skipped = newest_where(&app, &owner, &conv2, "skipped", |f| {
        f["status"] == "skipped"
    })
    .await;
    assert_eq!(skipped["status_reason"], "stage_closed");

    // A person takes the conversation over: the bot's follow-up is cancelled at once.
    let (conv4, _) = lead_writes(&app, &owner, "+91 98000 00024", "Hi").await;
    let f = pending(&app, &owner, &conv4).await;
    let r = app
        .post(
            &format!("/api/v1/conversations/{conv4}/takeover"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .get(
            &format!("/api/v1/followups/{}", f["id"].as_str().unwrap()),
            &owner.token,
        )
        .await;
    assert_eq!(
        (r.body["status"].as_str(), r.body["status_reason"].as_str()),
        (Some("cancelled"), Some("handoff"))
    );

    // An opted-out lead never gets one, and a person cannot schedule one.
    let (conv3, _) = lead_writes(&app, &owner, "+91 98000 00023", "Hi").await;
    pending(&app, &owner, &conv3).await;
    lead_writes(&app, &owner, "+91 98000 00023", "STOP").await;
    eventually(20, "the opt-out confirmed", || async {
        let d = app
            .get(
                &format!("/api/v1/conversations/{conv3}/decisions"),
                &owner.token,
            )
            .await;
        (d.body["items"].as_array().unwrap().len() >= 2).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let all = followups(&app, &owner, &conv3).await;
    assert!(all.iter().all(|f| f["status"] != "pending"), "{all:?}");
    let r = app
        .post(
            "/api/v1/followups",
            Some(&owner.token),
            json!({"conversation_id": conv3, "due_at": (Utc::now() + Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.code(), "opted_out");
    app.finish().await;
}

async fn settings_are_validated_and_quiet_hours_push_the_time(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Quiet Co").await;
    let s = app.get("/api/v1/settings/followups", &owner.token).await;
    assert_eq!(s.status, StatusCode::OK);
    assert_eq!(s.body["enabled"], true);
    assert_eq!(s.body["in_window"], "agent");
    assert_eq!(s.body["max_followups"], 3);
    assert_eq!(
        s.body["stop_on_stages"],
        json!(["closed_won", "closed_lost"])
    );
    let mut bad = s.body.clone();
    bad["outside_window"] = json!([{"after_hours": 12, "template_id": uuid::Uuid::nil()}]);
    bad["quiet_hours"] = json!({"start": "9pm", "end": "09:00"});
    let r = app
        .put("/api/v1/settings/followups", &owner.token, bad)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    assert!(
        fields["outside_window[0].after_hours"].is_string(),
        "{fields}"
    );
    assert!(fields["quiet_hours.start"].is_string(), "{fields}");
    let mut bad = s.body.clone();
    bad["in_window"] = json!("sometimes");
    assert_eq!(
        app.put("/api/v1/settings/followups", &owner.token, bad)
            .await
            .status
            .as_u16()
            / 100,
        4
    );

    // Quiet from one hour from now for twelve hours (UTC: the organisation has no zone):
    // the agent's +6 h lands inside, so it moves to the end.
    let start = (Utc::now() + Duration::hours(1)).hour();
    let end = (start + 12) % 24;
    let mut quiet = s.body.clone();
    quiet["quiet_hours"] =
        json!({"start": format!("{start:02}:00"), "end": format!("{end:02}:00")});
    let r = app
        .put("/api/v1/settings/followups", &owner.token, quiet)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00031", "Hi").await;
    let f = pending(&app, &owner, &conv).await;
    let due: chrono::DateTime<Utc> = f["due_at"].as_str().unwrap().parse().unwrap();
    assert_eq!((due.hour(), due.minute()), (end, 0), "{f}");

    // Turning follow-ups off cancels what is pending.
    let mut off = r.body.clone();
    off["enabled"] = json!(false);
    assert_eq!(
        app.put("/api/v1/settings/followups", &owner.token, off)
            .await
            .status,
        StatusCode::OK
    );
    let f = followups(&app, &owner, &conv).await;
    assert_eq!(
        (f[0]["status"].as_str(), f[0]["status_reason"].as_str()),
        (Some("cancelled"), Some("disabled"))
    );
    app.finish().await;
}

/// Settings a newer version wrote, or a hand edit broke: the defaults would switch follow-ups
/// back on for an owner who turned them off, so they are an error and nothing is planned.
async fn unreadable_settings_are_an_error_never_the_defaults(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Off Co").await;
    let mut off = app
        .get("/api/v1/settings/followups", &owner.token)
        .await
        .body;
    off["enabled"] = json!(false);
    let r = app
        .put("/api/v1/settings/followups", &owner.token, off)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let unreadable = json!({"enabled": "only on weekdays"});
    app.sql(
        "UPDATE followup_settings SET settings = ?",
        vec![sea_orm::Value::Json(Some(Box::new(unreadable)))],
    )
    .await;

    let r = app.get("/api/v1/settings/followups", &owner.token).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{:?}", r.body);
    assert_eq!(r.body["error"]["code"], "internal_error");

    // The lead is still answered, once, and no follow-up is planned.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00041", "Hi").await;
    let replies = || async {
        let all = messages(&app, &owner, &conv).await;
        all.iter().filter(|m| m["direction"] == "out").count()
    };
    eventually(20, "the agent's reply", || async {
        (replies().await > 0).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(replies().await, 1);
    assert_eq!(followups(&app, &owner, &conv).await, Vec::<Value>::new());
    app.finish().await;
}

async fn other_organisations_and_viewers_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Mine Co").await;
    let other = app.signup_org("Other Co").await;
    let viewer = app.add_member(&owner, "viewer").await;
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00041", "Hi").await;
    let f = pending(&app, &owner, &conv).await;
    let id = f["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/followups/{id}"),
        format!("/api/v1/conversations/{conv}/followups"),
    ] {
        assert_eq!(
            app.get(&path, &other.token).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = app
        .post(
            &format!("/api/v1/followups/{id}/cancel"),
            Some(&other.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/followups", &other.token).await.body["items"],
        json!([])
    );
    let r = app
        .post(
            &format!("/api/v1/followups/{id}/send-now"),
            Some(&viewer.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/settings/followups", &viewer.token)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Viewers read.
    assert_eq!(
        app.get(&format!("/api/v1/followups/{id}"), &viewer.token)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(followups(&app, &owner, &conv).await[0]["status"], "pending");
    app.finish().await;
}

async fn past_the_window_the_approved_template_step_goes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Steps Co").await;
    let t = app
        .post(
            "/api/v1/templates",
            Some(&owner.token),
            json!({
                "name": "still_interested", "language": "en", "category": "UTILITY",
                "parameter_format": "NAMED",
                "body": {"text": "Hi {{first_name}}, just checking whether you still need help.",
                    "examples": {"first_name": "Maria"}},
                "variables": {"first_name": {"source": "contact", "key": "first_name", "fallback": "there"}},
            }),
        )
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.body);
    let tid = t.body["id"].as_str().unwrap().to_owned();
    let mut settings = app
        .get("/api/v1/settings/followups", &owner.token)
        .await
        .body;
    settings["in_window"] = json!("off");
    settings["quiet_hours"] = Value::Null;
    settings["outside_window"] = json!([{"after_hours": 48, "template_id": uuid::Uuid::now_v7()}]);
    let r = app
        .put("/api/v1/settings/followups", &owner.token, settings.clone())
        .await;
    assert!(
        r.body["error"]["details"]["fields"]["outside_window[0].template_id"].is_string(),
        "{:?}",
        r.body
    );
    settings["outside_window"] = json!([{"after_hours": 48, "template_id": tid}]);
    let r = app
        .put("/api/v1/settings/followups", &owner.token, settings)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // A draft is not approved: nothing is planned.
    let (conv, _) = lead_writes(&app, &owner, "+91 98000 00051", "Hi").await;
    eventually(20, "the agent's reply", || async {
        (messages(&app, &owner, &conv).await.len() >= 2).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(followups(&app, &owner, &conv).await.is_empty());

    // Approved (as Meta's webhook would say): the step is planned 48 h after the lead wrote.
    app.sql(
        "UPDATE templates SET status = 'approved' WHERE id = ?",
        vec![uuid::Uuid::parse_str(&tid).unwrap().into()],
    )
    .await;
    lead_writes(&app, &owner, "+91 98000 00051", "Tell me more").await;
    let f = pending(&app, &owner, &conv).await;
    assert_eq!(
        (f["kind"].as_str(), f["step"].as_i64()),
        (Some("template"), Some(1))
    );
    assert_eq!(f["reason"], "schedule_step");
    assert_eq!(f["template"]["name"], "still_interested");
    let due: chrono::DateTime<Utc> = f["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due > Utc::now() + Duration::hours(47), "{f}");
    let id = f["id"].as_str().unwrap();
    // The schedule sends it: it cannot be deleted from under the schedule (nor at Meta).
    let r = app
        .delete(&format!("/api/v1/templates/{tid}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "template_in_use");
    app.post(
        &format!("/api/v1/followups/{id}/send-now"),
        Some(&owner.token),
        json!({}),
    )
    .await;
    let sent = newest_where(&app, &owner, &conv, "template sent", |f| {
        f["status"] != "pending"
    })
    .await;
    assert_eq!(sent["status"], "sent", "{sent}");
    let msgs = messages(&app, &owner, &conv).await;
    let m = msgs.iter().find(|m| m["id"] == sent["message_id"]).unwrap();
    assert_eq!(m["type"], "template");
    // The variable comes from the lead (the name the agent learnt), not Meta's sample.
    assert!(!m["text"].as_str().unwrap().contains("Maria"), "{m}");
    assert_eq!(m["template"]["name"], "still_interested");
    assert_eq!(
        m["followup_id"], sent["id"],
        "the message names its follow-up"
    );
    // Out of the schedule and with nothing pending, it may go.
    let mut settings = app
        .get("/api/v1/settings/followups", &owner.token)
        .await
        .body;
    settings["outside_window"] = json!([]);
    app.put("/api/v1/settings/followups", &owner.token, settings)
        .await;
    let r = app
        .delete(&format!("/api/v1/templates/{tid}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{:?}", r.body);
    app.finish().await;
}

/// A lead's message that reaches us after its 24 h window closed (Meta held it, or the server
/// was down): the agent cannot answer in free text, so the schedule's template step is
/// planned from the lead's own time instead of nothing happening at all.
async fn a_message_that_arrives_after_its_window_closed_gets_the_template_step(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Late Co").await;
    let t = app
        .post(
            "/api/v1/templates",
            Some(&owner.token),
            json!({
                "name": "sorry_we_missed_you", "language": "en", "category": "UTILITY",
                "parameter_format": "NAMED",
                "body": {"text": "Hi {{first_name}}, sorry we missed your message. Still need help?",
                    "examples": {"first_name": "Maria"}},
                "variables": {"first_name": {"source": "contact", "key": "first_name", "fallback": "there"}},
            }),
        )
        .await;
    let tid = t.body["id"].as_str().unwrap().to_owned();
    app.sql(
        "UPDATE templates SET status = 'approved' WHERE id = ?",
        vec![uuid::Uuid::parse_str(&tid).unwrap().into()],
    )
    .await;
    let mut settings = app
        .get("/api/v1/settings/followups", &owner.token)
        .await
        .body;
    settings["quiet_hours"] = Value::Null;
    settings["outside_window"] = json!([{"after_hours": 48, "template_id": tid}]);
    let r = app
        .put("/api/v1/settings/followups", &owner.token, settings)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // The message was written 30 hours ago: its window closed before the agent could think.
    let (conv, msg) = lead_writes(&app, &owner, "+91 98000 00077", "Hi, I saw your ad").await;
    let written = Utc::now() - Duration::hours(30);
    app.sql(
        "UPDATE messages SET created_at = ? WHERE id = ?",
        vec![written.into(), uuid::Uuid::parse_str(&msg).unwrap().into()],
    )
    .await;
    app.sql(
        "UPDATE conversations SET window_open_until = ?, last_message_at = ? WHERE id = ?",
        vec![
            (written + Duration::hours(24)).into(),
            written.into(),
            uuid::Uuid::parse_str(&conv).unwrap().into(),
        ],
    )
    .await;
    let f = eventually(20, "a planned template step", || async {
        followups(&app, &owner, &conv)
            .await
            .into_iter()
            .find(|f| f["status"] == "pending")
    })
    .await;
    assert_eq!(
        (f["kind"].as_str(), f["step"].as_i64()),
        (Some("template"), Some(1)),
        "{f}"
    );
    // 48 hours after the lead wrote, not after we read it.
    let due: chrono::DateTime<Utc> = f["due_at"].as_str().unwrap().parse().unwrap();
    assert!(due < Utc::now() + Duration::hours(19), "{f}");
    // No free text went out past the window.
    let outbound: Vec<Value> = messages(&app, &owner, &conv)
        .await
        .into_iter()
        .filter(|m| m["direction"] == "outbound" && m["type"] == "text")
        .filter(|m| m["status"] != "failed")
        .collect();
    assert!(outbound.is_empty(), "{outbound:?}");
    app.finish().await;
}

async fn the_organisations_followups_page_soonest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Pages Co").await;
    let mut convs = vec![];
    for n in 1..=3 {
        let (conv, _) = lead_writes(&app, &owner, &format!("+91 98000 0007{n}"), "Hi").await;
        pending(&app, &owner, &conv).await;
        convs.push(conv);
    }
    let page = |cursor: Option<String>| {
        let app = &app;
        let token = owner.token.clone();
        async move {
            let cursor = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
            let r = app
                .get(
                    &format!("/api/v1/followups?status=pending&limit=2{cursor}"),
                    &token,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            r.body
        }
    };
    let first = page(None).await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let second = page(Some(cursor)).await;
    assert_eq!(second["next_cursor"], Value::Null);
    let listed: Vec<Value> = [&first, &second]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .collect();
    let mut seen: Vec<&str> = listed
        .iter()
        .map(|f| f["conversation_id"].as_str().unwrap())
        .collect();
    let dues: Vec<&str> = listed
        .iter()
        .map(|f| f["due_at"].as_str().unwrap())
        .collect();
    assert!(
        dues.windows(2).all(|w| w[0] <= w[1]),
        "soonest first: {dues:?}"
    );
    seen.sort();
    let mut expected: Vec<&str> = convs.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(
        seen, expected,
        "each follow-up once, none lost between pages"
    );
    let r = app
        .get("/api/v1/followups?cursor=not-a-cursor", &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["cursor"].is_string());
    app.finish().await;
}
