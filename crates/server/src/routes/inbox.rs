//! The inbox: conversations newest activity first, one conversation, its messages.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Member, blank_as_none, parse_id};
use crate::routes::schema::{decode_cursor, encode_cursor, page_limit};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use closer_domain::conversation_rules::InboxSort;
use closer_domain::messaging::{
    Author, Channel, ConversationMode, DeliveryStatus, Direction, MessageType,
};
use closer_domain::pricing::{MessageCost, MessagePricing};
use closer_domain::sales::{ConversationStage, EscalationPriority, LeadSource, LeadStatus};
use closer_store::inbox::{ConversationItem, InboxCursor, InboxFilter, MessageItem};
use closer_store::pricing::ConversationCost;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    #[serde(default, deserialize_with = "blank_as_none")]
    pub mode: Option<ConversationMode>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub channel: Option<Channel>,
    /// The conversation's stage.
    #[serde(default, deserialize_with = "blank_as_none")]
    pub stage: Option<ConversationStage>,
    /// The lead's status (`status` is the older name of the same filter).
    #[serde(default, deserialize_with = "blank_as_none")]
    pub lead_status: Option<LeadStatus>,
    #[serde(default, deserialize_with = "blank_as_none")]
    pub status: Option<LeadStatus>,
    /// How the lead found the business.
    #[serde(default, deserialize_with = "blank_as_none")]
    pub source: Option<LeadSource>,
    /// The priority of the request for a person.
    #[serde(default, deserialize_with = "blank_as_none")]
    pub priority: Option<EscalationPriority>,
    /// `recent` (newest activity first, the default), `priority` (the most urgent request
    /// for a person first) or `waiting` (leads who wrote last and got no answer first, the
    /// longest-waiting on top).
    #[serde(default, deserialize_with = "blank_as_none")]
    pub sort: Option<InboxSort>,
    pub needs_human: Option<bool>,
    /// true: only conversations with unread lead messages.
    pub unread: Option<bool>,
    /// Search the lead's name or phone.
    pub q: Option<String>,
    /// `me`, `none` (unassigned) or a member's id.
    pub assignee: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `assignee=me|none|<user_id>` as the store's filter: `Some(None)` is nobody's.
fn assignee_filter(raw: Option<&str>, me: Uuid) -> ApiResult<Option<Option<Uuid>>> {
    Ok(match raw.map(str::trim) {
        None | Some("") => None,
        Some(word) if word.eq_ignore_ascii_case("me") => Some(Some(me)),
        Some(word) if word.eq_ignore_ascii_case("none") => Some(None),
        Some(id) => Some(Some(Uuid::parse_str(id).map_err(|_| {
            ApiError::field("assignee", "must be me, none or a member's id")
        })?)),
    })
}

#[derive(Serialize, ToSchema)]
pub struct ContactSummary {
    pub id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The lead said stop: nobody may message them (a send answers 422 `opted_out`).
    pub opted_out: bool,
    /// The lead stopped promotions: marketing templates answer 422 `marketing_opted_out`.
    pub marketing_opt_out: bool,
    /// When a member erased the lead's personal data (name and phone are gone).
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct LastMessage {
    pub text: Option<String>,
    pub direction: Option<Direction>,
    pub author: Option<Author>,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    pub id: Uuid,
    pub contact: ContactSummary,
    pub channel: Channel,
    pub mode: ConversationMode,
    pub stage: ConversationStage,
    pub lead_status: LeadStatus,
    pub needs_human: bool,
    pub priority: Option<EscalationPriority>,
    pub unread_count: i32,
    pub window_open_until: Option<DateTime<Utc>>,
    pub last_message: Option<LastMessage>,
    /// The member the conversation is assigned to; null when nobody's.
    pub assignee_id: Option<Uuid>,
    /// Since when the lead waits for an answer (they wrote last, nobody answered, the
    /// conversation is not closed); null when nobody waits.
    pub waiting_since: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationDetail {
    #[serde(flatten)]
    pub conversation: ConversationView,
    /// How the lead found the business.
    pub lead_source: LeadSource,
    /// Ad or campaign attribution from the first message, when there was one.
    pub campaign: Option<Value>,
    /// The broadcast (campaign) the conversation came from or replied to, its latest.
    pub broadcast: Option<closer_domain::campaigns::BroadcastRef>,
    /// The agent's memory of this conversation; null until the agent has thought about it.
    pub state: Option<Value>,
    /// The handoff package when the agent asked for a human; null otherwise.
    pub handoff: Option<Value>,
    pub cost: ConversationCostView,
}

/// What a conversation cost so far. `meta` is in the rate card's `currency`; the model bills
/// in US dollars, so `total` adds the two only when the card is in dollars (else null).
#[derive(Serialize, ToSchema)]
pub struct ConversationCostView {
    pub currency: String,
    pub meta: f64,
    pub model: f64,
    pub total: Option<f64>,
    /// Messages Meta billed that the rate card has no price for (their cost is unknown).
    pub unpriced_messages: u64,
}

impl From<ConversationCost> for ConversationCostView {
    fn from(c: ConversationCost) -> Self {
        let total = (c.currency == "USD").then(|| ((c.meta + c.model_usd) * 1e6).round() / 1e6);
        ConversationCostView {
            currency: c.currency,
            meta: c.meta,
            model: c.model_usd,
            total,
            unpriced_messages: c.unpriced_messages,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageView {
    pub id: Uuid,
    pub direction: Direction,
    pub author: Author,
    #[serde(rename = "type")]
    pub kind: MessageType,
    pub text: Option<String>,
    /// Media or interactive details. For a file (image, video, audio, voice, document,
    /// sticker) the fields of `MediaView` — `{id, mime_type, size_bytes, file_name, url
    /// (signed, short-lived; null until stored), transcript, status}` — and its `caption`;
    /// otherwise reply ids, buttons, location and the like.
    pub media: Option<Value>,
    pub status: DeliveryStatus,
    /// Why a failed message failed.
    pub error: Option<MessageError>,
    pub provider_message_id: Option<String>,
    pub reply_to: Option<String>,
    pub edited: bool,
    pub deleted: bool,
    pub created_at: DateTime<Utc>,
    /// Who wrote it, for human replies; null otherwise.
    pub sent_by: Option<SentBy>,
    /// For a template message: `{id, name, language, category, variables}`.
    pub template: Option<Value>,
    /// Meta's pricing of the message, from its status webhooks; null until Meta reports it.
    pub pricing: Option<MessagePricing>,
    /// What it cost by the rate card when Meta reported it; null while unknown (not yet
    /// reported, or a billed category the rate card has no price for).
    pub cost: Option<MessageCost>,
    /// The follow-up that sent it; null for every other message.
    pub followup_id: Option<Uuid>,
}

/// The team member who wrote a human reply.
#[derive(Serialize, ToSchema)]
pub struct SentBy {
    pub id: Uuid,
    /// Null when the member has since been removed.
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageError {
    pub code: Option<i64>,
    pub title: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    pub items: Vec<ConversationView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    /// Oldest first within the page.
    pub items: Vec<MessageView>,
    /// Pass as `before` to load older messages.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageParams {
    /// The `next_cursor` of the previous page: messages older than it.
    pub before: Option<String>,
    pub limit: Option<u64>,
}

pub fn view(c: ConversationItem) -> ConversationView {
    let waiting_since = c.waiting().then_some(c.last_message_at).flatten();
    ConversationView {
        waiting_since,
        id: c.id,
        contact: ContactSummary {
            id: c.contact.id,
            name: c.contact.name,
            phone: c.contact.phone,
            opted_out: c.contact.opted_out,
            marketing_opt_out: c.contact.marketing_opt_out,
            erased_at: c.contact.erased_at,
        },
        channel: c.channel,
        mode: c.mode,
        stage: c.stage,
        lead_status: c.contact.lead_status,
        needs_human: c.needs_human,
        priority: c.priority,
        unread_count: c.unread_count,
        window_open_until: c.window_open_until,
        last_message: c.last_message_at.map(|at| LastMessage {
            text: c.last_message_text,
            direction: c.last_message_direction,
            author: c.last_message_author,
            at,
        }),
        assignee_id: c.assigned_user_id,
        updated_at: c.updated_at,
    }
}

/// The inbox's keyset cursor, opaque to clients: the sort's group, a time and the id.
fn encode_inbox_cursor(c: InboxCursor) -> String {
    let at = encode_cursor(c.at, c.id);
    format!("{}.{at}", c.group)
}

fn decode_inbox_cursor(raw: &str) -> ApiResult<InboxCursor> {
    let bad = || ApiError::field("cursor", "is not a cursor this API gave out");
    let (group, rest) = raw.split_once('.').ok_or_else(bad)?;
    let (at, id) = decode_cursor(rest)?;
    Ok(InboxCursor {
        group: group.parse().map_err(|_| bad())?,
        at,
        id,
    })
}

/// Conversations, newest activity first (or by `sort`).
#[utoipa::path(get, path = "/conversations", tag = "inbox", params(InboxParams), security(("bearer" = [])),
    responses((status = 200, body = ConversationList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    member: Member,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<Json<ConversationList>> {
    let limit = page_limit(p.limit)?;
    let sort = p.sort.unwrap_or_default();
    let filter = InboxFilter {
        mode: p.mode,
        channel: p.channel,
        stage: p.stage,
        lead_status: p.lead_status.or(p.status),
        source: p.source,
        priority: p.priority,
        sort,
        needs_human: p.needs_human,
        unread: p.unread,
        q: p.q,
        assignee: assignee_filter(p.assignee.as_deref(), member.0.user.id)?,
        limit,
        after: p
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(decode_inbox_cursor)
            .transpose()?,
    };
    let mut rows = state
        .store
        .org(member.org_id())
        .conversations(&filter)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|c| encode_inbox_cursor(c.cursor(sort)))
    } else {
        None
    };
    Ok(Json(ConversationList {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
    }))
}

/// One conversation with the lead's attribution.
#[utoipa::path(get, path = "/conversations/{id}", tag = "inbox", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses((status = 200, body = ConversationDetail), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> ApiResult<Json<ConversationDetail>> {
    let scope = state.store.org(member.org_id());
    let c = scope.conversation(parse_id(&id)?).await?;
    let memory = scope.conversation_state(c.id).await?;
    let cost = scope.conversation_cost(c.id).await?.into();
    let (lead_source, campaign) = (c.contact.lead_source, c.contact.campaign.clone());
    let broadcast = c.broadcast.clone();
    let (state_view, handoff) = agent_memory(memory, c.needs_human);
    Ok(Json(ConversationDetail {
        conversation: view(c),
        lead_source,
        campaign,
        broadcast,
        state: state_view,
        handoff,
        cost,
    }))
}

/// A conversation's messages, a page at a time from the newest.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "inbox", params(MessageParams,
    ("id" = String, Path, description = "conversation id")), security(("bearer" = [])),
    responses((status = 200, body = MessageList), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<MessageParams>,
) -> ApiResult<Json<MessageList>> {
    let limit = page_limit(p.limit)?;
    let before = p
        .before
        .as_deref()
        .filter(|b| !b.is_empty())
        .map(|b| {
            Uuid::parse_str(b)
                .map_err(|_| ApiError::field("before", "is not a cursor this API gave out"))
        })
        .transpose()?;
    let mut rows: Vec<MessageItem> = state
        .store
        .org(member.org_id())
        .messages(parse_id(&id)?, before, limit)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|m| m.id.to_string())
    } else {
        None
    };
    rows.reverse();
    Ok(Json(MessageList {
        items: rows
            .into_iter()
            .map(|m| message_view(m, &state.secrets))
            .collect(),
        next_cursor,
    }))
}

/// A message as the API shows it; a file's `media` gets a signed link signed with `secrets`.
pub fn message_view(m: MessageItem, secrets: &closer_store::secret_box::SecretBox) -> MessageView {
    MessageView {
        id: m.id,
        direction: m.direction,
        author: m.author,
        kind: m.kind,
        template: m
            .media
            .as_ref()
            .filter(|_| m.kind == MessageType::Template)
            .and_then(|media| media.get("template"))
            .cloned(),
        text: m.text,
        media: crate::routes::media::with_link(m.kind, m.media, secrets),
        status: m.status,
        error: (m.error_code.is_some() || m.error_title.is_some()).then_some(MessageError {
            code: m.error_code,
            title: m.error_title,
        }),
        provider_message_id: m.provider_message_id,
        reply_to: m.reply_to,
        edited: m.edited,
        deleted: m.deleted,
        created_at: m.created_at,
        sent_by: m.sent_by.map(|(id, name)| SentBy { id, name }),
        pricing: m.pricing,
        cost: m.cost,
        followup_id: m.followup_id,
    }
}

/// The agent's memory as API.md shapes it, with staleness as of now; the handoff brief only
/// while a human is still needed.
fn agent_memory(memory: Option<Value>, needs_human: bool) -> (Option<Value>, Option<Value>) {
    let Some(mut m) = memory else {
        return (None, None);
    };
    let last = m
        .get("last_lead_message_at")
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
    let staleness = closer_domain::engagement::StaleState::since(last, Utc::now());
    let handoff = if needs_human {
        m.get("handoff").cloned().filter(|h| !h.is_null())
    } else {
        None
    };
    if let Some(o) = m.as_object_mut() {
        o.insert("staleness".into(), Value::from(staleness.as_str()));
    }
    (Some(m), handoff)
}
