//! A human in the conversation: replying (which takes over from the bot), taking over,
//! releasing, and marking a conversation read.

use crate::announce;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Member, Responder, parse_id};
use crate::routes::inbox::{ConversationView, MessageView, message_view, view};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use closer_domain::messaging::ConversationMode;
use closer_store::events::RealtimeEvent;
use closer_store::replies::ModeChange;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// WhatsApp's limit for a text message body.
const TEXT_MAX_CHARS: usize = 4096;

#[derive(Deserialize, ToSchema)]
pub struct SendRequest {
    pub conversation_id: Uuid,
    /// Free text (inside the 24 h window only).
    #[serde(default)]
    pub text: Option<String>,
    /// An approved template instead of text, window open or closed; the mode is unchanged.
    #[serde(default)]
    pub template_id: Option<Uuid>,
    /// The template's placeholders typed by hand; the rest come from their mappings.
    #[serde(default)]
    pub variables: std::collections::BTreeMap<String, String>,
    /// A file uploaded with `POST /media` instead of text (inside the 24 h window only).
    #[serde(default)]
    pub media_id: Option<Uuid>,
    /// The file's caption (not shown with audio).
    #[serde(default)]
    pub caption: Option<String>,
}

/// WhatsApp's limit for a media caption.
const CAPTION_MAX_CHARS: usize = 1024;

#[derive(Serialize, ToSchema)]
pub struct SendResponse {
    pub message: MessageView,
}

/// A human's reply. Sending takes the conversation over from the bot. Outside the 24 h
/// window the answer is 422 `window_closed`: only an approved template may go then.
#[utoipa::path(post, path = "/messages/send", tag = "inbox", request_body = SendRequest,
    security(("bearer" = [])),
    responses((status = 202, body = SendResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "validation_failed (e.g. `media_id` not an unsent upload), or the send policy's refusal: `opted_out`, `window_closed`", body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Responder(member): Responder,
    ApiJson(req): ApiJson<SendRequest>,
) -> ApiResult<(StatusCode, Json<SendResponse>)> {
    let org_id = member.org_id();
    if let Some(template_id) = req.template_id {
        let reply = state
            .store
            .org(org_id)
            .queue_template_send(
                closer_domain::send_policy::Sender::Human,
                Some(&member.0.user.as_actor()),
                req.conversation_id,
                template_id,
                &req.variables,
            )
            .await?;
        state.store.wake_workers().await;
        announce::message_sent(
            &state.store,
            org_id,
            reply.conversation_id,
            reply.message.id,
            false,
        )
        .await;
        let message = message_view(reply.message, &state.secrets);
        return Ok((StatusCode::ACCEPTED, Json(SendResponse { message })));
    }
    if let Some(media_id) = req.media_id {
        let caption = req.caption.as_deref().unwrap_or_default().trim();
        if caption.chars().count() > CAPTION_MAX_CHARS {
            return Err(ApiError::field(
                "caption",
                format!("must be at most {CAPTION_MAX_CHARS} characters"),
            ));
        }
        let reply = state
            .store
            .org(org_id)
            .queue_human_media(
                &member.0.user.as_actor(),
                req.conversation_id,
                media_id,
                caption,
            )
            .await?;
        return Ok(sent(&state, org_id, reply).await);
    }
    let text = req.text.as_deref().unwrap_or_default().trim();
    if text.is_empty() {
        return Err(ApiError::field("text", "is required"));
    }
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(ApiError::field(
            "text",
            format!("must be at most {TEXT_MAX_CHARS} characters"),
        ));
    }
    let reply = state
        .store
        .org(org_id)
        .queue_human_reply(&member.0.user.as_actor(), req.conversation_id, text)
        .await?;
    Ok(sent(&state, org_id, reply).await)
}

/// A person's reply was queued: the workers are woken and the inbox told.
async fn sent(
    state: &AppState,
    org_id: Uuid,
    reply: closer_store::replies::QueuedReply,
) -> (StatusCode, Json<SendResponse>) {
    state.store.wake_workers().await;
    announce::message_sent(
        &state.store,
        org_id,
        reply.conversation_id,
        reply.message.id,
        reply.took_over,
    )
    .await;
    let stopped: Vec<_> = reply.sequence_stopped.into_iter().collect();
    crate::routes::sequences::announce_enrollments(&state.store, org_id, &stopped).await;
    (
        StatusCode::ACCEPTED,
        Json(SendResponse {
            message: message_view(reply.message, &state.secrets),
        }),
    )
}

async fn announced(
    state: &AppState,
    org_id: Uuid,
    change: ModeChange,
    events: Vec<RealtimeEvent>,
) -> Json<ConversationView> {
    if change.changed {
        announce::conversation_changed(&state.store, org_id, events, change.conversation.id).await;
    }
    Json(view(change.conversation))
}

/// Who answers the lead next, as the inbox's mode buttons set it.
async fn switch_mode(
    state: AppState,
    member: Member,
    id: String,
    mode: ConversationMode,
) -> ApiResult<Json<ConversationView>> {
    let change = state
        .store
        .org(member.org_id())
        .set_mode(&member.0.user.as_actor(), parse_id(&id)?, mode)
        .await?;
    let conversation_id = change.conversation.id;
    let mut events = vec![];
    // The takeover events stay for clients that only know them.
    match mode {
        ConversationMode::Human => events.push(RealtimeEvent::TakeoverStarted { conversation_id }),
        ConversationMode::Bot => events.push(RealtimeEvent::TakeoverEnded { conversation_id }),
        _ => {}
    }
    if change.from != mode {
        events.push(RealtimeEvent::ModeChanged {
            conversation_id,
            from: change.from,
            to: mode,
        });
    }
    events.extend(
        change
            .sequence_stopped
            .map(crate::routes::sequences::enrollment_event),
    );
    Ok(announced(&state, member.org_id(), change, events).await)
}

#[derive(Deserialize, ToSchema)]
pub struct ModeRequest {
    /// `bot` hands back to the bot (or reopens a closed conversation), `human` takes it over,
    /// `paused` silences the bot with nobody owning it, `closed` resolves it (the lead's next
    /// message reopens it in bot mode).
    pub mode: ConversationMode,
}

/// Sets who answers the lead. 409 `mode_change_refused` for pausing a closed conversation.
#[utoipa::path(put, path = "/conversations/{id}/mode", tag = "inbox", request_body = ModeRequest,
    params(("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_mode(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ModeRequest>,
) -> ApiResult<Json<ConversationView>> {
    switch_mode(state, member, id, req.mode).await
}

/// A human takes the conversation; the bot stops replying.
#[utoipa::path(post, path = "/conversations/{id}/takeover", tag = "inbox",
    params(("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn takeover(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    switch_mode(state, member, id, ConversationMode::Human).await
}

/// The bot answers again; the request for a human is cleared.
#[utoipa::path(post, path = "/conversations/{id}/release", tag = "inbox",
    params(("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    switch_mode(state, member, id, ConversationMode::Bot).await
}

/// The team has read the conversation: its unread count goes to zero.
#[utoipa::path(post, path = "/conversations/{id}/read", tag = "inbox",
    params(("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationView>> {
    let change = state
        .store
        .org(member.org_id())
        .mark_read(parse_id(&id)?)
        .await?;
    Ok(announced(&state, member.org_id(), change, vec![]).await)
}
