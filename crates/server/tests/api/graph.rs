//! A local stand-in for Meta's Graph API: real HTTP, scripted answers to sends, every send
//! recorded. `GET /{version}/{phone_number_id}` answers the number's details for the good
//! token and error 190 for any other.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

pub const GOOD_TOKEN: &str = "EAAG-good-token";

/// A file Meta holds: its type and bytes.
type MediaFile = (String, Vec<u8>);

#[derive(Clone, Default)]
struct Shared {
    /// Answers for the next sends, in order; when empty a send succeeds.
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    sends: Arc<Mutex<Vec<Value>>>,
    /// Answers for the next template submissions; when empty one is accepted as pending.
    template_script: Arc<Mutex<VecDeque<(u16, Value)>>>,
    /// Every template request: `{method, waba, body|query}`.
    template_calls: Arc<Mutex<Vec<Value>>>,
    /// What `GET /{waba}/message_templates` lists.
    listed: Arc<Mutex<Value>>,
    /// Inbound files by media id: `(mime type, bytes)`; `GET /{version}/{media-id}` describes
    /// one and `GET /download/{media-id}` serves it, both for the good token only.
    media: Arc<Mutex<std::collections::HashMap<String, MediaFile>>>,
    /// Every media call: `{what: "info"|"download"|"upload", id, auth, ...}`.
    media_calls: Arc<Mutex<Vec<Value>>>,
    /// Sizes the description states instead of the file's own (Meta may understate one).
    announced: Arc<Mutex<std::collections::HashMap<String, usize>>>,
    /// This server's own address, for the download URLs it hands out.
    base: Arc<Mutex<String>>,
}

pub struct FakeGraph {
    pub url: String,
    shared: Shared,
}

/// A Graph error body with `code`.
pub fn graph_error(code: i64, message: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": "AbCdEf"}})
}

impl FakeGraph {
    pub async fn start() -> FakeGraph {
        let shared = Shared::default();
        let app = Router::new()
            .route("/{version}/{id}", get(number))
            .route("/{version}/{id}/messages", post(send))
            .route("/{version}/{id}/media", post(upload_media))
            .route("/download/{id}", get(download))
            .route(
                "/{version}/{id}/message_templates",
                post(create_template)
                    .get(list_templates)
                    .delete(delete_template),
            )
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        *shared.base.lock().unwrap() = format!("http://{addr}");
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeGraph {
            url: format!("http://{addr}"),
            shared,
        }
    }

    /// The next sends get these answers, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = (u16, Value)>) {
        self.shared.script.lock().unwrap().extend(answers);
    }

    /// The next template submissions get these answers, in order.
    pub fn script_templates(&self, answers: impl IntoIterator<Item = (u16, Value)>) {
        self.shared.template_script.lock().unwrap().extend(answers);
    }

    /// Every template call so far: `{method, waba, body}` or `{method, waba, name}`.
    pub fn template_calls(&self) -> Vec<Value> {
        self.shared.template_calls.lock().unwrap().clone()
    }

    /// What Meta's template list answers from now on.
    pub fn list_templates(&self, list: Value) {
        *self.shared.listed.lock().unwrap() = list;
    }

    /// A lead's file Meta holds under `media_id`.
    pub fn add_media(&self, media_id: &str, mime_type: &str, bytes: Vec<u8>) {
        self.shared
            .media
            .lock()
            .unwrap()
            .insert(media_id.to_owned(), (mime_type.to_owned(), bytes));
    }

    /// A file whose description states `announced` bytes, whatever its real size.
    pub fn add_media_announced(
        &self,
        media_id: &str,
        mime_type: &str,
        bytes: Vec<u8>,
        announced: usize,
    ) {
        self.add_media(media_id, mime_type, bytes);
        self.shared
            .announced
            .lock()
            .unwrap()
            .insert(media_id.to_owned(), announced);
    }

    /// Every media call so far (describe, download, upload).
    pub fn media_calls(&self) -> Vec<Value> {
        self.shared.media_calls.lock().unwrap().clone()
    }

    /// Every send request body received so far.
    pub fn sends(&self) -> Vec<Value> {
        self.shared.sends.lock().unwrap().clone()
    }
}

fn auth_of(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn number(
    State(shared): State<Shared>,
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> (StatusCode, axum::Json<Value>) {
    let auth = auth_of(&headers);
    let file = shared.media.lock().unwrap().get(&id).cloned();
    if let Some((mime_type, bytes)) = file {
        shared
            .media_calls
            .lock()
            .unwrap()
            .push(json!({"what": "info", "id": id, "auth": auth}));
        let base = shared.base.lock().unwrap().clone();
        let size = shared.announced.lock().unwrap().get(&id).copied();
        let size = size.unwrap_or(bytes.len());
        return (
            StatusCode::OK,
            axum::Json(json!({"messaging_product": "whatsapp", "id": id,
                "url": format!("{base}/download/{id}"), "mime_type": mime_type,
                "sha256": "abc", "file_size": size})),
        );
    }
    if auth == format!("Bearer {GOOD_TOKEN}") {
        (
            StatusCode::OK,
            axum::Json(json!({"id": id, "display_phone_number": "+1 555-000-1111",
                "verified_name": "Acme", "quality_rating": "GREEN", "messaging_limit_tier": "TIER_1K"})),
        )
    } else {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(graph_error(190, "Error validating access token")),
        )
    }
}

async fn send(
    State(shared): State<Shared>,
    axum::Json(body): axum::Json<Value>,
) -> (StatusCode, axum::Json<Value>) {
    let n = {
        let mut sends = shared.sends.lock().unwrap();
        sends.push(body.clone());
        sends.len()
    };
    match shared.script.lock().unwrap().pop_front() {
        Some((status, answer)) => (StatusCode::from_u16(status).unwrap(), axum::Json(answer)),
        None => (
            StatusCode::OK,
            axum::Json(json!({"messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": format!("wamid.fake{n}")}]})),
        ),
    }
}

async fn create_template(
    State(shared): State<Shared>,
    Path((_, waba)): Path<(String, String)>,
    axum::Json(body): axum::Json<Value>,
) -> (StatusCode, axum::Json<Value>) {
    let n = {
        let mut calls = shared.template_calls.lock().unwrap();
        calls.push(json!({"method": "POST", "waba": waba, "body": body}));
        calls.len()
    };
    match shared.template_script.lock().unwrap().pop_front() {
        Some((status, answer)) => (StatusCode::from_u16(status).unwrap(), axum::Json(answer)),
        None => (
            StatusCode::OK,
            axum::Json(
                json!({"id": format!("5000000000001{n:02}"), "status": "PENDING",
                "category": body["category"]}),
            ),
        ),
    }
}

/// Meta's paging: `limit` (25 by default) per page, an opaque `after` cursor, and `next` only
/// while more follow.
async fn list_templates(
    State(shared): State<Shared>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::Json<Value> {
    let listed = shared.listed.lock().unwrap().clone();
    let all = listed["data"].as_array().cloned().unwrap_or_default();
    let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(25);
    let start: usize = q
        .get("after")
        .and_then(|a| a.strip_prefix("cursor-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let end = (start + limit).min(all.len());
    let mut paging =
        json!({"cursors": {"before": format!("cursor-{start}"), "after": format!("cursor-{end}")}});
    if end < all.len() {
        paging["next"] = json!(format!("https://graph.example/next?after=cursor-{end}"));
    }
    axum::Json(json!({"data": all[start.min(end)..end], "paging": paging}))
}

async fn delete_template(
    State(shared): State<Shared>,
    Path((_, waba)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::Json<Value> {
    shared
        .template_calls
        .lock()
        .unwrap()
        .push(json!({"method": "DELETE", "waba": waba, "name": q.get("name")}));
    axum::Json(json!({"success": true}))
}

async fn download(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let auth = auth_of(&headers);
    shared
        .media_calls
        .lock()
        .unwrap()
        .push(json!({"what": "download", "id": id, "auth": auth}));
    let file = shared.media.lock().unwrap().get(&id).cloned();
    match file {
        Some((mime, bytes)) if auth == format!("Bearer {GOOD_TOKEN}") => {
            ([(axum::http::header::CONTENT_TYPE, mime)], bytes).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /{phone-number-id}/media`: records the form and answers a new media id.
async fn upload_media(
    State(shared): State<Shared>,
    Path((_, number)): Path<(String, String)>,
    headers: HeaderMap,
    mut form: axum::extract::Multipart,
) -> (StatusCode, axum::Json<Value>) {
    let mut call = json!({"what": "upload", "number": number, "auth": auth_of(&headers)});
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            call["file_name"] = json!(field.file_name());
            call["content_type"] = json!(field.content_type());
            call["size"] = json!(field.bytes().await.map(|b| b.len()).unwrap_or(0));
        } else {
            call[name] = json!(field.text().await.unwrap_or_default());
        }
    }
    let n = {
        let mut calls = shared.media_calls.lock().unwrap();
        calls.push(call);
        calls.len()
    };
    (
        StatusCode::OK,
        axum::Json(json!({"id": format!("9000000000{n:02}")})),
    )
}
