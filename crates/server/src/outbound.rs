//! The one way a message leaves Closer: a body in the product's terms, handed to the
//! conversation's channel. Each channel (the WhatsApp Cloud API, the playground's simulator)
//! implements [`MessageChannel`] and turns its provider's answers into [`ChannelFailure`]s, so
//! the send job never branches on channel names or reads a provider's error format.

use crate::media::SharedMediaStore;
use closer_domain::messaging::MessageType;
use closer_domain::messaging::{Channel, NumberStatus};
use closer_store::Store;
use closer_store::replies::SendTask;
use closer_whatsapp::outbound::{MediaSource, MediaType, ReplyButton};
use closer_whatsapp::{Body, ErrorClass, GraphClient, Outbound, SendError};
use uuid::Uuid;

/// What is sent, whatever the channel.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageBody {
    Text(String),
    /// Text with reply buttons under it (a CTA offer).
    Buttons {
        text: String,
        buttons: Vec<ReplyButton>,
    },
    /// A template send: `{id, name, language, category, variables}` as queued.
    Template(serde_json::Value),
    /// A member's file (our media id) with its caption.
    Media {
        kind: MessageType,
        media_id: Uuid,
        caption: Option<String>,
    },
}

impl MessageBody {
    /// The body of a queued message: reply buttons when it has them, else plain text.
    pub fn of(task: &SendTask) -> Self {
        if let Some(template) = &task.template {
            return MessageBody::Template(template.clone());
        }
        if let Some((kind, media_id)) = task.media {
            return MessageBody::Media {
                kind,
                media_id,
                caption: task.text.clone().filter(|t| !t.trim().is_empty()),
            };
        }
        let text = task.text.clone().unwrap_or_default();
        let buttons: Vec<ReplyButton> = task
            .buttons
            .as_ref()
            .and_then(|b| b.as_array())
            .map(|all| {
                all.iter()
                    .filter_map(|b| {
                        Some(ReplyButton {
                            id: b.get("id")?.as_str()?.to_owned(),
                            title: b.get("title")?.as_str()?.to_owned(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        if buttons.is_empty() {
            MessageBody::Text(text)
        } else {
            MessageBody::Buttons { text, buttons }
        }
    }
}

/// A channel took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id for it (Meta's wamid), which its status updates will name.
    pub provider_message_id: String,
    /// The lead's phone already has it (the simulator); otherwise a status webhook says so.
    pub delivered: bool,
}

/// Why a channel did not take the message. Nothing went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFailure {
    /// Trying again later may work (a timeout, a rate limit, the provider's own error).
    pub retryable: bool,
    /// The provider's error code, when it gave one (Meta's 131047 and friends).
    pub code: Option<i64>,
    /// What the inbox shows under the failed message.
    pub title: String,
}

impl ChannelFailure {
    fn permanent(title: &str) -> Self {
        ChannelFailure {
            retryable: false,
            code: None,
            title: title.to_owned(),
        }
    }
}

/// A way to reach leads.
#[async_trait::async_trait]
pub trait MessageChannel: Send + Sync {
    async fn deliver(
        &self,
        task: &SendTask,
        body: &MessageBody,
    ) -> Result<Accepted, ChannelFailure>;
}

/// The playground: the simulator is the lead's phone, so it has the message once stored.
pub struct Simulator;

#[async_trait::async_trait]
impl MessageChannel for Simulator {
    async fn deliver(&self, _: &SendTask, _: &MessageBody) -> Result<Accepted, ChannelFailure> {
        Ok(Accepted {
            provider_message_id: format!("sandbox.{}", Uuid::now_v7().simple()),
            delivered: true,
        })
    }
}

/// The organisation's WhatsApp number, through Meta's Cloud API.
pub struct WhatsApp<'a> {
    pub store: &'a Store,
    pub graph: &'a GraphClient,
    /// Where a member's uploads are kept, to hand them to Meta.
    pub files: &'a SharedMediaStore,
}

#[async_trait::async_trait]
impl MessageChannel for WhatsApp<'_> {
    async fn deliver(
        &self,
        task: &SendTask,
        body: &MessageBody,
    ) -> Result<Accepted, ChannelFailure> {
        let scope = self.store.org(task.org_id);
        let store_failed = |e: closer_store::StoreError| ChannelFailure {
            retryable: true,
            code: None,
            title: e.to_string(),
        };
        let Some((account, secrets)) = scope.whatsapp_with_secrets().await.map_err(store_failed)?
        else {
            return Err(ChannelFailure::permanent("WhatsApp is not connected."));
        };
        // Meta writes numbers as bare digits (`wa_id`) and takes them so.
        let Some(to) = task.to_phone.as_ref().map(|p| p.digits().to_owned()) else {
            return Err(ChannelFailure::permanent(
                "The lead has no phone number to send to.",
            ));
        };
        if let MessageBody::Media { media_id, .. } = body {
            self.upload(
                &account.phone_number_id,
                &secrets.access_token,
                task.org_id,
                *media_id,
            )
            .await?;
        }
        let message = cloud_api_message(&scope, to, body)
            .await
            .map_err(|e| match e {
                // Deleted after it was queued: no later attempt can find it either.
                closer_store::StoreError::NotFound => ChannelFailure::permanent(
                    "The file or template was deleted before it went out.",
                ),
                other => store_failed(other),
            })?;
        let sent = self
            .graph
            .send(&account.phone_number_id, &secrets.access_token, &message)
            .await;
        match sent {
            Ok(wamid) => Ok(Accepted {
                provider_message_id: wamid,
                delivered: false,
            }),
            Err(err) => {
                if err.class() == ErrorClass::Auth {
                    // Every later send would fail the same way: the owner must reconnect.
                    scope
                        .set_whatsapp_status(NumberStatus::TokenInvalid)
                        .await
                        .map_err(store_failed)?;
                }
                Err(failure_of(&err))
            }
        }
    }
}

impl WhatsApp<'_> {
    /// Hands a member's file to Meta (`POST /{phone-number-id}/media`) once: Meta's id is
    /// kept on the file, so a retried send reuses it.
    async fn upload(
        &self,
        phone_number_id: &str,
        token: &str,
        org_id: Uuid,
        media_id: Uuid,
    ) -> Result<(), ChannelFailure> {
        let store_failed = |e: closer_store::StoreError| ChannelFailure {
            retryable: !matches!(e, closer_store::StoreError::NotFound),
            code: None,
            title: e.to_string(),
        };
        let record = self
            .store
            .org(org_id)
            .media(media_id)
            .await
            .map_err(store_failed)?;
        if record.provider_media_id.is_some() {
            return Ok(());
        }
        let key = record.storage_key.clone().unwrap_or_default();
        let bytes = self.files.get(&key).await.map_err(|e| ChannelFailure {
            retryable: true,
            code: None,
            title: format!("The file could not be read: {e}"),
        })?;
        let name = record
            .file_name
            .clone()
            .unwrap_or_else(|| format!("{}", record.kind));
        let id = self
            .graph
            .upload_media(phone_number_id, token, bytes, &record.mime_type, &name)
            .await
            .map_err(|e| failure_of(&e))?;
        self.store
            .media_uploaded(&record, &id)
            .await
            .map_err(store_failed)
    }
}

/// The channel a conversation's messages go through.
pub fn channel_for<'a>(
    channel: Channel,
    store: &'a Store,
    graph: &'a GraphClient,
    files: &'a SharedMediaStore,
) -> Box<dyn MessageChannel + 'a> {
    match channel {
        Channel::Sandbox => Box::new(Simulator),
        Channel::Whatsapp => Box::new(WhatsApp {
            store,
            graph,
            files,
        }),
    }
}

/// A media message as Meta takes it, by the id the upload got. Audio carries no caption, and
/// only a document has a file name.
async fn media_message(
    scope: &closer_store::OrgScope<'_>,
    to: String,
    kind: MessageType,
    media_id: Uuid,
    caption: &Option<String>,
) -> Result<Outbound, closer_store::StoreError> {
    let record = scope.media(media_id).await?;
    let provider_id = record
        .provider_media_id
        .ok_or(closer_store::StoreError::NotFound)?;
    let kind = match kind {
        MessageType::Image => MediaType::Image,
        MessageType::Video => MediaType::Video,
        MessageType::Audio | MessageType::Voice => MediaType::Audio,
        MessageType::Sticker => MediaType::Sticker,
        _ => MediaType::Document,
    };
    let caption = caption.clone().filter(|_| kind != MediaType::Audio);
    let filename = record.file_name.filter(|_| kind == MediaType::Document);
    Ok(Outbound {
        to,
        reply_to: None,
        body: Body::Media {
            kind,
            source: MediaSource::Id(provider_id),
            caption,
            filename,
        },
    })
}

/// A queued template send as Meta takes it: the template's current content, filled with the
/// values the message was queued with.
async fn template_message(
    scope: &closer_store::OrgScope<'_>,
    to: String,
    summary: &serde_json::Value,
) -> Result<Outbound, closer_store::StoreError> {
    use closer_domain::templates::{FilledValue, ValueSource};
    let id = summary
        .get("id")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse().ok())
        .ok_or(closer_store::StoreError::NotFound)?;
    let template = scope.template(id).await?;
    let values = summary
        .get("variables")
        .and_then(|v| v.as_object())
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let value = v.as_str()?.to_owned();
            Some((
                k.clone(),
                FilledValue {
                    value,
                    source: ValueSource::Given,
                },
            ))
        })
        .collect();
    Ok(Outbound {
        to,
        reply_to: None,
        body: Body::Template {
            name: template.content.name.clone(),
            language: template.content.language.clone(),
            components: closer_whatsapp::templates::send_components(&template.content, &values),
            // A campaign's send names its recipient, which every status webhook echoes.
            callback_data: summary
                .get("callback_data")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        },
    })
}

async fn cloud_api_message(
    scope: &closer_store::OrgScope<'_>,
    to: String,
    body: &MessageBody,
) -> Result<Outbound, closer_store::StoreError> {
    Ok(match body {
        MessageBody::Template(summary) => template_message(scope, to, summary).await?,
        MessageBody::Media {
            kind,
            media_id,
            caption,
        } => media_message(scope, to, *kind, *media_id, caption).await?,
        MessageBody::Text(text) => Outbound::text(to, text.clone()),
        MessageBody::Buttons { text, buttons } => Outbound {
            to,
            reply_to: None,
            body: Body::Buttons {
                header: None,
                body: text.clone(),
                footer: None,
                buttons: buttons.clone(),
            },
        },
    })
}

/// Meta's answer in the inbox's words: its explanation when it gave one.
fn failure_of(err: &SendError) -> ChannelFailure {
    let title = match err {
        SendError::Graph { error, .. } => error
            .error_data
            .as_ref()
            .and_then(|d| d.details.clone())
            .unwrap_or_else(|| error.message.clone()),
        other => other.to_string(),
    };
    ChannelFailure {
        retryable: err.is_retryable(),
        code: err.code(),
        title,
    }
}
