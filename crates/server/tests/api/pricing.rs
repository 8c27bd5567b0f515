//! The price of every message: Meta's `pricing` from status webhooks stays on its message, the
//! organisation's rate card gives it a cost (free, a price, or unknown — never a guess), and a
//! conversation adds up what it cost.

use crate::conversations::{message_reaches, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::sending::{NUMBER, SECRET, fixture, lead_writes, post_webhook, reply};
use crate::whatsapp_settings::app_with_graph;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    statuses_price_each_message_by_the_rate_card,
    the_rate_card_is_checked_and_each_organisations_own
);

/// Meta's status `fixture` for `wamid`, with its pricing changed by `pricing`.
async fn priced_status(app: &TestApp, fixture_name: &str, wamid: &str, pricing: Option<Value>) {
    let mut body = fixture(fixture_name);
    let s = &mut body["entry"][0]["changes"][0]["value"]["statuses"][0];
    s["id"] = json!(wamid);
    s["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    match pricing {
        Some(p) => s["pricing"] = p,
        None => {
            s.as_object_mut().unwrap().remove("pricing");
        }
    }
    post_webhook(app, &body).await;
}

async fn message(app: &TestApp, s: &Session, conv: &str, id: &str) -> Value {
    messages(app, s, conv)
        .await
        .into_iter()
        .find(|m| m["id"] == id)
        .unwrap()
}

async fn sent_reply(app: &TestApp, owner: &Session, conv: &str, text: &str) -> (String, String) {
    let id = reply(app, owner, conv, text).await;
    let sent = message_reaches(app, owner, conv, &id, "sent").await;
    let wamid = sent["provider_message_id"].as_str().unwrap().to_owned();
    (id, wamid)
}

async fn statuses_price_each_message_by_the_rate_card(b: Backend) {
    let (app, owner, _graph) = app_with_graph(b, NUMBER, SECRET).await;
    // The business pays in rupees, with one price for every country.
    let card = json!({"currency": "INR", "rates": [
        {"country": "*", "category": "utility", "price": 0.115},
        {"country": "*", "category": "marketing", "price": 0.8631},
    ]});
    let r = app
        .put("/api/v1/settings/rate-card", &owner.token, card.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body, card);
    let conv = lead_writes(&app, &owner).await;

    // Before Meta says anything, nothing is known about the price.
    let (billed, wamid) = sent_reply(&app, &owner, &conv, "Your receipt is ready.").await;
    let m = message(&app, &owner, &conv, &billed).await;
    assert_eq!(
        (m["pricing"].clone(), m["cost"].clone()),
        (Value::Null, Value::Null)
    );

    // Delivered, billed as utility: the card's price, in its currency.
    priced_status(&app, "status_delivered.json", &wamid, None).await;
    priced_status(
        &app,
        "status_delivered.json",
        &wamid,
        Some(json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"})),
    )
    .await;
    let m = message_reaches(&app, &owner, &conv, &billed, "delivered").await;
    assert_eq!(
        m["pricing"],
        json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"})
    );
    assert_eq!(m["cost"], json!({"amount": 0.115, "currency": "INR"}));
    // A later status without pricing (read) leaves it; pricing on a status that arrives late
    // (sent after read) is still kept: the last word on the price stands.
    priced_status(&app, "status_read.json", &wamid, None).await;
    let m = message_reaches(&app, &owner, &conv, &billed, "read").await;
    assert_eq!(m["cost"]["amount"], 0.115);
    priced_status(
        &app,
        "status_sent.json",
        &wamid,
        Some(json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "marketing"})),
    )
    .await;
    let m = eventually(15, "the late pricing to be kept", || async {
        let m = message(&app, &owner, &conv, &billed).await;
        (m["cost"]["amount"] == 0.8631).then_some(m)
    })
    .await;
    assert_eq!(
        m["status"], "read",
        "a late status never moves the ticks back"
    );

    // A service reply inside the window: Meta does not bill it, so it cost nothing.
    let (free, wamid) = sent_reply(&app, &owner, &conv, "Happy to help!").await;
    priced_status(&app, "status_delivered_free_customer_service.json", &wamid, Some(json!(
        {"billable": false, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}
    ))).await;
    let m = message_reaches(&app, &owner, &conv, &free, "delivered").await;
    assert_eq!(m["pricing"]["type"], "free_customer_service");
    assert_eq!(m["cost"], json!({"amount": 0.0, "currency": "INR"}));

    // Billed in a category the card has no price for: unknown, not free. Meta dropping
    // `billable` (as it is retiring it) reads `regular` as billed.
    let (unpriced, wamid) = sent_reply(&app, &owner, &conv, "Your code is 123456").await;
    priced_status(
        &app,
        "status_delivered.json",
        &wamid,
        Some(json!(
            {"pricing_model": "PMP", "type": "regular", "category": "authentication"}
        )),
    )
    .await;
    let m = message_reaches(&app, &owner, &conv, &unpriced, "delivered").await;
    assert_eq!(m["pricing"]["billable"], true);
    assert_eq!(m["cost"], Value::Null);

    // The conversation adds it up: rupees for Meta, dollars for the model (the rules engine
    // costs nothing), no total across two currencies, and the unpriced message is counted.
    let detail = app
        .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
        .await;
    assert_eq!(
        detail.body["cost"],
        json!({"currency": "INR", "meta": 0.8631, "model": 0.0, "total": null, "unpriced_messages": 1})
    );

    // A new card prices what Meta reports from now on; what was priced keeps its price.
    let usd = json!({"currency": "USD", "rates": [{"country": "*", "category": "utility", "price": 0.0077}]});
    let r = app
        .put("/api/v1/settings/rate-card", &owner.token, usd)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let m = message(&app, &owner, &conv, &billed).await;
    assert_eq!(m["cost"], json!({"amount": 0.8631, "currency": "INR"}));
    let (_, wamid) = sent_reply(&app, &owner, &conv, "Reminder: class at 6 pm.").await;
    priced_status(&app, "status_delivered.json", &wamid, None).await;
    priced_status(
        &app,
        "status_delivered.json",
        &wamid,
        Some(json!(
            {"billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility"}
        )),
    )
    .await;
    let cost = eventually(15, "the USD-priced message to count", || async {
        let d = app
            .get(&format!("/api/v1/conversations/{conv}"), &owner.token)
            .await;
        (d.body["cost"]["meta"] == 0.0077).then(|| d.body["cost"].clone())
    })
    .await;
    // The rupee-priced message is not added to dollars as if it were the same money.
    assert_eq!(cost["currency"], "USD");
    assert_eq!(cost["total"], 0.0077);
    app.finish().await;
}

async fn the_rate_card_is_checked_and_each_organisations_own(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Pune Coaching").await;
    let viewer = app.add_member(&owner, "viewer").await;

    // Meta's published rates until the organisation saves its own; anyone may read them.
    let published = app.get("/api/v1/settings/rate-card", &viewer.token).await;
    assert_eq!(published.status, StatusCode::OK);
    assert_eq!(published.body["currency"], "USD");
    let india_marketing = published.body["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["country"] == "IN" && r["category"] == "marketing")
        .cloned()
        .unwrap();
    assert_eq!(india_marketing["price"], 0.0118);

    // Each mistake is a 422 naming where it is, and nothing changes.
    for (card, field) in [
        (json!({"currency": "rupees", "rates": []}), "currency"),
        (
            json!({"currency": "INR", "rates": [{"country": "India", "category": "marketing", "price": 0.8}]}),
            "rates[0].country",
        ),
        (
            json!({"currency": "INR", "rates": [{"country": "IN", "category": "promo", "price": 0.8}]}),
            "rates[0].category",
        ),
        (
            json!({"currency": "INR", "rates": [{"country": "IN", "category": "marketing", "price": -1}]}),
            "rates[0].price",
        ),
        (
            json!({"currency": "INR", "rates": [
                {"country": "IN", "category": "marketing", "price": 0.8},
                {"country": "in", "category": "marketing", "price": 0.9}]}),
            "rates[1]",
        ),
    ] {
        let r = app
            .put("/api/v1/settings/rate-card", &owner.token, card)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            r.body
        );
        assert!(
            r.body["error"]["details"]["fields"].get(field).is_some(),
            "{field}: {:?}",
            r.body
        );
    }
    let r = app.get("/api/v1/settings/rate-card", &owner.token).await;
    assert_eq!(r.body, published.body);

    // Viewers read; only owners and admins change it.
    let card = json!({"currency": "INR", "rates": [{"country": "IN", "category": "marketing", "price": 0.8631}]});
    let r = app
        .put("/api/v1/settings/rate-card", &viewer.token, card.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .put("/api/v1/settings/rate-card", &owner.token, card.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let audit = app.get("/api/v1/audit-logs", &owner.token).await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "settings.rate_card.update"),
        "{:?}",
        audit.body
    );

    // Another organisation keeps Meta's published rates.
    let other = app.signup_org("Mumbai Realty").await;
    let r = app.get("/api/v1/settings/rate-card", &other.token).await;
    assert_eq!(r.body, published.body);
    app.finish().await;
}
