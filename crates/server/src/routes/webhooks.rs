//! Meta's webhooks: the GET verification challenge and the POST that carries messages and
//! statuses. The POST verifies the signature, stores everything in one transaction per
//! organisation, and answers — no outbound call, no model call in the request.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use closer_domain::contact_points::Phone;
use closer_domain::messaging::{Channel, DeliveryStatus, MessageType};
use closer_store::ingest::{Amendment, Delivery, InboundContact, InboundMessage, StatusReport};
use closer_whatsapp::webhook::{self, Change, Content, MediaKind, MessagesChange};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// A lead's `wa_id` as a phone. Meta's ids are E.164 digits; one that is not (never seen)
/// keeps the message, keyed on the lead's scoped id instead, and is logged.
fn lead_phone(wa_id: &str) -> Option<Phone> {
    Phone::from_wa_id(wa_id)
        .inspect_err(|_| tracing::warn!(wa_id, "a lead's wa_id is not a phone number"))
        .ok()
}

/// Meta sends up to 3 MB per POST.
pub const WEBHOOK_BODY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Deserialize)]
pub struct Challenge {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Answers Meta's subscription check with the challenge when the token is one of ours.
pub async fn verify(State(state): State<AppState>, Query(q): Query<Challenge>) -> Response {
    let (Some("subscribe"), Some(token), Some(challenge)) =
        (q.mode.as_deref(), q.verify_token, q.challenge)
    else {
        return (StatusCode::FORBIDDEN, "verification refused").into_response();
    };
    match state.store.whatsapp_verify_token_exists(&token).await {
        Ok(true) => (StatusCode::OK, challenge).into_response(),
        Ok(false) => {
            tracing::warn!("webhook verification with an unknown verify token");
            (StatusCode::FORBIDDEN, "verification refused").into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn time_of(unix: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(unix, 0).single().unwrap_or_else(Utc::now)
}

/// Our kind, text and media for a WhatsApp message.
fn describe(content: &Content) -> (MessageType, Option<String>, Option<Value>) {
    let text = content.text().map(str::to_owned);
    match content {
        Content::Text { body } => (MessageType::Text, Some(body.clone()), None),
        Content::Media { kind, media } => {
            let kind = match kind {
                MediaKind::Image => MessageType::Image,
                MediaKind::Audio => MessageType::Audio,
                MediaKind::Voice => MessageType::Voice,
                MediaKind::Video => MessageType::Video,
                MediaKind::Document => MessageType::Document,
                MediaKind::Sticker => MessageType::Sticker,
            };
            let m = json!({"id": media.id, "mime_type": media.mime_type, "caption": media.caption, "filename": media.filename, "sha256": media.sha256});
            (kind, text, Some(m))
        }
        Content::Location(l) => (
            MessageType::Location,
            text,
            Some(
                json!({"latitude": l.latitude, "longitude": l.longitude, "name": l.name, "address": l.address, "url": l.url}),
            ),
        ),
        Content::Contacts(cards) => (
            MessageType::Contacts,
            Some("Shared a contact".into()),
            Some(json!({ "contacts": cards })),
        ),
        Content::Button { payload, .. } => (
            MessageType::ButtonReply,
            text,
            Some(json!({ "payload": payload })),
        ),
        Content::ButtonReply { id, .. } => (
            MessageType::ButtonReply,
            text,
            Some(json!({ "reply_id": id })),
        ),
        Content::ListReply {
            id, description, ..
        } => (
            MessageType::ListReply,
            text,
            Some(json!({ "reply_id": id, "description": description })),
        ),
        Content::FlowReply { response, .. } => (
            MessageType::Interactive,
            text,
            Some(json!({ "flow_response": response })),
        ),
        Content::Reaction { message_id, emoji } => (
            MessageType::Reaction,
            emoji.clone(),
            Some(json!({ "message_id": message_id })),
        ),
        Content::System {
            kind, new_wa_id, ..
        } => (
            MessageType::System,
            text,
            Some(json!({ "kind": kind, "new_wa_id": new_wa_id })),
        ),
        Content::Order {
            items, catalog_id, ..
        } => (
            MessageType::Unsupported,
            Some(format!("Sent an order of {} item(s)", items.len())),
            Some(json!({ "order_catalog_id": catalog_id, "items": items.len() })),
        ),
        Content::Unsupported { kind } => (
            MessageType::Unsupported,
            None,
            Some(json!({ "unsupported_type": kind })),
        ),
        Content::Edit { .. } | Content::Revoke { .. } => (MessageType::System, text, None),
        Content::Other { kind, .. } => (
            MessageType::Unsupported,
            None,
            Some(json!({ "unsupported_type": kind })),
        ),
    }
}

/// Turns one `messages` change into what the store keeps.
fn to_delivery(change: &MessagesChange, out: &mut Delivery) {
    for m in &change.messages {
        match &m.content {
            Content::Edit {
                original_message_id,
                message,
            } => {
                out.amendments.push(Amendment::Edited {
                    provider_message_id: original_message_id.clone(),
                    text: message.text().map(str::to_owned),
                });
                continue;
            }
            Content::Revoke {
                original_message_id,
            } => {
                out.amendments.push(Amendment::Revoked {
                    provider_message_id: original_message_id.clone(),
                });
                continue;
            }
            _ => {}
        }
        let profile = change.contacts.iter().find(|c| {
            (c.wa_id.is_some() && c.wa_id == m.from)
                || (c.user_id.is_some() && c.user_id == m.from_user_id)
        });
        let (kind, text, media) = describe(&m.content);
        out.messages.push(InboundMessage {
            provider_message_id: m.id.clone(),
            contact: InboundContact {
                phone: m.from.as_deref().and_then(lead_phone),
                wa_user_id: m.from_user_id.clone().or_else(|| profile.and_then(|p| p.user_id.clone())),
                profile_name: profile.and_then(|p| p.profile.name.clone().or(p.profile.username.clone())),
            },
            kind,
            text,
            media,
            reply_to: m.context.as_ref().and_then(|c| c.id.clone()),
            sent_at: time_of(m.timestamp),
            referral: m.referral.as_ref().map(|r| {
                json!({"source_type": r.source_type, "source_id": r.source_id, "source_url": r.source_url,
                    "headline": r.headline, "body": r.body, "ctwa_clid": r.ctwa_clid, "media_type": r.media_type})
            }),
        });
    }
    for s in &change.statuses {
        let status = match s.status {
            Some(webhook::DeliveryStatus::Sent) => DeliveryStatus::Sent,
            Some(webhook::DeliveryStatus::Delivered) => DeliveryStatus::Delivered,
            // A played voice note has been heard: read, as far as ticks go.
            Some(webhook::DeliveryStatus::Read) | Some(webhook::DeliveryStatus::Played) => {
                DeliveryStatus::Read
            }
            Some(webhook::DeliveryStatus::Failed) => DeliveryStatus::Failed,
            None => continue,
        };
        let err = s.errors.first();
        out.statuses.push(StatusReport {
            provider_message_id: s.id.clone(),
            status,
            error_code: err.map(|e| e.code),
            error_title: err.and_then(|e| e.title.clone().or(e.message.clone())),
        });
    }
    for e in &change.errors {
        tracing::warn!(code = e.code, title = ?e.title, phone_number_id = %change.phone_number_id, "WhatsApp reported an error");
    }
}

/// Receives a webhook delivery from Meta.
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let hook = webhook::parse_webhook(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());

    // Route every change by its number; a number nobody connected is logged and skipped, so
    // Meta stops retrying it.
    let mut by_number: HashMap<String, Delivery> = HashMap::new();
    for entry in &hook.entries {
        for change in &entry.changes {
            match change {
                Change::Messages(m) => {
                    to_delivery(m, by_number.entry(m.phone_number_id.clone()).or_default())
                }
                Change::Other { field, .. } => {
                    tracing::info!(field = %field, waba = %entry.id, "webhook change not handled yet")
                }
                _ => tracing::info!(waba = %entry.id, "template webhook received"),
            }
        }
    }
    let mut routed: Vec<(Uuid, String, Delivery)> = Vec::new();
    let mut any_known = false;
    for (number, delivery) in by_number {
        let Some((account, secrets)) = state.store.whatsapp_by_phone_number_id(&number).await?
        else {
            tracing::warn!(phone_number_id = %number, "webhook for a number no organisation has connected");
            continue;
        };
        any_known = true;
        match closer_whatsapp::verify_signature(secrets.app_secret.as_bytes(), &body, signature) {
            Ok(()) => routed.push((account.org_id, number, delivery)),
            Err(e) => {
                tracing::warn!(phone_number_id = %number, error = %e, "webhook signature refused")
            }
        }
    }
    if any_known && routed.is_empty() {
        return Err(ApiError::InvalidSignature);
    }
    for (org_id, number, delivery) in routed {
        let scope = state.store.org(org_id);
        let outcome = scope.ingest(Channel::Whatsapp, &delivery).await?;
        scope.touch_whatsapp_webhook(&number).await?;
        tracing::debug!(
            stored = outcome.stored.len(),
            duplicates = outcome.duplicates,
            statuses = outcome.statuses.len(),
            "webhook stored"
        );
        crate::announce::ingested(&state.store, org_id, &outcome).await;
    }
    Ok(Json(json!({ "status": "ok" })))
}
