//! The webhook body: `object` → `entry[]` → `changes[]` → `value`. Parsing never fails on
//! content it does not know: unknown change fields and message types are kept as raw JSON.
//! Only a body that is not a JSON object with an `entry` array is refused.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
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
    #[serde(default)]
    pub message_template_category: Option<String>,
    /// `{reason, recommendation}` of a rejection.
    #[serde(default)]
    pub rejection_info: Option<Value>,
    /// `{title: FIRST_PAUSE|SECOND_PAUSE, description}` of a pause.
    #[serde(default)]
    pub other_info: Option<Value>,
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

/// What a delivery must be routed by, read before anything is trusted: how many changes it
/// carries and which of our numbers they name. Read in one streaming pass with every other
/// field skipped and nothing kept but the distinct numbers, so a forged body costs one pass
/// over its bytes and almost no memory — and the pass stops at the first change past the
/// limits. The full parse waits until the signature has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// Changes in the delivery, of any field.
    pub changes: usize,
    /// The distinct `metadata.phone_number_id`s, in the order first seen.
    pub numbers: Vec<String>,
    /// The distinct WhatsApp Business Account ids (`entry[].id`) of entries with a change
    /// that names no number (template and account updates), in the order first seen.
    pub wabas: Vec<String>,
}

/// The most one delivery may ask of us before its signature is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingLimits {
    pub max_changes: usize,
    pub max_numbers: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("a delivery may carry at most {} changes for {} numbers", .0.max_changes, .0.max_numbers)]
    TooMuch(RoutingLimits),
}

#[derive(Deserialize)]
struct RoutingChange<'a> {
    #[serde(borrow, default)]
    value: Option<RoutingValue<'a>>,
}

#[derive(Deserialize)]
struct RoutingValue<'a> {
    #[serde(borrow, default)]
    metadata: Option<RoutingMetadata<'a>>,
}

#[derive(Deserialize)]
struct RoutingMetadata<'a> {
    #[serde(borrow, default)]
    phone_number_id: Option<std::borrow::Cow<'a, str>>,
}

/// What the streaming pass has seen so far.
struct Tally {
    limits: RoutingLimits,
    changes: usize,
    numbers: Vec<String>,
    wabas: Vec<String>,
    /// The entry being read has a change without a number: it is routed by its id.
    entry_by_waba: bool,
    saw_entry: bool,
    too_much: bool,
}

/// Meta's ids are digits, and so is every number and account we let anyone connect: anything
/// else (NUL, a megabyte of text) can be nobody's and is never looked up.
fn is_our_id(n: &str) -> bool {
    !n.is_empty() && n.len() <= 32 && n.bytes().all(|b| b.is_ascii_digit())
}

impl Tally {
    fn count(&mut self, change: RoutingChange<'_>) -> Result<(), ()> {
        self.changes += 1;
        let number = change
            .value
            .as_ref()
            .and_then(|v| v.metadata.as_ref())
            .and_then(|m| m.phone_number_id.as_deref());
        match number {
            Some(number) if is_our_id(number) && !self.numbers.iter().any(|n| n == number) => {
                self.numbers.push(number.to_owned())
            }
            Some(_) => {}
            None => self.entry_by_waba = true,
        }
        self.within_limits()
    }

    /// An entry ended: its id is a WABA to route by when a change of it named no number.
    fn entry_done(&mut self, id: Option<&str>) -> Result<(), ()> {
        if std::mem::take(&mut self.entry_by_waba)
            && let Some(id) = id.filter(|id| is_our_id(id))
            && !self.wabas.iter().any(|w| w == id)
        {
            self.wabas.push(id.to_owned());
        }
        self.within_limits()
    }

    /// Numbers and accounts together stay under `max_numbers`: each costs a lookup.
    fn within_limits(&mut self) -> Result<(), ()> {
        if self.changes > self.limits.max_changes
            || self.numbers.len() + self.wabas.len() > self.limits.max_numbers
        {
            self.too_much = true;
            return Err(());
        }
        Ok(())
    }
}

/// Reads a delivery's [`Routing`], refusing it as soon as it passes `limits`. A body that is
/// not a JSON object with an `entry` array is refused as [`parse_webhook`] would refuse it.
pub fn routing(raw: &[u8], limits: RoutingLimits) -> Result<Routing, RoutingError> {
    // A struct also reads from a JSON array; a webhook is an object.
    if raw.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ParseError::NotWebhook("expected a JSON object").into());
    }
    let mut tally = Tally {
        limits,
        changes: 0,
        numbers: Vec::new(),
        wabas: Vec::new(),
        entry_by_waba: false,
        saw_entry: false,
        too_much: false,
    };
    let mut de = serde_json::Deserializer::from_slice(raw);
    let read = RootSeed(&mut tally)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if tally.too_much {
        return Err(RoutingError::TooMuch(limits));
    }
    read.map_err(|e| ParseError::NotJson(e.to_string()))?;
    if !tally.saw_entry {
        return Err(ParseError::NotWebhook("expected an `entry` array").into());
    }
    Ok(Routing {
        changes: tally.changes,
        numbers: tally.numbers,
        wabas: tally.wabas,
    })
}

/// `{"entry": [...], ...}`: only `entry` is read.
struct RootSeed<'t>(&'t mut Tally);
/// `[{...}, ...]`: each entry.
struct EntriesSeed<'t>(&'t mut Tally);
/// `{"changes": [...], ...}`: only `changes` is read.
struct EntrySeed<'t>(&'t mut Tally);
/// `[{...}, ...]`: each change, counted and dropped.
struct ChangesSeed<'t>(&'t mut Tally);

fn over<E: de::Error>() -> E {
    E::custom("past the routing limits")
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a webhook object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "entry" {
                self.0.saw_entry = true;
                map.next_value_seed(EntriesSeed(self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an `entry` array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(EntrySeed(self.0))?.is_some() {}
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an entry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.entry_by_waba = false;
        let mut id: Option<String> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "changes" {
                map.next_value_seed(ChangesSeed(self.0))?;
            } else if key == "id" {
                id = map.next_value::<EntryId>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        self.0.entry_done(id.as_deref()).map_err(|()| over())
    }
}

/// An entry's `id`: kept when it is a short string or a number, skipped otherwise without
/// buffering it.
struct EntryId(Option<String>);

impl<'de> Deserialize<'de> for EntryId {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryIdVisitor)
    }
}

struct EntryIdVisitor;

impl<'de> Visitor<'de> for EntryIdVisitor {
    type Value = EntryId;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an entry id")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<EntryId, E> {
        Ok(EntryId((v.len() <= 32).then(|| v.to_owned())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<EntryId, E> {
        Ok(EntryId(Some(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<EntryId, E> {
        Ok(EntryId(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<EntryId, E> {
        Ok(EntryId(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<EntryId, E> {
        Ok(EntryId(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<EntryId, E> {
        Ok(EntryId(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EntryId, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(EntryId(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntryId, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(EntryId(None))
    }
}

impl<'de> DeserializeSeed<'de> for ChangesSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ChangesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a `changes` array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(change) = seq.next_element::<RoutingChange<'de>>()? {
            self.0.count(change).map_err(|()| over())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod routing_tests {
    use super::*;

    const LIMITS: RoutingLimits = RoutingLimits {
        max_changes: 3,
        max_numbers: 2,
    };

    fn delivery(numbers: &[&str]) -> Vec<u8> {
        let changes: Vec<Value> = numbers
            .iter()
            .map(|n| serde_json::json!({"field": "messages", "value": {"metadata": {"phone_number_id": n}, "statuses": []}}))
            .collect();
        serde_json::to_vec(
            &serde_json::json!({"object": "x", "entry": [{"id": "1", "changes": changes}]}),
        )
        .unwrap()
    }

    #[test]
    fn routing_names_the_distinct_digit_numbers() {
        let r = routing(&delivery(&["111", "222", "111"]), LIMITS).unwrap();
        assert_eq!(r.changes, 3);
        assert_eq!(r.numbers, vec!["111", "222"]);
        let odd = routing(&delivery(&["1\u{0}1", "", "abc"]), LIMITS).unwrap();
        assert!(odd.numbers.is_empty(), "{odd:?}");
    }

    #[test]
    fn routing_stops_at_the_limits() {
        assert_eq!(
            routing(&delivery(&["1", "1", "1", "1"]), LIMITS),
            Err(RoutingError::TooMuch(LIMITS))
        );
        assert_eq!(
            routing(&delivery(&["1", "2", "3"]), LIMITS),
            Err(RoutingError::TooMuch(LIMITS))
        );
    }

    #[test]
    fn routing_names_the_accounts_of_changes_without_a_number() {
        let body = serde_json::json!({"entry": [
            {"changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}], "id": "100"},
            {"id": 100, "changes": [{"field": "account_update", "value": {}}]},
            {"id": "200", "changes": [{"field": "messages", "value": {"metadata": {"phone_number_id": "7"}}}]},
            {"id": "x1", "changes": [{"field": "account_update", "value": {}}]},
        ]});
        let r = routing(
            &serde_json::to_vec(&body).unwrap(),
            RoutingLimits {
                max_changes: 10,
                max_numbers: 2,
            },
        )
        .unwrap();
        assert_eq!(r.wabas, vec!["100"]);
        assert_eq!(r.numbers, vec!["7"]);
        let many = serde_json::json!({"entry": (1..=3).map(|i| serde_json::json!(
            {"id": i.to_string(), "changes": [{"field": "account_update", "value": {}}]})).collect::<Vec<_>>()});
        assert_eq!(
            routing(&serde_json::to_vec(&many).unwrap(), LIMITS),
            Err(RoutingError::TooMuch(LIMITS))
        );
    }

    #[test]
    fn routing_refuses_what_is_not_a_webhook() {
        for body in [&b"[]"[..], b"{}", b"{\"entry\": 3}", b"{not json", b"\"x\""] {
            assert!(
                matches!(routing(body, LIMITS), Err(RoutingError::Parse(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
