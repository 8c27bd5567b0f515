//! What the business sends, checked against Meta's limits before any call is made, and
//! rendered as the Cloud API's JSON.

use serde_json::{Value, json};

pub const TEXT_MAX: usize = 4096;
pub const BUTTONS_MAX: usize = 3;
pub const BUTTON_TITLE_MAX: usize = 20;
pub const BUTTON_ID_MAX: usize = 256;
pub const BUTTONS_BODY_MAX: usize = 1024;
pub const FOOTER_MAX: usize = 60;
pub const HEADER_MAX: usize = 60;
pub const LIST_BUTTON_MAX: usize = 20;
pub const LIST_SECTIONS_MAX: usize = 10;
pub const LIST_ROWS_MAX: usize = 10;
pub const ROW_TITLE_MAX: usize = 24;
pub const ROW_DESCRIPTION_MAX: usize = 72;
pub const ROW_ID_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct LimitError {
    pub field: String,
    pub problem: String,
}

fn check_len(field: &str, text: &str, max: usize) -> Result<(), LimitError> {
    let n = text.chars().count();
    if n == 0 {
        return Err(LimitError {
            field: field.into(),
            problem: "must not be empty".into(),
        });
    }
    if n > max {
        return Err(LimitError {
            field: field.into(),
            problem: format!("{n} characters, at most {max}"),
        });
    }
    Ok(())
}

fn check_opt(field: &str, text: &Option<String>, max: usize) -> Result<(), LimitError> {
    text.as_deref().map_or(Ok(()), |t| check_len(field, t, max))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            MediaType::Image => "image",
            MediaType::Audio => "audio",
            MediaType::Video => "video",
            MediaType::Document => "document",
            MediaType::Sticker => "sticker",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaSource {
    /// An uploaded media id.
    Id(String),
    /// A public https link Meta fetches.
    Link(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyButton {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSection {
    pub title: Option<String>,
    pub rows: Vec<ListRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Text {
        text: String,
        preview_url: bool,
    },
    /// `components` as Meta takes them (body parameters, header media, button payloads).
    Template {
        name: String,
        language: String,
        components: Vec<Value>,
        /// Our own reference, echoed back on every status of the message
        /// (`biz_opaque_callback_data`): a campaign names its recipient.
        callback_data: Option<String>,
    },
    Buttons {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        buttons: Vec<ReplyButton>,
    },
    List {
        header: Option<String>,
        body: String,
        footer: Option<String>,
        button: String,
        sections: Vec<ListSection>,
    },
    Media {
        kind: MediaType,
        source: MediaSource,
        caption: Option<String>,
        filename: Option<String>,
    },
    Reaction {
        message_id: String,
        emoji: String,
    },
}

/// One message to one recipient.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbound {
    /// E.164 phone number (with or without `+`).
    pub to: String,
    /// Quote this wamid.
    pub reply_to: Option<String>,
    pub body: Body,
}

impl Outbound {
    pub fn text(to: impl Into<String>, text: impl Into<String>) -> Self {
        Outbound {
            to: to.into(),
            reply_to: None,
            body: Body::Text {
                text: text.into(),
                preview_url: false,
            },
        }
    }

    /// Meta's limits, checked before sending so a bad message never costs a call.
    pub fn validate(&self) -> Result<(), LimitError> {
        check_len("to", &self.to, 32)?;
        match &self.body {
            Body::Text { text, .. } => check_len("text", text, TEXT_MAX),
            Body::Template { name, language, .. } => {
                check_len("template.name", name, 512)?;
                check_len("template.language", language, 16)
            }
            Body::Buttons {
                header,
                body,
                footer,
                buttons,
            } => {
                check_opt("header", header, HEADER_MAX)?;
                check_len("body", body, BUTTONS_BODY_MAX)?;
                check_opt("footer", footer, FOOTER_MAX)?;
                if buttons.is_empty() || buttons.len() > BUTTONS_MAX {
                    return Err(LimitError {
                        field: "buttons".into(),
                        problem: format!("{} buttons, 1 to {BUTTONS_MAX}", buttons.len()),
                    });
                }
                for b in buttons {
                    check_len("buttons.title", &b.title, BUTTON_TITLE_MAX)?;
                    check_len("buttons.id", &b.id, BUTTON_ID_MAX)?;
                }
                Ok(())
            }
            Body::List {
                header,
                body,
                footer,
                button,
                sections,
            } => {
                check_opt("header", header, HEADER_MAX)?;
                check_len("body", body, TEXT_MAX)?;
                check_opt("footer", footer, FOOTER_MAX)?;
                check_len("button", button, LIST_BUTTON_MAX)?;
                let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
                if sections.is_empty() || sections.len() > LIST_SECTIONS_MAX {
                    return Err(LimitError {
                        field: "sections".into(),
                        problem: format!("{} sections, 1 to {LIST_SECTIONS_MAX}", sections.len()),
                    });
                }
                if rows == 0 || rows > LIST_ROWS_MAX {
                    return Err(LimitError {
                        field: "rows".into(),
                        problem: format!("{rows} rows in all, 1 to {LIST_ROWS_MAX}"),
                    });
                }
                for s in sections {
                    check_opt("sections.title", &s.title, ROW_TITLE_MAX)?;
                    for r in &s.rows {
                        check_len("rows.title", &r.title, ROW_TITLE_MAX)?;
                        check_len("rows.id", &r.id, ROW_ID_MAX)?;
                        check_opt("rows.description", &r.description, ROW_DESCRIPTION_MAX)?;
                    }
                }
                Ok(())
            }
            Body::Media {
                source, caption, ..
            } => {
                match source {
                    MediaSource::Id(id) => check_len("media.id", id, 256)?,
                    MediaSource::Link(url) => check_len("media.link", url, 2048)?,
                }
                check_opt("caption", caption, 1024)
            }
            Body::Reaction { message_id, .. } => check_len("reaction.message_id", message_id, 512),
        }
    }

    /// The request body for `POST /{phone-number-id}/messages`.
    pub fn to_json(&self) -> Value {
        let to = if self.to.starts_with('+') {
            self.to.clone()
        } else {
            format!("+{}", self.to)
        };
        let mut msg =
            json!({ "messaging_product": "whatsapp", "recipient_type": "individual", "to": to });
        if let Some(id) = &self.reply_to {
            msg["context"] = json!({ "message_id": id });
        }
        let (kind, body) = match &self.body {
            Body::Text { text, preview_url } => {
                let mut t = json!({ "body": text });
                if *preview_url {
                    t["preview_url"] = json!(true);
                }
                ("text", t)
            }
            Body::Template {
                name,
                language,
                components,
                callback_data,
            } => {
                if let Some(data) = callback_data {
                    msg["biz_opaque_callback_data"] = json!(data);
                }
                let mut t = json!({ "name": name, "language": { "code": language } });
                if !components.is_empty() {
                    t["components"] = json!(components);
                }
                ("template", t)
            }
            Body::Buttons {
                header,
                body,
                footer,
                buttons,
            } => {
                let buttons: Vec<Value> = buttons
                    .iter()
                    .map(|b| json!({ "type": "reply", "reply": { "id": b.id, "title": b.title } }))
                    .collect();
                let kind_body = json!({ "type": "button", "body": { "text": body }, "action": { "buttons": buttons } });
                ("interactive", interactive(kind_body, header, footer))
            }
            Body::List {
                header,
                body,
                footer,
                button,
                sections,
            } => {
                let sections: Vec<Value> = sections
                    .iter()
                    .map(|s| {
                        let rows: Vec<Value> = s
                            .rows
                            .iter()
                            .map(|r| {
                                let mut row = json!({ "id": r.id, "title": r.title });
                                if let Some(d) = &r.description {
                                    row["description"] = json!(d);
                                }
                                row
                            })
                            .collect();
                        let mut sec = json!({ "rows": rows });
                        if let Some(t) = &s.title {
                            sec["title"] = json!(t);
                        }
                        sec
                    })
                    .collect();
                let kind_body = json!({ "type": "list", "body": { "text": body }, "action": { "button": button, "sections": sections } });
                ("interactive", interactive(kind_body, header, footer))
            }
            Body::Media {
                kind,
                source,
                caption,
                filename,
            } => {
                let mut m = match source {
                    MediaSource::Id(id) => json!({ "id": id }),
                    MediaSource::Link(url) => json!({ "link": url }),
                };
                if let Some(c) = caption {
                    m["caption"] = json!(c);
                }
                if let Some(f) = filename {
                    m["filename"] = json!(f);
                }
                (kind.as_str(), m)
            }
            Body::Reaction { message_id, emoji } => (
                "reaction",
                json!({ "message_id": message_id, "emoji": emoji }),
            ),
        };
        msg["type"] = json!(kind);
        msg[kind] = body;
        msg
    }
}

/// An interactive body with its optional text header and footer.
fn interactive(mut i: Value, header: &Option<String>, footer: &Option<String>) -> Value {
    if let Some(h) = header {
        i["header"] = json!({ "type": "text", "text": h });
    }
    if let Some(f) = footer {
        i["footer"] = json!({ "text": f });
    }
    i
}

/// Mark an inbound message read, optionally showing "typing…" until the reply (or 25 s).
pub fn mark_read_json(message_id: &str, typing: bool) -> Value {
    let mut v =
        json!({ "messaging_product": "whatsapp", "status": "read", "message_id": message_id });
    if typing {
        v["typing_indicator"] = json!({ "type": "text" });
    }
    v
}
