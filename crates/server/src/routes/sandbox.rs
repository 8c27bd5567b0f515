//! The simulator: a lead's message typed in the Playground enters exactly the pipeline a
//! webhook does, on the organisation's `sandbox` channel, whose replies never go to Meta.

use crate::announce;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Responder};
use crate::state::AppState;
use crate::validate::{Validator, optional};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use closer_domain::contact_points::{Phone, country_of_timezone};
use closer_domain::messaging::{Channel, MessageType};
use closer_store::ingest::{Delivery, InboundContact, InboundMessage};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
pub struct SandboxInbound {
    /// The pretend lead's number, international format (`+15550001111` or digits).
    pub phone: String,
    pub name: Option<String>,
    /// What the lead wrote; for a tap, the button's title.
    pub text: String,
    /// A tap on a reply button of one of the agent's messages: that button's id.
    pub reply_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SandboxAccepted {
    pub conversation_id: Uuid,
    pub message_id: Uuid,
}

/// A lead's message, as if it came from WhatsApp.
#[utoipa::path(post, path = "/sandbox/inbound", tag = "simulator", request_body = SandboxInbound,
    security(("bearer" = [])),
    responses((status = 202, body = SandboxAccepted), (status = 422, body = ErrorBody)))]
pub async fn inbound(
    State(state): State<AppState>,
    Responder(member): Responder,
    ApiJson(req): ApiJson<SandboxInbound>,
) -> ApiResult<(StatusCode, Json<SandboxAccepted>)> {
    let mut v = Validator::default();
    // A number typed without its country code is read in the business's own country.
    let org = state.store.org(member.org_id()).details().await?;
    let country = org
        .profile
        .timezone
        .as_deref()
        .and_then(country_of_timezone);
    let phone = v.check("phone", Phone::parse(&req.phone, country));
    let name = optional(req.name.as_deref());
    if name.as_ref().is_some_and(|n| n.chars().count() > 100) {
        v.fail("name", "must be at most 100 characters");
    }
    let text = req.text.trim();
    if text.is_empty() {
        v.fail("text", "is required");
    } else if text.chars().count() > 4096 {
        v.fail("text", "must be at most 4096 characters");
    }
    let reply_id = optional(req.reply_id.as_deref());
    if reply_id.as_ref().is_some_and(|r| r.chars().count() > 256) {
        v.fail("reply_id", "must be at most 256 characters");
    }
    v.finish()?;
    let (kind, media) = match reply_id {
        Some(id) => (
            MessageType::ButtonReply,
            Some(serde_json::json!({ "reply_id": id })),
        ),
        None => (MessageType::Text, None),
    };
    let delivery = Delivery {
        messages: vec![InboundMessage {
            provider_message_id: format!("sandbox.{}", Uuid::now_v7().simple()),
            contact: InboundContact {
                phone,
                wa_user_id: None,
                profile_name: name,
            },
            kind,
            text: Some(text.to_owned()),
            media,
            reply_to: None,
            sent_at: chrono::Utc::now(),
            referral: None,
        }],
        ..Default::default()
    };
    let org_id = member.org_id();
    let outcome = state
        .store
        .org(org_id)
        .ingest(Channel::Sandbox, &delivery)
        .await?;
    announce::ingested(&state.store, org_id, &outcome).await;
    let (conversation_id, message_id) = outcome.stored[0];
    Ok((
        StatusCode::ACCEPTED,
        Json(SandboxAccepted {
            conversation_id,
            message_id,
        }),
    ))
}
