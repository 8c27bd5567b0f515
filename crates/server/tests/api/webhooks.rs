//! Meta's webhooks through the HTTP endpoint: verification, signatures, routing, idempotence.

use crate::harness::{Backend, TestApp};
use crate::on_both_databases;
use reqwest::StatusCode;

on_both_databases!(
    verification_challenge,
    every_fixture_is_stored_once,
    signatures_and_bad_bodies,
    ad_leads_are_attributed,
    the_inbox_shows_what_arrived,
    a_nul_character_loses_nothing,
    a_forged_flood_is_refused_before_any_work,
    made_up_numbers_spend_only_their_senders_budget,
    one_app_secret_signs_a_delivery,
    a_surge_of_new_leads_is_stored_exactly,
    a_surge_across_organisations_fills_each_board_and_funnel,
    one_delivery_of_many_leads_is_stored_whole,
    the_log_is_checkpointed_beside_the_writer
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

/// PostgreSQL cannot store NUL in text: one such message used to fail its whole delivery
/// (and Meta's retries, for 7 days). It is stripped at the edge, the same on both databases,
/// and the message batched with it is stored too.
async fn a_nul_character_loses_nothing(b: Backend) {
    let (app, owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let message = |id: &str, text: &str| {
        serde_json::json!({"from": "919800000090", "id": id, "timestamp": "1779105600",
            "type": "text", "text": {"body": text}})
    };
    let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": NUMBER},
            "contacts": [{"profile": {"name": "Nu\u{0}l Lead"}, "wa_id": "919800000090"}],
            "messages": [message("wamid.nul1", "fees\u{0} kitni hai?"), message("wamid.nul2", "and EMI?")]}}]}]});
    let raw = serde_json::to_vec(&body).unwrap();
    let (status, text) = post(&app, &raw, sign(&raw)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(count(&app, "messages").await, 2, "both messages are stored");
    let stored = app
        .sql_text("SELECT text FROM messages WHERE provider_message_id = 'wamid.nul1'")
        .await;
    assert_eq!(stored.as_deref(), Some("fees kitni hai?"));
    let name = app
        .sql_text("SELECT profile_name FROM contacts WHERE phone = '+919800000090'")
        .await;
    assert_eq!(name.as_deref(), Some("Nul Lead"));
    // The API takes NUL in queries and bodies too, and answers as if it were not there.
    let search = app
        .get("/api/v1/conversations?q=%00fees", &owner.token)
        .await;
    assert_eq!(search.status, StatusCode::OK, "{:?}", search.body);
    let sandbox = app
        .post(
            "/api/v1/sandbox/inbound",
            Some(&owner.token),
            serde_json::json!({"phone": "+91 98000 00091", "name": "A\u{0}B", "text": "weekend\u{0} batch?"}),
        )
        .await;
    assert_eq!(sandbox.status, StatusCode::ACCEPTED, "{:?}", sandbox.body);
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
    // The server answers 413 as soon as it sees the length and closes the connection; a
    // client still uploading may see the close before the answer (seen on a loaded machine).
    let huge = vec![b' '; 5 * 1024 * 1024];
    let sent = app
        .http
        .post(format!("{}/webhooks/whatsapp", app.base))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await;
    match sent {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    assert_eq!(count(&app, "messages").await, 0);
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

async fn the_inbox_shows_what_arrived(b: Backend) {
    let (app, owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    for name in [
        "inbound_text.json",
        "inbound_image.json",
        "inbound_text_bsuid_only.json",
    ] {
        let body = fixture(name);
        assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    }
    let list = app.get("/api/v1/conversations", &owner.token).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    let maria = items
        .iter()
        .find(|c| c["contact"]["name"] == "Maria Gonzalez")
        .expect("Maria's conversation");
    assert_eq!(maria["unread_count"], 2);
    assert_eq!(maria["mode"], "bot");
    assert_eq!(maria["last_message"]["direction"], "in");
    assert!(maria["window_open_until"].is_string());

    let id = maria["id"].as_str().unwrap();
    let msgs = app
        .get(
            &format!("/api/v1/conversations/{id}/messages"),
            &owner.token,
        )
        .await;
    let msgs = msgs.body["items"].as_array().unwrap().clone();
    assert_eq!(msgs.len(), 2);
    assert!(
        msgs[0]["created_at"].as_str() <= msgs[1]["created_at"].as_str(),
        "oldest first"
    );
    assert!(
        msgs.iter()
            .any(|m| m["type"] == "image" && m["media"]["mime_type"].is_string())
    );
    let page = app
        .get(
            &format!("/api/v1/conversations/{id}/messages?limit=1"),
            &owner.token,
        )
        .await;
    let before = page.body["next_cursor"]
        .as_str()
        .expect("an older page")
        .to_owned();
    let older = app
        .get(
            &format!("/api/v1/conversations/{id}/messages?limit=1&before={before}"),
            &owner.token,
        )
        .await;
    assert_eq!(older.body["items"].as_array().unwrap().len(), 1);
    assert!(older.body["next_cursor"].is_null());

    let detail = app
        .get(&format!("/api/v1/conversations/{id}"), &owner.token)
        .await;
    assert_eq!(detail.body["lead_source"], "organic_inbound");
    let found = app.get("/api/v1/conversations?q=maria", &owner.token).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    let paged = app.get("/api/v1/conversations?limit=1", &owner.token).await;
    let cursor = paged.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .get(
            &format!("/api/v1/conversations?limit=1&cursor={cursor}"),
            &owner.token,
        )
        .await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    assert_ne!(rest.body["items"][0]["id"], paged.body["items"][0]["id"]);
    for bad in ["mode=robot", "limit=0", "cursor=zzz"] {
        assert_eq!(
            app.get(&format!("/api/v1/conversations?{bad}"), &owner.token)
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }

    // Another organisation sees none of it.
    let other = app.signup_org("Elsewhere").await;
    assert!(
        app.get("/api/v1/conversations", &other.token).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        app.get(&format!("/api/v1/conversations/{id}"), &other.token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/conversations/{id}/messages"),
            &other.token
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    app.finish().await;
}

/// A delivery naming `numbers` made-up phone number ids, one status change each.
fn naming(numbers: impl IntoIterator<Item = String>) -> Vec<u8> {
    let changes: Vec<serde_json::Value> = numbers
        .into_iter()
        .map(|n| {
            serde_json::json!({"field": "messages", "value": {"messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550000000", "phone_number_id": n},
                "statuses": [{"id": format!("wamid.{n}"), "status": "delivered",
                    "timestamp": "1700000000", "recipient_id": "15551230000"}]}})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"object": "whatsapp_business_account",
        "entry": [{"id": "9999", "changes": changes}]}))
    .unwrap()
}

const FORGED: &str = "sha256=0000000000000000000000000000000000000000000000000000000000000000";

/// The attacker's body: 20,500 made-up numbers, ~4 MB. Refused from one pass over its bytes,
/// before any lookup, signature check or full parse.
async fn a_forged_flood_is_refused_before_any_work(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let change = |i: usize| {
        format!(
            r#"{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550000000","phone_number_id":"9{i:014}"}},"contacts":[{{"wa_id":"15551230000"}}]}}}}"#
        )
    };
    let changes: Vec<String> = (0..20_500).map(change).collect();
    let flood = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"9999","changes":[{}]}}]}}"#,
        changes.join(",")
    )
    .into_bytes();
    assert!(flood.len() > 3_500_000, "{} bytes", flood.len());
    let (status, text) = post(&app, &flood, Some(FORGED.into())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("payload_too_large"), "{text}");
    // A real delivery for the connected number is stored as before.
    let body = fixture("inbound_text.json");
    assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    assert_eq!(count(&app, "messages").await, 1);
    app.finish().await;
}

/// Made-up numbers cost one lookup each until the sender's budget is spent; past it they are
/// not looked up for that sender (429, so a genuine delivery would be retried), while a
/// delivery for a connected number keeps being stored.
async fn made_up_numbers_spend_only_their_senders_budget(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let body = fixture("inbound_text.json");
    assert_eq!(post(&app, &body, sign(&body)).await.0, StatusCode::OK);
    let mut statuses = Vec::new();
    for round in 0..11 {
        let forged = naming((0..100).map(|i| format!("8{round:04}{i:010}")));
        statuses.push(post(&app, &forged, Some(FORGED.into())).await.0);
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    let body = fixture("inbound_image.json");
    let (status, text) = post(&app, &body, sign(&body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(count(&app, "messages").await, 2);
    app.finish().await;
}

/// A delivery is stored for the numbers whose app signed it; one signed by anyone else is
/// refused whole.
async fn one_app_secret_signs_a_delivery(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let mut delivery: serde_json::Value =
        serde_json::from_slice(&fixture("inbound_text.json")).unwrap();
    let made_up: serde_json::Value = serde_json::from_slice(&naming(["777000111".into()])).unwrap();
    let extra = made_up["entry"][0]["changes"][0].clone();
    delivery["entry"][0]["changes"]
        .as_array_mut()
        .unwrap()
        .push(extra);
    let both = serde_json::to_vec(&delivery).unwrap();
    // Our number beside a made-up one, signed by us: ours is stored.
    assert_eq!(post(&app, &both, sign(&both)).await.0, StatusCode::OK);
    // Signed by someone else: refused, nothing stored.
    let other = fixture("inbound_image.json");
    let forged = Some(closer_whatsapp::signature::sign(b"not-our-secret", &other));
    assert_eq!(post(&app, &other, forged).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(count(&app, "messages").await, 1);
    app.finish().await;
}

/// One lead's text, as Meta sends it.
fn text_from(phone: &str, wamid: &str, at: i64, text: &str) -> Vec<u8> {
    text_to(NUMBER, phone, wamid, at, text)
}

/// One lead's text to the business number `number`.
fn text_to(number: &str, phone: &str, wamid: &str, at: i64, text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
        "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": number},
            "contacts": [{"profile": {"name": format!("Lead {}", &phone[phone.len() - 4..])}, "wa_id": phone}],
            "messages": [{"from": phone, "id": wamid, "timestamp": at.to_string(), "type": "text",
                "text": {"body": text}}]}}]}]}))
    .unwrap()
}

/// A launch-day surge: many new leads at once, each writing twice, Meta retrying some
/// deliveries while the first copy is still being written. Deliveries that arrive together
/// are written together; what is stored is exactly what writing them one by one stores.
async fn a_surge_of_new_leads_is_stored_exactly(b: Backend) {
    let (app, owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let leads = 40;
    let mut bodies = vec![];
    for i in 0..leads {
        let phone = format!("9198765{i:05}");
        bodies.push(text_from(
            &phone,
            &format!("wamid.surge{i}a"),
            1_779_000_000 + i,
            "Hi, fees?",
        ));
        bodies.push(text_from(
            &phone,
            &format!("wamid.surge{i}b"),
            1_779_000_100 + i,
            "And timings?",
        ));
        if i % 4 == 0 {
            // Meta's retry of the first message.
            bodies.push(text_from(
                &phone,
                &format!("wamid.surge{i}a"),
                1_779_000_000 + i,
                "Hi, fees?",
            ));
        }
    }
    let posts = bodies.iter().map(|body| post(&app, body, sign(body)));
    for (status, text) in futures_util::future::join_all(posts).await {
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    assert_eq!(count(&app, "contacts").await, leads);
    assert_eq!(count(&app, "conversations").await, leads);
    assert_eq!(count(&app, "messages").await, 2 * leads);
    assert_eq!(count(&app, "pipeline_cards").await, leads);
    let n = |sql: &str| {
        let app = &app;
        let sql = sql.to_owned();
        async move { app.sql_text(&sql).await.unwrap() }
    };
    let expect = leads.to_string();
    assert_eq!(
        n("SELECT CAST(COUNT(*) AS TEXT) FROM stage_history WHERE reason = 'first_message'").await,
        expect
    );
    assert_eq!(n("SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE status = 'pending' AND kind = 'process_conversation'").await, expect);
    assert_eq!(
        n("SELECT CAST(COUNT(*) AS TEXT) FROM activities WHERE kind = 'lead_created'").await,
        expect
    );
    assert_eq!(
        n("SELECT CAST(COUNT(*) AS TEXT) FROM activities WHERE kind = 'message_received'").await,
        (2 * leads).to_string()
    );
    // Each conversation counts both messages and previews the later one, whichever was
    // written first.
    assert_eq!(n("SELECT CAST(COUNT(*) AS TEXT) FROM conversations WHERE unread_count = 2 AND last_message_text = 'And timings?' AND window_open_until IS NOT NULL").await, expect);
    // The leads list counts them all, and the board shows them in the first stage.
    let list = app.get("/api/v1/leads?count=true", &owner.token).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["total"], leads, "{:?}", list.body["total"]);
    // Every rank on the board is distinct.
    assert_eq!(
        n("SELECT CAST(COUNT(DISTINCT rank) AS TEXT) FROM pipeline_cards").await,
        expect
    );
    // Meta retrying the whole surge later changes nothing: each retry is found stored
    // (on PostgreSQL by its group's one look-up) and answered without a write.
    let touched = "SELECT CAST(MAX(updated_at) AS TEXT) FROM conversations";
    let before = n(touched).await;
    let posts = bodies.iter().map(|body| post(&app, body, sign(body)));
    for (status, text) in futures_util::future::join_all(posts).await {
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    assert_eq!(count(&app, "messages").await, 2 * leads);
    assert_eq!(n(touched).await, before);
    assert_eq!(
        n("SELECT CAST(COUNT(*) AS TEXT) FROM conversations WHERE unread_count = 2").await,
        expect
    );
    app.finish().await;
}

/// A launch-day surge for several businesses at once (one server, three numbers): deliveries
/// of different organisations written together still put each new lead on its own
/// organisation's board, once, with a distinct rank, one entry in its history and one count
/// in its own funnel.
async fn a_surge_across_organisations_fills_each_board_and_funnel(b: Backend) {
    let (app, first) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let numbers = [NUMBER, "200000000000002", "200000000000003"];
    let mut owners = vec![first];
    for number in &numbers[1..] {
        let owner = app.signup_org("Another business").await;
        let body = crate::whatsapp_settings::connect_body(number, crate::graph::GOOD_TOKEN);
        crate::whatsapp_settings::connect(&app, &owner.token, body).await;
        owners.push(owner);
    }
    // 12, 9 and 6 new leads, their messages interleaved.
    let leads = [12, 9, 6];
    let mut bodies = vec![];
    for i in 0..12 {
        for (org, number) in numbers.iter().enumerate() {
            if i < leads[org] {
                let phone = format!("91987{org}6{i:05}");
                let wamid = format!("wamid.orgs{org}x{i}");
                bodies.push(text_to(
                    number,
                    &phone,
                    &wamid,
                    1_779_000_000 + i,
                    "Hi, fees?",
                ));
            }
        }
    }
    let posts = bodies.iter().map(|body| post(&app, body, sign(body)));
    for (status, text) in futures_util::future::join_all(posts).await {
        assert_eq!(status, StatusCode::OK, "{text}");
    }
    let at = |days| {
        (chrono::Utc::now() + chrono::Duration::days(days))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let (from, to) = (at(-1), at(1));
    for (org, (owner, expected)) in owners.iter().zip(leads).enumerate() {
        let n = |sql: String| {
            let app = &app;
            async move { app.sql_text(&sql).await.unwrap().parse::<i64>().unwrap() }
        };
        // The organisation's leads, by their phones (ids are stored differently per database).
        let of_org =
            format!("JOIN contacts c ON c.id = t.contact_id WHERE c.phone LIKE '+91987{org}6%'");
        let cards = format!("FROM pipeline_cards t {of_org}");
        assert_eq!(
            n(format!("SELECT CAST(COUNT(*) AS TEXT) {cards}")).await,
            expected
        );
        assert_eq!(
            n(format!(
                "SELECT CAST(COUNT(DISTINCT t.rank) AS TEXT) {cards}"
            ))
            .await,
            expected
        );
        // Every card is in the lead's own organisation's first stage.
        let own_first = format!(
            "SELECT CAST(COUNT(*) AS TEXT) {cards} AND t.org_id = c.org_id AND t.stage_id = \
             (SELECT s.id FROM pipeline_stages s WHERE s.org_id = c.org_id ORDER BY s.position LIMIT 1)"
        );
        assert_eq!(n(own_first).await, expected);
        let entries = format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM stage_history t {of_org} \
             AND t.org_id = c.org_id AND t.from_stage_id IS NULL AND t.reason = 'first_message'"
        );
        assert_eq!(n(entries).await, expected);
        let funnel = app
            .get(
                &format!("/api/v1/analytics/funnel?from={from}&to={to}"),
                &owner.token,
            )
            .await;
        assert_eq!(funnel.status, StatusCode::OK, "{:?}", funnel.body);
        assert_eq!(
            funnel.body["stages"][0]["entered"], expected,
            "{:?}",
            funnel.body
        );
    }
    // The live counts are what a rebuild from the stored rows counts: leads and conversations
    // by source, funnel entries, messages (leads and messages are dated by their WhatsApp
    // timestamps, in May 2026).
    let range = format!("from=2026-05-01T00:00:00Z&to={to}");
    let paths = [
        format!("/api/v1/dashboard/stats?{range}"),
        format!("/api/v1/analytics/sources?{range}"),
        format!("/api/v1/analytics/funnel?{range}"),
        format!("/api/v1/analytics/volume?{range}"),
    ];
    let mut live = vec![];
    for (owner, expected) in owners.iter().zip(leads) {
        for path in &paths {
            let report = app.get(path, &owner.token).await;
            assert_eq!(report.status, StatusCode::OK, "{path}: {:?}", report.body);
            live.push(report.body);
        }
        assert_eq!(live[live.len() - 4]["new_leads"], expected, "{:?}", live);
    }
    let store = closer_store::Store::connect(&app.database_url)
        .await
        .unwrap();
    store.rebuild_rollups().await.unwrap();
    let mut rebuilt = vec![];
    for owner in &owners {
        for path in &paths {
            rebuilt.push(app.get(path, &owner.token).await.body);
        }
    }
    assert_eq!(live, rebuilt);
    app.finish().await;
}

/// Posts one signed delivery of these contacts and messages to `NUMBER`; it is accepted.
async fn post_delivery(
    app: &TestApp,
    contacts: Vec<serde_json::Value>,
    messages: Vec<serde_json::Value>,
) {
    let body = serde_json::to_vec(&serde_json::json!({"object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": NUMBER},
            "contacts": contacts, "messages": messages}}]}]}))
    .unwrap();
    let (status, text) = post(app, &body, sign(&body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

/// A delivery bigger than one statement may carry (600 messages of 300 leads): written in
/// chunks, each lead once, each conversation counting both of its messages.
async fn one_delivery_of_many_leads_is_stored_whole(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    let leads = 300;
    let mut contacts = vec![];
    let mut messages = vec![];
    for round in 0..2 {
        for i in 0..leads {
            let phone = format!("9198700{i:05}");
            if round == 0 {
                contacts.push(serde_json::json!({"profile": {"name": "Lead"}, "wa_id": phone}));
            }
            messages.push(
                serde_json::json!({"from": phone, "id": format!("wamid.big{round}x{i}"),
                "timestamp": (1_779_000_000 + round * 1000 + i).to_string(), "type": "text",
                "text": {"body": format!("message {round}")}}),
            );
        }
    }
    post_delivery(&app, contacts, messages).await;
    assert_eq!(count(&app, "contacts").await, leads);
    assert_eq!(count(&app, "messages").await, 2 * leads);
    let both = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM conversations WHERE unread_count = 2 AND last_message_text = 'message 1'")
        .await
        .unwrap();
    assert_eq!(both, leads.to_string());
    let jobs = app.sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM jobs WHERE status = 'pending' AND kind = 'process_conversation'").await.unwrap();
    assert_eq!(jobs, leads.to_string());
    app.finish().await;
}

/// SQLite: the write-ahead log is copied back into the database file by the server's
/// checkpointer, beside the ingest writer (which would checkpoint itself only past 20,000
/// pages); PostgreSQL checkpoints by itself.
async fn the_log_is_checkpointed_beside_the_writer(b: Backend) {
    let (app, _owner) = crate::whatsapp_settings::app_with_number(b, NUMBER, SECRET).await;
    if b == Backend::Postgres {
        let store = closer_store::Store::connect(&app.database_url)
            .await
            .unwrap();
        assert!(store.start_checkpointer().is_none());
        app.finish().await;
        return;
    }
    let file = app.data_dir().join("closer.db");
    let size = || std::fs::metadata(&file).unwrap().len();
    // What the start-up and sign-up wrote is copied back within a few checkpoints.
    let mut before = size();
    for _ in 0..20 {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let now = size();
        if now == before {
            break;
        }
        before = now;
    }
    let contacts: Vec<_> = (0..40)
        .map(
            |i| serde_json::json!({"profile": {"name": "Lead"}, "wa_id": format!("9198711{i:05}")}),
        )
        .collect();
    let messages: Vec<_> = (0..40)
        .map(|i| {
            serde_json::json!({"from": format!("9198711{i:05}"), "id": format!("wamid.ckpt{i}"),
            "timestamp": (1_779_000_000 + i).to_string(), "type": "text", "text": {"body": "Hi"}})
        })
        .collect();
    post_delivery(&app, contacts, messages).await;
    let mut grew = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if size() > before {
            grew = true;
            break;
        }
    }
    assert!(grew, "the new leads' pages reached the database file");
    app.finish().await;
}
