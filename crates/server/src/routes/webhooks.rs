//! Meta's webhooks: the GET verification challenge and the POST that carries messages and
//! statuses. The POST verifies the signature, stores everything in one transaction per
//! organisation, and answers — no outbound call, no model call in the request.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, TimeZone, Utc};
use closer_domain::contact_points::Phone;
use closer_domain::messaging::{Channel, DeliveryStatus, MessageType};
use closer_domain::pricing::MessagePricing;
use closer_store::ingest::{Amendment, Delivery, InboundContact, InboundMessage, StatusReport};
use closer_store::{WhatsappAccount, WhatsappSecrets};
use closer_whatsapp::webhook::{
    self, Change, Content, MediaKind, MessagesChange, RoutingError, RoutingLimits,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use uuid::Uuid;

mod account;

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
            pricing: s.pricing.as_ref().map(message_pricing),
            recipient: s
                .recipient_id
                .as_deref()
                .and_then(|r| Phone::from_wa_id(r).ok()),
        });
    }
    for e in &change.errors {
        tracing::warn!(code = e.code, title = ?e.title, phone_number_id = %change.phone_number_id, "WhatsApp reported an error");
    }
}

/// Meta's `pricing` as stored. `billable` is being retired in favour of `type`: without it, a
/// `regular` message is the one Meta charges for (the free ones are `free_customer_service`
/// and `free_entry_point`).
fn message_pricing(p: &webhook::Pricing) -> MessagePricing {
    MessagePricing {
        billable: p
            .billable
            .unwrap_or_else(|| p.kind.as_deref() == Some("regular")),
        pricing_model: p.pricing_model.clone(),
        kind: p.kind.clone(),
        category: p.category.clone(),
    }
}

/// Most changes one delivery may carry. Meta batches far fewer; anything bigger is forged.
pub const MAX_CHANGES: usize = 1_000;
/// Most distinct numbers one delivery may name.
pub const MAX_NUMBERS: usize = 100;
const ROUTING_LIMITS: RoutingLimits = RoutingLimits {
    max_changes: MAX_CHANGES,
    max_numbers: MAX_NUMBERS,
};
/// App secrets tried per delivery. One Meta app signs a delivery, so every number in a genuine
/// one shares a secret: more than two distinct secrets never verify, and each try hashes the
/// whole body.
const MAX_SECRETS_TRIED: usize = 2;

/// Receives a webhook delivery from Meta. Nothing per number happens before the signature is
/// checked except a bounded lookup (the routing view, at most `MAX_NUMBERS` numbers in one
/// query, budgeted per source); the full parse and the writes come after it.
pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    if signature.is_none() {
        return Err(ApiError::InvalidSignature);
    }
    let routing = match webhook::routing(&body, ROUTING_LIMITS) {
        Ok(routing) => routing,
        Err(RoutingError::TooMuch(_)) => {
            refused(&state, |r| r.too_large += 1);
            return Err(ApiError::TooMuchWork(format!(
                "a delivery may carry at most {MAX_CHANGES} changes for {MAX_NUMBERS} numbers"
            )));
        }
        Err(RoutingError::Parse(e)) => return Err(ApiError::BadRequest(e.to_string())),
    };
    let source = state.client_ip(peer.ip(), &headers);
    let may_look_up = state.webhook_costs.may_look_up(source);
    let routes = state
        .store
        .whatsapp_routes(&routing.numbers, may_look_up)
        .await?;
    // Template and account updates name no number: they are routed by the account (WABA).
    let waba_routes = state
        .store
        .whatsapp_waba_routes(&routing.wabas, may_look_up)
        .await?;
    let unknown = routes
        .routes
        .iter()
        .chain(&waba_routes.routes)
        .filter(|(_, r)| r.is_none())
        .count();
    state.webhook_costs.spend(source, unknown);
    let connected = |routes: closer_store::NumberRoutes| -> Vec<_> {
        routes
            .routes
            .into_iter()
            .filter_map(|(id, routed)| routed.map(|(account, secrets)| (id, account, secrets)))
            .collect()
    };
    let (unresolved, unresolved_wabas) =
        (routes.unresolved.clone(), waba_routes.unresolved.clone());
    let known = connected(routes);
    let known_wabas = connected(waba_routes);
    let all_known: Vec<_> = known.iter().chain(&known_wabas).cloned().collect();
    if all_known.is_empty() {
        if !unresolved.is_empty() || !unresolved_wabas.is_empty() {
            // Over budget and nothing cached: Meta would retry a genuine delivery later.
            refused(&state, |r| r.over_budget += 1);
            return Err(ApiError::RateLimited(60));
        }
        if unknown > 0 {
            refused(&state, |r| r.unknown_numbers += unknown as u64);
        }
        // A number nobody connected is answered 200, so Meta stops retrying it.
        return Ok(Json(json!({ "status": "ok" })));
    }
    let Some(secret) = verified_secret(&all_known, &body, signature) else {
        refused(&state, |r| r.bad_signatures += 1);
        return Err(ApiError::InvalidSignature);
    };
    // Signed by an app we know: the numbers we had no budget for can be looked up now.
    let late = state.store.whatsapp_routes(&unresolved, true).await?;
    let late_wabas = state
        .store
        .whatsapp_waba_routes(&unresolved_wabas, true)
        .await?;
    let signed_by = |known: Vec<_>, late: Vec<_>| -> HashMap<String, Uuid> {
        known
            .into_iter()
            .chain(late)
            .filter(
                |(_, _, secrets): &(String, WhatsappAccount, WhatsappSecrets)| {
                    secrets.app_secret == secret
                },
            )
            .map(|(id, account, _)| (id, account.org_id))
            .collect()
    };
    let accepted = signed_by(known, connected(late));
    let accepted_wabas = signed_by(known_wabas, connected(late_wabas));
    store_delivery(&state, &body, &accepted, &accepted_wabas).await?;
    Ok(Json(json!({ "status": "ok" })))
}

/// The app secret, among the known numbers' (at most `MAX_SECRETS_TRIED` distinct ones), that
/// signed `body`.
fn verified_secret(
    known: &[(String, WhatsappAccount, WhatsappSecrets)],
    body: &[u8],
    signature: Option<&str>,
) -> Option<String> {
    let mut tried: Vec<&str> = Vec::new();
    for (_, _, secrets) in known {
        let secret = secrets.app_secret.as_str();
        if tried.contains(&secret) {
            continue;
        }
        if tried.len() == MAX_SECRETS_TRIED {
            break;
        }
        tried.push(secret);
        if closer_whatsapp::verify_signature(secret.as_bytes(), body, signature).is_ok() {
            return Some(secret.to_owned());
        }
    }
    None
}

/// Parses the (verified) delivery and stores the changes of the `accepted` numbers, one
/// transaction per organisation.
async fn store_delivery(
    state: &AppState,
    body: &[u8],
    accepted: &HashMap<String, Uuid>,
    accepted_wabas: &HashMap<String, Uuid>,
) -> ApiResult<()> {
    let hook = webhook::parse_webhook(body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut by_number: HashMap<String, Delivery> = HashMap::new();
    let mut promotions_stopped: Vec<(Uuid, String)> = Vec::new();
    for entry in &hook.entries {
        for change in &entry.changes {
            match change {
                Change::Messages(m) if accepted.contains_key(&m.phone_number_id) => {
                    let org_id = accepted[&m.phone_number_id];
                    promotions_stopped.extend(account::stops_promotions(m).map(|wa| (org_id, wa)));
                    to_delivery(m, by_number.entry(m.phone_number_id.clone()).or_default())
                }
                Change::Messages(_) => {}
                Change::Other { field, value } if field == "user_preferences" => {
                    account::user_preferences(state, accepted, value).await?
                }
                other => match accepted_wabas.get(&entry.id) {
                    Some(org_id) => account::apply(state, *org_id, other).await?,
                    None => {
                        tracing::debug!(waba = %entry.id, "account change for no connected account")
                    }
                },
            }
        }
    }
    for (number, delivery) in by_number {
        let org_id = accepted[&number];
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
    // After the messages: a lead's first tap on "Stop promotions" creates them as a contact.
    for (org_id, wa_id) in promotions_stopped {
        state
            .store
            .org(org_id)
            .set_marketing_opt_out_by_wa_id(&wa_id, true)
            .await?;
    }
    Ok(())
}

/// Counts a refused delivery; writes the tally as one line at most every few seconds.
fn refused(state: &AppState, tally: impl FnOnce(&mut crate::webhook_costs::Refusals)) {
    if let Some(r) = state.webhook_costs.refused(tally) {
        tracing::warn!(
            deliveries = r.deliveries,
            unknown_numbers = r.unknown_numbers,
            bad_signatures = r.bad_signatures,
            over_budget = r.over_budget,
            too_large = r.too_large,
            "webhook deliveries refused or ignored since the last report"
        );
    }
}
