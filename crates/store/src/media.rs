//! Media in the inbox: the `media` row of each file a lead sent (created with its message when
//! the webhook is stored, then fetched from Meta by a `media_fetch` job) or a member uploaded
//! to send, and the organisation's speech-to-text provider. The bytes live in the server's
//! media store; this module keeps what is known about them, and mirrors it into the message's
//! `media` JSON so the transcript reads a message without a join.

use crate::audit::{self, Actor};
use crate::entities::{media_file, message, transcription_setting};
use crate::error::{Result, StoreError};
use crate::jobs::JobPayload;
use crate::team::OrgScope;
use crate::{Store, new_id, now};
use chrono::{DateTime, Utc};
use closer_domain::media::MediaStatus;
use closer_domain::messaging::MessageType;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

/// A file as the rest of the program sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaRecord {
    pub id: Uuid,
    pub org_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub message_id: Option<Uuid>,
    pub kind: MessageType,
    pub provider_media_id: Option<String>,
    pub mime_type: String,
    pub size_bytes: Option<i64>,
    pub file_name: Option<String>,
    pub status: MediaStatus,
    pub storage_key: Option<String>,
    pub transcript: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<media_file::Model> for MediaRecord {
    fn from(m: media_file::Model) -> Self {
        MediaRecord {
            id: m.id,
            org_id: m.org_id,
            conversation_id: m.conversation_id,
            message_id: m.message_id,
            kind: m.kind,
            provider_media_id: m.provider_media_id,
            mime_type: m.mime_type,
            size_bytes: m.size_bytes,
            file_name: m.file_name,
            status: m.status,
            storage_key: m.storage_key,
            transcript: m.transcript,
            error: m.error,
            created_at: m.created_at,
        }
    }
}

impl MediaRecord {
    /// What the message's `media` JSON says about its file (the caption and Meta's fields
    /// already there are kept).
    pub(crate) fn mirror(&self) -> Value {
        json!({
            "id": self.id,
            "mime_type": self.mime_type,
            "size_bytes": self.size_bytes,
            "file_name": self.file_name,
            "status": self.status,
            "transcript": self.transcript,
        })
    }
}

/// A member's file, checked and already in the media store.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub id: Uuid,
    pub kind: MessageType,
    pub mime_type: String,
    pub size_bytes: i64,
    pub file_name: Option<String>,
    pub sha256: String,
    pub storage_key: String,
}

/// The speech-to-text provider as shown: the key is write-only.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptionSettings {
    pub base_url: String,
    pub model: String,
    pub has_api_key: bool,
    pub updated_at: DateTime<Utc>,
}

/// Settings to save; `api_key`: `None` keeps the saved key, `Some("")` removes it.
#[derive(Debug, Clone)]
pub struct TranscriptionInput {
    pub base_url: String,
    pub model: String,
    pub api_key: Option<String>,
}

impl From<transcription_setting::Model> for TranscriptionSettings {
    fn from(m: transcription_setting::Model) -> Self {
        TranscriptionSettings {
            base_url: m.base_url,
            model: m.model,
            has_api_key: m.api_key.is_some(),
            updated_at: m.updated_at,
        }
    }
}

/// Writes `patch`'s fields into a message's `media` JSON, keeping the others.
pub(crate) async fn mirror_into_message(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    message_id: Uuid,
    patch: &Value,
) -> Result<()> {
    let Some(m) = message::Entity::find()
        .filter(message::Column::OrgId.eq(org_id))
        .filter(message::Column::Id.eq(message_id))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let mut media = match m.media {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    if let Value::Object(fields) = patch {
        for (k, v) in fields {
            media.insert(k.clone(), v.clone());
        }
    }
    message::Entity::update_many()
        .col_expr(message::Column::Media, Expr::value(Value::Object(media)))
        .col_expr(message::Column::UpdatedAt, Expr::value(now()))
        .filter(message::Column::OrgId.eq(org_id))
        .filter(message::Column::Id.eq(message_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A lead's file, stored with its message by the webhook: a pending row and the job that
/// fetches it. Returns the message's `media` JSON with our id in place of Meta's.
pub(crate) async fn note_inbound(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    conversation_id: Uuid,
    message_id: Uuid,
    kind: MessageType,
    meta: Option<&Value>,
) -> Result<()> {
    let field = |k: &str| {
        meta.and_then(|m| m.get(k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let id = new_id();
    let at = now();
    let row = media_file::Model {
        id,
        org_id,
        conversation_id: Some(conversation_id),
        message_id: Some(message_id),
        kind,
        provider_media_id: field("id"),
        mime_type: field("mime_type").unwrap_or_else(|| "application/octet-stream".into()),
        size_bytes: None,
        file_name: field("filename"),
        sha256: field("sha256"),
        status: MediaStatus::Pending,
        storage_key: None,
        transcript: None,
        error: None,
        uploaded_by: None,
        created_at: at,
        updated_at: at,
    };
    let record = MediaRecord::from(row.clone());
    media_file::Entity::insert(media_file::ActiveModel::from(row))
        .exec_without_returning(db)
        .await?;
    let mut patch = record.mirror();
    patch["provider_media_id"] = json!(record.provider_media_id);
    mirror_into_message(db, org_id, message_id, &patch).await?;
    // Not tied to the conversation: a fetch need not wait behind the agent's thinking.
    crate::jobs::enqueue(
        db,
        org_id,
        JobPayload::MediaFetch { media_id: id },
        None,
        at,
    )
    .await?;
    Ok(())
}

impl OrgScope<'_> {
    /// One of the organisation's files; another organisation's is not found.
    pub async fn media(&self, id: Uuid) -> Result<MediaRecord> {
        media_file::Entity::find()
            .filter(media_file::Column::OrgId.eq(self.org_id))
            .filter(media_file::Column::Id.eq(id))
            .one(&self.store.db)
            .await?
            .map(MediaRecord::from)
            .ok_or(StoreError::NotFound)
    }

    /// A member's upload, kept until it is sent.
    pub async fn record_upload(&self, actor: &Actor, upload: NewUpload) -> Result<MediaRecord> {
        let at = now();
        let row = media_file::Model {
            id: upload.id,
            org_id: self.org_id,
            conversation_id: None,
            message_id: None,
            kind: upload.kind,
            provider_media_id: None,
            mime_type: upload.mime_type,
            size_bytes: Some(upload.size_bytes),
            file_name: upload.file_name,
            sha256: Some(upload.sha256),
            status: MediaStatus::Stored,
            storage_key: Some(upload.storage_key),
            transcript: None,
            error: None,
            uploaded_by: Some(actor.user_id),
            created_at: at,
            updated_at: at,
        };
        let record = MediaRecord::from(row.clone());
        let txn = self.store.begin_write().await?;
        media_file::Entity::insert(media_file::ActiveModel::from(row))
            .exec_without_returning(&*txn)
            .await?;
        txn.commit().await?;
        Ok(record)
    }

    /// Whether voice notes are transcribed here.
    pub(crate) async fn transcribes(&self, db: &impl ConnectionTrait) -> Result<bool> {
        Ok(transcription_setting::Entity::find_by_id(self.org_id)
            .one(db)
            .await?
            .is_some())
    }

    pub async fn transcription_settings(&self) -> Result<Option<TranscriptionSettings>> {
        Ok(transcription_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
            .map(TranscriptionSettings::from))
    }

    /// The settings with the opened key, for the worker's calls only.
    pub async fn transcription_settings_with_key(
        &self,
    ) -> Result<Option<(TranscriptionSettings, Option<String>)>> {
        let Some(m) = transcription_setting::Entity::find_by_id(self.org_id)
            .one(&self.store.db)
            .await?
        else {
            return Ok(None);
        };
        let key = match &m.api_key {
            Some(sealed) => Some(self.store.secret_box()?.open(sealed).map_err(|_| {
                StoreError::Conflict(
                    "the stored speech-to-text key cannot be opened with this secret key",
                )
            })?),
            None => None,
        };
        Ok(Some((m.into(), key)))
    }

    /// Saves the speech-to-text provider; the key is sealed. Audited without the key.
    pub async fn save_transcription_settings(
        &self,
        actor: &Actor,
        input: TranscriptionInput,
    ) -> Result<TranscriptionSettings> {
        let txn = self.store.begin_write().await?;
        let existing = transcription_setting::Entity::find_by_id(self.org_id)
            .one(&*txn)
            .await?;
        let api_key = match input.api_key.as_deref() {
            None => existing.as_ref().and_then(|m| m.api_key.clone()),
            Some("") => None,
            Some(key) => Some(self.store.secret_box()?.seal(key)),
        };
        let row = transcription_setting::ActiveModel {
            org_id: Set(self.org_id),
            base_url: Set(input.base_url.clone()),
            model: Set(input.model.clone()),
            api_key: Set(api_key),
            updated_at: Set(now()),
        };
        let saved = if existing.is_some() {
            row.update(&*txn).await?
        } else {
            row.insert(&*txn).await?
        };
        audit::record(
            &*txn,
            self.org_id,
            Some(actor),
            "transcription.settings.update",
            "transcription_settings".into(),
            json!({ "model": input.model, "base_url": input.base_url,
                "key_changed": input.api_key.is_some() }),
        )
        .await?;
        txn.commit().await?;
        Ok(saved.into())
    }
}

impl Store {
    /// A file by its id alone, for a signed link (which names no organisation).
    pub async fn media_by_id(&self, id: Uuid) -> Result<MediaRecord> {
        media_file::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .map(MediaRecord::from)
            .ok_or(StoreError::NotFound)
    }

    async fn update_media(
        &self,
        record: &MediaRecord,
        update: sea_orm::UpdateMany<media_file::Entity>,
    ) -> Result<MediaRecord> {
        let txn = self.begin_write().await?;
        update
            .col_expr(media_file::Column::UpdatedAt, Expr::value(now()))
            .filter(media_file::Column::OrgId.eq(record.org_id))
            .filter(media_file::Column::Id.eq(record.id))
            // An erased file stays erased, whatever a fetch still running learns.
            .filter(media_file::Column::Status.ne(MediaStatus::Erased))
            .exec(&*txn)
            .await?;
        let fresh: MediaRecord = media_file::Entity::find_by_id(record.id)
            .one(&*txn)
            .await?
            .ok_or(StoreError::NotFound)?
            .into();
        if let Some(message_id) = fresh.message_id {
            mirror_into_message(&*txn, fresh.org_id, message_id, &fresh.mirror()).await?;
        }
        txn.commit().await?;
        Ok(fresh)
    }

    /// The bytes are in the media store under `storage_key`.
    pub async fn media_stored(
        &self,
        record: &MediaRecord,
        storage_key: &str,
        mime_type: &str,
        size_bytes: i64,
    ) -> Result<MediaRecord> {
        let update = media_file::Entity::update_many()
            .col_expr(media_file::Column::Status, Expr::value(MediaStatus::Stored))
            .col_expr(media_file::Column::StorageKey, Expr::value(storage_key))
            .col_expr(media_file::Column::MimeType, Expr::value(mime_type))
            .col_expr(media_file::Column::SizeBytes, Expr::value(size_bytes))
            .col_expr(
                media_file::Column::Error,
                Expr::value(Option::<String>::None),
            );
        self.update_media(record, update).await
    }

    /// The file will not be kept: `Refused` (a type or size WhatsApp does not carry) or
    /// `Failed` (out of attempts).
    pub async fn media_not_stored(
        &self,
        record: &MediaRecord,
        status: MediaStatus,
        error: &str,
    ) -> Result<MediaRecord> {
        let update = media_file::Entity::update_many()
            .col_expr(media_file::Column::Status, Expr::value(status))
            .col_expr(media_file::Column::Error, Expr::value(error));
        self.update_media(record, update).await
    }

    /// A voice note's words.
    pub async fn media_transcribed(
        &self,
        record: &MediaRecord,
        transcript: &str,
    ) -> Result<MediaRecord> {
        let update = media_file::Entity::update_many()
            .col_expr(media_file::Column::Transcript, Expr::value(transcript));
        self.update_media(record, update).await
    }

    /// Meta's id for an upload, so a retried send does not upload it again.
    pub async fn media_uploaded(&self, record: &MediaRecord, provider_id: &str) -> Result<()> {
        let update = media_file::Entity::update_many().col_expr(
            media_file::Column::ProviderMediaId,
            Expr::value(provider_id),
        );
        self.update_media(record, update).await?;
        Ok(())
    }

    /// The agent may now answer a voice note that waited for its transcript (or for the
    /// transcription to give up): its conversation is processed.
    pub async fn voice_note_ready(&self, record: &MediaRecord) -> Result<()> {
        let Some(conversation_id) = record.conversation_id else {
            return Ok(());
        };
        let txn = self.begin_write().await?;
        self.org(record.org_id)
            .schedule_processing(&txn, conversation_id, false)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The outbound body of a member's upload: it must be theirs (the organisation's), kept, and
/// not sent yet.
pub(crate) async fn body_of_upload(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    media_id: Uuid,
) -> Result<crate::replies::OutboundBody> {
    let record: MediaRecord = media_file::Entity::find()
        .filter(media_file::Column::OrgId.eq(org_id))
        .filter(media_file::Column::Id.eq(media_id))
        .one(db)
        .await?
        .ok_or(StoreError::MediaUnusable("is not a file uploaded here"))?
        .into();
    if record.message_id.is_some() {
        return Err(StoreError::MediaUnusable(
            "was sent already; upload the file again to send it again",
        ));
    }
    if record.status != MediaStatus::Stored {
        return Err(StoreError::MediaUnusable("is not a stored file"));
    }
    Ok(crate::replies::OutboundBody::Media {
        kind: record.kind,
        media: record.mirror(),
    })
}

/// The upload now belongs to its message.
pub(crate) async fn attach_upload(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    media_id: Uuid,
    conversation_id: Uuid,
    message_id: Uuid,
) -> Result<()> {
    media_file::Entity::update_many()
        .col_expr(media_file::Column::MessageId, Expr::value(message_id))
        .col_expr(
            media_file::Column::ConversationId,
            Expr::value(conversation_id),
        )
        .col_expr(media_file::Column::UpdatedAt, Expr::value(now()))
        .filter(media_file::Column::OrgId.eq(org_id))
        .filter(media_file::Column::Id.eq(media_id))
        .exec(db)
        .await?;
    Ok(())
}
