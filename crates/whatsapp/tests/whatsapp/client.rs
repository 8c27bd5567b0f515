//! The send client against a local stand-in for the Graph API: real HTTP, scripted answers,
//! recorded requests.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use closer_whatsapp::outbound::{
    Body, ListRow, ListSection, MediaSource, MediaType, ReplyButton, mark_read_json,
};
use closer_whatsapp::{ErrorClass, GraphClient, Outbound, SendError};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    auth: String,
    body: Value,
}

#[derive(Clone, Default)]
struct Fake {
    script: Arc<Mutex<VecDeque<(u16, String)>>>,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

async fn answer(
    State(fake): State<Fake>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    fake.seen.lock().unwrap().push(Recorded {
        path: uri.to_string(),
        auth: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let (status, body) = fake
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((200, fixture_text("send_response_success.json")));
    (StatusCode::from_u16(status).unwrap(), body)
}

async fn fake_graph() -> (Fake, String) {
    let fake = Fake::default();
    let app = Router::new().fallback(answer).with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (fake, format!("http://{addr}"))
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

const PHONE: &str = "200000000000001";
const WAMID: &str = "wamid.HBgLMTU1NTc2NTQzMjEVAgASGBQzQUYxMDAwMDAwMDAwMDAwMDAw001AA=";

#[tokio::test]
async fn sends_text_and_returns_the_wamid() {
    let (fake, url) = fake_graph().await;
    let client = GraphClient::new(&url, "v24.0", Duration::from_secs(5));
    let msg = Outbound {
        to: "15557654321".into(),
        reply_to: Some(WAMID.into()),
        body: Body::Text {
            text: "Yes, size M is in stock.".into(),
            preview_url: false,
        },
    };
    let wamid = client.send(PHONE, "EAAG-test", &msg).await.unwrap();
    assert!(wamid.starts_with("wamid."));
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/v24.0/{PHONE}/messages"));
    assert_eq!(seen[0].auth, "Bearer EAAG-test");
    assert_eq!(seen[0].body, fixture("send_text_reply_context.json"));
}

#[test]
fn renders_every_message_kind_as_meta_documents_it() {
    let to = "+15557654321".to_string();
    let buttons = Outbound {
        to: to.clone(),
        reply_to: None,
        body: Body::Buttons {
            header: Some("Appointment".into()),
            body: "Your appointment is tomorrow at 10:30. Please confirm or pick another time."
                .into(),
            footer: Some("Example Clinic".into()),
            buttons: vec![
                ReplyButton {
                    id: "confirm-appt-8841".into(),
                    title: "Confirm".into(),
                },
                ReplyButton {
                    id: "reschedule-appt-8841".into(),
                    title: "Reschedule".into(),
                },
                ReplyButton {
                    id: "cancel-appt-8841".into(),
                    title: "Cancel".into(),
                },
            ],
        },
    };
    assert_eq!(buttons.to_json(), fixture("send_interactive_buttons.json"));
    let row = |id: &str, title: &str, d: Option<&str>| ListRow {
        id: id.into(),
        title: title.into(),
        description: d.map(Into::into),
    };
    let list = Outbound {
        to: to.clone(),
        reply_to: None,
        body: Body::List {
            header: Some("Shipping options".into()),
            body: "How would you like your order delivered?".into(),
            footer: Some("Prices include tax".into()),
            button: "Choose option".into(),
            sections: vec![
                ListSection {
                    title: Some("Fast".into()),
                    rows: vec![
                        row(
                            "ship_express",
                            "Express (1-2 days)",
                            Some("Delivered by courier, tracking included"),
                        ),
                        row(
                            "ship_priority",
                            "Priority (2-3 days)",
                            Some("Tracked parcel"),
                        ),
                    ],
                },
                ListSection {
                    title: Some("Economy".into()),
                    rows: vec![
                        row("ship_standard", "Standard (3-5 days)", None),
                        row(
                            "ship_pickup",
                            "Store pickup",
                            Some("Ready in 24h at 1 Example Way"),
                        ),
                    ],
                },
            ],
        },
    };
    assert_eq!(list.to_json(), fixture("send_interactive_list.json"));
    let template = Outbound {
        to: to.clone(),
        reply_to: None,
        body: Body::Template {
            name: "order_confirmation".into(),
            language: "en_US".into(),
            components: vec![json!({"type": "body", "parameters": [
                {"type": "text", "parameter_name": "first_name", "text": "Maria"},
                {"type": "text", "parameter_name": "order_number", "text": "ORD-2026-7781"}]})],
            callback_data: None,
        },
    };
    assert_eq!(template.to_json(), fixture("send_template_named.json"));
    let image = Outbound {
        to: to.clone(),
        reply_to: None,
        body: Body::Media {
            kind: MediaType::Image,
            source: MediaSource::Id("400000000000101".into()),
            caption: Some("Size chart".into()),
            filename: None,
        },
    };
    assert_eq!(image.to_json(), fixture("send_image_by_id.json"));
    let doc = Outbound {
        to: to.clone(),
        reply_to: None,
        body: Body::Media {
            kind: MediaType::Document,
            source: MediaSource::Link("https://example.com/invoices/INV-7781.pdf".into()),
            caption: Some("Your invoice".into()),
            filename: Some("INV-7781.pdf".into()),
        },
    };
    assert_eq!(doc.to_json(), fixture("send_document_by_link.json"));
    let reaction = Outbound {
        to,
        reply_to: None,
        body: Body::Reaction {
            message_id: WAMID.into(),
            emoji: "\u{1F600}".into(),
        },
    };
    assert_eq!(reaction.to_json(), fixture("send_reaction.json"));
    assert_eq!(
        mark_read_json(WAMID, true),
        fixture("send_typing_indicator.json")
    );
    assert_eq!(
        mark_read_json(WAMID, false),
        fixture("send_mark_as_read.json")
    );
}

#[tokio::test]
async fn limits_are_checked_before_any_call() {
    let (fake, url) = fake_graph().await;
    let client = GraphClient::new(&url, "v24.0", Duration::from_secs(5));
    let b = |t: &str| ReplyButton {
        id: "x".into(),
        title: t.into(),
    };
    let too_long = Outbound::text("15557654321", "x".repeat(4097));
    let four_buttons = Outbound {
        to: "1555".into(),
        reply_to: None,
        body: Body::Buttons {
            header: None,
            body: "Pick".into(),
            footer: None,
            buttons: vec![b("a"), b("b"), b("c"), b("d")],
        },
    };
    let long_title = Outbound {
        to: "1555".into(),
        reply_to: None,
        body: Body::Buttons {
            header: None,
            body: "Pick".into(),
            footer: None,
            buttons: vec![b("this title is too long")],
        },
    };
    let eleven_rows = Outbound {
        to: "1555".into(),
        reply_to: None,
        body: Body::List {
            header: None,
            body: "Pick".into(),
            footer: None,
            button: "Open".into(),
            sections: vec![ListSection {
                title: None,
                rows: (0..11)
                    .map(|i| ListRow {
                        id: format!("r{i}"),
                        title: "Row".into(),
                        description: None,
                    })
                    .collect(),
            }],
        },
    };
    for msg in [too_long, four_buttons, long_title, eleven_rows] {
        let err = client.send(PHONE, "t", &msg).await.unwrap_err();
        assert!(matches!(err, SendError::Invalid(_)), "{err}");
        assert!(!err.is_retryable());
    }
    assert!(fake.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn graph_errors_are_classified() {
    let (fake, url) = fake_graph().await;
    let client = GraphClient::new(&url, "v24.0", Duration::from_secs(5));
    let msg = Outbound::text("15557654321", "hello");
    {
        let mut script = fake.script.lock().unwrap();
        script.push_back((400, fixture_text("error_response_130429_throughput.json")));
        script.push_back((
            400,
            fixture_text("error_response_131047_reengagement_sync.json"),
        ));
        script.push_back((401, fixture_text("error_response_190_token_expired.json")));
        script.push_back((502, "<html>Bad gateway</html>".into()));
        script.push_back((200, "{\"unexpected\": true}".into()));
    }
    let classes: Vec<(ErrorClass, bool)> = {
        let mut out = Vec::new();
        for _ in 0..5 {
            let e = client.send(PHONE, "t", &msg).await.unwrap_err();
            out.push((e.class(), e.is_retryable()));
        }
        out
    };
    assert_eq!(
        classes,
        [
            (ErrorClass::Throttled, true),
            (ErrorClass::NeedsTemplate, false),
            (ErrorClass::Auth, false),
            (ErrorClass::Retryable, true),
            (ErrorClass::Permanent, false),
        ]
    );
    // Then the scripted answers run out and the call succeeds.
    assert!(client.send(PHONE, "t", &msg).await.is_ok());
}

#[tokio::test]
async fn an_unreachable_graph_is_a_transport_error_worth_retrying() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = GraphClient::new(&format!("http://{addr}"), "v24.0", Duration::from_secs(2));
    let err = client
        .send(PHONE, "t", &Outbound::text("1555", "hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Transport(_)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn phone_number_and_templates() {
    let (fake, url) = fake_graph().await;
    let client = GraphClient::new(&url, "v24.0", Duration::from_secs(5));
    fake.script.lock().unwrap().push_back((
        200,
        json!({"id": PHONE, "display_phone_number": "+1 555-000-1111", "verified_name": "Acme", "quality_rating": "GREEN", "messaging_limit_tier": "TIER_1K"}).to_string(),
    ));
    let info = client.phone_number(PHONE, "tok").await.unwrap();
    assert_eq!(info.quality_rating.as_deref(), Some("GREEN"));
    fake.script
        .lock()
        .unwrap()
        .push_back((200, fixture_text("template_create_response.json")));
    let created = client
        .create_template(
            "100000000000001",
            "tok",
            &fixture("template_create_request_named.json"),
        )
        .await
        .unwrap();
    assert_eq!(created["status"], "PENDING");
    fake.script
        .lock()
        .unwrap()
        .push_back((200, fixture_text("template_delete_response.json")));
    client
        .delete_template("100000000000001", "tok", "order_confirmation")
        .await
        .unwrap();
    let seen = fake.seen.lock().unwrap().clone();
    assert!(seen[0].path.starts_with(&format!("/v24.0/{PHONE}?fields=")));
    assert_eq!(seen[1].path, "/v24.0/100000000000001/message_templates");
    assert_eq!(seen[1].body, fixture("template_create_request_named.json"));
    assert_eq!(
        seen[2].path,
        "/v24.0/100000000000001/message_templates?name=order_confirmation"
    );
}
