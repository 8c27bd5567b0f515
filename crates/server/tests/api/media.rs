//! Media in the inbox against the Graph stand-in and a speech-to-text stand-in: a lead's file
//! fetched from Meta (id → URL → bytes, with the token) and served by signed links; files of a
//! type or size WhatsApp does not carry refused; uploads sent by media id through the one send
//! path; voice notes transcribed, the transcript read by the agent; other organisations see
//! none of it, viewers cannot send.

use crate::conversations::{lead_writes as sandbox_lead_writes, messages};
use crate::harness::{Backend, Session, TestApp, eventually};
use crate::on_both_databases;
use crate::s3_server::S3Server;
use crate::sending::{fixture, post_webhook};
use crate::whatsapp_settings::{app_with_graph, app_with_graph_and_media};
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

on_both_databases!(
    an_inbound_image_is_fetched_and_served_by_signed_links,
    an_inbound_image_is_fetched_into_a_bucket,
    files_whatsapp_does_not_carry_are_refused,
    a_file_larger_than_meta_said_is_cut_off,
    a_file_larger_than_meta_said_is_cut_off_in_a_bucket,
    uploads_are_checked_and_sent_by_media_id,
    uploads_to_a_bucket_are_checked_and_sent_by_media_id,
    erasing_a_lead_deletes_their_files_from_the_bucket,
    a_bucket_refusing_our_signature_keeps_nothing,
    a_voice_note_is_transcribed_and_the_agent_answers_it,
    transcription_settings_are_validated_and_scoped
);

const SECRET: &str = "app-secret-value";
const NUMBER: &str = "200000000000001";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0 a tiny jpeg";

/// A lead message from `name`'s fixture, written now (the fixture's own time is months old).
async fn lead_sends(app: &TestApp, name: &str) {
    let mut body = fixture(name);
    let msg = &mut body["entry"][0]["changes"][0]["value"]["messages"][0];
    msg["timestamp"] = json!(chrono::Utc::now().timestamp().to_string());
    msg["id"] = json!(format!("wamid.media{}", uuid::Uuid::now_v7().simple()));
    post_webhook(app, &body).await;
}

async fn the_conversation(app: &TestApp, s: &Session) -> String {
    let list = app.get("/api/v1/conversations", &s.token).await;
    list.body["items"][0]["id"].as_str().unwrap().to_owned()
}

/// The conversation's media message of `kind` once its file's status is `status`.
async fn media_message(app: &TestApp, s: &Session, conv: &str, kind: &str, status: &str) -> Value {
    eventually(20, &format!("a {kind} {status}"), || async {
        messages(app, s, conv)
            .await
            .into_iter()
            .find(|m| m["type"] == kind && m["media"]["status"] == status)
    })
    .await
}

async fn get_raw(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// Where the server under test keeps its files: its data directory, or a bucket on a real
/// S3 server the test started.
enum Kept {
    InDataDir,
    InBucket(S3Server),
}

impl Kept {
    async fn bucket() -> Kept {
        Kept::InBucket(S3Server::start().await)
    }

    /// The keys (`org/media`) of every file the store holds.
    fn files(&self, app: &TestApp) -> Vec<String> {
        match self {
            Kept::InBucket(s3) => s3.objects(),
            Kept::InDataDir => {
                let root = app.data_dir().join("media");
                let mut keys = Vec::new();
                for org in std::fs::read_dir(&root).into_iter().flatten().flatten() {
                    for file in std::fs::read_dir(org.path())
                        .into_iter()
                        .flatten()
                        .flatten()
                    {
                        let p = file.path();
                        keys.push(
                            p.strip_prefix(&root)
                                .unwrap()
                                .to_string_lossy()
                                .into_owned(),
                        );
                    }
                }
                keys.sort();
                keys
            }
        }
    }

    /// Nothing half-written: no multipart upload left open, no partial file.
    fn assert_nothing_partial(&self, app: &TestApp) {
        if let Kept::InBucket(s3) = self {
            assert_eq!(s3.pending_parts(), Vec::<std::path::PathBuf>::new());
        }
        let files = self.files(app);
        assert!(files.iter().all(|k| !k.contains(".partial")), "{files:?}");
    }
}

/// An app whose WhatsApp number talks to the Graph stand-in, keeping files as `kept` says.
async fn app_keeping(b: Backend, kept: &Kept) -> (TestApp, Session, crate::graph::FakeGraph) {
    match kept {
        Kept::InDataDir => app_with_graph(b, NUMBER, SECRET).await,
        Kept::InBucket(s3) => app_with_graph_and_media(b, NUMBER, SECRET, s3.media_args()).await,
    }
}

async fn an_inbound_image_is_fetched_and_served_by_signed_links(b: Backend) {
    fetched_and_served(b, Kept::InDataDir).await
}

async fn an_inbound_image_is_fetched_into_a_bucket(b: Backend) {
    fetched_and_served(b, Kept::bucket().await).await
}

async fn fetched_and_served(b: Backend, kept: Kept) {
    let (app, owner, graph) = app_keeping(b, &kept).await;
    graph.add_media("400000000000001", "image/jpeg", JPEG.to_vec());
    lead_sends(&app, "inbound_image.json").await;
    let conv = the_conversation(&app, &owner).await;
    let m = media_message(&app, &owner, &conv, "image", "stored").await;
    let media = &m["media"];
    assert_eq!(media["mime_type"], "image/jpeg");
    assert_eq!(media["size_bytes"], JPEG.len());
    assert!(media["caption"].is_string(), "{media}");
    let key = format!("{}/{}", owner.org_id, media["id"].as_str().unwrap());
    assert_eq!(kept.files(&app), [key]);
    // Meta was asked with the number's token, for the description and for the bytes.
    let calls = graph.media_calls();
    let what: Vec<&str> = calls.iter().map(|c| c["what"].as_str().unwrap()).collect();
    assert_eq!(what, ["info", "download"], "{calls:?}");
    assert!(calls.iter().all(|c| c["auth"] == "Bearer EAAG-good-token"));

    // The signed link works without a token, with the file's type.
    let url = media["url"].as_str().unwrap();
    let r = get_raw(&app, url, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), JPEG);
    // A forged or altered link is not found; so is a bare id without a session.
    let id = media["id"].as_str().unwrap();
    let forged = url.replace("sig=", "sig=0");
    assert_eq!(
        get_raw(&app, &forged, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let path = format!("/api/v1/media/{id}");
    assert_eq!(
        get_raw(&app, &path, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A member reads it with the bearer token; another organisation does not find it.
    assert_eq!(
        get_raw(&app, &path, Some(&owner.token)).await.status(),
        StatusCode::OK
    );
    let other = app.signup_org("Elsewhere").await;
    let r = get_raw(&app, &path, Some(&other.token)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nor can it send it.
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&other.token),
            json!({"conversation_id": conv, "media_id": id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);

    // A retried webhook stores nothing twice and fetches nothing again.
    let jobs = app
        .sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM media")
        .await
        .unwrap();
    assert_eq!(jobs, "1");
    app.finish().await;
}

async fn files_whatsapp_does_not_carry_are_refused(b: Backend) {
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    // An "image" that is a GIF, and a document Meta no longer has.
    graph.add_media("400000000000001", "image/gif", b"GIF89a".to_vec());
    lead_sends(&app, "inbound_image.json").await;
    let conv = the_conversation(&app, &owner).await;
    let m = media_message(&app, &owner, &conv, "image", "refused").await;
    assert!(m["media"]["url"].is_null(), "{m}");
    let id = m["media"]["id"].as_str().unwrap();
    let r = get_raw(&app, &format!("/api/v1/media/{id}"), Some(&owner.token)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Only described, never downloaded.
    let what: Vec<Value> = graph
        .media_calls()
        .iter()
        .map(|c| c["what"].clone())
        .collect();
    assert_eq!(what, [json!("info")]);
    app.finish().await;
}

async fn a_file_larger_than_meta_said_is_cut_off(b: Backend) {
    cut_off(b, Kept::InDataDir).await
}

async fn a_file_larger_than_meta_said_is_cut_off_in_a_bucket(b: Backend) {
    cut_off(b, Kept::bucket().await).await
}

/// Meta describes a small image, then sends 6 MB: the download stops at the image limit
/// (5 MB), the file is refused, and nothing of it is kept.
async fn cut_off(b: Backend, kept: Kept) {
    let (app, owner, graph) = app_keeping(b, &kept).await;
    let mut big = JPEG.to_vec();
    big.resize(6 * 1024 * 1024, 7);
    graph.add_media_announced("400000000000001", "image/jpeg", big, 1_000);
    lead_sends(&app, "inbound_image.json").await;
    let conv = the_conversation(&app, &owner).await;
    let m = media_message(&app, &owner, &conv, "image", "refused").await;
    assert!(m["media"]["url"].is_null(), "{m}");
    assert_eq!(kept.files(&app), Vec::<String>::new());
    kept.assert_nothing_partial(&app);
    app.finish().await;
}

fn file_form(name: &str, mime: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_owned())
        .mime_str(mime)
        .unwrap();
    reqwest::multipart::Form::new().part("file", part)
}

async fn upload(app: &TestApp, s: &Session, form: reqwest::multipart::Form) -> (StatusCode, Value) {
    let r = app
        .http
        .post(format!("{}/api/v1/media", app.base))
        .bearer_auth(&s.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn uploads_are_checked_and_sent_by_media_id(b: Backend) {
    uploads_checked_and_sent(b, Kept::InDataDir).await
}

async fn uploads_to_a_bucket_are_checked_and_sent_by_media_id(b: Backend) {
    uploads_checked_and_sent(b, Kept::bucket().await).await
}

async fn uploads_checked_and_sent(b: Backend, kept: Kept) {
    let (app, owner, graph) = app_keeping(b, &kept).await;
    let pdf = b"%PDF-1.4 a small quote".to_vec();
    let (status, body) = upload(
        &app,
        &owner,
        file_form("Quote 7781.pdf", "application/pdf", pdf.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["kind"], "document");
    assert_eq!(body["file_name"], "Quote 7781.pdf");
    assert_eq!(body["size_bytes"], pdf.len());
    let media_id = body["id"].as_str().unwrap().to_owned();

    // Refused: a type WhatsApp does not carry, a file over 16 MB, no file at all.
    let (status, body) = upload(
        &app,
        &owner,
        file_form("setup.exe", "application/x-msdownload", vec![1; 10]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["details"]["fields"]["file"].is_string(),
        "{body}"
    );
    // Too large: refused with 413 as it streams in (a document past 16 MB, an image past
    // 5 MB), nothing kept, nothing half-written.
    let big = vec![0u8; 16 * 1024 * 1024 + 1];
    let (status, body) = upload(&app, &owner, file_form("big.pdf", "application/pdf", big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("16 MB"),
        "{body}"
    );
    let photo = vec![0xffu8; 6 * 1024 * 1024];
    let (status, body) = upload(&app, &owner, file_form("big.jpg", "image/jpeg", photo)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("5 MB"),
        "{body}"
    );
    let (status, body) = upload(
        &app,
        &owner,
        file_form("empty.pdf", "application/pdf", vec![]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["details"]["fields"]["file"].is_string(),
        "{body}"
    );
    let first = format!("{}/{media_id}", owner.org_id);
    assert_eq!(kept.files(&app), [first]);
    kept.assert_nothing_partial(&app);
    // A file larger than one S3 part (8 MB) goes up in parts and comes back whole.
    let brochure: Vec<u8> = (0..12 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let (status, body) = upload(
        &app,
        &owner,
        file_form("Brochure.pdf", "application/pdf", brochure.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["size_bytes"], brochure.len());
    let r = get_raw(&app, body["url"].as_str().unwrap(), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().as_ref() == brochure.as_slice());
    assert_eq!(kept.files(&app).len(), 2);
    kept.assert_nothing_partial(&app);
    let form = reqwest::multipart::Form::new().text("note", "no file");
    let (status, _) = upload(&app, &owner, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A viewer may neither upload nor send.
    let viewer = app.add_member(&owner, "viewer").await;
    let (status, _) = upload(
        &app,
        &viewer,
        file_form("a.pdf", "application/pdf", pdf.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The lead writes; the document goes out through the send path: uploaded to Meta, then
    // sent by the id Meta gave it, with its caption and name.
    crate::sending::lead_writes(&app, &owner).await;
    let conv = the_conversation(&app, &owner).await;
    let send = json!({"conversation_id": conv, "media_id": media_id, "caption": "Your quote"});
    let r = app
        .post("/api/v1/messages/send", Some(&viewer.token), send.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post("/api/v1/messages/send", Some(&owner.token), send.clone())
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
    let message = &r.body["message"];
    assert_eq!(message["type"], "document");
    assert_eq!(message["text"], "Your quote");
    assert_eq!(message["media"]["file_name"], "Quote 7781.pdf");
    assert!(message["media"]["url"].is_string());
    let sent = eventually(15, "the document sent to Meta", || async {
        graph.sends().into_iter().find(|s| s["type"] == "document")
    })
    .await;
    let uploads: Vec<Value> = graph
        .media_calls()
        .into_iter()
        .filter(|c| c["what"] == "upload")
        .collect();
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(uploads[0]["number"], NUMBER);
    assert_eq!(uploads[0]["messaging_product"], "whatsapp");
    assert_eq!(uploads[0]["content_type"], "application/pdf");
    assert_eq!(uploads[0]["size"], pdf.len());
    assert_eq!(sent["document"]["caption"], "Your quote");
    assert_eq!(sent["document"]["filename"], "Quote 7781.pdf");
    assert!(sent["document"]["id"].as_str().unwrap().starts_with("9000"));

    // Sent once: sending the same upload again is refused, naming the field.
    let r = app
        .post("/api/v1/messages/send", Some(&owner.token), send)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["media_id"].is_string());
    // Another organisation's upload is not a file uploaded here.
    let other = app.signup_org("Other uploads").await;
    let (_, theirs) = upload(
        &app,
        &other,
        file_form("x.pdf", "application/pdf", pdf.clone()),
    )
    .await;
    let r = app
        .post(
            "/api/v1/messages/send",
            Some(&owner.token),
            json!({"conversation_id": conv, "media_id": theirs["id"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = get_raw(
        &app,
        &format!("/api/v1/media/{media_id}"),
        Some(&other.token),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = get_raw(
        &app,
        &format!("/api/v1/media/{media_id}"),
        Some(&owner.token),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"Quote 7781.pdf\"")
    );
    app.finish().await;
}

/// A local OpenAI-compatible speech-to-text server: answers `text` to every transcription and
/// records each request's authorization and form fields.
struct FakeSpeech {
    url: String,
    calls: Arc<Mutex<Vec<Value>>>,
}

impl FakeSpeech {
    async fn start(text: &'static str) -> FakeSpeech {
        let calls: Arc<Mutex<Vec<Value>>> = Arc::default();
        let app = Router::new()
            .route(
                "/v1/audio/transcriptions",
                axum::routing::post(
                    move |State(calls): State<Arc<Mutex<Vec<Value>>>>,
                          headers: HeaderMap,
                          mut form: Multipart| async move {
                        let auth = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned();
                        let mut call = json!({"auth": auth});
                        while let Ok(Some(field)) = form.next_field().await {
                            let name = field.name().unwrap_or_default().to_owned();
                            if name == "file" {
                                call["file_name"] = json!(field.file_name());
                                call["size"] =
                                    json!(field.bytes().await.map(|b| b.len()).unwrap_or(0));
                            } else {
                                call[name] = json!(field.text().await.unwrap_or_default());
                            }
                        }
                        calls.lock().unwrap().push(call);
                        axum::Json(json!({ "text": text }))
                    },
                ),
            )
            .with_state(calls.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeSpeech {
            url: format!("http://{addr}/v1"),
            calls,
        }
    }
}

async fn a_voice_note_is_transcribed_and_the_agent_answers_it(b: Backend) {
    let speech = FakeSpeech::start("Hi, what are the fees?").await;
    let (app, owner, graph) = app_with_graph(b, NUMBER, SECRET).await;
    let r = app
        .post(
            "/api/v1/knowledge",
            Some(&owner.token),
            json!({"kind": "faq", "content": "Q: What are the course fees?\nA: The course costs ₹2999 with EMI options."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let r = app
        .put(
            "/api/v1/settings/transcription",
            &owner.token,
            json!({"base_url": speech.url, "model": "whisper-1", "api_key": "sk-speech"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    graph.add_media("400000000000002", "audio/ogg", b"OggS voice".to_vec());
    lead_sends(&app, "inbound_audio_voice.json").await;
    let conv = the_conversation(&app, &owner).await;
    let voice = eventually(20, "the voice note transcribed", || async {
        messages(&app, &owner, &conv)
            .await
            .into_iter()
            .find(|m| m["type"] == "voice" && m["media"]["transcript"].is_string())
    })
    .await;
    assert_eq!(voice["media"]["transcript"], "Hi, what are the fees?");
    assert_eq!(voice["media"]["status"], "stored");
    let calls = speech.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["auth"], "Bearer sk-speech");
    assert_eq!(calls[0]["model"], "whisper-1");
    assert_eq!(calls[0]["file_name"], "voice-note.ogg");
    // The agent reads the transcript as the lead's words, and answers it once.
    let reply = eventually(20, "the agent's answer", || async {
        messages(&app, &owner, &conv)
            .await
            .into_iter()
            .find(|m| m["author"] == "bot")
    })
    .await;
    assert!(reply["text"].as_str().unwrap().contains("₹2999"), "{reply}");
    let d = app
        .get(
            &format!("/api/v1/conversations/{conv}/decisions"),
            &owner.token,
        )
        .await;
    let d = d.body["items"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["reason_code"], "pricing_discussion");
    app.finish().await;
}

async fn transcription_settings_are_validated_and_scoped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let owner = app.signup_org("Speech Co").await;
    const SETTINGS: &str = "/api/v1/settings/transcription";
    let r = app.get(SETTINGS, &owner.token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["configured"], false);
    let r = app
        .put(
            SETTINGS,
            &owner.token,
            json!({"base_url": "ftp://nowhere", "model": ""}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &r.body["error"]["details"]["fields"];
    assert!(
        fields["base_url"].is_string() && fields["model"].is_string(),
        "{fields}"
    );
    // A private address the operator did not allow is refused.
    let app2 = TestApp::spawn_with_egress(b, &[]).await;
    let owner2 = app2.signup_org("Private Co").await;
    let r = app2
        .put(
            SETTINGS,
            &owner2.token,
            json!({"base_url": "http://10.0.0.1/v1", "model": "whisper-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.body["error"]["details"]["fields"]["base_url"].is_string());
    app2.finish().await;

    let r = app
        .put(
            SETTINGS,
            &owner.token,
            json!({"base_url": "http://127.0.0.1:9/v1", "model": "whisper-1", "api_key": "sk-secret"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["has_api_key"], true);
    assert!(!r.body.to_string().contains("sk-secret"));
    // The key is sealed at rest.
    let stored = app
        .sql_text("SELECT api_key FROM transcription_settings")
        .await
        .unwrap();
    assert!(!stored.contains("sk-secret"));
    // Another server needs the key again.
    let r = app
        .put(
            SETTINGS,
            &owner.token,
            json!({"base_url": "https://stt.example.com/v1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["error"]["details"]["fields"]["api_key"].is_string());
    // Agents and viewers read but do not change it; another organisation has its own.
    for role in ["agent", "viewer"] {
        let member = app.add_member(&owner, role).await;
        let r = app.get(SETTINGS, &member.token).await;
        assert_eq!(r.body["model"], "whisper-1");
        let r = app
            .put(SETTINGS, &member.token, json!({"model": "other"}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let other = app.signup_org("Other speech").await;
    let r = app.get(SETTINGS, &other.token).await;
    assert_eq!(r.body["configured"], false);
    // Nothing in another organisation's inbox: its sandbox lead has no files to fetch.
    let (conv, _) = sandbox_lead_writes(&app, &other, "+91 98000 00009", "hello").await;
    assert!(
        messages(&app, &other, &conv)
            .await
            .iter()
            .all(|m| m["media"]["url"].is_null())
    );
    app.finish().await;
}

/// A lead's photo is kept in the bucket; erasing the lead deletes the object (the
/// `media_erase` job), and the message says the file is gone.
async fn erasing_a_lead_deletes_their_files_from_the_bucket(b: Backend) {
    let kept = Kept::bucket().await;
    let (app, owner, graph) = app_keeping(b, &kept).await;
    graph.add_media("400000000000001", "image/jpeg", JPEG.to_vec());
    lead_sends(&app, "inbound_image.json").await;
    let list = app.get("/api/v1/conversations", &owner.token).await;
    let conv = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let lead = list.body["items"][0]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let photo = media_message(&app, &owner, &conv, "image", "stored").await;
    let media_id = photo["media"]["id"].as_str().unwrap().to_owned();
    let key = format!("{}/{media_id}", owner.org_id);
    assert_eq!(kept.files(&app), std::slice::from_ref(&key));
    // Another organisation's file stays.
    let other = app.signup_org("Keeps its files").await;
    let (status, theirs) = upload(
        &app,
        &other,
        file_form("theirs.pdf", "application/pdf", b"%PDF-1.4 theirs".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    let their_key = format!("{}/{}", other.org_id, theirs["id"].as_str().unwrap());

    let r = app
        .post(
            "/api/v1/privacy/erase",
            Some(&owner.token),
            json!({"lead_id": lead}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let left = eventually(20, "the object deleted", || async {
        let files = kept.files(&app);
        (!files.contains(&key)).then_some(files)
    })
    .await;
    assert_eq!(left, [their_key]);
    let after = messages(&app, &owner, &conv).await;
    let m = after.iter().find(|m| m["id"] == photo["id"]).unwrap();
    assert_eq!(m["media"]["status"], "erased", "{m}");
    let r = get_raw(
        &app,
        &format!("/api/v1/media/{media_id}"),
        Some(&owner.token),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

/// SigV4 is on: a server holding the wrong secret has every request refused, so an upload
/// fails and the bucket stays empty.
async fn a_bucket_refusing_our_signature_keeps_nothing(b: Backend) {
    let s3 = S3Server::start().await;
    let (app, owner, _graph) =
        app_with_graph_and_media(b, NUMBER, SECRET, s3.media_args_with_wrong_secret()).await;
    let (status, body) = upload(
        &app,
        &owner,
        file_form("a.pdf", "application/pdf", b"%PDF-1.4 a".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(s3.objects(), Vec::<String>::new());
    app.finish().await;
}
