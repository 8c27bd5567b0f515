//! The knowledge base the agent answers from: faq.txt entries (JSON or an uploaded file).

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{API_BODY_LIMIT, ApiJson, ApiQuery, Manager, Member, parse_id};
use crate::routes::schema::{List, ListParams};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use chrono::{DateTime, Utc};
use closer_domain::ValidationError;
use closer_domain::work::ErrorCode;
use closer_domain::work::KnowledgeKind;
use closer_store::agent_config::{KnowledgeItem, NewKnowledge};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct KnowledgeView {
    pub id: Uuid,
    pub kind: KnowledgeKind,
    pub title: String,
    pub content: String,
    pub source_url: Option<String>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub stale: bool,
    pub created_at: DateTime<Utc>,
}

impl From<KnowledgeItem> for KnowledgeView {
    fn from(k: KnowledgeItem) -> Self {
        KnowledgeView {
            id: k.id,
            kind: k.kind,
            title: k.title,
            content: k.content,
            source_url: k.source_url,
            last_verified_at: k.last_verified_at,
            stale: k.stale,
            created_at: k.created_at,
        }
    }
}

/// The knowledge base, newest first.
#[utoipa::path(get, path = "/knowledge", tag = "agent", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = List<KnowledgeView>)))]
pub async fn list_knowledge(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<List<KnowledgeView>>> {
    let page = p.page()?;
    let items = state.store.org(member.org_id()).knowledge(page).await?;
    Ok(Json(List::from_page(items, KnowledgeView::from)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeRequest {
    /// `faq` (a website is added with /knowledge/scan).
    pub kind: KnowledgeKind,
    /// The text of a faq.txt: `Q:` / `A:` pairs, blank lines between them.
    pub content: String,
}

#[derive(Serialize, ToSchema)]
pub struct KnowledgeCreated {
    pub created: usize,
    pub items: Vec<KnowledgeView>,
}

/// Most FAQ text one upload may carry.
const FAQ_MAX_BYTES: usize = 512 * 1024;

/// Reads a faq.txt: `Q:`/`A:` lines (also `Question:`/`Answer:`), an answer running on until
/// the next question.
pub fn parse_faq(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    let mut q: Option<String> = None;
    let mut a = String::new();
    let label = |line: &str, names: &[&str]| -> Option<String> {
        let lower = line.to_lowercase();
        names.iter().find_map(|n| {
            lower.starts_with(n).then(|| {
                line[n.len()..]
                    .trim_start_matches([':', '.', ')', ' ', '-'])
                    .trim()
                    .to_owned()
            })
        })
    };
    let mut flush = |q: &mut Option<String>, a: &mut String| {
        if let Some(question) = q.take()
            && !question.is_empty()
            && !a.trim().is_empty()
        {
            out.push((question, a.trim().to_owned()));
        }
        a.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if let Some(question) = label(line, &["question", "q"]).filter(|_| {
            line.len() > 1 && line[1..].trim_start().starts_with([':', '.', ')'])
                || line.to_lowercase().starts_with("question")
        }) {
            flush(&mut q, &mut a);
            q = Some(question);
        } else if let Some(answer) = label(line, &["answer", "a"]).filter(|_| {
            line.len() > 1 && line[1..].trim_start().starts_with([':', '.', ')'])
                || line.to_lowercase().starts_with("answer")
        }) {
            a.push_str(&answer);
        } else if q.is_some() && !line.is_empty() {
            if !a.is_empty() {
                a.push(' ');
            }
            a.push_str(line);
        }
    }
    flush(&mut q, &mut a);
    out
}

/// A faq.txt as a multipart upload (`multipart/form-data`).
#[derive(ToSchema)]
// Documents the form for the OpenAPI document; the handler reads it part by part.
#[allow(dead_code)]
pub struct KnowledgeUpload {
    /// `faq` (the default).
    pub kind: Option<String>,
    /// The faq.txt: UTF-8 text of `Q:` / `A:` pairs, at most 512 KiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// The most of a refused upload read (and dropped) so its sender hears why.
const DRAIN_AT_MOST: usize = 4 * 1024 * 1024;

/// A multipart form the server could not read: too big for the API's body limit (413), or
/// not a well-formed form (400).
fn unreadable_form(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(API_BODY_LIMIT)
    } else {
        ApiError::BadRequest(err.body_text())
    }
}

/// Reads an uploaded faq.txt form: a `file` part (required) and a `kind` part (optional).
async fn read_upload(req: Request, state: &AppState) -> ApiResult<KnowledgeRequest> {
    let mut form = Multipart::from_request(req, state)
        .await
        .map_err(|rej| ApiError::BadRequest(rej.body_text()))?;
    let mut kind: Option<KnowledgeKind> = None;
    let mut content: Option<String> = None;
    while let Some(mut field) = form.next_field().await.map_err(unreadable_form)? {
        match field.name() {
            Some("kind") => {
                let text = field.text().await.map_err(unreadable_form)?;
                kind = Some(
                    text.parse()
                        .map_err(|e: ValidationError| ApiError::field("kind", e.0))?,
                );
            }
            Some("file") => {
                let mut bytes: Vec<u8> = vec![];
                let mut too_big = false;
                // Read to the end even past the cap (the body limit bounds it): answering
                // mid-upload closes the connection, and the browser would show a reset
                // instead of our message.
                while let Some(piece) = field.chunk().await.map_err(unreadable_form)? {
                    too_big |= bytes.len() + piece.len() > FAQ_MAX_BYTES;
                    if !too_big {
                        bytes.extend_from_slice(&piece);
                    }
                }
                if too_big {
                    return Err(ApiError::field(
                        "file",
                        format!("must be at most {} KiB", FAQ_MAX_BYTES / 1024),
                    ));
                }
                let text = String::from_utf8(bytes)
                    .map_err(|_| ApiError::field("file", "must be a UTF-8 text file"))?;
                let text = closer_domain::text::storable(&text).into_owned();
                content = Some(text.trim_start_matches('\u{feff}').to_owned());
            }
            other => {
                return Err(ApiError::field(
                    other.unwrap_or("form"),
                    "unknown form field; send `file` and optionally `kind`",
                ));
            }
        }
    }
    Ok(KnowledgeRequest {
        kind: kind.unwrap_or(KnowledgeKind::Faq),
        content: content.ok_or_else(|| ApiError::field("file", "is required"))?,
    })
}

/// Adds FAQ entries from a faq.txt (owner or admin): its text as JSON `{kind, content}`, or
/// the file itself as a multipart upload (`file`, optional `kind`).
#[utoipa::path(post, path = "/knowledge", tag = "agent", security(("bearer" = [])),
    request_body(content((KnowledgeRequest = "application/json"), (KnowledgeUpload = "multipart/form-data"))),
    responses((status = 201, body = KnowledgeCreated), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_knowledge(
    State(state): State<AppState>,
    Manager(member): Manager,
    req: Request,
) -> ApiResult<(StatusCode, Json<KnowledgeCreated>)> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|ct| ct.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let (req, field) = if multipart {
        // The form is read part by part, so the body limit would only bite after the file's
        // own cap: a body declared too large is refused as one, up front.
        if let Some(n) = declared.filter(|n| *n > API_BODY_LIMIT) {
            // A modest overshoot is read and dropped so the client hears the 413 rather than
            // a reset connection; anything bigger is cut off.
            if n <= DRAIN_AT_MOST {
                let _ = axum::body::to_bytes(req.into_body(), DRAIN_AT_MOST).await;
            }
            return Err(ApiError::PayloadTooLarge(API_BODY_LIMIT));
        }
        (read_upload(req, &state).await?, "file")
    } else {
        let ApiJson(req) = ApiJson::<KnowledgeRequest>::from_request(req, &state).await?;
        (req, "content")
    };
    if req.kind != KnowledgeKind::Faq {
        return Err(ApiError::field(
            "kind",
            "must be faq (use /knowledge/scan for a website)",
        ));
    }
    if req.content.len() > FAQ_MAX_BYTES {
        return Err(ApiError::field(
            field,
            format!("must be at most {} KiB", FAQ_MAX_BYTES / 1024),
        ));
    }
    let pairs = parse_faq(&req.content);
    if pairs.is_empty() {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::NoFaqEntries,
            message: "No question and answer pairs were found; write them as `Q: ...` and `A: ...` lines.".into(),
            details: Some(json!({ "field": field })),
        });
    }
    let entries = pairs
        .into_iter()
        .map(|(q, a)| NewKnowledge {
            kind: KnowledgeKind::Faq,
            title: q.chars().take(500).collect(),
            content: a.chars().take(4_000).collect(),
            source_url: None,
        })
        .collect();
    let items = state
        .store
        .org(member.org_id())
        .add_knowledge(&member.0.user.as_actor(), entries)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(KnowledgeCreated {
            created: items.len(),
            items: items.into_iter().map(KnowledgeView::from).collect(),
        }),
    ))
}

/// Removes a knowledge entry (owner or admin).
#[utoipa::path(delete, path = "/knowledge/{id}", tag = "agent", security(("bearer" = [])),
    params(("id" = String, Path, description = "entry id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_knowledge(
    State(state): State<AppState>,
    Manager(member): Manager,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .org(member.org_id())
        .delete_knowledge(&member.0.user.as_actor(), parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::parse_faq;

    #[test]
    fn reads_a_faq_txt() {
        let text = "Q: What are the fees?\nA: The course costs ₹2999.\nEMI available.\n\nQuestion: Where are you?\nAnswer: Mumbai.\n\nQ: Unanswered?\n";
        assert_eq!(
            parse_faq(text),
            vec![
                (
                    "What are the fees?".into(),
                    "The course costs ₹2999. EMI available.".into()
                ),
                ("Where are you?".into(), "Mumbai.".into()),
            ]
        );
        assert!(parse_faq("just some text").is_empty());
    }
}
