//! The webhook body: `object` → `entry[]` → `changes[]` → `value`. Parsing never fails on
//! content it does not know: unknown change fields and message types are kept as raw JSON.
//! Only a body that is not a JSON object with an `entry` array is refused.

use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub object: String,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The WhatsApp Business Account id.
    pub id: String,
    /// Unix seconds, on template and account changes.
    pub time: Option<i64>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Messages(MessagesChange),
    TemplateStatus(TemplateStatusUpdate),
    TemplateQuality(TemplateQualityUpdate),
    /// Any other field (`account_update`, `phone_number_quality_update`, ...), kept whole.
    Other {
        field: String,
        value: Value,
    },
}

/// `field: "messages"`: inbound messages, delivery statuses and out-of-band errors for one of
/// the business's numbers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessagesChange {
    pub phone_number_id: String,
    pub display_phone_number: Option<String>,
    pub contacts: Vec<Contact>,
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
    pub errors: Vec<ErrorItem>,
}

/// The sender as WhatsApp describes them. Since 2026 a user with a username may come with only
/// a business-scoped `user_id` and no `wa_id`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Contact {
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    #[serde(default)]
    pub profile: Profile,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Profile {
    pub name: Option<String>,
    pub username: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorItem {
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    pub error_data: Option<ErrorData>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ErrorData {
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The wamid: unique per message, the key for de-duplication.
    pub id: String,
    pub from: Option<String>,
    pub from_user_id: Option<String>,
    /// Unix seconds.
    pub timestamp: i64,
    pub context: Option<Context>,
    pub referral: Option<Referral>,
    pub content: Content,
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Context {
    /// The business number the quoted message came from.
    pub from: Option<String>,
    /// The quoted message's wamid.
    pub id: Option<String>,
    #[serde(default)]
    pub forwarded: bool,
    #[serde(default)]
    pub frequently_forwarded: bool,
    pub referred_product: Option<ReferredProduct>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReferredProduct {
    pub catalog_id: Option<String>,
    pub product_retailer_id: Option<String>,
}

/// Click-to-WhatsApp ad attribution on a lead's first message.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Referral {
    pub source_url: Option<String>,
    pub source_id: Option<String>,
    pub source_type: Option<String>,
    pub body: Option<String>,
    pub headline: Option<String>,
    pub media_type: Option<String>,
    pub image_url: Option<String>,
    pub video_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub ctwa_clid: Option<String>,
    pub welcome_message: Option<WelcomeMessage>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WelcomeMessage {
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Audio,
    Voice,
    Video,
    Document,
    Sticker,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Media {
    pub id: Option<String>,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub caption: Option<String>,
    pub filename: Option<String>,
    /// Present since Nov 2025; expires after 5 minutes.
    pub url: Option<String>,
    #[serde(default)]
    pub voice: bool,
    #[serde(default)]
    pub animated: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub name: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderItem {
    pub product_retailer_id: Option<String>,
    pub quantity: Option<f64>,
    pub item_price: Option<f64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text {
        body: String,
    },
    Media {
        kind: MediaKind,
        media: Media,
    },
    Location(Location),
    /// Shared contact cards, kept as sent.
    Contacts(Vec<Value>),
    /// A quick-reply button on a template.
    Button {
        payload: Option<String>,
        text: String,
    },
    ButtonReply {
        id: String,
        title: String,
    },
    ListReply {
        id: String,
        title: String,
        description: Option<String>,
    },
    /// A WhatsApp Flow completion; `response` is the parsed `response_json` string.
    FlowReply {
        body: Option<String>,
        response: Value,
    },
    /// `emoji: None` means the reaction was removed.
    Reaction {
        message_id: String,
        emoji: Option<String>,
    },
    Order {
        catalog_id: Option<String>,
        text: Option<String>,
        items: Vec<OrderItem>,
    },
    /// e.g. `user_changed_number`, with the new wa_id.
    System {
        kind: Option<String>,
        body: Option<String>,
        new_wa_id: Option<String>,
    },
    Unsupported {
        kind: Option<String>,
    },
    /// A coexistence number's user edited a message.
    Edit {
        original_message_id: String,
        message: Box<Content>,
    },
    Revoke {
        original_message_id: String,
    },
    /// A type this code does not know yet, kept whole.
    Other {
        kind: String,
        raw: Value,
    },
}

impl Content {
    /// Text a person would read for this message (body, caption, button title...).
    pub fn text(&self) -> Option<&str> {
        match self {
            Content::Text { body } => Some(body),
            Content::Media { media, .. } => media.caption.as_deref(),
            Content::Location(l) => l.name.as_deref().or(l.address.as_deref()),
            Content::Button { text, .. } => Some(text),
            Content::ButtonReply { title, .. } | Content::ListReply { title, .. } => Some(title),
            Content::FlowReply { body, .. } => body.as_deref(),
            Content::Reaction { emoji, .. } => emoji.as_deref(),
            Content::Order { text, .. } => text.as_deref(),
            Content::System { body, .. } => body.as_deref(),
            Content::Edit { message, .. } => message.text(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    Played,
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusUpdate {
    /// The wamid of the business's message.
    pub id: String,
    /// `None` for a status word this code does not know (kept in `raw_status`).
    pub status: Option<DeliveryStatus>,
    pub raw_status: String,
    pub timestamp: i64,
    pub recipient_id: Option<String>,
    pub recipient_user_id: Option<String>,
    pub errors: Vec<ErrorItem>,
    pub pricing: Option<Pricing>,
    pub biz_opaque_callback_data: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Pricing {
    #[serde(default)]
    pub billable: Option<bool>,
    pub pricing_model: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TemplateStatusUpdate {
    pub event: String,
    pub message_template_id: Option<Value>,
    pub message_template_name: Option<String>,
    pub message_template_language: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TemplateQualityUpdate {
    pub previous_quality_score: Option<String>,
    pub new_quality_score: Option<String>,
    pub message_template_id: Option<Value>,
    pub message_template_name: Option<String>,
    pub message_template_language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("the body is not a webhook: {0}")]
    NotWebhook(&'static str),
}

/// Parses a webhook POST body.
pub fn parse_webhook(raw: &[u8]) -> Result<Webhook, ParseError> {
    let mut root: Value =
        serde_json::from_slice(raw).map_err(|e| ParseError::NotJson(e.to_string()))?;
    // A NUL in a lead's text would fail the whole delivery on PostgreSQL.
    closer_domain::text::make_storable(&mut root);
    let obj = root
        .as_object()
        .ok_or(ParseError::NotWebhook("expected a JSON object"))?;
    let entries = obj
        .get("entry")
        .and_then(Value::as_array)
        .ok_or(ParseError::NotWebhook("expected an `entry` array"))?;
    Ok(Webhook {
        object: str_of(obj, "object").unwrap_or_default(),
        entries: entries
            .iter()
            .filter_map(Value::as_object)
            .map(parse_entry)
            .collect(),
    })
}

fn str_of(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Meta sends Unix seconds as strings in messages and as numbers in `entry.time`.
fn int_of(obj: &Map<String, Value>, key: &str) -> Option<i64> {
    match obj.get(key)? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Deserialises an optional part leniently: a part of the wrong shape is dropped, not fatal.
fn part<T: serde::de::DeserializeOwned>(obj: &Map<String, Value>, key: &str) -> Option<T> {
    obj.get(key).and_then(|v| T::deserialize(v).ok())
}

fn list<T: serde::de::DeserializeOwned>(obj: &Map<String, Value>, key: &str) -> Vec<T> {
    obj.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| T::deserialize(v).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn parse_entry(entry: &Map<String, Value>) -> Entry {
    let changes = entry
        .get("changes")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(Value::as_object)
                .map(parse_change)
                .collect()
        })
        .unwrap_or_default();
    Entry {
        id: str_of(entry, "id").unwrap_or_default(),
        time: int_of(entry, "time"),
        changes,
    }
}

fn parse_change(change: &Map<String, Value>) -> Change {
    let field = str_of(change, "field").unwrap_or_default();
    let value = change.get("value").cloned().unwrap_or(Value::Null);
    let typed = match (field.as_str(), value.as_object()) {
        ("messages", Some(v)) => parse_messages(v).map(Change::Messages),
        ("message_template_status_update", Some(_)) => TemplateStatusUpdate::deserialize(&value)
            .ok()
            .map(Change::TemplateStatus),
        ("message_template_quality_update", Some(_)) => TemplateQualityUpdate::deserialize(&value)
            .ok()
            .map(Change::TemplateQuality),
        _ => None,
    };
    typed.unwrap_or(Change::Other { field, value })
}

fn parse_messages(v: &Map<String, Value>) -> Option<MessagesChange> {
    let metadata = v.get("metadata")?.as_object()?;
    Some(MessagesChange {
        phone_number_id: str_of(metadata, "phone_number_id")?,
        display_phone_number: str_of(metadata, "display_phone_number"),
        contacts: list(v, "contacts"),
        messages: v
            .get("messages")
            .and_then(Value::as_array)
            .map(|ms| {
                ms.iter()
                    .filter_map(Value::as_object)
                    .filter_map(parse_message)
                    .collect()
            })
            .unwrap_or_default(),
        statuses: v
            .get("statuses")
            .and_then(Value::as_array)
            .map(|ss| {
                ss.iter()
                    .filter_map(Value::as_object)
                    .filter_map(parse_status)
                    .collect()
            })
            .unwrap_or_default(),
        errors: list(v, "errors"),
    })
}

fn parse_message(m: &Map<String, Value>) -> Option<InboundMessage> {
    Some(InboundMessage {
        id: str_of(m, "id")?,
        from: str_of(m, "from"),
        from_user_id: str_of(m, "from_user_id"),
        timestamp: int_of(m, "timestamp").unwrap_or_default(),
        context: part(m, "context"),
        referral: part(m, "referral"),
        content: parse_content(m),
        errors: list(m, "errors"),
    })
}

fn parse_content(m: &Map<String, Value>) -> Content {
    let kind = str_of(m, "type").unwrap_or_default();
    let body = m.get(&kind).and_then(Value::as_object);
    typed_content(&kind, body, m).unwrap_or_else(|| Content::Other {
        kind: kind.clone(),
        raw: Value::Object(m.clone()),
    })
}

fn typed_content(
    kind: &str,
    body: Option<&Map<String, Value>>,
    m: &Map<String, Value>,
) -> Option<Content> {
    let media = |k: MediaKind| -> Option<Content> {
        let media: Media = Media::deserialize(Value::Object(body?.clone())).ok()?;
        let kind = if k == MediaKind::Audio && media.voice {
            MediaKind::Voice
        } else {
            k
        };
        Some(Content::Media { kind, media })
    };
    Some(match kind {
        "text" => Content::Text {
            body: str_of(body?, "body")?,
        },
        "image" => media(MediaKind::Image)?,
        "audio" => media(MediaKind::Audio)?,
        "video" => media(MediaKind::Video)?,
        "document" => media(MediaKind::Document)?,
        "sticker" => media(MediaKind::Sticker)?,
        "location" => Content::Location(Location::deserialize(Value::Object(body?.clone())).ok()?),
        "contacts" => Content::Contacts(m.get("contacts")?.as_array()?.clone()),
        "button" => Content::Button {
            payload: str_of(body?, "payload"),
            text: str_of(body?, "text")?,
        },
        "interactive" => interactive(body?)?,
        "reaction" => Content::Reaction {
            message_id: str_of(body?, "message_id")?,
            emoji: str_of(body?, "emoji").filter(|e| !e.is_empty()),
        },
        "order" => Content::Order {
            catalog_id: str_of(body?, "catalog_id"),
            text: str_of(body?, "text"),
            items: list(body?, "product_items"),
        },
        "system" => Content::System {
            kind: str_of(body?, "type"),
            body: str_of(body?, "body"),
            new_wa_id: str_of(body?, "wa_id"),
        },
        "unsupported" => Content::Unsupported {
            kind: body.and_then(|b| str_of(b, "type")),
        },
        "edit" => {
            let b = body?;
            let inner = b.get("message")?.as_object()?;
            Content::Edit {
                original_message_id: str_of(b, "original_message_id")?,
                message: Box::new(parse_content(inner)),
            }
        }
        "revoke" => Content::Revoke {
            original_message_id: str_of(body?, "original_message_id")?,
        },
        _ => return None,
    })
}

fn interactive(i: &Map<String, Value>) -> Option<Content> {
    let kind = str_of(i, "type")?;
    let reply = i.get(&kind)?.as_object()?;
    Some(match kind.as_str() {
        "button_reply" => Content::ButtonReply {
            id: str_of(reply, "id")?,
            title: str_of(reply, "title")?,
        },
        "list_reply" => Content::ListReply {
            id: str_of(reply, "id")?,
            title: str_of(reply, "title")?,
            description: str_of(reply, "description"),
        },
        "nfm_reply" => Content::FlowReply {
            body: str_of(reply, "body"),
            // `response_json` is a JSON document inside a string.
            response: str_of(reply, "response_json")
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(Value::Null),
        },
        _ => return None,
    })
}

fn parse_status(s: &Map<String, Value>) -> Option<StatusUpdate> {
    let raw_status = str_of(s, "status")?;
    let status = match raw_status.as_str() {
        "sent" => Some(DeliveryStatus::Sent),
        "delivered" => Some(DeliveryStatus::Delivered),
        "read" => Some(DeliveryStatus::Read),
        "played" => Some(DeliveryStatus::Played),
        "failed" => Some(DeliveryStatus::Failed),
        _ => None,
    };
    Some(StatusUpdate {
        id: str_of(s, "id")?,
        status,
        raw_status,
        timestamp: int_of(s, "timestamp").unwrap_or_default(),
        recipient_id: str_of(s, "recipient_id"),
        recipient_user_id: str_of(s, "recipient_user_id"),
        errors: list(s, "errors"),
        pricing: part(s, "pricing"),
        biz_opaque_callback_data: str_of(s, "biz_opaque_callback_data"),
    })
}
