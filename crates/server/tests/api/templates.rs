//! WhatsApp templates end to end against the local Graph stand-in: drafts linted, submitted
//! in Meta's shape, followed by Meta's webhooks (approved, rejected, paused, quality,
//! category), sent from a closed-window conversation with the lead's values, and refused when
//! the lead stopped promotions or Meta restricted the account.

use crate::conversations::{message_reaches, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_template_goes_from_draft_to_a_closed_window_send,
    meta_rejects_pauses_and_rates_templates,
    promotions_stop_and_restrictions_block_template_sends,
    templates_are_held_to_organisation_and_role
);

const SECRET: &str = "app-secret-value";
const NUMBER: &str = "200000000000001";
const WABA: &str = "100000000000001";

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../whatsapp/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

async fn post_webhook(app: &TestApp, body: &Value, secret: &str) -> StatusCode {
    let raw = serde_json::to_vec(body).unwrap();
    app.http
        .post(format!("{}/webhooks/whatsapp", app.base))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            closer_whatsapp::signature::sign(secret.as_bytes(), &raw),
        )
        .body(raw)
        .send()
        .await
        .unwrap()
        .status()
}

/// Maria writes now; then her window is closed, as if a day went by.
async fn closed_window_conversation(app: &TestApp, owner: &Session) -> String {
    let mut body = fixture("inbound_text.json");
    let msg = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    assert_eq!(post_webhook(app, &body, SECRET).await, StatusCode::OK);
    let list = app.get("/api/v1/conversations", &owner.token).await;
    let conv = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    app.sql(
        "UPDATE conversations SET window_open_until = ?",
        vec![past.into()],
    )
    .await;
    conv
}

fn order_confirmation() -> Value {
    json!({
        "name": "order_confirmation", "language": "en_US", "category": "UTILITY",
        "parameter_format": "NAMED",
        "body": {"text": "Thank you, {{first_name}}! Your order number is {{order_number}}.",
            "examples": {"first_name": "Maria", "order_number": "ORD-2026-7781"}},
        "variables": {"first_name": {"source": "contact", "key": "first_name", "fallback": "there"}},
    })
}

async fn create(app: &TestApp, owner: &Session, body: Value) -> Value {
    let r = app
        .post("/api/v1/templates", Some(&owner.token), body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn submit(app: &TestApp, owner: &Session, id: &str) -> Value {
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/submit"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// Meta's status webhook for the template, from the fixture of that event.
async fn status_event(app: &TestApp, fixture_name: &str, t: &Value) {
    let mut body = fixture(fixture_name);
    let v = &mut body["entry"][0]["changes"][0]["value"];
    v["message_template_id"] = json!(t["provider_id"].as_str().unwrap().parse::<u64>().unwrap());
    v["message_template_name"] = t["name"].clone();
    assert_eq!(post_webhook(app, &body, SECRET).await, StatusCode::OK);
}

async fn status(app: &TestApp, owner: &Session, id: &str) -> Value {
    app.get(&format!("/api/v1/templates/{id}/status"), &owner.token)
        .await
        .body
}

async fn send(
    app: &TestApp,
    owner: &Session,
    conv: &str,
    template: &str,
    vars: Value,
) -> crate::harness::Reply {
    app.post(
        "/api/v1/messages/send",
        Some(&owner.token),
        json!({"conversation_id": conv, "template_id": template, "variables": vars}),
    )
    .await
}

async fn a_template_goes_from_draft_to_a_closed_window_send(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;

    // Meta's limits, every field named at once.
    let mut bad = order_confirmation();
    bad["name"] = json!("Order Confirmation");
    bad["body"]["text"] = json!("{{first_name}}{{order_number}}");
    bad["body"]["examples"] = json!({});
    bad["buttons"] = json!([{"type": "URL", "text": "Open", "url": "https://shop.example/{{1}}"}]);
    let r = app.post("/api/v1/templates", Some(&owner.token), bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.code(), "validation_failed");
    let fields = &r.body["error"]["details"]["fields"];
    for f in [
        "name",
        "body.text",
        "body.examples.first_name",
        "buttons[0].example",
    ] {
        assert!(fields[f].is_string(), "{f} in {fields}");
    }

    let t = create(&app, &owner, order_confirmation()).await;
    assert_eq!(t["status"], "draft");
    assert_eq!(t["category"], "utility");
    let id = t["id"].as_str().unwrap().to_owned();
    let dup = app
        .post(
            "/api/v1/templates",
            Some(&owner.token),
            order_confirmation(),
        )
        .await;
    assert_eq!(
        (dup.status, dup.code()),
        (StatusCode::CONFLICT, "template_exists")
    );

    // Submitted in Meta's shape; pending with Meta's id; locked from then on.
    let t = submit(&app, &owner, &id).await;
    assert_eq!(t["status"], "pending");
    assert!(t["provider_id"].is_string());
    let calls = graph.template_calls();
    assert_eq!(calls[0]["waba"], WABA);
    assert_eq!(
        calls[0]["body"],
        fixture("template_create_request_named.json")
    );
    let again = app
        .post(
            &format!("/api/v1/templates/{id}/submit"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "already_submitted")
    );
    let put = app
        .put(
            &format!("/api/v1/templates/{id}"),
            &owner.token,
            order_confirmation(),
        )
        .await;
    assert_eq!(
        (put.status, put.code()),
        (StatusCode::CONFLICT, "template_locked")
    );

    let conv = closed_window_conversation(&app, &owner).await;
    let early = send(&app, &owner, &conv, &id, json!({"order_number": "A1"})).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.code(), "template_not_approved");
    assert_eq!(early.body["error"]["details"]["status"], "pending");

    status_event(&app, "template_status_update_approved.json", &t).await;
    assert_eq!(status(&app, &owner, &id).await["status"], "approved");

    // The preview fills what it can from Maria, Meta's sample for the rest.
    let p = app
        .post(
            &format!("/api/v1/templates/{id}/preview"),
            Some(&owner.token),
            json!({"conversation_id": conv}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(
        p.body["body"],
        "Thank you, Maria! Your order number is ORD-2026-7781."
    );
    assert_eq!(p.body["variables"]["first_name"]["source"], "contact");
    assert_eq!(p.body["variables"]["order_number"]["source"], "example");
    assert_eq!(p.body["missing"], json!(["order_number"]));

    let missing = send(&app, &owner, &conv, &id, json!({})).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "missing_variables")
    );
    let free = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "text": "Hi?"}),
        )
        .await;
    assert_eq!(
        free.code(),
        "window_closed",
        "free text stays refused outside the window"
    );

    let r = send(
        &app,
        &owner,
        &conv,
        &id,
        json!({"order_number": "ORD-2026-7781"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let m = &r.body["message"];
    assert_eq!(m["type"], "template");
    assert_eq!(
        m["text"],
        "Thank you, Maria! Your order number is ORD-2026-7781."
    );
    assert_eq!(m["template"]["name"], "order_confirmation");
    assert_eq!(m["template"]["category"], "utility");
    assert_eq!(m["template"]["variables"]["order_number"], "ORD-2026-7781");
    let mid = m["id"].as_str().unwrap().to_owned();
    message_reaches(&app, &owner, &conv, &mid, "sent").await;
    let mut expected = fixture("send_template_named.json");
    expected["to"] = json!("+15557654321");
    assert_eq!(graph.sends().last().unwrap(), &expected);
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        detail.body["mode"], "bot",
        "a template send leaves the mode as it was"
    );
    app.finish().await;
}

async fn meta_rejects_pauses_and_rates_templates(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let mut promo = order_confirmation();
    promo["name"] = json!("winter_sale_promo");
    promo["category"] = json!("marketing");
    promo["buttons"] = json!([{"type": "quick_reply", "text": "Stop promotions"}]);
    let t = create(&app, &owner, promo.clone()).await;
    let id = t["id"].as_str().unwrap().to_owned();

    // Meta's 4xx is a 422 naming its code.
    graph.script_templates([(400, crate::graph::graph_error(100, "Invalid parameter"))]);
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/submit"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "provider_rejected")
    );
    assert_eq!(r.body["error"]["details"]["code"], 100);

    let t = submit(&app, &owner, &id).await;
    status_event(&app, "template_status_update_rejected.json", &t).await;
    let s = status(&app, &owner, &id).await;
    assert_eq!(s["status"], "rejected");
    assert_eq!(s["rejected_reason"], "INVALID_FORMAT");
    assert!(
        s["status_detail"]
            .as_str()
            .unwrap()
            .contains("next to each other")
    );
    // A rejected template may be edited (a draft again) and resubmitted.
    promo["body"]["text"] =
        json!("Hi {{first_name}}! Our winter sale starts now, order {{order_number}} today.");
    let put = app
        .put(&format!("/api/v1/templates/{id}"), &owner.token, promo)
        .await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    assert_eq!(put.body["status"], "draft");
    let t = submit(&app, &owner, &id).await;

    status_event(&app, "template_status_update_paused.json", &t).await;
    let s = status(&app, &owner, &id).await;
    assert_eq!(s["status"], "paused");
    let until: chrono::DateTime<chrono::Utc> = s["paused_until"].as_str().unwrap().parse().unwrap();
    let hours = (until - chrono::Utc::now()).num_minutes();
    assert!(
        (170..=180).contains(&hours),
        "FIRST_PAUSE is 3 h: {hours} min"
    );

    let mut quality = fixture("template_quality_update.json");
    quality["entry"][0]["changes"][0]["value"]["message_template_id"] =
        json!(t["provider_id"].as_str().unwrap().parse::<u64>().unwrap());
    assert_eq!(post_webhook(&app, &quality, SECRET).await, StatusCode::OK);
    let category = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA, "time": 1, "changes": [{"field": "template_category_update",
        "value": {"message_template_id": t["provider_id"], "message_template_name": "winter_sale_promo", "message_template_language": "en_US",
            "previous_category": "MARKETING", "new_category": "UTILITY"}}]}]});
    assert_eq!(post_webhook(&app, &category, SECRET).await, StatusCode::OK);
    let s = status(&app, &owner, &id).await;
    assert_eq!(s["quality"], "yellow");
    assert_eq!(s["category"], "utility");
    let events: Vec<&str> = s["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["event"].as_str())
        .collect();
    assert!(
        events.contains(&"REJECTED") && events.contains(&"PAUSED"),
        "{events:?}"
    );

    // Unsigned by the account's secret: 401, nothing changes. Unknown account: 200.
    let mut approved = fixture("template_status_update_approved.json");
    approved["entry"][0]["changes"][0]["value"]["message_template_id"] =
        json!(t["provider_id"].as_str().unwrap().parse::<u64>().unwrap());
    assert_eq!(
        post_webhook(&app, &approved, "wrong-secret").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status(&app, &owner, &id).await["status"], "paused");
    approved["entry"][0]["id"] = json!("999999999999999");
    assert_eq!(
        post_webhook(&app, &approved, "whatever").await,
        StatusCode::OK
    );

    // Meta's own list: the one made in Meta's tools is added, ours takes Meta's word.
    graph.list_templates(fixture("template_list_response.json"));
    let r = app
        .post("/api/v1/templates/sync", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["created"].as_u64(), r.body["updated"].as_u64()),
        (Some(1), Some(1))
    );
    let list = app
        .get("/api/v1/templates?status=approved", &owner.token)
        .await;
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, vec!["appointment_reminder"]);

    // An account with more templates than one page of Meta's list: every page is read.
    let many: Vec<Value> = (0..230)
        .map(|i| {
            json!({"name": format!("offer_{i:03}"), "language": "en", "status": "APPROVED",
                "category": "MARKETING", "id": format!("{}", 600000000000000u64 + i),
                "components": [{"type": "BODY", "text": format!("Offer {i} is live.")}]})
        })
        .collect();
    graph.list_templates(json!({ "data": many }));
    let r = app
        .post("/api/v1/templates/sync", Some(&owner.token), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["created"].as_u64(), Some(230), "{:?}", r.body);
    app.finish().await;
}

async fn approved_template(app: &TestApp, owner: &Session, body: Value) -> String {
    let t = create(app, owner, body).await;
    let t = submit(app, owner, t["id"].as_str().unwrap()).await;
    status_event(app, "template_status_update_approved.json", &t).await;
    t["id"].as_str().unwrap().to_owned()
}

async fn promotions_stop_and_restrictions_block_template_sends(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let mut promo = order_confirmation();
    promo["name"] = json!("spring_promo");
    promo["category"] = json!("MARKETING");
    let promo = approved_template(&app, &owner, promo).await;
    let utility = approved_template(&app, &owner, order_confirmation()).await;
    let conv = closed_window_conversation(&app, &owner).await;
    let vars = json!({"order_number": "A1"});

    let prefs = |value: &str| {
        json!({"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{"field": "user_preferences",
        "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001111", "phone_number_id": NUMBER},
            "user_preferences": [{"wa_id": "15557654321", "detail": "User requested to stop marketing messages",
                "category": "marketing_messages", "value": value, "timestamp": 1779109300}]}}]}]})
    };
    assert_eq!(
        post_webhook(&app, &prefs("stop"), SECRET).await,
        StatusCode::OK
    );
    let r = send(&app, &owner, &conv, &promo, vars.clone()).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "marketing_opted_out")
    );
    let r = send(&app, &owner, &conv, &utility, vars.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::ACCEPTED,
        "a utility template still goes: {:?}",
        r.body
    );
    assert_eq!(
        post_webhook(&app, &prefs("resume"), SECRET).await,
        StatusCode::OK
    );
    let r = send(&app, &owner, &conv, &promo, vars.clone()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(detail.body["contact"]["marketing_opt_out"], false);

    // A tap on a marketing template's "Stop promotions" quick reply stops them too.
    let mut tap = fixture("inbound_button_template_quick_reply.json");
    let m = &mut tap["entry"][0]["changes"][0]["value"]["messages"][0];
    m["button"] = json!({"payload": "STOP", "text": "Stop promotions"});
    m["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    assert_eq!(post_webhook(&app, &tap, SECRET).await, StatusCode::OK);
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(detail.body["contact"]["marketing_opt_out"], true);
    app.sql("UPDATE conversations SET window_open_until = NULL", vec![])
        .await;

    // Meta restricts business-initiated messages: shown in settings, template sends refused.
    let mut restriction = fixture("account_update_restriction.json");
    let until = chrono::Utc::now().timestamp() + 86_400;
    restriction["entry"][0]["changes"][0]["value"]["restriction_info"][0]["expiration"] =
        json!(until);
    assert_eq!(
        post_webhook(&app, &restriction, SECRET).await,
        StatusCode::OK
    );
    let quality = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{"field": "phone_number_quality_update",
        "value": {"display_phone_number": "15550001111", "event": "DOWNGRADE", "current_limit": "TIER_1K", "max_daily_conversations_per_business": "TIER_250"}}]}]});
    assert_eq!(post_webhook(&app, &quality, SECRET).await, StatusCode::OK);
    let s = app
        .get("/api/v1/settings/whatsapp/status", &owner.token)
        .await
        .body;
    assert_eq!(s["account_event"], "ACCOUNT_RESTRICTION");
    assert_eq!(
        s["restrictions"][0]["type"],
        "RESTRICTED_BIZ_INITIATED_MESSAGING"
    );
    assert_eq!(s["quality_event"], "DOWNGRADE");
    assert_eq!(s["messaging_limit"], "TIER_250");
    let before = graph.sends().len();
    let r = send(&app, &owner, &conv, &utility, vars).await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "account_restricted")
    );
    eventually(10, "the accepted sends to reach Meta", || async {
        (graph.sends().len() >= 2).then_some(())
    })
    .await;
    assert!(graph.sends().len() <= before.max(2));
    assert_eq!(
        messages(&app, &owner, &conv).await.len(),
        4,
        "two from the lead, two templates"
    );
    app.finish().await;
}

async fn templates_are_held_to_organisation_and_role(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Ours").await;
    let other = app.signup_org("Theirs").await;
    let t = create(&app, &owner, order_confirmation()).await;
    let id = t["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/templates/{id}"),
        format!("/api/v1/templates/{id}/status"),
    ] {
        assert_eq!(
            app.get(&path, &other.token).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/preview"),
            Some(&other.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.delete(&format!("/api/v1/templates/{id}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.get("/api/v1/templates", &other.token).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Not connected: nothing to submit to.
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/submit"),
            Some(&owner.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::CONFLICT, "whatsapp_not_connected")
    );
    for role in ["viewer", "agent"] {
        let member = app.add_member(&owner, role).await;
        let r = app
            .post("/api/v1/templates", Some(&member.token), json!({}))
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{role}"
        );
        assert_eq!(
            app.get("/api/v1/templates", &member.token).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.delete(&format!("/api/v1/templates/{id}"), &owner.token)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    app.finish().await;
}
