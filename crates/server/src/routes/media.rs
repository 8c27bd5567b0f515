//! Media in the inbox: a member uploads a file to send (`POST /media`), anyone in the
//! organisation — or anyone holding a signed, short-lived link — downloads one
//! (`GET /media/{id}`), and the owner or an admin sets the speech-to-text provider that
//! transcribes voice notes (`/settings/transcription`).

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, Responder, parse_id};
use crate::media::{link_is_valid, metered, refusal_of, signed_path, storage_key};
use crate::routes::llm_settings::{base_url_problem, origin, reachable};
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use closer_domain::media::{self, MediaStatus};
use closer_domain::messaging::MessageType;
use closer_store::media::{MediaRecord, NewUpload, TranscriptionInput, TranscriptionSettings};
use closer_store::secret_box::SecretBox;
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// A request may carry a little more than the file's 16 MB (the form's own bytes); the file's
/// limit is enforced while it streams in.
const UPLOAD_BODY_LIMIT: usize = 20 * 1024 * 1024;
const MAX_MODEL_CHARS: usize = 200;
const MAX_KEY_CHARS: usize = 500;

/// A file in the inbox, as a message's `media` carries it and as an upload answers.
#[derive(Serialize, ToSchema)]
pub struct MediaView {
    pub id: Uuid,
    /// The kind of message the file is (or goes out as).
    pub kind: MessageType,
    pub mime_type: String,
    /// Null until the file was fetched from Meta.
    pub size_bytes: Option<i64>,
    pub file_name: Option<String>,
    /// A signed link that works for a few minutes without a bearer token; null until the
    /// file is stored.
    pub url: Option<String>,
    /// A voice note's words, when a speech-to-text provider heard it.
    pub transcript: Option<String>,
    pub status: MediaStatus,
}

fn media_view(r: MediaRecord, secrets: &SecretBox) -> MediaView {
    MediaView {
        url: (r.status == MediaStatus::Stored).then(|| signed_path(secrets, r.id)),
        id: r.id,
        kind: r.kind,
        mime_type: r.mime_type,
        size_bytes: r.size_bytes,
        file_name: r.file_name,
        transcript: r.transcript,
        status: r.status,
    }
}

/// A message's `media` JSON with the signed link of its file, when it has a stored one.
pub fn with_link(kind: MessageType, media: Option<Value>, secrets: &SecretBox) -> Option<Value> {
    let mut media = media?;
    if !media::is_media(kind) {
        return Some(media);
    }
    let stored = media.get("status").and_then(Value::as_str) == Some(MediaStatus::Stored.as_str());
    let id = media
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| id.parse::<Uuid>().ok());
    if let (true, Some(id)) = (stored, id) {
        media["url"] = Value::String(signed_path(secrets, id));
    }
    Some(media)
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaUpload {
    /// The file: an image (JPEG, PNG), a video (MP4, 3GPP), audio (AAC, AMR, MP3, M4A, OGG)
    /// or a document (PDF, text, Word, Excel, PowerPoint), at most 16 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

pub fn upload_router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .routes(utoipa_axum::routes!(upload_media))
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
}

fn unreadable_form(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(UPLOAD_BODY_LIMIT)
    } else {
        ApiError::BadRequest(err.body_text())
    }
}

/// The type a part declares, or else the one its name suggests.
fn content_type_of(declared: Option<&str>, name: Option<&str>) -> String {
    match declared.map(media::essence) {
        Some(t) if !t.is_empty() && t != "application/octet-stream" => t,
        _ => name
            .and_then(|n| mime_guess::from_path(n).first())
            .map(|m| m.essence_str().to_owned())
            .unwrap_or_else(|| "application/octet-stream".into()),
    }
}

/// A file part streamed into the media store.
struct Received {
    name: Option<String>,
    mime: String,
    kind: MessageType,
    size: u64,
    sha256: String,
}

/// What stopped an upload's stream: a limit (413 for size, 422 naming `file` when empty), the
/// form itself (as a form error), or the store.
fn upload_failed(err: std::io::Error) -> ApiError {
    match refusal_of(&err) {
        Some(refusal @ media::MediaRefusal::TooLarge { .. }) => {
            ApiError::TooMuchWork(format!("file {refusal}"))
        }
        Some(refusal) => ApiError::field("file", refusal.to_string()),
        None => match err
            .into_inner()
            .map(|inner| inner.downcast::<MultipartError>())
        {
            Some(Ok(form)) => unreadable_form(*form),
            Some(Err(other)) => ApiError::Internal(anyhow::anyhow!("storing an upload: {other}")),
            None => ApiError::Internal(anyhow::anyhow!("storing an upload failed")),
        },
    }
}

/// Streams the `file` part into the store under `key`, checking its type first and its size
/// as it comes: nothing over the limit is read or kept.
async fn receive(
    state: &AppState,
    field: axum::extract::multipart::Field<'_>,
    key: &str,
) -> ApiResult<Received> {
    let name = field.file_name().and_then(media::safe_file_name);
    let mime = content_type_of(field.content_type(), name.as_deref());
    let kind = media::upload_kind(&mime, 1)
        .map_err(|refusal| ApiError::field("file", refusal.to_string()))?;
    let max = media::UPLOAD_MAX_BYTES.min(media::max_bytes(kind));
    let (chunks, tally) = metered(field.map_err(std::io::Error::other), max);
    state
        .media
        .put_stream(key, chunks)
        .await
        .map_err(upload_failed)?;
    let tally = tally.lock().unwrap_or_else(|e| e.into_inner());
    Ok(Received {
        name,
        mime,
        kind,
        size: tally.size,
        sha256: tally.sha256_hex(),
    })
}

/// Uploads a file to send (anyone but a viewer): multipart `file`, at most 16 MB (an image
/// 5 MB), of a type WhatsApp carries. Send it with `POST /messages/send`
/// `{conversation_id, media_id}`. The file is streamed into the media store; a larger one is
/// refused with 413 and nothing is kept.
#[utoipa::path(post, path = "/media", tag = "inbox", security(("bearer" = [])),
    request_body(content((MediaUpload = "multipart/form-data"))),
    responses((status = 201, body = MediaView), (status = 403, body = ErrorBody),
        (status = 413, description = "payload_too_large: the file is over its kind's limit", body = ErrorBody),
        (status = 422, description = "validation_failed naming `file`: missing, empty or a type WhatsApp does not carry", body = ErrorBody)))]
pub async fn upload_media(
    State(state): State<AppState>,
    Responder(member): Responder,
    req: Request,
) -> ApiResult<(StatusCode, Json<MediaView>)> {
    let mut form = Multipart::from_request(req, &state)
        .await
        .map_err(|rej| ApiError::BadRequest(rej.body_text()))?;
    let id = closer_store::new_id();
    let org_id = member.org_id();
    let key = storage_key(org_id, id);
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable_form)? {
        if field.name() == Some("file") && file.is_none() {
            match receive(&state, field, &key).await {
                Ok(received) => file = Some(received),
                Err(refused) => {
                    // The rest of the request is read and dropped (within the body limit)
                    // before the answer: a client still sending would otherwise see the
                    // connection reset rather than the 413.
                    while let Ok(Some(_)) = form.next_field().await {}
                    return Err(refused);
                }
            }
        }
    }
    let file = file.ok_or_else(|| ApiError::field("file", "is required"))?;
    let upload = NewUpload {
        id,
        kind: file.kind,
        mime_type: file.mime,
        size_bytes: i64::try_from(file.size).unwrap_or(i64::MAX),
        file_name: file.name,
        sha256: file.sha256,
        storage_key: key.clone(),
    };
    let recorded = state
        .store
        .org(org_id)
        .record_upload(&member.0.user.as_actor(), upload)
        .await;
    let record = match recorded {
        Ok(record) => record,
        Err(e) => {
            // No row names the file: it is not kept either.
            let _ = state.media.delete(&key).await;
            return Err(e.into());
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(media_view(record, &state.secrets)),
    ))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct LinkQuery {
    /// With `sig`: when the signed link stops working (Unix seconds).
    pub expires: Option<i64>,
    /// The link's signature, from a message's `media.url`.
    pub sig: Option<String>,
}

/// Streams a file with its type and name: to a member of its organisation (bearer token or
/// session), or to anyone with a valid signed link (`media.url`). Another organisation's file,
/// an expired or forged link: 404.
#[utoipa::path(get, path = "/media/{id}", tag = "inbox",
    params(("id" = String, Path, description = "media id"), LinkQuery),
    security(("bearer" = []), ()),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_media(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(link): Query<LinkQuery>,
    req: Request,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let record = match (link.expires, link.sig.as_deref()) {
        (Some(expires), Some(sig)) => {
            if !link_is_valid(&state.secrets, id, expires, sig) {
                return Err(ApiError::NotFound);
            }
            state.store.media_by_id(id).await?
        }
        _ => {
            let (mut parts, _) = req.into_parts();
            let member = Member::from_request_parts(&mut parts, &state).await?;
            state.store.org(member.org_id()).media(id).await?
        }
    };
    let key = match (&record.status, &record.storage_key) {
        (MediaStatus::Stored, Some(key)) => key.clone(),
        _ => return Err(ApiError::NotFound),
    };
    // Streamed from the media store chunk by chunk: a 16 MB video is never held whole.
    let chunks = state
        .media
        .open(&key)
        .await
        .map_err(|_| ApiError::NotFound)?;
    Ok(file_response(
        &record,
        axum::body::Body::from_stream(chunks),
    ))
}

/// The file with headers a browser shows safely: pictures, sound and video inline, anything
/// else as a download; never sniffed into something else.
fn file_response(record: &MediaRecord, body: axum::body::Body) -> Response {
    let inline = matches!(
        record.kind,
        MessageType::Image
            | MessageType::Sticker
            | MessageType::Audio
            | MessageType::Voice
            | MessageType::Video
    );
    let name = record
        .file_name
        .clone()
        .unwrap_or_else(|| format!("{}-{}", record.kind, record.id));
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let disposition = format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        encoded.replace('+', "%20")
    );
    (
        [
            (header::CONTENT_TYPE, record.mime_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, max-age=300".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

// ----- settings → transcription -----

/// The speech-to-text provider as shown; the key is write-only.
#[derive(Serialize, ToSchema)]
pub struct TranscriptionSettingsView {
    /// False until the first save: voice notes are not transcribed.
    pub configured: bool,
    /// An OpenAI-compatible API's base URL; `{base_url}/audio/transcriptions` is called.
    pub base_url: String,
    pub model: String,
    pub has_api_key: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The provider to save. Absent fields keep the saved values.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TranscriptionSettingsRequest {
    /// An http(s) URL, e.g. `https://api.openai.com/v1`.
    pub base_url: Option<String>,
    /// 1 to 200 characters, e.g. `whisper-1`.
    pub model: Option<String>,
    /// Write-only. Absent keeps the saved key; `""` removes it.
    pub api_key: Option<String>,
}

const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
const DEFAULT_MODEL: &str = "whisper-1";

fn settings_view(saved: Option<TranscriptionSettings>) -> TranscriptionSettingsView {
    match saved {
        Some(s) => TranscriptionSettingsView {
            configured: true,
            base_url: s.base_url,
            model: s.model,
            has_api_key: s.has_api_key,
            updated_at: Some(s.updated_at),
        },
        None => TranscriptionSettingsView {
            configured: false,
            base_url: DEFAULT_BASE_URL.into(),
            model: DEFAULT_MODEL.into(),
            has_api_key: false,
            updated_at: None,
        },
    }
}

/// `req` over what is saved, validated; every bad field named in one 422.
fn merge(
    saved: Option<&TranscriptionSettings>,
    req: TranscriptionSettingsRequest,
) -> ApiResult<TranscriptionInput> {
    let mut v = Validator::default();
    let current = settings_view(saved.cloned());
    let base_url = req
        .base_url
        .map(|u| u.trim().to_owned())
        .unwrap_or(current.base_url.clone());
    if let Some(problem) = base_url_problem(&base_url) {
        v.fail("base_url", &problem);
    }
    let model = req
        .model
        .map(|m| m.trim().to_owned())
        .unwrap_or(current.model.clone());
    if model.is_empty() {
        v.fail("model", "is required");
    } else if model.chars().count() > MAX_MODEL_CHARS || model.chars().any(char::is_control) {
        v.fail(
            "model",
            &format!("must be at most {MAX_MODEL_CHARS} characters, without control characters"),
        );
    }
    let api_key = req.api_key.map(|k| k.trim().to_owned());
    if let Some(key) = &api_key
        && (key.chars().count() > MAX_KEY_CHARS
            || !key.chars().all(|c| c.is_ascii_graphic() || c == ' '))
    {
        v.fail(
            "api_key",
            &format!("must be at most {MAX_KEY_CHARS} printable ASCII characters"),
        );
    }
    // The saved key only goes to the server it was saved for.
    if current.has_api_key && api_key.is_none() && origin(&base_url) != origin(&current.base_url) {
        v.fail(
            "api_key",
            "must be entered again for a different server: the saved key only goes to the server it was saved for",
        );
    }
    v.finish()?;
    Ok(TranscriptionInput {
        base_url,
        model,
        api_key,
    })
}

/// The speech-to-text provider (any member). Before the first save: `configured: false`.
#[utoipa::path(get, path = "/settings/transcription", tag = "inbox", security(("bearer" = [])),
    responses((status = 200, body = TranscriptionSettingsView)))]
pub async fn get_transcription_settings(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<TranscriptionSettingsView>> {
    let saved = state
        .store
        .org(member.org_id())
        .transcription_settings()
        .await?;
    Ok(Json(settings_view(saved)))
}

/// Saves the speech-to-text provider (owner or admin); voice notes are transcribed from then
/// on. The address must be one the server may reach (CLOSER_EGRESS_ALLOW for a private one).
/// Audited, without the key.
#[utoipa::path(put, path = "/settings/transcription", tag = "inbox",
    request_body = TranscriptionSettingsRequest, security(("bearer" = [])),
    responses((status = 200, body = TranscriptionSettingsView), (status = 403, body = ErrorBody),
        (status = 422, description = "validation_failed, naming the fields", body = ErrorBody)))]
pub async fn update_transcription_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<TranscriptionSettingsRequest>,
) -> ApiResult<Json<TranscriptionSettingsView>> {
    let scope = state.store.org(member.org_id());
    let saved = scope.transcription_settings().await?;
    let input = merge(saved.as_ref(), req)?;
    reachable(&state.egress, &input.base_url).await?;
    let saved = scope
        .save_transcription_settings(&member.0.user.as_actor(), input)
        .await?;
    Ok(Json(settings_view(Some(saved))))
}
