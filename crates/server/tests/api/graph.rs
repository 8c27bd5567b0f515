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
            .route(
                "/{version}/{id}/message_templates",
                post(create_template)
                    .get(list_templates)
                    .delete(delete_template),
            )
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
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

    /// Every send request body received so far.
    pub fn sends(&self) -> Vec<Value> {
        self.shared.sends.lock().unwrap().clone()
    }
}

async fn number(
    Path((_, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> (StatusCode, axum::Json<Value>) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
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
