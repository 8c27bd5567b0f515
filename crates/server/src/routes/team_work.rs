//! A conversation's people and the team's own words: assigning it to a member, private
//! notes in its transcript, and canned replies for the composer.

use crate::announce;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Member, Responder, parse_id};
use crate::routes::inbox::{ConversationView, MessageView, message_view, view};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use closer_domain::canned::{TEXT_MAX, valid_shortcut};
use closer_store::canned_replies::CannedReply;
use closer_store::events::RealtimeEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
pub struct AssigneeRequest {
    /// An active member of the organisation, or null to unassign.
    pub user_id: Option<Uuid>,
}

/// Assigns the conversation to a member (or to nobody). 422 on `user_id` for anyone who is
/// not an active member of the organisation.
#[utoipa::path(put, path = "/conversations/{id}/assignee", tag = "inbox",
    request_body = AssigneeRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign_conversation(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssigneeRequest>,
) -> ApiResult<Json<ConversationView>> {
    let org_id = member.org_id();
    let done = state
        .store
        .org(org_id)
        .assign_conversation(&member.0.user.as_actor(), parse_id(&id)?, req.user_id)
        .await?;
    if done.changed {
        let assigned = RealtimeEvent::ConversationAssigned {
            conversation_id: done.conversation.id,
            user_id: req.user_id,
            round_robin: false,
        };
        announce::conversation_changed(&state.store, org_id, [assigned], done.conversation.id)
            .await;
    }
    Ok(Json(view(done.conversation)))
}

#[derive(Deserialize, ToSchema)]
pub struct NoteRequest {
    pub text: String,
}

/// A private note in the transcript (`author: "note"`): the team reads it, the lead never
/// gets it, and the agent never reads it as part of the conversation.
#[utoipa::path(post, path = "/conversations/{id}/notes", tag = "inbox",
    request_body = NoteRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses((status = 201, body = MessageView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let text = checked_text("text", &req.text)?;
    let org_id = member.org_id();
    let note = state
        .store
        .org(org_id)
        .add_private_note(&member.0.user.as_actor(), parse_id(&id)?, &text)
        .await?;
    let conversation_id = parse_id(&id)?;
    // Heard like any new line of the transcript, so an open conversation shows it at once.
    let event = RealtimeEvent::MessageSent {
        conversation_id,
        message_id: note.id,
    };
    announce::publish(&state.store, org_id, vec![event]).await;
    // `@name` tells the member named (their bell, and email or push as they chose).
    let notified = state
        .store
        .org(org_id)
        .notify_mentions(&member.0.user.as_actor(), conversation_id, &text)
        .await?;
    announce::notified(&state.store, org_id, &notified).await;
    Ok((
        StatusCode::CREATED,
        Json(message_view(note, &state.secrets)),
    ))
}

/// A text of 1 to 4,096 characters (NUL stripped, ends trimmed); 422 naming `field` else.
fn checked_text(field: &str, raw: &str) -> ApiResult<String> {
    let text = raw.replace('\0', "").trim().to_owned();
    if text.is_empty() {
        return Err(ApiError::field(field, "is required"));
    }
    if text.chars().count() > TEXT_MAX {
        return Err(ApiError::field(
            field,
            format!("must be at most {TEXT_MAX} characters"),
        ));
    }
    Ok(text)
}

#[derive(Serialize, ToSchema)]
pub struct CannedReplyView {
    pub id: Uuid,
    /// Typed after `/` in the composer.
    pub shortcut: String,
    /// May hold `{{name}}`, `{{first_name}}`, `{{phone}}`, `{{email}}`, `{{city}}`: filled
    /// from the lead when inserted.
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct CannedReplyList {
    pub items: Vec<CannedReplyView>,
}

#[derive(Deserialize, ToSchema)]
pub struct CannedReplyRequest {
    /// 1–30 of `a-z 0-9 _ -`, unique in the organisation (409 `shortcut_exists`).
    pub shortcut: String,
    /// 1–4,096 characters.
    pub text: String,
}

fn canned_view(c: CannedReply) -> CannedReplyView {
    CannedReplyView {
        id: c.id,
        shortcut: c.shortcut,
        text: c.text,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// Both fields checked at once, so one answer names every field that is wrong.
fn checked_reply(req: &CannedReplyRequest) -> ApiResult<(String, String)> {
    let shortcut = req.shortcut.trim().trim_start_matches('/').to_owned();
    let mut fields = serde_json::Map::new();
    if !valid_shortcut(&shortcut) {
        fields.insert(
            "shortcut".into(),
            "must be 1 to 30 of a-z, 0-9, _ and -".into(),
        );
    }
    let text = match checked_text("text", &req.text) {
        Ok(t) => t,
        Err(ApiError::Validation(f)) => {
            fields.extend(f);
            String::new()
        }
        Err(e) => return Err(e),
    };
    if !fields.is_empty() {
        return Err(ApiError::Validation(fields));
    }
    Ok((shortcut, text))
}

/// The organisation's canned replies, by shortcut.
#[utoipa::path(get, path = "/canned-replies", tag = "inbox", security(("bearer" = [])),
    responses((status = 200, body = CannedReplyList)))]
pub async fn list_canned_replies(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<CannedReplyList>> {
    let rows = state.store.org(member.org_id()).canned_replies().await?;
    Ok(Json(CannedReplyList {
        items: rows.into_iter().map(canned_view).collect(),
    }))
}

#[utoipa::path(post, path = "/canned-replies", tag = "inbox", request_body = CannedReplyRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CannedReplyView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_canned_reply(
    State(state): State<AppState>,
    Responder(member): Responder,
    ApiJson(req): ApiJson<CannedReplyRequest>,
) -> ApiResult<(StatusCode, Json<CannedReplyView>)> {
    let (shortcut, text) = checked_reply(&req)?;
    let row = state
        .store
        .org(member.org_id())
        .create_canned_reply(&member.0.user.as_actor(), &shortcut, &text)
        .await?;
    Ok((StatusCode::CREATED, Json(canned_view(row))))
}

#[utoipa::path(put, path = "/canned-replies/{id}", tag = "inbox", request_body = CannedReplyRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "canned reply id")),
    responses((status = 200, body = CannedReplyView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_canned_reply(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CannedReplyRequest>,
) -> ApiResult<Json<CannedReplyView>> {
    let id = parse_id(&id)?;
    let (shortcut, text) = checked_reply(&req)?;
    let row = state
        .store
        .org(member.org_id())
        .update_canned_reply(id, &shortcut, &text)
        .await?;
    Ok(Json(canned_view(row)))
}

#[utoipa::path(delete, path = "/canned-replies/{id}", tag = "inbox", security(("bearer" = [])),
    params(("id" = String, Path, description = "canned reply id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_canned_reply(
    State(state): State<AppState>,
    Responder(member): Responder,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .org(member.org_id())
        .delete_canned_reply(parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
