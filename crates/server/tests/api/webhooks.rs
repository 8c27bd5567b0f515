//! Meta's webhooks through the HTTP endpoint: verification, signatures, routing, idempotence.

use crate::harness::{Backend, TestApp};
use crate::on_both_databases;
use reqwest::StatusCode;

on_both_databases!(
    verification_challenge,
    every_fixture_is_stored_once,
    signatures_and_bad_bodies,
    ad_leads_are_attributed
);

const SECRET: &str = "app-secret-value";
const NUMBER: &str = "200000000000001";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../whatsapp/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn post(app: &TestApp, body: &[u8], signature: Option<String>) -> (StatusCode, String) {
    let mut req = app
        .http
        .post(format!("{}/webhooks/whatsapp", app.base))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = signature {
        req = req.header("x-hub-signature-256", s);
    }
    let r = req.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

fn sign(body: &[u8]) -> Option<String> {
    Some(closer_whatsapp::signature::sign(SECRET.as_bytes(), body))
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.sql_text(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
        .await
        .unwrap()
        .parse()
        .unwrap()
}

async fn verification_challenge(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let get = |q: &str| {
        app.http
            .get(format!("{}/webhooks/whatsapp?{q}", app.base))
            .send()
    };
    let r = get("hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "1158201444");
    let r = get("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = get("hub.verify_token=verify-me&hub.challenge=1")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

async fn every_fixture_is_stored_once(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let inbound = [
        "inbound_text.json",
        "inbound_text_reply_context.json",
        "inbound_text_forwarded.json",
        "inbound_text_frequently_forwarded.json",
        "inbound_text_referred_product.json",
        "inbound_text_ctwa_referral.json",
        "inbound_image.json",
        "inbound_audio_voice.json",
        "inbound_audio_file.json",
        "inbound_video.json",
        "inbound_document.json",
        "inbound_sticker.json",
        "inbound_location.json",
        "inbound_contacts.json",
        "inbound_button_template_quick_reply.json",
        "inbound_interactive_button_reply.json",
        "inbound_interactive_list_reply.json",
        "inbound_interactive_nfm_reply.json",
        "inbound_reaction.json",
        "inbound_reaction_removed.json",
        "inbound_order.json",
        "inbound_system_user_changed_number.json",
        "inbound_unsupported.json",
        "inbound_text_bsuid_only.json",
    ];
    for name in inbound {
        let body = fixture(name);
        let (status, text) = post(&app, &body, sign(&body)).await;
        assert_eq!(status, StatusCode::OK, "{name}: {text}");
        // Meta retries: the same delivery again changes nothing.
        assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    }
    let messages = count(&app, "messages").await;
    let distinct = app
        .sql_text("SELECT CAST(COUNT(DISTINCT provider_message_id) AS TEXT) FROM messages")
        .await
        .unwrap();
    assert_eq!(messages.to_string(), distinct, "no duplicates");
    assert!(messages >= 20, "{messages} messages stored");
    // Maria (several fixtures), the BSUID-only user and others: contacts are keyed on phone
    // and on the scoped id.
    assert!(count(&app, "contacts").await >= 2);
    // One pending processing job per conversation, however many messages arrived.
    let convs = count(&app, "conversations").await;
    let jobs = app.sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE status = 'pending' AND kind = 'process_conversation'").await.unwrap();
    assert_eq!(jobs, convs.to_string());
    let window = app
        .sql_text("SELECT CAST(window_open_until AS TEXT) FROM conversations")
        .await;
    assert!(window.is_some(), "the service window is open");

    // A number nobody connected: answered 200 so Meta stops, nothing stored.
    let before = count(&app, "messages").await;
    let body = fixture("inbound_text_unknown_phone_number_id.json");
    assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    // A batch across two numbers: the connected one's three messages... are already stored
    // or new; the other number's are dropped.
    let body = fixture("batched_multiple_entries_messages_statuses.json");
    assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    assert!(count(&app, "messages").await > before);
    let status = app
        .sql_text("SELECT CAST(last_webhook_at AS TEXT) FROM whatsapp_accounts")
        .await;
    assert!(status.is_some());
    app.finish().await;
}

async fn signatures_and_bad_bodies(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let body = fixture("inbound_text.json");
    let forged = Some(closer_whatsapp::signature::sign(b"another-secret", &body));
    let bare = sign(&body).map(|s| s.trim_start_matches("sha256=").to_owned());
    for (sig, label) in [(None, "missing"), (forged, "forged"), (bare, "no prefix")] {
        let (status, text) = post(&app, &body, sig).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}: {text}");
    }
    assert_eq!(
        count(&app, "messages").await,
        0,
        "nothing stored from refused deliveries"
    );
    let (status, _) = post(&app, b"{not json", sign(b"{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = post(&app, b"[]", sign(b"[]")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let huge = vec![b' '; 5 * 1024 * 1024];
    assert_eq!(
        post(&app, &huge, None).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    app.finish().await;
}

async fn ad_leads_are_attributed(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let body = fixture("inbound_text_ctwa_referral.json");
    assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    let source = app
        .sql_text("SELECT lead_source FROM contacts")
        .await
        .unwrap();
    assert_eq!(source, "click_to_chat_ad");
    let campaign = app
        .sql_text("SELECT CAST(campaign AS TEXT) FROM contacts")
        .await
        .unwrap();
    assert!(campaign.contains("ctwa_clid"), "{campaign}");
    app.finish().await;
}
