//! Campaigns (broadcasts) end to end against the local Graph stand-in: a saved view's leads
//! through the pre-flight to their stats, each send carrying its recipient as callback data;
//! Meta's 130429 / 131056 / 131049 answers and 131050 status routed; opt-outs excluded; no
//! duplicate with two replicas or after a kill -9 mid-campaign; other organisations' 404s and
//! viewers' 403s.

use crate::graph::{FakeGraph, GOOD_TOKEN, graph_error};
use crate::harness::{
    Backend, Closer, Session, TestApp, drop_database, eventually, fresh_database,
};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET, fixture, post_webhook};
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashSet;

on_both_databases!(
    a_saved_views_campaign_goes_through_preflight_to_its_stats,
    metas_errors_are_routed_per_recipient_and_number,
    campaigns_are_held_to_organisation_role_and_status,
    two_replicas_send_each_recipient_once
);

on_both_databases!(a_campaign_killed_mid_run_never_sends_twice);

/// A template approved by Meta's webhook: `category`, with `{{first_name}}` from the lead.
pub async fn approved_template(
    app: &TestApp,
    owner: &Session,
    name: &str,
    category: &str,
) -> Value {
    let body = json!({
        "name": name, "language": "en_US", "category": category, "parameter_format": "NAMED",
        "body": {"text": "Hi {{first_name}}, our spring offer is here.",
            "examples": {"first_name": "Maria"}},
        "variables": {"first_name": {"source": "contact", "key": "first_name", "fallback": "there"}},
    });
    let r = app
        .post("/api/v1/templates", Some(&owner.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/submit"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    template_event(app, "template_status_update_approved.json", &r.body).await;
    r.body
}

async fn template_event(app: &TestApp, name: &str, t: &Value) {
    let mut body = fixture(name);
    let v = &mut body["entry"][0]["changes"][0]["value"];
    v["message_template_id"] = json!(t["provider_id"].as_str().unwrap().parse::<u64>().unwrap());
    v["message_template_name"] = t["name"].clone();
    post_webhook(app, &body).await;
}

async fn lead(app: &TestApp, owner: &Session, body: Value) -> String {
    let r = app.post("/api/v1/leads", Some(&owner.token), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn create(app: &TestApp, owner: &Session, body: Value) -> Value {
    let r = app
        .post("/api/v1/campaigns", Some(&owner.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn post(app: &TestApp, s: &Session, path: &str) -> crate::harness::Reply {
    app.post(path, Some(&s.token), json!({})).await
}

async fn recipients(app: &TestApp, s: &Session, id: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/campaigns/{id}/recipients?limit=200"),
            &s.token,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn status_of(app: &TestApp, s: &Session, id: &str) -> String {
    let r = app.get(&format!("/api/v1/campaigns/{id}"), &s.token).await;
    r.body["status"].as_str().unwrap_or_default().to_owned()
}

async fn status_webhook(app: &TestApp, fixture_name: &str, wamid: &str, status: Option<&str>) {
    let mut body = fixture(fixture_name);
    let s = &mut body["entry"][0]["changes"][0]["value"]["statuses"][0];
    s["id"] = json!(wamid);
    if let Some(status) = status {
        s["status"] = json!(status);
    }
    s["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    post_webhook(app, &body).await;
}

async fn a_saved_views_campaign_goes_through_preflight_to_its_stats(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let mut ws = app.ws(&owner.token).await;
    let utility = approved_template(&app, &owner, "spring_offer", "UTILITY").await;
    let marketing = approved_template(&app, &owner, "spring_promo", "MARKETING").await;
    // The lead of the inbound fixture, and three more in Pune; one opted out, one stopped
    // promotions; one in Goa the view leaves out.
    let maria = lead(
        &app,
        &owner,
        json!({"phone": "+15557654321", "name": "Maria Lopez", "city": "Pune"}),
    )
    .await;
    lead(
        &app,
        &owner,
        json!({"phone": "+919876500041", "name": "Asha", "city": "Pune"}),
    )
    .await;
    let out = lead(
        &app,
        &owner,
        json!({"phone": "+919876500042", "name": "Ravi", "city": "Pune"}),
    )
    .await;
    let promo = lead(
        &app,
        &owner,
        json!({"phone": "+919876500043", "name": "Meera", "city": "Pune"}),
    )
    .await;
    lead(
        &app,
        &owner,
        json!({"phone": "+919876500044", "name": "Goa", "city": "Goa"}),
    )
    .await;
    app.sql(
        "UPDATE contacts SET opted_out = ? WHERE id = ?",
        vec![true.into(), out.parse::<uuid::Uuid>().unwrap().into()],
    )
    .await;
    app.sql(
        "UPDATE contacts SET marketing_opt_out = ? WHERE id = ?",
        vec![true.into(), promo.parse::<uuid::Uuid>().unwrap().into()],
    )
    .await;
    let view = app
        .post("/api/v1/views", Some(&owner.token), json!({"name": "Pune",
            "filter": [{"field": "city", "operator": "equal_to", "value": "Pune"}], "shared": true}))
        .await;
    assert_eq!(view.status, StatusCode::CREATED, "{:?}", view.body);
    let view_id = view.body["id"].as_str().unwrap();

    // A marketing template: a US number and a lead who stopped promotions are excluded too.
    let promo_campaign = create(
        &app,
        &owner,
        json!({"name": "Promo", "template_id": marketing["id"],
        "audience": {"view_id": view_id}}),
    )
    .await;
    let pid = promo_campaign["id"].as_str().unwrap();
    let p = post(&app, &owner, &format!("/api/v1/campaigns/{pid}/preflight")).await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(p.body["recipients"], 1, "{:?}", p.body);
    assert_eq!(
        p.body["excluded"],
        json!({"opted_out": 1, "marketing_opted_out": 1, "us_marketing_block": 1})
    );

    let c = create(
        &app,
        &owner,
        json!({"name": "Spring", "template_id": utility["id"],
        "audience": {"view_id": view_id}, "pacing": {"rate_per_second": 20}}),
    )
    .await;
    assert_eq!(c["status"], "draft");
    assert_eq!(
        c["pacing"],
        json!({"rate_per_second": 20, "recipient_gap_seconds": 6})
    );
    let id = c["id"].as_str().unwrap();
    let p = post(&app, &owner, &format!("/api/v1/campaigns/{id}/preflight")).await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(p.body["recipients"], 3, "{:?}", p.body);
    assert_eq!(p.body["excluded"], json!({"opted_out": 1}));
    assert_eq!(p.body["messaging_limit"]["tier"], "TIER_1K");
    assert_eq!(p.body["messaging_limit"]["limit"], 1000);
    assert_eq!(p.body["template"]["status"], "approved");
    assert_eq!(p.body["template"]["category"], "utility");
    assert_eq!(p.body["blocking"], json!([]));
    assert!(
        p.body["estimated_cost"]["amount"].as_f64().unwrap() > 0.0,
        "{:?}",
        p.body
    );
    assert!(graph.sends().is_empty(), "a pre-flight sends nothing");

    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/start")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "running");
    loop {
        let updated = ws.expect("campaign:updated", 10).await;
        if updated["campaign"]["id"] == id {
            break;
        }
    }
    eventually(30, "the campaign to complete", || async {
        (status_of(&app, &owner, id).await == "completed").then_some(())
    })
    .await;
    let sends = graph.sends();
    assert_eq!(sends.len(), 3, "{sends:?}");
    let list = recipients(&app, &owner, id).await;
    assert_eq!(list.len(), 4);
    for r in &list {
        if r["lead_id"] == out.as_str() {
            assert_eq!(r["status"], "skipped");
            assert_eq!(r["reason"], "opted_out");
            continue;
        }
        assert_eq!(r["status"], "sent", "{r:?}");
        let send = sends
            .iter()
            .find(|s| s["biz_opaque_callback_data"] == r["id"])
            .expect("each send names its recipient");
        assert_eq!(send["template"]["name"], "spring_offer");
        assert_eq!(
            format!("+{}", send["to"].as_str().unwrap().trim_start_matches('+')),
            r["phone"].as_str().unwrap()
        );
    }
    let maria_r = list
        .iter()
        .find(|r| r["lead_id"] == maria.as_str())
        .unwrap();
    let wamid = maria_r["provider_message_id"].as_str().unwrap().to_owned();

    // Meta's statuses move her forward only; her reply within a week marks her replied.
    status_webhook(&app, "status_read.json", &wamid, Some("read")).await;
    status_webhook(&app, "status_delivered.json", &wamid, Some("delivered")).await;
    let mut inbound = fixture("inbound_text.json");
    let m = &mut inbound["entry"][0]["changes"][0]["value"]["messages"][0];
    m["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    post_webhook(&app, &inbound).await;
    eventually(10, "Maria's reply to be attributed", || async {
        let list = recipients(&app, &owner, id).await;
        let r = list.iter().find(|r| r["lead_id"] == maria.as_str())?;
        (r["status"] == "replied" && r["read_at"].is_string()).then_some(())
    })
    .await;
    let broadcast = app
        .sql_text(
            "SELECT CAST(broadcast AS TEXT) FROM conversations WHERE contact_id IN \
             (SELECT id FROM contacts WHERE phone = '+15557654321')",
        )
        .await
        .unwrap();
    let broadcast: Value = serde_json::from_str(&broadcast).unwrap();
    assert_eq!(broadcast["campaign_id"], id);
    assert!(broadcast["replied_at"].is_string());
    // The conversation view names the broadcast it came from and when she replied.
    let list = app.get("/api/v1/conversations", &owner.token).await;
    let conv = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["phone"] == "+15557654321")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .unwrap();
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        detail.body["broadcast"]["campaign_id"], id,
        "{:?}",
        detail.body
    );
    assert_eq!(detail.body["broadcast"]["name"], "Spring");
    assert!(detail.body["broadcast"]["sent_at"].is_string());
    assert!(detail.body["broadcast"]["replied_at"].is_string());
    let replied = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM activities WHERE kind = 'campaign_replied'")
        .await;
    assert_eq!(replied.as_deref(), Some("1"));

    let stats = app
        .get(&format!("/api/v1/campaigns/{id}/stats"), &owner.token)
        .await;
    assert_eq!(stats.status, StatusCode::OK);
    assert_eq!(stats.body["recipients"], 3, "{:?}", stats.body);
    assert_eq!(stats.body["counts"]["sent"], 2);
    assert_eq!(stats.body["counts"]["replied"], 1);
    assert_eq!(stats.body["counts"]["skipped"], 1);
    let third = 1.0 / 3.0;
    assert!((stats.body["rates"]["replied"].as_f64().unwrap() - third).abs() < 1e-9);
    assert_eq!(stats.body["excluded"], json!({"opted_out": 1}));

    // Filters and the CSV export.
    let skipped = app
        .get(
            &format!("/api/v1/campaigns/{id}/recipients?status=skipped"),
            &owner.token,
        )
        .await;
    assert_eq!(skipped.body["items"].as_array().unwrap().len(), 1);
    let csv = app
        .http
        .get(format!(
            "{}/api/v1/campaigns/{id}/recipients?format=csv",
            app.base
        ))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with("id,lead_id,phone,name,status")
    );
    assert!(text.contains("replied"));
    // Started: its settings are frozen.
    let r = app
        .put(
            &format!("/api/v1/campaigns/{id}"),
            &owner.token,
            json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "campaign_status");
    app.finish().await;
}

async fn metas_errors_are_routed_per_recipient_and_number(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let t = approved_template(&app, &owner, "spring_offer", "UTILITY").await;
    let mut leads = vec![];
    for i in 0..3 {
        leads.push(lead(&app, &owner, json!({"phone": format!("+91987650010{i}"), "name": format!("Lead {i}"), "tags": ["spring"]})).await);
    }
    // Over the number's throughput, then one user too fast, then one user's marketing cap.
    graph.script([
        (400, graph_error(130429, "Rate limit hit")),
        (400, graph_error(131056, "Pair rate limit hit")),
        (
            400,
            graph_error(
                131049,
                "Not delivered to maintain healthy ecosystem engagement",
            ),
        ),
    ]);
    let c = create(
        &app,
        &owner,
        json!({"name": "Errors", "template_id": t["id"],
        "audience": {"tags": ["spring"]}, "retry": {"marketing_cap_days": 2}}),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/start")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let list = eventually(40, "two sent and one waiting for tomorrow", || async {
        let list = recipients(&app, &owner, id).await;
        let sent = list.iter().filter(|r| r["status"] == "sent").count();
        let retrying = list.iter().filter(|r| r["status"] == "retrying").count();
        (sent == 2 && retrying == 1).then_some(list)
    })
    .await;
    assert_eq!(graph.sends().len(), 5, "three refused, two accepted");
    let capped = list.iter().find(|r| r["status"] == "retrying").unwrap();
    assert_eq!(capped["error"]["code"], 131049);
    let retry_at: chrono::DateTime<chrono::Utc> =
        capped["retry_at"].as_str().unwrap().parse().unwrap();
    assert!(retry_at > chrono::Utc::now() + chrono::Duration::hours(23));
    // The one refused for its pace waited at least the gap after its refusal.
    let attempts: Vec<i64> = list
        .iter()
        .map(|r| r["attempts"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts.iter().sum::<i64>(), 5, "{attempts:?}");
    // The number slowed down after 130429 and is climbing back.
    let rate = app
        .sql_text("SELECT CAST(rate AS TEXT) FROM number_pacing")
        .await
        .unwrap();
    let rate: i64 = rate.parse().unwrap();
    assert!((40..80).contains(&rate), "{rate}");
    // The campaign still has a recipient to try: it is running, not completed.
    assert_eq!(status_of(&app, &owner, id).await, "running");

    // A 131050 status after acceptance: failed, and the lead stopped promotions.
    let sent = list.iter().find(|r| r["status"] == "sent").unwrap();
    let wamid = sent["provider_message_id"].as_str().unwrap();
    status_webhook(&app, "status_failed_131050.json", wamid, None).await;
    let failed = eventually(10, "the 131050 to fail the recipient", || async {
        let list = recipients(&app, &owner, id).await;
        list.into_iter()
            .find(|r| r["id"] == sent["id"] && r["status"] == "failed")
    })
    .await;
    assert_eq!(failed["reason"], "marketing_opted_out");
    let phone = sent["phone"].as_str().unwrap();
    let stopped = app
        .sql_text(&format!(
            "SELECT CAST(marketing_opt_out AS TEXT) FROM contacts WHERE phone = '{phone}'"
        ))
        .await
        .unwrap();
    assert!(stopped == "true" || stopped == "1", "{stopped}");

    // Meta pauses the template: the campaign pauses with the reason; only a person resumes.
    template_event(&app, "template_status_update_paused.json", &t).await;
    eventually(10, "the campaign to pause", || async {
        let r = app
            .get(&format!("/api/v1/campaigns/{id}"), &owner.token)
            .await;
        (r.body["status"] == "paused" && r.body["paused_reason"] == "template_paused").then_some(())
    })
    .await;
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/cancel")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    let list = recipients(&app, &owner, id).await;
    let skipped = list.iter().find(|r| r["status"] == "skipped").unwrap();
    assert_eq!(skipped["reason"], "cancelled");
    app.finish().await;
}

async fn campaigns_are_held_to_organisation_role_and_status(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    let viewer = app.add_member(&owner, "viewer").await;
    let agent = app.add_member(&owner, "agent").await;
    let other = app.signup_org("Other").await;
    let t = approved_template(&app, &owner, "spring_offer", "UTILITY").await;
    // A placeholder with no mapping anywhere: 422 naming it.
    let draft = app
        .post(
            "/api/v1/templates",
            Some(&owner.token),
            json!({
            "name": "bare", "language": "en_US", "category": "UTILITY", "parameter_format": "NAMED",
            "body": {"text": "Your code is {{code}}.", "examples": {"code": "1234"}}}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{:?}", draft.body);
    let r = app
        .post(
            "/api/v1/campaigns",
            Some(&owner.token),
            json!({"name": "X", "template_id": draft.body["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "unmapped_variables");
    assert_eq!(r.body["error"]["details"]["variables"], json!(["code"]));
    let r = app
        .post(
            "/api/v1/campaigns",
            Some(&owner.token),
            json!({"name": "", "pacing": {"rate_per_second": 5000, "recipient_gap_seconds": 2}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    for f in [
        "name",
        "pacing.rate_per_second",
        "pacing.recipient_gap_seconds",
    ] {
        assert!(fields.get(f).is_some(), "{f} in {fields:?}");
    }
    // A draft template, an empty audience: the start is refused with the blocking code.
    let c = create(
        &app,
        &owner,
        json!({"name": "Mapped", "template_id": draft.body["id"],
        "variables": {"code": {"source": "static", "key": "0000"}}}),
    )
    .await;
    let id = c["id"].as_str().unwrap().to_owned();
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/start")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "template_not_approved");
    let r = app
        .put(
            &format!("/api/v1/campaigns/{id}"),
            &owner.token,
            json!({"name": "Mapped", "template_id": t["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/start")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "empty_audience");
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/resume")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "campaign_status");

    // Everyone reads; only owners and admins write.
    for s in [&viewer, &agent] {
        let r = app.get(&format!("/api/v1/campaigns/{id}"), &s.token).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app
            .post("/api/v1/campaigns", Some(&s.token), json!({"name": "No"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        for action in ["preflight", "start", "pause", "resume", "cancel"] {
            let r = post(&app, s, &format!("/api/v1/campaigns/{id}/{action}")).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
        }
        let r = app
            .put(
                &format!("/api/v1/campaigns/{id}"),
                &s.token,
                json!({"name": "No"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .delete(&format!("/api/v1/campaigns/{id}"), &s.token)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // Another organisation finds nothing, whatever it tries.
    let r = app.get("/api/v1/campaigns", &other.token).await;
    assert_eq!(r.body["items"], json!([]));
    for path in ["", "/recipients", "/stats"] {
        let r = app
            .get(&format!("/api/v1/campaigns/{id}{path}"), &other.token)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    for action in ["preflight", "start", "pause", "resume", "cancel"] {
        let r = post(&app, &other, &format!("/api/v1/campaigns/{id}/{action}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{action}");
    }
    let r = app
        .put(
            &format!("/api/v1/campaigns/{id}"),
            &other.token,
            json!({"name": "Mine"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .delete(&format!("/api/v1/campaigns/{id}"), &other.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The owner deletes the draft.
    let r = app
        .delete(&format!("/api/v1/campaigns/{id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get(&format!("/api/v1/campaigns/{id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

/// Every send's recipient phone, with how many times it was sent.
fn sent_phones(graph: &FakeGraph) -> Vec<String> {
    graph
        .sends()
        .iter()
        .filter_map(|s| s["to"].as_str().map(str::to_owned))
        .collect()
}

async fn two_replicas_send_each_recipient_once(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let second = app.replica().await;
    let t = approved_template(&app, &owner, "spring_offer", "UTILITY").await;
    for i in 0..24 {
        lead(
            &app,
            &owner,
            json!({"phone": format!("+9198765002{i:02}"), "tags": ["both"]}),
        )
        .await;
    }
    let c = create(
        &app,
        &owner,
        json!({"name": "Both", "template_id": t["id"],
        "audience": {"tags": ["both"]}, "pacing": {"rate_per_second": 10}}),
    )
    .await;
    let id = c["id"].as_str().unwrap();
    // Started through the second replica, paused and resumed through the first.
    let r = post(&second, &owner, &format!("/api/v1/campaigns/{id}/start")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/pause")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // No send starts more than 2 s after the pause.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let at_pause = graph.sends().len();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        graph.sends().len(),
        at_pause,
        "nothing is sent while paused"
    );
    let r = post(&app, &owner, &format!("/api/v1/campaigns/{id}/resume")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    eventually(40, "the campaign to complete", || async {
        (status_of(&app, &owner, id).await == "completed").then_some(())
    })
    .await;
    let phones = sent_phones(&graph);
    let unique: HashSet<&String> = phones.iter().collect();
    assert_eq!(phones.len(), 24, "{phones:?}");
    assert_eq!(unique.len(), 24, "nobody got the campaign twice");
    drop(second);
    app.finish().await;
}

async fn a_campaign_killed_mid_run_never_sends_twice(b: Backend) {
    let graph = FakeGraph::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (url, pg) = fresh_database(b, dir.path()).await;
    let http = reqwest::Client::new();
    let env = [("CLOSER_WHATSAPP_GRAPH_URL", graph.url.as_str())];
    let first = Closer::start(&url, dir.path(), &env).await;
    let owner = first.signup_owner(&http).await;
    let call = |base: String, path: &str, body: Value| {
        let req = http
            .post(format!("{base}{path}"))
            .bearer_auth(&owner.token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (s, body) = call(
        first.base.clone(),
        "/api/v1/settings/whatsapp/connect",
        json!({
        "phone_number_id": NUMBER, "waba_id": "100000000000001", "access_token": GOOD_TOKEN,
        "app_secret": SECRET, "verify_token": "verify-me"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body:?}");
    let (s, t) = call(first.base.clone(), "/api/v1/templates", json!({
        "name": "spring_offer", "language": "en_US", "category": "UTILITY", "parameter_format": "NAMED",
        "body": {"text": "Hi {{first_name}}!", "examples": {"first_name": "Maria"}},
        "variables": {"first_name": {"source": "contact", "key": "first_name", "fallback": "there"}}})).await;
    assert_eq!(s, StatusCode::CREATED, "{t:?}");
    let tid = t["id"].as_str().unwrap();
    let (s, body) = call(
        first.base.clone(),
        &format!("/api/v1/templates/{tid}/submit"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body:?}");
    // Approved (as Meta's webhook would say).
    let mut event = fixture("template_status_update_approved.json");
    let v = &mut event["entry"][0]["changes"][0]["value"];
    v["message_template_id"] = json!(
        body["provider_id"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    );
    v["message_template_name"] = json!("spring_offer");
    let raw = serde_json::to_vec(&event).unwrap();
    let r = http
        .post(format!("{}/webhooks/whatsapp", first.base))
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
    for i in 0..12 {
        let (s, body) = call(
            first.base.clone(),
            "/api/v1/leads",
            json!({"phone": format!("+9198765003{i:02}"), "tags": ["crash"]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body:?}");
    }
    let (s, c) = call(
        first.base.clone(),
        "/api/v1/campaigns",
        json!({"name": "Crash", "template_id": tid,
        "audience": {"tags": ["crash"]}, "pacing": {"rate_per_second": 3}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c:?}");
    let id = c["id"].as_str().unwrap().to_owned();
    let (s, body) = call(
        first.base.clone(),
        &format!("/api/v1/campaigns/{id}/start"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body:?}");
    eventually(20, "a few sends before the crash", || async {
        (graph.sends().len() >= 3).then_some(())
    })
    .await;
    first.kill_9();
    let before = graph.sends().len();
    assert!(before < 12, "killed mid-campaign");

    let second = Closer::start(&url, dir.path(), &env).await;
    let get = |path: String| {
        let req = http
            .get(format!("{}{path}", second.base))
            .bearer_auth(&owner.token);
        async move { req.send().await.ok()?.json::<Value>().await.ok() }
    };
    let list = eventually(90, "the campaign to finish after the restart", || async {
        let c = get(format!("/api/v1/campaigns/{id}")).await?;
        if c["status"] != "completed" {
            return None;
        }
        get(format!("/api/v1/campaigns/{id}/recipients?limit=200")).await
    })
    .await;
    let phones = sent_phones(&graph);
    let unique: HashSet<&String> = phones.iter().collect();
    assert_eq!(
        unique.len(),
        phones.len(),
        "nobody got the campaign twice: {phones:?}"
    );
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    for r in items {
        let ok =
            r["status"] == "sent" || (r["status"] == "failed" && r["reason"] == "send_interrupted");
        assert!(ok, "{r:?}");
    }
    let sent = items.iter().filter(|r| r["status"] == "sent").count();
    assert!(
        sent >= phones.len().saturating_sub(1),
        "a send cut short is the only one unrecorded"
    );
    drop(second);
    if let Some(db) = pg {
        drop_database(&db).await;
    }
}
